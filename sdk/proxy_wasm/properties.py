"""Typed access to well-known Envoy properties (attributes).

``proxy_wasm.properties.request_path()`` returns a ``str`` (or ``None`` when the host has no
value in this callback). Values are decoded as Envoy serializes them (ABI §8.3): strings raw
(UTF-8; a byte that is not UTF-8 becomes a lone surrogate, so decoding never fails and a str
setter sends the same bytes back, see :mod:`proxy_wasm.headers`), integers as 8 bytes
little-endian, booleans as one byte, durations and timestamps as int64 nanoseconds, maps in the
pairs format. The generic getters (:func:`get_string`,
:func:`get_int`, ...) take any path, as a list of segments or a dotted string.

Request properties are valid in HTTP callbacks; ``response.*`` after the response starts;
``request.duration``/``*.size`` once the stream completes (``on_log``).
"""

from __future__ import annotations

from . import _host as _h
from ._serde import deserialize_pairs, join_path, to_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._serde import PathLike


# -- decoding (pure) -------------------------------------------------------------------------------
def decode_string(raw: bytes) -> str:
    """Decode a string property (UTF-8, never fails: see the module docstring)."""
    return to_text(raw)


def decode_int(raw: bytes) -> int:
    """Decode an int64 property (8 bytes little-endian, signed)."""
    if len(raw) != 8:
        raise ValueError(f"an int64 property has 8 bytes, got {len(raw)}")
    return int.from_bytes(raw, "little", signed=True)


def decode_uint(raw: bytes) -> int:
    """Decode a uint64 property (8 bytes little-endian, unsigned)."""
    if len(raw) != 8:
        raise ValueError(f"a uint64 property has 8 bytes, got {len(raw)}")
    return int.from_bytes(raw, "little")


def decode_bool(raw: bytes) -> bool:
    """Decode a bool property (one byte)."""
    if len(raw) != 1:
        raise ValueError(f"a bool property has 1 byte, got {len(raw)}")
    return raw != b"\0"


def decode_float(raw: bytes) -> float:
    """Decode a double property (8-byte IEEE-754, little-endian)."""
    import struct

    if len(raw) != 8:
        raise ValueError(f"a double property has 8 bytes, got {len(raw)}")
    value: float = struct.unpack("<d", raw)[0]
    return value


def decode_map(raw: bytes) -> dict[str, str]:
    """Decode a map property (pairs format); a repeated key keeps its last value."""
    return {to_text(k): to_text(v) for k, v in deserialize_pairs(raw)}


def decode_list(raw: bytes) -> list[str]:
    """Decode a list property (pairs format, values in the key slot)."""
    return [to_text(k) for k, _ in deserialize_pairs(raw)]


# -- generic getters -------------------------------------------------------------------------------
def get_bytes(path: PathLike) -> bytes | None:
    """Return a property's raw bytes, or ``None`` when absent."""
    return _h.host.proxy_get_property(join_path(path))


def get_string(path: PathLike) -> str | None:
    """Return a string property."""
    raw = _h.host.proxy_get_property(join_path(path))
    return None if raw is None else to_text(raw)


def get_int(path: PathLike) -> int | None:
    """Return an int64 property."""
    raw = _h.host.proxy_get_property(join_path(path))
    return None if raw is None else decode_int(raw)


def get_uint(path: PathLike) -> int | None:
    """Return a uint64 property."""
    raw = _h.host.proxy_get_property(join_path(path))
    return None if raw is None else decode_uint(raw)


def get_bool(path: PathLike) -> bool | None:
    """Return a bool property."""
    raw = _h.host.proxy_get_property(join_path(path))
    return None if raw is None else decode_bool(raw)


def get_float(path: PathLike) -> float | None:
    """Return a double property."""
    raw = _h.host.proxy_get_property(join_path(path))
    return None if raw is None else decode_float(raw)


def get_map(path: PathLike) -> dict[str, str] | None:
    """Return a map property (e.g. ``request.headers``)."""
    raw = _h.host.proxy_get_property(join_path(path))
    return None if raw is None else decode_map(raw)


def get_duration(path: PathLike) -> float | None:
    """Return a duration property in seconds."""
    raw = _h.host.proxy_get_property(join_path(path))
    return None if raw is None else decode_int(raw) / 1e9


def get_timestamp_ns(path: PathLike) -> int | None:
    """Return a timestamp property in nanoseconds since the epoch."""
    raw = _h.host.proxy_get_property(join_path(path))
    return None if raw is None else decode_int(raw)


# -- request --------------------------------------------------------------------------------------
def request_path() -> str | None:
    """``request.path``: the path with query string."""
    return get_string(("request", "path"))


def request_url_path() -> str | None:
    """``request.url_path``: the path without query string."""
    return get_string(("request", "url_path"))


