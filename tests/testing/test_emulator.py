"""Emulator semantics at the ABI level, driven by a scripted guest (no SDK involved)."""

from __future__ import annotations

from collections.abc import Callable

from proxy_wasm.testing import emulator as em

Handler = Callable[..., int | None]


class ScriptedGuest:
    """A guest whose callbacks are Python functions of (emulator, *args)."""

    def __init__(self, emulator: em.Emulator, **handlers: Handler) -> None:
        self.emulator = emulator
        self.handlers = handlers
        self.calls: list[tuple[str, tuple[int, ...]]] = []

    def call(self, name: str, *args: int) -> int:
        self.calls.append((name, args))
        handler = self.handlers.get(name.removeprefix("proxy_on_"))
        if handler is None:
            return em.callback_default(name)
        result = handler(self.emulator, *args)
        return em.callback_default(name) if result is None else int(result)


def make(**handlers: Handler) -> tuple[em.Emulator, ScriptedGuest, int]:
    emu = em.Emulator(start_time_ns=1_000_000_000)
    guest = ScriptedGuest(emu, **handlers)
    emu.guest = guest
    root = emu.create_root()
    return emu, guest, root


# -- shared data and queues -----------------------------------------------------------------------


def test_shared_data_cas() -> None:
    emu = em.Emulator()
    assert emu.proxy_get_shared_data(b"k") == (em.NOT_FOUND, None)
    assert emu.proxy_set_shared_data(b"k", b"v1", 0) == em.OK
    status, entry = emu.proxy_get_shared_data(b"k")
    assert status == em.OK and entry is not None
    value, cas = entry
    assert value == b"v1"
    assert emu.proxy_set_shared_data(b"k", b"v2", cas + 100) == em.CAS_MISMATCH
    assert emu.proxy_set_shared_data(b"k", b"v2", cas) == em.OK
    assert emu.proxy_set_shared_data(b"k", b"v3", cas) == em.CAS_MISMATCH  # cas moved on
    assert emu.proxy_set_shared_data(b"k", b"v3", 0) == em.OK  # unconditional
    assert emu.proxy_set_shared_data(b"missing", b"x", 42) == em.OK  # missing key + cas succeeds
    _, entry2 = emu.proxy_get_shared_data(b"k")
    assert entry2 is not None and entry2[0] == b"v3" and entry2[1] > cas


def test_shared_data_is_shared_between_vms_of_one_id() -> None:
    shared = em.SharedState()
    a, b = em.Emulator(shared=shared), em.Emulator(shared=shared)
    other_vm = em.Emulator(shared=shared, vm_id="other")
    a.proxy_set_shared_data(b"k", b"1", 0)
    assert b.proxy_get_shared_data(b"k")[1] == (b"1", 1)
    assert other_vm.proxy_get_shared_data(b"k") == (em.NOT_FOUND, None)


def test_queue_delivery_to_registrant_after_the_vm_call() -> None:
    seen: list[tuple[int, int, bytes | None]] = []

    def queue_ready(e: em.Emulator, root: int, qid: int) -> None:
        seen.append((root, qid, e.proxy_dequeue_shared_queue(qid)[1]))

    def configure(e: em.Emulator, root: int, size: int) -> int:
        status, qid = e.proxy_register_shared_queue(b"q")
        assert status == em.OK
        assert e.proxy_enqueue_shared_queue(qid, b"hello") == em.OK
        assert seen == []  # delivered after this callback returns, as Envoy posts it
        return 1

    emu, _, root = make(configure=configure, queue_ready=queue_ready)
    assert emu.configure(root)
    assert seen == [(root, 1, b"hello")]
    assert emu.proxy_dequeue_shared_queue(1) == (em.EMPTY, None)
    assert emu.proxy_dequeue_shared_queue(99) == (em.NOT_FOUND, None)
    assert emu.proxy_resolve_shared_queue(b"", b"q") == (em.OK, 1)
    assert emu.proxy_resolve_shared_queue(b"", b"nope") == (em.NOT_FOUND, None)
    assert emu.proxy_enqueue_shared_queue(77, b"x") == em.NOT_FOUND


# -- header maps, phases, pause and buffering ------------------------------------------------------


