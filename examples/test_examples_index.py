"""Every example has the same files, is listed in examples/README.md, and its README's curl
commands work against the example served by a real Envoy."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from examples._support.spec import EXAMPLES_DIR, all_examples
from proxy_wasm_envoy import RunningEnvoy
from proxy_wasm_envoy.deployment import Deployment

EXAMPLES = all_examples()
REQUIRED_FILES = ("filter.py", "README.md", "test_filter.py", "example.yaml")


@pytest.mark.parametrize("spec", EXAMPLES, ids=[s.name for s in EXAMPLES])
def test_example_has_the_standard_files(spec: Deployment) -> None:
    missing = [name for name in REQUIRED_FILES if not (spec.path / name).exists()]
    assert not missing, f"{spec.name} lacks {missing}"
    assert spec.summary, f"{spec.name}/example.yaml needs a summary"
    readme = (spec.path / "README.md").read_text()
    assert f"proxy-wasm run examples/{spec.name}" in readme
    assert "curl" in readme


def test_index_lists_every_example() -> None:
    index = (EXAMPLES_DIR / "README.md").read_text()
    for spec in EXAMPLES:
        assert f"[{spec.name}]({spec.name}/)" in index, f"{spec.name} missing from the index"


def readme_curls(text: str) -> list[list[str]]:
    """The curl commands of a README's sh blocks, as argv lists."""
    commands = []
    for block in re.findall(r"```(?:sh|bash|console)\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("curl "):
                commands.append(shlex.split(line.split(" #")[0]))
    return commands


WASM_EXAMPLES = [
    pytest.param(
        s,
        id=s.name,
        marks=[pytest.mark.skip(reason="native-only (C extension): its curls run in tests/native")]
        if s.native_only
        else [],
    )
    for s in EXAMPLES
]


@pytest.mark.envoy
@pytest.mark.parametrize("spec", WASM_EXAMPLES)
def test_readme_curl_works_in_envoy(spec, examples_envoy: RunningEnvoy) -> None:  # type: ignore[no-untyped-def]
    commands = readme_curls((spec.path / "README.md").read_text())
    assert commands, f"{spec.name}/README.md has no curl command in a sh block"
    run_curls(commands, examples_envoy.url(spec.name))


def run_curls(commands: list[list[str]], base: str) -> None:
    """Run a README's curl commands against ``base`` (instead of 127.0.0.1:10000)."""
    base = base.rstrip("/")
    for argv in commands:
        argv = [a.replace("http://127.0.0.1:10000", base) for a in argv]
        proc = subprocess.run(
            [*argv, "-s", "-i", "--max-time", "10"], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, (argv, proc.stderr)
        assert proc.stdout.startswith("HTTP/1.1 "), (argv, proc.stdout[:300])


@pytest.mark.wasm  # `run` builds the filter
@pytest.mark.envoy  # and Envoy validates the configuration
@pytest.mark.parametrize("spec", EXAMPLES, ids=[s.name for s in EXAMPLES])
def test_run_config_for_the_example_is_valid_envoy(
    spec: Deployment,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from proxy_wasm_cli import main
    from proxy_wasm_envoy import validate_config

    native = ["--native"] if spec.native_only else []
    assert main(["run", str(spec.path), "--print-config", *native]) == 0
    config = tmp_path / "envoy.yaml"
    config.write_text(capsys.readouterr().out)
    if spec.native_only:
        from proxy_wasm_envoy.native import use_native_module

        use_native_module()
    validate_config(config)
    text = config.read_text()
    for cluster in spec.clusters:
        assert f"name: {cluster}" in text
    assert ("envoy.filters.network.wasm" in text) == (spec.kind == "tcp")
