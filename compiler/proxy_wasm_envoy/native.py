"""The native runtime's Envoy side: build the dynamic module, write its filter configuration.

The dynamic module (``runtime_shim/native/pw_native.c``) embeds the CPython that runs this code:
it is compiled by zig for the host and linked to this Python's shared libpython, and cached under
the build cache keyed by its sources and that Python. Envoy finds it by name
(``libproxy_wasm_python.so``) in ``ENVOY_DYNAMIC_MODULES_SEARCH_PATH``
(:func:`native_environment`). The filter configuration carries the filter path and this
process's ``sys.path``, so the filter's imports (C extensions included) resolve in Envoy as here.
"""

from __future__ import annotations

import json
import os
import platform
import site
import subprocess
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proxy_wasm_compiler import cache
from proxy_wasm_compiler.errors import ToolchainError, UserError
from proxy_wasm_envoy.config import Json, ListenerSpec, _type, plugin_configuration_text
from proxy_wasm_envoy.deployment import Deployment

MODULE_NAME = "proxy_wasm_python"
LIBRARY = f"lib{MODULE_NAME}.so"
FILTER_NAME = "proxy-wasm-python"
SEARCH_PATH_ENV = "ENVOY_DYNAMIC_MODULES_SEARCH_PATH"
NATIVE_DIR = Path(__file__).resolve().parent.parent.parent / "runtime_shim" / "native"
SOURCES = ("pw_native.c", "envoy_abi.h")


def _native_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("proxy_wasm_shim")
    if spec is not None and spec.submodule_search_locations:
        found = Path(next(iter(spec.submodule_search_locations))) / "native"
        if (found / "pw_native.c").exists():
            return found
    if (NATIVE_DIR / "pw_native.c").exists():
        return NATIVE_DIR
    raise ToolchainError("the native runtime sources (pw_native.c) are missing from the install")


def python_library() -> tuple[Path, Path, str, str]:
    """``(include dir, LIBDIR, soname, home)`` of this Python's shared libpython.

    Raises :class:`UserError` (one line) when this Python has no shared libpython.
    """
    if not sysconfig.get_config_var("Py_ENABLE_SHARED"):
        raise UserError(
            f"the native runtime needs a Python built with a shared libpython "
            f"(--enable-shared); {sys.executable} has none"
        )
    libdir = Path(str(sysconfig.get_config_var("LIBDIR")))
    soname = str(sysconfig.get_config_var("INSTSONAME") or sysconfig.get_config_var("LDLIBRARY"))
    if not (libdir / soname).exists():
        raise UserError(f"the native runtime needs {libdir / soname}, which is missing")
    include = Path(sysconfig.get_paths()["include"])
    return include, libdir, soname, sys.base_prefix


