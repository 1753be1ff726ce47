"""A filter folder's deployment file, ``example.yaml``: how ``proxy-wasm run FOLDER`` (and the
examples' tests) put the filter in front of Envoy.

Keys (all optional; a folder without the file is an HTTP filter with no configuration):

* ``summary``: one line describing the filter (the examples' index uses it);
* ``kind``: ``http`` (default) or ``tcp`` (a tcp_proxy listener with the network filter);
* ``config`` / ``vm_config``: plugin / VM configuration (a mapping is sent as JSON);
* ``root_id``, ``vm_id``, ``allow_on_headers_stop_iteration``;
* ``plugins``: more plugins in the same listener, placed before the folder's ``filter.py``, each
  ``{filter: other.py, root_id:, vm_id:, config:}`` with ``filter`` relative to the folder;
* ``clusters``: ``{cluster name: server kind}`` for the clusters the filter calls out to; ``run``
  serves each with its echo upstream unless ``--cluster NAME=HOST:PORT`` says otherwise;
* ``tcp_proxy``: extra fields of the ``tcp_proxy`` config of a ``kind: tcp`` listener;
* ``http_filters``: Envoy ``http_filters`` entries placed before the Wasm filters;
* ``native_only``: the filter imports C extensions, so it runs natively (``run --native``) and
  in the null runtime, never as Wasm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from proxy_wasm_compiler.errors import Location, UserError
from proxy_wasm_envoy.config import ListenerSpec, PluginSpec

DEPLOYMENT_FILE = "example.yaml"
KNOWN_KEYS = frozenset(
    {
        "summary",
        "kind",
        "config",
        "vm_config",
        "root_id",
        "vm_id",
        "plugins",
        "clusters",
        "allow_on_headers_stop_iteration",
        "tcp_proxy",
        "http_filters",
        "native_only",
    }
)
PLUGIN_KEYS = frozenset({"filter", "root_id", "vm_id", "config"})


@dataclass(frozen=True)
class ExtraPlugin:
    """Another plugin of the folder's listener."""

    filter: Path
    root_id: str = ""
    vm_id: str = ""
    config: Any = None


@dataclass(frozen=True)
class Deployment:
    """A filter folder and how it is deployed."""

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
    native_only: bool = False

    @property
    def filter(self) -> Path:
        """The folder's filter.py."""
        return self.path / "filter.py"

    def listener(self, name: str, build: Callable[[Path], Path], port: int = 0) -> ListenerSpec:
        """The Envoy listener serving this deployment; ``build`` turns a .py into a .wasm."""
        plugins = [
            PluginSpec(
                wasm_path=build(p.filter),
                root_id=p.root_id,
                vm_id=p.vm_id,
                config=p.config,
                name=f"{self.name}-{p.filter.stem}",
            )
            for p in self.plugins
        ]
        plugins.append(
            PluginSpec(
                wasm_path=build(self.filter),
                root_id=self.root_id,
                vm_id=self.vm_id,
                config=self.config,
                vm_config=self.vm_config,
                name=self.name,
                allow_on_headers_stop_iteration=self.allow_on_headers_stop_iteration or None,
            )
        )
        return ListenerSpec(
            name=name,
            kind="tcp" if self.kind == "tcp" else "http",
            plugins=plugins,
            port=port,
            tcp_proxy_options=dict(self.tcp_proxy),
            extra_http_filters=list(self.http_filters),
        )


def _mark(node: yaml.Node | None, key: str, spec_file: Path) -> Location:
    for key_node, _value in getattr(node, "value", []):
        if getattr(key_node, "value", None) == key:
            return Location(
                str(spec_file), key_node.start_mark.line + 1, key_node.start_mark.column + 1
            )
    return Location(str(spec_file))


def load_deployment(folder: Path) -> Deployment:
    """Read ``folder/example.yaml``; a mistake gives a UserError at the offending key."""
    spec_file = folder / DEPLOYMENT_FILE
    data: dict[str, Any] = {}
    if spec_file.exists():
        text = spec_file.read_text()
        try:
            node = yaml.compose(text)
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            location = (
                Location(str(spec_file), mark.line + 1, mark.column + 1)
                if mark
                else Location(str(spec_file))
            )
            raise UserError(f"invalid YAML: {getattr(exc, 'problem', exc)}", location) from None
        if not isinstance(data, dict):
            raise UserError("a deployment file is a mapping of keys", Location(str(spec_file)))
        for key in data:
            if key not in KNOWN_KEYS:
                raise UserError(
                    f"unknown key {key!r} (known: {', '.join(sorted(KNOWN_KEYS))})",
                    _mark(node, key, spec_file),
                )
        if data.get("kind", "http") not in ("http", "tcp"):
            raise UserError("kind must be http or tcp", _mark(node, "kind", spec_file))
    plugins = []
    entries = data.pop("plugins", None) or []
    if not isinstance(entries, list):
        raise UserError("plugins is a list of mappings", _mark(node, "plugins", spec_file))
    for entry in entries:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("filter"), str)
            or set(entry) - PLUGIN_KEYS
        ):
            raise UserError(
                f"each plugin is a mapping with 'filter' and optionally "
                f"{sorted(PLUGIN_KEYS - {'filter'})}",
                Location(str(spec_file)),
            )
        plugins.append(
            ExtraPlugin(
                filter=folder / entry["filter"],
                root_id=entry.get("root_id", ""),
                vm_id=entry.get("vm_id", ""),
                config=entry.get("config"),
            )
        )
    return Deployment(name=folder.name, path=folder, plugins=plugins, **data)
