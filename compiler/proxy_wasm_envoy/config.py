"""Envoy bootstrap configuration for Proxy-Wasm filters, as plain dicts (dump with YAML/JSON).

* :class:`PluginSpec` -> one ``envoy.extensions.wasm.v3.PluginConfig`` (local file or remote
  ``http_uri`` + ``sha256``), the plugin configuration passed as ``google.protobuf.StringValue``.
* :class:`ListenerSpec` -> an HTTP listener (HttpConnectionManager: the wasm HTTP filters, then
  the router to ``cluster``) or a TCP listener (wasm network filters, then ``tcp_proxy``).
* :class:`ClusterSpec` -> a static (or DNS) cluster on 127.0.0.1, optionally HTTP/2 (gRPC).
* :func:`bootstrap` assembles admin + listeners + clusters.

Everything binds 127.0.0.1 unless told otherwise; port 0 lets Envoy pick a free port (the
runner reads the real ports back from the admin ``/listeners`` endpoint).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from proxy_wasm_compiler.errors import UserError

LOCALHOST = "127.0.0.1"
HTTP_WASM = "envoy.filters.http.wasm"
NETWORK_WASM = "envoy.filters.network.wasm"
V8 = "envoy.wasm.runtime.v8"
FAILURE_POLICIES = ("FAIL_CLOSED", "FAIL_OPEN", "FAIL_RELOAD")
#: ``PluginConfig.failure_policy`` unless told otherwise: after a VM crash (a trap), Envoy starts
#: a new VM for the next request (Envoy's own default, FAIL_CLOSED, answers 503 until restart).
DEFAULT_FAILURE_POLICY = "FAIL_RELOAD"
#: Name of the built-in upstream (echo server) cluster.
UPSTREAM_CLUSTER = "upstream"
#: The vm_id of the plugins of a module built from several filters: Envoy then runs one VM per
#: worker for all of them (equal vm_id and code).
SHARED_VM_ID = "proxy-wasm-python"

Json = dict[str, Any]


def _type(name: str) -> str:
    return f"type.googleapis.com/{name}"


def plugin_configuration_text(config: str | bytes | Mapping[str, Any] | None) -> str | None:
    """The plugin configuration as the string Envoy hands to ``on_configure``.

    A mapping is serialised to JSON; ``str``/``bytes`` are passed as they are.
    """
    if config is None:
        return None
    if isinstance(config, bytes):
        return config.decode("utf-8")
    if isinstance(config, str):
        return config
    return json.dumps(dict(config), separators=(",", ":"))


def load_config_option(value: str | None) -> str | None:
    """``--config`` of the CLI: inline JSON, or ``@file`` (JSON or YAML, sent as JSON)."""
    if value is None:
        return None
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{path}: cannot read plugin configuration: {exc.strerror}") from None
        if path.suffix in (".yaml", ".yml"):
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
                raise UserError(f"{where}: invalid YAML plugin configuration") from None
            try:
                return json.dumps(data, separators=(",", ":"))
            except (TypeError, ValueError, RecursionError) as exc:
                raise UserError(
                    f"{path}: the plugin configuration is not JSON data ({exc})"
                ) from None
        return text
    try:
        json.loads(value)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"--config: not valid JSON ({exc.msg} at column {exc.colno}); use @FILE to pass a file"
        ) from None
    except RecursionError:
        raise UserError("--config: JSON nested too deeply") from None
    return value


def parse_host_port(value: str, option: str) -> tuple[str, int]:
    """``HOST:PORT`` (HOST defaults to 127.0.0.1) from a CLI option."""
    host, sep, port = value.rpartition(":")
    # isascii: str.isdigit() also accepts digits int() refuses (superscripts, Ethiopic...).
    if not sep or not (port.isascii() and port.isdigit()) or not (0 < int(port) < 65536):
        raise UserError(f"{option} must be HOST:PORT, got {value!r}")
    return host or LOCALHOST, int(port)


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (what ``RemoteDataSource.sha256`` must hold)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class RemoteCode:
    """``vm_config.code.remote``: Envoy fetches ``url`` through ``cluster``, checks ``sha256``."""

    url: str
    sha256: str
    cluster: str
    timeout_seconds: float = 10.0
    retries: int = 3

    def to_dict(self) -> Json:
        return {
            "http_uri": {
                "uri": self.url,
                "cluster": self.cluster,
                "timeout": _duration(self.timeout_seconds),
            },
            "sha256": self.sha256,
            "retry_policy": {"num_retries": self.retries},
        }


@dataclass
class PluginSpec:
    """One Wasm plugin (``PluginConfig``): code from a local file or a :class:`RemoteCode`."""

    wasm_path: str | Path | None = None
    config: str | bytes | Mapping[str, Any] | None = None
    name: str = "proxy-wasm-python"
    root_id: str = ""
    vm_id: str = ""
    vm_config: str | bytes | Mapping[str, Any] | None = None
    #: FAIL_RELOAD, FAIL_CLOSED or FAIL_OPEN (``open`` works too); None: Envoy's default.
    failure_policy: str | None = DEFAULT_FAILURE_POLICY
    allow_on_headers_stop_iteration: bool | None = None
    remote: RemoteCode | None = None
    environment: Mapping[str, str] | None = None
    runtime: str = V8

    def to_dict(self) -> Json:
        if (self.wasm_path is None) == (self.remote is None):
            raise UserError("a plugin needs exactly one of a local .wasm path or a remote URL")
        code: Json
        if self.remote is not None:
            code = {"remote": self.remote.to_dict()}
        else:
            code = {"local": {"filename": str(Path(str(self.wasm_path)).resolve())}}
        vm: Json = {"runtime": self.runtime, "vm_id": self.vm_id, "code": code}
        vm_text = plugin_configuration_text(self.vm_config)
        if vm_text is not None:
            vm["configuration"] = _string_value(vm_text)
        if self.environment:
            vm["environment_variables"] = {"key_values": dict(self.environment)}
        plugin: Json = {"name": self.name, "root_id": self.root_id, "vm_config": vm}
        text = plugin_configuration_text(self.config)
        if text is not None:
            plugin["configuration"] = _string_value(text)
        if self.failure_policy is not None:
            policy = self.failure_policy.upper()
            if not policy.startswith("FAIL_"):
                policy = "FAIL_" + policy
            if policy not in FAILURE_POLICIES:
                raise UserError(
                    f"unknown failure policy {self.failure_policy!r} "
                    f"(one of {', '.join(FAILURE_POLICIES)})"
                )
            plugin["failure_policy"] = policy
        if self.allow_on_headers_stop_iteration is not None:
            plugin["allow_on_headers_stop_iteration"] = self.allow_on_headers_stop_iteration
        return plugin


@dataclass
class ListenerSpec:
    """A listener on ``address:port`` with Wasm plugins in front of ``cluster``.

    ``kind="http"``: HttpConnectionManager with one ``envoy.filters.http.wasm`` per plugin, then
    the router. ``kind="tcp"``: one ``envoy.filters.network.wasm`` per plugin, then tcp_proxy.
    ``wasm_path``/``config`` and the other plugin fields are a shorthand for one plugin; add
    more with ``plugins``. ``port=0`` lets Envoy choose (read back by the runner).
    """

    name: str
    wasm_path: str | Path | None = None
    config: str | bytes | Mapping[str, Any] | None = None
    kind: Literal["http", "tcp"] = "http"
    port: int = 0
    address: str = LOCALHOST
    cluster: str = UPSTREAM_CLUSTER
    root_id: str = ""
    vm_id: str = ""
    vm_config: str | bytes | Mapping[str, Any] | None = None
    failure_policy: str | None = DEFAULT_FAILURE_POLICY
    allow_on_headers_stop_iteration: bool | None = None
    plugins: list[PluginSpec] = field(default_factory=list)
    route_timeout_seconds: float = 15.0
    #: Extra ``http_filters`` entries placed before the Wasm filters.
    extra_http_filters: list[Json] = field(default_factory=list)
    #: Extra fields of the ``tcp_proxy`` config (``kind="tcp"``), e.g.
    #: ``{"max_early_data_bytes": 65536}`` so a Wasm filter can read the first bytes before
    #: tcp_proxy picks its cluster.
    tcp_proxy_options: Json = field(default_factory=dict)

    def all_plugins(self) -> list[PluginSpec]:
        out: list[PluginSpec] = []
        if self.wasm_path is not None:
            out.append(
                PluginSpec(
                    wasm_path=self.wasm_path,
                    config=self.config,
                    name=self.name,
                    root_id=self.root_id,
                    vm_id=self.vm_id,
                    vm_config=self.vm_config,
                    failure_policy=self.failure_policy,
                    allow_on_headers_stop_iteration=self.allow_on_headers_stop_iteration,
                )
            )
        out.extend(self.plugins)
        return out

    def to_dict(self) -> Json:
        plugins = self.all_plugins()
        if self.kind == "tcp":
            filters: list[Json] = [network_wasm_filter(p) for p in plugins]
            filters.append(
                {
                    "name": "envoy.filters.network.tcp_proxy",
                    "typed_config": {
                        "@type": _type("envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"),
                        "stat_prefix": self.name,
                        "cluster": self.cluster,
                        **self.tcp_proxy_options,
                    },
                }
            )
        elif self.kind == "http":
            http_filters = list(self.extra_http_filters)
            http_filters.extend(http_wasm_filter(p) for p in plugins)
            filters = [
                http_connection_manager(
                    self.name, self.cluster, http_filters, self.route_timeout_seconds
                )
            ]
        else:
            raise UserError(f"unknown listener kind {self.kind!r} (http or tcp)")
        return {
            "name": self.name,
            "address": _socket_address(self.address, self.port),
            "filter_chains": [{"filters": filters}],
        }


@dataclass
class ClusterSpec:
    """A cluster with one endpoint (``http2=True`` for gRPC upstreams)."""

    name: str
    port: int
    host: str = LOCALHOST
    http2: bool = False
    connect_timeout_seconds: float = 2.0
    tls_sni: str | None = None

    def to_dict(self) -> Json:
        try:
            ipaddress.ip_address(self.host)
            discovery = "STATIC"
        except ValueError:
            discovery = "LOGICAL_DNS"
        cluster: Json = {
            "name": self.name,
            "type": discovery,
            "connect_timeout": _duration(self.connect_timeout_seconds),
            "load_assignment": {
                "cluster_name": self.name,
                "endpoints": [
                    {
                        "lb_endpoints": [
                            {"endpoint": {"address": _socket_address(self.host, self.port)}}
                        ]
                    }
                ],
            },
        }
        if discovery != "STATIC":
            cluster["dns_lookup_family"] = "V4_PREFERRED"
        if self.http2:
            cluster["typed_extension_protocol_options"] = {
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                    "@type": _type("envoy.extensions.upstreams.http.v3.HttpProtocolOptions"),
                    "explicit_http_config": {"http2_protocol_options": {}},
                }
            }
        if self.tls_sni is not None:
            cluster["transport_socket"] = {
                "name": "envoy.transport_sockets.tls",
                "typed_config": {
                    "@type": _type("envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"),
                    "sni": self.tls_sni,
                },
            }
        return cluster


def _duration(seconds: float) -> str:
    text = f"{seconds:.3f}".rstrip("0").rstrip(".")
    return f"{text}s"


def _socket_address(address: str, port: int) -> Json:
    return {"socket_address": {"address": address, "port_value": port}}


def _string_value(text: str) -> Json:
    return {"@type": _type("google.protobuf.StringValue"), "value": text}


def http_wasm_filter(plugin: PluginSpec) -> Json:
    """An ``http_filters`` entry running ``plugin``."""
    return {
        "name": HTTP_WASM,
        "typed_config": {
            "@type": _type("envoy.extensions.filters.http.wasm.v3.Wasm"),
            "config": plugin.to_dict(),
        },
    }


def network_wasm_filter(plugin: PluginSpec) -> Json:
    """A network ``filters`` entry running ``plugin`` (TCP filter)."""
    return {
        "name": NETWORK_WASM,
        "typed_config": {
            "@type": _type("envoy.extensions.filters.network.wasm.v3.Wasm"),
            "config": plugin.to_dict(),
        },
    }


def router_filter() -> Json:
    return {
        "name": "envoy.filters.http.router",
        "typed_config": {"@type": _type("envoy.extensions.filters.http.router.v3.Router")},
    }


def http_connection_manager(
    name: str, cluster: str, http_filters: Sequence[Json], route_timeout_seconds: float = 15.0
) -> Json:
    """An HttpConnectionManager routing everything to ``cluster`` through ``http_filters``."""
    return {
        "name": "envoy.filters.network.http_connection_manager",
        "typed_config": {
            "@type": _type(
                "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
            ),
            "stat_prefix": name,
            "codec_type": "AUTO",
            "route_config": {
                "name": name,
                "virtual_hosts": [
                    {
                        "name": name,
                        "domains": ["*"],
                        "routes": [
                            {
                                "match": {"prefix": "/"},
                                "route": {
                                    "cluster": cluster,
                                    "timeout": _duration(route_timeout_seconds),
                                },
                            }
                        ],
                    }
                ],
            },
            "http_filters": [*http_filters, router_filter()],
        },
    }


#: Envoy keeps freed heap pages (V8's compiler frees tens of MB after loading a module) unless
#: told to give them back; this makes its tcmalloc return up to 16 MiB of free pages a second.
MEMORY_RELEASE: Json = {"bytes_to_release": 16 * 1024 * 1024, "memory_release_interval": "1s"}


def bootstrap(
    listeners: Sequence[ListenerSpec],
    clusters: Sequence[ClusterSpec] = (),
    *,
    admin_port: int = 0,
    admin_address: str = LOCALHOST,
) -> Json:
    """A complete static bootstrap: admin on ``admin_address:admin_port``, listeners, clusters."""
    names = [c.name for c in clusters]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise UserError(f"duplicate cluster names: {', '.join(sorted(dupes))}")
    lnames = [spec.name for spec in listeners]
    ldupes = {n for n in lnames if lnames.count(n) > 1}
    if ldupes:
        raise UserError(f"duplicate listener names: {', '.join(sorted(ldupes))}")
    return {
        "admin": {"address": _socket_address(admin_address, admin_port)},
        "memory_allocator_manager": MEMORY_RELEASE,
        "static_resources": {
            "listeners": [spec.to_dict() for spec in listeners],
            "clusters": [c.to_dict() for c in clusters],
        },
    }


def cluster_for_url(url: str, name: str | None = None) -> ClusterSpec:
    """A cluster that reaches the host of ``url`` (TLS with SNI for https)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"--url must be an http:// or https:// URL, got {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    cluster_name = name or f"wasm_code_{parts.hostname.replace('.', '_')}_{port}"
    return ClusterSpec(
        name=cluster_name,
        host=parts.hostname,
        port=port,
        tls_sni=parts.hostname if parts.scheme == "https" else None,
    )