def request_host() -> str | None:
    """``request.host``: the host (``:authority``)."""
    return get_string(("request", "host"))


def request_scheme() -> str | None:
    """``request.scheme``."""
    return get_string(("request", "scheme"))


def request_method() -> str | None:
    """``request.method``."""
    return get_string(("request", "method"))


def request_headers() -> dict[str, str] | None:
    """``request.headers``: lower-case names, repeated values comma-joined by Envoy."""
    return get_map(("request", "headers"))


def request_referer() -> str | None:
    """``request.referer``."""
    return get_string(("request", "referer"))


def request_useragent() -> str | None:
    """``request.useragent``."""
    return get_string(("request", "useragent"))


def request_id() -> str | None:
    """``request.id``: the ``x-request-id``."""
    return get_string(("request", "id"))


def request_protocol() -> str | None:
    """``request.protocol``: e.g. ``HTTP/1.1``."""
    return get_string(("request", "protocol"))


def request_query() -> str | None:
    """``request.query``: the query string, without ``?``."""
    return get_string(("request", "query"))


def request_time_ns() -> int | None:
    """``request.time``: when the first byte arrived, in nanoseconds since the epoch."""
    return get_timestamp_ns(("request", "time"))


def request_duration() -> float | None:
    """``request.duration`` in seconds (after completion)."""
    return get_duration(("request", "duration"))


def request_size() -> int | None:
    """``request.size``: body bytes (after completion)."""
    return get_int(("request", "size"))


def request_total_size() -> int | None:
    """``request.total_size``: headers and body bytes (after completion)."""
    return get_int(("request", "total_size"))


# -- response -------------------------------------------------------------------------------------
def response_code() -> int | None:
    """``response.code``: the HTTP status code."""
    return get_int(("response", "code"))


def response_code_details() -> str | None:
    """``response.code_details``."""
    return get_string(("response", "code_details"))


def response_flags() -> int | None:
    """``response.flags``: Envoy's response flags bitset."""
    return get_int(("response", "flags"))


def response_grpc_status() -> int | None:
    """``response.grpc_status``."""
    return get_int(("response", "grpc_status"))


def response_headers() -> dict[str, str] | None:
    """``response.headers``."""
    return get_map(("response", "headers"))


def response_trailers() -> dict[str, str] | None:
    """``response.trailers``."""
    return get_map(("response", "trailers"))


def response_size() -> int | None:
    """``response.size``: body bytes."""
    return get_int(("response", "size"))


def response_total_size() -> int | None:
    """``response.total_size``."""
    return get_int(("response", "total_size"))


# -- connection -----------------------------------------------------------------------------------
def source_address() -> str | None:
    """``source.address``: the downstream peer as ``ip:port``."""
    return get_string(("source", "address"))


def source_port() -> int | None:
    """``source.port``."""
    return get_int(("source", "port"))


def destination_address() -> str | None:
    """``destination.address``: the local address the connection arrived on."""
    return get_string(("destination", "address"))


def destination_port() -> int | None:
    """``destination.port``."""
    return get_int(("destination", "port"))


def connection_id() -> int | None:
    """``connection.id`` (uint64)."""
    return get_uint(("connection", "id"))


def connection_mtls() -> bool | None:
    """``connection.mtls``: whether the peer presented a verified certificate."""
    return get_bool(("connection", "mtls"))


def connection_requested_server_name() -> str | None:
    """``connection.requested_server_name`` (SNI)."""
    return get_string(("connection", "requested_server_name"))


def connection_tls_version() -> str | None:
    """``connection.tls_version``."""
    return get_string(("connection", "tls_version"))


def upstream_address() -> str | None:
    """``upstream.address``."""
    return get_string(("upstream", "address"))


def upstream_port() -> int | None:
    """``upstream.port``."""
    return get_int(("upstream", "port"))


# -- plugin and configuration ---------------------------------------------------------------------
def plugin_name() -> str | None:
    """``plugin_name``: the plugin's configured name."""
    return get_string(("plugin_name",))


def plugin_root_id() -> str | None:
    """``plugin_root_id``: the configured root id."""
    return get_string(("plugin_root_id",))


def plugin_vm_id() -> str | None:
    """``plugin_vm_id``: the configured VM id."""
    return get_string(("plugin_vm_id",))


def route_name() -> str | None:
    """``xds.route_name`` (falling back to the legacy ``route_name``)."""
    value = get_string(("xds", "route_name"))
    return value if value is not None else get_string(("route_name",))


def cluster_name() -> str | None:
    """``xds.cluster_name`` (falling back to the legacy ``cluster_name``)."""
    value = get_string(("xds", "cluster_name"))
    return value if value is not None else get_string(("cluster_name",))
