"""Image references: ``[oci://]registry[:port]/repository[:tag][@sha256:<hex>]``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from proxy_wasm_compiler.errors import UserError

DEFAULT_REGISTRY = "docker.io"
DEFAULT_TAG = "latest"

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY_RE = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST_RE = re.compile(r"^sha256:[a-f0-9]{64}$")
_HOST_RE = re.compile(
    r"^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::[0-9]{1,5})?$"
)


_SCHEMES = ("oci://", "https://", "http://")


def _refuse_credentials(text: str) -> None:
    """UserError (with the password redacted) for ``user:password@host/...``."""
    value = text.strip()
    scheme = next((s for s in _SCHEMES if value.startswith(s)), "")
    first = value[len(scheme) :].split("/", 1)[0]
    userinfo, at, host = first.rpartition("@")
    if not at or host.startswith("sha256:"):
        return
    shown = scheme + "***@" + value[len(scheme) + len(userinfo) + 1 :]
    raise UserError(
        f"{shown!r}: a reference holds no credentials (redacted here); store them with "
        f"`proxy-wasm login {host} -u USER --password-stdin`"
    )


def _looks_like_host(component: str) -> bool:
    return "." in component or ":" in component or component == "localhost"


def normalize_registry(registry: str) -> str:
    """``https://Host:5000/`` -> ``host:5000`` (what credentials and the index are keyed by)."""
    _refuse_credentials(registry)
    value = registry.strip()
    for scheme in _SCHEMES:
        if value.startswith(scheme):
            value = value[len(scheme) :]
    value = value.rstrip("/").lower()
    if not value or "/" in value or not _HOST_RE.match(value):
        raise UserError(f"{registry!r} is not a registry host (expected e.g. 127.0.0.1:5000)")
    return value


@dataclass(frozen=True)
class Reference:
    """A parsed image reference; ``tag`` and ``digest`` may both be set (the digest wins)."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def reference(self) -> str:
        """What goes after ``/manifests/``: the digest when given, else the tag."""
        return self.digest or self.tag or DEFAULT_TAG

    @property
    def name(self) -> str:
        """``registry/repository``."""
        return f"{self.registry}/{self.repository}"

    @property
    def basename(self) -> str:
        return self.repository.rsplit("/", 1)[-1]

    def with_digest(self, digest: str) -> Reference:
        return Reference(self.registry, self.repository, self.tag, digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text

    @property
    def pinned(self) -> str:
        """``registry/repository@sha256:...`` when a digest is known, else ``str(self)``."""
        if self.digest is not None:
            return f"{self.name}@{self.digest}"
        return str(self)


def parse_reference(text: str) -> Reference:
    """Parse ``[oci://]registry[:port]/repo[:tag][@sha256:...]``; raise UserError if malformed.

    Without a registry host (no ``.``/``:`` in the first component, not ``localhost``) the
    registry is ``docker.io`` (single-component names get ``library/``), as Docker and Istio do.
    Without a tag or digest the tag is ``latest``.
    """
    _refuse_credentials(text)
    original = text
    value = text.strip()
    if value.startswith("oci://"):
        value = value[len("oci://") :]
    if not value or "://" in value:
        raise UserError(
            f"{original!r} is not an image reference "
            "(expected REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST])"
        )
    digest: str | None = None
    if "@" in value:
        value, digest = value.split("@", 1)
        if not _DIGEST_RE.match(digest):
            raise UserError(
                f"{original!r}: bad digest {digest!r} "
                "(expected sha256: and 64 lowercase hex digits)"
            )
    registry = DEFAULT_REGISTRY
    first, _, rest = value.partition("/")
    if rest and _looks_like_host(first):
        registry = normalize_registry(first)
        value = rest
    tag: str | None = None
    last_slash = value.rfind("/")
    colon = value.rfind(":")
    if colon > last_slash:
        value, tag = value[:colon], value[colon + 1 :]
        if not _TAG_RE.match(tag):
            raise UserError(f"{original!r}: bad tag {tag!r}")
    if not _REPOSITORY_RE.match(value):
        raise UserError(
            f"{original!r}: bad repository name {value!r} "
            "(lowercase letters, digits and . _ - separated by /)"
        )
    if registry == DEFAULT_REGISTRY and "/" not in value:
        value = f"library/{value}"
    if tag is None and digest is None:
        tag = DEFAULT_TAG
    return Reference(registry=registry, repository=value, tag=tag, digest=digest)
