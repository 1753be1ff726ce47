"""The dispatcher: ABI callbacks in, user context methods out (design.md, contract 2).

Each ``proxy_on_*`` function is named exactly like the ABI export that calls it (from the C
shim in a module, from the emulator in the null runtime), takes the ABI's integers and returns
an int (action or bool) or ``None``. Contexts, tokens, factories and the mask live in one
object, ``proxy_wasm._state.state``; callout tokens map to the context that dispatched them,
which receives the response after ``proxy_set_effective_context``.

Exceptions from user code never reach the host: the traceback is logged once at error level,
then the exception policy applies (:func:`set_exception_policy`): a stream gets a 500 local
reply and ``PAUSE`` (default) or ``CONTINUE``; ``on_vm_start``/``on_configure`` return false.

The callback mask (``HostABI.set_callback_mask``) is the OR over every context class seen of
the optional callbacks it overrides; it is sent to the host whenever it grows, so the host
skips Python for callbacks no context overrides.
"""

from __future__ import annotations

from . import _host as _h
from . import _state
from ._abi import OPTIONAL_CALLBACKS
from ._traceback import format_exception
from .context import BaseContext, HttpContext, RootContext, StreamContext
from .types import Action, ExceptionPolicy, LogLevel, PeerType, StreamType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    RootFactory = Callable[[int], RootContext] | type[RootContext]
    HttpFactory = Callable[[int, int], HttpContext] | type[HttpContext]
    StreamFactory = Callable[[int, int], StreamContext] | type[StreamContext]

__all__ = [
    "reset",
    "set_exception_policy",
    "set_http_context",
    "set_root_context",
    "set_stream_context",
]

_LOG_ERROR = LogLevel.ERROR
_CONTINUE = Action.CONTINUE
_PAUSE = Action.PAUSE
_ERROR_BODY = b"internal filter error"
_ERROR_DETAILS = b"internal_filter_error"

_DEFAULTS: dict[str, object] = {}
for _base in (BaseContext, RootContext, HttpContext, StreamContext):
    for _export, _method in OPTIONAL_CALLBACKS:
        if _method in _base.__dict__:
            _DEFAULTS[_method] = _base.__dict__[_method]
del _base, _export, _method

_s = _state.state
_contexts = _s.contexts
_roots = _s.roots
_http = _s.http
_tcp = _s.tcp
_seen_classes = _s.seen_classes
_plain_classes = _s.plain_classes
_broken = _s.broken
_plain_roots = _s.plain_roots
_new_object = object.__new__

# Several filters in one module (``proxy-wasm build a.py b.py``): each filter's factories by its
# root id, and the factories of each root context by context id. Empty for a single filter.
_NONE: _state.Factories = (None, None, None)
_NO_CONTEXT = (
    "{}.py registers no context: call proxy_wasm.set_http_context(...), "
    "proxy_wasm.set_stream_context(...) or proxy_wasm.set_root_context(...) at module level"
)


# -- registration ---------------------------------------------------------------------------------
def set_root_context(factory: RootFactory) -> None:
    """Register the root context factory: ``factory(context_id) -> RootContext``.

    A ``RootContext`` subclass may be passed directly; it is called with no arguments.
    Without a factory the SDK uses a plain :class:`RootContext`.
    """
    if isinstance(factory, type):
        cls = factory
        _s.root_factory = lambda _cid: cls()
    else:
        _s.root_factory = factory


def set_http_context(factory: HttpFactory) -> None:
    """Register the HTTP context factory: ``factory(context_id, root_context_id) -> HttpContext``.

    Used when the root context's ``create_http_context`` returns ``None``. An ``HttpContext``
    subclass may be passed directly; it is called with no arguments.
    """
    if isinstance(factory, type):
        cls = factory
        _s.http_factory = lambda _cid, _rid: cls()
        _s.http_class = cls
    else:
        _s.http_factory = factory
        _s.http_class = None


def set_stream_context(factory: StreamFactory) -> None:
    """Register the TCP context factory: ``factory(context_id, root_context_id) -> StreamContext``.

    Used when the root context creates neither an HTTP nor a stream context and no HTTP
    factory is registered. A ``StreamContext`` subclass may be passed directly.
    """
    if isinstance(factory, type):
        cls = factory
        _s.stream_factory = lambda _cid, _rid: cls()
    else:
        _s.stream_factory = factory


