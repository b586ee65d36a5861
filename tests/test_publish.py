"""``redroute publish``: the website kit of the curated routes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from redroute.cli import main
from redroute.publish import MANIFEST

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
        assert names == ["index.html", "itinerary.json", "leaflet.pdf", "map.html",
                         "route.geojson", "route.gpx"]
        page = (site / route / "index.html").read_text(encoding="utf-8")
        assert "适合：" in page and "Best on:" in page
        assert (site / route / "leaflet.pdf").read_bytes().startswith(b"%PDF")
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "龙华英烈" in index and "The Youth Route" in index
    assert "&lt;iframe" in index and "https://example.org/red/longhua/map.html" in index
    assert "OpenStreetMap" in index
    # Which days each route suits: its recommended days with every stop open.
    assert index.count("Best on: Tuesday to Sunday") == 2, index
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["generator"] == "redroute" and manifest["version"]
    assert manifest["folders"] == ["longhua", "youth-league"]
    assert "longhua/map.html" in manifest["files"] and "index.html" in manifest["files"]


def test_publish_failure_keeps_the_old_kit(tmp_path: Path, two_routes: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.txt").write_text("previous kit", encoding="utf-8")
    _fake_kit(site, ["old.txt"])
    # Mondays: youth-league has a mandatory stop that is closed -> the build fails (the
    # Longhua grounds open daily).
    result = CliRunner().invoke(main, ["publish", "--all-routes", "-o", str(site), "--routes",
                                       str(two_routes), "--network", "estimate", "--date",
                                       "2026-12-07", "--workers", "1"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("Error: route youth-league: cannot plan")
    assert sorted(p.name for p in site.iterdir()) == [MANIFEST, "old.txt"]
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


# ------------------------------------------------------------ publish owns only what it wrote


def _fake_kit(folder: Path, files: list[str], folders: tuple[str, ...] = ()) -> None:
    """A manifest as an earlier publish leaves it."""
    (folder / MANIFEST).write_text(json.dumps({"generator": "redroute", "version": "0",
                                               "date": "2026-01-01", "files": files,
                                               "folders": list(folders)}), encoding="utf-8")


@pytest.fixture
def one_route(tmp_path: Path) -> Path:
    folder = tmp_path / "routes"
    folder.mkdir()
    shutil.copy(ROOT / "routes" / "youth-league.toml", folder / "youth-league.toml")
    return folder


def _publish(site: Path | str, routes: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["publish", "-o", str(site), "--routes", str(routes),
                                       "--network", "estimate", "--date", "2026-12-05",
                                       "--workers", "1", *extra])
    return result.exit_code, result.stdout, result.stderr


def _no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    from redroute import publish

    monkeypatch.setattr(publish, "_build_all", lambda *a, **k: pytest.fail("routes built"))


def test_a_folder_that_is_not_a_kit_is_refused(tmp_path: Path, one_route: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "s"
    (site / "photos").mkdir(parents=True)
    (site / "CNAME").write_text("red.example.org\n", encoding="utf-8")
    _no_work(monkeypatch)
    code, _, err = _publish(site, one_route)
    assert code == 1
    assert err.strip().splitlines() == [
        f"Error: cannot publish into {site}: it holds CNAME, photos and is not a redroute kit "
        f"(no {MANIFEST}); give --force to add the kit's files to it (nothing else there "
        "is changed or deleted)"]
    assert sorted(p.name for p in site.iterdir()) == ["CNAME", "photos"]


@pytest.mark.slow
def test_publish_keeps_what_is_not_the_kits(tmp_path: Path, one_route: Path) -> None:
    """--force into a folder with a CNAME and photos/; .s.old beside it; republish."""
    site = tmp_path / "s"
    (site / "photos").mkdir(parents=True)
    (site / "photos" / "a.jpg").write_bytes(b"jpg")
    (site / "CNAME").write_text("red.example.org\n", encoding="utf-8")
    old = tmp_path / ".s.old"
    old.mkdir()
    (old / "mine.txt").write_text("keep", encoding="utf-8")
    code, _, err = _publish(site, one_route, "--force")
    assert code == 0, err
    assert sorted(p.name for p in site.iterdir()) == [MANIFEST, "CNAME", "index.html", "photos",
                                                      "youth-league"]
    # A second run needs no --force: the folder is a kit now; the kit's files are replaced.
    (site / "youth-league" / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = _publish(site, one_route)
    assert code == 0, err
    assert (site / "photos" / "a.jpg").read_bytes() == b"jpg"
    assert (site / "CNAME").read_text(encoding="utf-8") == "red.example.org\n"
    assert (site / "youth-league" / "notes.txt").is_file()
    assert (old / "mine.txt").read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".s.old", "routes", "s"]


@pytest.mark.slow
def test_a_route_taken_out_leaves_only_its_files(tmp_path: Path, one_route: Path) -> None:
    """The previous kit's files of a route no longer published go; a photo there stays."""
    site = tmp_path / "s"
    site.mkdir()
    gone = site / "gone-route"
    gone.mkdir()
    for name in ("map.html", "route.gpx"):
        (gone / name).write_text("old", encoding="utf-8")
    (gone / "photo.jpg").write_bytes(b"jpg")
    (site / "empty-route").mkdir()
    (site / "empty-route" / "map.html").write_text("old", encoding="utf-8")
    _fake_kit(site, ["gone-route/map.html", "gone-route/route.gpx", "empty-route/map.html",
                     "index.html"], ("gone-route", "empty-route"))
    code, _, err = _publish(site, one_route)
    assert code == 0, err
    assert sorted(p.name for p in gone.iterdir()) == ["photo.jpg"]
    assert not (site / "empty-route").exists()


