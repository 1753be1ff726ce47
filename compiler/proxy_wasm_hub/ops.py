"""The hub's operations (what the CLI verbs and other engineers' code call)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proxy_wasm_compiler.errors import UserError
from proxy_wasm_hub import istio
from proxy_wasm_hub.credentials import (
    Credential,
    CredentialStore,
    LocalIndex,
    atomic_write,
)
from proxy_wasm_hub.image import (
    ANN_ROOT_IDS,
    ANN_TITLE,
    Format,
    ModuleInfo,
    build_image,
    image_format,
    module_annotations,
    module_from_manifest,
    module_info,
    read_module_file,
    sha256_digest,
)
from proxy_wasm_hub.reference import Reference, normalize_registry, parse_reference
from proxy_wasm_hub.registry import Manifest, RegistryClient, Transport


def _client(registry: str, transport: Transport | None, config_dir: Path | None) -> RegistryClient:
    credential = CredentialStore(config_dir).get(registry)
    return RegistryClient(registry, transport or Transport(), credential)


def _as_ref(ref: str | Reference) -> Reference:
    return ref if isinstance(ref, Reference) else parse_reference(ref)


# -- push -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    reference: Reference  # with the digest set
    digest: str
    format: str
    annotations: dict[str, str]
    module: ModuleInfo


def push_module(
    path: Path,
    ref: str | Reference,
    *,
    fmt: Format = "compat",
    title: str | None = None,
    description: str | None = None,
    source: str | None = None,
    extra_annotations: dict[str, str] | None = None,
    transport: Transport | None = None,
    config_dir: Path | None = None,
) -> PushResult:
    """Check ``path`` is a Proxy-Wasm module, lay it out as an image, push it to ``ref``."""
    target = _as_ref(ref)
    if target.digest is not None:
        raise UserError(f"{ref}: push to a tag, not a digest (the digest is computed)")
    info = read_module_file(path)
    annotations = module_annotations(
        info,
        title=title or path.stem,
        description=description,
        source=source,
        extra=extra_annotations,
    )
    image = build_image(info, annotations, fmt)
    digest = _client(target.registry, transport, config_dir).push_image(target, image)
    pinned = target.with_digest(digest)
    LocalIndex(config_dir).record(
        str(target),
        digest,
        fmt,
        "pushed",
        _manifest_annotations(image.manifest),
        len(info.data),
        str(path.resolve()),
    )
    return PushResult(pinned, digest, fmt, annotations, info)


def _manifest_annotations(raw: bytes) -> dict[str, str]:
    doc = json.loads(raw)
    return {str(k): str(v) for k, v in (doc.get("annotations") or {}).items()}


# -- pull -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PullResult:
    reference: Reference  # with the digest set
    digest: str
    format: str
    annotations: dict[str, str]
    path: Path
    module_digest: str


def fetch_module(
    ref: str | Reference, *, transport: Transport | None = None, config_dir: Path | None = None
) -> tuple[Manifest, str, ModuleInfo]:
    """(manifest, format, module): fetch and verify everything, write nothing."""
    target = _as_ref(ref)
    client = _client(target.registry, transport, config_dir)
    manifest = client.get_manifest(target)
    fmt, data = module_from_manifest(
        manifest.doc, manifest.media_type, lambda desc: client.get_blob(target, desc), str(target)
    )
    info = module_info(data, f"{target} (plugin.wasm)")
    return manifest, fmt, info


def pull(
    ref: str | Reference,
    output: Path | None = None,
    *,
    transport: Transport | None = None,
    config_dir: Path | None = None,
) -> PullResult:
    """Pull ``ref``, verify manifest and layer digests, write the module atomically."""
    target = _as_ref(ref)
    manifest, fmt, info = fetch_module(target, transport=transport, config_dir=config_dir)
    dest = output if output is not None else Path(f"{target.basename}.wasm")
    if dest.is_dir():
        dest = dest / f"{target.basename}.wasm"
    _save_pulled(target, manifest, fmt, info.data, dest, config_dir)
    return PullResult(
        target.with_digest(manifest.digest),
        manifest.digest,
        fmt,
        manifest.annotations,
        dest,
        info.digest,
    )


def _save_pulled(
    target: Reference,
    manifest: Manifest,
    fmt: str,
    data: bytes,
    dest: Path,
    config_dir: Path | None,
) -> None:
    """Write a pulled module atomically and record it in the local index."""
    try:
        atomic_write(dest, data)
    except OSError as exc:
        raise UserError(f"{dest}: cannot write: {exc.strerror or exc}") from None
    LocalIndex(config_dir).record(
        str(target),
        manifest.digest,
        fmt,
        "pulled",
        manifest.annotations,
        len(data),
        str(dest.resolve()),
    )


def pull_module(
    ref: str | Reference,
    dest_dir: Path,
    *,
    plain_http: bool = False,
    ca_file: str | None = None,
    insecure: bool = False,
    transport: Transport | None = None,
    config_dir: Path | None = None,
) -> Path:
    """Pull ``[oci://]REF`` into ``dest_dir`` and return the module's path (for ``run``).

    The file is named ``<repository basename>-<first 16 hex of the manifest digest>.wasm``;
    digests are verified and the file is written atomically. Raises UserError on any failure.
    """
    target = _as_ref(ref)
    transport = transport or Transport(plain_http=plain_http, ca_file=ca_file, insecure=insecure)
    manifest, fmt, info = fetch_module(target, transport=transport, config_dir=config_dir)
    dest = Path(dest_dir) / f"{target.basename}-{manifest.digest.split(':', 1)[1][:16]}.wasm"
    _save_pulled(target, manifest, fmt, info.data, dest, config_dir)
    return dest


# -- tag --------------------------------------------------------------------------------------


def tag(
    src: str | Reference,
    dst: str | Reference,
    *,
    transport: Transport | None = None,
    config_dir: Path | None = None,
) -> Reference:
    """Point ``dst`` at ``src``'s manifest (copying blobs across repositories/registries)."""
    source, target = _as_ref(src), _as_ref(dst)
    if target.digest is not None:
        raise UserError(f"{dst}: the destination must be a tag, not a digest")
    src_client = _client(source.registry, transport, config_dir)
    manifest = src_client.get_manifest(source)
    if (source.registry, source.repository) == (target.registry, target.repository):
        dst_client = src_client
    else:
        dst_client = _client(target.registry, transport, config_dir)
        dst_client.copy_blobs(src_client, source, target, manifest)
    digest = dst_client.put_manifest(target, manifest.raw, manifest.media_type)
    fmt = image_format(manifest.doc, manifest.media_type) or "unknown"
    LocalIndex(config_dir).record(str(target), digest, fmt, "tagged", manifest.annotations, 0, None)
    return target.with_digest(digest)


# -- login / logout ---------------------------------------------------------------------------


def login(
    registry: str,
    username: str,
    password: str,
    *,
    transport: Transport | None = None,
    config_dir: Path | None = None,
) -> bool:
    """Check the credentials against ``registry`` and store them (0600). Returns False if the
    registry does not ask for authentication (they are stored anyway)."""
    host = normalize_registry(registry)
    if not username:
        raise UserError("login needs a user name (-u USER)")
    if not password:
        raise UserError("login needs a password (--password-stdin or -p)")
    credential = Credential(username, password)
    needed = RegistryClient(host, transport or Transport(), credential).check_login()
    CredentialStore(config_dir).set(host, credential)
    return needed


def logout(registry: str, *, config_dir: Path | None = None) -> bool:
    return CredentialStore(config_dir).remove(normalize_registry(registry))


# -- list -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteImage:
    repository: str
    tag: str
    digest: str
    format: str
    annotations: dict[str, str] = field(default_factory=dict)


def _matches(search: str | None, *texts: str) -> bool:
    if not search:
        return True
    needle = search.lower()
    return any(needle in t.lower() for t in texts)


def list_remote(
    registry: str,
    *,
    search: str | None = None,
    transport: Transport | None = None,
    config_dir: Path | None = None,
) -> list[RemoteImage]:
    """Every repository:tag in ``registry`` (``_catalog`` + ``tags/list``) with annotations;
    ``search`` keeps those whose repository, tag or an annotation value contains it."""
    host = normalize_registry(registry)
    client = _client(host, transport, config_dir)
    out: list[RemoteImage] = []
    for repo in client.catalog():
        for tag_name in client.tags(repo):
            ref = Reference(host, repo, tag_name)
            try:
                manifest = client.get_manifest(ref)
            except UserError:
                continue  # deleted between listing and fetching
            ann = manifest.annotations
            if not _matches(search, repo, tag_name, *ann.values()):
                continue
            fmt = image_format(manifest.doc, manifest.media_type) or "not-wasm"
            out.append(RemoteImage(repo, tag_name, manifest.digest, fmt, ann))
    return out


def list_local(
    *, search: str | None = None, config_dir: Path | None = None
) -> list[dict[str, Any]]:
    rows = []
    for entry in LocalIndex(config_dir).entries():
        if _matches(search, entry.reference, *entry.annotations.values()):
            rows.append(entry.to_json())
    return rows


# -- deploy istio -----------------------------------------------------------------------------


def _single_root_id(root_ids: list[str], where: str) -> str | None:
    ids = [r for r in root_ids if r]
    if len(ids) > 1:
        raise UserError(
            f"{where} has several root ids ({', '.join(ids)}): choose one with --plugin-name"
        )
    return ids[0] if ids else None


def deploy_istio(
    target: str,
    *,
    url: str | None = None,
    name: str | None = None,
    namespace: str | None = None,
    plugin_name: str | None = None,
    phase: str | None = None,
    priority: int | None = None,
    config_file: Path | None = None,
    match: list[str] | None = None,
    fail_strategy: str | None = None,
    selector: list[str] | None = None,
    image_pull_policy: str | None = None,
    image_pull_secret: str | None = None,
    plugin_type: str | None = None,
    env: list[str] | None = None,
    offline: bool = False,
    transport: Transport | None = None,
    config_dir: Path | None = None,
) -> dict[str, Any]:
    """A WasmPlugin for an image REF (url ``oci://``, sha256 = manifest digest) or a module
    FILE served at ``url`` (sha256 = the module's checksum)."""
    plugin_config = istio.load_plugin_config(config_file) if config_file else None
    matches = [istio.parse_match(m) for m in match or []]
    labels = istio.parse_labels(selector or [])
    env_map = {}
    for item in env or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--env {item!r}: expected NAME=VALUE")
        env_map[key] = value
    as_file = Path(target)
    if target.endswith(".wasm") or as_file.is_file():
        info = read_module_file(as_file)
        if not url:
            raise UserError(
                f"{target}: a module file needs --url http(s)://... where Istio "
                "can download it (or push it and deploy the image reference)"
            )
        if not url.startswith(("http://", "https://", "file://")):
            raise UserError(f"--url {url!r}: expected an http://, https:// or file:// URL")
        sha = info.digest.split(":", 1)[1]
        root = plugin_name or _single_root_id(list(info.root_ids), target)
        default_name = info.name or as_file.stem
    else:
        if url:
            raise UserError("--url is for a module FILE; an image REF is fetched from its registry")
        ref = parse_reference(target)
        root = plugin_name
        if offline:
            if ref.digest is None:
                raise UserError(f"{target}: --offline needs a pinned reference (REF@sha256:...)")
            digest = ref.digest
            title = None
        else:
            client = _client(ref.registry, transport, config_dir)
            manifest = client.get_manifest(ref)
            if image_format(manifest.doc, manifest.media_type) is None:
                raise UserError(
                    f"{ref}: Istio would refuse this image: no tar+gzip last layer "
                    "holding plugin.wasm and not a 2-layer Wasm image"
                )
            digest = manifest.digest
            ann = manifest.annotations
            title = ann.get(ANN_TITLE)
            if root is None:
                ids = [r for r in ann.get(ANN_ROOT_IDS, "").split(",") if r]
                root = _single_root_id(ids, str(ref))
        sha = digest.split(":", 1)[1]
        tag_or_digest = f":{ref.tag}" if ref.tag else f"@{digest}"
        url = f"oci://{ref.name}{tag_or_digest}"
        default_name = title or ref.basename
    resource = istio.check_name(name) if name else istio.resource_name(default_name)
    return istio.wasm_plugin(
        name=resource,
        url=url,
        namespace=namespace,
        sha256=sha,
        plugin_name=root,
        phase=phase,
        priority=priority,
        plugin_config=plugin_config,
        match=matches,
        fail_strategy=fail_strategy,
        selector=labels,
        image_pull_policy=image_pull_policy,
        image_pull_secret=image_pull_secret,
        plugin_type=plugin_type,
        env=env_map,
    )


def write_text_atomic(path: Path, text: str) -> None:
    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None


__all__ = [
    "PullResult",
    "PushResult",
    "RemoteImage",
    "Transport",
    "deploy_istio",
    "fetch_module",
    "list_local",
    "list_remote",
    "login",
    "logout",
    "pull",
    "pull_module",
    "push_module",
    "sha256_digest",
    "tag",
]