def set_exception_policy(policy: ExceptionPolicy) -> None:
    """Choose what a stream gets when a callback raises (see :class:`ExceptionPolicy`)."""
    _s.policy = ExceptionPolicy(policy)


def register_filter(root_id: str, source: str) -> None:
    """Keep the factories the filter ``source`` just registered under ``root_id``, and clear them
    for the next filter of the module (the module's generated ``_proxy_wasm_filters`` calls this
    after importing each filter). The proxy's root id then picks a root context's filter."""
    if _s.root_factory is None and _s.http_factory is None and _s.stream_factory is None:
        raise RuntimeError(_NO_CONTEXT.format(source))
    _s.filters[root_id] = (_s.root_factory, _s.http_factory, _s.stream_factory)
    _s.root_factory = _s.http_factory = _s.http_class = _s.stream_factory = None


def _filter_of_root(context_id: int) -> _state.Factories:
    """The factories for a new root context, chosen by the proxy's ``plugin_root_id``."""
    raw = _h.host.proxy_get_property(b"plugin_root_id")
    root_id = (raw or b"").decode("utf-8", "replace")
    found = _s.filters.get(root_id)
    if found is None:
        known = ", ".join(repr(name) for name in _s.filters)
        message = f"no filter with root id {root_id!r} in this module (its root ids: {known})"
        found = (lambda _cid: _UnknownRoot.with_message(message), None, None)
    _s.root_filters[context_id] = found
    return found


class _UnknownRoot(RootContext):
    """The root context of a root id the module has no filter for: fails ``on_configure``."""

    message = ""

    @classmethod
    def with_message(cls, message: str) -> _UnknownRoot:
        root = cls()
        root.message = message
        return root

    def on_configure(self, plugin_configuration_size: int) -> bool:
        _log_error(self.message)
        return False


def reset() -> None:
    """Forget every factory, context, token, the mask and the policy (for the test host)."""
    _s.clear()


def callback_mask() -> int:
    """Return the callback mask computed so far."""
    return _s.mask


def class_mask(cls: type) -> int:
    """Return the mask bits of the optional callbacks ``cls`` overrides."""
    mask = 0
    for bit, (_export, method) in enumerate(OPTIONAL_CALLBACKS):
        impl = getattr(cls, method, None)
        if impl is not None and impl is not _DEFAULTS[method]:
            mask |= 1 << bit
    return mask


def require_callback(export: str) -> None:
    """Make the host deliver an optional callback even if no class overrides it (timers)."""
    _s.mask |= 1 << [name for name, _ in OPTIONAL_CALLBACKS].index(export)
    if _s.mask != _s.mask_sent:
        _s.mask_sent = _s.mask
        _h.host.set_callback_mask(_s.mask)


def _see_class(cls: type) -> None:
    _seen_classes.add(cls)
    if (
        getattr(cls, "__init__", None) is BaseContext.__init__
        and getattr(cls, "__new__", None) is _new_object
    ):
        _plain_classes.add(cls)
    _s.mask |= class_mask(cls)
    if _s.mask != _s.mask_sent:
        _s.mask_sent = _s.mask
        _h.host.set_callback_mask(_s.mask)


# -- error reporting ------------------------------------------------------------------------------
def _log_error(message: str) -> None:
    try:  # noqa: SIM105 - contextlib is not worth importing here
        _h.host.proxy_log(_LOG_ERROR, message.encode("utf-8", "replace"))
    except Exception:  # logging must never raise into the host
        pass


def _report(exc: BaseException) -> None:
    """Log one error entry with the traceback, starting at the user's frames."""
    tb = exc.__traceback__
    if tb is not None and tb.tb_next is not None and tb.tb_frame.f_globals is globals():
        tb = tb.tb_next
    _log_error(format_exception(exc, tb).rstrip("\n"))


def _http_failed(exc: BaseException) -> int:
    _report(exc)
    if _s.policy is ExceptionPolicy.CONTINUE:
        return _CONTINUE
    return _local_500()


