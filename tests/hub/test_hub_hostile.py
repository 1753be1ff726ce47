"""A registry that lies: credentials stay with the host they were given for, pagination is
bounded, malformed registry data is one ``error:`` line (issue 14).

Every registry here is a :class:`FakeRegistry` on 127.0.0.1 that answers what the test says.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from proxy_wasm_hub.credentials import Credential, CredentialStore
from tests.hub.hubtest_support import (
    BASIC_CHALLENGE,
    FakeRegistry,
    Handler,
    Reply,
    Seen,
    json_reply,
)
from tests.hub.test_hub_registry import cli, one_error_line

Start = Callable[[Handler], FakeRegistry]

USER, PASSWORD = "alice", "pa55-word"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _login(host: str) -> None:
    CredentialStore().set(host, Credential(USER, PASSWORD))


def _basic_protected(routes: Callable[[Seen], Reply]) -> Handler:
    """A registry asking for Basic auth on every path, then answering with ``routes``."""

    def handle(seen: Seen) -> Reply:
        if seen.authorization != BASIC:
            return 401, b"", BASIC_CHALLENGE
        if seen.path == "/v2/":
            return json_reply({})
        return routes(seen)

    return handle


def _anyone_401(seen: Seen) -> Reply:
    return 401, b"", BASIC_CHALLENGE


def _no_secret_reached(server: FakeRegistry) -> None:
    for seen in server.seen:
        assert seen.authorization is None, seen
        assert PASSWORD not in seen.path


def _list(capsys: pytest.CaptureFixture[str], host: str, *extra: str) -> tuple[int, str, str]:
    return cli(capsys, "list", "--remote", host, "--plain-http", "--json", *extra)


# -- credentials stay with their registry -----------------------------------------------------


def test_catalog_link_to_another_host_gets_no_credentials(
    fake_registry: Start, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = fake_registry(_anyone_401)

    def routes(seen: Seen) -> Reply:
        link = f'<{evil.url}/v2/_catalog?last=a>; rel="next"'
        return json_reply({"repositories": ["a"]}, Link=link)

    registry = fake_registry(_basic_protected(routes))
    _login(registry.host)
    rc, _out, err = _list(capsys, registry.host)
    _no_secret_reached(evil)
    assert rc == 2
    line = one_error_line(err)
    assert "another host" in line and evil.host in line


def test_tags_link_to_another_host_gets_no_credentials(
    fake_registry: Start, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = fake_registry(_anyone_401)

    def routes(seen: Seen) -> Reply:
        if seen.path.startswith("/v2/_catalog"):
            return json_reply({"repositories": ["team/a"]})
        link = f'<{evil.url}/v2/team/a/tags/list?last=1>; rel="next"'
        return json_reply({"name": "team/a", "tags": ["1"]}, Link=link)

    registry = fake_registry(_basic_protected(routes))
    _login(registry.host)
    rc, _out, err = _list(capsys, registry.host)
    _no_secret_reached(evil)
    assert rc == 2 and "another host" in one_error_line(err)


def test_redirect_to_another_host_gets_no_credentials(
    fake_registry: Start, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = fake_registry(_anyone_401)

    def routes(seen: Seen) -> Reply:
        return 307, b"", {"Location": f"{evil.url}{seen.path}"}

    registry = fake_registry(_basic_protected(routes))
    _login(registry.host)
    out = tmp_path / "x.wasm"
    rc, _, err = cli(capsys, "pull", f"{registry.host}/team/a:1", "-o", str(out), "--plain-http")
    assert rc == 2 and one_error_line(err)
    assert evil.seen, "the redirect was not followed at all"
    _no_secret_reached(evil)
    assert not out.exists()


def _token_registry(realm: str, routes: Callable[[Seen], Reply]) -> Handler:
    def handle(seen: Seen) -> Reply:
        if seen.authorization != "Bearer tok3n":
            challenge = f'Bearer realm="{realm}",service="fake"'
            return 401, b"", {"WWW-Authenticate": challenge}
        if seen.path == "/v2/":
            return json_reply({})
        return routes(seen)

    return handle


def _token_server(seen: Seen) -> Reply:
    if seen.authorization != BASIC:
        return 401, b"", BASIC_CHALLENGE
    return json_reply({"token": "tok3n"})


def test_token_realm_on_another_host_gets_them_as_docker_does(
    fake_registry: Start, capsys: pytest.CaptureFixture[str]
) -> None:
    """The registry's own challenge names its token service (auth.docker.io for Docker Hub):
    it gets the Basic credentials, as Docker, oras-go and oras-py do; the bearer token it
    returns goes to the registry only."""
    auth = fake_registry(_token_server)
    evil = fake_registry(_anyone_401)

    def routes(seen: Seen) -> Reply:
        if seen.path.startswith("/v2/_catalog"):
            link = f'<{evil.url}/v2/_catalog?last=a>; rel="next"'
            return json_reply({"repositories": ["a"]}, Link=link)
        return json_reply({}, 404)

    registry = fake_registry(_token_registry(f"{auth.url}/token", routes))
    _login(registry.host)
    rc, _out, err = _list(capsys, registry.host)
    assert rc == 2 and "another host" in one_error_line(err)
    assert any(s.authorization == BASIC for s in auth.seen)
    assert all(s.authorization in (None, "Bearer tok3n") for s in registry.seen)
    _no_secret_reached(evil)


def test_a_foreign_hosts_challenge_is_not_answered(
    fake_registry: Start, capsys: pytest.CaptureFixture[str]
) -> None:
    """A host the registry sends us to cannot name a token realm that receives the
    credentials (its challenge is not the registry's)."""
    thief = fake_registry(_token_server)

    def foreign(seen: Seen) -> Reply:
        challenge = f'Bearer realm="{thief.url}/token",service="x"'
        return 401, b"", {"WWW-Authenticate": challenge}

    evil = fake_registry(foreign)

    def routes(seen: Seen) -> Reply:
        return 307, b"", {"Location": f"{evil.url}{seen.path}"}

    registry = fake_registry(_basic_protected(routes))
    _login(registry.host)
    rc, _, err = cli(capsys, "pull", f"{registry.host}/team/a:1", "--plain-http")
    assert rc == 2 and one_error_line(err)
    _no_secret_reached(evil)
    _no_secret_reached(thief)


# -- pagination is bounded ---------------------------------------------------------------------


def test_link_to_itself_stops(fake_registry: Start, capsys: pytest.CaptureFixture[str]) -> None:
    def handle(seen: Seen) -> Reply:
        if seen.path.startswith("/v2/_catalog"):
            return json_reply({"repositories": ["a"]}, Link=f'<{seen.path}>; rel="next"')
        if seen.path.startswith("/v2/a/tags/list"):
            return json_reply({"tags": []}, Link=f'<{seen.path}>; rel="next"')
        return json_reply({})

    registry = fake_registry(handle)
    rc, out, err = _list(capsys, registry.host)
    assert rc == 0, err
    assert json.loads(out) == []
    assert len(registry.seen) < 10


def test_endless_pages_stop_at_the_limit(
    fake_registry: Start, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("proxy_wasm_hub.registry.MAX_PAGES", 20)

    def handle(seen: Seen) -> Reply:
        if seen.path.startswith("/v2/_catalog"):
            n = len(seen.path)
            return json_reply({"repositories": [f"r{n}"]}, Link=f'<{seen.path}x>; rel="next"')
        return json_reply({})

    registry = fake_registry(handle)
    rc, _out, err = _list(capsys, registry.host)
    assert rc == 2 and "more than 20 pages" in one_error_line(err)
    assert len(registry.seen) <= 25


# -- one bad repository does not abort the listing ----------------------------------------------


def _image_registry(manifest: dict[str, Any], catalog: list[str]) -> Handler:
    raw = json.dumps(manifest).encode()
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()

    def handle(seen: Seen) -> Reply:
        path = seen.path
        if path == "/v2/":
            return json_reply({})
        if path.startswith("/v2/_catalog"):
            return json_reply({"repositories": catalog})
        if path.startswith("/v2/empty/tags/list"):
            error = {"code": "NAME_UNKNOWN", "message": "repository name not known"}
            return json_reply({"errors": [error]}, 404)
        if "/tags/list" in path:
            return json_reply({"tags": ["1"]})
        if "/manifests/" in path:
            return 200, raw, {"Content-Type": OCI_MANIFEST, "Docker-Content-Digest": digest}
        return json_reply({}, 404)

    return handle


def test_repository_without_tags_is_skipped(
    fake_registry: Start, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "layers": []}
    registry = fake_registry(_image_registry(manifest, ["empty", "full"]))
    rc, out, err = _list(capsys, registry.host)
    assert rc == 0, err
    assert [(r["repository"], r["tag"]) for r in json.loads(out)] == [("full", "1")]


# -- malformed registry data: one error line ---------------------------------------------------

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def serving(manifests: dict[str, bytes], blobs: dict[str, bytes] | None = None) -> Handler:
    """A registry without auth serving ``manifests`` (by tag or digest, in any repository)
    and ``blobs``; it accepts every upload."""
    blobs = dict(blobs or {})
    for raw in list(manifests.values()):
        manifests.setdefault(_digest(raw), raw)

    def handle(seen: Seen) -> Reply:
        path = seen.path.split("?", 1)[0]
        if path == "/v2/":
            return json_reply({})
        if seen.method == "POST":
            return 202, b"", {"Location": "/v2/uploads/1"}
        if seen.method in ("PUT", "PATCH"):
            return 201, b"", {"Docker-Content-Digest": _digest(seen.body)}
        if "/manifests/" in path:
            raw = manifests.get(path.rsplit("/", 1)[1])
            if raw is None:
                return json_reply({"errors": [{"code": "MANIFEST_UNKNOWN"}]}, 404)
            try:
                media = json.loads(raw).get("mediaType", OCI_MANIFEST)
            except (ValueError, RecursionError, AttributeError):
                media = OCI_MANIFEST
            return 200, raw, {"Content-Type": str(media), "Docker-Content-Digest": _digest(raw)}
        if "/blobs/" in path:
            data = blobs.get(path.rsplit("/", 1)[1])
            return (404, b"", {}) if data is None else (200, data, {})
        if "/tags/list" in path:
            return json_reply({"tags": [t for t in manifests if ":" not in t]})
        if path.startswith("/v2/_catalog"):
            return json_reply({"repositories": ["team/a"]})
        return json_reply({}, 404)

    return handle


_LAYER = {"mediaType": OCI_LAYER, "digest": _digest(b"x"), "size": 1}
MALFORMED: dict[str, bytes] = {
    "platform-string": json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": _digest(b"a"), "platform": "wasm"},
                {"mediaType": OCI_MANIFEST, "digest": _digest(b"b"), "platform": "linux"},
            ],
        }
    ).encode(),
    "deeply-nested": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "size-abc": json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "x", "digest": _digest(b"{}"), "size": "abc"},
            "layers": [{**_LAYER, "size": "abc"}],
        }
    ).encode(),
    "layers-not-a-list": json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": 3, "layers": {"a": 1}}
    ).encode(),
    "index-manifests-garbage": json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [{"digest": 5}]}
    ).encode(),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
