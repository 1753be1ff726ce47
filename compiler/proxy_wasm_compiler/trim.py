"""Trim a snapshot module: drop the CPython code that cannot run after the snapshot, optimise.

The snapshot holds a started interpreter with the filter imported, so in the proxy the module
never starts or stops CPython, and compiles Python source only if the filter calls ``eval``,
``exec``, ``compile`` or ``ast.parse`` at run time. This stage, with binaryen's C API (PyPI
``icpp-binaryen``):

1. gives CPython's parser and compiler entry points a body that calls ``pw_trimmed_compiler``
   (``runtime_shim/trimmed.c``: sets a RuntimeError saying to build with ``--no-trim``, returns
   NULL), the start-up entry points ``unreachable``, and shutdown ``pw_trimmed_noop``;
2. removes every function no longer reachable (the PEG parser, AST, symtable, compiler,
   assembler, the start-up configuration machinery...);
3. runs binaryen's optimiser at :data:`OPTIMIZE_LEVEL`.

Functions are found by name: the link keeps its name section (and DWARF), wizer keeps custom
sections, and this stage (or :func:`strip_custom_sections` without it) drops them.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from proxy_wasm_compiler import cache
from proxy_wasm_compiler.errors import ToolchainError
from proxy_wasm_compiler.wasm_module import _Reader, parse_module

#: Parser and compiler entry points: every path from Python code to them goes through these.
#: Each returns a pointer or a 0/1 status where 0 (NULL) means "exception set".
COMPILER_ENTRY_POINTS = (
    "_PyParser_ASTFromString",
    "_PyParser_ASTFromFile",
    "_PyPegen_run_parser_from_string",
    "_PyPegen_run_parser_from_file_pointer",
    "_PyPegen_run_parser",
    "_PyAST_Compile",
    "_PyAST_Validate",
    "_PyAST_Optimize",
    "PyAST_obj2mod",
    "PyAST_mod2obj",
    "_PySymtable_Build",
)
#: Functions that only the parser and ``PyAST_mod2obj`` call, but that they pass by pointer, so
#: they stay in the table, and so in the module, once the entry points above no longer reach
#: them: their bodies become ``unreachable``. The PEG parser's rules (Parser/parser.c) and the
#: token matchers given to its lookahead helpers; Python-ast.c's ``ast2obj_*`` converters.
PARSER_INTERNAL_SUFFIXES = ("_rule",)
PARSER_INTERNAL_PREFIXES = ("ast2obj_",)
PARSER_INTERNAL = (
    "_PyPegen_parse",
    "_PyPegen_expect_soft_keyword",
    "_PyPegen_expect_token",
    "_PyPegen_name_token",
    "_PyPegen_string_token",
    "_PyPegen_number_token",
    "_PyPegen_soft_keyword_token",
)
#: Start-up code: runs only before the snapshot (the shim starts CPython in pw_snapshot_init).
START_UP = (
    "Py_InitializeFromConfig",
    "Py_Initialize",
    "Py_InitializeEx",
    "_Py_InitializeMain",
    "Py_PreInitialize",
    "Py_PreInitializeFromArgs",
    "Py_PreInitializeFromBytesArgs",
    "_Py_PreInitializeFromConfig",
    "_Py_PreInitializeFromPyArgv",
    "_Py_Deepfreeze_Init",
    "pw_snapshot_init",
)
#: Shutdown: only ``Py_Exit`` reaches it in a module, and exits the VM right after (and only
#: sub-interpreters, which a filter never creates, end an interpreter).
SHUTDOWN = ("Py_FinalizeEx", "Py_Finalize", "_Py_Deepfreeze_Fini", "Py_EndInterpreter")
COMPILER_STUB = "pw_trimmed_compiler"
NOOP_STUB = "pw_trimmed_noop"

#: binaryen's optimisation levels as wasm-opt names them: (optimize level, shrink level); "O0"
#: only removes the unreachable functions.
LEVELS = {"O0": (0, 0), "O1": (1, 0), "O2": (2, 0), "O3": (3, 0), "Os": (2, 1), "Oz": (2, 2)}
#: The level after trimming: the one that made V8 compile the module fastest
#: (benchmarks/bench_trim.py; the table is in benchmarks/README.md).
OPTIMIZE_LEVEL = "O2"

_CDEF = """
typedef uint32_t BinaryenIndex;
typedef uint32_t BinaryenFeatures;
typedef uintptr_t BinaryenType;
typedef struct BinaryenModule *BinaryenModuleRef;
typedef struct BinaryenExpression *BinaryenExpressionRef;
typedef struct BinaryenFunction *BinaryenFunctionRef;
typedef struct BinaryenModuleAllocateAndWriteResult {
  void *binary;
  size_t binaryBytes;
  char *sourceMap;
} BinaryenModuleAllocateAndWriteResult;

