"""Context base classes: :class:`RootContext`, :class:`HttpContext`, :class:`StreamContext`.

A filter subclasses them, overrides the callbacks it needs (every callback has a no-op
default that returns ``Action.CONTINUE`` or ``True``) and registers factories with
:func:`proxy_wasm.set_root_context` and friends. Constructors take no arguments; the SDK sets
``self.context_id`` (already readable inside ``__init__`` when it calls ``super().__init__()``,
and set again after the factory returns, so a forgotten ``super().__init__()`` is harmless).

Accessors act on the context the host is currently calling (Proxy-Wasm host calls carry no
context id): an ``HttpContext``'s header accessors work in its own callbacks and in the
callout callbacks delivered to it (the dispatcher sets the effective context first).
Durations are ``float`` seconds; ``get_current_time()`` is ``float`` seconds since the epoch
and ``get_current_time_nanoseconds()`` the host's integer nanoseconds.

Statuses: an absent value gives ``None``; other failures raise
:class:`~proxy_wasm.errors.ProxyWasmError` subclasses whose message says what was wrong.
"""

from __future__ import annotations

from . import _host as _h
from . import _state
from . import headers as _hm
from ._serde import decode_pairs, encode_pairs, join_path, seconds_to_ms, to_bytes, to_text
from ._timers import Timers as _Timers
from .errors import BadArgument, NotFound, buffer_unavailable
from .headers import Headers
from .types import Action, BufferType, MapType, StreamType

# Plain-int aliases of the enum members the stream accessors pass on every call: looking up
# an enum member costs about 90 ns on CPython 3.11, as much as the host call itself.
_REQUEST_HEADERS = int(MapType.HTTP_REQUEST_HEADERS)
_REQUEST_TRAILERS = int(MapType.HTTP_REQUEST_TRAILERS)
_RESPONSE_HEADERS = int(MapType.HTTP_RESPONSE_HEADERS)
_RESPONSE_TRAILERS = int(MapType.HTTP_RESPONSE_TRAILERS)
_REQUEST_BODY = int(BufferType.HTTP_REQUEST_BODY)
_RESPONSE_BODY = int(BufferType.HTTP_RESPONSE_BODY)
_DOWNSTREAM_DATA = int(BufferType.DOWNSTREAM_DATA)
_UPSTREAM_DATA = int(BufferType.UPSTREAM_DATA)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from ._serde import PairsLike, PathLike
    from .types import PeerType

_ALL = 0x7FFFFFFF  # max_size meaning "the whole buffer" (hosts clamp to the buffer length)
_CONTINUE = Action.CONTINUE


def _get_buffer(buffer_type: int, start: int, max_size: int | None) -> bytes | None:
    try:
        return _h.host.proxy_get_buffer_bytes(
            buffer_type, start, _ALL if max_size is None else max_size
        )
    except BadArgument:
        raise buffer_unavailable(buffer_type, "proxy_get_buffer_bytes") from None


def _set_buffer(buffer_type: int, start: int, size: int, value: bytes) -> None:
    try:
        _h.host.proxy_set_buffer_bytes(buffer_type, start, size, value)
    except (BadArgument, NotFound) as exc:
        raise buffer_unavailable(buffer_type, "proxy_set_buffer_bytes", exc.status) from None


def _metadata(map_type: int) -> list[tuple[str, bytes]]:
    return [(to_text(k), v) for k, v in _hm.get_pairs(map_type)]


