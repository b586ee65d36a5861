"""Every curated route's leaflet as a culture bureau prints it: both formats, every language,
dated and season (weekly) leaflets, read back from the PDF with pdftotext.

Nothing may be cut: every stop's full name, address, booking note and summary is in the
text, in the languages the leaflet is in; no "…" stands where the catalogue has none; no
"Walk 0 min" line; the cover names the route's own theme. The routes are read from
``routes/`` (the catalogue and the routes grow: nothing here counts them), planned once each
on the bundled network and rendered in two worker processes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import tempfile
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest

from redroute.vocabulary import THEMES

ROOT = Path(__file__).resolve().parent.parent
ROUTE_IDS = sorted(p.stem for p in (ROOT / "routes").glob("*.toml"))
DAY = dt.date(2026, 12, 1)
FORMATS = ("trifold", "a4")
LANGS = ("zh", "en", "both")
MAP_URL = "https://example.org/red/{}/map.html"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None,
                       reason="pdftotext (poppler-utils) absent"),
]


def _pdftotext(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", f.name, "-"], check=True,
                              capture_output=True).stdout.decode("utf-8")


def _render_route(route_id: str) -> dict[str, Any]:
    """Plan one route and render its leaflets (runs in a worker process)."""
    import warnings

    from redroute import _sources, settings
    from redroute.catalogue import load_catalogue
    from redroute.export.leaflet import leaflet_layout, render_leaflet
    from redroute.plan import make_plan
    from redroute.routes import load_routes

    warnings.simplefilter("ignore")
    # No internet, no cache or extract of this machine: the bundled network where it covers
    # the walk, else the estimate.
    settings.cache_folder = Path(tempfile.mkdtemp(prefix="redroute-cache-"))
    settings.osm_extract = None
    _sources.online = lambda *a, **k: False  # type: ignore[assignment]
    try:
        cat = load_catalogue()
        route = load_routes(ROOT / "routes", cat)[route_id]
        result = make_plan(route.request, catalogue=cat,
                           date=route.next_recommended_day(DAY))
    except Exception as err:  # reported by each test of this route
        return {"error": f"{type(err).__name__}: {err}"}
    it = result.itinerary
    texts: dict[str, str] = {}
    pages: dict[str, int] = {}
    lone: dict[str, list[str]] = {}
    for fmt in FORMATS:
        for lang in LANGS:
            # a4 season leaflets, dated trifolds; the bilingual ones in both kinds.
            for weekly in ((False, True) if lang == "both" else (fmt == "a4",)):
                options = {"format": fmt, "lang": lang, "network": result.network,
                           "catalogue": cat, "weekly": weekly, "theme": route.theme,
                           "district": route.district, "map_url": MAP_URL.format(route_id),
                           "publisher": "上海市文化和旅游局"}
                key = f"{fmt}/{lang}/{'weekly' if weekly else 'dated'}"
                pdf = render_leaflet(it, **options)
                texts[key] = _pdftotext(pdf)
                if lang != "en":
                    lone[key] = _lone_characters(pdf)
                if lang == "both":
                    pages[key] = leaflet_layout(it, **options)["pages"]
    return {"stops": [s.id for s in it.stops], "theme": route.theme, "texts": texts,
            "pages": pages, "lone": lone, "hidden": _hidden_labels(it, result.network)}


def _hidden_labels(it: Any, network: Any) -> list[str]:
    """Labels of the route map over a marker or another label, in each language and size."""
    import xml.etree.ElementTree as ET

    from redroute.export.mapsvg import route_map_svg
    from tests.test_mapsvg import _labels, _markers

    found = []
    for lang in LANGS:
        for w, h in ((88.0, 138.0), (112.0, 118.0), (112.0, 86.0)):
            root = ET.fromstring(route_map_svg(it, width_mm=w, height_mm=h, network=network,
                                               lang=lang))
            labels, markers = _labels(root), _markers(root)
            for i, (text, shape) in enumerate(labels):
                if any(shape.intersects(m) for m in markers):
                    found.append(f"{lang} {w:g}x{h:g}: {text!r} over a marker")
                found.extend(f"{lang} {w:g}x{h:g}: {text!r} over {other!r}"
                             for other, s2 in labels[i + 1:] if shape.intersects(s2))
    return found


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, Any]]:
    """Every route's leaflets, two routes at a time (each worker holds its own typst)."""
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        return dict(zip(ROUTE_IDS, pool.map(_render_route, ROUTE_IDS), strict=True))


