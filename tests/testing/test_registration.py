"""A filter that registers no context is refused the same way in both runtimes (as the build)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm.testing import Host
from proxy_wasm_compiler.errors import UserError

NO_CONTEXT = Path(__file__).parent.parent / "compiler" / "filters" / "no_context" / "filter.py"


def test_no_context_is_refused(proxy_wasm_host: Callable[..., Host]) -> None:
    with pytest.raises(UserError) as info:
        proxy_wasm_host(NO_CONTEXT)
    assert str(info.value) == (
        f"{NO_CONTEXT}: filter.py registers no context: call proxy_wasm.set_http_context(...), "
        "proxy_wasm.set_stream_context(...) or proxy_wasm.set_root_context(...) at module level"
    )