def _local_500() -> int:
    host = _h.host
    try:
        host.proxy_send_local_response(500, _ERROR_DETAILS, _ERROR_BODY, [], -1)
    except Exception as exc:
        _report(exc)
        try:
            host.proxy_close_stream(StreamType.HTTP_RESPONSE)
        except Exception as exc2:
            _report(exc2)
    return _PAUSE


def _tcp_failed(exc: BaseException) -> int:
    _report(exc)
    if _s.policy is ExceptionPolicy.CONTINUE:
        return _CONTINUE
    try:
        _h.host.proxy_close_stream(StreamType.DOWNSTREAM)
    except Exception as exc2:
        _report(exc2)
    return _PAUSE


def _missing(context_id: int, callback: str) -> int:
    """A callback for an id without a context: its creation failed, or the host is wrong."""
    if context_id in _broken:
        _broken.discard(context_id)
        if callback == "proxy_on_request_headers" and _s.policy is ExceptionPolicy.LOCAL_REPLY_500:
            return _local_500()
        return _CONTINUE
    _log_error(f"{callback}: unknown context id {context_id}")
    return _CONTINUE


# -- lifecycle ------------------------------------------------------------------------------------
def proxy_on_context_create(context_id: int, parent_context_id: int) -> None:
    """Create the root context (parent 0) or a stream's HTTP/TCP context."""
    _s.creating_id = context_id
    cls = _s.http_class
    if cls is not None and parent_context_id in _plain_roots and cls in _seen_classes:
        # The common case, kept short: it runs for every stream.
        try:
            # _new_object(cls) is what cls() does there, without BaseContext.__init__'s frame.
            ctx = _new_object(cls) if cls in _plain_classes else cls()
            ctx.context_id = context_id
        except Exception as exc:
            _broken.add(context_id)
            _report(exc)
            return
        _contexts[context_id] = _http[context_id] = ctx
        return
    _create(context_id, parent_context_id)


def _overrides_creation(cls: type[RootContext]) -> bool:
    return (
        cls.create_http_context is not RootContext.create_http_context
        or cls.create_stream_context is not RootContext.create_stream_context
    )


def _create(context_id: int, parent_context_id: int) -> None:
    try:
        if parent_context_id == 0:
            factory = _filter_of_root(context_id)[0] if _s.filters else _s.root_factory
            root = factory(context_id) if factory is not None else RootContext()
            if not isinstance(root, RootContext):
                raise TypeError(f"the root context factory returned {root!r}, not a RootContext")
            root.context_id = context_id
            if type(root) not in _seen_classes:
                _see_class(type(root))
            _contexts[context_id] = _roots[context_id] = _s.last_root = root
            if not _overrides_creation(type(root)):
                _plain_roots.add(context_id)
            return
        parent = _roots.get(parent_context_id)
        ctx: HttpContext | StreamContext | None = None
        if parent is not None:
            ctx = parent.create_http_context(context_id)
            if ctx is None:
                ctx = parent.create_stream_context(context_id)
        if ctx is None:
            http_factory, stream_factory = _s.http_factory, _s.stream_factory
            if _s.filters:
                _, http_factory, stream_factory = _s.root_filters.get(parent_context_id, _NONE)
            if http_factory is not None:
                ctx = http_factory(context_id, parent_context_id)
            elif stream_factory is not None:
                ctx = stream_factory(context_id, parent_context_id)
            else:
                raise RuntimeError(
                    f"no context for stream {context_id}: register one with "
                    "proxy_wasm.set_http_context / set_stream_context, or return one from "
                    "RootContext.create_http_context / create_stream_context"
                )
        ctx.context_id = context_id
        cls = type(ctx)
        if cls not in _seen_classes:
            if not issubclass(cls, HttpContext | StreamContext):
                raise TypeError(f"a context factory returned {ctx!r}, not an HttpContext")
            _see_class(cls)
        _contexts[context_id] = ctx
        if isinstance(ctx, HttpContext):
            _http[context_id] = ctx
        else:
            _tcp[context_id] = ctx
    except Exception as exc:
        _broken.add(context_id)
        _report(exc)


def _root(root_context_id: int) -> RootContext | None:
    root = _roots.get(root_context_id)
    return root if root is not None else _s.last_root


