"""Several filters in one module: the root id picks each root context's filter; an unknown root
id fails on_configure with a log line naming the known ones."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy_wasm_compiler.build import ROOT_ID, BuildOptions, FilterSpec, build_filters
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_compiler.wasm_module import read_module

FILTER = """
import proxy_wasm


class Headers(proxy_wasm.HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> proxy_wasm.Action:
        self.request_headers["x-filter"] = "{name}"
        return proxy_wasm.Action.CONTINUE


proxy_wasm.set_http_context(Headers)
"""


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("several")
    for name in ("alpha", "beta"):
        (folder / f"{name}.py").write_text(FILTER.replace("{name}", name))
    output = folder / "filters.wasm"
    build_filters(
        [folder / "alpha.py", f"{folder / 'beta.py'}:beta-v2"],
        output,
        options=BuildOptions(reuse=True),
    )
    return output


@pytest.mark.parametrize(("root_id", "header"), [("alpha", "alpha"), ("beta-v2", "beta")])
def test_the_root_id_picks_the_filter(module: Path, root_id: str, header: str) -> None:
    from proxy_wasm.testing import Host

    host = Host(module, runtime="wasm", root_id=root_id)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/", ":method": "GET"})
    assert stream.request_header("x-filter") == header


def test_an_unknown_root_id_fails_on_configure(module: Path) -> None:
    from proxy_wasm.testing import Host

    host = Host(module, runtime="wasm", root_id="gamma")
    assert not host.start()
    assert any(
        "no filter with root id 'gamma' in this module (its root ids: 'alpha', 'beta-v2')" in m
        for _level, m in host.emulator.logs
    )


def test_the_metadata_lists_the_root_ids(module: Path) -> None:
    info = read_module(module).build_info()
    assert info is not None
    assert info["root_ids"] == ["alpha", "beta-v2"]
    assert info["source"] == "alpha.py, beta.py"


def test_filters_in_two_folders_are_refused(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "f.py").write_text(FILTER)
    with pytest.raises(UserError, match="must be in one folder"):
        build_filters([tmp_path / "one" / "f.py", tmp_path / "two" / "f.py:g"], tmp_path / "x.wasm")


@given(st.text(max_size=40))
def test_a_filter_spec_is_parsed_or_refused(text: str) -> None:
    try:
        spec = FilterSpec.parse(text)
    except UserError as exc:
        assert "invalid root id" in str(exc)
        return
    assert ROOT_ID.fullmatch(spec.root_id)
    if ":" not in text:
        assert spec.source == Path(text)


def test_the_cli_needs_an_output_for_several_filters(tmp_path: Path) -> None:
    from proxy_wasm_cli import main

    (tmp_path / "a.py").write_text(FILTER)
    assert main(["build", str(tmp_path / "a.py"), str(tmp_path / "a.py:b")]) == 2


@pytest.mark.parametrize(
    "argv",
    [["run", "{m}", "--print-config"], ["deploy", "envoy", "{m}", "--url", "http://f/m.wasm"]],
    ids=["run", "deploy-envoy"],
)
def test_run_and_deploy_envoy_give_each_filter_a_plugin_of_one_vm(
    module: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    from proxy_wasm_cli import main

    assert main([a.replace("{m}", str(module)) for a in argv]) == 0
    text = capsys.readouterr().out
    plugins = [
        f["typed_config"]["config"]  # type: ignore[index]
        for doc in [yaml.safe_load(text)]
        for f in _http_filters(doc)
        if f["name"] == "envoy.filters.http.wasm"
    ]
    assert [p["root_id"] for p in plugins] == ["alpha", "beta-v2"]
    assert {p["vm_config"]["vm_id"] for p in plugins} == {"proxy-wasm-python"}


def _http_filters(doc: dict[str, object]) -> list[dict[str, object]]:
    if "http_filters" in doc:
        return doc["http_filters"]  # type: ignore[return-value]
    listener = doc["static_resources"]["listeners"][0]  # type: ignore[index]
    hcm = listener["filter_chains"][0]["filters"][0]["typed_config"]
    return hcm["http_filters"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("root_id", "header"), [("alpha", "alpha"), ("beta-v2", "beta")])
def test_the_root_id_picks_the_filter_in_the_null_runtime(
    tmp_path: Path, root_id: str, header: str
) -> None:
    """The same entry module the build generates, run by the test host's null runtime."""
    from proxy_wasm.testing import Host
    from proxy_wasm_compiler.build import FILTERS_MODULE, _filters_module

    for name in ("alpha", "beta"):
        (tmp_path / f"{name}.py").write_text(FILTER.replace("{name}", name))
    specs = [
        FilterSpec.parse(tmp_path / "alpha.py"),
        FilterSpec.parse(f"{tmp_path}/beta.py:beta-v2"),
    ]
    entry = tmp_path / f"{FILTERS_MODULE}.py"
    entry.write_text(_filters_module(specs, tmp_path))
    for name in ("alpha", "beta", FILTERS_MODULE):  # the filters of the other parameter
        sys.modules.pop(name, None)
    host = Host(entry, runtime="null", root_id=root_id)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/", ":method": "GET"})
    assert stream.request_header("x-filter") == header
