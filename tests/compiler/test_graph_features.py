"""The stdlib modules behind an SDK feature are bundled only when the filter uses the feature."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxy_wasm_compiler.graph import build_graph

PLAIN = """\
import proxy_wasm


class F(proxy_wasm.HttpContext):
    pass


proxy_wasm.set_http_context(F)
"""

CONFIGURED = """\
import dataclasses

import proxy_wasm


@dataclasses.dataclass
class Settings:
    header: str = "x-a"


class Root(proxy_wasm.RootContext):
    def on_configure(self, size: int) -> bool:
        self.settings = proxy_wasm.load_config(Settings, self.get_plugin_configuration())
        return True


proxy_wasm.set_root_context(Root)
"""


def modules(tmp_path: Path, source: str, name: str = "filter.py") -> set[str]:
    path = tmp_path / name
    path.write_text(source)
    return {m.name for m in build_graph(path).python_modules}


def test_a_plain_filter_carries_no_config_logging_or_traceback_machinery(tmp_path: Path) -> None:
    found = modules(tmp_path, PLAIN)
    assert {"proxy_wasm", "proxy_wasm.config", "proxy_wasm.log", "proxy_wasm._traceback"} <= found
    assert not found & {"dataclasses", "typing", "inspect", "json", "logging", "traceback", "re"}


def test_load_config_brings_its_modules(tmp_path: Path) -> None:
    assert {"dataclasses", "typing", "json"} <= modules(tmp_path, CONFIGURED)


@pytest.mark.parametrize(
    "mention",
    [
        "proxy_wasm.log.install_logging_handler()",
        "from proxy_wasm.log import LogHandler",
    ],
)
def test_the_logging_handler_brings_logging(tmp_path: Path, mention: str) -> None:
    assert "logging" in modules(tmp_path, PLAIN + mention + "\n")


def test_a_mention_in_a_helper_module_counts(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("import proxy_wasm\n\nload = proxy_wasm.load_config\n")
    assert "dataclasses" in modules(tmp_path, "import helpers\n" + PLAIN)


@pytest.mark.wasm
def test_a_feature_reached_only_through_getattr_says_why_it_is_missing(tmp_path: Path) -> None:
    from proxy_wasm.testing import Host
    from proxy_wasm_compiler.build import BuildOptions, build_filter

    source = tmp_path / "filter.py"
    source.write_text(
        PLAIN
        + (
            "\n\nclass Root(proxy_wasm.RootContext):\n"
            "    def on_configure(self, size: int) -> bool:\n"
            "        getattr(proxy_wasm, 'load_' + 'config')(dict, b'{}')\n"
            "        return True\n\n\n"
            "proxy_wasm.set_root_context(Root)\n"
        )
    )
    host = Host(build_filter(source, options=BuildOptions(reuse=True)).path, runtime="wasm")
    assert not host.start()
    errors = "\n".join(message for level, message in host.emulator.logs if level >= 4)
    assert "load_config needs the module 'dataclasses', which this build did not bundle" in errors
