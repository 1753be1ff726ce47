"""Write every file derived from the ABI table (:mod:`proxy_wasm_shim.abi`).

    python -m proxy_wasm_shim.generate           # rewrite the files in this checkout
    python -m proxy_wasm_shim.generate --check   # exit 1 and name the stale files

Generated files (each says so in its first lines):

* ``runtime_shim/abi_imports.h`` -- the ``env.proxy_*`` import declarations, status and log-level
  constants, the callback index enum and names;
* ``runtime_shim/abi_exports.h`` -- the ``proxy_on_*`` export stubs with their mask bits;
* ``runtime_shim/abi_host_module.h`` -- the ``_proxy_wasm_host`` functions (all but the
  hand-written ones in ``shim.c``) and the method table;
* ``sdk/proxy_wasm/_hostabi.py`` -- the ``HostABI`` Protocol;
* ``sdk/proxy_wasm/_abi.py`` -- the optional callbacks (mask bits) for the dispatcher;
* ``sdk/proxy_wasm/types.py`` -- the region between the ``GENERATED`` markers (the enums);
* ``sdk/proxy_wasm/testing/null_binding.py`` -- ``NullHost``, the null runtime's binding;
* ``sdk/proxy_wasm/testing/_wasm_imports.py`` -- the wasm runtime's import adapters;
* ``runtime_shim/native/binding.py`` -- ``EnvoyHost``, the native runtime's binding (over the
  hand-written ``EnvoyCalls`` of ``runtime_shim/native/host.py``).

Python output is formatted with ``ruff format`` (a dev dependency), as the tree is.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from proxy_wasm_shim.abi import (
    CALLBACKS,
    ENUMS,
    GROUPS,
    IMPORTS,
    STATUS,
    Import,
    optional_callbacks,
)

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "python -m proxy_wasm_shim.generate"
C_BANNER = f"/* GENERATED from runtime_shim/abi.py by `{COMMAND}`: do not edit. */\n"
PY_BANNER = f"# GENERATED from runtime_shim/abi.py by `{COMMAND}`: do not edit.\n"
REGION_BEGIN = f"# -- BEGIN GENERATED from runtime_shim/abi.py by `{COMMAND}` --\n"
REGION_END = "# -- END GENERATED --\n"

_C_PARAM = {
    "i32": "int32_t",
    "u32": "uint32_t",
    "i64": "int64_t",
    "u64": "uint64_t",
    "bool": "int32_t",
}
_C_RESULT = {"i32": "int32_t", "u32": "uint32_t", "u64": "uint64_t", "size": "size_t"}
_C_TO_PY = {
    "i32": "PyLong_FromLong((long){})",
    "u32": "PyLong_FromUnsignedLong((unsigned long){})",
    "u64": "PyLong_FromUnsignedLongLong({})",
    "size": "PyLong_FromSize_t({})",
}


def _cb_index(name: str) -> str:
    return "PW_CB_" + name.removeprefix("proxy_on_").upper()


# -- C ---------------------------------------------------------------------------------------------
def _c_decl(imp: Import) -> str:
    params: list[str] = []
    for p in imp.params:
        if p.type in ("bytes", "pairs"):
            params += [f"const char *{p.name}", f"size_t {p.name}_size"]
        else:
            params.append(f"{_C_PARAM[p.type]} {p.name}")
    for r in imp.results:
        if r.type in ("bytes", "pairs"):
            params += [f"char **{r.name}", f"size_t *{r.name}_size"]
        else:
            params.append(f"{_C_RESULT[r.type]} *{r.name}")
    return f"IMPORT({imp.name}) status_t {imp.name}({', '.join(params) or 'void'});"


def c_imports() -> str:
    """``abi_imports.h``."""
    out = [C_BANNER, "/* Included by shim.c after status_t and the IMPORT macro. */\n"]
    out.append("enum {\n")
    out += [f"    ST_{name} = {value},\n" for name, value in STATUS.items()]
    out.append("};\n")
    levels = next(e for e in ENUMS if e.name == "LogLevel").members
    out.append("enum { " + ", ".join(f"LOG_{n} = {v}" for n, v in levels) + " };\n\n")
    out.append(f"/* env.proxy_* imports (ABI v0.2.1, {len(IMPORTS)} functions) */\n")
    out += [_c_decl(imp) + "\n" for imp in IMPORTS]
    out.append("\n/* Dispatcher entry points: proxy_wasm._dispatch.<name> (docs/design.md). */\n")
    out.append("enum {\n")
    out += [f"    {_cb_index(cb.name)},\n" for cb in CALLBACKS]
    out.append("    PW_NUM_CALLBACKS\n};\n")
    out.append("static const char *const pw_callback_names[PW_NUM_CALLBACKS] = {\n")
    out += [f'    "{cb.name}",\n' for cb in CALLBACKS]
    out.append("};\n")
    return "".join(out)


def c_exports() -> str:
    """``abi_exports.h``: every callback forwards to ``pw_call``; an optional one whose mask bit
    is clear returns its default without entering Python."""
    out = [C_BANNER, "/* Included by shim.c after pw_call and PW_MASKED. */\n"]
    bits = {cb.name: i for i, cb in enumerate(optional_callbacks())}
    for cb in CALLBACKS:
        params = ", ".join(f"uint32_t {p}" for p in cb.params)
        args = ", ".join([*cb.params, *["0"] * (5 - len(cb.params))])
        call = f"pw_call({_cb_index(cb.name)}, {cb.default}, {len(cb.params)}, {args})"
        bit = bits.get(cb.name)
        if cb.result == "void":
            out.append(f"EXPORT({cb.name}) void {cb.name}({params}) {{\n")
            if bit is not None:
                out.append(f"    if (PW_MASKED({bit})) return;\n")
            out.append(f"    {call};\n}}\n")
        else:
            out.append(f"EXPORT({cb.name}) int32_t {cb.name}({params}) {{\n")
            if bit is not None:
                out.append(f"    if (PW_MASKED({bit})) return {cb.default};\n")
            out.append(f"    return {call};\n}}\n")
    return "".join(out)


def _c_adapter(imp: Import) -> str:
    name = imp.name
    lines = [
        f"FASTCALL({name}) {{",
        f"    NARGS({len(imp.params)}, {name});",
        f'    HOSTCALL_UNAVAILABLE("{name}");',
    ]
    call_args: list[str] = []
    pairs: list[str] = []
    for i, p in enumerate(imp.params):
        if p.type == "bytes":
            lines.append(f'    BYTESARG({i}, {p.name}, {p.name}_size, "{p.name}");')
            call_args += [p.name, f"(size_t){p.name}_size"]
        elif p.type == "pairs":
            pairs.append(f"{i}:{p.name}")
            call_args += [p.name, f"{p.name}_size"]
        elif p.type == "bool":
            lines.append(f"    int {p.name} = PyObject_IsTrue(args[{i}]);")
            lines.append(f"    if ({p.name} < 0) return NULL;")
            call_args.append(f"(int32_t){p.name}")
        elif p.type == "u64":
            lines.append(f"    unsigned long long {p.name} = PyLong_AsUnsignedLongLong(args[{i}]);")
            lines.append(
                f"    if ({p.name} == (unsigned long long)-1 && PyErr_Occurred()) return NULL;"
            )
            call_args.append(f"(uint64_t){p.name}")
        else:
            lines.append(f"    LONGARG({i}, {p.name});")
            call_args.append(f"({_C_PARAM[p.type]}){p.name}")
    serialized: list[str] = []
    for item in pairs:
        index, pname = item.split(":")
        lines.append(f"    size_t {pname}_size = 0;")
        lines.append(f"    char *{pname} = pw_serialize_pairs(args[{index}], &{pname}_size);")
        cleanup = "".join(f" free({s});" for s in serialized)
        if cleanup:
            lines.append(f"    if ({pname} == NULL) {{{cleanup} return NULL; }}")
        else:
            lines.append(f"    if ({pname} == NULL) return NULL;")
        serialized.append(pname)
    blocks: list[str] = []
    for r in imp.results:
        if r.type in ("bytes", "pairs"):
            lines.append(f"    char *{r.name} = NULL;")
            lines.append(f"    size_t {r.name}_size = 0;")
            call_args += [f"&{r.name}", f"&{r.name}_size"]
            blocks.append(r.name)
        else:
            lines.append(f"    {_C_RESULT[r.type]} {r.name} = 0;")
            call_args.append(f"&{r.name}")
    lines.append(f"    status_t st = {name}({', '.join(call_args)});")
    lines += [f"    free({s});" for s in serialized]
    if blocks or imp.absent:
        lines.append("    if (st != ST_OK) {")
        lines += [f"        free({b});" for b in blocks]
        lines += [f"        if (st == ST_{a}) Py_RETURN_NONE;" for a in imp.absent]
        lines.append(f'        return pw_raise(st, "{name}");')
        lines.append("    }")
    else:
        lines.append(f'    CHECK(st, "{name}");')
    values: list[str] = []
    for r in imp.results:
        if r.type == "bytes":
            values.append(f"pw_take_bytes({r.name}, {r.name}_size)")
        elif r.type == "pairs":
            values.append(f"pw_take_pairs({r.name}, {r.name}_size)")
        else:
            values.append(_C_TO_PY[r.type].format(r.name))
    if not values:
        lines.append("    Py_RETURN_NONE;")
    elif len(values) == 1:
        lines.append(f"    return {values[0]};")
    else:
        lines.append(f"    return pw_tuple({len(values)}, {', '.join(values)});")
    lines.append("}")
    return "\n".join(lines) + "\n"


def c_host_module() -> str:
    """``abi_host_module.h``."""
    out = [
        C_BANNER,
        "/* Included by shim.c after the argument helpers and the hand-written functions. */\n",
    ]
    out += [_c_adapter(imp) + "\n" for imp in IMPORTS if not imp.handwritten_c]
    out.append(
        "#define M(name) {#name, (PyCFunction)(void (*)(void))h_##name, METH_FASTCALL, NULL}\n"
    )
    out.append("static PyMethodDef pw_host_methods[] = {\n")
    out += [f"    M({imp.name}),\n" for imp in IMPORTS]
    out.append("    M(set_callback_mask),\n    {NULL, NULL, 0, NULL},\n};\n#undef M\n")
    return "".join(out)


# -- Python ----------------------------------------------------------------------------------------
def _doc(imp: Import) -> str:
    parts = [imp.doc] if imp.doc else []
    if imp.absent:
        parts.append("absent: " + ", ".join(imp.absent) + ".")
    return " ".join(parts)


def hostabi() -> str:
    """``sdk/proxy_wasm/_hostabi.py``."""
    out = [
        PY_BANNER,
        '"""The one low-level interface between the SDK and a Proxy-Wasm host.\n\n'
        "Every implementation must behave identically:\n\n"
        "* ``_proxy_wasm_host``: a built-in C module compiled into every ``.wasm``\n"
        "  (``runtime_shim/shim.c``); each function calls the matching ``env.proxy_*`` import of\n"
        "  ABI v0.2.1.\n"
        "* ``proxy_wasm.testing.null_binding.NullHost``: the null runtime's binding, used when\n"
        "  the filter runs in the test's own CPython; it forwards to the emulated host.\n\n"
        "Every function carries the exact ABI import name. Arguments and results are Python\n"
        "values, never pointers; header maps are lists of ``(key, value)`` byte pairs; property\n"
        'paths are already joined with NUL bytes (``b"request\\\\0path"``). Status codes are\n'
        "mapped here, once, as follows:\n\n"
        "* ``OK`` gives the result;\n"
        '* the statuses that mean *absent* for a call (listed per function as "absent: ...")\n'
        "  give ``None``;\n"
        '* any other status raises ``proxy_wasm.errors.status_error(status, "<import name>")``.\n\n'
        "The SDK reaches the current implementation through ``proxy_wasm._host.host``.\n"
        '"""\n\n',
        "from __future__ import annotations\n\n",
        "from collections.abc import Sequence\n",
        "from typing import Protocol\n\n",
        "from ._abi import CALLBACK_BITS, callback_bit\n\n",
        '__all__ = ["CALLBACK_BITS", "HostABI", "Pairs", "callback_bit"]\n\n',
        "Pairs = Sequence[tuple[bytes, bytes]]\n\n\n",
        "class HostABI(Protocol):\n",
        '    """The ``env.proxy_*`` imports of Proxy-Wasm ABI v0.2.1, with status codes mapped."""'
        "\n",
    ]
    group = ""
    for imp in IMPORTS:
        if imp.group != group:
            group = imp.group
            out.append(f"\n    # -- {GROUPS[group]}\n")
        head = f"    def {imp.name}({imp.python_params()}) -> {imp.python_result()}:"
        doc = _doc(imp)
        out.append(f'{head}\n        """{doc}"""\n        ...\n\n' if doc else f"{head} ...\n")
    out.append(
        "\n    # -- not an ABI import: which optional callbacks the filter overrides "
        "(CALLBACK_BITS)\n"
        "    def set_callback_mask(self, mask: int) -> None: ...\n"
    )
    return "".join(out)


