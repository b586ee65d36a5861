"""typst from Python, safe in forked processes: ``typst.compile`` or ``typst.query``.

typst's Rust thread pool cannot run in a process forked from the one that started it (the
fork has the pool's bookkeeping but not its threads, and the first compilation waits for
them forever). In such a child, typst runs in a fresh interpreter instead.
"""

from __future__ import annotations

import json
import os
from typing import Any

from redroute._errors import LeafletError

__all__ = ["typeset"]

#: The process that started typst's worker threads (see the module's docstring).
_TYPST_OWNER: dict[str, int] = {}

_WORKER = """
import json, sys, typst
req = json.loads(sys.stdin.buffer.read())
try:
    out = getattr(typst, req["call"])(*req["args"], **req["kwargs"])
except typst.TypstError as err:
    sys.stderr.write(err.message)
    sys.exit(3)
sys.stdout.buffer.write(out if isinstance(out, bytes) else out.encode("utf-8"))
"""


def typeset(call: str, *args: Any, **kwargs: Any) -> bytes:
    """``typst.compile`` or ``typst.query``, as bytes; in a forked child, in a subprocess."""
    import typst

    owner = _TYPST_OWNER.setdefault("pid", os.getpid())
    if owner == os.getpid():
        try:
            out = getattr(typst, call)(*args, **kwargs)
        except typst.TypstError as err:
            msg = f"typesetting the leaflet failed: {err.message}"
            raise LeafletError(msg) from err
        return out if isinstance(out, bytes) else str(out).encode("utf-8")
    import subprocess
    import sys

    request = json.dumps({"call": call, "args": args, "kwargs": kwargs}).encode("utf-8")
    done = subprocess.run([sys.executable, "-c", _WORKER], input=request, capture_output=True,
                          check=False)
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        msg = f"typesetting the leaflet failed: {detail[-1] if detail else done.returncode}"
        raise LeafletError(msg)
    return done.stdout
