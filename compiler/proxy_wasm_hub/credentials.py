"""Local state of the hub client: registry credentials and the index of pushed/pulled images.

Both live in ``$PROXY_WASM_CONFIG_DIR`` (default ``~/.config/proxy-wasm-python``):

* ``credentials.json`` (mode 0600, directory 0700): ``{"auths": {"host:port": {"auth":
  base64("user:password")}}}`` - the shape of Docker's config, so it is familiar. Secrets are
  never printed or logged; only the user name is ever shown.
* ``index.json``: the images this machine pushed or pulled, with their digests and annotations.

Writes are atomic (temp file in the same directory + rename).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proxy_wasm_compiler.errors import UserError

CONFIG_ENV = "PROXY_WASM_CONFIG_DIR"
CREDENTIALS_FILE = "credentials.json"
INDEX_FILE = "index.json"


def config_dir() -> Path:
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "proxy-wasm-python"


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` via a temp file + rename: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); fix or delete the file"
        ) from None
    if not isinstance(doc, dict):
        raise UserError(f"{path}: expected a JSON object; fix or delete the file")
    return doc


@dataclass(frozen=True)
class Credential:
    username: str
    password: str

    def __repr__(self) -> str:  # never show the password, even in a debugger or traceback
        return f"Credential(username={self.username!r}, password=***)"

    __str__ = __repr__


class CredentialStore:
    """Per-registry user name + password, kept in a 0600 file."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir()
        self.path = self.directory / CREDENTIALS_FILE

    def _load(self) -> dict[str, Any]:
        doc = _read_json(self.path)
        auths = doc.get("auths")
        return auths if isinstance(auths, dict) else {}

    def _save(self, auths: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(self.directory, 0o700)
        data = json.dumps({"auths": auths}, indent=2, sort_keys=True).encode() + b"\n"
        atomic_write(self.path, data, mode=0o600)

    def get(self, registry: str) -> Credential | None:
        entry = self._load().get(registry)
        if not isinstance(entry, dict) or not isinstance(entry.get("auth"), str):
            return None
        try:
            decoded = base64.b64decode(entry["auth"], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise UserError(
                f"{self.path}: the entry for {registry} is corrupt; run "
                f"`proxy-wasm logout {registry}` and log in again"
            ) from None
        username, sep, password = decoded.partition(":")
        if not sep:
            return None
        return Credential(username, password)

    def set(self, registry: str, credential: Credential) -> None:
        auths = self._load()
        token = f"{credential.username}:{credential.password}".encode()
        auths[registry] = {"auth": base64.b64encode(token).decode("ascii")}
        self._save(auths)

    def remove(self, registry: str) -> bool:
        auths = self._load()
        if registry not in auths:
            return False
        del auths[registry]
        self._save(auths)
        return True


@dataclass(frozen=True)
class IndexEntry:
    reference: str
    digest: str
    format: str
    action: str
    annotations: dict[str, str]
    size: int
    time: float
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "digest": self.digest,
            "format": self.format,
            "action": self.action,
            "annotations": self.annotations,
            "size": self.size,
            "time": self.time,
            "path": self.path,
        }

    @staticmethod
    def from_json(doc: dict[str, Any]) -> IndexEntry | None:
        try:
            return IndexEntry(
                reference=str(doc["reference"]),
                digest=str(doc["digest"]),
                format=str(doc.get("format", "")),
                action=str(doc.get("action", "")),
                annotations={str(k): str(v) for k, v in dict(doc.get("annotations") or {}).items()},
                size=int(doc.get("size", 0)),
                time=float(doc.get("time", 0)),
                path=None if doc.get("path") is None else str(doc["path"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


class LocalIndex:
    """The images pushed or pulled from this machine (one entry per reference)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.path = (directory or config_dir()) / INDEX_FILE

    def entries(self) -> list[IndexEntry]:
        images = _read_json(self.path).get("images")
        if not isinstance(images, list):
            return []
        out = [IndexEntry.from_json(x) for x in images if isinstance(x, dict)]
        return [e for e in out if e is not None]

    def record(
        self,
        reference: str,
        digest: str,
        fmt: str,
        action: str,
        annotations: dict[str, str],
        size: int,
        path: str | None = None,
    ) -> None:
        entries = [e for e in self.entries() if e.reference != reference]
        entries.append(
            IndexEntry(reference, digest, fmt, action, dict(annotations), size, time.time(), path)
        )
        entries.sort(key=lambda e: e.reference)
        doc = {"images": [e.to_json() for e in entries]}
        atomic_write(self.path, json.dumps(doc, indent=2).encode() + b"\n", mode=0o644)
