"""Talking to OCI registries: a thin layer over oras-py (sessions, token/basic auth, blob
upload) plus plain requests for what oras-py does not expose (raw manifest bytes, for digest
verification, and paginated ``_catalog``/``tags/list``).

Credentials are scoped to the registry they were stored for (:class:`_ScopedSession`): they
go to the registry's own origin and to the token service (``realm``) named by a challenge
that the registry itself answered - never to a host a ``Link`` header or a redirect names.
That is what Docker does (its authorizer attaches credentials by the challenges recorded for
the pinged endpoint, and sends the Basic credentials to that endpoint's token realm, e.g.
``auth.docker.io`` for Docker Hub), and what oras-go does (credentials looked up by the
registry host, sent to the realm its challenge names). A realm that would downgrade an HTTPS
registry to plain HTTP gets nothing. Pagination follows ``Link: <...>; rel="next"`` on the
registry's origin only (distribution spec: the link is relative to the registry), stops at a
page already seen and at :data:`MAX_PAGES`.

Every failure leaves here as a :class:`~proxy_wasm_compiler.errors.UserError` with one line
naming the registry and what to do; the translation of requests/oras exceptions and of the
registry's HTTP statuses happens in :func:`_guard` and :meth:`RegistryClient._check` only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import json
import logging
import re
import tempfile
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import oras.auth
import oras.container
import oras.provider
import requests
import requests.adapters

from proxy_wasm_compiler.errors import UserError
from proxy_wasm_compiler.printable import printable
from proxy_wasm_hub.credentials import Credential
from proxy_wasm_hub.image import (
    DOCKER_MANIFEST_LIST,
    MANIFEST_ACCEPT,
    MAX_MODULE_SIZE,
    OCI_INDEX,
    Image,
    blob_descriptors,
    descriptor,
    index_platform,
    parse_manifest,
    sha256_digest,
)
from proxy_wasm_hub.reference import Reference

_MAX_MANIFEST = 4 * 1024 * 1024
#: Pages of ``_catalog`` or ``tags/list`` followed before giving up on an endless listing.
MAX_PAGES = 1000

# oras-py logs registry error messages itself (to stderr, via logging's last-resort handler);
# we report each failure as one line of our own, so keep its logger quiet.
_oras_log = logging.getLogger("oras.logger")
_oras_log.addHandler(logging.NullHandler())
_oras_log.propagate = False


@dataclass(frozen=True)
class Transport:
    """How to reach a registry: ``plain_http`` (no TLS), a CA bundle, or no TLS verification."""

    plain_http: bool = False
    ca_file: str | None = None
    insecure: bool = False
    timeout: float = 30.0

    @property
    def scheme(self) -> str:
        return "http" if self.plain_http else "https"

    @property
    def verify(self) -> bool | str:
        if self.insecure:
            return False
        return self.ca_file or True


@dataclass(frozen=True)
class Manifest:
    """A manifest as the registry served it: exact bytes, media type and (verified) digest."""

    raw: bytes
    media_type: str
    digest: str
    doc: dict[str, Any] = field(default_factory=dict)

    @property
    def annotations(self) -> dict[str, str]:
        ann = self.doc.get("annotations")
        if not isinstance(ann, dict):
            return {}
        return {str(k): str(v) for k, v in ann.items()}


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        return super().send(
            request,
            stream=stream,
            timeout=self._timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


class _ScopedSession(requests.Session):
    """A session that sends credentials only where they belong (see the module docstring):
    the registry's origin and the token realms that the registry's own challenges name."""

    def __init__(self, registry_url: str) -> None:
        super().__init__()
        self._registry = _origin(registry_url)
        self._trusted = {self._registry}

    def request(  # type: ignore[override]
        self, method: str | bytes, url: str | bytes, **kwargs: Any
    ) -> requests.Response:
        target = url.decode() if isinstance(url, bytes) else url
        if _origin(target) not in self._trusted:
            headers = kwargs.get("headers") or {}
            kwargs["headers"] = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            kwargs["auth"] = None
        resp = super().request(method, url, **kwargs)
        if resp.status_code == 401 and _origin(resp.url) == self._registry:
            self._trust_realm(resp.headers.get("WWW-Authenticate", ""))
        return resp

    def _trust_realm(self, challenge: str) -> None:
        if not challenge.lower().startswith("bearer"):
            return
        realm = oras.auth.utils.parse_auth_header(challenge).realm
        if not realm:
            return
        if not realm.startswith("http"):
            realm = f"{self._registry.split(':', 1)[0]}://{realm}"
        if self._registry.startswith("https:") and not realm.startswith("https:"):
            return  # would send the credentials in clear text
        self._trusted.add(_origin(realm))

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: Any) -> None:
        """On a redirect: keep credentials only when the new location is trusted too."""
        super().rebuild_auth(prepared_request, response)  # type: ignore[no-untyped-call]
        if _origin(str(prepared_request.url)) not in self._trusted:
            prepared_request.headers.pop("Authorization", None)


class _Oras(oras.provider.Registry):  # type: ignore[misc]
    """oras-py's registry client without its retry-with-sleep wrapper (up to ~2 minutes on an
    unreachable registry); failures are reported at once instead."""

    do_request = oras.provider.Registry.do_request.__wrapped__


def _registry_errors(resp: requests.Response) -> str:
    """The registry's error text, one printable line."""
    return printable(_error_text(resp))


