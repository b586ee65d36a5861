"""Fixtures shared by the test files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def shared_folder() -> Path:
    """``../shared`` beside the checkout, or ``$REDROUTE_SHARED``."""
    return Path(os.environ.get("REDROUTE_SHARED") or ROOT.parent / "shared")


def need_shared(relative: str) -> Path:
    """The path of a shared file; skip the test if it is absent, fail if it is required."""
    path = shared_folder() / relative
    if path.exists():
        return path
    message = f"shared data {path} is absent"
    if os.environ.get("REDROUTE_REQUIRE_SHARED") == "1":
        pytest.fail(f"{message} and REDROUTE_REQUIRE_SHARED=1")
    pytest.skip(message)


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache, no configured extract and no internet, for one test."""
    from redroute import _sources, settings

    monkeypatch.setattr(settings, "cache_folder", tmp_path / "cache")
    monkeypatch.setattr(settings, "osm_extract", None)
    monkeypatch.setattr(_sources, "online", lambda *a, **k: False)
    return tmp_path


@pytest.fixture
def runner() -> CliRunner:
    """A click runner that keeps stderr apart from stdout."""
    return CliRunner()


@pytest.fixture
def mini_path() -> Path:
    """A three-site catalogue: a congress site, a lunch-break site, a site of unknown hours."""
    return DATA / "mini.geojson"


@pytest.fixture
def reference_points() -> list[dict[str, str]]:
    """Every entry of the Shanghai Library heritage data (both files)."""
    import json

    entries: list[dict[str, str]] = []
    for name in ("shanghai-library-heritage.json", "shanghai-library-heritage-points.json"):
        path = need_shared(f"data/reference/{name}")
        entries.extend(json.loads(path.read_text(encoding="utf-8"))["data"])
    return entries


FOUNDING_STOPS = [
    "first-congress-site", "first-congress-memorial-hall", "old-yuyangli-2", "new-yuyangli-6",
    "chengyuli-12", "zhou-gongguan", "sun-yat-sen-residence", "bowen-girls-school",
    "shanghai-history-museum", "china-youth-editorial-office",
]


def founding_itinerary(network: str, *, hours: float = 5.0) -> object:
    """The founding-of-the-Party walk from People's Square on Saturday 2026-12-05."""
    import datetime as dt
    import warnings

    from redroute._errors import NetworkWarning
    from redroute.plan import plan_itinerary

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        return plan_itinerary(FOUNDING_STOPS, date=dt.date(2026, 12, 5), start="peoples-square",
                              hours=hours, network=network, title_zh="建党之路：从一大到渔阳里",
                              title_en="The founding of the Party walk")


@pytest.fixture(scope="session")
def estimated_itinerary() -> object:
    """A 10-candidate founding walk on the estimated network (needs no shared data)."""
    return founding_itinerary("estimate")


@pytest.fixture(scope="session")
def real_itinerary() -> object:
    """The same walk on the real OSM extract of ../shared (skips or fails without it)."""
    path = need_shared("data/osm/shanghai-core-merged.osm")
    return founding_itinerary(str(path))