class BaseContext:
    """What every context can do: time, properties, shared data and queues, callouts, FFI."""

    context_id: int = 0
    """The id the host gave this context (set by the SDK)."""
    _paused_stream: int | None = None  # the direction a callback paused (set by the dispatcher)

    def __init__(self) -> None:
        self.context_id = _state.state.creating_id

    def __repr__(self) -> str:
        return f"<{type(self).__name__} context_id={self.context_id}>"

    # -- lifecycle ------------------------------------------------------------------------------
    def on_log(self) -> None:
        """Called at the access-log point (stream contexts; headers are still readable)."""

    def on_done(self) -> bool:
        """Called when the host is done with the context; return ``False`` to finish later
        with :meth:`done`."""
        return True

    def done(self) -> None:
        """Tell the host this context has finished (after ``on_done`` returned ``False``)."""
        _h.host.proxy_done()

    def set_effective_context(self) -> None:
        """Make this context the one later host calls act on, for the rest of the callback.

        Use it to act on a stream from another context's callback, e.g. to resume paused HTTP
        contexts from the root's ``on_tick``: ``ctx.set_effective_context();
        ctx.resume_http_request()``. Raises :class:`~proxy_wasm.errors.BadArgument` if the host
        no longer knows the context.
        """
        _h.host.proxy_set_effective_context(self.context_id)

    # -- clock ----------------------------------------------------------------------------------
    def get_current_time(self) -> float:
        """Return the host's wall-clock time in seconds since the epoch."""
        return _h.host.proxy_get_current_time_nanoseconds() / 1e9

    def get_current_time_nanoseconds(self) -> int:
        """Return the host's wall-clock time in nanoseconds since the epoch."""
        return _h.host.proxy_get_current_time_nanoseconds()

    # -- properties -----------------------------------------------------------------------------
    def get_property(self, path: PathLike) -> bytes | None:
        """Return the raw value of a property, or ``None`` when absent.

        ``path`` is a list of segments (``["request", "path"]``) or a dotted string. Values are
        encoded as Envoy serializes them (see :mod:`proxy_wasm.properties` for typed helpers).
        """
        return _h.host.proxy_get_property(join_path(path))

    def set_property(self, path: PathLike, value: str | bytes) -> None:
        """Set a property (Envoy stores it in filter state as ``wasm.<name>``)."""
        _h.host.proxy_set_property(join_path(path), to_bytes(value))

    # -- shared data ----------------------------------------------------------------------------
    def get_shared_data(self, key: str) -> tuple[bytes | None, int | None]:
        """Return ``(value, cas)`` of a shared-data key, ``(None, None)`` when absent."""
        result = _h.host.proxy_get_shared_data(to_bytes(key))
        if result is None:
            return None, None
        return result

    def set_shared_data(self, key: str, value: str | bytes | None, cas: int | None = None) -> None:
        """Set a shared-data key; with ``cas`` only if it still matches.

        ``value=None`` stores an empty value (the ABI has no delete). A lost compare-and-swap
        raises :class:`~proxy_wasm.errors.CasMismatch`: read again, then retry.
        """
        _h.host.proxy_set_shared_data(
            to_bytes(key), b"" if value is None else to_bytes(value), cas or 0
        )

    # -- shared queues --------------------------------------------------------------------------
    def register_shared_queue(self, name: str) -> int:
        """Create (or open) a queue of this VM; ``on_queue_ready`` fires on this root context."""
        return _h.host.proxy_register_shared_queue(to_bytes(name))

    def resolve_shared_queue(self, vm_id: str, name: str) -> int | None:
        """Return the id of an existing queue of VM ``vm_id``, or ``None``."""
        return _h.host.proxy_resolve_shared_queue(to_bytes(vm_id), to_bytes(name))

    def enqueue_shared_queue(self, queue_id: int, value: str | bytes) -> None:
        """Append ``value`` to a queue."""
        _h.host.proxy_enqueue_shared_queue(queue_id, to_bytes(value))

    def dequeue_shared_queue(self, queue_id: int) -> bytes | None:
        """Pop the oldest value of a queue, or ``None`` when it is empty."""
        return _h.host.proxy_dequeue_shared_queue(queue_id)

    # -- HTTP callouts --------------------------------------------------------------------------
    def dispatch_http_call(
        self,
        upstream: str,
        headers: PairsLike,
        body: str | bytes | None = None,
        trailers: PairsLike = (),
        timeout: float = 5.0,
    ) -> int:
        """Send an HTTP request to cluster ``upstream``; return its token.

        ``headers`` must include ``:method``, ``:path`` and ``:authority``. ``timeout`` is in
        seconds. The response arrives as :meth:`on_http_call_response` on this context.
        """
        token = _h.host.proxy_http_call(
            to_bytes(upstream),
            encode_pairs(headers, "HTTP call headers"),
            b"" if body is None else to_bytes(body),
            encode_pairs(trailers, "HTTP call trailers"),
            seconds_to_ms(timeout, "timeout"),
        )
        _state.state.http_calls[token] = self
        return token

    def on_http_call_response(
        self, token: int, num_headers: int, body_size: int, num_trailers: int
    ) -> None:
        """Called with the response of :meth:`dispatch_http_call` (``num_headers == 0``: the
        call failed or timed out)."""

    def get_http_call_response_headers(self) -> list[tuple[str, str]]:
        """Return the callout response headers (in ``on_http_call_response``)."""
        return decode_pairs(_hm.get_pairs(MapType.HTTP_CALL_RESPONSE_HEADERS))

    def get_http_call_response_headers_bytes(self) -> list[tuple[str, bytes]]:
        """Return the callout response headers with values as bytes."""
        return _metadata(MapType.HTTP_CALL_RESPONSE_HEADERS)

    def get_http_call_response_header(self, name: str) -> str | None:
        """Return the first value of a callout response header, or ``None``."""
        value = _hm.get_value(MapType.HTTP_CALL_RESPONSE_HEADERS, name)
        return None if value is None else to_text(value)

    def get_http_call_response_body(
        self, start: int = 0, max_size: int | None = None
    ) -> bytes | None:
        """Return (part of) the callout response body."""
        return _get_buffer(BufferType.HTTP_CALL_RESPONSE_BODY, start, max_size)

    def get_http_call_response_trailers(self) -> list[tuple[str, str]]:
        """Return the callout response trailers."""
        return decode_pairs(_hm.get_pairs(MapType.HTTP_CALL_RESPONSE_TRAILERS))

    def get_http_call_response_trailers_bytes(self) -> list[tuple[str, bytes]]:
        """Return the callout response trailers with values as bytes."""
        return _metadata(MapType.HTTP_CALL_RESPONSE_TRAILERS)

    # -- gRPC callouts --------------------------------------------------------------------------
    def dispatch_grpc_call(
        self,
        upstream: str | bytes,
        service: str,
        method: str,
        initial_metadata: PairsLike,
        message: bytes,
        timeout: float,
    ) -> int:
        """Start a unary gRPC call; return its token.

        ``upstream`` is a cluster name or a serialized ``envoy.config.core.v3.GrpcService``.
        The outcome arrives as :meth:`on_grpc_call_response` on this context.
        """
        token = _h.host.proxy_grpc_call(
            to_bytes(upstream),
            to_bytes(service),
            to_bytes(method),
            encode_pairs(initial_metadata, "gRPC initial metadata"),
            message,
            seconds_to_ms(timeout, "timeout"),
        )
        _state.state.grpc_calls[token] = self
        return token

    def create_grpc_stream(
        self, upstream: str | bytes, service: str, method: str, initial_metadata: PairsLike = ()
    ) -> int:
        """Open a gRPC stream; return its token. Its events arrive on this context."""
        token = _h.host.proxy_grpc_stream(
            to_bytes(upstream),
            to_bytes(service),
            to_bytes(method),
            encode_pairs(initial_metadata, "gRPC initial metadata"),
        )
        _state.state.grpc_streams[token] = self
        return token

    def grpc_stream_send(self, token: int, message: bytes, end_stream: bool = False) -> None:
        """Send a message on a gRPC stream (``end_stream`` half-closes it)."""
        _h.host.proxy_grpc_send(token, message, end_stream)

    def grpc_stream_close(self, token: int) -> None:
        """Close (half-close) a gRPC stream or call."""
        _h.host.proxy_grpc_close(token)

    def cancel_grpc_call(self, token: int) -> None:
        """Cancel a gRPC call or stream; no callback follows."""
        _h.host.proxy_grpc_cancel(token)
        _state.state.grpc_calls.pop(token, None)
        _state.state.grpc_streams.pop(token, None)

    def on_grpc_call_response(self, token: int, status_code: int, message_size: int) -> None:
        """Called when a unary call ends: ``status_code`` 0 with the response message of
        ``message_size`` bytes (:meth:`get_grpc_receive_buffer`), or a failure status."""

    def on_grpc_stream_receive_initial_metadata(self, token: int, num_elements: int) -> None:
        """Called with a stream's initial metadata (:meth:`get_grpc_receive_initial_metadata`)."""

    def on_grpc_stream_receive_body(self, token: int, message_size: int) -> None:
        """Called with a stream message of ``message_size`` bytes
        (:meth:`get_grpc_receive_buffer`)."""

    def on_grpc_stream_receive_trailing_metadata(self, token: int, num_elements: int) -> None:
        """Called with a stream's trailing metadata
        (:meth:`get_grpc_receive_trailing_metadata`)."""

    def on_grpc_stream_close(self, token: int, status_code: int) -> None:
        """Called when a stream closes, with its gRPC status (message: :meth:`get_grpc_status`)."""

    def get_grpc_receive_buffer(self, start: int = 0, max_size: int | None = None) -> bytes | None:
        """Return the gRPC message received (in the gRPC callbacks)."""
        return _get_buffer(BufferType.GRPC_RECEIVE_BUFFER, start, max_size)

    get_grpc_call_response_body = get_grpc_receive_buffer

    def get_grpc_receive_initial_metadata(self) -> list[tuple[str, bytes]]:
        """Return the received initial metadata (values as bytes: ``-bin`` keys are binary)."""
        return _metadata(MapType.GRPC_RECEIVE_INITIAL_METADATA)

    def get_grpc_receive_trailing_metadata(self) -> list[tuple[str, bytes]]:
        """Return the received trailing metadata."""
        return _metadata(MapType.GRPC_RECEIVE_TRAILING_METADATA)

    def get_grpc_status(self) -> tuple[int, str]:
        """Return ``(status_code, message)`` of the last callout (HTTP call or gRPC close)."""
        code, message = _h.host.proxy_get_status()
        return code, to_text(message)

    # -- foreign functions ----------------------------------------------------------------------
    def call_foreign_function(self, name: str, arguments: bytes = b"") -> bytes:
        """Call a host foreign function (Envoy: ``compress``, ``clear_route_cache``, ...).

        Raises :class:`~proxy_wasm.NotFound` (naming the function) when the host has none.
        """
        try:
            return _h.host.proxy_call_foreign_function(to_bytes(name), arguments)
        except NotFound as exc:
            raise NotFound(f"the host has no foreign function {name!r}", call=exc.call) from None