def _json(resp: requests.Response) -> Any:
    """The response's JSON document; ValueError if it is not JSON (or nested too deeply)."""
    try:
        return resp.json()
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _error_text(resp: requests.Response) -> str:
    try:
        doc = _json(resp)
    except ValueError:
        text = resp.text.strip().splitlines()
        return text[0][:200] if text else ""
    parts = []
    for err in (doc.get("errors") or []) if isinstance(doc, dict) else []:
        if not isinstance(err, dict):
            continue
        piece = ": ".join(str(err[k]) for k in ("code", "message") if err.get(k))
        detail = err.get("detail")
        if detail and not isinstance(detail, dict | list):
            piece += f" ({detail})"
        elif isinstance(detail, dict | list):
            piece += f" ({json.dumps(detail, separators=(',', ':'))[:200]})"
        parts.append(piece)
    return "; ".join(parts)


def _error_codes(resp: requests.Response) -> set[str]:
    try:
        doc = _json(resp)
    except ValueError:
        return set()
    if not isinstance(doc, dict):
        return set()
    return {str(e.get("code")) for e in doc.get("errors") or [] if isinstance(e, dict)}


def _is_loopback(registry: str) -> bool:
    host = registry.rsplit(":", 1)[0] if not registry.endswith("]") else registry
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def _guard(registry: str, transport: Transport) -> Iterator[None]:
    """The one place where requests/oras exceptions become one-line UserErrors."""
    try:
        yield
    except UserError:
        raise
    except requests.exceptions.SSLError as exc:
        reason = _root_reason(exc)
        hint = (
            ("; use --ca-file for a private CA, or --plain-http for a registry served over HTTP")
            if not transport.plain_http
            else ""
        )
        raise UserError(f"TLS error talking to registry {registry}: {reason}{hint}") from None
    except requests.exceptions.Timeout:
        raise UserError(
            f"registry {registry} did not answer within {transport.timeout:g}s"
        ) from None
    except requests.exceptions.ConnectionError as exc:
        raise UserError(
            f"cannot reach registry {registry} over {transport.scheme}: {_root_reason(exc)}"
        ) from None
    except requests.exceptions.RequestException as exc:
        raise UserError(f"request to registry {registry} failed: {_root_reason(exc)}") from None
    except (ValueError, RuntimeError) as exc:  # oras-py reports protocol trouble this way
        raise UserError(f"registry {registry}: {exc}") from None
    except OSError as exc:
        raise UserError(f"registry {registry}: {exc.strerror or exc}") from None