def test_header_maps_only_in_their_phase() -> None:
    got: dict[str, object] = {}

    def response_headers(e: em.Emulator, cid: int, n: int, eos: int) -> int:
        got["req"] = e.proxy_get_header_map_value(em.HTTP_REQUEST_HEADERS, b":path")
        got["req_pairs"] = e.proxy_get_header_map_pairs(em.HTTP_REQUEST_HEADERS)
        got["resp"] = e.proxy_get_header_map_value(em.HTTP_RESPONSE_HEADERS, b":STATUS")
        got["body"] = e.proxy_get_buffer_bytes(em.HTTP_REQUEST_BODY, 0, 10)
        return 0

    def log(e: em.Emulator, cid: int) -> None:
        got["log_req"] = e.proxy_get_header_map_value(em.HTTP_REQUEST_HEADERS, b":path")
        got["log_write"] = e.proxy_add_header_map_value(em.HTTP_REQUEST_HEADERS, b"a", b"b")

    emu, _, root = make(response_headers=response_headers, log=log)
    s = emu.new_http(root)
    assert emu.http_headers(s, [(b":path", b"/a")], False, False) == em.CONTINUE
    emu.http_body(s, b"x", True, False)
    emu.http_headers(s, [(b":status", b"200")], True, True)
    assert got["req"] == (em.BAD_ARGUMENT, None)
    assert got["req_pairs"] == (em.BAD_ARGUMENT, None)
    assert got["resp"] == (em.OK, b"200")
    assert got["body"] == (em.NOT_FOUND, None)
    emu.http_complete(s)
    assert got["log_req"] == (em.OK, b"/a")
    assert got["log_write"] == em.BAD_ARGUMENT


def test_header_edits_lowercase_and_replace_semantics() -> None:
    def request_headers(e: em.Emulator, cid: int, n: int, eos: int) -> int:
        t = em.HTTP_REQUEST_HEADERS
        assert n == 3
        assert e.proxy_add_header_map_value(t, b"X-New", b"1") == em.OK
        assert e.proxy_replace_header_map_value(t, b"x-multi", b"one") == em.OK
        assert e.proxy_remove_header_map_value(t, b"x-gone") == em.OK
        assert e.proxy_remove_header_map_value(t, b"absent") == em.OK
        assert e.proxy_get_header_map_size(t) == (em.OK, len(b":path/x-multionex-new1"))
        return 0

    emu, _, root = make(request_headers=request_headers)
    s = emu.new_http(root)
    emu.http_headers(s, [(b":path", b"/"), (b"X-Multi", b"a"), (b"x-multi", b"b")], True, False)
    assert s.request.headers == [(b":path", b"/"), (b"x-multi", b"one"), (b"x-new", b"1")]


def test_pause_on_headers_stops_the_whole_stream() -> None:
    def request_headers(e: em.Emulator, cid: int, n: int, eos: int) -> int:
        return em.PAUSE

    emu, guest, root = make(request_headers=request_headers)
    s = emu.new_http(root)
    assert emu.http_headers(s, [(b":path", b"/")], False, False) == em.PAUSE
    assert emu.http_body(s, b"abc", False, False) == em.PAUSE
    assert emu.http_body(s, b"def", True, False) == em.PAUSE
    assert not any(name == "proxy_on_request_body" for name, _ in guest.calls)
    # resume from "elsewhere" (e.g. a callout response): body delivered at once, cumulative
    emu.effective_id = s.context_id
    assert emu.proxy_continue_stream(em.STREAM_HTTP_REQUEST) == em.OK
    emu.run_deferred()
    assert ("proxy_on_request_body", (s.context_id, 6, 1)) in guest.calls
    assert bytes(s.request.forwarded_body) == b"abcdef"


def test_allow_on_headers_stop_iteration_delivers_body() -> None:
    def request_headers(e: em.Emulator, cid: int, n: int, eos: int) -> int:
        return em.PAUSE

    emu, guest, root = make(request_headers=request_headers)
    emu.allow_on_headers_stop_iteration = True
    s = emu.new_http(root)
    emu.http_headers(s, [(b":path", b"/")], False, False)
    assert emu.http_body(s, b"abc", True, False) == em.CONTINUE
    assert ("proxy_on_request_body", (s.context_id, 3, 1)) in guest.calls