def sdk_abi() -> str:
    """``sdk/proxy_wasm/_abi.py`` (imported inside modules: stdlib only, no typing)."""
    pairs = "".join(f'    ("{cb.name}", "{cb.method}"),\n' for cb in optional_callbacks())
    bools = ", ".join(f'"{cb.name}"' for cb in CALLBACKS if cb.result == "bool")
    return (
        PY_BANNER + '"""The optional callbacks of ABI v0.2.1, in mask-bit order.\n\n'
        "A callback whose bit is clear in the mask set with ``HostABI.set_callback_mask`` returns\n"
        "its default (CONTINUE, or true for on_done) without entering Python. Each comes with\n"
        "the context method whose override sets the bit. Callbacks not listed here (context\n"
        "create, vm start, configure, delete, http call response, the gRPC callbacks) always\n"
        "enter Python.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        f"OPTIONAL_CALLBACKS: tuple[tuple[str, str], ...] = (\n{pairs})\n"
        "CALLBACK_BITS: tuple[str, ...] = tuple(name for name, _ in OPTIONAL_CALLBACKS)\n"
        "#: Callbacks whose result is a bool (a host assumes true when one is not exported).\n"
        f"BOOL_CALLBACKS = frozenset({{{bools}}})\n\n\n"
        "def callback_bit(name: str) -> int:\n"
        '    """Return the mask bit of an optional callback export name."""\n'
        "    return 1 << CALLBACK_BITS.index(name)\n"
    )


