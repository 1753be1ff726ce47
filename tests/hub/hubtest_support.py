"""Helpers shared by the hub tests (registry servers, the WasmPlugin CRD schema)."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import requests
import yaml

DATA = Path(__file__).parent / "data"
USER = "hubuser"
PASSWORD = "s3cret-Pa55"

APT_HINT = (
    "run .ci/run, which installs the Debian packages docker-registry, skopeo, "
    "apache2-utils and openssl"
)


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not installed: {APT_HINT}", pytrace=False)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RegistryServer:
    host: str  # 127.0.0.1:PORT
    root: Path
    process: subprocess.Popen[bytes]
    log: Path
    ca_file: str | None = None
    user: str | None = None
    password: str | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.ca_file else "http"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_registry(
    workdir: Path, *, tls: tuple[Path, Path] | None = None, htpasswd: Path | None = None
) -> RegistryServer:
    binary = need_tool("docker-registry")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    http: dict[str, object] = {"addr": f"127.0.0.1:{port}", "secret": "hub-tests"}
    if tls is not None:
        http["tls"] = {"certificate": str(tls[0]), "key": str(tls[1])}
    config: dict[str, object] = {
        "version": 0.1,
        "log": {"level": "warn", "accesslog": {"disabled": True}},
        "storage": {
            "filesystem": {"rootdirectory": str(workdir / "data")},
            "delete": {"enabled": True},
        },
        "http": http,
    }
    if htpasswd is not None:
        config["auth"] = {"htpasswd": {"realm": "hub-tests", "path": str(htpasswd)}}
    cfg = workdir / "config.yml"
    cfg.write_text(json.dumps(config))  # JSON is YAML
    log = workdir / "registry.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([binary, "serve", str(cfg)], stdout=out, stderr=subprocess.STDOUT)
    server = RegistryServer(
        f"127.0.0.1:{port}", workdir, proc, log, ca_file=None, user=None, password=None
    )
    scheme = "https" if tls else "http"
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            pytest.fail(
                f"docker-registry exited with {proc.returncode}: {log.read_text()[-2000:]}",
                pytrace=False,
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the CA is checked by the tests themselves
                requests.get(f"{scheme}://{server.host}/v2/", timeout=1, verify=False)
            break
        except requests.RequestException:
            if time.monotonic() > deadline:
                server.stop()
                pytest.fail(
                    f"docker-registry did not start: {log.read_text()[-2000:]}", pytrace=False
                )
            time.sleep(0.1)
    return server


def make_ca_and_cert(d: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, server cert, server key): a throw-away CA and a cert for IP 127.0.0.1."""
    openssl = need_tool("openssl")
    d.mkdir(parents=True, exist_ok=True)
    ca_key, ca_pem = d / "ca.key", d / "ca.pem"
    key, csr, cert, ext = d / "server.key", d / "server.csr", d / "server.pem", d / "ext.cnf"

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca_pem),
        "-days",
        "2",
        "-subj",
        "/CN=proxy-wasm-python hub test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(csr),
        "-subj",
        "/CN=127.0.0.1",
    )
    ext.write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=IP:127.0.0.1\n"
        "authorityKeyIdentifier=keyid\n"
        "subjectKeyIdentifier=hash\n"
    )
    run(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca_pem),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(cert),
        "-days",
        "2",
        "-extfile",
        str(ext),
    )
    return ca_pem, cert, key


# Istio's WasmPlugin CRD (openAPIV3Schema), extracted unchanged from istio/api.
CRD = DATA / "istio-wasmplugin-crd.yaml"


def wasmplugin_schema() -> dict[str, Any]:
    doc = yaml.safe_load(CRD.read_text())
    (version,) = [v for v in doc["spec"]["versions"] if v["name"] == "v1alpha1"]
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return schema


def validate_wasmplugin(doc: dict[str, Any]) -> None:
    """Check a generated WasmPlugin against the CRD's schema (raises on any violation)."""
    assert doc["apiVersion"] == "extensions.istio.io/v1alpha1"
    assert doc["kind"] == "WasmPlugin"
    jsonschema.validate(
        {k: v for k, v in doc.items() if k in ("spec", "status")}, wasmplugin_schema()
    )


# -- a scripted (lying) registry on 127.0.0.1 ---------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One request a :class:`FakeRegistry` received."""

    method: str
    path: str
    authorization: str | None
    body: bytes


Reply = tuple[int, bytes, dict[str, str]]
Handler = Callable[[Seen], Reply]


class FakeRegistry:
    """An HTTP server on 127.0.0.1 (a free port) that answers every request with what
    ``handler`` returns and records what it received (``seen``): a registry that lies."""

    def __init__(self, handler: Handler) -> None:
        fake = self
        self.handler = handler
        self.seen: list[Seen] = []

        class _Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    self.command,
                    self.path,
                    self.headers.get("Authorization"),
                    self.rfile.read(length) if length else b"",
                )
                fake.seen.append(seen)
                status, body, headers = fake.handler(seen)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.host = f"127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def json_reply(doc: Any, status: int = 200, **headers: str) -> Reply:
    return status, json.dumps(doc).encode(), {"Content-Type": "application/json", **headers}


BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="fake"'}