def test_body_buffered_while_paused_with_cumulative_size() -> None:
    sizes: list[tuple[int, int]] = []

    def request_body(e: em.Emulator, cid: int, size: int, eos: int) -> int:
        sizes.append((size, eos))
        if not eos:
            return em.PAUSE
        status, body = e.proxy_get_buffer_bytes(em.HTTP_REQUEST_BODY, 0, size)
        assert (status, body) == (em.OK, b"aabbb")
        assert e.proxy_get_buffer_status(em.HTTP_REQUEST_BODY) == (em.OK, 5, 1)
        # Envoy: only prepend, append or replace
        assert e.proxy_set_buffer_bytes(em.HTTP_REQUEST_BODY, 1, 2, b"zz") == em.BAD_ARGUMENT
        assert e.proxy_set_buffer_bytes(em.HTTP_REQUEST_BODY, 0, 0, b"<") == em.OK
        assert e.proxy_set_buffer_bytes(em.HTTP_REQUEST_BODY, 0xFFFFFFFF, 0, b">") == em.OK
        return 0

    emu, _, root = make(request_body=request_body)
    s = emu.new_http(root)
    emu.http_headers(s, [(b":path", b"/")], False, False)
    assert emu.http_body(s, b"aa", False, False) == em.PAUSE
    assert emu.http_body(s, b"bbb", True, False) == em.CONTINUE
    assert sizes == [(2, 0), (5, 1)]
    assert bytes(s.request.forwarded_body) == b"<aabbb>"


def test_local_response_forces_stop_and_ends_the_stream() -> None:
    def request_headers(e: em.Emulator, cid: int, n: int, eos: int) -> int:
        assert (
            e.proxy_send_local_response(403, b"no way", b"denied", [(b"X-A", b"1")], 0xFFFFFFFF)
            == em.OK
        )
        return em.CONTINUE  # forced to a stop anyway

    emu, guest, root = make(request_headers=request_headers)
    s = emu.new_http(root)
    assert emu.http_headers(s, [(b":path", b"/")], False, False) == em.PAUSE
    assert s.local_response == em.LocalResponse(403, [(b"x-a", b"1")], b"denied", None, "no_way")
    assert emu.http_body(s, b"x", True, False) == em.PAUSE
    assert not any(name == "proxy_on_request_body" for name, _ in guest.calls)


# -- limits, logs, metrics, callouts ---------------------------------------------------------------


def test_limits_and_log_levels() -> None:
    emu = em.Emulator()
    assert emu.proxy_log(6, b"x") == em.BAD_ARGUMENT
    assert emu.proxy_log(em.WARN, b"careful") == em.OK
    assert emu.logs == [(em.WARN, "careful")]
    too_many = [(b"k", b"v")] * 1025
    assert emu.proxy_http_call(b"c", too_many, b"", [], 1000) == (em.BAD_ARGUMENT, 0)
    assert (
        emu.proxy_set_header_map_pairs(em.HTTP_REQUEST_HEADERS, [(b"k", b"v" * (1 << 20))])
        == em.BAD_ARGUMENT
    )


def test_metrics() -> None:
    emu = em.Emulator()
    _, c = emu.proxy_define_metric(em.COUNTER, b"reqs")
    _, c2 = emu.proxy_define_metric(em.COUNTER, b"reqs")
    _, g = emu.proxy_define_metric(em.GAUGE, b"active")
    _, h = emu.proxy_define_metric(em.HISTOGRAM, b"lat")
    assert c != c2
    assert emu.proxy_increment_metric(c, 2) == em.OK
    assert emu.proxy_increment_metric(c2, 1) == em.OK
    assert emu.proxy_get_metric(c) == (em.OK, 3)
    assert emu.proxy_increment_metric(c, -1) == em.BAD_ARGUMENT
    assert emu.proxy_increment_metric(g, -1) == em.OK
    assert emu.proxy_record_metric(g, 10) == em.OK
    assert emu.proxy_record_metric(h, 7) == em.OK
    assert emu.proxy_get_metric(h) == (em.BAD_ARGUMENT, 0)
    assert emu.proxy_get_metric(999) == (em.NOT_FOUND, 0)
    assert emu.proxy_define_metric(3, b"x") == (em.BAD_ARGUMENT, 0)
    assert emu.metrics["reqs"].value == 3 and emu.metrics["active"].value == 10
    assert emu.metrics["lat"].values == [7]


