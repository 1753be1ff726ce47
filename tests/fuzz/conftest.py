"""Hypothesis profiles for the fuzz tests: ``ci`` (default, 200 cases per property) and ``fuzz``
(``HYPOTHESIS_PROFILE=fuzz``: 5,000). No deadline: the wasm runtime's first call is slower."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("ci", max_examples=200, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("fuzz", max_examples=5000, **_COMMON)  # type: ignore[arg-type]
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
