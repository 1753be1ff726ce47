"""A small reader of WebAssembly binary modules (no external dependencies).

It reads what the tools need to know about a built filter without running it: the exports,
the imports with their function types, custom sections (e.g. ``proxy-wasm-python``), the
memory limits and the size. Only the section headers and the type/import/export/memory
sections are decoded; code is skipped.

    module = read_module("filter.wasm")
    module.abi_version            # "0.2.1" (from the proxy_abi_version_* export) or None
    module.imports                # [Import(module="env", name="proxy_log", kind="func", ...)]
    module.custom_section("proxy-wasm-python")  # bytes or None
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proxy_wasm_compiler.errors import UserError

WASM_MAGIC = b"\x00asm"
WASM_VERSION = b"\x01\x00\x00\x00"

#: The custom section the build embeds (JSON: sdk_version, python_version, frozen_modules, ...).
PROXY_WASM_PYTHON_SECTION = "proxy-wasm-python"

ABI_MARKERS = {
    "proxy_abi_version_0_1_0": "0.1.0",
    "proxy_abi_version_0_2_0": "0.2.0",
    "proxy_abi_version_0_2_1": "0.2.1",
}

_VALTYPES = {
    0x7F: "i32",
    0x7E: "i64",
    0x7D: "f32",
    0x7C: "f64",
    0x7B: "v128",
    0x70: "funcref",
    0x6F: "externref",
}
_KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}


class WasmFormatError(UserError):
    """The file is not a (well-formed) WebAssembly binary module."""


@dataclass(frozen=True)
class FuncType:
    """A function signature, e.g. ``(i32, i32) -> (i32)``."""

    params: tuple[str, ...]
    results: tuple[str, ...]

    def __str__(self) -> str:
        return f"({', '.join(self.params)}) -> ({', '.join(self.results)})"


@dataclass(frozen=True)
class Import:
    """One import: ``module.name`` of ``kind`` (func imports carry their ``type``)."""

    module: str
    name: str
    kind: str
    type: FuncType | None = None

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class Export:
    """One export: ``name`` of ``kind`` (func exports carry their ``type`` when known)."""

    name: str
    kind: str
    index: int
    type: FuncType | None = None


@dataclass(frozen=True)
class Limits:
    """Memory limits in 64 KiB pages (``maximum`` None when unbounded)."""

    minimum: int
    maximum: int | None = None


@dataclass
class WasmModule:
    """What :func:`parse_module` found in a module."""

    size: int
    types: list[FuncType] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    memories: list[Limits] = field(default_factory=list)
    custom_sections: dict[str, bytes] = field(default_factory=dict)
    #: (section id, size) for every section, in order (custom sections have id 0).
    sections: list[tuple[int, int]] = field(default_factory=list)
    path: Path | None = None

    @property
    def abi_version(self) -> str | None:
        """The Proxy-Wasm ABI version from the ``proxy_abi_version_*`` function export."""
        for export in self.exports:
            if export.kind == "func" and export.name in ABI_MARKERS:
                return ABI_MARKERS[export.name]
        return None

    @property
    def export_names(self) -> list[str]:
        return [e.name for e in self.exports]

    def has_export(self, name: str) -> bool:
        return any(e.name == name for e in self.exports)

    def custom_section(self, name: str) -> bytes | None:
        return self.custom_sections.get(name)

    @property
    def memory(self) -> Limits | None:
        """The module's own memory, or an imported memory's limits (memory 0)."""
        if self.memories:
            return self.memories[0]
        return None

    def build_info(self) -> dict[str, Any] | None:
        """The JSON the build embeds in the ``proxy-wasm-python`` custom section, if any."""
        raw = self.custom_section(PROXY_WASM_PYTHON_SECTION)
        if raw is None:
            return None
        try:
            value = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return None
        return value if isinstance(value, dict) else None


class _Reader:
    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def _need(self, n: int) -> None:
        if self.pos + n > self.end:
            raise WasmFormatError(f"truncated module (at byte {self.pos})")

    def byte(self) -> int:
        self._need(1)
        b = self.data[self.pos]
        self.pos += 1
        return b

    def bytes(self, n: int) -> bytes:
        self._need(n)
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u32(self) -> int:
        result = 0
        shift = 0
        for _ in range(5):
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
        raise WasmFormatError(f"bad LEB128 integer (at byte {self.pos})")

    def name(self) -> str:
        n = self.u32()
        raw = self.bytes(n)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WasmFormatError(f"bad UTF-8 name (at byte {self.pos - n})") from exc

    def valtype(self) -> str:
        b = self.byte()
        if b not in _VALTYPES:
            raise WasmFormatError(f"unknown value type 0x{b:02x} (at byte {self.pos - 1})")
        return _VALTYPES[b]

    def limits(self) -> Limits:
        flags = self.byte()
        minimum = self.u32()
        maximum = self.u32() if flags & 1 else None
        return Limits(minimum, maximum)


def parse_module(data: bytes, path: Path | None = None) -> WasmModule:
    """Parse a WebAssembly binary module; raise :class:`WasmFormatError` if it is not one."""
    where = f"{path}: " if path is not None else ""
    if len(data) < 8 or data[:4] != WASM_MAGIC:
        raise WasmFormatError(f"{where}not a WebAssembly module (no \\0asm header)")
    if data[4:8] != WASM_VERSION:
        raise WasmFormatError(
            f"{where}unsupported WebAssembly binary version {int.from_bytes(data[4:8], 'little')}"
            " (a component or a newer format; Proxy-Wasm needs a core module, version 1)"
        )
    module = WasmModule(size=len(data), path=path)
    func_type_indices: list[int] = []
    imported_funcs: list[int] = []
    r = _Reader(data, 8)
    try:
        while r.pos < r.end:
            section_id = r.byte()
            size = r.u32()
            start = r.pos
            if start + size > len(data):
                raise WasmFormatError(f"truncated section {section_id} (at byte {start})")
            module.sections.append((section_id, size))
            s = _Reader(data, start, start + size)
            if section_id == 0:
                name = s.name()
                module.custom_sections[name] = data[s.pos : start + size]
            elif section_id == 1:
                for _ in range(s.u32()):
                    form = s.byte()
                    if form != 0x60:
                        raise WasmFormatError(f"unknown type form 0x{form:02x}")
                    params = tuple(s.valtype() for _ in range(s.u32()))
                    results = tuple(s.valtype() for _ in range(s.u32()))
                    module.types.append(FuncType(params, results))
            elif section_id == 2:
                for _ in range(s.u32()):
                    mod = s.name()
                    name = s.name()
                    kind_byte = s.byte()
                    kind = _KINDS.get(kind_byte, f"kind{kind_byte}")
                    ftype: FuncType | None = None
                    if kind_byte == 0:
                        idx = s.u32()
                        imported_funcs.append(idx)
                        ftype = module.types[idx] if idx < len(module.types) else None
                    elif kind_byte == 1:
                        s.valtype()
                        s.limits()
                    elif kind_byte == 2:
                        module.memories.append(s.limits())
                    elif kind_byte == 3:
                        s.valtype()
                        s.byte()
                    elif kind_byte == 4:
                        s.byte()
                        s.u32()
                    else:
                        raise WasmFormatError(f"unknown import kind {kind_byte}")
                    module.imports.append(Import(mod, name, kind, ftype))
            elif section_id == 3:
                func_type_indices = [s.u32() for _ in range(s.u32())]
            elif section_id == 5:
                for _ in range(s.u32()):
                    module.memories.append(s.limits())
            elif section_id == 7:
                all_funcs = imported_funcs + func_type_indices
                for _ in range(s.u32()):
                    name = s.name()
                    kind_byte = s.byte()
                    index = s.u32()
                    etype: FuncType | None = None
                    if kind_byte == 0 and index < len(all_funcs):
                        tidx = all_funcs[index]
                        etype = module.types[tidx] if tidx < len(module.types) else None
                    module.exports.append(
                        Export(name, _KINDS.get(kind_byte, f"kind{kind_byte}"), index, etype)
                    )
            r.pos = start + size
    except WasmFormatError as exc:
        if where and not str(exc).startswith(where):
            raise WasmFormatError(f"{where}{exc.message}") from None
        raise
    return module


def read_module(path: str | Path) -> WasmModule:
    """Read and parse ``path``; a missing or non-wasm file raises a one-line UserError."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{p}: is a directory, not a .wasm file") from None
    except OSError as exc:
        raise UserError(f"{p}: cannot read: {exc.strerror}") from None
    return parse_module(data, p)
