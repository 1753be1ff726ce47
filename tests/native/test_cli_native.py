"""``proxy-wasm run --native [--pdb]`` and ``proxy-wasm deploy envoy --native``."""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from proxy_wasm_cli import main as cli_main
from proxy_wasm_envoy import find_envoy
from proxy_wasm_envoy.native import SEARCH_PATH_ENV
from proxy_wasm_envoy.serve import LISTENER, plan_serve, serve

pytestmark = pytest.mark.envoy
REPO = Path(__file__).resolve().parents[2]
PROXY_WASM = Path(sys.executable).with_name("proxy-wasm")

BREAKING_FILTER = """
import proxy_wasm
from proxy_wasm import Action, HttpContext


class Stops(HttpContext):
    def on_http_request_headers(self, num_headers, end_of_stream):
        path = self.get_http_request_header(":path")
        breakpoint()
        self.add_http_request_header("x-debugged", path + "-" + STATE["answer"])
        return Action.CONTINUE


STATE = {"answer": "unset"}
proxy_wasm.set_http_context(Stops)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_deploy_envoy_native_writes_a_config_envoy_accepts(
    native_module: Path, tmp_path: Path
) -> None:
    out = tmp_path / "envoy.yaml"
    code = cli_main(
        [
            "deploy",
            "envoy",
            str(REPO / "examples/http_headers/filter.py"),
            "--native",
            "--full",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    text = out.read_text()
    assert "DynamicModuleFilter" in text and SEARCH_PATH_ENV in text
    env = {**os.environ, SEARCH_PATH_ENV: str(native_module)}
    done = subprocess.run(
        [find_envoy(), "--mode", "validate", "-c", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_deploy_envoy_needs_url_or_native(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["deploy", "envoy"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--url" in err and "--native" in err


def test_run_native_refuses_a_wasm_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wasm = tmp_path / "f.wasm"
    wasm.write_bytes(b"\0asm")
    assert cli_main(["run", str(wasm), "--native"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "not Wasm" in err


def _read_until(fd: int, marker: bytes, buffer: bytearray, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while marker not in buffer:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return False
            if not chunk:
                return False
            buffer += chunk
    return True


def test_pdb_stops_a_live_request_in_the_terminal(native_module: Path, tmp_path: Path) -> None:
    source = tmp_path / "filter.py"
    source.write_text(BREAKING_FILTER)
    port = _free_port()
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [str(PROXY_WASM), "run", str(source), "--pdb", "--port", str(port)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    out = bytearray()
    result: dict[str, object] = {}

    def request() -> None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/debug-me", timeout=60) as r:
                result["body"] = r.read().decode()
        except Exception as exc:  # reported by the assertion below
            result["error"] = exc

    try:
        assert _read_until(master, b"pdb enabled", out, 60), out.decode(errors="replace")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        client = threading.Thread(target=request)
        client.start()
        assert _read_until(master, b"(Pdb)", out, 30), out.decode(errors="replace")
        assert b"breakpoint()" in out or b"filter.py" in out
        assert client.is_alive(), "the request must wait while pdb has it"
        os.write(master, b"p path\n")
        assert _read_until(master, b"'/debug-me'", out, 10), out.decode(errors="replace")
        os.write(master, b"STATE['answer'] = 'from-pdb'\n")
        os.write(master, b"c\n")
        client.join(30)
        assert "error" not in result, result
        assert '"x-debugged": "/debug-me-from-pdb"' in str(result["body"])
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        os.close(master)


def test_run_native_serves_through_the_run_library(native_module: Path) -> None:
    """`run --native` plans and serves like `run`: a native listener, the echo upstream."""
    plan = plan_serve(str(REPO / "examples/http_headers"), port=0, native=True)
    envoy = serve(plan, log_level="debug")
    try:
        with urllib.request.urlopen(envoy.url(LISTENER) + "/hello", timeout=30) as response:
            body = response.read().decode()
            powered = response.headers.get("x-powered-by")
    finally:
        envoy.stop()
    assert powered == "proxy-wasm-python"
    assert '"x-python-filter": "saw /hello"' in body