BinaryenModuleRef BinaryenModuleRead(char *input, size_t inputSize);
void BinaryenModuleDispose(BinaryenModuleRef module);
bool BinaryenModuleValidate(BinaryenModuleRef module);
void BinaryenModuleSetFeatures(BinaryenModuleRef module, BinaryenFeatures features);
BinaryenFeatures BinaryenFeatureSignExt(void);
BinaryenFeatures BinaryenFeatureMutableGlobals(void);
BinaryenFeatures BinaryenFeatureBulkMemory(void);
BinaryenFeatures BinaryenFeatureNontrappingFPToInt(void);
BinaryenIndex BinaryenGetNumFunctions(BinaryenModuleRef module);
BinaryenFunctionRef BinaryenGetFunction(BinaryenModuleRef module, const char *name);
BinaryenFunctionRef BinaryenGetFunctionByIndex(BinaryenModuleRef module, BinaryenIndex index);
const char *BinaryenFunctionGetName(BinaryenFunctionRef func);
BinaryenType BinaryenFunctionGetResults(BinaryenFunctionRef func);
BinaryenExpressionRef BinaryenFunctionGetBody(BinaryenFunctionRef func);
void BinaryenFunctionSetBody(BinaryenFunctionRef func, BinaryenExpressionRef body);
BinaryenType BinaryenTypeInt32(void);
BinaryenType BinaryenTypeNone(void);
BinaryenExpressionRef BinaryenCall(BinaryenModuleRef module, const char *target,
    BinaryenExpressionRef *operands, BinaryenIndex numOperands, BinaryenType returnType);
BinaryenExpressionRef BinaryenDrop(BinaryenModuleRef module, BinaryenExpressionRef value);
BinaryenExpressionRef BinaryenUnreachable(BinaryenModuleRef module);
void BinaryenRemoveExport(BinaryenModuleRef module, const char *externalName);
void BinaryenModuleRunPasses(BinaryenModuleRef module, const char **passes,
    BinaryenIndex numPasses);
void BinaryenSetOptimizeLevel(int level);
void BinaryenSetShrinkLevel(int level);
void BinaryenSetDebugInfo(bool on);
void BinaryenModuleOptimize(BinaryenModuleRef module);
BinaryenModuleAllocateAndWriteResult BinaryenModuleAllocateAndWrite(BinaryenModuleRef module,
    const char *sourceMapUrl);