def test_a_hostile_manifest_deletes_nothing_outside(tmp_path: Path, one_route: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "s"
    site.mkdir()
    (tmp_path / "victim.txt").write_text("keep", encoding="utf-8")
    _fake_kit(site, ["../victim.txt"])
    _no_work(monkeypatch)
    code, _, err = _publish(site, one_route)
    assert code == 1
    assert "its kit manifest .redroute-kit.json is damaged" in err
    assert (tmp_path / "victim.txt").read_text(encoding="utf-8") == "keep"


@pytest.mark.slow
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_kit_permissions_follow_the_umask(tmp_path: Path, one_route: Path, umask: int) -> None:
    site = tmp_path / "site"
    old = os.umask(umask)
    try:
        code, _, err = _publish(site, one_route)
    finally:
        os.umask(old)
    assert code == 0, err
    for folder in (site, site / "youth-league"):
        assert folder.stat().st_mode & 0o777 == 0o777 & ~umask
    for file in (site / "index.html", site / MANIFEST, site / "youth-league" / "map.html"):
        assert file.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.slow
def test_full_disk_is_one_error_and_changes_nothing(tmp_path: Path, one_route: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """index.html (written in this process) meets a full disk: one line, old kit intact."""
    import errno

    from redroute import _io

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old index", encoding="utf-8")
    _fake_kit(site, ["index.html"])

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_io, "_put", full)
    code, _, err = _publish(site, one_route)
    assert code == 1
    assert err.splitlines()[-1].startswith("Error: cannot write ")
    assert err.splitlines()[-1].endswith("No space left on device")
    assert "Traceback" not in err
    assert sorted(p.name for p in site.iterdir()) == [MANIFEST, "index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "old index"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["routes", "site"]


@pytest.mark.slow
def test_publish_into_the_current_folder(tmp_path: Path, one_route: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "www"
    here.mkdir()
    monkeypatch.chdir(here)
    code, out, err = _publish(".", one_route)
    assert code == 0, err
    assert "1 route published" in out
    assert sorted(p.name for p in here.iterdir()) == [MANIFEST, "index.html", "youth-league"]
    code, _, err = _publish(".", one_route)  # again: the folder is a kit now
    assert code == 0, err


def test_publish_into_the_parent_folder_is_refused_first(tmp_path: Path, one_route: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         ) -> None:
    here = tmp_path / "www"
    here.mkdir()
    monkeypatch.chdir(here)
    _no_work(monkeypatch)
    code, _, err = _publish("..", one_route)
    assert code == 1
    assert err.startswith("Error: cannot publish into ..: it holds routes, www and is not")
    assert "Traceback" not in err


@pytest.mark.parametrize(("option", "message"), [
    (["--base-url", "ftp://example.org/red"], "base URL 'ftp://example.org/red'"),
    (["--publisher", "x" * 81], "is 81 characters long; at most 80 fit"),
    (["--tiles", "tianditu"], "tiles 'tianditu' needs a Tianditu key"),
])
def test_publish_options_are_checked_before_planning(tmp_path: Path, one_route: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     option: list[str], message: str) -> None:
    monkeypatch.delenv("REDROUTE_TIANDITU_KEY", raising=False)
    _no_work(monkeypatch)
    code, _, err = _publish(tmp_path / "site", one_route, *option)
    assert code == 1
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "site").exists()


@pytest.mark.slow
def test_stale_temporaries_of_a_killed_run_are_cleaned(tmp_path: Path, one_route: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = int(gone.stdout)
    site = tmp_path / "site"
    site.mkdir()
    _fake_kit(site, [])
    inside = site / f".site.redroute-tmp-{dead}-abcd1234"
    (inside / "youth-league").mkdir(parents=True)
    beside = tmp_path / f".site.redroute-tmp-{dead}-efgh5678"
    beside.mkdir()
    (site / f".index.html.redroute-tmp-{dead}-ijkl9012").write_text("", encoding="utf-8")
    code, _, err = _publish(site, one_route)
    assert code == 0, err
    assert not [p for p in site.iterdir() if "redroute-tmp" in p.name]
    assert not beside.exists()


@pytest.mark.slow
def test_ctrl_c_stops_at_once_and_changes_nothing(tmp_path: Path) -> None:
    """SIGINT to the whole process group (as a terminal sends it) once a route has started.

    The measured time is reported, not asserted tightly (tests assert no wall-clock times).
    """
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    _fake_kit(site, ["index.html"])
    command = [sys.executable, "-m", "redroute", "publish", "-o", str(site), "--network",
               "estimate", "--date", "2026-12-05", "--workers", "2"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while not list(site.glob(".*redroute-tmp-*/*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, proc.communicate()
    began = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    took = time.monotonic() - began
    print(f"Ctrl-C to exit: {took:.2f} s")
    assert proc.returncode == 130
    lines = [line for line in err.decode().splitlines() if not line.startswith("[")]
    assert lines == ["Interrupted; nothing was changed / 已中断，未做任何更改"]
    assert took < 10
    assert sorted(p.name for p in site.iterdir()) == [MANIFEST, "index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "old"


@pytest.mark.slow
def test_publish_makes_season_leaflets_unless_dated(tmp_path: Path, one_route: Path) -> None:
    """Without --date the kit's leaflets are season leaflets (weekly hours, the days the
    route suits); with --date they are dated."""
    import pypdf

    def text(site: Path) -> str:
        reader = pypdf.PdfReader(str(site / "youth-league" / "leaflet.pdf"))
        return "".join(p.extract_text() for p in reader.pages).replace(" ", "")

    result = CliRunner().invoke(main, ["publish", "-o", str(tmp_path / "season"), "--routes",
                                       str(one_route), "--network", "estimate", "--workers",
                                       "1"])
    assert result.exit_code == 0, result.stderr
    season = text(tmp_path / "season")
    assert "适合参观：" in season and "建议参观" in season
    code, _, err = _publish(tmp_path / "dated", one_route)
    assert code == 0, err
    dated = text(tmp_path / "dated")
    assert "适合参观：" not in dated and "2026年12月5日" in dated
