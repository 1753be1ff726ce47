"""Helpers shared by the tests that talk HTTP to a real Envoy or run ``proxy-wasm run``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET ``url``: (status, lower-cased headers, body), also for 4xx/5xx answers."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def echoed(body: bytes) -> dict[str, Any]:
    """The request the echo upstream received, from its JSON answer."""
    data: dict[str, Any] = json.loads(body)
    return data


def start_run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> tuple[subprocess.Popen[str], str, list[str]]:
    """Start ``proxy-wasm run ARGS`` and wait for its "Envoy is ready" line.

    Returns the process, the listener URL and the lines printed so far; the caller stops the
    process (SIGINT) and must kill it if the test fails.
    """
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from proxy_wasm_cli import entrypoint; entrypoint()",
            "run",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Envoy is ready"):
            return proc, line.split(": ", 1)[1].split()[0], lines
    proc.kill()
    proc.wait()
    raise AssertionError("proxy-wasm run did not get ready:\n" + "".join(lines))