void free(void *ptr);
"""


@dataclass
class TrimReport:
    """What the trim stage did (recorded in the module's ``proxy-wasm-python`` section)."""

    optimize_level: str
    functions_before: int
    functions_after: int
    code_bytes_before: int
    code_bytes_after: int
    replaced: list[str] = field(default_factory=list)
    parser_internal: int = 0  # PARSER_INTERNAL* functions given an ``unreachable`` body

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def binaryen_library() -> Path:
    """The shared libbinaryen that PyPI ``icpp-binaryen`` installs."""
    spec = importlib.util.find_spec("icpp_binaryen")
    if spec is None or not spec.submodule_search_locations:
        raise ToolchainError(
            "the build tool package 'icpp-binaryen' is not installed; "
            "run: pip install proxy-wasm-python (it depends on icpp-binaryen), "
            "or build with --no-trim"
        )
    library = Path(next(iter(spec.submodule_search_locations))) / "lib" / "libbinaryen.so"
    if not library.exists():
        raise ToolchainError(f"libbinaryen is missing at {library}; reinstall icpp-binaryen")
    return library


_binaryen: tuple[Any, Any] | None = None


def _load() -> tuple[Any, Any]:
    global _binaryen
    if _binaryen is None:
        from cffi import FFI

        ffi = FFI()
        ffi.cdef(_CDEF)
        _binaryen = (ffi, ffi.dlopen(str(binaryen_library())))
    return _binaryen


def stage_digest() -> str:
    """What the trimmed output depends on besides its input: this stage's code and binaryen."""
    return cache.digest(
        "trim-stage", Path(__file__).read_bytes(), cache.file_digest(binaryen_library())
    )


def _code_size(module: bytes) -> int:
    return sum(size for section, size in parse_module(module).sections if section == 10)


def trim_module(snapshot: bytes, optimize_level: str = OPTIMIZE_LEVEL) -> tuple[bytes, TrimReport]:
    """Return the trimmed ``snapshot`` module and a report (cached under the input's hash).

    binaryen runs in a child process: it exits the process on a fatal error."""
    key = cache.digest("trim", stage_digest(), snapshot, optimize_level)
    cached = cache.entry("trimmed", key, ".wasm")
    report_path = cached.with_suffix(".json")
    if not (cached.exists() and report_path.exists()):
        with tempfile.TemporaryDirectory(prefix="proxy-wasm-trim-") as tmp:
            source, output = Path(tmp) / "in.wasm", Path(tmp) / "out.wasm"
            source.write_bytes(strip_custom_sections(snapshot, keep=("name",)))
            argv = [sys.executable, "-m", __name__, str(source), str(output), optimize_level]
            proc = subprocess.run(argv, capture_output=True, text=True, check=False)
            if proc.returncode != 0 or not output.exists():
                detail = (proc.stderr or proc.stdout).strip()[-3000:]
                raise ToolchainError(f"trimming the module with binaryen failed:\n{detail}")
            cache.write_atomic(report_path, output.with_suffix(".json").read_bytes())
            cache.write_atomic(cached, output.read_bytes())
    report = TrimReport(**json.loads(report_path.read_text()))
    return cached.read_bytes(), report


def _trim(data: bytes, optimize_level: str) -> tuple[bytes, TrimReport]:
    ffi, lib = _load()
    buffer = ffi.new("char[]", data)
    module = lib.BinaryenModuleRead(buffer, len(data))
    if module == ffi.NULL:
        raise ToolchainError("binaryen could not read the snapshot module")
    try:
        lib.BinaryenModuleSetFeatures(
            module,
            lib.BinaryenFeatureSignExt()
            | lib.BinaryenFeatureMutableGlobals()
            | lib.BinaryenFeatureBulkMemory()
            | lib.BinaryenFeatureNontrappingFPToInt(),
        )
        functions_before = lib.BinaryenGetNumFunctions(module)
        replaced = _replace_bodies(ffi, lib, module)
        internal = _drop_parser_internals(ffi, lib, module)
        # The stubs were exported only so that the linker kept them.
        for stub in (COMPILER_STUB, NOOP_STUB):
            lib.BinaryenRemoveExport(module, stub.encode())
        _run_passes(ffi, lib, module, ["remove-unused-module-elements"])
        optimize, shrink = LEVELS[optimize_level]
        if optimize > 0:
            lib.BinaryenSetOptimizeLevel(optimize)
            lib.BinaryenSetShrinkLevel(shrink)
            lib.BinaryenModuleOptimize(module)
        if not lib.BinaryenModuleValidate(module):
            raise ToolchainError("binaryen: the trimmed module does not validate")
        functions_after = lib.BinaryenGetNumFunctions(module)
        lib.BinaryenSetDebugInfo(False)  # no name section in the output
        result = lib.BinaryenModuleAllocateAndWrite(module, ffi.NULL)
        try:
            trimmed = bytes(ffi.buffer(result.binary, result.binaryBytes))
        finally:
            lib.free(result.binary)
            if result.sourceMap != ffi.NULL:
                lib.free(result.sourceMap)
    finally:
        lib.BinaryenModuleDispose(module)
    return trimmed, TrimReport(
        optimize_level,
        functions_before,
        functions_after,
        _code_size(data),
        _code_size(trimmed),
        replaced,
        internal,
    )


def _run_passes(ffi: Any, lib: Any, module: Any, passes: list[str]) -> None:
    keep = [ffi.new("char[]", p.encode()) for p in passes]
    lib.BinaryenModuleRunPasses(module, ffi.new("char*[]", keep), len(keep))


def _replace_bodies(ffi: Any, lib: Any, module: Any) -> list[str]:
    def function(name: str) -> Any:
        return lib.BinaryenGetFunction(module, name.encode())

    for name in (COMPILER_STUB, NOOP_STUB):
        if function(name) == ffi.NULL:
            raise ToolchainError(f"the module has no {name}: the runtime shim is out of date")
    i32 = lib.BinaryenTypeInt32()
    replaced: list[str] = []
    plan: list[tuple[str, str | None]] = [(name, COMPILER_STUB) for name in COMPILER_ENTRY_POINTS]
    plan += [(name, None) for name in START_UP]
    plan += [(name, NOOP_STUB) for name in SHUTDOWN]
    for name, stub in plan:
        func = function(name)
        if func == ffi.NULL:
            continue  # not linked into this module (e.g. inlined or unused)
        results = lib.BinaryenFunctionGetResults(func)
        if stub is None:
            body = lib.BinaryenUnreachable(module)
        elif results == i32:
            body = lib.BinaryenCall(module, stub.encode(), ffi.NULL, 0, i32)
        elif results == lib.BinaryenTypeNone():
            body = lib.BinaryenDrop(
                module, lib.BinaryenCall(module, stub.encode(), ffi.NULL, 0, i32)
            )
        else:
            raise ToolchainError(f"trim: unexpected result type of {name}")
        lib.BinaryenFunctionSetBody(func, body)
        replaced.append(name)
    return replaced


def _drop_parser_internals(ffi: Any, lib: Any, module: Any) -> int:
    count = 0
    for index in range(lib.BinaryenGetNumFunctions(module)):
        func = lib.BinaryenGetFunctionByIndex(module, index)
        name = ffi.string(lib.BinaryenFunctionGetName(func)).decode()
        internal = (
            name in PARSER_INTERNAL
            or name.endswith(PARSER_INTERNAL_SUFFIXES)
            or name.startswith(PARSER_INTERNAL_PREFIXES)
        )
        if internal and lib.BinaryenFunctionGetBody(func) != ffi.NULL:  # imports have no body
            lib.BinaryenFunctionSetBody(func, lib.BinaryenUnreachable(module))
            count += 1
    return count


def strip_custom_sections(module: bytes, keep: tuple[str, ...] = ()) -> bytes:
    """``module`` without custom sections (names, DWARF: the link keeps them for this stage),
    except those named in ``keep``."""
    out = [module[:8]]
    pos = 8
    while pos < len(module):
        reader = _Reader(module, pos + 1)
        end = reader.u32() + reader.pos
        if module[pos] != 0 or _Reader(module, reader.pos, end).name() in keep:
            out.append(module[pos:end])
        pos = end
    return b"".join(out)


def main(argv: list[str]) -> int:
    """``python -m proxy_wasm_compiler.trim IN OUT LEVEL``: write OUT and OUT's .json report."""
    source, output, level = Path(argv[0]), Path(argv[1]), argv[2]
    trimmed, report = _trim(source.read_bytes(), level)
    output.with_suffix(".json").write_text(json.dumps(report.as_json()))
    output.write_bytes(trimmed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
