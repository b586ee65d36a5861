"""``redroute publish``: the website kit of the curated routes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from redroute.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def two_routes(tmp_path: Path) -> Path:
    folder = tmp_path / "routes"
    folder.mkdir()
    for name in ("longhua.toml", "youth-league.toml"):
        shutil.copy(ROOT / "routes" / name, folder / name)
    return folder


@pytest.mark.slow
def test_publish_builds_every_file_and_the_index(tmp_path: Path, two_routes: Path) -> None:
    site = tmp_path / "site"
    result = CliRunner().invoke(main, ["publish", "--all-routes", "-o", str(site), "--routes",
                                       str(two_routes), "--network", "estimate", "--date",
                                       "2026-12-05", "--base-url", "https://example.org/red",
                                       "--workers", "2"])
    assert result.exit_code == 0, result.stderr
    assert "2 routes published" in result.stdout
    # Not a terminal: one line per route instead of a progress bar.
    steps = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert [s.split("]")[0] for s in steps] == ["[1/2", "[2/2"]
    assert all(" built " in s for s in steps)
    for route in ("longhua", "youth-league"):
        names = sorted(p.name for p in (site / route).iterdir())
        assert names == ["itinerary.json", "leaflet.pdf", "map.html", "route.geojson",
                         "route.gpx"]
        assert (site / route / "leaflet.pdf").read_bytes().startswith(b"%PDF")
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "龙华英烈" in index and "The Youth Route" in index
    assert "&lt;iframe" in index and "https://example.org/red/longhua/map.html" in index
    assert "OpenStreetMap" in index
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_publish_failure_keeps_the_old_kit(tmp_path: Path, two_routes: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.txt").write_text("previous kit", encoding="utf-8")
    # Mondays: both routes have a mandatory stop that is closed -> the build fails.
    result = CliRunner().invoke(main, ["publish", "--all-routes", "-o", str(site), "--routes",
                                       str(two_routes), "--network", "estimate", "--date",
                                       "2026-12-07", "--workers", "1"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("Error: route longhua: cannot plan")
    assert [p.name for p in site.iterdir()] == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["routes", "site"]


def test_progress_draws_a_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """On a terminal the steps move click's progress bar (no hand-drawn one, no lines)."""
    import sys

    from redroute.cli import _Progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with _Progress(3, "routes") as progress:
        for k in range(3):
            progress.step(f"built route {k}")
        assert progress.bar is not None
        assert progress.bar.pos == 3
    err = capsys.readouterr().err
    assert "built route" not in err
    with _Progress(1, "network") as idle:
        pass
    assert idle.bar is None  # nothing to show when nothing was downloaded
