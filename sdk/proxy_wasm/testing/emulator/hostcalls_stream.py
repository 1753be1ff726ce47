"""Host calls (``env.proxy_*``, raw statuses) about the current stream: logging, clock,
buffers, header maps, stream control."""

from __future__ import annotations

from collections.abc import Sequence

from proxy_wasm.testing._pairs import pairs_too_large
from proxy_wasm.testing.emulator.http import HttpStreams
from proxy_wasm.testing.emulator.records import (
    Direction,
    LocalResponse,
)
from proxy_wasm.testing.emulator.wire import (
    BAD_ARGUMENT,
    CRITICAL,
    DOWNSTREAM_DATA,
    FOREIGN_FUNCTION_ARGUMENTS,
    GRPC_CALL_INITIAL_METADATA,
    GRPC_CALL_MESSAGE,
    GRPC_CALL_TRAILING_METADATA,
    HTTP_CALL_RESPONSE_BODY,
    HTTP_CALL_RESPONSE_HEADERS,
    HTTP_CALL_RESPONSE_TRAILERS,
    HTTP_REQUEST_BODY,
    HTTP_REQUEST_HEADERS,
    HTTP_REQUEST_TRAILERS,
    HTTP_RESPONSE_BODY,
    HTTP_RESPONSE_HEADERS,
    HTTP_RESPONSE_TRAILERS,
    NOT_FOUND,
    OK,
    PAUSE,
    PLUGIN_CONFIGURATION,
    STREAM_DOWNSTREAM,
    STREAM_HTTP_REQUEST,
    STREAM_HTTP_RESPONSE,
    STREAM_UPSTREAM,
    UNIMPLEMENTED,
    UPSTREAM_DATA,
    VM_CONFIGURATION,
    Pairs,
    lower_key,
)


