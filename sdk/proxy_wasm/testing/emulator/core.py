"""The emulator's core: its state and the calls into the guest."""

from __future__ import annotations

import time
import zlib
from collections import deque
from collections.abc import Callable, Sequence

from proxy_wasm._abi import CALLBACK_BITS
from proxy_wasm.testing.emulator.records import (
    CalloutScope,
    HttpState,
    Metric,
    PendingGrpcCall,
    PendingHttpCall,
    RootState,
    SharedState,
    TcpState,
)
from proxy_wasm.testing.emulator.wire import (
    CRITICAL,
    TRACE,
    Guest,
    GuestTrap,
    Pairs,
    callback_default,
)


class EmulatorCore:
    """The emulated host's state and how it calls the guest (one callback at a time, deferred
    actions after the VM call, as Envoy)."""

    def __init__(
        self,
        *,
        plugin_name: str = "plugin",
        root_id: str = "",
        vm_id: str = "",
        vm_config: bytes = b"",
        plugin_config: bytes = b"",
        properties: dict[tuple[str, ...], bytes] | None = None,
        clusters: Sequence[str] | None = None,
        allow_on_headers_stop_iteration: bool = False,
        log_level: int = TRACE,
        shared: SharedState | None = None,
        start_time_ns: int | None = None,
        echo_logs: Callable[[int, str], None] | None = None,
    ) -> None:
        self.guest: Guest | None = None
        self.plugin_name = plugin_name
        self.root_id_name = root_id
        self.vm_id = vm_id
        self.vm_config = bytes(vm_config)
        self.plugin_config = bytes(plugin_config)
        self.properties: dict[tuple[str, ...], bytes] = dict(properties or {})
        self.written_properties: dict[tuple[str, ...], bytes] = {}
        self.clusters: set[str] | None = set(clusters) if clusters is not None else None
        self.allow_on_headers_stop_iteration = allow_on_headers_stop_iteration
        self.log_level = log_level
        self.shared = shared if shared is not None else SharedState()
        self.now_ns = start_time_ns if start_time_ns is not None else time.time_ns()
        self.echo_logs = echo_logs
        self.logs: list[tuple[int, str]] = []
        self.callback_mask: int | None = None
        self.vm_failed: str | None = None
        self.timings: dict[str, list[float]] | None = None  # set to a dict to time callbacks

        self.roots: dict[int, RootState] = {}
        self.http: dict[int, HttpState] = {}
        self.tcp: dict[int, TcpState] = {}
        self.next_context_id = 1
        self.current_id = 0  # the context whose callback runs
        self.effective_id = 0
        self.pending_done: set[int] = set()

        self.metrics: dict[str, Metric] = {}
        self.metric_ids: dict[int, str] = {}
        self.next_metric_id = 1

        self.callouts: dict[int, PendingHttpCall] = {}
        self.grpc_calls: dict[int, PendingGrpcCall] = {}
        self.next_token = 1
        self.last_status: tuple[int, bytes] = (0, b"")
        self.foreign_functions: dict[str, Callable[[bytes], bytes]] = {
            "clear_route_cache": self._ff_clear_route_cache,
            "compress": lambda data: zlib.compress(data),
            "uncompress": lambda data: zlib.decompress(data),
        }
        self.route_cache_cleared = 0

        self._phase: str = ""  # the callback running now (for config buffers)
        self._callout = CalloutScope()
        self._grpc_scope: tuple[Pairs | None, bytes | None, Pairs | None] = (None, None, None)
        self._ff_args: bytes | None = None
        self._depth = 0
        self._after: deque[Callable[[], None]] = deque()

    def call(self, name: str, context_id: int, *args: int) -> int:
        """Call one callback on ``context_id``; run deferred actions once the VM call returns."""
        if self.guest is None:
            raise RuntimeError("no filter loaded in this emulator")
        if self.vm_failed is not None:
            return callback_default(name)
        mask = self.callback_mask
        if mask is not None and name in CALLBACK_BITS and not mask >> CALLBACK_BITS.index(name) & 1:
            return callback_default(name)
        saved = (self.current_id, self.effective_id, self._phase)
        self.current_id = self.effective_id = context_id
        self._phase = name
        self._depth += 1
        try:
            if self.timings is None:
                result = self.guest.call(name, context_id, *args)
            else:
                t0 = time.perf_counter()
                result = self.guest.call(name, context_id, *args)
                self.timings.setdefault(name, []).append(time.perf_counter() - t0)
        except GuestTrap as trap:
            self.vm_failed = str(trap)
            self.log_raw(CRITICAL, f"Function: {name} failed: {trap}")
            result = callback_default(name)
        finally:
            self._depth -= 1
            self.current_id, self.effective_id, self._phase = saved
        if self._depth == 0:
            self.run_deferred()
        return result

    def run_deferred(self) -> None:
        """Run the actions Envoy defers until after the VM call (and other VMs' posted work)."""
        while self._after:
            self._after.popleft()()
        self.shared.drain()

    def new_context_id(self) -> int:
        """Allocate the next context id (ids are shared by roots and streams, as in Envoy)."""
        cid = self.next_context_id
        self.next_context_id += 1
        return cid

    def log_raw(self, level: int, message: str) -> None:
        """Record a log entry as the host would (used for WASI stdout/stderr and host messages)."""
        self.logs.append((level, message))
        if self.echo_logs is not None:
            self.echo_logs(level, message)

    def _root_of(self, cid: int) -> int | None:
        if cid in self.roots:
            return cid
        if cid in self.http:
            return self.http[cid].root_id
        if cid in self.tcp:
            return self.tcp[cid].root_id
        return None

    def _ff_clear_route_cache(self, _args: bytes) -> bytes:
        self.route_cache_cleared += 1
        return b""

    def set_callback_mask(self, mask: int) -> None:
        """The callbacks the filter overrides (see ``proxy_wasm._hostabi.CALLBACK_BITS``)."""
        self.callback_mask = mask
