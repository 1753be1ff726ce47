"""The test host builds through the Builder protocol, never by importing the compiler."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from proxy_wasm.testing import Builder, Host, WasmUnavailable, builder, set_builder
from proxy_wasm.testing.wasm_runtime import WasmLoadError

FILTER = """\
import proxy_wasm


class Hello(proxy_wasm.HttpContext):
    pass


proxy_wasm.set_http_context(Hello)
"""


class RecordingBuilder:
    """Writes a module that is not Proxy-Wasm, and remembers what it was asked."""

    def __init__(self, refuse: str | None = None) -> None:
        self.built: list[tuple[Path, Path]] = []
        self.checked: list[Path] = []
        self.refuse = refuse

    def build(self, source: Path, output: Path) -> Path:
        self.built.append((source, output))
        output.write_bytes(b"\0asm\x01\0\0\0")
        return output

    def check_imports(self, source: Path) -> None:
        self.checked.append(source)
        if self.refuse:
            raise ImportError(self.refuse)

    def user_error(self, message: str, source: Path) -> Exception:
        return ValueError(f"{source}: {message}")


@pytest.fixture
def filter_file(tmp_path: Path) -> Path:
    path = tmp_path / "hello.py"
    path.write_text(FILTER)
    return path


@pytest.fixture(autouse=True)
def fresh_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builder, "_explicit", None)
    monkeypatch.setattr(builder, "_discovered", None)


@pytest.fixture
def no_installed_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builder, "_entry_points", lambda: [])


def test_the_installed_builder_is_the_compiler() -> None:
    found = builder.find_builder()
    assert isinstance(found, Builder)
    assert type(found).__module__ == "proxy_wasm_compiler.host_builder"


def test_the_wasm_runtime_builds_with_the_given_builder(
    filter_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROXY_WASM_CACHE", str(tmp_path / "cache"))
    fake = RecordingBuilder()
    set_builder(fake)
    with pytest.raises(WasmLoadError):  # the fake's module is empty: loading it fails
        Host(filter_file, runtime="wasm")
    [(source, output)] = fake.built
    assert source == filter_file
    assert output.parent == tmp_path / "cache" / "test-host" and output.suffix == ".wasm"


def test_the_null_runtime_checks_imports_with_the_builder(filter_file: Path) -> None:
    fake = RecordingBuilder(refuse="socket cannot work in a proxy")
    set_builder(fake)
    with pytest.raises(ImportError, match="socket cannot work"):
        Host(filter_file, runtime="null")
    assert fake.checked == [filter_file.resolve()]


@pytest.mark.usefixtures("no_installed_builder")
def test_without_a_builder_the_wasm_runtime_says_how_to_get_one(filter_file: Path) -> None:
    with pytest.raises(WasmUnavailable) as info:
        Host(filter_file, runtime="wasm")
    message = str(info.value)
    assert "hello.py" in message and "'proxy_wasm.builders'" in message
    assert "set_builder" in message


@pytest.mark.usefixtures("no_installed_builder")
def test_without_a_builder_the_null_runtime_runs_unchecked(filter_file: Path) -> None:
    assert Host(filter_file, runtime="null").start()


def test_a_wrong_entry_point_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    class Entry:
        value = "somewhere:Nothing"

        def load(self) -> type:
            return object

    monkeypatch.setattr(builder, "_entry_points", lambda: [Entry()])
    with pytest.raises(TypeError, match="somewhere:Nothing"):
        builder.find_builder()


def test_the_test_host_imports_no_build_tool() -> None:
    script = (
        "import sys\n"
        "import proxy_wasm.testing\n"
        "from proxy_wasm.testing import suite, pytest_plugin, null_runtime, wasm_runtime\n"
        "tools = ('proxy_wasm_compiler', 'proxy_wasm_envoy', 'proxy_wasm_hub', 'proxy_wasm_cli')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in tools))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
