"""Small file helpers shared by the commands that write outputs."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from redroute._errors import RedrouteError

__all__ = ["OutputError", "write_text_atomic"]


class OutputError(RedrouteError, OSError):
    """An output file cannot be written."""


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` so that readers see the old file or the whole new one.

    The text goes to a temporary file in the same folder, which then replaces ``path``; on
    any failure the temporary file is removed and nothing is left half-written.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        msg = f"cannot write {str(target)!r}: folder {str(folder)!r} does not exist"
        raise OutputError(msg)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
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