def test_http_call_validation_and_timeout() -> None:
    responses: list[tuple[int, int, int]] = []

    def http_call_response(
        e: em.Emulator, root: int, token: int, nh: int, bs: int, nt: int
    ) -> None:
        responses.append((token, nh, bs))

    emu, _, root = make(http_call_response=http_call_response)
    emu.clusters = {"auth"}
    emu.effective_id = root
    good = [(b":method", b"GET"), (b":path", b"/"), (b":authority", b"a")]
    assert emu.proxy_http_call(b"other", good, b"", [], 100) == (em.BAD_ARGUMENT, 0)
    assert emu.proxy_http_call(b"auth", good[:2], b"", [], 100) == (em.BAD_ARGUMENT, 0)
    status, token = emu.proxy_http_call(b"auth", good, b"body", [], 100)
    assert status == em.OK
    emu.effective_id = 0
    emu.advance_time(50_000_000)
    assert responses == []
    emu.advance_time(60_000_000)
    assert responses == [(token, 0, 0)]  # timed out: zero headers


def test_ticks_follow_the_clock() -> None:
    ticks: list[int] = []

    def configure(e: em.Emulator, root: int, size: int) -> int:
        assert e.proxy_set_tick_period_milliseconds(100) == em.OK
        return 1

    emu, _, root = make(configure=configure, tick=lambda e, r: ticks.append(e.now_ns))
    emu.configure(root)
    emu.advance_time(350_000_000)
    assert ticks == [1_100_000_000, 1_200_000_000, 1_300_000_000]
    assert emu.now_ns == 1_350_000_000


def test_callback_mask_skips_clear_bits() -> None:
    emu, guest, root = make(request_headers=lambda e, *a: em.PAUSE)
    emu.set_callback_mask(0)
    s = emu.new_http(root)
    assert emu.http_headers(s, [(b":path", b"/")], True, False) == em.CONTINUE
    assert not any(name == "proxy_on_request_headers" for name, _ in guest.calls)


def test_properties() -> None:
    emu, _, root = make()
    emu.plugin_name = "demo"
    s = emu.new_http(root)
    emu.http_headers(
        s,
        [(b":path", b"/p?q=1"), (b":method", b"POST"), (b"x-a", b"1"), (b"x-a", b"2")],
        True,
        False,
    )
    emu.effective_id = s.context_id
    assert emu.proxy_get_property(b"plugin_name") == (em.OK, b"demo")
    assert emu.proxy_get_property(b"request\0path") == (em.OK, b"/p?q=1")
    assert emu.proxy_get_property(b"request\0url_path") == (em.OK, b"/p")
    assert emu.proxy_get_property(b"request\0method") == (em.OK, b"POST")
    assert emu.proxy_get_property(b"request\0headers\0x-a") == (em.OK, b"1,2")
    assert emu.proxy_get_property(b"source\0port") == (em.OK, (50000).to_bytes(8, "little"))
    assert emu.proxy_get_property(b"nope") == (em.NOT_FOUND, None)
    assert emu.proxy_set_property(b"my\0key", b"v") == em.OK
    assert emu.proxy_get_property(b"my\0key") == (em.OK, b"v")
    assert emu.written_properties == {("my", "key"): b"v"}


def test_foreign_functions() -> None:
    emu = em.Emulator()
    assert emu.proxy_call_foreign_function(b"nope", b"") == (em.NOT_FOUND, None)
    emu.foreign_functions["double"] = lambda b: b * 2
    assert emu.proxy_call_foreign_function(b"double", b"ab") == (em.OK, b"abab")
    status, compressed = emu.proxy_call_foreign_function(b"compress", b"x" * 100)
    assert status == em.OK and compressed is not None
    assert emu.proxy_call_foreign_function(b"uncompress", compressed) == (em.OK, b"x" * 100)
