"""Test tiers for the whole repository (tests/ and examples/).

Every test gets one or more tier markers (see CONTRIBUTING.md)::

    unit      no module build, no Envoy, no registry: the seconds-long inner loop
    wasm      builds a module (the compiler, zig cc) or runs one in wasmtime
    envoy     starts a real Envoy on 127.0.0.1
    registry  starts a local OCI registry on 127.0.0.1

``envoy``, ``registry`` and ``wasm`` are set on the tests themselves, by the fixtures they use
(below), or, for ``proxy_wasm_runtime`` tests, by the proxy_wasm pytest plugin; a test with none
of them is ``unit``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Property tests (every boundary): ``ci`` (the default) runs 200 cases per property, ``fuzz``
# 5,000 and ``quick`` 20 (``HYPOTHESIS_PROFILE=fuzz pytest ...``). No deadline: the machine may
# be shared, and a wasm runtime's first call is slower than the rest.
for _name, _cases in (("ci", 200), ("fuzz", 5000), ("quick", 20)):
    settings.register_profile(
        _name,
        max_examples=_cases,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Fixtures that build a module (with the compiler or zig cc) before the test runs.
BUILDING_FIXTURES = frozenset(
    {
        "probe_wasm",
        "c_filter_wasm",
        "python_filters",
        "examples_envoy",
        "tiny_module",
        "tagged_module",
    }
)
HEAVY_TIERS = ("wasm", "envoy", "registry")


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BUILDING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.wasm)
        if not any(item.get_closest_marker(tier) for tier in HEAVY_TIERS):
            item.add_marker(pytest.mark.unit)
