"""Generate docs/api.md, the SDK's API reference, from its docstrings.

Run ``python scripts/gen_api_docs.py`` after changing the public API; ``tests/test_api_docs.py``
fails while docs/api.md is out of date.
"""

from __future__ import annotations

import enum
import inspect
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "api.md"
SUBMODULES = (
    "proxy_wasm.log",
    "proxy_wasm.properties",
    "proxy_wasm.config",
    "proxy_wasm.metrics",
    "proxy_wasm.errors",
    "proxy_wasm.grpc",
    "proxy_wasm.protobuf",
    "proxy_wasm.envoy",
    "proxy_wasm.testing",
)


def _doc(obj: object) -> str:
    return inspect.cleandoc(inspect.getdoc(obj) or "(no docstring)")


def _signature(obj: object) -> str:
    try:
        return str(inspect.signature(obj))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "(...)"


def _class(name: str, cls: type) -> list[str]:
    lines = [f"### `{name}`", "", _doc(cls), ""]
    if issubclass(cls, enum.Enum):
        members = ", ".join(f"`{m.name}` = {m.value!r}" for m in cls)
        return [*lines, f"Members: {members}", ""]
    # A class built from mixins of its own package's modules (the emulator) lists theirs too.
    members: dict[str, object] = {}
    for base in reversed(cls.__mro__):
        if base is cls or base.__module__.startswith(cls.__module__ + "."):
            members.update(vars(base))
    for attr, member in sorted(members.items()):
        if attr.startswith("_") or not (inspect.isfunction(member) or isinstance(member, property)):
            continue
        if attr.startswith("proxy_") and cls.__name__ == "Emulator":
            continue  # one per ABI import, named after it: see docs/design.md, contract 1
        if isinstance(member, property):
            lines += [f"- **`{attr}`** (property): {_doc(member).splitlines()[0]}"]
        else:
            lines += [f"- **`{attr}{_signature(member)}`**: {_doc(member).splitlines()[0]}"]
    return [*lines, ""]


def _module(module_name: str) -> list[str]:
    module = sys.modules.get(module_name) or __import__(module_name, fromlist=["_"])
    names = getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")])
    lines = [f"## `{module_name}`", "", _doc(module), ""]
    for name in sorted(names):
        obj = getattr(module, name)
        if inspect.isclass(obj):
            lines += _class(name, obj)
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
            lines += [f"### `{name}{_signature(obj)}`", "", _doc(obj), ""]
    return lines


def render() -> str:
    """The text of docs/api.md."""
    lines = [
        "# API reference",
        "",
        "Generated from the docstrings by `scripts/gen_api_docs.py`; do not edit.",
        "",
    ]
    lines += _module("proxy_wasm")
    for name in SUBMODULES:
        lines += _module(name)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(render())
    print(f"wrote {OUTPUT}")
