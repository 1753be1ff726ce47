"""Which imports each proxy version provides, and which of a module's imports it lacks.

A Proxy-Wasm host resolves every import when it loads a module; one it does not provide (or
provides with another signature) makes loading fail ("Failed to load Wasm module due to a
missing import: ..." / V8 "import type mismatch"). The table follows proxy-wasm-cpp-host's
``FOR_ALL_WASI_FUNCTIONS`` history (``include/proxy-wasm/wasm_vm.h``, behaviour in
``src/exports.cc``):

* 2021 (cpp-host #201): 15 WASI functions (fd_write/read/seek/close, fd_fdstat_get, environ_*,
  args_*, clock_time_get, random_get, proc_exit, and the preopen/path stubs path_open,
  fd_prestat_get, fd_prestat_dir_name) -- Envoy up to 1.32, Istio up to 1.24;
* Dec 2024 (cpp-host #427, the Go-wasip1 set): + poll_oneoff, sched_yield, clock_res_get,
  fd_fdstat_set_flags -- Envoy 1.33 to 1.39 (Istio 1.25+);
* 2026-04 (cpp-host #533): all of preview1 but ``proc_raise`` (45 functions) -- Envoy 1.40;
  ``path_link`` and ``path_symlink`` are registered with wrong signatures, so a module that
  imports them is refused.

Usage::

    from proxy_wasm_compiler.proxies import PROXIES, missing_imports
    problems = missing_imports(module.imports, "envoy-1.40")   # [] when it loads
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from proxy_wasm_compiler.wasm_module import FuncType, Import

WASI_MODULES = ("wasi_snapshot_preview1", "wasi_unstable")

# The ABI table (runtime_shim/abi.py); imported by name as mypy cannot map the package to its
# folder.
abi = importlib.import_module("proxy_wasm_shim.abi")

_I, _L = "i32", "i64"


def _sig(params: str, results: str = "i") -> FuncType:
    names = {"i": _I, "l": _L}
    return FuncType(tuple(names[c] for c in params), tuple(names[c] for c in results))


#: Every WASI preview1 function with its standard signature (46 functions).
WASI_PREVIEW1: dict[str, FuncType] = {
    "args_get": _sig("ii"),
    "args_sizes_get": _sig("ii"),
    "environ_get": _sig("ii"),
    "environ_sizes_get": _sig("ii"),
    "clock_res_get": _sig("ii"),
    "clock_time_get": _sig("ili"),
    "fd_advise": _sig("illi"),
    "fd_allocate": _sig("ill"),
    "fd_close": _sig("i"),
    "fd_datasync": _sig("i"),
    "fd_fdstat_get": _sig("ii"),
    "fd_fdstat_set_flags": _sig("ii"),
    "fd_fdstat_set_rights": _sig("ill"),
    "fd_filestat_get": _sig("ii"),
    "fd_filestat_set_size": _sig("il"),
    "fd_filestat_set_times": _sig("illi"),
    "fd_pread": _sig("iiili"),
    "fd_prestat_get": _sig("ii"),
    "fd_prestat_dir_name": _sig("iii"),
    "fd_pwrite": _sig("iiili"),
    "fd_read": _sig("iiii"),
    "fd_readdir": _sig("iiili"),
    "fd_renumber": _sig("ii"),
    "fd_seek": _sig("ilii"),
    "fd_sync": _sig("i"),
    "fd_tell": _sig("ii"),
    "fd_write": _sig("iiii"),
    "path_create_directory": _sig("iii"),
    "path_filestat_get": _sig("iiiii"),
    "path_filestat_set_times": _sig("iiiilli"),
    "path_link": _sig("iiiiiii"),
    "path_open": _sig("iiiiillii"),
    "path_readlink": _sig("iiiiii"),
    "path_remove_directory": _sig("iii"),
    "path_rename": _sig("iiiiii"),
    "path_symlink": _sig("iiiii"),
    "path_unlink_file": _sig("iii"),
    "poll_oneoff": _sig("iiii"),
    "proc_exit": _sig("i", ""),
    "proc_raise": _sig("i"),
    "sched_yield": _sig(""),
    "random_get": _sig("ii"),
    "sock_accept": _sig("iii"),
    "sock_recv": _sig("iiiiii"),
    "sock_send": _sig("iiiii"),
    "sock_shutdown": _sig("ii"),
}

WASI_2021 = frozenset(
    {
        "fd_write",
        "fd_read",
        "fd_seek",
        "fd_close",
        "fd_fdstat_get",
        "environ_get",
        "environ_sizes_get",
        "args_get",
        "args_sizes_get",
        "clock_time_get",
        "random_get",
        "proc_exit",
        "path_open",
        "fd_prestat_get",
        "fd_prestat_dir_name",
    }
)
WASI_GO_2024 = WASI_2021 | {"poll_oneoff", "sched_yield", "clock_res_get", "fd_fdstat_set_flags"}
WASI_2026 = frozenset(WASI_PREVIEW1) - {"proc_raise"}

#: The ``env.proxy_*`` functions every ABI version has (36), from the ABI table.
PROXY_COMMON = frozenset(i.name for i in abi.IMPORTS if i.since == "0.1.0")
#: ABI-specific ``env`` functions: what a module of that ABI version may import besides the 36.
PROXY_ABI_SPECIFIC: dict[str, frozenset[str]] = {
    "0.1.0": frozenset(
        {
            "proxy_get_configuration",
            "proxy_continue_request",
            "proxy_continue_response",
            "proxy_clear_route_cache",
        }
    ),
    "0.2.0": frozenset(i.name for i in abi.IMPORTS if i.since == "0.2.0"),
    abi.ABI_VERSION: frozenset(i.name for i in abi.IMPORTS) - PROXY_COMMON,
}
#: Non-proxy helpers cpp-host also registers in ``env``.
ENV_HELPERS = frozenset({"pthread_equal", "emscripten_notify_memory_growth"})


@dataclass(frozen=True)
class Proxy:
    """One proxy (version range) and what it gives a module."""

    key: str
    title: str
    wasi: frozenset[str]
    #: WASI functions registered with a signature other than the standard one (name -> host's).
    wasi_wrong_signature: dict[str, FuncType] = field(default_factory=dict)
    abi_versions: tuple[str, ...] = ("0.1.0", "0.2.0", "0.2.1")
    note: str = ""


PROXIES: tuple[Proxy, ...] = (
    Proxy(
        key="envoy-1.40",
        title="Envoy 1.40",
        wasi=WASI_2026,
        wasi_wrong_signature={"path_link": _sig("iiiiii"), "path_symlink": _sig("iiii")},
        note="45 WASI functions (all but proc_raise); path_link/path_symlink mis-typed",
    ),
    Proxy(
        key="envoy-1.33",
        title="Envoy 1.33-1.39, Istio 1.25+",
        wasi=WASI_GO_2024,
        note="2021 set + the Go-wasip1 set (Dec 2024)",
    ),
    Proxy(
        key="envoy-1.32",
        title="Envoy <=1.32, Istio <=1.24",
        wasi=WASI_2021,
        note="2021 set: 15 WASI functions (preopen/path stubs only)",
    ),
)

_BY_KEY = {p.key: p for p in PROXIES}
_ALIASES = {
    "envoy": "envoy-1.40",
    "latest": "envoy-1.40",
    "1.40": "envoy-1.40",
    "envoy-1.39": "envoy-1.33",
    "istio": "envoy-1.33",
    "old": "envoy-1.32",
}


def get_proxy(key: str | Proxy) -> Proxy:
    """The :class:`Proxy` for ``key`` (``envoy-1.40``, ``envoy-1.33``, ``envoy-1.32``, ...)."""
    if isinstance(key, Proxy):
        return key
    found = _BY_KEY.get(key) or _BY_KEY.get(_ALIASES.get(key, ""))
    if found is None:
        raise KeyError(f"unknown proxy {key!r} (known: {', '.join(_BY_KEY)})")
    return found


@dataclass(frozen=True)
class MissingImport:
    """An import ``module.name`` the proxy will not satisfy, and why."""

    module: str
    name: str
    reason: str

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"

    def __str__(self) -> str:
        return f"{self.qualname}: {self.reason}"


def missing_imports(
    module_imports: Iterable[Import | tuple[str, str]],
    proxy: str | Proxy,
    abi_version: str | None = None,
) -> list[MissingImport]:
    """The imports of a module that ``proxy`` would refuse (empty list: it loads).

    ``module_imports`` are :class:`~proxy_wasm_compiler.wasm_module.Import` objects (their
    function types are checked against what the proxy registers) or ``(module, name)`` pairs.
    ``abi_version`` (``"0.2.1"``...) restricts the ABI-specific ``env`` functions; without it any
    ABI's are accepted.
    """
    target = get_proxy(proxy)
    env_ok = set(PROXY_COMMON) | ENV_HELPERS
    if abi_version is not None and abi_version in PROXY_ABI_SPECIFIC:
        env_ok |= PROXY_ABI_SPECIFIC[abi_version]
    else:
        for names in PROXY_ABI_SPECIFIC.values():
            env_ok |= names
    problems: list[MissingImport] = []
    for item in module_imports:
        if isinstance(item, Import):
            mod, name, kind, ftype = item.module, item.name, item.kind, item.type
        else:
            mod, name = item
            kind, ftype = "func", None
        if kind != "func":
            if mod in WASI_MODULES or mod == "env":
                problems.append(
                    MissingImport(
                        mod, name, f"imports a {kind}; {target.title} only provides functions"
                    )
                )
            else:
                problems.append(MissingImport(mod, name, f"unknown import module {mod!r}"))
            continue
        if mod == "env":
            if name not in env_ok:
                why = "not provided by the host"
                if abi_version and any(name in s for s in PROXY_ABI_SPECIFIC.values()):
                    why = f"not part of ABI {abi_version}"
                problems.append(MissingImport(mod, name, why))
        elif mod in WASI_MODULES:
            if name not in target.wasi:
                problems.append(MissingImport(mod, name, f"not provided by {target.title}"))
            elif name in target.wasi_wrong_signature:
                host = target.wasi_wrong_signature[name]
                problems.append(
                    MissingImport(
                        mod,
                        name,
                        f"{target.title} registers it as {host}: V8 refuses the module "
                        "(import type mismatch)",
                    )
                )
            elif ftype is not None and name in WASI_PREVIEW1 and ftype != WASI_PREVIEW1[name]:
                problems.append(
                    MissingImport(
                        mod, name, f"signature {ftype} differs from WASI's {WASI_PREVIEW1[name]}"
                    )
                )
        else:
            problems.append(MissingImport(mod, name, f"unknown import module {mod!r}"))
    return problems


def loads_on(
    module_imports: Iterable[Import | tuple[str, str]], abi_version: str | None = None
) -> dict[str, list[MissingImport]]:
    """``{proxy key: missing imports}`` for every proxy in :data:`PROXIES`."""
    imports = list(module_imports)
    return {p.key: missing_imports(imports, p, abi_version) for p in PROXIES}
