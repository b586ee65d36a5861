"""The wheel ships the catalogue, and an installed redroute finds it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_contains_the_catalogue(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, symlinks=True,
                    ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info",
                                                  "__pycache__", ".*_cache", ".hypothesis"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(src)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = (tmp_path / "dist").glob("redroute-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        shipped = zf.read("redroute/data/landmarks.geojson")
    assert shipped == (ROOT / "landmarks.geojson").read_bytes()
    assert "redroute/py.typed" in names
    for part in ("redroute/export/html.py", "redroute/export/leaflet.py",
                 "redroute/export/templates/leaflet.typ",
                 "redroute/export/assets/leaflet/leaflet.js",
                 "redroute/export/assets/leaflet/LICENSE"):
        assert part in names, part
    routes = sorted(n for n in names if n.startswith("redroute/data/routes/"))
    assert routes == sorted(f"redroute/data/routes/{p.name}" for p in (ROOT / "routes").glob(
        "*.toml"))
    assert any(n.endswith("entry_points.txt") for n in names)

    # Installed from the wheel, away from the source tree, redroute still finds it.
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True, text=True)
    code = ("import redroute, redroute.catalogue as c, redroute.routes as r; "
            "print(redroute.__file__); cat = c.load_catalogue(); print(len(cat)); "
            "print(len(r.load_routes(None, cat)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True,
                         capture_output=True, text=True,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}).stdout
    where, count, n_routes = out.split()
    assert where.startswith(str(target))
    assert int(count) == len(json.loads(shipped)["features"])
    assert int(n_routes) == len(routes)


def test_source_tree_links_the_catalogue_into_the_package() -> None:
    link = ROOT / "redroute" / "data" / "landmarks.geojson"
    assert link.resolve() == (ROOT / "landmarks.geojson").resolve()
