"""Native-runtime behaviour beyond the examples: exception policy, refusals at load, config."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy_wasm.envoy import LifeSpan
from proxy_wasm.envoy import filter_state_arguments as envoy_filter_state_arguments
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_envoy import bootstrap, dump_yaml, validate_config
from proxy_wasm_envoy.config import ClusterSpec
from proxy_wasm_envoy.native import filter_configuration, native_listener
from proxy_wasm_shim.native.config import NativeConfig
from proxy_wasm_shim.native.protobuf import filter_state_arguments
from tests.native.conftest import native_envoy

RAISING = """
import proxy_wasm
from proxy_wasm import Action, HttpContext


class Raises(HttpContext):
    def on_http_request_headers(self, num_headers, end_of_stream):
        raise ValueError("boom from the filter")


proxy_wasm.set_http_context(Raises)
"""

TCP = """
import proxy_wasm
from proxy_wasm import StreamContext


class Tcp(StreamContext):
    pass


proxy_wasm.set_stream_context(Tcp)
"""


@pytest.mark.envoy
def test_an_exception_gives_a_500_and_one_traceback_log_line(
    native_module: Path, tmp_path: Path
) -> None:
    source = tmp_path / "raising.py"
    source.write_text(RAISING)
    with native_envoy([native_listener("raising", source)]) as envoy:
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(envoy.url("raising") + "/", timeout=10)
        assert caught.value.code == 500
        record = envoy.wait_for_log(lambda r: "boom from the filter" in r.message)
    assert record is not None
    assert record.level == "error"
    assert "Traceback" in record.message and "raising.py" in record.message
    assert "line 8, in on_http_request_headers" in record.message


@pytest.mark.envoy
def test_a_tcp_filter_in_an_http_chain_is_refused_at_load_with_one_line(
    native_module: Path, tmp_path: Path
) -> None:
    source = tmp_path / "tcp.py"
    source.write_text(TCP)
    config = tmp_path / "envoy.yaml"
    config.write_text(
        dump_yaml(bootstrap([native_listener("tcp", source)], [ClusterSpec("upstream", 9)]))
    )
    with pytest.raises(UserError) as caught:
        validate_config(config)
    message = str(caught.value)
    assert "set_stream_context: a TCP filter cannot be an HTTP filter" in message
    assert "Traceback" not in message


@pytest.mark.envoy
def test_a_grpc_filter_is_refused_at_load_with_one_line(
    native_module: Path, tmp_path: Path
) -> None:
    config = tmp_path / "envoy.yaml"
    grpc = Path(__file__).resolve().parents[2] / "examples" / "grpc_auth_random" / "filter.py"
    listener = native_listener("grpc", grpc)
    config.write_text(dump_yaml(bootstrap([listener], [ClusterSpec("upstream", 9)])))
    with pytest.raises(UserError) as caught:
        validate_config(config)
    assert "on_grpc_call_response: gRPC callouts are not served" in str(caught.value)


TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    config=TEXT,
    vm_config=TEXT,
    name=TEXT,
    root_id=TEXT,
    vm_id=TEXT,
    paths=st.lists(st.text(st.characters(whitelist_categories=["L", "N"]), min_size=1), max_size=4),
)
def test_the_filter_configuration_round_trips(
    config: str, vm_config: str, name: str, root_id: str, vm_id: str, paths: list[str]
) -> None:
    raw = filter_configuration(
        "filter.py",
        config=config,
        vm_config=vm_config,
        name=name,
        root_id=root_id,
        vm_id=vm_id,
        sys_path=[f"/{p}" for p in paths],
    )
    parsed = NativeConfig.parse(raw.encode())
    assert parsed.filter.endswith("filter.py")
    assert (parsed.plugin_config, parsed.vm_config) == (config, vm_config)
    assert (parsed.plugin_name, parsed.root_id, parsed.vm_id) == (name, root_id, vm_id)
    assert parsed.sys_path == [f"/{p}" for p in paths]


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | TEXT,
        lambda c: st.lists(c) | st.dictionaries(TEXT, c),
    )
)
def test_a_malformed_filter_configuration_is_a_clean_error(value: object) -> None:
    raw = json.dumps(value).encode()
    try:
        parsed = NativeConfig.parse(raw)
    except (ValueError, TypeError):
        return
    assert isinstance(parsed.filter, str)


def test_a_python_without_shared_libpython_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sysconfig

    from proxy_wasm_envoy import native

    real = sysconfig.get_config_var
    monkeypatch.setattr(
        sysconfig,
        "get_config_var",
        lambda name: 0 if name == "Py_ENABLE_SHARED" else real(name),
    )
    with pytest.raises(UserError) as caught:
        native.build_native_module()
    assert "shared libpython" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.envoy
def test_workers_take_the_gil_per_callback(native_module: Path) -> None:
    """Two Envoy workers, eight clients: every request is served and counted once."""
    from concurrent.futures import ThreadPoolExecutor

    source = Path(__file__).resolve().parents[2] / "benchmarks" / "filters" / "reference.py"
    with native_envoy([native_listener("ref", source)], concurrency=2) as envoy:
        url = envoy.url("ref") + "/"

        def one(i: int) -> tuple[int, str | None]:
            user = "blocked" if i % 10 == 0 else "alice"
            request = urllib.request.Request(url, headers={"x-user": user})
            try:
                with urllib.request.urlopen(request, timeout=10) as resp:
                    return resp.status, resp.headers["x-powered-by"]
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read().decode()

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(one, range(200)))
        counters = envoy.stats("wasmcustom.bench_requests")
    assert results.count((403, "denied")) == 20
    assert results.count((200, "filter")) == 180
    assert counters["wasmcustom.bench_requests"] == 200


@settings(max_examples=300, deadline=None)
@given(path=TEXT, value=TEXT, span=st.sampled_from(list(LifeSpan)))
def test_set_envoy_filter_state_arguments_round_trip(path: str, value: str, span: LifeSpan) -> None:
    encoded = envoy_filter_state_arguments(path, value, span)
    assert filter_state_arguments(encoded) == (path.encode(), value.encode())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_malformed_filter_state_arguments_never_raise(data: bytes) -> None:
    parsed = filter_state_arguments(data)
    assert parsed is None or all(isinstance(part, bytes) for part in parsed)


@pytest.mark.envoy
def test_a_second_filter_in_the_same_envoy_is_refused_with_one_line(
    native_module: Path, tmp_path: Path
) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    listeners = [
        native_listener("one", examples / "http_headers" / "filter.py"),
        native_listener("two", examples / "hello_world" / "filter.py"),
    ]
    config = tmp_path / "envoy.yaml"
    config.write_text(dump_yaml(bootstrap(listeners, [ClusterSpec("upstream", 9)])))
    with pytest.raises(UserError) as caught:
        validate_config(config)
    message = str(caught.value)
    assert "one filter per Envoy process" in message and "Traceback" not in message
