"""Host calls (``env.proxy_*``, raw statuses) to the proxy's services: callouts, shared data
and queues, metrics, properties, foreign functions."""

from __future__ import annotations

from collections.abc import Sequence

from proxy_wasm.testing._pairs import pairs_too_large, serialize_pairs
from proxy_wasm.testing.emulator.core import EmulatorCore
from proxy_wasm.testing.emulator.records import (
    Metric,
    PendingGrpcCall,
    PendingHttpCall,
    Queue,
)
from proxy_wasm.testing.emulator.wire import (
    BAD_ARGUMENT,
    CAS_MISMATCH,
    COUNTER,
    EMPTY,
    GAUGE,
    HISTOGRAM,
    NOT_FOUND,
    OK,
    PARSE_FAILURE,
    U64,
    Pairs,
    lower_key,
)


class ServiceHostCalls(EmulatorCore):
    """Host calls to the proxy's services: callouts, shared data and queues, metrics, ..."""

    # -- HTTP and gRPC callouts -------------------------------------------------------------------

    def _cluster_known(self, upstream: bytes) -> bool:
        if self.clusters is None:
            return True
        if upstream.decode("utf-8", "replace") in self.clusters:
            return True
        # a serialized envoy GrpcService carries the cluster name inside
        return any(c.encode() in upstream for c in self.clusters)

    def proxy_http_call(
        self,
        upstream: bytes,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes,
        trailers: Sequence[tuple[bytes, bytes]],
        timeout_ms: int,
    ) -> tuple[int, int]:
        if pairs_too_large(headers) or pairs_too_large(trailers):
            return BAD_ARGUMENT, 0
        if not self._cluster_known(bytes(upstream)):
            return BAD_ARGUMENT, 0
        names = {lower_key(k) for k, _ in headers}
        if not {b":method", b":path", b":authority"} <= names:
            return BAD_ARGUMENT, 0
        root = self._root_of(self.effective_id)
        if root is None:
            return BAD_ARGUMENT, 0
        token = self.next_token
        self.next_token += 1
        self.callouts[token] = PendingHttpCall(
            token=token,
            context_id=self.effective_id,
            root_id=root,
            upstream=bytes(upstream).decode("utf-8", "replace"),
            headers=[(lower_key(k), bytes(v)) for k, v in headers],
            body=bytes(body),
            trailers=[(lower_key(k), bytes(v)) for k, v in trailers],
            timeout_ms=timeout_ms,
            deadline_ns=self.now_ns + timeout_ms * 1_000_000,
        )
        return OK, token

    def _new_grpc(
        self,
        kind: str,
        upstream: bytes,
        service: bytes,
        method: bytes,
        metadata: Sequence[tuple[bytes, bytes]],
        messages: list[bytes],
        timeout_ms: int,
    ) -> tuple[int, int]:
        if pairs_too_large(metadata):
            return BAD_ARGUMENT, 0
        if not self._cluster_known(bytes(upstream)):
            return PARSE_FAILURE, 0
        root = self._root_of(self.effective_id)
        if root is None:
            return BAD_ARGUMENT, 0
        token = self.next_token
        self.next_token += 1
        self.grpc_calls[token] = PendingGrpcCall(
            token=token,
            context_id=self.effective_id,
            root_id=root,
            kind=kind,
            upstream=bytes(upstream),
            service=bytes(service).decode("utf-8", "replace"),
            method=bytes(method).decode("utf-8", "replace"),
            initial_metadata=[(lower_key(k), bytes(v)) for k, v in metadata],
            messages=messages,
            timeout_ms=timeout_ms,
        )
        return OK, token

    def proxy_grpc_call(
        self,
        upstream: bytes,
        service: bytes,
        method: bytes,
        initial_metadata: Sequence[tuple[bytes, bytes]],
        message: bytes,
        timeout_ms: int,
    ) -> tuple[int, int]:
        return self._new_grpc(
            "unary", upstream, service, method, initial_metadata, [bytes(message)], timeout_ms
        )

    def proxy_grpc_stream(
        self,
        upstream: bytes,
        service: bytes,
        method: bytes,
        initial_metadata: Sequence[tuple[bytes, bytes]],
    ) -> tuple[int, int]:
        return self._new_grpc("stream", upstream, service, method, initial_metadata, [], 0)

    def proxy_grpc_send(self, token: int, message: bytes, end_stream: bool) -> int:
        g = self.grpc_calls.get(token)
        if g is None or g.kind != "stream" or g.finished or g.cancelled:
            return NOT_FOUND
        g.messages.append(bytes(message))
        if end_stream:
            g.local_closed = True
        return OK

    def proxy_grpc_cancel(self, token: int) -> int:
        g = self.grpc_calls.get(token)
        if g is None or g.finished or g.cancelled:
            return NOT_FOUND
        g.cancelled = True
        return OK

    def proxy_grpc_close(self, token: int) -> int:
        g = self.grpc_calls.get(token)
        if g is None or g.finished or g.cancelled:
            return NOT_FOUND
        g.local_closed = True
        return OK

    # -- shared data and queues -------------------------------------------------------------------

    def proxy_get_shared_data(self, key: bytes) -> tuple[int, tuple[bytes, int] | None]:
        entry = self.shared.data.get((self.vm_id, bytes(key)))
        if entry is None:
            return NOT_FOUND, None
        return OK, entry

    def proxy_set_shared_data(self, key: bytes, value: bytes, cas: int) -> int:
        k = (self.vm_id, bytes(key))
        entry = self.shared.data.get(k)
        if cas != 0 and entry is not None and entry[1] != cas:
            return CAS_MISMATCH
        self.shared.data[k] = (bytes(value), self.shared.next_cas)
        self.shared.next_cas += 1
        return OK

    def proxy_register_shared_queue(self, name: bytes) -> tuple[int, int]:
        root = self._root_of(self.effective_id)
        if root is None:
            return BAD_ARGUMENT, 0
        return OK, self.register_queue(bytes(name).decode("utf-8", "replace"), root)

    def register_queue(self, name: str, root: int) -> int:
        """Register (or reopen) queue ``name`` for root context ``root``; return its id."""
        key = (self.vm_id, name)
        qid = self.shared.queue_names.get(key)
        if qid is None:
            qid = self.shared.next_queue_id
            self.shared.next_queue_id += 1
            self.shared.queue_names[key] = qid
            self.shared.queues[qid] = Queue(qid, self.vm_id, name, self, root)
        else:
            q = self.shared.queues[qid]
            q.owner, q.owner_root = self, root
        return qid

    def proxy_resolve_shared_queue(self, vm_id: bytes, name: bytes) -> tuple[int, int | None]:
        key = (bytes(vm_id).decode("utf-8", "replace"), bytes(name).decode("utf-8", "replace"))
        qid = self.shared.queue_names.get(key)
        if qid is None:
            return NOT_FOUND, None
        return OK, qid

    def proxy_enqueue_shared_queue(self, queue_id: int, value: bytes) -> int:
        q = self.shared.queues.get(queue_id)
        if q is None:
            return NOT_FOUND
        q.items.append(bytes(value))
        owner = q.owner
        if owner is not None:
            root = q.owner_root
            self.shared.post(lambda: owner.deliver_queue_ready(root, queue_id))
            if self._depth == 0:
                self.shared.drain()
        return OK

    def deliver_queue_ready(self, root: int, queue_id: int) -> None:
        """Call ``proxy_on_queue_ready`` on the root context that registered the queue."""
        if root in self.roots and not self.roots[root].done:
            self.call("proxy_on_queue_ready", root, queue_id)

    def proxy_dequeue_shared_queue(self, queue_id: int) -> tuple[int, bytes | None]:
        q = self.shared.queues.get(queue_id)
        if q is None:
            return NOT_FOUND, None
        if not q.items:
            return EMPTY, None
        return OK, q.items.popleft()

    # -- metrics ----------------------------------------------------------------------------------

    def proxy_define_metric(self, metric_type: int, name: bytes) -> tuple[int, int]:
        if metric_type not in (COUNTER, GAUGE, HISTOGRAM):
            return BAD_ARGUMENT, 0
        n = bytes(name).decode("utf-8", "replace")
        if n not in self.metrics:
            self.metrics[n] = Metric(metric_type, n)
        mid = self.next_metric_id
        self.next_metric_id += 1
        self.metric_ids[mid] = n
        return OK, mid

    def proxy_record_metric(self, metric_id: int, value: int) -> int:
        n = self.metric_ids.get(metric_id)
        if n is None:
            return NOT_FOUND
        m = self.metrics[n]
        value &= U64
        if m.type == COUNTER:
            if value < m.value:
                return BAD_ARGUMENT
            m.value = value
        elif m.type == GAUGE:
            m.value = value
        else:
            m.values.append(value)
        return OK

    def proxy_increment_metric(self, metric_id: int, delta: int) -> int:
        n = self.metric_ids.get(metric_id)
        if n is None:
            return NOT_FOUND
        m = self.metrics[n]
        if delta >= 1 << 63:
            delta -= 1 << 64  # i64 on the wire
        if m.type == COUNTER:
            if delta < 0:
                return BAD_ARGUMENT
            m.value = (m.value + delta) & U64
        elif m.type == GAUGE:
            m.value = (m.value + delta) & U64
        else:
            return BAD_ARGUMENT
        return OK

    def proxy_get_metric(self, metric_id: int) -> tuple[int, int]:
        n = self.metric_ids.get(metric_id)
        if n is None:
            return NOT_FOUND, 0
        m = self.metrics[n]
        if m.type == HISTOGRAM:
            return BAD_ARGUMENT, 0
        return OK, m.value

    # -- properties and foreign functions ---------------------------------------------------------

    def _derived_property(self, path: tuple[str, ...]) -> bytes | None:
        """Well-known attributes Envoy computes: plugin_*, request.*, response.*, source.*."""
        simple = {
            ("plugin_name",): self.plugin_name.encode(),
            ("plugin_root_id",): self.root_id_name.encode(),
            ("plugin_vm_id",): self.vm_id.encode(),
            ("source", "address"): b"127.0.0.1:50000",
            ("source", "port"): (50000).to_bytes(8, "little"),
            ("destination", "address"): b"127.0.0.1:10000",
            ("destination", "port"): (10000).to_bytes(8, "little"),
            ("connection", "mtls"): b"\0",
        }
        if path in simple:
            return simple[path]
        cid = self.effective_id
        if path == ("connection", "id") or path == ("connection_id",):
            return cid.to_bytes(8, "little")
        s = self.http.get(cid)
        if s is None:
            return None
        req = s.request.headers or []
        resp = s.response.headers

        def first(m: Pairs, name: bytes) -> bytes | None:
            for k, v in m:
                if k == name:
                    return v
            return None

        def joined(m: Pairs) -> Pairs:
            out: dict[bytes, bytes] = {}
            for k, v in m:
                if k.startswith(b":"):
                    continue
                out[k] = out[k] + b"," + v if k in out else v
            return list(out.items())

        if path[0] == "request" and s.request.headers is not None:
            p = first(req, b":path") or b""
            req_map: dict[tuple[str, ...], bytes | None] = {
                ("request", "path"): p,
                ("request", "url_path"): p.split(b"?", 1)[0],
                ("request", "query"): p.split(b"?", 1)[1] if b"?" in p else b"",
                ("request", "host"): first(req, b":authority"),
                ("request", "method"): first(req, b":method"),
                ("request", "scheme"): first(req, b":scheme") or b"http",
                ("request", "protocol"): b"HTTP/1.1",
                ("request", "id"): first(req, b"x-request-id"),
                ("request", "referer"): first(req, b"referer"),
                ("request", "useragent"): first(req, b"user-agent"),
            }
            if path in req_map:
                return req_map[path]
            if path == ("request", "headers"):
                return serialize_pairs(joined(req))
            if len(path) == 3 and path[1] == "headers":
                return dict(joined(req)).get(path[2].lower().encode())
        if path[0] == "response" and resp is not None:
            if path == ("response", "code"):
                status = first(resp, b":status")
                return int(status).to_bytes(8, "little") if status and status.isdigit() else None
            if path == ("response", "headers"):
                return serialize_pairs(joined(resp))
            if len(path) == 3 and path[1] == "headers":
                return dict(joined(resp)).get(path[2].lower().encode())
        return None

    def proxy_get_property(self, path: bytes) -> tuple[int, bytes | None]:
        parts = tuple(p.decode("utf-8", "surrogateescape") for p in bytes(path).split(b"\0"))
        holder = self.http.get(self.effective_id) or self.tcp.get(self.effective_id)
        if holder is not None and parts in holder.properties:
            return OK, holder.properties[parts]
        if parts in self.properties:
            return OK, self.properties[parts]
        value = self._derived_property(parts) if parts and parts[0] else None
        if value is None:
            return NOT_FOUND, None
        return OK, value

    def proxy_set_property(self, path: bytes, value: bytes) -> int:
        parts = tuple(p.decode("utf-8", "surrogateescape") for p in bytes(path).split(b"\0"))
        holder = self.http.get(self.effective_id) or self.tcp.get(self.effective_id)
        if holder is not None:
            holder.properties[parts] = bytes(value)
        else:
            self.properties[parts] = bytes(value)
        self.written_properties[parts] = bytes(value)
        return OK

    def proxy_call_foreign_function(
        self, name: bytes, arguments: bytes
    ) -> tuple[int, bytes | None]:
        fn = self.foreign_functions.get(bytes(name).decode("utf-8", "replace"))
        if fn is None:
            return NOT_FOUND, None
        return OK, bytes(fn(bytes(arguments)))