def build_native_module() -> Path:
    """Build (or reuse from the cache) the dynamic module; return the folder holding it."""
    include, libdir, soname, home = python_library()
    src = _native_dir()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    key = cache.digest(
        *(cache.file_digest(src / name) for name in SOURCES),
        str(include),
        str(libdir / soname),
        home,
        platform.machine(),
    )
    folder = cache.entry("native", key)
    library = folder / LIBRARY
    if library.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{LIBRARY}.tmp"
    argv = [
        sys.executable,
        "-m",
        "ziglang",
        "cc",
        "-target",
        f"{platform.machine()}-linux-gnu",
        "-shared",
        "-fPIC",
        "-O2",
        "-fvisibility=hidden",
        f"-I{include}",
        f"-DPW_PYTHON_HOME={json.dumps(home)}",
        f"-DPW_LIBPYTHON={json.dumps(str(libdir / soname))}",
        str(src / "pw_native.c"),
        f"-L{libdir}",
        f"-lpython{version}",
        f"-Wl,-rpath,{libdir}",
        "-o",
        str(tmp),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ToolchainError(f"building the native runtime failed:\n{done.stderr.strip()}")
    tmp.replace(library)
    return folder


def native_environment(module_dir: Path) -> dict[str, str]:
    """The environment variables Envoy needs to find the module."""
    return {SEARCH_PATH_ENV: str(module_dir)}


def filter_configuration(
    filter_path: str | Path,
    *,
    config: str | bytes | Mapping[str, Any] | None = None,
    vm_config: str | bytes | Mapping[str, Any] | None = None,
    name: str = FILTER_NAME,
    root_id: str = "",
    vm_id: str = "",
    sys_path: Sequence[str] | None = None,
) -> str:
    """The JSON the module reads (``proxy_wasm_shim.native.runtime.NativeConfig``)."""
    paths = [p for p in (sys.path if sys_path is None else sys_path) if p]
    return json.dumps(
        {
            "filter": str(Path(filter_path).resolve()),
            "sys_path": [str(Path(p).resolve()) for p in paths],
            "site_dirs": [d for d in site.getsitepackages() if Path(d).is_dir()],
            "plugin_name": name,
            "root_id": root_id,
            "vm_id": vm_id,
            "plugin_config": plugin_configuration_text(config) or "",
            "vm_config": plugin_configuration_text(vm_config) or "",
        }
    )


def native_http_filter(filter_path: str | Path, **options: Any) -> Json:
    """An ``http_filters`` entry running ``filter_path`` natively (see filter_configuration)."""
    return {
        "name": f"{FILTER_NAME}-native",
        "typed_config": {
            "@type": _type("envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter"),
            # Stats under wasmcustom.<name>, as Envoy-Wasm shows a filter's metrics.
            "dynamic_module_config": {
                "name": MODULE_NAME,
                "do_not_close": True,
                "metrics_namespace": "wasmcustom",
            },
            "filter_name": FILTER_NAME,
            "filter_config": {
                "@type": _type("google.protobuf.StringValue"),
                "value": filter_configuration(filter_path, **options),
            },
        },
    }


def use_native_module() -> Path:
    """Build the module and point Envoy processes started from here at it; return its folder."""
    folder = build_native_module()
    os.environ.update(native_environment(folder))
    return folder


def native_network_filter(filter_path: str | Path, **options: Any) -> Json:
    """A network ``filters`` entry running ``filter_path`` natively as a TCP filter."""
    config = native_http_filter(filter_path, **options)["typed_config"]
    config["@type"] = _type(
        "envoy.extensions.filters.network.dynamic_modules.v3.DynamicModuleNetworkFilter"
    )
    return {"name": f"{FILTER_NAME}-native-tcp", "typed_config": config}


@dataclass
class NativeTcpListener(ListenerSpec):
    """A tcp_proxy listener with a native TCP filter in front (``kind="tcp"``)."""

    network_filter: Json = field(default_factory=dict)

    def to_dict(self) -> Json:
        data = super().to_dict()
        data["filter_chains"][0]["filters"].insert(0, self.network_filter)
        return data


def native_listener(
    name: str,
    filter_path: str | Path,
    *,
    kind: str = "http",
    port: int = 0,
    cluster: str = "upstream",
    **options: Any,
) -> ListenerSpec:
    """A listener running ``filter_path`` natively in front of ``cluster``: an HTTP filter
    (``kind="http"``) or a TCP filter before tcp_proxy (``kind="tcp"``)."""
    options.setdefault("name", name)
    if kind == "tcp":
        return NativeTcpListener(
            name=name,
            kind="tcp",
            port=port,
            cluster=cluster,
            network_filter=native_network_filter(filter_path, **options),
        )
    return ListenerSpec(
        name=name,
        port=port,
        cluster=cluster,
        extra_http_filters=[native_http_filter(filter_path, **options)],
    )


def deployment_listener(deployment: Deployment, name: str, port: int = 0) -> ListenerSpec:
    """The native listener of a filter folder (``example.yaml``); UserError for what it lacks."""
    options: dict[str, Any] = {
        "config": deployment.config,
        "vm_config": deployment.vm_config,
        "root_id": deployment.root_id,
        "vm_id": deployment.vm_id,
    }
    if deployment.kind == "tcp":
        tcp = native_listener(name, deployment.filter, kind="tcp", port=port, **options)
        tcp.tcp_proxy_options = dict(deployment.tcp_proxy)
        return tcp
    if deployment.plugins:
        raise UserError(
            f"{deployment.name}: the native runtime runs one filter per Envoy (plugins: is set)"
        )
    listener = native_listener(name, deployment.filter, port=port, **options)
    listener.extra_http_filters[:0] = list(deployment.http_filters)
    return listener


def filter_source(target: str) -> tuple[Path, Path | None]:
    """``(filter.py, folder or None)`` for TARGET (FILTER.py or a folder holding filter.py)."""
    if target.startswith("oci://") or target.endswith(".wasm"):
        raise UserError(f"{target}: --native runs Python sources (FILTER.py or a folder), not Wasm")
    path = Path(target)
    if path.is_dir():
        if not (path / "filter.py").exists():
            raise UserError(f"{target}: the folder has no filter.py")
        return path / "filter.py", path
    if not path.exists():
        raise UserError(f"{target}: no such file")
    if path.suffix != ".py":
        raise UserError(f"{target}: expected a .py filter or a folder holding filter.py")
    return path, None
