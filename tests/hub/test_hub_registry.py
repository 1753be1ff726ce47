"""push/pull/tag/login/list/deploy against real Debian docker-registry servers.

Stored manifests are checked with skopeo (an independent client) and with
:func:`istio_fetch`, which applies Istio's acceptance rules (distribution.md §2.3,
``pkg/wasm/imagefetcher.go``) to what the registry serves.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import stat
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

import proxy_wasm_hub as hub
from proxy_wasm_cli import main
from tests.hub.hubtest_support import (
    PASSWORD,
    USER,
    FakeRegistry,
    Handler,
    RegistryServer,
    Reply,
    Seen,
    free_port,
    json_reply,
    need_tool,
    validate_wasmplugin,
)

pytestmark = pytest.mark.registry

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
WASM_LAYER = "application/vnd.module.wasm.content.layer.v1+wasm"


# -- an independent reading of the registry, as Istio does it ---------------------------------


class IstioRejects(Exception):
    pass


def _fetch(server: RegistryServer, path: str, accept: str | None = None) -> requests.Response:
    auth = (server.user, server.password or "") if server.user else None
    headers = {"Accept": accept} if accept else {}
    resp = requests.get(
        f"{server.scheme}://{server.host}{path}",
        headers=headers,
        auth=auth,
        verify=server.ca_file or True,
        timeout=10,
    )
    resp.raise_for_status()
    return resp


def _extract_plugin(tgz: bytes) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
        for member in tar:
            if Path(member.name).name == "plugin.wasm":
                f = tar.extractfile(member)
                assert f is not None
                return f.read()
    raise IstioRejects("plugin.wasm not found in the layer")


def istio_fetch(server: RegistryServer, repo: str, reference: str) -> tuple[str, bytes]:
    """(manifest digest hex, module): Istio's imagefetcher rules, applied literally.

    * docker schema 2 manifest: last layer must be rootfs.diff.tar.gzip -> plugin.wasm
    * OCI manifest: last layer oci tar+gzip -> plugin.wasm; else the "oci" variant: exactly
      2 layers, the vnd.module.wasm.content.layer.v1+wasm one read raw
    * anything else: invalid. The digest compared with WasmPlugin.sha256 is the manifest's.
    """
    resp = _fetch(server, f"/v2/{repo}/manifests/{reference}", f"{OCI_MANIFEST}, {DOCKER_MANIFEST}")
    raw = resp.content
    digest = hashlib.sha256(raw).hexdigest()
    manifest = json.loads(raw)
    layers = manifest.get("layers") or []

    def blob(desc: dict[str, Any]) -> bytes:
        data = _fetch(server, f"/v2/{repo}/blobs/{desc['digest']}").content
        assert "sha256:" + hashlib.sha256(data).hexdigest() == desc["digest"]
        return data

    media_type = manifest.get("mediaType")  # Istio switches on the manifest's own field
    if media_type == DOCKER_MANIFEST:
        if not layers or layers[-1]["mediaType"] != DOCKER_LAYER:
            raise IstioRejects("invalid media type of the docker image layer")
        return digest, _extract_plugin(blob(layers[-1]))
    if media_type == OCI_MANIFEST:
        if layers and layers[-1]["mediaType"] == OCI_LAYER:
            return digest, _extract_plugin(blob(layers[-1]))
        if len(layers) != 2:
            raise IstioRejects(f"number of layers must be 2 but got {len(layers)}")
        for layer in layers:
            if layer["mediaType"] == WASM_LAYER:
                return digest, blob(layer)
        raise IstioRejects("could not find the Wasm layer")
    raise IstioRejects(f"unsupported manifest media type: {media_type}")


def skopeo_raw(server: RegistryServer, image: str) -> bytes:
    skopeo = need_tool("skopeo")
    args = [skopeo, "inspect", "--raw"]
    if server.ca_file:
        certs = Path(server.ca_file).parent / "skopeo-certs"
        certs.mkdir(exist_ok=True)
        (certs / "ca.crt").write_bytes(Path(server.ca_file).read_bytes())
        args += ["--cert-dir", str(certs), "--creds", f"{server.user}:{server.password}"]
    else:
        args += ["--tls-verify=false"]
    proc = subprocess.run(
        [*args, f"docker://{server.host}/{image}"], capture_output=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def one_error_line(err: str) -> str:
    assert err.startswith("error: "), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


# -- plain registry ------------------------------------------------------------------------------


def test_push_compat_default(
    plain_registry: RegistryServer, tagged_module: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = f"{plain_registry.host}/team/auth:1.0"
    rc, out, err = cli(
        capsys,
        "push",
        str(tagged_module),
        ref,
        "--plain-http",
        "--description",
        "JWT checks",
        "--source",
        "https://git.example/auth",
    )
    assert rc == 0, err
    digest = out.strip()
    assert digest.startswith("sha256:") and len(digest) == 71

    raw = skopeo_raw(plain_registry, "team/auth:1.0")
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == digest
    manifest = json.loads(raw)
    assert manifest["mediaType"] == OCI_MANIFEST
    assert manifest["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json"
    assert [layer["mediaType"] for layer in manifest["layers"]] == [OCI_LAYER]
    ann = manifest["annotations"]
    assert ann["module.wasm.image/variant"] == "compat"
    assert ann["org.opencontainers.image.title"] == "auth"
    assert ann["org.opencontainers.image.description"] == "JWT checks"
    assert ann["org.opencontainers.image.source"] == "https://git.example/auth"
    assert ann["io.proxy-wasm-python.sdk-version"] == "0.1.0"
    assert ann["io.proxy-wasm-python.python-version"] == "3.11.7"
    assert ann["io.proxy-wasm-python.abi-version"] == "0.2.1"
    assert ann["io.proxy-wasm-python.root-ids"] == "auth"

    config = json.loads(
        _fetch(plain_registry, f"/v2/team/auth/blobs/{manifest['config']['digest']}").content
    )
    layer = _fetch(plain_registry, f"/v2/team/auth/blobs/{manifest['layers'][0]['digest']}")
    assert config["rootfs"]["diff_ids"] == [
        "sha256:" + hashlib.sha256(gzip.decompress(layer.content)).hexdigest()
    ]
    assert config["architecture"] and config["os"]

    istio_digest, module = istio_fetch(plain_registry, "team/auth", "1.0")
    assert module == tagged_module.read_bytes()
    assert "sha256:" + istio_digest == digest


def test_push_oci_variant(
    plain_registry: RegistryServer, tiny_module: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = cli(
        capsys,
        "push",
        str(tiny_module),
        f"{plain_registry.host}/team/tiny:oci",
        "--format",
        "oci",
        "--plain-http",
    )
    assert rc == 0, err
    manifest = json.loads(skopeo_raw(plain_registry, "team/tiny:oci"))
    assert manifest["config"]["mediaType"] == "application/vnd.module.wasm.config.v1+json"
    assert [x["mediaType"] for x in manifest["layers"]] == [
        "application/vnd.module.wasm.config.v1+json",
        WASM_LAYER,
    ]
    assert manifest["annotations"]["module.wasm.runtime/abi_version"] == "proxy_abi_version_0_2_1"
    istio_digest, module = istio_fetch(plain_registry, "team/tiny", "oci")
    assert module == tiny_module.read_bytes()
    assert "sha256:" + istio_digest == out.strip()

    dest = tmp = Path(tiny_module).parent / "pulled-oci.wasm"
    rc, out, err = cli(
        capsys, "pull", f"{plain_registry.host}/team/tiny:oci", "-o", str(tmp), "--plain-http"
    )
    assert rc == 0, err
    assert out.strip() == str(dest)
    assert dest.read_bytes() == tiny_module.read_bytes()


def test_pull_compat_and_pull_module(
    plain_registry: RegistryServer,
    tagged_module: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ref = f"{plain_registry.host}/team/pullme:1.0"
    assert cli(capsys, "push", str(tagged_module), ref, "--plain-http")[0] == 0
    out_file = tmp_path / "out" / "auth.wasm"
    rc, _out, err = cli(capsys, "pull", ref, "-o", str(out_file), "--plain-http")
    assert rc == 0, err
    assert out_file.read_bytes() == tagged_module.read_bytes()
    assert [p.name for p in out_file.parent.iterdir()] == ["auth.wasm"]  # no temp leftovers

    # the library entry point `proxy-wasm run oci://...` uses; loopback falls back to HTTP
    path = hub.pull_module(f"oci://{ref}", tmp_path / "cache")
    assert path.read_bytes() == tagged_module.read_bytes()
    assert path.parent == tmp_path / "cache"

    # pinned by digest
    digest = json.loads(cli(capsys, "list", "--json")[1])[0]["digest"]
    rc, _, err = cli(
        capsys,
        "pull",
        f"{plain_registry.host}/team/pullme@{digest}",
        "-o",
        str(tmp_path / "pinned.wasm"),
        "--plain-http",
    )
    assert rc == 0, err


def test_push_real_python_filter(
    plain_registry: RegistryServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from proxy_wasm_compiler.build import BuildOptions, build_filter

    built = build_filter(
        Path(__file__).parent / "data" / "hub_filter.py",
        tmp_path / "hub_filter.wasm",
        options=BuildOptions(reuse=True),
    )
    ref = f"{plain_registry.host}/filters/hub-filter:0.1"
    rc, _out, err = cli(capsys, "push", str(built.path), ref, "--plain-http")
    assert rc == 0, err
    manifest = json.loads(skopeo_raw(plain_registry, "filters/hub-filter:0.1"))
    ann = manifest["annotations"]
    assert ann["io.proxy-wasm-python.sdk-version"]
    assert ann["io.proxy-wasm-python.python-version"].startswith("3.11")
    assert ann["io.proxy-wasm-python.filter-source"] == "hub_filter.py"
    _, module = istio_fetch(plain_registry, "filters/hub-filter", "0.1")
    assert module == built.path.read_bytes()
    rc, _, err = cli(capsys, "pull", ref, "-o", str(tmp_path / "back.wasm"), "--plain-http")
    assert rc == 0, err
    assert (tmp_path / "back.wasm").read_bytes() == built.path.read_bytes()


def test_tag_same_and_other_repository(
    plain_registry: RegistryServer, tiny_module: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = f"{plain_registry.host}/team/tagme:1.0"
    digest = cli(capsys, "push", str(tiny_module), src, "--plain-http")[1].strip()
    rc, out, err = cli(
        capsys, "tag", src, f"{plain_registry.host}/team/tagme:stable", "--plain-http"
    )
    assert rc == 0, err
    assert out.strip() == digest
    rc, out, err = cli(capsys, "tag", src, f"{plain_registry.host}/other/copy:2", "--plain-http")
    assert rc == 0, err
    assert out.strip() == digest
    for image in ("team/tagme:stable", "other/copy:2"):
        assert "sha256:" + hashlib.sha256(skopeo_raw(plain_registry, image)).hexdigest() == digest
    assert istio_fetch(plain_registry, "other/copy", "2")[1] == tiny_module.read_bytes()


def test_list_remote_and_local(
    plain_registry: RegistryServer, tagged_module: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = f"{plain_registry.host}/search/findme:3.1"
    assert (
        cli(
            capsys,
            "push",
            str(tagged_module),
            ref,
            "--plain-http",
            "--description",
            "needle in a haystack",
        )[0]
        == 0
    )
    rc, out, err = cli(
        capsys,
        "list",
        "--remote",
        plain_registry.host,
        "--plain-http",
        "--search",
        "haystack",
        "--json",
    )
    assert rc == 0, err
    rows = json.loads(out)
    assert [(r["repository"], r["tag"]) for r in rows] == [("search/findme", "3.1")]
    assert rows[0]["format"] == "compat"
    assert rows[0]["annotations"]["org.opencontainers.image.description"] == "needle in a haystack"
    rc, out, err = cli(capsys, "list", "--remote", plain_registry.host, "--plain-http")
    assert rc == 0 and "search/findme" in out
    rc, out, err = cli(capsys, "list", "--json")
    assert [r["reference"] for r in json.loads(out)] == [ref]
    rc, out, err = cli(capsys, "list")
    assert rc == 0 and "search/findme" in out


def test_deploy_istio_from_registry(
    plain_registry: RegistryServer,
    tagged_module: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ref = f"{plain_registry.host}/team/deploy:1.0"
    digest = cli(capsys, "push", str(tagged_module), ref, "--plain-http")[1].strip()
    cfg = tmp_path / "cfg.json"
    cfg.write_text('{"issuer": "me"}')
    out_file = tmp_path / "wp.yaml"
    rc, _, err = cli(
        capsys,
        "deploy",
        "istio",
        ref,
        "--plain-http",
        "--config",
        str(cfg),
        "--phase",
        "AUTHZ",
        "--priority",
        "5",
        "--selector",
        "app=api",
        "-o",
        str(out_file),
    )
    assert rc == 0, err
    doc = yaml.safe_load(out_file.read_text())
    validate_wasmplugin(doc)
    spec = doc["spec"]
    assert spec["url"] == f"oci://{ref}"
    assert spec["sha256"] == digest.split(":")[1]  # the MANIFEST digest, as Istio compares
    istio_digest, _ = istio_fetch(plain_registry, "team/deploy", "1.0")
    assert spec["sha256"] == istio_digest
    assert spec["pluginName"] == "auth"
    assert spec["pluginConfig"] == {"issuer": "me"}


# -- errors ----------------------------------------------------------------------------------------


def test_missing_tag_and_repository(
    plain_registry: RegistryServer,
    tiny_module: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        cli(
            capsys, "push", str(tiny_module), f"{plain_registry.host}/team/exists:1", "--plain-http"
        )[0]
        == 0
    )
    out = tmp_path / "x.wasm"
    rc, _, err = cli(
        capsys, "pull", f"{plain_registry.host}/team/exists:nope", "-o", str(out), "--plain-http"
    )
    assert rc != 0
    assert "tag 'nope' not found" in one_error_line(err)
    rc, _, err = cli(
        capsys, "pull", f"{plain_registry.host}/no/such:1", "-o", str(out), "--plain-http"
    )
    assert rc != 0 and "not found" in one_error_line(err)
    wrong = "sha256:" + "0" * 64
    rc, _, err = cli(
        capsys, "pull", f"{plain_registry.host}/team/exists@{wrong}", "-o", str(out), "--plain-http"
    )
    assert rc != 0 and wrong in one_error_line(err)
    assert not out.exists()


def _blob_path(server: RegistryServer, digest: str) -> Path:
    hexd = digest.split(":")[1]
    return (
        server.root
        / "data"
        / "docker"
        / "registry"
        / "v2"
        / "blobs"
        / "sha256"
        / hexd[:2]
        / hexd
        / "data"
    )


def test_digest_mismatch_layer_and_manifest(
    plain_registry: RegistryServer,
    tmp_path: Path,
    tiny_module: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A module only this test uses (so its blobs are not shared with other repositories).
    from proxy_wasm_compiler.metadata import append_custom_section

    mine = tmp_path / "mine.wasm"
    mine.write_bytes(append_custom_section(tiny_module.read_bytes(), "x", b"mismatch-test"))
    ref = f"{plain_registry.host}/corrupt/me:1"
    digest = cli(capsys, "push", str(mine), ref, "--plain-http")[1].strip()
    manifest = json.loads(skopeo_raw(plain_registry, "corrupt/me:1"))
    layer = _blob_path(plain_registry, manifest["layers"][0]["digest"])
    original = layer.read_bytes()
    layer.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # the registry serves it as is
    out = tmp_path / "out.wasm"
    rc, _, err = cli(capsys, "pull", ref, "-o", str(out), "--plain-http")
    assert rc != 0 and "digest mismatch" in one_error_line(err)
    assert not out.exists() and list(tmp_path.glob(".out.wasm*")) == []
    layer.write_bytes(original)

    manifest_blob = _blob_path(plain_registry, digest)
    raw = manifest_blob.read_bytes()
    manifest_blob.write_bytes(raw.replace(b'"schemaVersion":2', b'"schemaVersion": 2'))
    rc, _, err = cli(capsys, "pull", ref, "-o", str(out), "--plain-http")
    assert rc != 0 and "digest mismatch" in one_error_line(err)
    assert not out.exists()
    manifest_blob.write_bytes(raw)
    assert cli(capsys, "pull", ref, "-o", str(out), "--plain-http")[0] == 0


def test_unreachable_registry(tiny_module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()  # nothing listens there
    rc, _, err = cli(capsys, "push", str(tiny_module), f"127.0.0.1:{port}/a/b:1", "--plain-http")
    assert rc != 0 and "cannot reach registry" in one_error_line(err)
    rc, _, err = cli(capsys, "pull", f"127.0.0.1:{port}/a/b:1", "--plain-http")
    assert rc != 0 and "cannot reach registry" in one_error_line(err)


def test_pull_not_a_plugin_image(
    plain_registry: RegistryServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An image whose only layer is a raw Wasm layer: Istio refuses it (Higress #4528)."""
    base = f"http://{plain_registry.host}/v2/bad/single"
    data = b"\0asm\x01\0\0\0"
    cfg = b"{}"
    for blob in (data, cfg):
        d = "sha256:" + hashlib.sha256(blob).hexdigest()
        loc = requests.post(f"{base}/blobs/uploads/", timeout=10).headers["Location"]
        sep = "&" if "?" in loc else "?"
        url = loc if loc.startswith("http") else f"http://{plain_registry.host}{loc}"
        requests.put(f"{url}{sep}digest={d}", data=blob, timeout=10).raise_for_status()
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": "application/vnd.module.wasm.config.v1+json",
            "digest": "sha256:" + hashlib.sha256(cfg).hexdigest(),
            "size": 2,
        },
        "layers": [
            {
                "mediaType": WASM_LAYER,
                "digest": "sha256:" + hashlib.sha256(data).hexdigest(),
                "size": len(data),
            }
        ],
    }
    requests.put(
        f"{base}/manifests/1",
        data=json.dumps(manifest),
        headers={"Content-Type": OCI_MANIFEST},
        timeout=10,
    ).raise_for_status()
    with pytest.raises(IstioRejects, match="number of layers must be 2 but got 1"):
        istio_fetch(plain_registry, "bad/single", "1")
    out = tmp_path / "x.wasm"
    rc, _, err = cli(
        capsys, "pull", f"{plain_registry.host}/bad/single:1", "-o", str(out), "--plain-http"
    )
    assert rc != 0 and "not a Wasm plugin image" in one_error_line(err)
    assert not out.exists()