def types_region() -> str:
    """The enums of ``sdk/proxy_wasm/types.py``."""
    out = [REGION_BEGIN]
    for e in ENUMS:
        doc = e.doc.replace("\n", "\n    ").replace("\n    \n", "\n\n")
        if "\n" in doc:
            doc += "\n    "
        out.append(f'\n\nclass {e.name}(IntEnum):\n    """{doc}"""\n\n')
        out += [f"    {name} = {value}\n" for name, value in e.members]
    out.append("\n\n" + REGION_END)
    return "".join(out)


def _u(p_type: str, name: str) -> str:
    """The argument as the emulator takes it (u32 truncated as the C cast does)."""
    return f"{name} & _U32" if p_type == "u32" else name


_NULL_DOC = (
    '"""The null-runtime binding: ``HostABI`` served by the emulated host of '
    "``proxy_wasm.testing``.\n\n"
    "A filter imported into the test's own CPython talks to :class:`NullHost`, which "
    "forwards each\n``env.proxy_*`` call to the same "
    ":class:`~proxy_wasm.testing.emulator.Emulator` method the wasm\nruntime's adapters "
    "call, and maps the raw status exactly as ``proxy_wasm._hostabi`` says (and as\nthe C "
    "shim does inside a module): ``OK`` gives the result, the call's *absent* status "
    "gives\n``None``, anything else raises "
    '``proxy_wasm.errors.status_error(status, "<import name>")``.\n"""\n\n'
)
_NATIVE_DOC = (
    '"""The native runtime\'s binding: ``HostABI`` over Envoy\'s dynamic-module callbacks.\n\n'
    ":class:`EnvoyHost` forwards each ``env.proxy_*`` call to the method of the same name of\n"
    ":class:`~proxy_wasm_shim.native.host.EnvoyCalls` (hand-written: how the call reaches Envoy),\n"
    "which returns the raw status and results as the emulator does, and maps the status exactly\n"
    "as ``proxy_wasm._hostabi`` says: ``OK`` gives the result, the call's *absent* status gives\n"
    '``None``, anything else raises ``proxy_wasm.errors.status_error(status, "<import name>")``.\n'
    '"""\n\n'
)


