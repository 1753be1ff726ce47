"""Each example's ``example.yaml``: how it is deployed in the examples' shared Envoy.

Keys (all optional):

* ``summary``: one line for the index in examples/README.md;
* ``kind``: ``http`` (default) or ``tcp`` (a tcp_proxy listener with the network filter);
* ``config`` / ``vm_config``: plugin / VM configuration (a mapping is sent as JSON);
* ``root_id``, ``vm_id``, ``allow_on_headers_stop_iteration``;
* ``plugins``: extra plugins in the same listener, placed before the example's own filter, each
  ``{filter: other.py, root_id:, vm_id:, config:}`` with ``filter`` relative to the example;
* ``clusters``: ``{cluster name: server kind}``, kinds from ``_support/servers.py``.
* ``tcp_proxy``: extra fields of the ``tcp_proxy`` config of a ``kind: tcp`` listener (e.g.
  ``max_early_data_bytes`` so a filter sees the first bytes before the upstream is chosen).
* ``http_filters``: Envoy ``http_filters`` entries (``{name:, typed_config:}``) placed before the
  Wasm filters of a ``kind: http`` listener (e.g. ``envoy.filters.http.set_metadata``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXAMPLES_DIR = Path(__file__).resolve().parent.parent
KNOWN_KEYS = {"summary", "kind", "config", "vm_config", "root_id", "vm_id", "plugins", "clusters",
              "allow_on_headers_stop_iteration", "tcp_proxy", "http_filters"}


@dataclass(frozen=True)
class ExtraPlugin:
    """Another plugin of the example's listener."""

    filter: Path
    root_id: str = ""
    vm_id: str = ""
    config: Any = None


@dataclass(frozen=True)
class ExampleSpec:
    """One example folder and how to deploy it."""

    name: str
    path: Path
    summary: str = ""
    kind: str = "http"
    config: Any = None
    vm_config: Any = None
    root_id: str = ""
    vm_id: str = ""
    allow_on_headers_stop_iteration: bool = False
    plugins: list[ExtraPlugin] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)
    tcp_proxy: dict[str, Any] = field(default_factory=dict)
    http_filters: list[dict[str, Any]] = field(default_factory=list)

    @property
    def filter(self) -> Path:
        return self.path / "filter.py"


def load_spec(folder: Path) -> ExampleSpec:
    """Read ``folder/example.yaml`` (absent means an HTTP filter with no configuration)."""
    data: dict[str, Any] = {}
    spec_file = folder / "example.yaml"
    if spec_file.exists():
        data = yaml.safe_load(spec_file.read_text()) or {}
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise ValueError(f"{spec_file}: unknown keys {sorted(unknown)}")
    plugins = [ExtraPlugin(filter=folder / p["filter"], root_id=p.get("root_id", ""),
                           vm_id=p.get("vm_id", ""), config=p.get("config"))
               for p in data.pop("plugins", [])]
    return ExampleSpec(name=folder.name, path=folder, plugins=plugins, **data)


def all_examples() -> list[ExampleSpec]:
    """Every example folder (one holding a filter.py), sorted by name."""
    return [load_spec(p.parent) for p in sorted(EXAMPLES_DIR.glob("*/filter.py"))]
