"""Writing outputs safely: the one policy of every command that writes files.

Every command that writes (``plan``, ``leaflet``, ``embed``, ``landmarks import``,
``network build``, ``publish``) names all its outputs to :func:`check_outputs` before it
does any work, then writes them with :meth:`OutputSet.write`. The rules (the README's
promises under "The command line" state the same):

Checked first
    All the outputs of one command are checked together, before any work. Refused, with
    one line naming the option and the path: two outputs that are the same file (after
    symbolic links, ``..`` and, in a case-insensitive folder, case); an output that is
    also an input of the command (``leaflet walk.json -o walk.json``); an output inside
    another output (``-o d --html d/map.html``, ``--json x --gpx x/a.gpx``); an output
    that is an existing folder, a block device or a socket; a read-only file; a missing
    parent folder, or a folder where no file can be created (read-only, ``/proc``,
    ``/sys``); a symbolic link to nothing, or a loop of links.
Symbolic links are written through
    The link stays a link and its target gets the new content (the temporary file is made
    beside the target, so the target is still replaced atomically).
FIFOs and character devices are written to directly
    ``/dev/stdout``, ``/dev/null``, a terminal or a named pipe is opened and written, never
    replaced by a file. Atomicity cannot apply there: such an output gets its bytes at
    commit time, before the files are renamed, and a reader may see part of them if
    writing fails.
Committed together
    Every regular file is written in full to a temporary file beside its target; only when
    all are complete are they renamed into place, and if one rename fails the ones already
    done are put back. A failure (disk full, no permission, an error of the command)
    replaces nothing and leaves no temporary file. Renaming is not interrupted by Ctrl-C.
Permissions
    A new file gets ``0666 & ~umask``, an existing file keeps its mode (and its owner where
    permitted); a new folder gets ``0777 & ~umask``. Renaming replaces a hard link's name
    only: other names of the old file keep the old content.
Temporaries
    Temporary files and folders are named ``.<name>.redroute-tmp-<pid>-<random>``. A later
    run writing into the same folder removes those whose process is gone, or, when that
    process number now belongs to another program, that are older than an hour; those of
    a live run are never touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import stat
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from redroute._errors import OutputError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

__all__ = ["Output", "OutputError", "OutputSet", "check_outputs", "clean_stale",
           "is_temporary", "new_file_mode", "new_folder_mode", "no_interrupt",
           "temporary_folder", "write_bytes_atomic", "write_text_atomic"]

TAG = ".redroute-tmp-"
_TEMPORARY = re.compile(r"^\..*\.redroute-tmp-(?P<pid>\d+)-[A-Za-z0-9_]{8}$", re.DOTALL)
#: A temporary whose process number is alive but belongs to another program is stale after this.
STALE_AFTER_S = 3600.0


# ----------------------------------------------------------------------------- small helpers


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The mode a new file gets: ``0666 & ~umask``."""
    return 0o666 & ~_umask()


def new_folder_mode() -> int:
    """The mode a new folder gets: ``0777 & ~umask``."""
    return 0o777 & ~_umask()


def _short(name: str) -> str:
    """``name`` cut to 100 bytes, so a temporary's name stays within the 255-byte limit."""
    return name.encode("utf-8", "surrogateescape")[:100].decode("utf-8", "ignore")


def _prefix(name: str) -> str:
    return f".{_short(name)}{TAG}{os.getpid()}-"


def is_temporary(name: str) -> bool:
    """Whether ``name`` is the name of a redroute temporary file or folder."""
    return _TEMPORARY.match(name) is not None