def _binding(
    doc: str, cls: str, attr: str, backend: str, backend_module: str, import_from: str = ""
) -> str:
    """A ``HostABI`` class forwarding every import to ``self.<attr>`` (returning raw statuses,
    as the emulator does) and mapping the status as ``proxy_wasm._hostabi`` says."""
    out = [
        PY_BANNER,
        doc,
        "from __future__ import annotations\n\n",
        "from typing import TYPE_CHECKING\n\n",
        "from proxy_wasm._hostabi import HostABI, Pairs\n",
        "from proxy_wasm.errors import status_error\n\n",
        f"if TYPE_CHECKING:\n    from {import_from or backend_module} import {backend}\n\n",
        "_U32 = 0xFFFFFFFF\n\n\n",
        f"class {cls}:\n",
        f'    """``HostABI`` over :class:`~{backend_module}.{backend}` '
        '(see module docstring)."""\n\n',
        f'    __slots__ = ("{attr}",)\n\n',
        f"    def __init__(self, {attr}: {backend}) -> None:\n",
        f"        self.{attr} = {attr}\n",
    ]
    for imp in IMPORTS:
        args = ", ".join(_u(p.type, p.name) for p in imp.params)
        call = f"self.{attr}.{imp.name}({args})"
        fail = f'            raise status_error(status, "{imp.name}")\n'
        body: list[str] = []
        names = [r.name for r in imp.results]
        if imp.grouped:
            names = ["result"]
        if not names:
            body.append(f"        status = {call}\n")
        else:
            body.append(f"        status, {', '.join(names)} = {call}\n")
        for a, value in zip(imp.absent, imp.absent_statuses(), strict=True):
            body.append(f"        if status == {value}:  # {a}\n            return None\n")
        checks = ["status"] + [
            f"{n} is None"
            for n, r in zip(names, imp.results, strict=False)
            if imp.grouped or imp.absent or r.type in ("bytes", "pairs")
        ]
        body.append(f"        if {' or '.join(checks)}:\n{fail}")
        if names:
            body.append(f"        return {', '.join(names)}\n")
        out.append(f"\n    def {imp.name}({imp.python_params()}) -> {imp.python_result()}:\n")
        out += body
    out.append(
        "\n    def set_callback_mask(self, mask: int) -> None:\n"
        f"        self.{attr}.set_callback_mask(mask)\n\n\n"
        f"def _conforms(host: {cls}) -> HostABI:\n"
        f'    """mypy checks here that :class:`{cls}` implements every ``HostABI`` method."""\n'
        "    return host\n"
    )
    return "".join(out)


