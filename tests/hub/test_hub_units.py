"""Hub parts that need no registry: references, image layouts, module checks, Istio YAML,
credential storage, CLI error lines."""

from __future__ import annotations

import gzip
import io
import json
import stat
import tarfile
from pathlib import Path

import pytest
import yaml

from proxy_wasm_cli import main
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_hub import image as img
from proxy_wasm_hub.credentials import Credential, CredentialStore
from proxy_wasm_hub.reference import parse_reference
from tests.hub.hubtest_support import validate_wasmplugin

# -- references --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "registry", "repo", "tag", "digest"),
    [
        ("127.0.0.1:5000/team/auth:1.0", "127.0.0.1:5000", "team/auth", "1.0", None),
        ("oci://ghcr.io/acme/auth", "ghcr.io", "acme/auth", "latest", None),
        ("localhost/auth:v2", "localhost", "auth", "v2", None),
        ("auth", "docker.io", "library/auth", "latest", None),
        (
            "127.0.0.1:5000/a/b@sha256:" + "a" * 64,
            "127.0.0.1:5000",
            "a/b",
            None,
            "sha256:" + "a" * 64,
        ),
        ("r.io/a:1@sha256:" + "b" * 64, "r.io", "a", "1", "sha256:" + "b" * 64),
    ],
)
def test_parse_reference(
    text: str, registry: str, repo: str, tag: str | None, digest: str | None
) -> None:
    ref = parse_reference(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repo, tag, digest)


@pytest.mark.parametrize(
    "text", ["", "http://x/y", "r.io/UPPER:1", "r.io/a@sha256:12", "r.io/a:bad tag", "r.io/a//b"]
)
def test_parse_reference_rejects(text: str) -> None:
    with pytest.raises(UserError):
        parse_reference(text)


# -- modules -------------------------------------------------------------------------------------


def test_module_info_reads_abi_and_build_section(tagged_module: Path) -> None:
    info = img.read_module_file(tagged_module)
    assert info.abi_exports == ("proxy_abi_version_0_2_1",)
    assert info.abi_versions == ("0.2.1",)
    assert info.sdk_version == "0.1.0"
    assert info.python_version == "3.11.7"
    assert info.root_ids == ("auth",)


def test_module_info_tolerates_missing_section(tiny_module: Path) -> None:
    info = img.read_module_file(tiny_module)
    assert info.build_info == {}
    ann = img.module_annotations(info, title="tiny")
    assert ann[img.ANN_ABI_VERSION] == "0.2.1"
    assert img.ANN_SDK_VERSION not in ann


def test_not_proxy_wasm(tmp_path: Path) -> None:
    text = tmp_path / "notes.wasm"
    text.write_text("hello")
    with pytest.raises(UserError, match="not a Proxy-Wasm module"):
        img.read_module_file(text)
    empty = tmp_path / "empty.wasm"
    empty.write_bytes(b"\0asm\x01\0\0\0")  # a valid module without proxy_abi_version_*
    with pytest.raises(UserError, match="exports no proxy_abi_version_"):
        img.read_module_file(empty)


# -- image layouts -------------------------------------------------------------------------------


