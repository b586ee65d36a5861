"""Small file helpers shared by the commands that write outputs."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from redroute._errors import OutputError

__all__ = ["OutputError", "write_bytes_atomic", "write_text_atomic"]



def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically (see
    :func:`write_bytes_atomic`)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    The bytes go to a temporary file in the same folder, which then replaces ``path``; on
    any failure the temporary file is removed and nothing is left half-written.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        msg = f"cannot write {str(target)!r}: folder {str(folder)!r} does not exist"
        raise OutputError(msg)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        msg = f"cannot write {str(target)!r}: {err.strerror or err}"
        raise OutputError(msg) from err
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(0o644)
        tmp.replace(target)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        msg = f"cannot write {str(target)!r}: {err.strerror or err}"
        raise OutputError(msg) from err
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target