def null_binding() -> str:
    """``sdk/proxy_wasm/testing/null_binding.py``."""
    return _binding(_NULL_DOC, "NullHost", "emulator", "Emulator", "proxy_wasm.testing.emulator")


def native_binding() -> str:
    """``runtime_shim/native/binding.py``."""
    return _binding(
        _NATIVE_DOC, "EnvoyHost", "calls", "EnvoyCalls", "proxy_wasm_shim.native.host", ".host"
    )


_EMU_ARG = {"u32": "{} & _U32", "u64": "{} & _U64", "bool": "bool({})"}


def wasm_imports() -> str:
    """``sdk/proxy_wasm/testing/_wasm_imports.py``."""
    out = [
        PY_BANNER,
        '"""The wasm runtime\'s ``env.proxy_*`` imports: one adapter per import.\n\n'
        "Each reads its arguments from the module's linear memory, calls the emulator method of\n"
        "the same name, and on ``OK`` writes the results to the out-pointers (a block the\n"
        "module allocates for bytes and header maps). ``ADAPTERS`` maps an import name to its\n"
        "wasm parameter types and adapter.\n"
        '"""\n\n',
        "from __future__ import annotations\n\n",
        "from collections.abc import Callable\n",
        "from typing import TYPE_CHECKING, Any\n\n",
        "from proxy_wasm.testing._pairs import serialize_pairs\n\n",
        "if TYPE_CHECKING:\n    from proxy_wasm.testing.wasm_runtime import WasmGuest\n\n",
        "_U32 = 0xFFFFFFFF\n_U64 = 0xFFFFFFFFFFFFFFFF\n",
        f"_OK = {STATUS['OK']}\n_BAD_ARGUMENT = {STATUS['BAD_ARGUMENT']}\n",
    ]
    for imp in IMPORTS:
        params = ["g: WasmGuest", "c: Any"]
        pre: list[str] = []
        args: list[str] = []
        for p in imp.params:
            if p.type in ("bytes", "pairs"):
                params += [f"{p.name}_ptr: int", f"{p.name}_size: int"]
                if p.type == "bytes":
                    args.append(f"g.read(c, {p.name}_ptr, {p.name}_size)")
                else:
                    pre.append(
                        f"    {p.name} = g.pairs(c, {p.name}_ptr, {p.name}_size)\n"
                        f"    if {p.name} is None:\n        return _BAD_ARGUMENT\n"
                    )
                    args.append(p.name)
            else:
                params.append(f"{p.name}: int")
                args.append(_EMU_ARG.get(p.type, "{}").format(p.name))
        writes: list[str] = []
        values = (
            [f"result[{i}]" for i in range(len(imp.results))]
            if imp.grouped
            else [r.name for r in imp.results]
        )
        for r, v in zip(imp.results, values, strict=True):
            if r.type in ("bytes", "pairs"):
                params += [f"{r.name}_ptr_out: int", f"{r.name}_size_out: int"]
                data = f"serialize_pairs({v})" if r.type == "pairs" else v
                writes.append(
                    f"        g.write_out(c, {data}, {r.name}_ptr_out, {r.name}_size_out)\n"
                )
            else:
                params.append(f"{r.name}_out: int")
                writer = "write_u64" if r.type == "u64" else "write_u32"
                writes.append(f"        g.{writer}(c, {r.name}_out, {v})\n")
        call = f"g.emulator.{imp.name}({', '.join(args)})"
        out.append(f"\n\ndef {imp.name}({', '.join(params)}) -> int:\n")
        out += pre
        if not imp.results:
            out.append(f"    return {call}\n")
            continue
        names = ["result"] if imp.grouped else [r.name for r in imp.results]
        out.append(f"    status, {', '.join(names)} = {call}\n")
        present = " and ".join(f"{n} is not None" for n in names)
        out.append(f"    if status == _OK and {present}:\n")
        out += writes
        out.append("    return status\n")
    entries = "".join(
        f'    "{imp.name}": ({tuple(imp.wasm_params())!r}, {imp.name}),\n' for imp in IMPORTS
    )
    out.append(
        f"\n\nADAPTERS: dict[str, tuple[tuple[str, ...], Callable[..., int]]] = {{\n{entries}}}\n"
    )
    return "".join(out)


