"""Small HTTP servers on 127.0.0.1 for ``proxy-wasm run`` and the Envoy tests.

* :class:`EchoServer`: answers every request with JSON describing what it received (method,
  path, headers, body), so a user sees exactly what the filter changed. The request header
  ``x-echo-status`` sets the response status; ``x-echo-header-NAME: value`` adds a response
  header ``NAME: value``.
* :class:`StaticServer`: serves fixed bytes per path (e.g. a ``.wasm`` for Envoy's remote code
  source) and counts the requests per path.
* :class:`ScriptedServer`: answers with the response it is given (status, headers, body) and
  records each request (``proxy-wasm test --runtime envoy`` plays a suite's response with it).

Both run in a daemon thread, bind port 0 (a free port) unless told otherwise, and stop with
``.stop()`` or as context managers.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from proxy_wasm_envoy.config import LOCALHOST

ECHO_PREFIX = "x-echo-header-"


class _QuietHTTPServer(ThreadingHTTPServer):
    """A client (Envoy) resetting a connection is routine here, not an error to print."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, quiet, and TCP_NODELAY: a response is written in two small
    sends (headers, then body), and with Nagle's algorithm the second waits for the client's
    delayed ACK, about 40 ms per request on a kept-alive connection."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server:
    handler: type[BaseHTTPRequestHandler]

    def __init__(self, port: int = 0, host: str = LOCALHOST) -> None:
        self._httpd = _QuietHTTPServer((host, port), self.handler)
        self._httpd.daemon_threads = True
        setattr(self._httpd, "owner", self)  # noqa: B010 - handlers reach the server object
        self.host = host
        self.port: int = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> _Server:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"{type(self).__name__}:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> _Server:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _EchoHandler(_Handler):
    server_version = "proxy-wasm-echo"

    def _handle(self) -> None:
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            body = self._read_chunked()
        else:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
        headers: dict[str, str | list[str]] = {}
        for name, value in self.headers.items():
            key = name.lower()
            existing = headers.get(key)
            if existing is None:
                headers[key] = value
            elif isinstance(existing, list):
                existing.append(value)
            else:
                headers[key] = [existing, value]
        try:
            text: str | None = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        payload: dict[str, Any] = {
            "method": self.command,
            "path": self.path,
            "headers": headers,
            "body": text if text is not None else body.hex(),
        }
        owner = getattr(self.server, "owner", None)
        if isinstance(owner, EchoServer):
            owner.requests.append(payload)
        out = json.dumps(payload, indent=2).encode() + b"\n"
        status = 200
        raw_status = self.headers.get("x-echo-status")
        if raw_status and raw_status.isdigit():
            status = int(raw_status)
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        for name, value in self.headers.items():
            if name.lower().startswith(ECHO_PREFIX):
                self.send_header(name[len(ECHO_PREFIX) :], value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    def _read_chunked(self) -> bytes:
        """The body of a ``transfer-encoding: chunked`` request (trailers are dropped)."""
        chunks: list[bytes] = []
        while True:
            size_line = self.rfile.readline(65537)
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(65537)  # the CRLF after the chunk

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _handle


class EchoServer(_Server):
    """Returns the request it received as JSON (``requests`` keeps them, newest last)."""

    handler = _EchoHandler

    def __init__(self, port: int = 0, host: str = LOCALHOST) -> None:
        self.requests: list[dict[str, Any]] = []
        super().__init__(port, host)

    def start(self) -> EchoServer:
        super().start()
        return self

    def __enter__(self) -> EchoServer:
        return self.start()


class _StaticHandler(_Handler):
    def do_GET(self) -> None:
        owner = getattr(self.server, "owner", None)
        assert isinstance(owner, StaticServer)
        path = self.path.split("?", 1)[0]
        owner.hits[path] = owner.hits.get(path, 0) + 1
        data = owner.files.get(path)
        if data is None:
            self.send_response(404)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("content-type", "application/wasm")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class StaticServer(_Server):
    """Serves ``files`` (path -> bytes); ``hits`` counts the GETs per path."""

    handler = _StaticHandler

    def __init__(self, files: Mapping[str, bytes], port: int = 0, host: str = LOCALHOST) -> None:
        self.files = dict(files)
        self.hits: dict[str, int] = {}
        super().__init__(port, host)

    def start(self) -> StaticServer:
        super().start()
        return self

    def __enter__(self) -> StaticServer:
        return self.start()


class _ScriptedHandler(_Handler):
    def _handle(self) -> None:
        owner = getattr(self.server, "owner", None)
        assert isinstance(owner, ScriptedServer)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        owner.received.append(([(k.lower(), v) for k, v in self.headers.items()], body))
        self.send_response(owner.status)
        for name, value in owner.headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(owner.body)))
        self.end_headers()
        self.wfile.write(owner.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


class ScriptedServer(_Server):
    """Answers every request with ``status``, ``headers`` and ``body`` (set them before each
    request); ``received`` keeps each request's ``(headers, body)``, oldest first."""

    handler = _ScriptedHandler

    def __init__(self, port: int = 0, host: str = LOCALHOST) -> None:
        self.status = 200
        self.headers: list[tuple[str, str]] = []
        self.body = b""
        self.received: list[tuple[list[tuple[str, str]], bytes]] = []
        super().__init__(port, host)

    def start(self) -> ScriptedServer:
        super().start()
        return self