def _root_reason(exc: BaseException) -> str:
    """The innermost readable reason of a requests/urllib3 error chain."""
    seen: BaseException | None = exc
    reason = str(exc)
    while seen is not None:
        args = getattr(seen, "args", ())
        if args and isinstance(args[0], BaseException):
            seen = args[0]
            continue
        inner = getattr(seen, "reason", None)
        if isinstance(inner, BaseException) and inner is not seen:
            seen = inner
            continue
        reason = str(seen)
        break
    for marker in (
        "Connection refused",
        "Name or service not known",
        "certificate verify failed",
        "WRONG_VERSION_NUMBER",
        "wrong version number",
        "timed out",
        "No route to host",
        "Temporary failure in name resolution",
    ):
        if marker in reason:
            if "certificate verify failed" in marker:
                tail = reason.split("certificate verify failed", 1)[1]
                tail = re.sub(r"\s*\(_ssl\.c:\d+\).*$", "", tail).strip(' :()"')
                return f"certificate verify failed ({tail})" if tail else marker
            if marker.lower().replace("_", " ") == "wrong version number":
                return "the server does not speak TLS (is it a plain-HTTP registry?)"
            return marker
    return reason.split(": ", 1)[-1][:200] if reason else type(exc).__name__


class RegistryClient:
    """One registry host: probes ``/v2/``, picks Basic or Bearer auth, does the protocol."""

    def __init__(
        self,
        registry: str,
        transport: Transport | None = None,
        credential: Credential | None = None,
    ) -> None:
        self.registry = registry
        self.transport = transport or Transport()
        self.credential = credential
        self._client: Any = None
        self._auth_scheme: str | None = None

    # -- plumbing -----------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.transport.scheme}://{self.registry}{path}"

    def _new_session(self) -> requests.Session:
        session = _ScopedSession(self._url("/"))
        adapter = _TimeoutAdapter(self.transport.timeout)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def probe(self) -> str | None:
        """GET ``/v2/``: None if open, else the auth scheme (``basic``/``bearer``).

        Like Docker, a loopback registry (localhost, 127.0.0.0/8, ::1) that does not speak TLS
        is used over plain HTTP without ``--plain-http``.
        """
        try:
            with _guard(self.registry, self.transport), self._new_session() as session:
                resp = session.get(self._url("/v2/"), verify=self.transport.verify)
        except UserError as exc:
            if (
                self.transport.plain_http
                or not _is_loopback(self.registry)
                or "does not speak TLS" not in exc.message
            ):
                raise
            self.transport = dataclasses.replace(self.transport, plain_http=True)
            with _guard(self.registry, self.transport), self._new_session() as session:
                resp = session.get(self._url("/v2/"), verify=self.transport.verify)
        if resp.status_code == 200:
            return None
        if resp.status_code == 401:
            header = resp.headers.get("WWW-Authenticate", "")
            return "basic" if header.lower().startswith("basic") else "bearer"
        if resp.status_code == 400 and "HTTPS" in resp.text:
            raise UserError(f"registry {self.registry} serves HTTPS: drop --plain-http")
        raise UserError(
            f"{self.registry} is not an OCI registry: GET /v2/ answered "
            f"{resp.status_code} {resp.reason}"
        )

    @property
    def client(self) -> Any:
        """The oras-py client, set up for this registry's auth scheme (probing once)."""
        if self._client is not None:
            return self._client
        scheme = self.probe()
        self._auth_scheme = scheme
        if scheme == "basic" and self.credential is None:
            self._need_login()
        with _guard(self.registry, self.transport):
            client = _Oras(
                hostname=self.registry,
                insecure=self.transport.plain_http,
                tls_verify=self.transport.verify,
                auth_backend="basic" if scheme == "basic" else "token",
            )
            session = self._new_session()
            client.session = session
            client.auth.session = session
            # Credentials come from our store only: never read ~/.docker/config.json.
            client.auth._auth_config = {"auths": {}}
            if self.credential is not None:
                client.auth.set_basic_auth(self.credential.username, self.credential.password)
        self._client = client
        return client

    def _need_login(self) -> NoReturn:
        raise UserError(
            f"registry {self.registry} requires authentication: run "
            f"`proxy-wasm login {self.registry} -u USER --password-stdin`"
        )

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        self.client  # noqa: B018 - probe first: it may switch a loopback registry to plain HTTP
        return self._request_url(method, self._url(path), **kwargs)

    def _request_url(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        client = self.client
        with _guard(self.registry, self.transport):
            resp: requests.Response = client.do_request(url, method, **kwargs)
            return resp

    def _check(self, resp: requests.Response, what: str, *, not_found: str | None = None) -> None:
        status = resp.status_code
        if 200 <= status < 300:
            return
        detail = _registry_errors(resp)
        suffix = f": {detail}" if detail else ""
        if status == 401:
            if self.credential is None:
                self._need_login()
            raise UserError(
                f"registry {self.registry} rejected the credentials of user "
                f"{self.credential.username!r} (401 Unauthorized); run "
                f"`proxy-wasm login {self.registry}` again"
            )
        if status == 403:
            raise UserError(f"registry {self.registry} denied {what} (403 Forbidden){suffix}")
        if status == 404 and not_found is not None:
            raise UserError(not_found)
        if status in (400, 415) and "manifest" in what:
            raise UserError(
                f"registry {self.registry} rejected the image manifest "
                f"({status} {resp.reason}){suffix}; it may not accept these media "
                "types: try --format compat"
            )
        raise UserError(f"registry {self.registry}: {what} failed: {status} {resp.reason}{suffix}")

    def _container(self, ref: Reference) -> Any:
        return oras.container.Container(f"{self.registry}/{ref.repository}")

    # -- manifests ----------------------------------------------------------------------------

    def get_manifest(self, ref: Reference) -> Manifest:
        """Fetch ``ref``'s manifest and verify its digest (against ``@sha256`` and the
        registry's ``Docker-Content-Digest``). An index with one image is followed."""
        manifest = self._get_manifest(ref, ref.reference)
        media = manifest.media_type.split(";")[0].strip()
        if media in (OCI_INDEX, DOCKER_MANIFEST_LIST):
            listed = manifest.doc.get("manifests")
            entries = [m for m in listed if isinstance(m, dict)] if isinstance(listed, list) else []
            wasm = [m for m in entries if index_platform(m) == "wasm"]
            chosen = wasm if len(wasm) == 1 else entries
            if len(chosen) != 1:
                raise UserError(
                    f"{ref}: is an image index with {len(entries)} images; "
                    "pass the digest of one image (REF@sha256:...)"
                )
            entry = descriptor(chosen[0], str(ref), "the index's image")
            return self._get_manifest(ref, entry["digest"])
        return manifest

    def _get_manifest(self, ref: Reference, reference: str) -> Manifest:
        resp = self._request(
            "GET",
            f"/v2/{ref.repository}/manifests/{reference}",
            headers={"Accept": ", ".join(MANIFEST_ACCEPT)},
            stream=True,
        )
        with resp:
            if resp.status_code == 404:
                codes = _error_codes(resp)
                if "NAME_UNKNOWN" in codes:
                    raise UserError(
                        f"{ref}: repository {ref.repository!r} not found in {self.registry}"
                    )
                what = "digest" if reference.startswith("sha256:") else "tag"
                raise UserError(
                    f"{ref}: {what} {reference!r} not found in {self.registry}/{ref.repository}"
                )
            self._check(resp, f"fetching the manifest of {ref}")
            raw = resp.raw.read(_MAX_MANIFEST + 1, decode_content=True)
        if len(raw) > _MAX_MANIFEST:
            raise UserError(f"{ref}: manifest larger than {_MAX_MANIFEST} bytes")
        digest = sha256_digest(raw)
        served = resp.headers.get("Docker-Content-Digest")
        if served and served != digest:
            raise UserError(
                f"{ref}: digest mismatch: the registry says {served}, the manifest "
                f"it served hashes to {digest}"
            )
        if reference.startswith("sha256:") and reference != digest:
            raise UserError(
                f"{ref}: digest mismatch: asked for {reference}, the manifest "
                f"served hashes to {digest}"
            )
        doc = parse_manifest(raw, str(ref))
        media = resp.headers.get("Content-Type") or str(doc.get("mediaType") or "")
        return Manifest(raw=raw, media_type=media.split(";")[0].strip(), digest=digest, doc=doc)

    def put_manifest(self, ref: Reference, raw: bytes, media_type: str) -> str:
        """PUT ``raw`` at ``ref``'s tag; returns its digest (checked against the registry's)."""
        if ref.tag is None:
            raise UserError(f"{ref}: a tag is needed to push (e.g. {ref.name}:1.0)")
        digest = sha256_digest(raw)
        resp = self._request(
            "PUT",
            f"/v2/{ref.repository}/manifests/{ref.tag}",
            data=raw,
            headers={"Content-Type": media_type},
        )
        self._check(resp, f"pushing the image manifest to {ref}")
        served = resp.headers.get("Docker-Content-Digest")
        if served and served != digest:
            raise UserError(
                f"{ref}: digest mismatch: pushed a manifest with digest {digest}, "
                f"the registry stored {served}"
            )
        return digest

    # -- blobs --------------------------------------------------------------------------------

    def get_blob(self, ref: Reference, desc: dict[str, Any]) -> bytes:
        """Download a blob (bounded by the descriptor's size and Istio's 256 MiB cap)."""
        checked = descriptor(desc, str(ref), "the blob")
        digest = checked["digest"]
        limit = min(checked["size"], MAX_MODULE_SIZE * 2)
        resp = self._request("GET", f"/v2/{ref.repository}/blobs/{digest}", stream=True)
        with resp:
            self._check(
                resp,
                f"downloading blob {digest}",
                not_found=f"{ref}: blob {digest} is missing from {self.registry}",
            )
            chunks: list[bytes] = []
            total = 0
            with _guard(self.registry, self.transport):
                for chunk in resp.iter_content(chunk_size=1 << 16):
                    total += len(chunk)
                    if total > limit:
                        raise UserError(
                            f"{ref}: blob {digest} is larger than its descriptor "
                            f"says ({limit} bytes)"
                        )
                    chunks.append(chunk)
        return b"".join(chunks)

    def push_image(self, ref: Reference, image: Image) -> str:
        """Upload every blob (skipping those present), then the manifest; returns its digest."""
        client = self.client
        container = self._container(ref)
        with tempfile.TemporaryDirectory(prefix="proxy-wasm-push-") as tmp:
            for i, blob in enumerate(image.blobs):
                path = Path(tmp) / f"blob{i}"
                path.write_bytes(blob.data)
                layer = {
                    "mediaType": blob.media_type,
                    "digest": blob.digest,
                    "size": len(blob.data),
                }
                with _guard(self.registry, self.transport):
                    resp = client.upload_blob(str(path), container, layer)
                self._check(resp, f"uploading blob {blob.digest} ({blob.media_type})")
        return self.put_manifest(ref, image.manifest, image.media_type)

    def copy_blobs(
        self, src_client: RegistryClient, src: Reference, dst: Reference, manifest: Manifest
    ) -> None:
        """Make every blob of ``manifest`` (in ``src``) present in ``dst``'s repository."""
        client = self.client
        container = self._container(dst)
        descriptors = blob_descriptors(manifest.doc, str(src))
        with tempfile.TemporaryDirectory(prefix="proxy-wasm-tag-") as tmp:
            for i, desc in enumerate(descriptors):
                layer = {
                    "mediaType": desc.get("mediaType"),
                    "digest": desc.get("digest"),
                    "size": desc.get("size"),
                }
                with _guard(self.registry, self.transport):
                    if client.blob_exists(layer, container):
                        continue
                data = src_client.get_blob(src, desc)
                if sha256_digest(data) != layer["digest"]:
                    raise UserError(f"{src}: digest mismatch for blob {layer['digest']}")
                path = Path(tmp) / f"blob{i}"
                path.write_bytes(data)
                with _guard(self.registry, self.transport):
                    resp = client.upload_blob(str(path), container, layer)
                self._check(resp, f"uploading blob {layer['digest']}")

    # -- discovery ----------------------------------------------------------------------------

    def _listing(self, path: str, key: str, what: str) -> list[str] | None:
        """The strings under ``key`` across the pages of ``path``; None on 404."""
        found: list[str] = []
        self.client  # noqa: B018 - probe first: it may switch a loopback registry to plain HTTP
        url = self._url(path)
        seen: set[str] = set()
        while True:
            if len(seen) == MAX_PAGES:
                raise UserError(
                    f"registry {self.registry}: {what} has more than {MAX_PAGES} pages; stopped"
                )
            seen.add(url)
            resp = self._request_url("GET", url)
            if resp.status_code == 404:
                return None
            self._check(resp, what)
            try:
                doc = _json(resp)
            except ValueError:
                raise UserError(f"registry {self.registry}: {what} is not JSON") from None
            page = doc.get(key) if isinstance(doc, dict) else None
            if page is not None and not isinstance(page, list):
                raise UserError(f"registry {self.registry}: {what}: {key!r} is not a list")
            found.extend(str(item) for item in page or [] if isinstance(item, str))
            link = resp.links.get("next", {}).get("url")
            if not page or not link:
                return found
            url = urllib.parse.urljoin(url, link)
            if _origin(url) != _origin(self._url("/")):
                raise UserError(
                    f"registry {self.registry}: {what} links its next page to another host "
                    f"({urllib.parse.urlsplit(url).netloc}); not followed"
                )
            if url in seen:
                return found

    def catalog(self) -> list[str]:
        """Every repository the registry lists (``_catalog``, all pages)."""
        repos = self._listing("/v2/_catalog?n=1000", "repositories", "the repository list")
        if repos is None:
            raise UserError(
                f"registry {self.registry} does not list its repositories "
                "(GET /v2/_catalog: 404 Not Found)"
            )
        return sorted(set(repos))

    def tags(self, repository: str) -> list[str]:
        """The repository's tags (all pages); empty for a repository without any."""
        tags = self._listing(f"/v2/{repository}/tags/list", "tags", f"the tag list of {repository}")
        return sorted(set(tags or []))

    def check_login(self) -> bool:
        """Verify the credential against the registry; False if it needs no authentication."""
        scheme = self.probe()
        if scheme is None:
            return False
        assert self.credential is not None
        cred = (self.credential.username, self.credential.password)
        with _guard(self.registry, self.transport), self._new_session() as session:
            if scheme == "basic":
                resp = session.get(self._url("/v2/"), auth=cred, verify=self.transport.verify)
            else:
                challenge = session.get(self._url("/v2/"), verify=self.transport.verify)
                header = oras.auth.utils.parse_auth_header(
                    challenge.headers.get("WWW-Authenticate", "")
                )
                if not header.realm:
                    raise UserError(f"registry {self.registry} sent no token realm")
                params = {"service": header.service} if header.service else {}
                resp = session.get(
                    header.realm, params=params, auth=cred, verify=self.transport.verify
                )
        if resp.status_code in (401, 403):
            raise UserError(
                f"login to {self.registry} failed: the registry rejected the "
                f"credentials of user {self.credential.username!r} "
                f"({resp.status_code} {resp.reason})"
            )
        self._check(resp, "login")
        return True
