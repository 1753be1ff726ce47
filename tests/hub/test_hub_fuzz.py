"""Property tests (Hypothesis) at the hub client's boundaries and at the YAML/JSON loaders.

A registry on 127.0.0.1 answers with generated manifests, indexes, configs, tar layers,
``Link`` headers and redirects; whatever it says, ``pull``/``tag``/``list`` end normally or
with a UserError (never another exception), write nothing outside the target folder, and send
no credential to any host but the registry. The suite, deployment and plugin-configuration
loaders get generated YAML/JSON: only located UserErrors escape.

Cases per property: the ``ci`` profile (200) by default, ``HYPOTHESIS_PROFILE=fuzz`` for
thousands (profiles in tests/hub/conftest.py).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import proxy_wasm_hub as hub
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_hub.credentials import Credential, CredentialStore
from tests.hub.hubtest_support import BASIC_CHALLENGE, FakeRegistry, Reply, Seen, json_reply

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_TYPES = [
    OCI_MANIFEST,
    OCI_INDEX,
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.module.wasm.content.layer.v1+wasm",
    "application/vnd.module.wasm.config.v1+json",
    "application/wasm",
]
USER, PASSWORD = "fuzzer", "fuzz-Pa55"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
WASM = b"\0asm\x01\0\0\0"

# Fixed pieces the generated documents mix in, so that some of them get deep into the code.
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(MEDIA_TYPES),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Script:
    """What the lying registry answers for the current example."""

    manifest: bytes = b"{}"
    blobs: dict[str, bytes] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    redirect: bool = False


@dataclass
class Rig:
    registry: FakeRegistry
    evil: FakeRegistry
    script: Script


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    script = Script()
    evil = FakeRegistry(lambda seen: (401, b"", BASIC_CHALLENGE))

    def handle(seen: Seen) -> Reply:
        if seen.authorization != BASIC:
            return 401, b"", BASIC_CHALLENGE
        path = seen.path.split("?", 1)[0]
        if path == "/v2/":
            return json_reply({})
        if script.redirect and seen.method == "GET" and path != "/v2/":
            return 307, b"", {"Location": f"{evil.url}{seen.path}"}
        if seen.method == "POST":
            return 202, b"", {"Location": "/v2/uploads/1"}
        if seen.method in ("PUT", "PATCH"):
            return 201, b"", {"Docker-Content-Digest": _digest(seen.body)}
        if seen.method == "HEAD":
            return 404, b"", {}
        if "/manifests/" in path:
            return 200, script.manifest, {"Content-Type": OCI_MANIFEST, **script.headers}
        if "/blobs/" in path:
            data = script.blobs.get(path.rsplit("/", 1)[1])
            return (404, b"", {}) if data is None else (200, data, {})
        if path.startswith("/v2/_catalog"):
            return 200, script.manifest, {"Content-Type": "application/json", **script.headers}
        if "/tags/list" in path:
            return 200, script.manifest, {"Content-Type": "application/json", **script.headers}
        return json_reply({}, 404)

    registry = FakeRegistry(handle)
    try:
        yield Rig(registry, evil, script)
    finally:
        registry.stop()
        evil.stop()


@pytest.fixture
def logged_in(rig: Rig, config_dir: Path) -> Rig:
    CredentialStore().set(rig.registry.host, Credential(USER, PASSWORD))
    rig.registry.seen.clear()
    rig.evil.seen.clear()
    return rig


def _headers(evil: str) -> st.SearchStrategy[dict[str, str]]:
    link = st.sampled_from(
        [
            f'<{evil}/v2/_catalog?n=1>; rel="next"',
            '</v2/_catalog?last=a>; rel="next"',
            '</v2/team/a/tags/list?last=1>; rel="next"',
            '<>; rel="next"',
            "garbage",
        ]
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "Link": link,
            "Docker-Content-Digest": st.sampled_from(["sha256:" + "0" * 64, "md5:1", ""]),
            "Content-Type": st.sampled_from([*MEDIA_TYPES, "text/html"]),
        },
    )


def _descriptor(data: st.SearchStrategy[bytes]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda blob, media, lie, extra: {
            "mediaType": media,
            "digest": _digest(blob) if lie is None else lie,
            "size": len(blob) if lie is None else lie,
            **extra,
        },
        data,
        st.sampled_from(MEDIA_TYPES),
        st.one_of(st.none(), json_leaf),
        st.dictionaries(
            st.sampled_from(["platform", "annotations", "urls"]), json_value, max_size=2
        ),
    )


def _tar_layer() -> st.SearchStrategy[bytes]:
    member = st.tuples(
        st.sampled_from(
            ["plugin.wasm", "../plugin.wasm", "/etc/plugin.wasm", "a/plugin.wasm", "x", "../../x"]
        ),
        st.sampled_from([tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.DIRTYPE]),
        st.sampled_from(["", "/etc/passwd", "../x", "plugin.wasm"]),
        st.sampled_from([WASM, b"", b"not wasm", WASM + b"\x00" * 10]),
    )

    def build(members: list[tuple[str, bytes, str, bytes]], compress: bool) -> bytes:
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as tar:
            for name, kind, target, data in members:
                info = tarfile.TarInfo(name)
                info.type = kind
                info.linkname = target
                info.size = len(data) if kind == tarfile.REGTYPE else 0
                tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
        return gzip.compress(raw.getvalue()) if compress else raw.getvalue()

    return st.builds(build, st.lists(member, max_size=5), st.booleans()) | st.binary(max_size=64)


@st.composite
def registry_answer(draw: st.DrawFn, evil: str) -> Script:
    """A manifest (or index, or garbage) with the blobs it names, and lying headers."""
    layer = draw(_tar_layer() | st.just(WASM))
    config = draw(st.sampled_from([b"{}", b"[", json.dumps({"architecture": "wasm"}).encode()]))
    kind = draw(st.sampled_from(["manifest", "index", "json", "bytes"]))
    if kind == "manifest":
        doc: Any = {
            "schemaVersion": draw(st.sampled_from([2, "2", None])),
            "mediaType": draw(st.sampled_from(MEDIA_TYPES)),
            "config": draw(_descriptor(st.just(config)) | json_value),
            "layers": draw(st.lists(_descriptor(st.just(layer)), max_size=3) | json_value),
            "annotations": draw(st.dictionaries(st.text(max_size=10), json_value, max_size=3)),
        }
        raw = json.dumps(doc).encode()
    elif kind == "index":
        entries = draw(st.lists(_descriptor(st.just(b"{}")) | json_value, max_size=3))
        raw = json.dumps(
            {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
        ).encode()
    elif kind == "json":
        raw = json.dumps(draw(json_value)).encode()
    else:
        raw = draw(st.binary(max_size=64) | st.just(b"[" * 5000 + b"]" * 5000))
    return Script(
        manifest=raw,
        blobs={_digest(layer): layer, _digest(config): config},
        headers=draw(_headers(evil)),
        redirect=draw(st.booleans().map(lambda b: b and draw(st.integers(0, 9)) == 0)),
    )


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


def _no_credentials_elsewhere(rig: Rig) -> None:
    for seen in rig.evil.seen:
        assert seen.authorization is None, seen


SETTINGS = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@SETTINGS
@given(data=st.data())
def test_pull_tag_list_survive_any_registry_answer(
    data: st.DataObject, logged_in: Rig, tmp_path: Path
) -> None:
    rig = logged_in
    answer = data.draw(registry_answer(rig.evil.url))
    rig.script.__dict__.update(answer.__dict__)
    transport = hub.Transport(plain_http=True, timeout=10)
    host = rig.registry.host
    work = tmp_path / "work"
    target = work / "target"
    target.mkdir(parents=True, exist_ok=True)
    before = _files(work)
    operations: list[Callable[[], object]] = [
        lambda: hub.pull(f"{host}/team/a:1", target / "m.wasm", transport=transport),
        lambda: hub.tag(f"{host}/team/a:1", f"{host}/other/b:2", transport=transport),
        lambda: hub.list_remote(host, transport=transport),
    ]
    for operation in operations:
        try:
            operation()
        except UserError as exc:
            assert PASSWORD not in str(exc)
    after = _files(work)
    assert {p for p in after - before if target not in p.parents} == set()
    _no_credentials_elsewhere(rig)


# -- loaders: suites, deployments, plugin configurations ----------------------------------------

yaml_text = st.one_of(
    json_value.map(lambda v: yaml.safe_dump(v)),
    st.fixed_dictionaries(
        {},
        optional={
            "filter": st.sampled_from(["f.py", "f.wasm", "missing.py", 3, None, ["x"]]),
            "plugin_config": json_value,
            "vm_config": json_value,
            "properties": json_value,
            "clusters": json_value,
            "root_id": json_value,
            "tests": st.lists(
                st.fixed_dictionaries(
                    {"name": json_value},
                    optional={
                        "request_headers": json_value,
                        "request_body": json_value,
                        "response_headers": json_value,
                        "stream_destroy": json_value,
                        "benchmark": json_value,
                    },
                ),
                max_size=2,
            )
            | json_value,
            "listener": json_value,
            "plugins": json_value,
            "filter_file": json_value,
            "extra": json_value,
        },
    ).map(lambda v: yaml.safe_dump(v)),
    st.text(max_size=80),
    st.sampled_from(["a: [", "&a [*a]", "!!python/object:os.system x", "a: 1\na: 2", "\t- x"]),
)


@SETTINGS
@given(text=yaml_text)
def test_suite_loader_gives_located_errors_only(text: str, tmp_path: Path) -> None:
    from proxy_wasm.testing.suite import SuiteError, load_suite

    (tmp_path / "f.py").write_text("x = 1\n")
    suite = tmp_path / "suite.yaml"
    suite.write_text(text)
    try:
        load_suite(suite)
    except SuiteError as exc:
        assert exc.file and str(suite) in str(exc.file)


@SETTINGS
@given(text=yaml_text)
def test_deployment_loader_gives_located_errors_only(text: str, tmp_path: Path) -> None:
    from proxy_wasm_envoy.deployment import load_deployment

    folder = tmp_path / "example"
    folder.mkdir(exist_ok=True)
    (folder / "filter.py").write_text("x = 1\n")
    (folder / "example.yaml").write_text(text)
    try:
        load_deployment(folder)
    except UserError as exc:
        assert exc.location is not None and "example.yaml" in exc.location.file, exc


@SETTINGS
@given(text=yaml_text, suffix=st.sampled_from([".yaml", ".json", ".yml"]), inline=st.booleans())
def test_plugin_config_loaders_give_user_errors_only(
    text: str, suffix: str, inline: bool, tmp_path: Path
) -> None:
    from proxy_wasm_envoy.config import load_config_option
    from proxy_wasm_hub.istio import load_plugin_config

    path = tmp_path / f"config{suffix}"
    path.write_text(text)
    for load in (
        lambda: load_config_option(text if inline else f"@{path}"),
        lambda: load_plugin_config(path),
    ):
        try:
            load()
        except UserError as exc:
            assert str(exc)