class StreamHostCalls(HttpStreams):
    """Host calls (``env.proxy_*``, raw statuses) about the current stream: logging, clock,
    buffers, header maps, stream control."""

    # -- logging, clock, timers, context ----------------------------------------------------------

    def proxy_log(self, level: int, message: bytes) -> int:
        if not 0 <= level <= CRITICAL:
            return BAD_ARGUMENT
        self.log_raw(level, bytes(message).decode("utf-8", "replace"))
        return OK

    def proxy_get_log_level(self) -> tuple[int, int]:
        return OK, self.log_level

    def proxy_get_current_time_nanoseconds(self) -> tuple[int, int]:
        return OK, self.now_ns

    def proxy_set_tick_period_milliseconds(self, period_ms: int) -> int:
        root = self._root_of(self.effective_id)
        if root is None:
            return BAD_ARGUMENT
        r = self.roots[root]
        r.tick_period_ms = period_ms
        r.next_tick_ns = self.now_ns + period_ms * 1_000_000
        return OK

    def proxy_set_effective_context(self, context_id: int) -> int:
        if self._root_of(context_id) is None:
            return BAD_ARGUMENT
        s = self.http.get(context_id)
        t = self.tcp.get(context_id)
        if (s is not None and s.done) or (t is not None and t.done):
            return BAD_ARGUMENT
        self.effective_id = context_id
        return OK

    def proxy_done(self) -> int:
        cid = self.effective_id
        if cid not in self.pending_done:
            return NOT_FOUND
        self.pending_done.discard(cid)

        def delete() -> None:
            if cid in self.roots:
                self.roots[cid].done = True
            self.call("proxy_on_delete", cid)

        self._after.append(delete)
        return OK

    # -- buffers ----------------------------------------------------------------------------------

    def _body_dir(self, buffer_type: int) -> Direction | None:
        s = self.http.get(self.effective_id)
        if s is None:
            return None
        d = s.response if buffer_type == HTTP_RESPONSE_BODY else s.request
        return d if d.body_open else None

    def _tcp_buffer(self, buffer_type: int) -> bytearray | None:
        t = self.tcp.get(self.effective_id)
        if t is None:
            return None
        flow = t.downstream if buffer_type == DOWNSTREAM_DATA else t.upstream
        return flow.buffer if flow.open else None

    def _buffer(self, buffer_type: int) -> tuple[bytes | bytearray | None, bool]:
        """The buffer and its end-of-stream flag, or None when not available now."""
        if buffer_type in (HTTP_REQUEST_BODY, HTTP_RESPONSE_BODY):
            d = self._body_dir(buffer_type)
            return (d.buffer, d.end_of_stream) if d is not None else (None, False)
        if buffer_type in (DOWNSTREAM_DATA, UPSTREAM_DATA):
            buf = self._tcp_buffer(buffer_type)
            t = self.tcp.get(self.effective_id)
            eos = bool(t and (t.downstream if buffer_type == DOWNSTREAM_DATA else t.upstream).eos)
            return buf, eos
        if buffer_type == HTTP_CALL_RESPONSE_BODY:
            return self._callout.body, False
        if buffer_type == GRPC_CALL_MESSAGE:
            return self._grpc_scope[1], False
        if buffer_type == VM_CONFIGURATION:
            return (self.vm_config if self._phase == "proxy_on_vm_start" else None), False
        if buffer_type == PLUGIN_CONFIGURATION:
            return (self.plugin_config if self._phase == "proxy_on_configure" else None), False
        if buffer_type == FOREIGN_FUNCTION_ARGUMENTS:
            return self._ff_args, False
        return None, False

    def proxy_get_buffer_bytes(
        self, buffer_type: int, start: int, max_size: int
    ) -> tuple[int, bytes | None]:
        if not 0 <= buffer_type <= FOREIGN_FUNCTION_ARGUMENTS:
            return BAD_ARGUMENT, None
        buf, _ = self._buffer(buffer_type)
        if buf is None:
            return NOT_FOUND, None
        start &= 0xFFFFFFFF
        max_size &= 0xFFFFFFFF
        if start > len(buf):
            return BAD_ARGUMENT, None
        return OK, bytes(buf[start : start + max_size])

    def proxy_get_buffer_status(self, buffer_type: int) -> tuple[int, int, int]:
        if not 0 <= buffer_type <= FOREIGN_FUNCTION_ARGUMENTS:
            return BAD_ARGUMENT, 0, 0
        buf, eos = self._buffer(buffer_type)
        if buf is None:
            return NOT_FOUND, 0, 0
        return OK, len(buf), 1 if eos else 0

    def proxy_set_buffer_bytes(self, buffer_type: int, start: int, size: int, value: bytes) -> int:
        if not 0 <= buffer_type <= FOREIGN_FUNCTION_ARGUMENTS:
            return BAD_ARGUMENT
        buf: bytearray | None
        if buffer_type in (HTTP_REQUEST_BODY, HTTP_RESPONSE_BODY):
            d = self._body_dir(buffer_type)
            buf = d.buffer if d is not None else None
        elif buffer_type in (DOWNSTREAM_DATA, UPSTREAM_DATA):
            buf = self._tcp_buffer(buffer_type)
        else:
            current, _ = self._buffer(buffer_type)
            return NOT_FOUND if current is None else UNIMPLEMENTED
        if buf is None:
            return NOT_FOUND
        start &= 0xFFFFFFFF
        size &= 0xFFFFFFFF
        if start == 0 and size == 0:
            buf[0:0] = value
        elif start >= len(buf):
            buf += value
        elif start == 0 and size >= len(buf):
            buf[:] = value
        else:
            return BAD_ARGUMENT  # Envoy's Buffer::copyFrom: only prepend, append or replace
        return OK

    # -- header maps ------------------------------------------------------------------------------

    def _map(self, map_type: int, write: bool) -> tuple[int, Pairs | None]:
        """(status, map): BAD_ARGUMENT when the map is not available in this callback."""
        if map_type == HTTP_CALL_RESPONSE_HEADERS:
            m = self._callout.headers
        elif map_type == HTTP_CALL_RESPONSE_TRAILERS:
            m = self._callout.trailers
        elif map_type == GRPC_CALL_INITIAL_METADATA:
            m = self._grpc_scope[0]
        elif map_type == GRPC_CALL_TRAILING_METADATA:
            m = self._grpc_scope[2]
        elif HTTP_REQUEST_HEADERS <= map_type <= HTTP_RESPONSE_TRAILERS:
            s = self.http.get(self.effective_id)
            if s is None:
                return BAD_ARGUMENT, None
            d = s.response if map_type >= HTTP_RESPONSE_HEADERS else s.request
            is_headers = map_type in (HTTP_REQUEST_HEADERS, HTTP_RESPONSE_HEADERS)
            if s.in_log and not write and map_type != HTTP_REQUEST_TRAILERS:
                m = d.headers if is_headers else d.trailers
                if m is None:
                    return NOT_FOUND, None
                return OK, m
            if is_headers:
                m = d.headers if d.headers_open else None
            else:
                m = d.trailers if d.trailers_open else None
            if m is None:
                return BAD_ARGUMENT, None
            return OK, m
        else:
            return BAD_ARGUMENT, None
        if m is None:
            return BAD_ARGUMENT, None
        if write:
            return BAD_ARGUMENT, None  # callout and gRPC maps are read-only
        return OK, m

    def proxy_get_header_map_pairs(self, map_type: int) -> tuple[int, Pairs | None]:
        status, m = self._map(map_type, False)
        return (status, None) if m is None else (OK, list(m))

    def proxy_get_header_map_size(self, map_type: int) -> tuple[int, int]:
        status, m = self._map(map_type, False)
        if m is None:
            return status, 0
        return OK, sum(len(k) + len(v) for k, v in m)

    def proxy_set_header_map_pairs(
        self, map_type: int, pairs: Sequence[tuple[bytes, bytes]]
    ) -> int:
        if pairs_too_large(pairs):
            return BAD_ARGUMENT
        status, m = self._map(map_type, True)
        if m is None:
            return status
        m[:] = [(lower_key(k), bytes(v)) for k, v in pairs]
        return OK

    def proxy_get_header_map_value(self, map_type: int, key: bytes) -> tuple[int, bytes | None]:
        status, m = self._map(map_type, False)
        if m is None:
            return status, None
        k = lower_key(key)
        for name, value in m:
            if name == k:
                return OK, value
        return NOT_FOUND, None

    def proxy_add_header_map_value(self, map_type: int, key: bytes, value: bytes) -> int:
        status, m = self._map(map_type, True)
        if m is None:
            return status
        m.append((lower_key(key), bytes(value)))
        return OK

    def proxy_replace_header_map_value(self, map_type: int, key: bytes, value: bytes) -> int:
        status, m = self._map(map_type, True)
        if m is None:
            return status
        k = lower_key(key)
        out: Pairs = []
        replaced = False
        for name, v in m:
            if name == k:
                if not replaced:
                    out.append((k, bytes(value)))
                    replaced = True
            else:
                out.append((name, v))
        if not replaced:
            out.append((k, bytes(value)))
        m[:] = out
        return OK

    def proxy_remove_header_map_value(self, map_type: int, key: bytes) -> int:
        status, m = self._map(map_type, True)
        if m is None:
            return status
        k = lower_key(key)
        m[:] = [(name, v) for name, v in m if name != k]
        return OK

    # -- stream control ---------------------------------------------------------------------------

    def proxy_continue_stream(self, stream_type: int) -> int:
        cid = self.effective_id
        if stream_type in (STREAM_HTTP_REQUEST, STREAM_HTTP_RESPONSE):
            s = self.http.get(cid)
            if s is not None:
                response = stream_type == STREAM_HTTP_RESPONSE
                self._after.append(lambda: self._resume(s, response))
            return OK
        if stream_type == STREAM_DOWNSTREAM:
            t = self.tcp.get(cid)
            if t is not None:
                self._after.append(t.downstream.forward)
            return OK
        if stream_type == STREAM_UPSTREAM:
            return UNIMPLEMENTED
        return BAD_ARGUMENT

    def proxy_close_stream(self, stream_type: int) -> int:
        cid = self.effective_id
        if stream_type in (STREAM_HTTP_REQUEST, STREAM_HTTP_RESPONSE):
            s = self.http.get(cid)
            if s is not None:
                self._after.append(lambda: setattr(s, "reset", True))
            return OK
        if stream_type == STREAM_DOWNSTREAM:
            t = self.tcp.get(cid)
            if t is not None:
                t.closed_by_filter.append("downstream")
            return OK
        if stream_type == STREAM_UPSTREAM:
            return UNIMPLEMENTED
        return BAD_ARGUMENT

    def proxy_send_local_response(
        self,
        status_code: int,
        details: bytes,
        body: bytes,
        headers: Sequence[tuple[bytes, bytes]],
        grpc_status: int,
    ) -> int:
        s = self.http.get(self.effective_id)
        if s is None:
            return NOT_FOUND
        if pairs_too_large(headers):
            return BAD_ARGUMENT
        grpc = grpc_status if 0 <= grpc_status <= 0xFFFFFFFF and grpc_status != 0xFFFFFFFF else None
        reply = LocalResponse(
            status_code=status_code,
            headers=[(lower_key(k), bytes(v)) for k, v in headers],
            body=bytes(body),
            grpc_status=grpc,
            details=bytes(details).decode("utf-8", "replace").replace(" ", "_"),
        )
        if self.current_id == s.context_id and self._depth > 0:
            s.stop_next = True

        def send() -> None:
            if s.local_response is None:
                s.local_response = reply
                s.action = PAUSE

        self._after.append(send)
        return OK

    def proxy_get_status(self) -> tuple[int, int, bytes]:
        return OK, self.last_status[0], self.last_status[1]
