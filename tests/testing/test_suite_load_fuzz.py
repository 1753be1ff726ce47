"""The suite loader on any YAML document: a Suite, or one SuiteError inside the file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from proxy_wasm.testing.suite_load import PHASES, Suite, SuiteError, load_suite

KEYS = [
    "filter", "plugin_config", "properties", "clusters", "plugin_init", "tests", "name",
    "input", "result", "headers", "content", "end_of_stream", "trailers", "has_header",
    "no_header", "body", "immediate", "log", "metrics", "action", "exact", "regex", "invert",
    "http_status", "key", "value", "benchmark", "stream_init", "stream_destroy", *PHASES,
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(["filter.py", "continue", "pause", "x-a", "(", ".*", ""]),
    st.text(max_size=5),
)
VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=3)), inner, max_size=4),
    ),
    max_leaves=25,
)
EXPECT_KEYS = ["has_header", "no_header", "body", "immediate", "log", "metrics", "action"]
EXPECTATIONS = st.dictionaries(st.sampled_from([*EXPECT_KEYS, "bogus"]), VALUES, max_size=3)
INPUTS = st.dictionaries(
    st.sampled_from(["headers", "content", "end_of_stream", "trailers", "bogus"]),
    VALUES,
    max_size=3,
)
INVOCATIONS = st.fixed_dictionaries({}, optional={"input": INPUTS, "result": EXPECTATIONS})
TESTS = st.fixed_dictionaries(
    {"name": st.text(max_size=5)},
    optional={phase: st.one_of(INVOCATIONS, st.lists(INVOCATIONS, max_size=2)) for phase in PHASES}
    | {"stream_destroy": EXPECTATIONS, "benchmark": st.booleans(), "bogus": VALUES},
)
DOCUMENTS = st.fixed_dictionaries(
    {
        "filter": st.sampled_from(["filter.py", "filter.py", "missing.py"]),
        "tests": st.one_of(st.lists(TESTS, min_size=1, max_size=3), VALUES),
    },
    optional={k: VALUES for k in ("plugin_config", "properties", "clusters")}
    | {"plugin_init": EXPECTATIONS},
)


@given(st.one_of(DOCUMENTS, VALUES))
def test_any_document_loads_or_gives_one_located_error(document: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "filter.py").write_text("")
        path = folder / "suite.yaml"
        text = yaml.safe_dump(document)
        path.write_text(text)
        try:
            suite = load_suite(path)
        except SuiteError as exc:
            assert exc.file == str(path) and "\n" not in exc.message
            assert exc.line is None or 1 <= exc.line <= text.count("\n") + 1
        else:
            assert isinstance(suite, Suite) and suite.tests
