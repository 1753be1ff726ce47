"""The build cache: content-addressed files under ``$PROXY_WASM_CACHE``.

Everything the build derives from its inputs is stored under a key made of the hash of those
inputs, so a rebuild with unchanged inputs reuses it, and a changed input can never be served a
stale result. Writes go to a temporary file renamed into place: a crash leaves nothing partial.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CACHE_VERSION = "1"


def cache_root() -> Path:
    """Return (and create) the cache directory."""
    root = Path(os.environ.get("PROXY_WASM_CACHE") or Path.home() / ".cache" / "proxy-wasm-python")
    root.mkdir(parents=True, exist_ok=True)
    return root


def digest(*parts: bytes | str) -> str:
    """Return a hex sha256 over the parts (each length-prefixed, so parts never run together)."""
    h = hashlib.sha256(CACHE_VERSION.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    """Return the sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def entry(kind: str, key: str, suffix: str = "") -> Path:
    """Return the path of a cache entry (which may not exist yet)."""
    folder = cache_root() / kind / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{key}{suffix}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