class RootContext(BaseContext):
    """The plugin (root) context: configuration, timers, queues, child context creation."""

    _timers: _Timers | None = None

    def on_vm_start(self, vm_configuration_size: int) -> bool:
        """Called once per VM; return ``False`` to make the host reject the VM."""
        return True

    def on_configure(self, plugin_configuration_size: int) -> bool:
        """Called with a (new) plugin configuration; return ``False`` to reject it."""
        return True

    def get_vm_configuration(self) -> bytes | None:
        """Return the VM configuration bytes (in ``on_vm_start``), or ``None`` when empty."""
        return _get_buffer(BufferType.VM_CONFIGURATION, 0, None) or None

    def get_plugin_configuration(self) -> bytes | None:
        """Return the plugin configuration bytes (in ``on_configure``), or ``None`` when empty."""
        return _get_buffer(BufferType.PLUGIN_CONFIGURATION, 0, None) or None

    def set_tick_period(self, seconds: float) -> None:
        """Call :meth:`on_tick` every ``seconds`` (0 stops the timer; millisecond resolution)."""
        _h.host.proxy_set_tick_period_milliseconds(seconds_to_ms(seconds, "tick period"))

    def on_tick(self) -> None:
        """Called every tick period (see :meth:`set_tick_period`)."""

    def add_timer(
        self, seconds: float, callback: Callable[[], object], *, repeat: bool = True
    ) -> int:
        """Run ``callback`` in ``seconds`` (and then every ``seconds`` if ``repeat``).

        Proxy-Wasm has one tick period per root context; the SDK serves every timer from it
        (the greatest common divisor of the timers' periods; it only shrinks while timers run,
        since changing it restarts the proxy's tick), so do not also call
        :meth:`set_tick_period`. Returns an id for :meth:`cancel_timer`. An exception in a
        callback is logged like one in any callback; the timer keeps running.
        """
        period_ms = seconds_to_ms(seconds, "timer period")
        if period_ms == 0:
            raise ValueError("a timer period must be at least 1 ms")
        if self._timers is None:
            self._timers = _Timers()
            from . import _dispatch

            _dispatch.require_callback("proxy_on_tick")
        before = self._timers.tick_period_ms()
        timer_id = self._timers.add(
            self.get_current_time_nanoseconds(), period_ms, callback, repeat
        )
        if self._timers.tick_period_ms() != before:
            self.set_tick_period(self._timers.tick_period_ms() / 1000)
        return timer_id

    def cancel_timer(self, timer_id: int) -> None:
        """Stop a timer made by :meth:`add_timer` (unknown ids are ignored)."""
        if (
            self._timers is not None
            and self._timers.timers.pop(timer_id, None) is not None
            and not self._timers.timers
        ):
            self.set_tick_period(0)

    def on_queue_ready(self, queue_id: int) -> None:
        """Called when a queue registered by this root context has data."""

    def on_foreign_function(self, function_id: int, arguments_size: int) -> None:
        """Called when the host calls into the module (arguments:
        :meth:`get_foreign_function_arguments`)."""

    def get_foreign_function_arguments(
        self, start: int = 0, max_size: int | None = None
    ) -> bytes | None:
        """Return the arguments of the host's call (in :meth:`on_foreign_function`)."""
        return _get_buffer(BufferType.FOREIGN_FUNCTION_ARGUMENTS, start, max_size)

    def create_http_context(self, context_id: int) -> HttpContext | None:
        """Return the context of a new HTTP stream, or ``None`` to use the registered factory."""
        return None

    def create_stream_context(self, context_id: int) -> StreamContext | None:
        """Return the context of a new TCP connection, or ``None`` to use the factory."""
        return None


