"""Atomic output files."""

from __future__ import annotations

from pathlib import Path

import pytest

from redroute._io import OutputError, write_bytes_atomic, write_text_atomic


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