def norm(text: str) -> str:
    """Text as compared: compatibility forms, no whitespace, no hyphens (typst hyphenates
    English words at line ends), no soft hyphens or zero-width spaces."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u00ad\u200b-]+", "", text)


def _got(rendered: dict[str, dict[str, Any]], route_id: str) -> dict[str, Any]:
    got = rendered[route_id]
    assert "error" not in got, f"{route_id}: {got.get('error')}"
    return got


def _expected(lm: Any, lang: str) -> dict[str, str]:
    """What the leaflet must hold of a landmark, whole, in ``lang``."""
    out: dict[str, str] = {}
    if lang in ("zh", "both"):
        out |= {"name_zh": lm.name_zh, "address_zh": lm.address_zh,
                "summary_zh": lm.summary_zh}
        if lm.booking != "none" and lm.booking_note_zh:
            out["booking_note_zh"] = lm.booking_note_zh
    if lang in ("en", "both"):
        out |= {"name_en": lm.name_en, "address_en": lm.address_en or lm.address_zh,
                "summary_en": lm.summary_en}
        if lm.booking != "none" and lm.booking_note_en:
            out["booking_note_en"] = lm.booking_note_en
    return out


def test_every_curated_route_is_found() -> None:
    assert len(ROUTE_IDS) >= 12
    assert "xuhui-anthem" in ROUTE_IDS


@pytest.mark.parametrize("route_id", ROUTE_IDS)
def test_nothing_is_cut(rendered: dict[str, dict[str, Any]], route_id: str) -> None:
    """Every stop's full name, address, booking note and summary, in every leaflet."""
    from redroute.catalogue import load_catalogue

    cat = load_catalogue()
    got = _got(rendered, route_id)
    lms = [cat.get(i) for i in got["stops"]]
    for key, raw in got["texts"].items():
        lang = key.split("/")[1]
        text = norm(raw)
        for lm in lms:
            for field, value in _expected(lm, lang).items():
                assert norm(value) in text, f"{route_id} {key}: {lm.id} {field} {value!r}"


@pytest.mark.parametrize("route_id", ROUTE_IDS)
def test_no_ellipsis_and_no_empty_walk(rendered: dict[str, dict[str, Any]],
                                       route_id: str) -> None:
    """No "…" the catalogue does not have itself, and no "Walk 0 min · 0 m" line."""
    from redroute.catalogue import load_catalogue

    cat = load_catalogue()
    got = _got(rendered, route_id)
    own = norm(" ".join(f"{lm.summary_zh} {lm.summary_en} {lm.name_zh} {lm.name_en}"
                        for lm in cat))
    for key, raw in got["texts"].items():
        text = norm(raw)
        for m in re.finditer("…", text):
            context = text[max(0, m.start() - 6): m.end()]
            assert context in own, f"{route_id} {key}: cut text ending {context!r}"
        assert not re.search(r"Walk0min|步行0分钟|·0m(?!\w)", text), (route_id, key)


@pytest.mark.parametrize("route_id", ROUTE_IDS)
def test_the_cover_says_the_routes_theme(rendered: dict[str, dict[str, Any]],
                                         route_id: str) -> None:
    """The theme on the cover is the route's own (xuhui-anthem: the anthem)."""
    got = _got(rendered, route_id)
    theme = THEMES[got["theme"]]
    for key, raw in got["texts"].items():
        text = norm(raw)
        lang = key.split("/")[1]
        if lang != "en":
            assert norm(f"主题 · {theme.zh}") in text, (route_id, key)
        if lang != "zh":
            assert norm(f"Theme: {theme.en}") in text, (route_id, key)
        other = [t for k, t in THEMES.items() if k != got["theme"]]
        assert not any(norm(f"主题 · {t.zh}") in text for t in other), (route_id, key)


@pytest.mark.parametrize("route_id", ROUTE_IDS)
def test_season_and_dated_leaflets(rendered: dict[str, dict[str, Any]], route_id: str) -> None:
    """A season leaflet says which days the walk suits and gives no arrival times; a dated
    one gives the day."""
    texts = _got(rendered, route_id)["texts"]
    weekly, dated = norm(texts["a4/both/weekly"]), norm(texts["a4/both/dated"])
    assert "适合参观" in weekly or "各站没有共同的开放日" in weekly
    assert "Beston" in weekly or "Nodayhaseverystopopen" in weekly
    assert "适合参观" not in dated and "星期" in dated
    assert "建议参观" in weekly and "建议参观" not in dated


_CLOSING = "，。、；：）》」』”！？"