class HttpContext(BaseContext):
    """One HTTP stream (request and response). Views: ``request_headers``,
    ``response_headers``, ``request_trailers``, ``response_trailers`` (:class:`Headers`)."""

    request_headers = Headers(_REQUEST_HEADERS)
    """The request headers (valid in request callbacks, ``on_log`` and callout callbacks)."""
    request_trailers = Headers(_REQUEST_TRAILERS)
    """The request trailers (valid in ``on_http_request_trailers``)."""
    response_headers = Headers(_RESPONSE_HEADERS)
    """The response headers (valid in response callbacks and ``on_log``)."""
    response_trailers = Headers(_RESPONSE_TRAILERS)
    """The response trailers (valid in ``on_http_response_trailers``)."""

    # -- callbacks ------------------------------------------------------------------------------
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        """Called with the request headers. ``PAUSE`` stops the whole stream (Envoy)."""
        return _CONTINUE

    def on_http_request_body(self, body_size: int, end_of_stream: bool) -> Action:
        """Called per request body chunk; ``body_size`` is everything buffered so far.
        ``PAUSE`` buffers the body until the next call."""
        return _CONTINUE

    def on_http_request_trailers(self, num_trailers: int) -> Action:
        """Called with the request trailers."""
        return _CONTINUE

    def on_http_request_metadata(self, num_elements: int) -> Action:
        """Called with HTTP/2 request metadata (Envoy extension; CONTINUE only)."""
        return _CONTINUE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        """Called with the response headers."""
        return _CONTINUE

    def on_http_response_body(self, body_size: int, end_of_stream: bool) -> Action:
        """Called per response body chunk; ``body_size`` is everything buffered so far."""
        return _CONTINUE

    def on_http_response_trailers(self, num_trailers: int) -> Action:
        """Called with the response trailers."""
        return _CONTINUE

    def on_http_response_metadata(self, num_elements: int) -> Action:
        """Called with HTTP/2 response metadata (Envoy extension; CONTINUE only)."""
        return _CONTINUE

    # -- request headers (map 0) ---------------------------------------------
    def get_http_request_headers(self) -> list[tuple[str, str]]:
        """Return the request headers as ``(name, value)`` pairs, repeated names kept."""
        return decode_pairs(_hm.get_pairs(_REQUEST_HEADERS))

    def get_http_request_headers_bytes(self) -> list[tuple[str, bytes]]:
        """Return the request headers with values as bytes."""
        return [(to_text(k), v) for k, v in _hm.get_pairs(_REQUEST_HEADERS)]

    def set_http_request_headers(self, pairs: PairsLike) -> None:
        """Replace all request headers with ``pairs`` (a mapping or ``(name, value)`` tuples)."""
        _hm.set_pairs(_REQUEST_HEADERS, pairs)

    def set_http_request_headers_bytes(self, pairs: Iterable[tuple[str, bytes]]) -> None:
        """Replace all request headers with ``(name, bytes value)`` pairs."""
        _hm.set_pairs(_REQUEST_HEADERS, pairs)

    def get_http_request_header(self, name: str) -> str | None:
        """Return the first value of request header ``name``, or ``None`` when absent."""
        value = _hm.get_value(_REQUEST_HEADERS, name)
        return None if value is None else to_text(value)

    def get_http_request_header_bytes(self, name: str) -> bytes | None:
        """Return the first value of request header ``name`` as bytes, or ``None``."""
        return _hm.get_value(_REQUEST_HEADERS, name)

    def set_http_request_header(self, name: str, value: str | None) -> None:
        """Set request header ``name`` to ``value`` (replacing all); ``None`` removes it."""
        if value is None:
            _hm.remove_value(_REQUEST_HEADERS, name)
        else:
            _hm.replace_value(_REQUEST_HEADERS, name, to_bytes(value))

    def set_http_request_header_bytes(self, name: str, value: bytes | None) -> None:
        """Set request header ``name`` to a bytes value; ``None`` removes it."""
        if value is None:
            _hm.remove_value(_REQUEST_HEADERS, name)
        else:
            _hm.replace_value(_REQUEST_HEADERS, name, value)

    def add_http_request_header(self, name: str, value: str) -> None:
        """Add a value for request header ``name``, keeping existing values."""
        _hm.add_value(_REQUEST_HEADERS, name, to_bytes(value))

    def add_http_request_header_bytes(self, name: str, value: bytes) -> None:
        """Add a bytes value for request header ``name``, keeping existing values."""
        _hm.add_value(_REQUEST_HEADERS, name, value)

    def remove_http_request_header(self, name: str) -> None:
        """Remove every value of request header ``name`` (no error when absent)."""
        _hm.remove_value(_REQUEST_HEADERS, name)

    # -- request trailers (map 1) --------------------------------------------
    def get_http_request_trailers(self) -> list[tuple[str, str]]:
        """Return the request trailers as ``(name, value)`` pairs, repeated names kept."""
        return decode_pairs(_hm.get_pairs(_REQUEST_TRAILERS))

    def get_http_request_trailers_bytes(self) -> list[tuple[str, bytes]]:
        """Return the request trailers with values as bytes."""
        return [(to_text(k), v) for k, v in _hm.get_pairs(_REQUEST_TRAILERS)]

    def set_http_request_trailers(self, pairs: PairsLike) -> None:
        """Replace all request trailers with ``pairs`` (a mapping or ``(name, value)`` tuples)."""
        _hm.set_pairs(_REQUEST_TRAILERS, pairs)

    def set_http_request_trailers_bytes(self, pairs: Iterable[tuple[str, bytes]]) -> None:
        """Replace all request trailers with ``(name, bytes value)`` pairs."""
        _hm.set_pairs(_REQUEST_TRAILERS, pairs)

    def get_http_request_trailer(self, name: str) -> str | None:
        """Return the first value of request trailer ``name``, or ``None`` when absent."""
        value = _hm.get_value(_REQUEST_TRAILERS, name)
        return None if value is None else to_text(value)

    def get_http_request_trailer_bytes(self, name: str) -> bytes | None:
        """Return the first value of request trailer ``name`` as bytes, or ``None``."""
        return _hm.get_value(_REQUEST_TRAILERS, name)

    def set_http_request_trailer(self, name: str, value: str | None) -> None:
        """Set request trailer ``name`` to ``value`` (replacing all); ``None`` removes it."""
        if value is None:
            _hm.remove_value(_REQUEST_TRAILERS, name)
        else:
            _hm.replace_value(_REQUEST_TRAILERS, name, to_bytes(value))

    def set_http_request_trailer_bytes(self, name: str, value: bytes | None) -> None:
        """Set request trailer ``name`` to a bytes value; ``None`` removes it."""
        if value is None:
            _hm.remove_value(_REQUEST_TRAILERS, name)
        else:
            _hm.replace_value(_REQUEST_TRAILERS, name, value)

    def add_http_request_trailer(self, name: str, value: str) -> None:
        """Add a value for request trailer ``name``, keeping existing values."""
        _hm.add_value(_REQUEST_TRAILERS, name, to_bytes(value))

    def add_http_request_trailer_bytes(self, name: str, value: bytes) -> None:
        """Add a bytes value for request trailer ``name``, keeping existing values."""
        _hm.add_value(_REQUEST_TRAILERS, name, value)

    def remove_http_request_trailer(self, name: str) -> None:
        """Remove every value of request trailer ``name`` (no error when absent)."""
        _hm.remove_value(_REQUEST_TRAILERS, name)

    # -- response headers (map 2) --------------------------------------------
    def get_http_response_headers(self) -> list[tuple[str, str]]:
        """Return the response headers as ``(name, value)`` pairs, repeated names kept."""
        return decode_pairs(_hm.get_pairs(_RESPONSE_HEADERS))

    def get_http_response_headers_bytes(self) -> list[tuple[str, bytes]]:
        """Return the response headers with values as bytes."""
        return [(to_text(k), v) for k, v in _hm.get_pairs(_RESPONSE_HEADERS)]

    def set_http_response_headers(self, pairs: PairsLike) -> None:
        """Replace all response headers with ``pairs`` (a mapping or ``(name, value)`` tuples)."""
        _hm.set_pairs(_RESPONSE_HEADERS, pairs)

    def set_http_response_headers_bytes(self, pairs: Iterable[tuple[str, bytes]]) -> None:
        """Replace all response headers with ``(name, bytes value)`` pairs."""
        _hm.set_pairs(_RESPONSE_HEADERS, pairs)

    def get_http_response_header(self, name: str) -> str | None:
        """Return the first value of response header ``name``, or ``None`` when absent."""
        value = _hm.get_value(_RESPONSE_HEADERS, name)
        return None if value is None else to_text(value)

    def get_http_response_header_bytes(self, name: str) -> bytes | None:
        """Return the first value of response header ``name`` as bytes, or ``None``."""
        return _hm.get_value(_RESPONSE_HEADERS, name)

    def set_http_response_header(self, name: str, value: str | None) -> None:
        """Set response header ``name`` to ``value`` (replacing all); ``None`` removes it."""
        if value is None:
            _hm.remove_value(_RESPONSE_HEADERS, name)
        else:
            _hm.replace_value(_RESPONSE_HEADERS, name, to_bytes(value))

    def set_http_response_header_bytes(self, name: str, value: bytes | None) -> None:
        """Set response header ``name`` to a bytes value; ``None`` removes it."""
        if value is None:
            _hm.remove_value(_RESPONSE_HEADERS, name)
        else:
            _hm.replace_value(_RESPONSE_HEADERS, name, value)

    def add_http_response_header(self, name: str, value: str) -> None:
        """Add a value for response header ``name``, keeping existing values."""
        _hm.add_value(_RESPONSE_HEADERS, name, to_bytes(value))

    def add_http_response_header_bytes(self, name: str, value: bytes) -> None:
        """Add a bytes value for response header ``name``, keeping existing values."""
        _hm.add_value(_RESPONSE_HEADERS, name, value)

    def remove_http_response_header(self, name: str) -> None:
        """Remove every value of response header ``name`` (no error when absent)."""
        _hm.remove_value(_RESPONSE_HEADERS, name)

    # -- response trailers (map 3) -------------------------------------------
    def get_http_response_trailers(self) -> list[tuple[str, str]]:
        """Return the response trailers as ``(name, value)`` pairs, repeated names kept."""
        return decode_pairs(_hm.get_pairs(_RESPONSE_TRAILERS))

    def get_http_response_trailers_bytes(self) -> list[tuple[str, bytes]]:
        """Return the response trailers with values as bytes."""
        return [(to_text(k), v) for k, v in _hm.get_pairs(_RESPONSE_TRAILERS)]

    def set_http_response_trailers(self, pairs: PairsLike) -> None:
        """Replace all response trailers with ``pairs`` (a mapping or ``(name, value)`` tuples)."""
        _hm.set_pairs(_RESPONSE_TRAILERS, pairs)

    def set_http_response_trailers_bytes(self, pairs: Iterable[tuple[str, bytes]]) -> None:
        """Replace all response trailers with ``(name, bytes value)`` pairs."""
        _hm.set_pairs(_RESPONSE_TRAILERS, pairs)

    def get_http_response_trailer(self, name: str) -> str | None:
        """Return the first value of response trailer ``name``, or ``None`` when absent."""
        value = _hm.get_value(_RESPONSE_TRAILERS, name)
        return None if value is None else to_text(value)

    def get_http_response_trailer_bytes(self, name: str) -> bytes | None:
        """Return the first value of response trailer ``name`` as bytes, or ``None``."""
        return _hm.get_value(_RESPONSE_TRAILERS, name)

    def set_http_response_trailer(self, name: str, value: str | None) -> None:
        """Set response trailer ``name`` to ``value`` (replacing all); ``None`` removes it."""
        if value is None:
            _hm.remove_value(_RESPONSE_TRAILERS, name)
        else:
            _hm.replace_value(_RESPONSE_TRAILERS, name, to_bytes(value))

    def set_http_response_trailer_bytes(self, name: str, value: bytes | None) -> None:
        """Set response trailer ``name`` to a bytes value; ``None`` removes it."""
        if value is None:
            _hm.remove_value(_RESPONSE_TRAILERS, name)
        else:
            _hm.replace_value(_RESPONSE_TRAILERS, name, value)

    def add_http_response_trailer(self, name: str, value: str) -> None:
        """Add a value for response trailer ``name``, keeping existing values."""
        _hm.add_value(_RESPONSE_TRAILERS, name, to_bytes(value))

    def add_http_response_trailer_bytes(self, name: str, value: bytes) -> None:
        """Add a bytes value for response trailer ``name``, keeping existing values."""
        _hm.add_value(_RESPONSE_TRAILERS, name, value)

    def remove_http_response_trailer(self, name: str) -> None:
        """Remove every value of response trailer ``name`` (no error when absent)."""
        _hm.remove_value(_RESPONSE_TRAILERS, name)

    # -- bodies ---------------------------------------------------------------------------------
    def get_http_request_body(self, start: int = 0, max_size: int | None = None) -> bytes | None:
        """Return the buffered request body from ``start`` (``max_size`` bytes at most)."""
        return _get_buffer(_REQUEST_BODY, start, max_size)

    def set_http_request_body(self, start: int, size: int, value: bytes) -> None:
        """Edit the buffered request body: replace ``(0, len)``, prepend ``(0, 0)``, append
        ``(len, 0)`` (the only edits Envoy supports)."""
        _set_buffer(_REQUEST_BODY, start, size, value)

    def get_http_response_body(self, start: int = 0, max_size: int | None = None) -> bytes | None:
        """Return the buffered response body from ``start``."""
        return _get_buffer(_RESPONSE_BODY, start, max_size)

    def set_http_response_body(self, start: int, size: int, value: bytes) -> None:
        """Edit the buffered response body (see :meth:`set_http_request_body`)."""
        _set_buffer(_RESPONSE_BODY, start, size, value)

    # -- stream control -------------------------------------------------------------------------
    def send_http_response(
        self,
        status_code: int,
        headers: PairsLike = (),
        body: str | bytes | None = None,
        grpc_status: int | None = None,
    ) -> None:
        """Send a local reply instead of the upstream's; the callback then returns ``PAUSE``.

        ``grpc_status`` ``None`` sends a plain HTTP reply (``-1`` on the wire).
        """
        _h.host.proxy_send_local_response(
            status_code,
            b"",
            b"" if body is None else to_bytes(body),
            encode_pairs(headers, "local response headers"),
            -1 if grpc_status is None else grpc_status,
        )

    def resume_http_request(self) -> None:
        """Resume a request paused by a callback returning ``PAUSE``."""
        _h.host.proxy_continue_stream(StreamType.HTTP_REQUEST)

    def resume_http_response(self) -> None:
        """Resume a paused response."""
        _h.host.proxy_continue_stream(StreamType.HTTP_RESPONSE)

    def reset_http_request(self) -> None:
        """Reset (abort) the stream from the request side."""
        _h.host.proxy_close_stream(StreamType.HTTP_REQUEST)

    def reset_http_response(self) -> None:
        """Reset (abort) the stream from the response side."""
        _h.host.proxy_close_stream(StreamType.HTTP_RESPONSE)

    def clear_http_route_cache(self) -> None:
        """Make Envoy recompute the route (Envoy foreign function ``clear_route_cache``)."""
        _h.host.proxy_call_foreign_function(b"clear_route_cache", b"")


