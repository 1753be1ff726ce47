"""example.yaml deployment files: read as documented, mistakes located."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxy_wasm_compiler.errors import UserError
from proxy_wasm_envoy.deployment import load_deployment


def test_missing_file_means_a_plain_http_filter(tmp_path: Path) -> None:
    deployment = load_deployment(tmp_path)
    assert deployment.kind == "http" and deployment.plugins == [] and deployment.config is None
    assert deployment.filter == tmp_path / "filter.py"


def test_keys_are_read(tmp_path: Path) -> None:
    (tmp_path / "example.yaml").write_text(
        "summary: s\nkind: tcp\nconfig: {a: 1}\nclusters: {auth: echo}\n"
        "plugins:\n  - {filter: receiver.py, root_id: r}\ntcp_proxy: {max_early_data_bytes: 9}\n"
    )
    deployment = load_deployment(tmp_path)
    assert deployment.kind == "tcp" and deployment.config == {"a": 1}
    assert deployment.clusters == {"auth": "echo"}
    assert deployment.plugins[0].filter == tmp_path / "receiver.py"
    assert deployment.plugins[0].root_id == "r"
    listener = deployment.listener("l", lambda p: p.with_suffix(".wasm"))
    assert listener.kind == "tcp" and [p.root_id for p in listener.plugins] == ["r", ""]
    assert listener.tcp_proxy_options == {"max_early_data_bytes": 9}


def test_unknown_key_is_located(tmp_path: Path) -> None:
    spec = tmp_path / "example.yaml"
    spec.write_text("summary: s\nclustres: {a: echo}\n")
    with pytest.raises(UserError) as info:
        load_deployment(tmp_path)
    assert str(info.value).startswith(f"{spec}:2:1: unknown key 'clustres'")


def test_bad_yaml_is_located(tmp_path: Path) -> None:
    spec = tmp_path / "example.yaml"
    spec.write_text("summary: [unclosed\n")
    with pytest.raises(UserError) as info:
        load_deployment(tmp_path)
    assert str(info.value).startswith(f"{spec}:2:")