def _lone_characters(pdf: bytes) -> list[str]:
    """Printed lines that start with closing punctuation, and lines holding one Chinese
    character (and its closing punctuation) under a full line of Chinese: a paragraph's
    last line with a lone character. Lines are rebuilt
    from pdftotext's word boxes (it splits a line where typst squeezes punctuation); map
    labels (rotated, a character or two at a time) never sit under a full line."""
    import xml.etree.ElementTree as ET

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdftotext", "-bbox", f.name, "-"], check=True,
                             capture_output=True).stdout.decode("utf-8")
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out))
    found = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        # Map labels are set under 7 pt: only the leaflet's text (7.5 pt and up) counts.
        words = sorted((float(w.get("yMax", 0)), float(w.get("xMin", 0)),
                        float(w.get("xMax", 0)), w.text or "",
                        float(w.get("yMax", 0)) - float(w.get("yMin", 0)))
                       for w in page.iter("{http://www.w3.org/1999/xhtml}word"))
        lines: list[list[Any]] = []  # [y, x0, x1, text, height]
        for y, x0, x1, text, h in sorted(words, key=lambda w: (round(w[0]), w[1])):
            # Squeezed punctuation overlaps the word before it by up to half an em.
            same = [ln for ln in lines if abs(ln[0] - y) < 1.0 and -6.0 < x0 - ln[2] < 4.0]
            if same:
                same[-1][2], same[-1][3] = x1, same[-1][3] + text
            else:
                lines.append([y, x0, x1, text, h])
        for y, x0, _, text, h in lines:
            if h >= 7.2 and text[:1] in _CLOSING and not any(
                    abs(ln[0] - y) < 1.0 and x0 - 6.0 <= ln[2] <= x0 + 6.0 and ln[1] < x0
                    for ln in lines):
                found.append(f"line starts with closing punctuation: {text[:12]}")
            if h < 7.2 or not re.fullmatch(f"[\u4e00-\u9fff][{_CLOSING}]*", text):
                continue
            above = [ln for ln in lines if abs(ln[1] - x0) < 1.5 and 0 < y - ln[0] < 14]
            if above and len(max(above, key=lambda ln: ln[0])[3]) >= 12:
                found.append(f"{max(above, key=lambda ln: ln[0])[3][-10:]} | {text}")
    return found


@pytest.mark.parametrize("route_id", ROUTE_IDS)
def test_no_lone_character_ends_a_chinese_paragraph(rendered: dict[str, dict[str, Any]],
                                                    route_id: str) -> None:
    """Chinese line breaking: no lone character on a paragraph's last line, no line that
    starts with closing punctuation."""
    for key, lone in _got(rendered, route_id)["lone"].items():
        assert lone == [], (route_id, key)


@pytest.mark.parametrize("route_id", ROUTE_IDS)
def test_no_map_label_is_hidden(rendered: dict[str, dict[str, Any]], route_id: str) -> None:
    """No label of the route map lies over a stop, the start or end, or another label."""
    assert _got(rendered, route_id)["hidden"] == []


def test_a_long_route_grows_pages(rendered: dict[str, dict[str, Any]]) -> None:
    """Page counts: a4 grows with the stops; a trifold keeps its sheet, plus inserts."""
    for route_id, got in rendered.items():
        for key, pages in got.get("pages", {}).items():
            assert pages >= (2 if key.startswith("trifold") else 1), (route_id, key)


def _synthetic(n: int) -> Any:
    """An n-stop walk: the founding walk's stops over and over, each with the catalogue's
    longest summaries and booking note."""
    from redroute.catalogue import load_catalogue
    from tests.conftest import founding_itinerary

    base = founding_itinerary("estimate")
    lms = list(load_catalogue())
    zh = max(lms, key=lambda lm: len(lm.summary_zh))
    en = max(lms, key=lambda lm: len(lm.summary_en))
    note = max(lms, key=lambda lm: len(lm.booking_note_en or ""))
    stops = [dataclasses.replace(base.stops[k % len(base.stops)], number=k + 1,
                                 id=f"synthetic-{k + 1}", name_zh=f"第{k + 1}站测试地点",
                                 name_en=f"Test site number {k + 1}",
                                 summary_zh=zh.summary_zh, summary_en=en.summary_en,
                                 booking="required", booking_note_zh=note.booking_note_zh,
                                 booking_note_en=note.booking_note_en)
             for k in range(n)]
    legs = [dataclasses.replace(base.legs[k % (len(base.legs) - 1)],
                                destination=stops[k].id) for k in range(n)]
    legs.append(dataclasses.replace(base.legs[-1], origin=stops[-1].id))
    return dataclasses.replace(base, stops=stops, legs=legs, breaks=[], excluded=[])


def test_25_stops_are_printed_whole() -> None:
    """25 stops with the longest texts: no error; a4 becomes a booklet, the trifold gets
    insert pages; every name and the longest summaries are there in full."""
    from redroute.export.leaflet import leaflet_layout, render_leaflet

    it = _synthetic(25)
    for fmt in FORMATS:
        layout = leaflet_layout(it, format=fmt, lang="both")
        assert layout["pages"] >= 4, layout
        text = norm(_pdftotext(render_leaflet(it, format=fmt, lang="both")))
        for s in it.stops:
            assert norm(s.name_zh) in text and norm(s.name_en) in text
        assert text.count(norm(it.stops[0].summary_zh)) == 25
        assert text.count(norm(it.stops[0].summary_en)) == 25
        assert text.count(norm(it.stops[0].booking_note_en or "")) == 25