def test_compat_layout(tagged_module: Path) -> None:
    info = img.read_module_file(tagged_module)
    image = img.build_image(info, img.module_annotations(info, title="auth"), "compat")
    manifest = json.loads(image.manifest)
    assert manifest["mediaType"] == img.OCI_MANIFEST
    assert manifest["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json"
    assert [x["mediaType"] for x in manifest["layers"]] == [img.OCI_LAYER_TGZ]
    assert manifest["annotations"]["module.wasm.image/variant"] == "compat"
    assert manifest["annotations"]["io.proxy-wasm-python.root-ids"] == "auth"
    config = json.loads(image.config.data)
    assert config["architecture"] and config["os"]
    layer = image.layers[0].data
    tar_bytes = gzip.decompress(layer)
    assert config["rootfs"] == {"type": "layers", "diff_ids": [img.sha256_digest(tar_bytes)]}
    with tarfile.open(fileobj=io.BytesIO(layer), mode="r:gz") as tar:
        names = tar.getnames()
        f = tar.extractfile("plugin.wasm")
        assert f is not None and f.read() == info.data
    assert names == ["plugin.wasm", "runtime-config.json"]
    # deterministic: the same input gives the same digest
    again = img.build_image(info, img.module_annotations(info, title="auth"), "compat")
    assert again.digest == image.digest


def test_oci_layout_has_exactly_two_layers(tiny_module: Path) -> None:
    info = img.read_module_file(tiny_module)
    image = img.build_image(info, img.module_annotations(info), "oci")
    manifest = json.loads(image.manifest)
    assert manifest["config"]["mediaType"] == img.WASM_CONFIG
    assert [x["mediaType"] for x in manifest["layers"]] == [img.WASM_CONFIG, img.WASM_CONTENT_LAYER]
    assert "module.wasm.image/variant" not in manifest["annotations"]
    assert image.layers[1].data == info.data
    rc = json.loads(image.config.data)
    assert rc["type"] == "envoy_proxy" and rc["abiVersions"] == ["proxy_abi_version_0_2_1"]


def test_reader_refuses_what_istio_refuses() -> None:
    single = {
        "mediaType": img.OCI_MANIFEST,
        "layers": [{"mediaType": img.WASM_CONTENT_LAYER, "digest": "sha256:x", "size": 1}],
    }
    with pytest.raises(UserError, match="not a Wasm plugin image"):
        img.module_layer(single, None, "r")
    three = {
        "mediaType": img.OCI_MANIFEST,
        "layers": [
            {"mediaType": img.WASM_CONFIG},
            {"mediaType": img.WASM_CONTENT_LAYER},
            {"mediaType": img.WASM_CONFIG},
        ],
    }
    with pytest.raises(UserError, match="3 layer"):
        img.module_layer(three, None, "r")


# -- Istio ---------------------------------------------------------------------------------------


def test_deploy_istio_file_validates_against_crd(
    tagged_module: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "auth.yaml"
    cfg.write_text("issuer: https://idp.example\nrequired: true\nlimits: [1, 2]\n")
    rc = main(
        [
            "deploy",
            "istio",
            str(tagged_module),
            "--url",
            "https://files.example/auth.wasm",
            "--phase",
            "AUTHN",
            "--priority",
            "10",
            "--config",
            str(cfg),
            "--match",
            "SERVER:8080,9090",
            "--fail-strategy",
            "FAIL_OPEN",
            "--selector",
            "app=web",
            "-n",
            "shop",
            "--env",
            "MODE=strict",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    doc = yaml.safe_load(out)
    validate_wasmplugin(doc)
    spec = doc["spec"]
    assert spec["url"] == "https://files.example/auth.wasm"
    assert spec["sha256"] == img.sha256_digest(tagged_module.read_bytes()).split(":")[1]
    assert spec["pluginName"] == "auth"
    assert spec["phase"] == "AUTHN" and spec["priority"] == 10
    assert spec["pluginConfig"] == {
        "issuer": "https://idp.example",
        "required": True,
        "limits": [1, 2],
    }
    assert spec["match"] == [{"mode": "SERVER", "ports": [{"number": 8080}, {"number": 9090}]}]
    assert spec["selector"] == {"matchLabels": {"app": "web"}}
    assert spec["failStrategy"] == "FAIL_OPEN"
    assert doc["metadata"] == {"name": "auth", "namespace": "shop"}


def test_deploy_istio_errors(
    tagged_module: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy", "istio", str(tagged_module)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--url" in err and err.count("\n") == 1
    bad = tmp_path / "list.json"
    bad.write_text("[1, 2]")
    assert (
        main(
            [
                "deploy",
                "istio",
                str(tagged_module),
                "--url",
                "http://x/a.wasm",
                "--config",
                str(bad),
            ]
        )
        == 2
    )
    assert "must be a mapping" in capsys.readouterr().err
    out = tmp_path / "wp.yaml"
    assert (
        main(
            [
                "deploy",
                "istio",
                str(tagged_module),
                "--url",
                "http://x/a.wasm",
                "--match",
                "SIDEWAYS",
                "-o",
                str(out),
            ]
        )
        == 2
    )
    assert "mode must be one of" in capsys.readouterr().err
    assert not out.exists()
    assert main(["deploy", "istio", "127.0.0.1:5000/a:1", "--offline"]) == 2
    assert "--offline needs a pinned reference" in capsys.readouterr().err


def test_deploy_istio_offline_pinned(capsys: pytest.CaptureFixture[str]) -> None:
    digest = "c" * 64
    assert (
        main(
            [
                "deploy",
                "istio",
                f"registry.example/team/auth@sha256:{digest}",
                "--offline",
                "--plugin-name",
                "auth",
            ]
        )
        == 0
    )
    doc = yaml.safe_load(capsys.readouterr().out)
    validate_wasmplugin(doc)
    assert doc["spec"]["url"] == f"oci://registry.example/team/auth@sha256:{digest}"
    assert doc["spec"]["sha256"] == digest


# -- credentials and CLI errors ------------------------------------------------------------------


def test_credentials_file_is_private(config_dir: Path) -> None:
    store = CredentialStore()
    store.set("r.example:5000", Credential("me", "hunter2"))
    path = config_dir / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    assert "hunter2" not in repr(store.get("r.example:5000"))
    assert store.get("r.example:5000") == Credential("me", "hunter2")
    assert store.remove("r.example:5000")
    assert store.get("r.example:5000") is None


def test_push_refuses_non_proxy_wasm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "fake.wasm"
    fake.write_bytes(b"\x7fELF not wasm")
    # the module check comes before any network access: no registry needed
    assert main(["push", str(fake), "127.0.0.1:9/x/y:1", "--plain-http"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {fake}: not a Proxy-Wasm module")
    assert err.count("\n") == 1
    assert main(["push", str(tmp_path / "missing.wasm"), "127.0.0.1:9/x/y:1"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for cmd in (["push"], ["pull"], ["tag"], ["login"], ["logout"], ["list"], ["deploy", "istio"]):
        assert main([*cmd, "--help"]) == 0
        assert "Example" in capsys.readouterr().out


# -- issue 14: no password echoed, tar layers bounded ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "alice:hunter2@127.0.0.1:5000/team/a:1",
        "oci://alice:hunter2@ghcr.io/team/a",
        "https://alice:hunter2@ghcr.io/a:1",
        "alice:hunter2@ghcr.io",
    ],
)
def test_reference_with_credentials_is_redacted(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UserError) as info:
        parse_reference(text)
    assert "hunter2" not in str(info.value)
    assert "proxy-wasm login" in str(info.value)
    assert main(["pull", text]) == 2
    err = capsys.readouterr().err
    assert "hunter2" not in err and err.count("\n") == 1


def test_layer_with_too_many_members_is_refused_early() -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for i in range(img.MAX_LAYER_MEMBERS + 5):
            tar.addfile(tarfile.TarInfo(f"f{i}"), io.BytesIO(b""))
        data = b"\0asm\x01\0\0\0"
        member = tarfile.TarInfo("plugin.wasm")
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    with pytest.raises(UserError, match=r"more than \d+ entries"):
        img.extract_plugin(gzip.compress(raw.getvalue()), "compat", "ref")