def remote_plugin(
    url: str,
    sha256: str,
    *,
    config: str | bytes | Mapping[str, Any] | None = None,
    name: str = "proxy-wasm-python",
    root_id: str = "",
    vm_id: str = "",
    failure_policy: str | None = DEFAULT_FAILURE_POLICY,
    cluster: ClusterSpec | None = None,
) -> tuple[PluginSpec, ClusterSpec]:
    """A plugin whose code Envoy fetches from ``url`` (checked against ``sha256``)."""
    sha = sha256.lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise UserError(f"--sha256 must be 64 hex digits, got {sha256!r}")
    code_cluster = cluster or cluster_for_url(url)
    plugin = PluginSpec(
        remote=RemoteCode(url=url, sha256=sha, cluster=code_cluster.name),
        config=config,
        name=name,
        root_id=root_id,
        vm_id=vm_id,
        failure_policy=failure_policy,
    )
    return plugin, code_cluster


def dump_yaml(data: Any) -> str:
    """YAML text Envoy reads (keys in insertion order)."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=100)


def write_config(data: Json, path: str | Path) -> Path:
    """Write a bootstrap to ``path`` (YAML, or JSON if it ends with .json)."""
    p = Path(path)
    text = json.dumps(data, indent=2) if p.suffix == ".json" else dump_yaml(data)
    p.write_text(text, encoding="utf-8")
    return p