def _start_callback(method: str, root_context_id: int, size: int) -> int:
    """Call the root's ``on_vm_start``/``on_configure``; false (0) when it returns False or
    raises, which makes the host reject the VM or the plugin configuration."""
    root = _root(root_context_id)
    if root is None:
        _log_error(f"proxy_{method}: no root context")
        return 0
    try:
        if getattr(root, method)(size) is False:
            _log_error(f"{type(root).__name__}.{method} returned False")
            return 0
        return 1
    except Exception as exc:
        _report(exc)
        return 0


def proxy_on_vm_start(root_context_id: int, vm_configuration_size: int) -> int:
    """Call ``on_vm_start``; false (0) when it returns False or raises."""
    return _start_callback("on_vm_start", root_context_id, vm_configuration_size)


def proxy_on_configure(root_context_id: int, plugin_configuration_size: int) -> int:
    """Call ``on_configure``; false (0) when it returns False or raises."""
    return _start_callback("on_configure", root_context_id, plugin_configuration_size)


def proxy_on_tick(root_context_id: int) -> None:
    """Run the root context's due timers (``add_timer``), then its ``on_tick``."""
    root = _roots.get(root_context_id)
    if root is None:
        _missing(root_context_id, "proxy_on_tick")
        return
    timers = root._timers
    if timers is not None and timers.timers:
        due = timers.due(root.get_current_time_nanoseconds())
        for _timer_id, timer in due:
            try:
                timer.callback()
            except Exception as exc:
                _report(exc)
        if not timers.timers:
            root.set_tick_period(0)  # the last (one-shot) timer is gone
    try:
        root.on_tick()
    except Exception as exc:
        _report(exc)


def proxy_on_queue_ready(root_context_id: int, queue_id: int) -> None:
    """Call ``on_queue_ready`` of the root context that registered the queue."""
    root = _roots.get(root_context_id)
    if root is None:
        _missing(root_context_id, "proxy_on_queue_ready")
        return
    try:
        root.on_queue_ready(queue_id)
    except Exception as exc:
        _report(exc)


def proxy_on_foreign_function(root_context_id: int, function_id: int, arguments_size: int) -> None:
    """Call ``on_foreign_function`` of the root context."""
    root = _roots.get(root_context_id)
    if root is None:
        _missing(root_context_id, "proxy_on_foreign_function")
        return
    try:
        root.on_foreign_function(function_id, arguments_size)
    except Exception as exc:
        _report(exc)


def proxy_on_log(context_id: int) -> None:
    """Call ``on_log``."""
    ctx = _contexts.get(context_id)
    if ctx is None:
        _missing(context_id, "proxy_on_log")
        return
    try:
        ctx.on_log()
    except Exception as exc:
        _report(exc)


def proxy_on_done(context_id: int) -> int:
    """Call ``on_done``; true (1) unless it returns False (then the context calls done())."""
    ctx = _contexts.get(context_id)
    if ctx is None:
        return 1
    try:
        return 0 if ctx.on_done() is False else 1
    except Exception as exc:
        _report(exc)
        return 1


def proxy_on_delete(context_id: int) -> None:
    """Forget the context."""
    if _contexts.pop(context_id, None) is None:
        _broken.discard(context_id)
    elif _http.pop(context_id, None) is None and _tcp.pop(context_id, None) is None:
        _forget_root(context_id)


def _forget_root(context_id: int) -> None:
    root = _roots.pop(context_id, None)
    _plain_roots.discard(context_id)
    _s.root_filters.pop(context_id, None)
    if root is not None and root is _s.last_root:
        _s.last_root = next(reversed(_roots.values()), None)


# -- HTTP and TCP stream callbacks ----------------------------------------------------------------
def _sized(
    contexts: Mapping[int, BaseContext],
    method: str,
    failed: Callable[[BaseException], int],
    export: str,
    stream_type: int | None = None,
) -> Callable[[int, int, int], int | None]:
    """A callback ``(context_id, size, end_of_stream) -> action`` calling ``ctx.<method>``.

    The action goes back as the method returned it (``None``, an ``Action`` or an int): both
    callers, the C shim and the null runtime, read ``None`` as CONTINUE.
    With ``stream_type`` (HTTP request 0 / response 1), a PAUSE is remembered on the context so
    a failing callout callback can resume that direction under the CONTINUE policy.
    """

    def callback(context_id: int, size: int, end_of_stream: int) -> int | None:
        ctx = contexts.get(context_id)
        if ctx is None:
            return _missing(context_id, export)
        try:
            action: int | None = getattr(ctx, method)(size, end_of_stream != 0)
        except Exception as exc:
            return failed(exc)
        if action and stream_type is not None:
            ctx._paused_stream = stream_type
        return action

    callback.__name__ = callback.__qualname__ = export
    callback.__doc__ = f"Call ``{method}``."
    return callback


