"""Fixtures for the hub tests: real Debian ``docker-registry`` servers on 127.0.0.1 and a real
(tiny, C) Proxy-Wasm module.

Two registries per session: ``plain_registry`` (plain HTTP, no auth) and ``secure_registry``
(TLS with a throw-away CA + htpasswd basic auth). Both run from a temp dir and are stopped by
PID. A missing ``docker-registry``/``htpasswd``/``openssl``/``skopeo`` FAILS the test (CI
installs them: run .ci/run) - never a silent skip.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from proxy_wasm_compiler.metadata import METADATA_SECTION, append_custom_section
from tests.c_modules import zig_reactor
from tests.hub.hubtest_support import (
    DATA,
    PASSWORD,
    USER,
    FakeRegistry,
    Handler,
    RegistryServer,
    make_ca_and_cert,
    need_tool,
    start_registry,
)


@pytest.fixture(scope="session")
def plain_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    server = start_registry(tmp_path_factory.mktemp("registry-plain"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def secure_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    """TLS (custom CA) + htpasswd basic auth (bcrypt, as docker-registry requires)."""
    work = tmp_path_factory.mktemp("registry-secure")
    ca_pem, cert, key = make_ca_and_cert(work / "tls")
    htpasswd_bin = need_tool("htpasswd")
    htpasswd = work / "htpasswd"
    out = subprocess.run(
        [htpasswd_bin, "-Bbn", USER, PASSWORD], check=True, capture_output=True, text=True
    ).stdout
    htpasswd.write_text(out)
    server = start_registry(work, tls=(cert, key), htpasswd=htpasswd)
    server.ca_file = str(ca_pem)
    server.user, server.password = USER, PASSWORD
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_registry() -> Iterator[Callable[[Handler], FakeRegistry]]:
    """Start scripted registries on 127.0.0.1 (``fake_registry(handler)``); all stopped after."""
    started: list[FakeRegistry] = []

    def start(handler: Handler) -> FakeRegistry:
        server = FakeRegistry(handler)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own credentials/index directory."""
    d = tmp_path / "config"
    monkeypatch.setenv("PROXY_WASM_CONFIG_DIR", str(d))
    return d


@pytest.fixture(scope="session")
def tiny_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Proxy-Wasm module built from data/tiny_filter.c with zig (no metadata section)."""
    out = tmp_path_factory.mktemp("tiny") / "tiny.wasm"
    return zig_reactor(DATA / "tiny_filter.c", out)


BUILD_INFO = {
    "sdk_version": "0.1.0",
    "python_version": "3.11.7",
    "root_ids": ["auth"],
    "source": "auth_filter.py",
    "compiler_version": "0.1.0",
}


@pytest.fixture(scope="session")
def tagged_module(tiny_module: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny module plus the ``proxy-wasm-python`` custom section the build embeds."""
    out = tmp_path_factory.mktemp("tagged") / "auth.wasm"
    out.write_bytes(
        append_custom_section(
            tiny_module.read_bytes(), METADATA_SECTION, json.dumps(BUILD_INFO).encode()
        )
    )
    return out
