"""The CLI's shape: commands imported only when they run, each group naming its commands, one
version, and `run`'s work callable as a library (proxy_wasm_envoy.serve)."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

import proxy_wasm
import proxy_wasm_compiler
from proxy_wasm_cli import COMMANDS, cli, main
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_envoy.config import ClusterSpec
from proxy_wasm_envoy.serve import plan_serve

HEAVY = ("oras", "requests", "proxy_wasm_hub", "proxy_wasm_envoy", "wasmtime")


def _modules_after(argv: list[str]) -> set[str]:
    script = (
        "import json, sys\n"
        "from proxy_wasm_cli import main\n"
        f"code = main({argv!r})\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "argv",
    [
        ["build", "--help"],
        ["build", "/nonexistent/filter.py"],
        ["inspect", "--help"],
        ["--version"],
    ],
    ids=["build-help", "build-error", "inspect-help", "version"],
)
def test_build_and_inspect_import_no_hub_or_envoy_runner(argv: list[str]) -> None:
    loaded = _modules_after(argv)
    assert "proxy_wasm_cli" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.wasm
def test_a_real_build_imports_no_hub_or_envoy_runner(hello_filter: Path, tmp_path: Path) -> None:
    loaded = _modules_after(["build", str(hello_filter), "-o", str(tmp_path / "hello.wasm")])
    assert (tmp_path / "hello.wasm").exists()
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_every_listed_command_resolves_under_its_name() -> None:
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
    deploy = cli.get_command(ctx, "deploy")
    assert isinstance(deploy, click.Group)
    sub = click.Context(deploy)
    assert deploy.list_commands(sub) == ["envoy", "istio"]
    for name in ("envoy", "istio"):
        command = deploy.get_command(sub, name)
        assert command is not None and command.name == name


def test_one_version_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    shown = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    installed = importlib.metadata.version("proxy-wasm-python")
    assert shown == installed == proxy_wasm.__version__ == proxy_wasm_compiler.__version__


def test_serve_plan_for_a_module(tiny_module: Path) -> None:
    plan = plan_serve(str(tiny_module), config='{"a": 1}', port=0, root_id="r")
    assert plan.listener.wasm_path == tiny_module and plan.listener.root_id == "r"
    assert plan.clusters == [] and plan.needs_echo and plan.notes == []
    text = plan.config_yaml()
    assert text.startswith("# cluster 'upstream': `proxy-wasm run` puts its echo upstream here")
    assert '{"a": 1}' in text and "port_value: 8080" in text


def test_serve_plan_with_an_upstream_and_clusters(tiny_module: Path) -> None:
    auth = ClusterSpec("auth", 9000, "127.0.0.2")
    plan = plan_serve(str(tiny_module), upstream=("127.0.0.3", 7000), clusters=[auth])
    assert plan.clusters == [auth] and not plan.needs_echo
    text = plan.config_yaml()
    assert not text.startswith("#")
    assert "127.0.0.3" in text and "port_value: 7000" in text
    assert "name: auth" in text and "port_value: 9000" in text


def test_serve_plan_for_the_native_runtime_is_the_same_plan_with_a_native_listener() -> None:
    folder = Path(__file__).resolve().parents[2] / "examples" / "http_auth_random"
    auth = ClusterSpec("elsewhere", 9000, "127.0.0.2")
    plan = plan_serve(str(folder), port=0, root_id="r", clusters=[auth], native=True)
    assert plan.resolved is None and plan.native_dir is not None
    assert [c.name for c in plan.clusters] == ["httpbin", "elsewhere"] and plan.needs_echo
    assert plan.notes and "httpbin" in plan.notes[0]
    text = plan.config_yaml()
    assert text.startswith(f"# run Envoy with ENVOY_DYNAMIC_MODULES_SEARCH_PATH={plan.native_dir}")
    assert "DynamicModuleFilter" in text and "wasm_path" not in text
    assert plan.component_log_level("info") == "wasm:info,dynamic_modules:info"


def test_serve_plan_for_the_native_runtime_refuses_wasm(tiny_module: Path) -> None:
    with pytest.raises(UserError, match="not Wasm"):
        plan_serve(str(tiny_module), native=True)