def _counted(
    contexts: Mapping[int, BaseContext],
    method: str,
    failed: Callable[[BaseException], int],
    export: str | None,
) -> Callable[[int, int], int | None]:
    """A callback ``(context_id, count) -> action`` calling ``ctx.<method>``; with no
    ``export`` name (Envoy's metadata extensions) an unknown context simply continues."""

    def callback(context_id: int, count: int) -> int | None:
        ctx = contexts.get(context_id)
        if ctx is None:
            return _missing(context_id, export) if export else _CONTINUE
        try:
            result: int | None = getattr(ctx, method)(count)
            return result
        except Exception as exc:
            return failed(exc)

    callback.__name__ = callback.__qualname__ = export or f"proxy_{method}"
    callback.__doc__ = f"Call ``{method}``."
    return callback


def _report_and_continue(exc: BaseException) -> int:
    _report(exc)
    return _CONTINUE


proxy_on_request_headers = _sized(
    _http, "on_http_request_headers", _http_failed, "proxy_on_request_headers", 0
)
proxy_on_request_body = _sized(
    _http, "on_http_request_body", _http_failed, "proxy_on_request_body", 0
)
proxy_on_request_trailers = _counted(
    _http, "on_http_request_trailers", _http_failed, "proxy_on_request_trailers"
)
proxy_on_request_metadata = _counted(_http, "on_http_request_metadata", _report_and_continue, None)
proxy_on_response_headers = _sized(
    _http, "on_http_response_headers", _http_failed, "proxy_on_response_headers", 1
)
proxy_on_response_body = _sized(
    _http, "on_http_response_body", _http_failed, "proxy_on_response_body", 1
)
proxy_on_response_trailers = _counted(
    _http, "on_http_response_trailers", _http_failed, "proxy_on_response_trailers"
)
proxy_on_response_metadata = _counted(
    _http, "on_http_response_metadata", _report_and_continue, None
)


def proxy_on_new_connection(context_id: int) -> int | None:
    """Call ``on_new_connection``."""
    ctx = _tcp.get(context_id)
    if ctx is None:
        return _missing(context_id, "proxy_on_new_connection")
    try:
        return ctx.on_new_connection()
    except Exception as exc:
        return _tcp_failed(exc)


proxy_on_downstream_data = _sized(
    _tcp, "on_downstream_data", _tcp_failed, "proxy_on_downstream_data"
)
proxy_on_upstream_data = _sized(_tcp, "on_upstream_data", _tcp_failed, "proxy_on_upstream_data")


def _peer(peer_type: int) -> PeerType:
    try:
        return PeerType(peer_type)
    except ValueError:
        return PeerType.UNKNOWN


def proxy_on_downstream_connection_close(context_id: int, peer_type: int) -> None:
    """Call ``on_downstream_close``."""
    ctx = _tcp.get(context_id)
    if ctx is None:
        _missing(context_id, "proxy_on_downstream_connection_close")
        return
    try:
        ctx.on_downstream_close(_peer(peer_type))
    except Exception as exc:
        _report(exc)


def proxy_on_upstream_connection_close(context_id: int, peer_type: int) -> None:
    """Call ``on_upstream_close``."""
    ctx = _tcp.get(context_id)
    if ctx is None:
        _missing(context_id, "proxy_on_upstream_connection_close")
        return
    try:
        ctx.on_upstream_close(_peer(peer_type))
    except Exception as exc:
        _report(exc)