def _rejecting(seen: Seen) -> Reply:
    """Accepts blobs, refuses manifests whose media types it does not know (as some
    registries do for vnd.module.wasm.* artifacts)."""
    if seen.method == "GET":
        return 200 if seen.path == "/v2/" else 404, b"{}", {}
    if seen.method == "HEAD":
        return 404, b"", {}
    if seen.method == "POST":
        return 202, b"", {"Location": "/v2/uploads/1"}
    if "/manifests/" in seen.path:
        error = {
            "code": "MANIFEST_INVALID",
            "message": "manifest invalid",
            "detail": "unknown media type application/vnd.module.wasm.config.v1+json",
        }
        return json_reply({"errors": [error]}, 400)
    return 201, b"", {}


@pytest.fixture
def rejecting_registry(fake_registry: Callable[[Handler], FakeRegistry]) -> str:
    return fake_registry(_rejecting).host


def test_registry_rejects_media_type(
    rejecting_registry: str, tiny_module: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = cli(
        capsys,
        "push",
        str(tiny_module),
        f"{rejecting_registry}/a/b:1",
        "--format",
        "oci",
        "--plain-http",
    )
    assert rc != 0 and out == ""
    line = one_error_line(err)
    assert "rejected the image manifest" in line and "unknown media type" in line
    assert "--format compat" in line


# -- TLS + basic auth --------------------------------------------------------------------------


def test_auth_and_tls(
    secure_registry: RegistryServer,
    tagged_module: Path,
    tmp_path: Path,
    config_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host, ca = secure_registry.host, str(secure_registry.ca_file)
    ref = f"{host}/secure/auth:1.0"

    # TLS without our CA: one line, with the hint
    rc, _, err = cli(capsys, "push", str(tagged_module), ref)
    assert rc != 0 and "certificate verify failed" in one_error_line(err)
    assert "--ca-file" in err

    # no credentials
    rc, _, err = cli(capsys, "push", str(tagged_module), ref, "--ca-file", ca)
    assert rc != 0 and "requires authentication" in one_error_line(err)

    # bad password: nothing stored, the password never shown
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong-password\n"))
    rc, out, err = cli(capsys, "login", host, "-u", USER, "--password-stdin", "--ca-file", ca)
    assert rc != 0 and "rejected the credentials" in one_error_line(err)
    assert "wrong-password" not in out + err
    assert not (config_dir / "credentials.json").exists()

    # good password
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    rc, out, err = cli(capsys, "login", host, "-u", USER, "--password-stdin", "--ca-file", ca)
    assert rc == 0, err
    assert PASSWORD not in out + err
    creds = config_dir / "credentials.json"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600

    rc, out, err = cli(capsys, "push", str(tagged_module), ref, "--ca-file", ca)
    assert rc == 0, err
    digest = out.strip()
    assert PASSWORD not in out + err
    raw = skopeo_raw(secure_registry, "secure/auth:1.0")
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == digest
    istio_digest, module = istio_fetch(secure_registry, "secure/auth", "1.0")
    assert module == tagged_module.read_bytes() and "sha256:" + istio_digest == digest

    dest = tmp_path / "secure.wasm"
    rc, out, err = cli(capsys, "pull", ref, "-o", str(dest), "--ca-file", ca)
    assert rc == 0, err
    assert dest.read_bytes() == tagged_module.read_bytes()
    rc, out, err = cli(capsys, "list", "--remote", host, "--ca-file", ca, "--json")
    assert rc == 0 and "secure/auth" in out

    # stored credentials that the registry no longer accepts -> 401 line
    from proxy_wasm_hub.credentials import Credential, CredentialStore

    CredentialStore().set(host, Credential(USER, "changed-since"))
    rc, _, err = cli(capsys, "pull", ref, "-o", str(tmp_path / "n.wasm"), "--ca-file", ca)
    assert rc != 0 and "401" in one_error_line(err) and "changed-since" not in err
    assert not (tmp_path / "n.wasm").exists()

    # logout forgets them
    rc, _, err = cli(capsys, "logout", host)
    assert rc == 0
    rc, _, err = cli(capsys, "pull", ref, "--ca-file", ca, "-o", str(tmp_path / "m.wasm"))
    assert rc != 0 and "requires authentication" in one_error_line(err)


@pytest.mark.envoy
def test_run_oci_reference_serves_the_pulled_filter(
    plain_registry: RegistryServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import signal
    import urllib.request

    from proxy_wasm_compiler.build import BuildOptions, build_filter
    from tests.http_support import start_run

    built = build_filter(
        Path(__file__).parent / "data" / "hub_filter.py",
        tmp_path / "hub_filter.wasm",
        options=BuildOptions(reuse=True),
    )
    ref = f"{plain_registry.host}/filters/run-me:1.0"
    rc, _out, err = cli(capsys, "push", str(built.path), ref, "--plain-http")
    assert rc == 0, err
    proc, url, _lines = start_run(
        f"oci://{ref}", "--port", "0", env={"PROXY_WASM_CONFIG_DIR": str(tmp_path / "cfg")}
    )
    try:
        with urllib.request.urlopen(url + "/from-registry", timeout=10) as resp:
            seen = json.loads(resp.read())
        assert seen["headers"]["x-hub"] == "pulled"
        os.kill(proc.pid, signal.SIGINT)
        proc.communicate(timeout=30)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
