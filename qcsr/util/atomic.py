"""Atomic file writes: a temp file in the target folder renamed into place, so no partial output."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def save_bytes(data: bytes, path: str | os.PathLike) -> None:
    """Write `data` to `path` atomically, with the usual 0644-under-umask permissions."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