class StreamContext(BaseContext):
    """One TCP connection (downstream and upstream directions)."""

    def on_new_connection(self) -> Action:
        """Called when the downstream connection is accepted."""
        return _CONTINUE

    def on_downstream_data(self, data_size: int, end_of_stream: bool) -> Action:
        """Called with data from the downstream peer; ``data_size`` is all that is buffered."""
        return _CONTINUE

    def on_upstream_data(self, data_size: int, end_of_stream: bool) -> Action:
        """Called with data from the upstream peer."""
        return _CONTINUE

    def on_downstream_close(self, peer_type: PeerType) -> None:
        """Called when the downstream connection closes."""

    def on_upstream_close(self, peer_type: PeerType) -> None:
        """Called when the upstream connection closes."""

    def get_downstream_data(self, start: int = 0, max_size: int | None = None) -> bytes | None:
        """Return the buffered downstream data (in ``on_downstream_data``)."""
        return _get_buffer(_DOWNSTREAM_DATA, start, max_size)

    def set_downstream_data(self, start: int, size: int, value: bytes) -> None:
        """Edit the buffered downstream data (replace, prepend or append)."""
        _set_buffer(_DOWNSTREAM_DATA, start, size, value)

    def get_upstream_data(self, start: int = 0, max_size: int | None = None) -> bytes | None:
        """Return the buffered upstream data (in ``on_upstream_data``)."""
        return _get_buffer(_UPSTREAM_DATA, start, max_size)

    def set_upstream_data(self, start: int, size: int, value: bytes) -> None:
        """Edit the buffered upstream data (replace, prepend or append)."""
        _set_buffer(_UPSTREAM_DATA, start, size, value)

    def resume_downstream(self) -> None:
        """Resume the downstream direction after ``PAUSE``."""
        _h.host.proxy_continue_stream(StreamType.DOWNSTREAM)

    def resume_upstream(self) -> None:
        """Resume the upstream direction after ``PAUSE``."""
        _h.host.proxy_continue_stream(StreamType.UPSTREAM)

    def close_downstream(self) -> None:
        """Close the downstream connection."""
        _h.host.proxy_close_stream(StreamType.DOWNSTREAM)

    def close_upstream(self) -> None:
        """Close the upstream connection."""
        _h.host.proxy_close_stream(StreamType.UPSTREAM)
