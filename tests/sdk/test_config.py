"""JSON configuration into dataclasses, with located errors."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

import pytest

from proxy_wasm import ConfigError, load_config


class Mode(enum.Enum):
    FAST = "fast"
    SAFE = "safe"


@dataclass
class Limits:
    rate: int
    burst: int = 10
    ratio: float = 1.0


@dataclass
class Config:
    header: str
    limits: Limits = field(default_factory=lambda: Limits(rate=1))
    tags: list[str] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)
    mode: Mode = Mode.SAFE
    level: Literal["low", "high"] = "low"
    note: str | None = None
    enabled: bool = True


def test_loads_nested() -> None:
    cfg = load_config(
        Config,
        b'{"header": "x-a", "limits": {"rate": 5, "ratio": 2}, "tags": ["a"],'
        b' "extra": {"k": 1}, "mode": "fast", "level": "high", "note": null}',
    )
    assert cfg == Config(
        header="x-a",
        limits=Limits(rate=5, ratio=2.0),
        tags=["a"],
        extra={"k": 1},
        mode=Mode.FAST,
        level="high",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"header": "h", "limits": {"rate": "x"}}', '$.limits.rate: expected int, got "x"'),
        ('{"header": "h", "limits": {"rate": true}}', "$.limits.rate: expected int, got true"),
        ('{"header": 1}', "$.header: expected str, got 1"),
        ('{"header": "h", "limits": {"rate": 1, "ratee": 2}}', "$.limits: unknown key 'ratee'"),
        ('{"header": "h", "limits": {}}', "$.limits: missing required key 'rate'"),
        ('{"header": "h", "tags": ["a", 2]}', "$.tags[1]: expected str, got 2"),
        ('{"header": "h", "extra": {"k": "v"}}', '$.extra.k: expected int, got "v"'),
        ('{"header": "h", "mode": "slow"}', '$.mode: expected one of "fast", "safe", got "slow"'),
        ('{"header": "h", "level": "mid"}', '$.level: expected one of "low", "high", got "mid"'),
        ('{"header": "h", "note": 3}', "$.note: expected str, got 3"),
        ("[1]", "$: expected object (Config), got [1]"),
        ('{"header": ', "line 1 column 12: invalid JSON"),
    ],
)
def test_located_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(Config, text)
    assert str(info.value).startswith(message)


def test_empty_config_uses_defaults() -> None:
    @dataclass
    class Opt:
        a: int = 1

    assert load_config(Opt, None) == Opt()
    assert load_config(Opt, b"") == Opt()
    with pytest.raises(ConfigError, match="missing required key 'header'"):
        load_config(Config, None)


def test_decoded_input() -> None:
    assert load_config(Limits, {"rate": 3}) == Limits(rate=3)