# -- driver ----------------------------------------------------------------------------------------
def _ruff_format(text: str, path: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", path, "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"ruff format {path}: {proc.stderr.strip()}")
    return proc.stdout


def _replace_region(current: str, region: str) -> str:
    start = current.index(REGION_BEGIN)
    end = current.index(REGION_END, start) + len(REGION_END)
    return current[:start] + region + current[end:]


WHOLE_FILES: dict[str, Callable[[], str]] = {
    "runtime_shim/abi_imports.h": c_imports,
    "runtime_shim/abi_exports.h": c_exports,
    "runtime_shim/abi_host_module.h": c_host_module,
    "sdk/proxy_wasm/_hostabi.py": hostabi,
    "sdk/proxy_wasm/_abi.py": sdk_abi,
    "sdk/proxy_wasm/testing/null_binding.py": null_binding,
    "sdk/proxy_wasm/testing/_wasm_imports.py": wasm_imports,
    "runtime_shim/native/binding.py": native_binding,
}
REGIONS: dict[str, Callable[[], str]] = {"sdk/proxy_wasm/types.py": types_region}


def render(root: Path = ROOT) -> dict[str, str]:
    """``{path relative to root: content}`` of every generated file (regions filled into the
    current text of their file under ``root``)."""
    files: dict[str, str] = {}
    for rel, make in WHOLE_FILES.items():
        text = make()
        files[rel] = _ruff_format(text, rel) if rel.endswith(".py") else text
    for rel, make in REGIONS.items():
        text = _replace_region((root / rel).read_text(), make())
        files[rel] = _ruff_format(text, rel)
    return files


def stale(root: Path = ROOT) -> list[str]:
    """The generated files under ``root`` that differ from what the table gives."""
    out = []
    for rel, text in render(root).items():
        path = root / rel
        if not path.exists() or path.read_text() != text:
            out.append(rel)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: write the files, or with ``--check`` only report stale ones."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to write into")
    ns = parser.parse_args(argv)
    if ns.check:
        found = stale(ns.root)
        for rel in found:
            print(f"stale: {rel} (run: {COMMAND})")
        return 1 if found else 0
    for rel, text in render(ns.root).items():
        path = ns.root / rel
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