# -- callouts -------------------------------------------------------------------------------------
def _callout_target(
    tokens: dict[int, BaseContext], token: int, root_context_id: int, pop: bool
) -> BaseContext | None:
    """Find the context that dispatched ``token`` and make it the effective context."""
    ctx = tokens.pop(token, None) if pop else tokens.get(token)
    if ctx is None:
        ctx = _roots.get(root_context_id)
        if ctx is None:
            return None
    elif _contexts.get(ctx.context_id) is not ctx:
        return None  # the dispatching stream is gone
    try:
        _h.host.proxy_set_effective_context(ctx.context_id)
    except Exception as exc:
        _report(exc)
        return None
    return ctx


def _callout_failed(ctx: BaseContext, exc: BaseException) -> None:
    if isinstance(ctx, HttpContext):
        _http_failed(exc)
        paused = ctx._paused_stream
        if _s.policy is ExceptionPolicy.CONTINUE and paused is not None:
            # The stream waits for this callout: under CONTINUE it must not wait forever.
            ctx._paused_stream = None
            try:
                _h.host.proxy_continue_stream(paused)
            except Exception as exc2:
                _report(exc2)
    elif isinstance(ctx, StreamContext):
        _tcp_failed(exc)
    else:
        _report(exc)


def _deliver(
    tokens: dict[int, BaseContext],
    token: int,
    root_context_id: int,
    pop: bool,
    method: str,
    *args: int,
) -> None:
    """Call ``method(*args)`` on the context that dispatched ``token`` (made effective first);
    ``pop`` forgets the token (the callout is over)."""
    ctx = _callout_target(tokens, token, root_context_id, pop)
    if ctx is None:
        return
    try:
        getattr(ctx, method)(*args)
    except Exception as exc:
        _callout_failed(ctx, exc)


def proxy_on_http_call_response(
    root_context_id: int, token: int, num_headers: int, body_size: int, num_trailers: int
) -> None:
    """Deliver an HTTP callout response to the context that dispatched it."""
    _deliver(
        _s.http_calls,
        token,
        root_context_id,
        True,
        "on_http_call_response",
        token,
        num_headers,
        body_size,
        num_trailers,
    )


def _grpc_tokens(token: int) -> dict[int, BaseContext]:
    return _s.grpc_streams if token in _s.grpc_streams else _s.grpc_calls


def proxy_on_grpc_receive_initial_metadata(
    root_context_id: int, token: int, num_elements: int
) -> None:
    """Deliver gRPC initial metadata to the context that opened the stream."""
    _deliver(
        _grpc_tokens(token),
        token,
        root_context_id,
        False,
        "on_grpc_stream_receive_initial_metadata",
        token,
        num_elements,
    )


def proxy_on_grpc_receive(root_context_id: int, token: int, message_size: int) -> None:
    """Deliver a gRPC message: the unary call's response, or a stream message."""
    if token in _s.grpc_calls:
        _deliver(
            _s.grpc_calls,
            token,
            root_context_id,
            True,
            "on_grpc_call_response",
            token,
            0,
            message_size,
        )
    else:
        _deliver(
            _s.grpc_streams,
            token,
            root_context_id,
            False,
            "on_grpc_stream_receive_body",
            token,
            message_size,
        )


def proxy_on_grpc_receive_trailing_metadata(
    root_context_id: int, token: int, num_elements: int
) -> None:
    """Deliver gRPC trailing metadata to the context that opened the stream."""
    _deliver(
        _grpc_tokens(token),
        token,
        root_context_id,
        False,
        "on_grpc_stream_receive_trailing_metadata",
        token,
        num_elements,
    )


def proxy_on_grpc_close(root_context_id: int, token: int, status_code: int) -> None:
    """Deliver the end of a gRPC call (failure) or stream."""
    if token in _s.grpc_calls:
        _deliver(
            _s.grpc_calls,
            token,
            root_context_id,
            True,
            "on_grpc_call_response",
            token,
            status_code,
            0,
        )
    else:
        _deliver(
            _s.grpc_streams,
            token,
            root_context_id,
            True,
            "on_grpc_stream_close",
            token,
            status_code,
        )


# -- build-time check ----------------------------------------------------------------------------
def check_registration(filter_module: str) -> None:
    """Raise if the filter registered no context factory (called by the compiler's snapshot)."""
    if _s.filters:
        return  # several filters: register_filter checked each
    if _s.root_factory is None and _s.http_factory is None and _s.stream_factory is None:
        raise RuntimeError(_NO_CONTEXT.format(filter_module))