def temporary_folder(where: Path, name: str) -> Path:
    """A new, recognisably named, private folder in ``where`` to build outputs in."""
    return Path(tempfile.mkdtemp(prefix=_prefix(name), dir=where))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists (another user's)
    return True


def _runs_redroute(pid: int) -> bool:
    """Whether process ``pid`` looks like redroute (``True`` when that cannot be told)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return b"redroute" in command


def clean_stale(folder: Path) -> list[Path]:
    """Remove the stale redroute temporaries in ``folder``; return what was removed.

    A temporary is stale when its process is gone, or when its process number now belongs
    to a program that is not redroute and it is older than :data:`STALE_AFTER_S`. This
    run's own temporaries and those of another live run are kept.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None:
            continue
        pid = int(match["pid"])
        if pid == os.getpid():
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if _alive(pid) and (now - info.st_mtime < STALE_AFTER_S or _runs_redroute(pid)):
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


@contextlib.contextmanager
def no_interrupt() -> Iterator[None]:
    """Ignore Ctrl-C (SIGINT) for the block: for the few milliseconds of a commit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _reason(err: BaseException) -> str:
    """The plain reason of an OS error (``No space left on device``), from its cause."""
    cause: BaseException | None = err
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        cause = cause.__cause__
    return str(err)


def _put(path: Path, data: bytes) -> None:
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


# ----------------------------------------------------------------------------- checking


@dataclass(frozen=True, slots=True)
class Output:
    """One output of a command.

    Parameters
    ----------
    path
        Where it goes, as the user gave it.
    option
        How the user named it (``--json``, ``-o``), for messages.
    folder
        ``True`` for an output folder (``-o DIR``); it is created when missing.
    """

    path: Path
    option: str = ""
    folder: bool = False

    def label(self) -> str:
        """``path (option)``, for messages."""
        return f"{self.path} ({self.option})" if self.option else str(self.path)


@dataclass(slots=True)
class _Checked:
    output: Output
    final: Path  # absolute, symbolic links resolved: what is written
    kind: str  # "new", "file", "direct", "folder", "new-folder"
    mode: int
    owner: tuple[int, int] | None = None
    key: tuple[object, ...] = ()


@dataclass(slots=True)
class _Probe:
    key: tuple[int, int]
    insensitive: bool


def _refuse(output: Output, reason: str) -> OutputError:
    return OutputError(f"cannot write {output.label()}: {reason}")


def _probe(folder: Path, cache: dict[Path, _Probe | str]) -> _Probe | str:
    """Create and remove a file in ``folder``: the only sure test that files can be made
    there (``os.access`` says yes to root in ``/proc``). Also tells case-insensitivity."""
    if folder in cache:
        return cache[folder]
    result: _Probe | str
    try:
        fd, name = tempfile.mkstemp(prefix=_prefix("probe"), dir=folder)
    except OSError as err:
        result = f"no file can be created in {folder}: {_reason(err)}"
    else:
        os.close(fd)
        probe = Path(name)
        try:
            info = folder.stat()
            twin = probe.with_name(probe.name.swapcase())
            result = _Probe((info.st_dev, info.st_ino), twin.exists())
        finally:
            with contextlib.suppress(OSError):
                probe.unlink()
    cache[folder] = result
    return result


def _realpath(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _check_folder(output: Output, new_folders: set[Path],
                  cache: dict[Path, _Probe | str]) -> _Checked:
    path = output.path
    try:
        final = path.resolve(strict=True)
    except FileNotFoundError:
        if path.is_symlink():
            raise _refuse(output, f"it is a symbolic link to {str(path.readlink())!r}, "
                                  "which does not exist") from None
        parent = _realpath(path).parent
        if parent in new_folders:  # inside a new output folder, made before it
            return _Checked(output, _realpath(path), "new-folder", new_folder_mode())
        if not parent.is_dir():
            raise _refuse(output, f"folder {path.parent} does not exist") from None
        probe = _probe(parent, cache)
        if isinstance(probe, str):
            raise _refuse(output, probe) from None
        return _Checked(output, _realpath(path), "new-folder", new_folder_mode())
    except (OSError, RuntimeError) as err:
        raise _refuse(output, f"its path cannot be followed: {_reason(err)}") from None
    if not final.is_dir():
        raise _refuse(output, "it exists and is not a folder")
    probe = _probe(final, cache)
    if isinstance(probe, str):
        raise _refuse(output, probe)
    return _Checked(output, final, "folder", 0, key=("inode", *probe.key))


def _check_file(output: Output, new_folders: set[Path],
                cache: dict[Path, _Probe | str]) -> _Checked:
    path = output.path
    if path.name in ("", ".", ".."):
        raise _refuse(output, "it is a folder")
    try:
        info: os.stat_result | None = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise _refuse(output, _reason(err)) from None
    if info is not None and stat.S_ISLNK(info.st_mode):
        try:
            info = path.stat()
            # A device or pipe is opened through its link (/dev/stdout -> pipe:[...]).
            final = path if not stat.S_ISREG(info.st_mode) else path.resolve(strict=True)
        except FileNotFoundError:
            raise _refuse(output, f"it is a symbolic link to {str(path.readlink())!r}, which "
                                  "does not exist (not written through)") from None
        except (OSError, RuntimeError) as err:
            raise _refuse(output, f"its symbolic link cannot be followed: "
                                  f"{_reason(err)}") from None
    elif info is not None:
        final = _realpath(path)
    else:
        final = _realpath(path)
        if final.parent in new_folders:  # its folder is an output, made at commit
            return _Checked(output, final, "new", new_file_mode(),
                            key=("path", str(final)))
        parent = path.parent
        if not parent.exists():
            raise _refuse(output, f"folder {parent} does not exist")
        if not parent.is_dir():
            raise _refuse(output, f"{parent} is not a folder")
        return _new_file(output, final, cache)
    return _existing(output, final, info, cache)


def _new_file(output: Output, final: Path, cache: dict[Path, _Probe | str]) -> _Checked:
    probe = _probe(final.parent, cache)
    if isinstance(probe, str):
        raise _refuse(output, probe)
    name = final.name.casefold() if probe.insensitive else final.name
    return _Checked(output, final, "new", new_file_mode(), key=("entry", *probe.key, name))


def _existing(output: Output, final: Path, info: os.stat_result,
              cache: dict[Path, _Probe | str]) -> _Checked:
    mode = info.st_mode
    key = ("inode", info.st_dev, info.st_ino)
    if stat.S_ISDIR(mode):
        raise _refuse(output, "it is a folder")
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        if not os.access(final, os.W_OK):
            raise _refuse(output, "no permission to write to it")
        return _Checked(output, final, "direct", 0, key=key)
    if not stat.S_ISREG(mode):
        what = "a block device" if stat.S_ISBLK(mode) else "a socket or other special file"
        raise _refuse(output, f"it is {what}, not a file")
    if not mode & 0o222 or not os.access(final, os.W_OK):
        raise _refuse(output, "the file is read-only (make it writable to replace it)")
    probe = _probe(final.parent, cache)
    if isinstance(probe, str):
        raise _refuse(output, probe)
    return _Checked(output, final, "file", stat.S_IMODE(mode),
                    owner=(info.st_uid, info.st_gid), key=key)


def _check_nesting(outputs: Sequence[Output]) -> None:
    """Same path twice, or one output inside another (by path, before any stat)."""
    where = [_realpath(o.path) for o in outputs]
    for j, b in enumerate(outputs):
        for i in range(j):
            a = outputs[i]
            if where[i] == where[j]:
                raise _refuse(b, f"it is the same path as {a.label()}")
            for outer, inner, wo, wi in ((a, b, where[i], where[j]),
                                         (b, a, where[j], where[i])):
                inside = wi.is_relative_to(wo)
                if inside and not (outer.folder and outer.option == inner.option):
                    raise _refuse(inner, f"it is inside {outer.label()}, another output")


def check_outputs(outputs: Sequence[Output], *,
                  inputs: Iterable[tuple[str, str | Path | None]] = ()) -> OutputSet:
    """Check every output of one command, before any work (see the module's rules).

    Parameters
    ----------
    outputs
        Every output of the command; a folder output's own files carry its option.
    inputs
        ``(label, path)`` of the files the command reads (catalogue, itinerary, extract):
        none of them may be an output.

    Returns
    -------
    OutputSet
        The checked outputs, ready for :meth:`OutputSet.write`.

    Raises
    ------
    OutputError
        The first output that cannot be written, with the reason.
    """
    _check_nesting(outputs)
    cache: dict[Path, _Probe | str] = {}
    new_folders: set[Path] = set()
    folders: list[_Checked] = []
    # Outer folders first, so that a new folder inside a new folder is known to be made.
    for o in sorted((o for o in outputs if o.folder), key=lambda o: len(_realpath(o.path).parts)):
        folders.append(_check_folder(o, new_folders, cache))
        if folders[-1].kind == "new-folder":
            new_folders.add(folders[-1].final)
    files = [_check_file(o, new_folders, cache) for o in outputs if not o.folder]
    seen: dict[tuple[object, ...], Output] = {}
    for c in files:
        if c.key in seen:
            raise _refuse(c.output, f"it is the same file as {seen[c.key].label()}")
        seen[c.key] = c.output
    for label, given in inputs:
        if given is None:
            continue
        try:
            info = Path(given).stat()
        except OSError:
            continue
        hit = seen.get(("inode", info.st_dev, info.st_ino))
        if hit is not None:
            raise _refuse(hit, f"it is the command's input {label} {given}")
    return OutputSet(folders, files)


# ----------------------------------------------------------------------------- writing


@dataclass(slots=True)
class OutputSet:
    """The checked outputs of one command (made by :func:`check_outputs`)."""

    folders: list[_Checked]
    files: list[_Checked]
    _made: list[Path] = field(default_factory=list)

    def final(self, path: Path) -> Path:
        """Where the output given as ``path`` is written (its symbolic links followed)."""
        return self._get(path).final

    def _get(self, path: Path) -> _Checked:
        for c in (*self.files, *self.folders):
            if c.output.path == path:
                return c
        msg = f"{path} is not one of the checked outputs"
        raise KeyError(msg)

    def write(self, writers: Mapping[Path, Callable[[Path], object]], *,
              clean: bool = True) -> None:
        """Write every file output, all or none.

        Parameters
        ----------
        writers
            For each file output (by the path it was given with), a function that writes
            the whole content to the temporary path it is passed.
        clean
            Remove stale temporaries of earlier runs from the folders written to first.

        Raises
        ------
        OutputError
            When a file cannot be written or committed (disk full, no permission); every
            target is then as it was. Errors of a writer itself propagate unchanged,
            after the temporaries are removed.
        """
        missing = [str(c.output.path) for c in self.files if c.output.path not in writers]
        if missing:
            msg = f"no writer for {', '.join(missing)}"
            raise ValueError(msg)
        if clean:
            for folder in {c.final.parent for c in self.files if c.kind != "direct"}:
                clean_stale(folder)
        staged: list[tuple[_Checked, Path]] = []
        current: list[_Checked] = []  # the output being made or committed, for the message
        try:
            for c in self.folders:
                current.append(c)
                self._make_folder(c)
            for c in self.files:
                current.append(c)
                tmp = self._temporary(c)
                staged.append((c, tmp))
                writers[c.output.path](tmp)
            self._commit(staged, current)
        except OSError as err:
            self._discard(staged)
            raise _refuse(current[-1].output, _reason(err)) from err
        except BaseException:
            self._discard(staged)
            raise
        self._made.clear()

    def _make_folder(self, c: _Checked) -> None:
        if c.kind != "new-folder" or c.final.is_dir():
            return
        c.final.mkdir(mode=0o777)  # mkdir applies the umask itself
        self._made.append(c.final)

    def _temporary(self, c: _Checked) -> Path:
        if c.kind == "direct":  # the bytes wait in the temp folder, then go to the device
            fd, name = tempfile.mkstemp(prefix=_prefix(c.final.name))
        else:
            fd, name = tempfile.mkstemp(prefix=_prefix(c.final.name), dir=c.final.parent)
        os.close(fd)
        tmp = Path(name)
        if c.kind != "direct":
            tmp.chmod(c.mode)
        return tmp

    def _commit(self, staged: list[tuple[_Checked, Path]], current: list[_Checked]) -> None:
        for c, tmp in staged:
            if c.kind == "direct":  # first: a failure here has replaced no file yet
                current.append(c)
                with tmp.open("rb") as src, c.final.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
        files = [(c, tmp) for c, tmp in staged if c.kind != "direct"]
        for c, tmp in files:
            _finish(c, tmp)
        done: list[tuple[_Checked, Path | None]] = []
        with no_interrupt():
            try:
                for c, tmp in files:
                    current.append(c)
                    done.append((c, _backup(c)))
                    try:
                        tmp.replace(c.final)
                    except OSError:
                        _, backup = done.pop()
                        if backup is not None:
                            with contextlib.suppress(OSError):
                                backup.unlink()
                        raise
            except BaseException:
                _roll_back(done)
                raise
            finally:
                for _, backup in done:
                    if backup is not None:
                        with contextlib.suppress(OSError):
                            backup.unlink()
            for folder in {c.final.parent for c, _ in files}:
                _sync_folder(folder)

    def _discard(self, staged: list[tuple[_Checked, Path]]) -> None:
        for _, tmp in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty: ours
        self._made.clear()


def _finish(c: _Checked, tmp: Path) -> None:
    """Give a complete temporary its final mode (and owner), and flush it to disk."""
    tmp.chmod(c.mode)
    if c.owner is not None and c.owner != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.chown(tmp, *c.owner)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())


def _roll_back(done: list[tuple[_Checked, Path | None]]) -> None:
    """Put back the files replaced so far (from their backups); remove the new ones."""
    for c, backup in reversed(done):
        with contextlib.suppress(OSError):
            if backup is not None:
                backup.replace(c.final)
            else:
                c.final.unlink()


def _backup(c: _Checked) -> Path | None:
    """A second name of the file about to be replaced, to put it back if a later rename
    fails (``None`` for a new file, or where hard links are not supported)."""
    if c.kind != "file":
        return None
    backup = c.final.with_name(f"{_prefix(c.final.name)}{secrets.token_hex(4)}")
    try:
        backup.hardlink_to(c.final)
    except OSError:
        return None
    return backup


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ----------------------------------------------------------------------------- one file


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically (see
    :func:`write_bytes_atomic`)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    The rules of the module apply: a symbolic link is written through, a FIFO or a
    character device is written to directly, a new file gets ``0666 & ~umask`` and an
    existing one keeps its mode; on any failure nothing is replaced and no temporary is
    left.

    Parameters
    ----------
    path
        The file to write.
    data
        Its whole content.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        When ``path`` cannot be written, with the reason.
    """
    target = Path(path)
    outputs = check_outputs([Output(target)])
    outputs.write({target: lambda tmp: _put(tmp, data)}, clean=False)
    return target
