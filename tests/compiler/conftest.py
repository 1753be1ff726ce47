"""Fixtures for the compiler tests: one tiny filter folder per scenario under filters/."""

from __future__ import annotations

from pathlib import Path

FILTERS = Path(__file__).parent / "filters"


def scenario_filter(name: str) -> Path:
    """The filter.py of the scenario folder ``name``."""
    path = FILTERS / name / "filter.py"
    assert path.is_file(), path
    return path
