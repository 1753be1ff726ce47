"""Image layouts for Proxy-Wasm modules: building them (push) and reading them (pull).

Two layouts (see docs/reference distribution.md §2):

* ``compat`` (default, what Istio recommends): an ordinary OCI image. Config
  ``application/vnd.oci.image.config.v1+json`` with architecture/os/rootfs.diff_ids, ONE layer
  ``application/vnd.oci.image.layer.v1.tar+gzip`` holding ``plugin.wasm`` and
  ``runtime-config.json``, manifest annotation ``module.wasm.image/variant: compat``.
* ``oci`` (Solo's WebAssembly Hub variant): config ``application/vnd.module.wasm.config.v1+json``
  (the runtime config) and exactly two layers: that same runtime config and the raw module
  (``application/vnd.module.wasm.content.layer.v1+wasm``).

Reading follows Istio's fetcher (``pkg/wasm/imagefetcher.go``) rule by rule, so what ``pull``
accepts is what Istio accepts (plus the CNCF single ``application/wasm`` layer, with a note).
Everything is deterministic: the same module and annotations give the same digest.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from proxy_wasm_compiler.errors import UserError
from proxy_wasm_compiler.wasm_module import PROXY_WASM_PYTHON_SECTION, WasmModule, parse_module

Format = Literal["compat", "oci"]
FORMATS: tuple[Format, ...] = ("compat", "oci")

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_ACCEPT = (OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST)

OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_TGZ = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LAYER_TGZ = "application/vnd.docker.image.rootfs.diff.tar.gzip"
WASM_CONFIG = "application/vnd.module.wasm.config.v1+json"
WASM_CONTENT_LAYER = "application/vnd.module.wasm.content.layer.v1+wasm"
CNCF_WASM_LAYER = "application/wasm"

PLUGIN_FILE = "plugin.wasm"
RUNTIME_CONFIG_FILE = "runtime-config.json"
OCI_FILTER_FILE = "filter.wasm"

#: Entries read from a module layer before refusing it (a plugin layer holds two files).
MAX_LAYER_MEMBERS = 1000
#: Istio's agent refuses bigger modules (ISTIO_WASM_MAX_BINARY_SIZE_BYTES default).
MAX_MODULE_SIZE = 256 * 1024 * 1024

ANN_TITLE = "org.opencontainers.image.title"
ANN_DESCRIPTION = "org.opencontainers.image.description"
ANN_SOURCE = "org.opencontainers.image.source"
ANN_VARIANT = "module.wasm.image/variant"
ANN_RUNTIME_TYPE = "module.wasm.runtime/type"
ANN_RUNTIME_ABI = "module.wasm.runtime/abi_version"
ANN_PREFIX = "io.proxy-wasm-python."
ANN_SDK_VERSION = ANN_PREFIX + "sdk-version"
ANN_PYTHON_VERSION = ANN_PREFIX + "python-version"
ANN_ABI_VERSION = ANN_PREFIX + "abi-version"
ANN_ROOT_IDS = ANN_PREFIX + "root-ids"
ANN_FILTER_SOURCE = ANN_PREFIX + "filter-source"
ANN_MODULE_DIGEST = ANN_PREFIX + "module-digest"

_ABI_EXPORT_RE = re.compile(r"^proxy_abi_version_(\d+)_(\d+)_(\d+)$")
_SHA256_RE = re.compile(r"^sha256:[a-f0-9]{64}$")


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------------
# The module and its metadata


@dataclass(frozen=True)
class ModuleInfo:
    """What push/deploy need to know about a Proxy-Wasm module."""

    data: bytes
    abi_exports: tuple[str, ...]
    build_info: Mapping[str, Any] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return sha256_digest(self.data)

    @property
    def abi_versions(self) -> tuple[str, ...]:
        """``("0.2.1",)`` from the ``proxy_abi_version_0_2_1`` export."""
        out = []
        for name in self.abi_exports:
            m = _ABI_EXPORT_RE.match(name)
            out.append(".".join(m.groups()) if m else name.removeprefix("proxy_abi_version_"))
        return tuple(out)

    def _str(self, key: str) -> str | None:
        value = self.build_info.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        return None

    @property
    def sdk_version(self) -> str | None:
        return self._str("sdk_version")

    @property
    def python_version(self) -> str | None:
        return self._str("python_version")

    @property
    def source(self) -> str | None:
        return self._str("source")

    @property
    def description(self) -> str | None:
        return self._str("description")

    @property
    def name(self) -> str | None:
        return self._str("name")

    @property
    def root_ids(self) -> tuple[str, ...]:
        value = self.build_info.get("root_ids")
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list):
            return tuple(str(v) for v in value if isinstance(v, str | int))
        return ()


def module_info(data: bytes, where: str) -> ModuleInfo:
    """Check that ``data`` is a Proxy-Wasm module and read its metadata; UserError if not.

    A module qualifies when it is a WebAssembly core module exporting a function
    ``proxy_abi_version_*`` (every SDK does; hosts refuse modules without it).
    """
    if len(data) > MAX_MODULE_SIZE:
        raise UserError(
            f"{where}: module is {len(data)} bytes, over the {MAX_MODULE_SIZE} "
            "byte limit of Istio's agent"
        )
    try:
        module: WasmModule = parse_module(data)
    except UserError as exc:
        raise UserError(f"{where}: not a Proxy-Wasm module: {exc.message}") from None
    abi = tuple(
        e.name
        for e in module.exports
        if e.kind == "func" and e.name.startswith("proxy_abi_version_")
    )
    if not abi:
        raise UserError(
            f"{where}: not a Proxy-Wasm module: it exports no proxy_abi_version_* function"
        )
    return ModuleInfo(data=data, abi_exports=abi, build_info=module.build_info() or {})


def read_module_file(path: Path) -> ModuleInfo:
    """Read and check a module file (UserError for a missing/unreadable/non-Proxy-Wasm file)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a .wasm file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    return module_info(data, str(path))