@pytest.mark.parametrize("verb", ["pull", "run", "tag", "list"])
def test_malformed_registry_data_is_one_error_line(
    case: str,
    verb: str,
    fake_registry: Start,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry = fake_registry(serving({"1": MALFORMED[case]}, {_digest(b"{}"): b"{}"}))
    ref = f"{registry.host}/team/a:1"
    argv = {
        "pull": ["pull", ref, "-o", str(tmp_path / "x.wasm"), "--plain-http"],
        "run": ["run", f"oci://{ref}", "--print-config"],
        "tag": ["tag", ref, f"{registry.host}/other/b:2", "--plain-http"],
        "list": ["list", "--remote", registry.host, "--plain-http", "--json"],
    }[verb]
    rc, out, err = cli(capsys, *argv)
    if verb == "list":  # a listing shows what it can read
        assert rc == 0, err
        return
    assert rc == 2, (out, err)
    assert "TLS" not in one_error_line(err)  # a loopback registry is tried over plain HTTP
    assert not (tmp_path / "x.wasm").exists()


# -- terminal escapes from a registry never reach the terminal ---------------------------------

HOSTILE_TEXT = "\x1b]0;pwned\x07\x1b[2J\x9b31m[bold]markup[/bold]\u202eevil\r"


def _assert_inert(text: str) -> None:
    assert not any(ch in text for ch in "\x1b\x07\x9b\u202e\r"), repr(text)


def test_list_prints_registry_strings_inert(
    fake_registry: Start, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "layers": [],
        "annotations": {
            "org.opencontainers.image.title": HOSTILE_TEXT,
            "org.opencontainers.image.description": HOSTILE_TEXT,
        },
    }
    registry = fake_registry(_image_registry(manifest, ["full"]))
    rc, out, err = cli(capsys, "list", "--remote", registry.host, "--plain-http")
    assert rc == 0, err
    _assert_inert(out + err)
    assert "[bold]markup[/bold]" in out  # shown as text, not interpreted as rich markup
    rc, out, err = cli(capsys, "list", "--remote", registry.host, "--plain-http", "--json")
    assert rc == 0 and json.loads(out)[0]["annotations"]["org.opencontainers.image.title"] == (
        HOSTILE_TEXT
    )
    _assert_inert(out)


def test_registry_error_text_is_inert(
    fake_registry: Start, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def handle(seen: Seen) -> Reply:
        if seen.path == "/v2/":
            return json_reply({})
        error = {"code": "DENIED", "message": HOSTILE_TEXT, "detail": HOSTILE_TEXT}
        return json_reply({"errors": [error]}, 500)

    registry = fake_registry(handle)
    rc, _out, err = cli(capsys, "pull", f"{registry.host}/a/b:1", "--plain-http")
    assert rc == 2
    _assert_inert(one_error_line(err))
