"""Atomic output files and the output policy of every command (issue 12)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from redroute._io import (
    Output,
    OutputError,
    check_outputs,
    clean_stale,
    write_bytes_atomic,
    write_text_atomic,
)


def test_write_and_replace(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    write_text_atomic(target, "旧 old\n")
    write_text_atomic(target, "新 new\n")
    assert target.read_text(encoding="utf-8") == "新 new\n"
    write_bytes_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_text_atomic(tmp_path / "no" / "a.txt", "x")


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")

    def broken(self: Path, other: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "replace", broken)
    with pytest.raises(OutputError, match="Permission denied"):
        write_text_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


# ------------------------------------------------------------ the output policy of issue 12

def _write_all(outputs: list[Output], text: str = "new") -> None:
    checked = check_outputs(outputs)
    checked.write({o.path: (lambda tmp: tmp.write_text(text, encoding="utf-8"))
                   for o in outputs if not o.folder})


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    """The link stays a link; its target gets the content."""
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    write_text_atomic(link, "new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_a_fifo_is_written_to_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_text_atomic(fifo, "through the pipe")
    reader.join(5)
    assert got == [b"through the pipe"]
    assert fifo.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_character_device_that_fails_replaces_nothing(tmp_path: Path) -> None:
    """/dev/full through a link: one error, and the other output is left as it was."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    full = tmp_path / "full"
    full.symlink_to("/dev/full")
    other = tmp_path / "other.json"
    other.write_text("old", encoding="utf-8")
    with pytest.raises(OutputError, match=r"full \(--gpx\): No space left on device"):
        _write_all([Output(other, "--json"), Output(full, "--gpx")])
    assert other.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "other.json"]


@pytest.mark.parametrize(("paths", "message"), [
    (["x", "x"], "cannot write x (--b): it is the same path as x (--a)"),
    (["x", "sub/../x"], "it is the same path as x (--a)"),
    (["d", "d/map.html"], "cannot write d/map.html (--b): it is inside d (--a)"),
])
def test_same_path_or_inside_another_output_is_refused(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       paths: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    with pytest.raises(OutputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_outputs([Output(Path(paths[0]), "--a"), Output(Path(paths[1]), "--b")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]


def test_same_file_through_a_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("", encoding="utf-8")
    (tmp_path / "b.json").symlink_to("a.json")
    with pytest.raises(OutputError, match="same"):
        check_outputs([Output(tmp_path / "a.json", "--json"),
                       Output(tmp_path / "b.json", "--geojson")])


def test_a_folder_output_owns_its_files(tmp_path: Path) -> None:
    """-o d with its own files is fine; d is made at commit with umask permissions."""
    d = tmp_path / "d"
    _write_all([Output(d, "-o", folder=True), Output(d / "a.json", "-o"),
                Output(tmp_path / "b.json", "--gpx")])
    assert (d / "a.json").read_text(encoding="utf-8") == "new"


@pytest.mark.parametrize(("make", "message"), [
    ("folder", "it is a folder"),
    ("dangling", "symbolic link to 'nowhere', which does not exist"),
    ("loop", "cannot be followed"),
    ("readonly", "read-only"),
    ("missing-folder", "folder .*no does not exist"),
    ("file-as-folder", "is not a folder|Not a directory"),
])
def test_unwritable_outputs_are_refused_before_any_work(tmp_path: Path, make: str,
                                                        message: str) -> None:
    target = tmp_path / "out.json"
    if make == "folder":
        target.mkdir()
    elif make == "dangling":
        target.symlink_to("nowhere")
    elif make == "loop":
        target.symlink_to("out.json")
    elif make == "readonly":
        target.write_text("keep", encoding="utf-8")
        target.chmod(0o444)
    elif make == "missing-folder":
        target = tmp_path / "no" / "out.json"
    else:
        (tmp_path / "file").write_text("", encoding="utf-8")
        target = tmp_path / "file" / "out.json"
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(OutputError, match=message):
        check_outputs([Output(target, "--json")])
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if make == "readonly":
        assert target.read_text(encoding="utf-8") == "keep"


@pytest.mark.skipif(not Path("/proc/version").exists(), reason="no /proc")
@pytest.mark.parametrize("path", ["/proc/version", "/proc/new.pdf"])
def test_proc_is_refused(path: str) -> None:
    with pytest.raises(OutputError, match=f"cannot write {path} \\(--leaflet\\)"):
        check_outputs([Output(Path(path), "--leaflet")])


def test_an_input_is_never_an_output(tmp_path: Path) -> None:
    walk = tmp_path / "walk.json"
    walk.write_text("{}", encoding="utf-8")
    with pytest.raises(OutputError, match="it is the command's input ITINERARY"):
        check_outputs([Output(walk, "-o")], inputs=[("ITINERARY", walk)])


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_new_files_and_folders_follow_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        d = tmp_path / "d"
        _write_all([Output(d, "-o", folder=True), Output(d / "a.json", "-o")])
        write_text_atomic(tmp_path / "b.json", "x")
    finally:
        os.umask(old)
    assert (d.stat().st_mode & 0o777) == 0o777 & ~umask
    assert ((d / "a.json").stat().st_mode & 0o777) == 0o666 & ~umask
    assert ((tmp_path / "b.json").stat().st_mode & 0o777) == 0o666 & ~umask


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_text_atomic(target, "new")
    assert (target.stat().st_mode & 0o777) == 0o640


def test_disk_full_while_writing_replaces_nothing(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("old a", encoding="utf-8")
    checked = check_outputs([Output(first, "--json"), Output(second, "--gpx")])

    def full(tmp: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match=r"b.json \(--gpx\): No space left on device"):
        checked.write({first: lambda tmp: tmp.write_text("new a", encoding="utf-8"),
                       second: full})
    assert first.read_text(encoding="utf-8") == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_a_failed_rename_puts_back_the_ones_done(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("old a", encoding="utf-8")
    second.write_text("old b", encoding="utf-8")
    real = Path.replace

    def flaky(self: Path, target: Path) -> Path:
        if Path(target) == second:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(self, target)

    monkeypatch.setattr(Path, "replace", flaky)
    with pytest.raises(OutputError, match="Permission denied"):
        _write_all([Output(first, "--json"), Output(second, "--gpx")])
    assert first.read_text(encoding="utf-8") == "old a"
    assert second.read_text(encoding="utf-8") == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]


def test_stale_temporaries_are_cleaned_and_live_ones_kept(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = int(gone.stdout)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        stale = tmp_path / f".map.html.redroute-tmp-{dead}-abcd1234"
        stale.write_text("half", encoding="utf-8")
        stale_dir = tmp_path / f".site.redroute-tmp-{dead}-abcd1234"
        (stale_dir / "longhua").mkdir(parents=True)
        fresh = tmp_path / f".map.html.redroute-tmp-{live.pid}-abcd1234"
        fresh.write_text("busy", encoding="utf-8")
        reused = tmp_path / f".gpx.redroute-tmp-{live.pid}-efgh5678"
        reused.write_text("old", encoding="utf-8")
        hours_ago = time.time() - 7200
        os.utime(reused, (hours_ago, hours_ago))
        other = tmp_path / ".map.html.abcd1234"  # not ours: never touched
        other.write_text("?", encoding="utf-8")
        removed = clean_stale(tmp_path)
    finally:
        live.kill()
        live.wait()
    assert sorted(p.name for p in removed) == sorted([stale.name, stale_dir.name, reused.name])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, other.name])