def module_annotations(
    info: ModuleInfo,
    *,
    title: str | None = None,
    description: str | None = None,
    source: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The manifest annotations describing a module (standard OCI keys where they exist)."""
    ann: dict[str, str] = {}
    title = title or info.name
    if title:
        ann[ANN_TITLE] = title
    description = description or info.description
    if description:
        ann[ANN_DESCRIPTION] = description
    if source or info.source:
        ann[ANN_SOURCE] = source or info.source or ""
    if info.source:
        ann[ANN_FILTER_SOURCE] = info.source
    if info.sdk_version:
        ann[ANN_SDK_VERSION] = info.sdk_version
    if info.python_version:
        ann[ANN_PYTHON_VERSION] = info.python_version
    ann[ANN_ABI_VERSION] = ",".join(info.abi_versions)
    if info.root_ids:
        ann[ANN_ROOT_IDS] = ",".join(info.root_ids)
    ann[ANN_MODULE_DIGEST] = info.digest
    ann[ANN_RUNTIME_TYPE] = "envoy_proxy"
    ann[ANN_RUNTIME_ABI] = ",".join(info.abi_exports)
    if extra:
        ann.update(extra)
    return ann


def runtime_config(info: ModuleInfo) -> bytes:
    """Solo's ``runtime-config.json`` (``module.wasm.config.Runtime``), canonical JSON."""
    doc = {
        "type": "envoy_proxy",
        "abiVersions": list(info.abi_exports),
        "config": {"rootIds": list(info.root_ids)},
    }
    return _canonical_json(doc)


# --------------------------------------------------------------------------------------------
# Building images


@dataclass(frozen=True)
class Blob:
    media_type: str
    data: bytes
    annotations: Mapping[str, str] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return sha256_digest(self.data)

    def descriptor(self) -> dict[str, Any]:
        desc: dict[str, Any] = {
            "mediaType": self.media_type,
            "digest": self.digest,
            "size": len(self.data),
        }
        if self.annotations:
            desc["annotations"] = dict(self.annotations)
        return desc


@dataclass(frozen=True)
class Image:
    """A complete image: the exact manifest bytes plus every blob it references."""

    manifest: bytes
    media_type: str
    config: Blob
    layers: tuple[Blob, ...]
    format: str

    @property
    def digest(self) -> str:
        return sha256_digest(self.manifest)

    @property
    def blobs(self) -> tuple[Blob, ...]:
        seen: dict[str, Blob] = {}
        for blob in (self.config, *self.layers):
            seen.setdefault(blob.digest, blob)
        return tuple(seen.values())


def _canonical_json(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _deterministic_tar_gz(files: list[tuple[str, bytes]]) -> tuple[bytes, bytes]:
    """(tar, tar.gz) with zeroed mtimes/owners so equal inputs give equal digests."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mode = 0o644
            ti.mtime = 0
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            tar.addfile(ti, io.BytesIO(data))
    tar_bytes = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, filename="") as f:
        f.write(tar_bytes)
    return tar_bytes, gz.getvalue()


def build_image(info: ModuleInfo, annotations: Mapping[str, str], fmt: Format = "compat") -> Image:
    """Lay out ``info``'s module as a ``compat`` or ``oci`` image with ``annotations``."""
    rc = runtime_config(info)
    if fmt == "compat":
        tar_bytes, tgz = _deterministic_tar_gz(
            [(PLUGIN_FILE, info.data), (RUNTIME_CONFIG_FILE, rc)]
        )
        labels = {k: v for k, v in annotations.items() if k != ANN_VARIANT}
        config_doc = {
            "architecture": "wasm",
            "os": "wasip1",
            "config": {"Labels": labels},
            "rootfs": {"type": "layers", "diff_ids": [sha256_digest(tar_bytes)]},
            "history": [{"created_by": "proxy-wasm push", "comment": "plugin.wasm"}],
        }
        config = Blob(OCI_CONFIG, _canonical_json(config_doc))
        layers: tuple[Blob, ...] = (Blob(OCI_LAYER_TGZ, tgz),)
        ann = {**annotations, ANN_VARIANT: "compat"}
    elif fmt == "oci":
        config = Blob(WASM_CONFIG, rc)
        layers = (
            Blob(WASM_CONFIG, rc, {ANN_TITLE: RUNTIME_CONFIG_FILE}),
            Blob(WASM_CONTENT_LAYER, info.data, {ANN_TITLE: OCI_FILTER_FILE}),
        )
        ann = {k: v for k, v in annotations.items() if k != ANN_VARIANT}
    else:  # pragma: no cover - click restricts the choice
        raise UserError(f"unknown image format {fmt!r} (expected one of {', '.join(FORMATS)})")
    manifest_doc = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.descriptor(),
        "layers": [layer.descriptor() for layer in layers],
        "annotations": ann,
    }
    return Image(
        manifest=_canonical_json(manifest_doc),
        media_type=OCI_MANIFEST,
        config=config,
        layers=layers,
        format=fmt,
    )


# --------------------------------------------------------------------------------------------
# Reading images (Istio's rules)


def parse_manifest(raw: bytes, where: str) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(f"{where}: the registry returned a manifest that is not JSON") from None
    except RecursionError:
        raise UserError(f"{where}: the registry returned a manifest nested too deeply") from None
    if not isinstance(doc, dict):
        raise UserError(f"{where}: the registry returned a manifest that is not a JSON object")
    return doc


def descriptor(value: Any, where: str, what: str) -> dict[str, Any]:
    """``value`` checked as an OCI descriptor (a sha256 ``digest`` and an integer ``size``)."""
    if not isinstance(value, dict):
        raise UserError(f"{where}: {what} is not a descriptor (a JSON object)")
    digest, size = value.get("digest"), value.get("size")
    if not isinstance(digest, str) or not _SHA256_RE.match(digest):
        raise UserError(f"{where}: {what} has no sha256 digest")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise UserError(f"{where}: {what} has no valid size")
    return value


def blob_descriptors(manifest: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    """The config and layer descriptors of an image manifest, each checked."""
    layers = manifest.get("layers")
    if not isinstance(layers, list):
        raise UserError(f"{where}: the manifest's layers are not a list")
    found = [descriptor(manifest.get("config"), where, "the config")]
    found += [descriptor(layer, where, f"layer {i}") for i, layer in enumerate(layers)]
    return found


def index_platform(entry: Mapping[str, Any]) -> str | None:
    """The ``platform.architecture`` of an index entry (None when absent or malformed)."""
    platform = entry.get("platform")
    arch = platform.get("architecture") if isinstance(platform, dict) else None
    return arch if isinstance(arch, str) else None


def image_format(manifest: Mapping[str, Any], media_type: str | None = None) -> str | None:
    """``compat``/``docker``/``oci``/``cncf`` in Istio's order; None if not a module image."""
    mt = media_type or manifest.get("mediaType") or ""
    layers = manifest.get("layers")
    if not isinstance(layers, list) or not layers or not all(isinstance(x, dict) for x in layers):
        return None
    last = layers[-1].get("mediaType")
    if mt == DOCKER_MANIFEST:
        return "docker" if last == DOCKER_LAYER_TGZ else None
    if last == OCI_LAYER_TGZ:
        return "compat"
    if len(layers) == 2 and any(x.get("mediaType") == WASM_CONTENT_LAYER for x in layers):
        return "oci"
    if len(layers) == 1 and last == CNCF_WASM_LAYER:
        return "cncf"
    return None


def module_layer(
    manifest: Mapping[str, Any], media_type: str | None, where: str
) -> tuple[str, dict[str, Any]]:
    """The format and the layer descriptor holding the module, or UserError (Istio's wording)."""
    fmt = image_format(manifest, media_type)
    listed = manifest.get("layers")
    layers = listed if isinstance(listed, list) else []
    if fmt is None:
        n = len(layers)
        kinds = ", ".join(str(x.get("mediaType")) for x in layers if isinstance(x, dict))
        raise UserError(
            f"{where}: not a Wasm plugin image: no tar+gzip last layer holding "
            f"plugin.wasm and not a 2-layer {WASM_CONTENT_LAYER} image "
            f"({n} layer(s): {kinds or 'none'})"
        )
    if fmt == "oci":
        layer = next(x for x in layers if x.get("mediaType") == WASM_CONTENT_LAYER)
    else:
        layer = layers[-1]
    return fmt, dict(descriptor(layer, where, "the module layer"))


def verify_blob(data: bytes, descriptor: Mapping[str, Any], where: str) -> None:
    """UserError unless ``data`` matches the descriptor's size and sha256 digest."""
    expected = str(descriptor.get("digest"))
    if not expected.startswith("sha256:"):
        raise UserError(f"{where}: unsupported digest algorithm in {expected!r} (only sha256)")
    actual = sha256_digest(data)
    if actual != expected:
        raise UserError(f"{where}: digest mismatch for blob {expected}: got {actual}")
    size = descriptor.get("size")
    if isinstance(size, int) and size != len(data):
        raise UserError(
            f"{where}: size mismatch for blob {expected}: manifest says {size}, got {len(data)}"
        )


def extract_plugin(layer_data: bytes, fmt: str, where: str) -> bytes:
    """The module bytes from a verified module layer (``plugin.wasm`` out of the tar.gz)."""
    if fmt in ("oci", "cncf"):
        return layer_data
    try:
        with tarfile.open(fileobj=io.BytesIO(layer_data), mode="r:gz") as tar:
            for count, member in enumerate(tar, 1):
                if count > MAX_LAYER_MEMBERS:
                    raise UserError(
                        f"{where}: the module layer has more than {MAX_LAYER_MEMBERS} "
                        f"entries; a plugin layer holds {PLUGIN_FILE} and {RUNTIME_CONFIG_FILE}"
                    )
                if Path(member.name).name != PLUGIN_FILE or not member.isfile():
                    continue
                if member.size > MAX_MODULE_SIZE:
                    raise UserError(
                        f"{where}: plugin.wasm is {member.size} bytes, over the "
                        f"{MAX_MODULE_SIZE} byte limit"
                    )
                f = tar.extractfile(member)
                if f is None:
                    break
                return f.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise UserError(f"{where}: the module layer is not a valid tar.gz: {exc}") from None
    raise UserError(f"{where}: the image's last layer has no {PLUGIN_FILE}")


def module_from_manifest(
    manifest: Mapping[str, Any],
    media_type: str | None,
    fetch: Callable[[dict[str, Any]], bytes],
    where: str,
) -> tuple[str, bytes]:
    """(format, module bytes): find the module layer, fetch it, verify it, extract it."""
    fmt, layer = module_layer(manifest, media_type, where)
    data = fetch(layer)
    verify_blob(data, layer, where)
    return fmt, extract_plugin(data, fmt, where)


__all__ = [
    "FORMATS",
    "PROXY_WASM_PYTHON_SECTION",
    "Blob",
    "Format",
    "Image",
    "ModuleInfo",
    "build_image",
    "module_annotations",
    "module_from_manifest",
    "module_info",
    "read_module_file",
]
