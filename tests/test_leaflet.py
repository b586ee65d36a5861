"""The printable leaflet: data, vector map, typesetting, PDF read back, command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redroute._errors import NetworkWarning, RedrouteError
from redroute.catalogue import Catalogue, load_catalogue
from redroute.cli import main
from redroute.export import leaflet as lf
from redroute.export.leaflet import (
    LeafletError,
    leaflet_data,
    leaflet_layout,
    save_leaflet,
)
from redroute.export.mapsvg import MapStyle, route_map_svg, short_street_name
from redroute.itinerary import Itinerary, load_itinerary
from redroute.wording import distance
from tests.conftest import founding_itinerary, need_shared

A4_SHORT, A4_LONG = 595.28, 841.89
PUBLISHER = "徐汇区文化和旅游局"
MAP_URL = "https://example.org/redroute/routes/founding?date=2026-12-05"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def extract() -> Path:
    """The shared OSM extract of central Shanghai."""
    return need_shared("data/osm/shanghai-core-merged.osm")


@pytest.fixture(scope="module")
def longest(extract: Path) -> Itinerary:
    """The longest route: all 10 founding candidates with 8 hours, on the real extract."""
    it = founding_itinerary(str(extract), hours=8)
    assert isinstance(it, Itinerary)
    return it


@pytest.fixture(scope="module")
def network(longest: Itinerary, extract: Path) -> Any:
    """The walking network around the route, for the map's streets."""
    from redroute._sources import walk_network
    from redroute.network import BBox

    points = [(s.lon, s.lat) for s in longest.stops] + [(longest.start.lon, longest.start.lat)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        return walk_network(BBox.around(points), network=str(extract))


@pytest.fixture(scope="module")
def pdfs(longest: Itinerary, network: Any, tmp_path_factory: pytest.TempPathFactory
         ) -> dict[str, Path]:
    """Both formats of the longest route, bilingual, compiled once for the module."""
    folder = tmp_path_factory.mktemp("leaflets")
    out = {}
    for fmt in ("trifold", "a4"):
        out[fmt] = save_leaflet(longest, folder / f"{fmt}.pdf", format=fmt, lang="both",
                                network=network, publisher=PUBLISHER, map_url=MAP_URL,
                                theme="founding", district="huangpu")
    return out


def _reader(path: Path) -> Any:
    import pypdf

    return pypdf.PdfReader(str(path))


def _text(path: Path) -> str:
    """All the page text, without whitespace (line breaks fall anywhere in Chinese)."""
    raw = "".join(p.extract_text() for p in _reader(path).pages)
    return re.sub(r"[\s\u200b]+", "", raw)


def _squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


# --------------------------------------------------------------------------- the PDF


@pytest.mark.slow
def test_page_sizes_and_counts(pdfs: dict[str, Path]) -> None:
    """Trifold: landscape A4 pages (outside, inside, and an insert when the stops need
    one); a4: portrait pages, as many as the stops need."""
    tri = _reader(pdfs["trifold"])
    assert len(tri.pages) >= 2
    for page in tri.pages:
        assert float(page.mediabox.width) == pytest.approx(A4_LONG, abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_SHORT, abs=1)
    a4 = _reader(pdfs["a4"])
    assert len(a4.pages) >= 1
    for page in a4.pages:
        assert float(page.mediabox.width) == pytest.approx(A4_SHORT, abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_LONG, abs=1)


def _fonts(path: Path) -> list[Any]:
    found = []
    for page in _reader(path).pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            found.append(font.get_object())
        for xobject in resources.get("/XObject", {}).values():
            sub = xobject.get_object().get("/Resources", {})
            found.extend(f.get_object() for f in sub.get("/Font", {}).values())
    return found


@pytest.mark.slow
def test_every_font_is_embedded(pdfs: dict[str, Path]) -> None:
    """Each font descriptor carries its font program: nothing depends on the reader's fonts."""
    for path in pdfs.values():
        fonts = _fonts(path)
        assert fonts
        for font in fonts:
            parts = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for part in parts:
                descriptor = part["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                    f"{font.get('/BaseFont')} is not embedded"
                assert "NotoSansCJK" in str(font.get("/BaseFont"))


def _covered(font: Any) -> dict[str, int]:
    """Character -> glyph id, for the characters the embedded font really draws."""
    from fontTools.pens.boundsPen import BoundsPen

    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping: dict[str, int] = {}
    for cid, uni in re.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,})>", cmap):
        text = bytes.fromhex(uni).decode("utf-16-be")
        if len(text) == 1:
            mapping[text] = int(cid, 16)
            if text == "\xad":
                # The hyphen glyph of "Yat-sen" is listed as a soft hyphen when typst also
                # hyphenates a line with it: it draws "-" all the same.
                mapping.setdefault("-", int(cid, 16))
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    program = descriptor["/FontFile3"].get_object().get_data()
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(program), None)
    top = cff[cff.fontNames[0]]
    names = top.charset
    drawn = {}
    for ch, gid in mapping.items():
        if gid <= 0 or gid >= len(names):
            continue
        pen = BoundsPen(top.CharStrings)
        top.CharStrings[names[gid]].draw(pen)
        if pen.bounds is not None or ch.isspace():
            drawn[ch] = gid
    return drawn


@pytest.mark.slow
def test_stop_names_have_real_glyphs(pdfs: dict[str, Path], longest: Itinerary) -> None:
    """Every character of every stop name is drawn by the embedded font (no tofu, no .notdef)."""
    for path in pdfs.values():
        covered: dict[str, int] = {}
        for font in _fonts(path):
            covered.update(_covered(font))
        for stop in longest.stops:
            missing = {ch for ch in stop.name_zh + stop.name_en if ch not in covered}
            assert not missing, f"{stop.id}: no glyph for {sorted(missing)}"


@pytest.mark.slow
def test_text_has_every_stop_and_arrival(pdfs: dict[str, Path], longest: Itinerary) -> None:
    """The extracted text holds each stop's Chinese name and its arrival time (HH:MM)."""
    for path in pdfs.values():
        text = _text(path)
        for stop in longest.stops:
            assert _squeeze(stop.name_zh) in text, stop.name_zh
            assert f"{stop.arrival:%H:%M}" in text
        assert "OpenStreetMap" in text
        assert "ODbL" in text
        assert PUBLISHER in text
        assert "example.org/redroute/routes/founding" in text


@pytest.mark.slow
def test_cover_and_back_facts(pdfs: dict[str, Path], longest: Itinerary) -> None:
    """Cover: title, the route's theme and district, distance; back: the Monday closure
    and the booking rule; nothing the stops' data does not say."""
    text = _text(pdfs["trifold"])
    assert _squeeze(longest.title_zh) in text
    assert "建党伟业" in text
    assert "黄浦区" in text
    assert distance(longest.distance_m).replace(" ", "") in text
    assert "每逢周一闭馆" in text
    assert "ClosedonMondays" in text
    assert "须预约" in text or "建议预约" in text
    assert "老式里弄" not in text and "oldlanehouse" not in text


def _ppm(path: Path, page: int) -> np.ndarray:
    """Page ``page`` rasterised by pdftoppm at 40 dpi, as an (h, w, 3) array."""
    out = subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page),
                          str(path)], check=True, capture_output=True).stdout
    parts = out.split(maxsplit=4)
    assert parts[0] == b"P6"
    w, h = int(parts[1]), int(parts[2])
    return np.frombuffer(parts[4][: w * h * 3], dtype=np.uint8).reshape(h, w, 3)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) absent")
def test_rasterised_pages_are_not_blank(pdfs: dict[str, Path]) -> None:
    """Each page has ink, and the map page has the red route."""
    for fmt, path in pdfs.items():
        for page in (1, 2):
            img = _ppm(path, page).astype(int)
            ink = (img.sum(axis=2) < 600).mean()
            assert ink > 0.01, f"{fmt} page {page} looks blank"
        map_page = 2 if fmt == "trifold" else 1
        img = _ppm(path, map_page).astype(int)
        red = (img[:, :, 0] > 150) & (img[:, :, 1] < 90) & (img[:, :, 2] < 90)
        assert red.mean() > 0.002


@pytest.mark.slow
def test_the_longest_route_fits(longest: Itinerary, network: Any) -> None:
    """With the longest route, both formats hold every stop (more pages when needed), in
    type no smaller than the 7.5 pt floor."""
    for fmt in ("trifold", "a4"):
        layout = leaflet_layout(longest, format=fmt, lang="both", network=network)
        assert layout["fits"] is True
        assert sum(layout["slots"]) >= len(longest.stops)
        assert layout["pages"] >= (2 if fmt == "trifold" else 1)
        assert 0.9 <= layout["factor"] <= 1


# --------------------------------------------------------------------------- languages, data


@pytest.mark.slow
def test_single_language_leaflets(estimated_itinerary: Itinerary, tmp_path: Path) -> None:
    """lang=zh shows the Chinese names only; lang=en the English names."""
    it = estimated_itinerary
    zh = save_leaflet(it, tmp_path / "zh.pdf", format="a4", lang="zh")
    en = save_leaflet(it, tmp_path / "en.pdf", format="a4", lang="en")
    zh_text, en_text = _text(zh), _text(en)
    for stop in it.stops:
        assert _squeeze(stop.name_zh) in zh_text
        assert _squeeze(stop.name_en) not in zh_text
        assert _squeeze(stop.name_en) in en_text
    assert "估算" in zh_text
    assert "estimated" in en_text


def test_estimated_itinerary_map_has_no_streets(estimated_itinerary: Itinerary) -> None:
    """Without a street network the map draws the route (dashed: estimated) and the stops."""
    svg = route_map_svg(estimated_itinerary, width_mm=88, height_mm=138)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    paths = root.findall(f".//{ns}path")
    assert any(p.get("stroke-dasharray") for p in paths)
    assert not any(p.get("stroke") == "#cbcbcb" for p in paths)
    numbers = {t.text for t in root.findall(f".//{ns}text")}
    assert {str(s.number) for s in estimated_itinerary.stops} <= numbers


def test_map_with_network_names_the_streets(longest: Itinerary, network: Any) -> None:
    """Streets in grey, the route in red, street names from the legs, north arrow, scale."""
    svg = route_map_svg(longest, width_mm=88, height_mm=138, network=network, lang="zh")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    strokes = {p.get("stroke") for p in root.findall(f".//{ns}path")}
    assert {"#cbcbcb", "#c62828"} <= strokes
    texts = [t.text or "" for t in root.findall(f".//{ns}text")]
    walked = {st.name_zh for leg in longest.legs for st in leg.steps if st.name_zh}
    assert len(walked & set(texts)) >= 3
    assert "北" in texts
    assert any(re.fullmatch(r"\d+ k?m", t) for t in texts)
    assert any(t.startswith("© OpenStreetMap contributors") for t in texts)


def test_leaflet_map_draws_any_network_with_streets(estimated_itinerary: Itinerary) -> None:
    """Issue 11: the bundled network (streets, no graph) draws the leaflet's streets, and
    the map and the leaflet credit the OpenStreetMap data with its date."""
    from tests.test_html import StreetsOnly

    net = StreetsOnly(estimated_itinerary)
    data = leaflet_data(estimated_itinerary, format="a4", network=net)
    assert data["map"]["streets"] is True
    assert data["attribution_zh"] == "地图数据 © OpenStreetMap 贡献者（ODbL），2025-08-09"
    assert data["attribution_en"] == ("Map data © OpenStreetMap contributors (ODbL), "
                                      "data of 2025-08-09")
    root = ET.fromstring(data["map"]["svg"])
    ns = "{http://www.w3.org/2000/svg}"
    assert {"#cbcbcb", "#b9b9b9"} <= {p.get("stroke") for p in root.findall(f".//{ns}path")}
    texts = [t.text or "" for t in root.findall(f".//{ns}text")]
    assert "© OpenStreetMap contributors, 2025-08-09" in texts


def test_leaflet_of_an_estimate_has_no_streets_and_no_date(
        estimated_itinerary: Itinerary) -> None:
    from tests.test_html import StreetsOnly

    net = StreetsOnly(estimated_itinerary, data_date=None, estimated=True)
    data = leaflet_data(estimated_itinerary, format="a4", network=net)
    assert data["map"]["streets"] is False
    assert data["attribution_en"] == "Map data © OpenStreetMap contributors (ODbL)"
    assert "#cbcbcb" not in data["map"]["svg"]


def test_map_escapes_street_names(estimated_itinerary: Itinerary) -> None:
    """A street name from OSM is text in the SVG, never markup."""
    it = estimated_itinerary
    leg = it.legs[1]
    evil = dataclasses.replace(leg.steps[0], name_zh='<script>alert("x")</script>路',
                               distance_m=leg.distance_m, estimated=False)
    legs = list(it.legs)
    legs[1] = dataclasses.replace(leg, steps=[evil], estimated=False)
    svg = route_map_svg(dataclasses.replace(it, legs=legs), width_mm=88, height_mm=138,
                        lang="zh")
    assert "<script>" not in svg
    ET.fromstring(svg)


def test_small_map_style(estimated_itinerary: Itinerary) -> None:
    """The cover thumbnail has stops but no furniture."""
    svg = route_map_svg(estimated_itinerary, width_mm=86, height_mm=84, style=MapStyle.small())
    assert "OpenStreetMap" not in svg
    assert ">1</text>" in svg


def test_short_street_names() -> None:
    assert short_street_name("Middle Huaihai Road") == "Huaihai Rd (M)"
    assert short_street_name("Nanchang Road") == "Nanchang Rd"
    assert short_street_name("South Xizang Road") == "Xizang Rd (S)"


def test_nothing_is_cut_in_the_data(estimated_itinerary: Itinerary) -> None:
    """Summaries and booking notes travel to the template whole, from the catalogue."""
    data = leaflet_data(estimated_itinerary)
    cat = load_catalogue()
    for s in data["stops"]:
        lm = cat.get(s["id"])
        assert s["summary_zh"] == lm.summary_zh.strip()
        assert s["summary_en"] == " ".join(lm.summary_en.split())
        assert s["booking_zh"] == (lm.booking_note_zh or "").strip()
    assert not hasattr(lf, "MAX_STOPS")


def test_leaflet_data_follows_the_day(estimated_itinerary: Itinerary) -> None:
    """On a Monday the memorial halls are closed: flagged on the stop and in a red note."""
    it = estimated_itinerary
    monday = dt.date(2026, 12, 7)
    data = leaflet_data(it, day=monday)
    assert data["date"] == "2026-12-07"
    closed = [s for s in data["stops"] if s["closed"]]
    assert closed
    assert all(s["hours_zh"] == "当天闭馆" for s in closed)
    assert data["notes"][0]["alert"] == "yes"
    saturday = leaflet_data(it)
    assert not any(s["closed"] for s in saturday["stops"])
    assert any("周一" in n["zh"] for n in saturday["notes"])


def test_leaflet_data_legs_and_estimates(estimated_itinerary: Itinerary) -> None:
    data = leaflet_data(estimated_itinerary, map_url=MAP_URL, publisher=PUBLISHER)
    assert data["estimated"] is True
    assert all(s["leg"]["estimated"] for s in data["stops"])
    assert data["qr_svg"].startswith("<svg")
    assert data["publisher"] == PUBLISHER
    assert data["attribution_en"] == "Map data © OpenStreetMap contributors (ODbL)"
    assert any("estimated" in n["en"] for n in data["notes"])


@pytest.mark.parametrize(("option", "value"), [
    ("format", "a5"), ("lang", "fr"), ("map_url", "javascript:alert(1)"),
    ("publisher", "x" * 200),
])
def test_bad_options(estimated_itinerary: Itinerary, option: str, value: str) -> None:
    with pytest.raises(LeafletError, match=re.escape(value[:20])):
        leaflet_data(estimated_itinerary, **{option: value})


def test_catalogue_text_cannot_inject_markup(estimated_itinerary: Itinerary,
                                             tmp_path: Path) -> None:
    """Names, summaries and the publisher are shown as text, never run as typst code."""
    it = estimated_itinerary
    evil = '#panic("injected") *bold* $x^2$ #import "/etc/passwd" <lbl> ]) }'
    stops = [dataclasses.replace(s, name_en=evil, summary_en=evil) for s in it.stops]
    bad = dataclasses.replace(it, title_en=evil, stops=stops)
    path = save_leaflet(bad, tmp_path / "evil.pdf", format="trifold", lang="en",
                        publisher='#panic("p")')
    text = _text(path)
    assert _squeeze('#panic("injected")') in text
    assert _squeeze('#panic("p")') in text


def test_save_is_atomic(estimated_itinerary: Itinerary, tmp_path: Path) -> None:
    """A missing folder is a RedrouteError and leaves nothing behind."""
    with pytest.raises(RedrouteError, match="does not exist"):
        save_leaflet(estimated_itinerary, tmp_path / "nope" / "x.pdf")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- command line


@pytest.fixture(scope="module")
def itinerary_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An itinerary file as ``redroute plan --json`` writes it (estimated network)."""
    it = founding_itinerary("estimate")
    assert isinstance(it, Itinerary)
    path = tmp_path_factory.mktemp("itin") / "walk.json"
    path.write_text(it.to_json(), encoding="utf-8")
    return path


def test_command_writes_the_pdf(runner: Any, itinerary_json: Path, tmp_path: Path) -> None:
    out = tmp_path / "walk.pdf"
    result = runner.invoke(main, ["leaflet",
        str(itinerary_json), "-o", str(out), "--format", "a4", "--lang", "zh",
        "--date", "2026-12-07", "--publisher", PUBLISHER, "--map-url", MAP_URL,
        "--network", "estimate"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert "walk.pdf" in result.stderr
    text = _text(out)
    assert "2026年12月7日" in text
    assert "当天闭馆" in text
    assert load_itinerary(itinerary_json).stops[0].name_zh.replace(" ", "") in text


@pytest.mark.parametrize(("args", "message"), [
    (["missing.json"], "does not exist"),
    (["BAD_JSON"], "invalid JSON"),
    (["GOOD", "--map-url", "ftp://x"], "not an http"),
])
def test_command_errors(runner: Any, itinerary_json: Path, tmp_path: Path, args: list[str],
                        message: str) -> None:
    """Bad input: one Error line, exit 1, no file."""
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    paths = {"BAD_JSON": str(bad), "GOOD": str(itinerary_json),
             "missing.json": str(tmp_path / "missing.json")}
    argv = [paths.get(a, a) for a in args]
    out = tmp_path / "out.pdf"
    result = runner.invoke(main, ["leaflet", *argv, "-o", str(out), "--network", "estimate"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_command_bad_date_is_a_usage_error(runner: Any, itinerary_json: Path,
                                           tmp_path: Path) -> None:
    """--date has the same type and message as in `plan`: a usage error (exit 2)."""
    out = tmp_path / "out.pdf"
    result = runner.invoke(main, ["leaflet", str(itinerary_json), "-o", str(out),
                                  "--date", "2026-13-01"])
    assert result.exit_code == 2
    assert "--date" in result.stderr and "2026-13-01" in result.stderr
    assert not out.exists()


def test_command_unwritable_folder(runner: Any, itinerary_json: Path, tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "out.pdf"
    result = runner.invoke(main, ["leaflet", str(itinerary_json), "-o", str(out),
                                             "--network", "estimate"])
    assert result.exit_code == 1
    assert "Error: " in result.stderr and "does not exist" in result.stderr
    assert not out.parent.exists()


def test_command_usage_errors(runner: Any, itinerary_json: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["leaflet", str(itinerary_json), "-o",
                                             str(tmp_path / "x.pdf"), "--format", "a5"])
    assert result.exit_code == 2
    result = runner.invoke(main, ["leaflet", "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_itinerary_json_round_trip_keeps_the_leaflet(itinerary_json: Path) -> None:
    """A leaflet of the loaded file has the same stops as the file."""
    it = load_itinerary(itinerary_json)
    data = leaflet_data(it)
    assert [s["id"] for s in data["stops"]] == [s.id for s in it.stops]
    assert json.loads(json.dumps(data))["title_zh"] == it.title_zh


def _render_in_child(path: str, queue: Any) -> None:
    it = load_itinerary(path)
    queue.put(len(lf.render_leaflet(it, format="a4", lang="zh")))


@pytest.mark.slow
def test_render_in_a_forked_child(itinerary_json: Path) -> None:
    """A process forked after typst ran (a ProcessPoolExecutor on Linux) can still make a
    leaflet: typst's thread pool does not survive fork, so the child typesets in a fresh
    interpreter instead of waiting forever."""
    import multiprocessing

    lf.render_leaflet(load_itinerary(itinerary_json), format="a4", lang="zh")  # typst is up
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_render_in_child, args=(str(itinerary_json), queue))
    child.start()
    child.join(timeout=120)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail("the forked child hung in typst")
    assert child.exitcode == 0
    assert queue.get(timeout=5) > 10_000


def test_short_walk_fits_one_a4_page(estimated_itinerary: Itinerary, tmp_path: Path) -> None:
    """One stop: the a4 format is a single page."""
    it = estimated_itinerary
    back = dataclasses.replace(it.legs[-1], origin=it.stops[0].id)
    short = dataclasses.replace(it, stops=it.stops[:1], legs=[*it.legs[:1], back], breaks=[])
    assert leaflet_layout(short, format="a4")["pages"] == 1
    path = save_leaflet(short, tmp_path / "short.pdf", format="a4")
    assert len(_reader(path).pages) == 1


@pytest.mark.slow
def test_command_with_an_extract_draws_streets(runner: Any, longest: Itinerary, extract: Path,
                                               tmp_path: Path) -> None:
    """``--network PATH`` loads the streets around the route for the map."""
    source = tmp_path / "walk.json"
    source.write_text(longest.to_json(), encoding="utf-8")
    out = tmp_path / "walk.pdf"
    result = runner.invoke(main, ["leaflet", str(source), "-o", str(out), "--network",
                                             str(extract)])
    assert result.exit_code == 0, result.output
    assert len(_reader(out).pages) >= 2
    assert "西藏南路" in _text(out)  # a street name on the map


def test_the_lunch_break_is_a_line_between_two_stops(estimated_itinerary: Itinerary,
                                                     tmp_path: Path) -> None:
    """The 5 h founding walk's lunch break is printed between the stop it follows and the
    next one, with its time, in the stop list and the timeline; in each language."""
    it = estimated_itinerary
    (b,) = it.breaks
    data = leaflet_data(it, format="a4", lang="both")
    pauses = [s["pause_before"] for s in data["stops"]]
    assert pauses[b.after_stop] == {"time": f"{b.start:%H:%M}", "zh": "午餐休息 45 分钟",
                                    "en": "Lunch break, 45 min"}
    assert [p for p in pauses if p] == [pauses[b.after_stop]]
    assert data["final_pause"] is None
    for fmt in ("a4", "trifold"):
        text = _text(save_leaflet(it, tmp_path / f"{fmt}.pdf", format=fmt, lang="both"))
        assert "午餐休息45分钟" in text and "Lunchbreak,45min" in text
        first = text.index("午餐休息45分钟")
        before = _squeeze(it.stops[b.after_stop - 1].name_zh)
        after = _squeeze(it.stops[b.after_stop].name_zh)
        assert text.rindex(before, 0, first) < first < text.index(after, first)
    en = _text(save_leaflet(it, tmp_path / "en.pdf", format="a4", lang="en"))
    assert "Lunchbreak,45min" in en and "午餐" not in en
    assert f"{b.start:%H:%M}Lunchbreak" in en or f"Lunchbreak,45min{b.start:%H:%M}" in en


def test_a_break_after_the_last_stop_comes_before_the_walk_to_the_end(
        estimated_itinerary: Itinerary) -> None:
    from redroute.itinerary import Break

    it = estimated_itinerary
    last = it.stops[-1]
    moved = dataclasses.replace(it, breaks=[Break(last.end, last.end + dt.timedelta(
        minutes=45), len(it.stops))])
    data = leaflet_data(moved, format="a4", lang="both")
    assert data["final_pause"]["zh"] == "午餐休息 45 分钟"
    assert not any(s["pause_before"] for s in data["stops"])


# --------------------------------------------------------------------------- print production


LOGO_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">'
            '<circle cx="20" cy="20" r="18" fill="#b71c1c"/></svg>')


def _png(path: Path, size: tuple[int, int] = (60, 40)) -> Path:
    from PIL import Image

    Image.new("RGB", size, (30, 120, 200)).save(path)
    return path


@pytest.mark.slow
def test_bleed_logo_and_cover_picture(estimated_itinerary: Itinerary, tmp_path: Path) -> None:
    """--bleed 3: each page grows by the bleed and the slug of the crop marks, the red cover
    runs into the bleed; the logo and the cover picture are drawn; PDF/A-2b."""
    logo = tmp_path / "logo.svg"
    logo.write_text(LOGO_SVG, encoding="utf-8")
    cover = _png(tmp_path / "cover.png")
    plain = save_leaflet(estimated_itinerary, tmp_path / "plain.pdf", format="trifold")
    printed = save_leaflet(estimated_itinerary, tmp_path / "print.pdf", format="trifold",
                           bleed=3, logo=logo, cover_image=cover)
    grow = (3 + 6) * 2 * 72 / 25.4
    for page in _reader(printed).pages:
        assert float(page.mediabox.width) == pytest.approx(A4_LONG + grow, abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_SHORT + grow, abs=1)
    for page in _reader(plain).pages:
        assert float(page.mediabox.width) == pytest.approx(A4_LONG, abs=1)
    # The cover's red runs to the bleed's edge at the top right; the slug beyond is white.
    img = _ppm(printed, 1).astype(int)
    mm = img.shape[1] / (297 + 18)
    red = img[int(7 * mm), int((297 + 9 + 1) * mm)]  # in the bleed, above the cover
    assert red[0] > 150 and red[1] < 90, red
    slug = img[int(2 * mm), int((297 + 9 + 7) * mm)]
    assert slug.min() > 240, slug
    raw = printed.read_bytes()
    assert b"pdfaid:part" in raw and b"/Subtype /Image" in raw.replace(b"/Subtype/Image",
                                                                        b"/Subtype /Image")
    a4 = save_leaflet(estimated_itinerary, tmp_path / "a4.pdf", format="a4", bleed="2.5",
                      logo=_png(tmp_path / "logo.png"))
    page = _reader(a4).pages[0]
    assert float(page.mediabox.width) == pytest.approx(A4_SHORT + (2.5 + 6) * 2 * 72 / 25.4,
                                                       abs=1)


def test_the_pdf_is_pdfa_with_embedded_subset_fonts(estimated_itinerary: Itinerary,
                                                    tmp_path: Path) -> None:
    """PDF/A-2b (XMP pdfaid part 2, conformance B); fonts are subsets (ABCDEF+Name)."""
    path = save_leaflet(estimated_itinerary, tmp_path / "a.pdf", format="a4")
    raw = path.read_bytes()
    assert re.search(rb"pdfaid:part(>|=\")2", raw)
    assert re.search(rb"pdfaid:conformance(>|=\")B", raw)
    names = {str(f.get("/BaseFont")) for f in _fonts(path)}
    assert names and all(re.match(r"/?[A-Z]{6}\+", n) for n in names), names


@pytest.mark.parametrize(("args", "message"), [
    (["--bleed", "-3"], "bleed '-3' (--bleed)"),
    (["--bleed", "three"], "bleed 'three' (--bleed)"),
    (["--bleed", "40"], "from 0 to 10"),
    (["--logo", "/nonexistent/logo.png"], "cannot read the logo file /nonexistent/logo.png "
                                          "(--logo)"),
    (["--cover-image", "/nonexistent/c.jpg"], "(--cover-image)"),
])
def test_bad_print_options_are_one_error_line(runner: Any, itinerary_json: Path,
                                              tmp_path: Path, args: list[str],
                                              message: str) -> None:
    """A bad bleed or a missing logo: one bilingual Error line naming the value and the
    option, exit 1, no traceback, and the existing output untouched."""
    out = tmp_path / "x.pdf"
    out.write_bytes(b"old")
    result = runner.invoke(main, ["leaflet", str(itinerary_json), "-o", str(out), *args])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert message in lines[0]
    assert re.search(r"[\u4e00-\u9fff]", lines[0])  # Chinese too
    assert "Traceback" not in result.output
    assert out.read_bytes() == b"old"


def test_a_logo_that_is_not_an_image(runner: Any, itinerary_json: Path, tmp_path: Path) -> None:
    bad = tmp_path / "logo.png"
    bad.write_text("not a picture", encoding="utf-8")
    result = runner.invoke(main, ["leaflet", str(itinerary_json), "-o", str(tmp_path / "x.pdf"),
                                  "--logo", str(bad)])
    assert result.exit_code == 1
    assert "is not a PNG or SVG image" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


# --------------------------------------------------------------------------- season, facts


def test_weekly_leaflet_data(estimated_itinerary: Itinerary) -> None:
    """A season leaflet: weekly hours from the catalogue, no clock times, the days it
    suits on the cover."""
    data = leaflet_data(estimated_itinerary, weekly=True)
    assert data["weekly"] is True
    assert data["date_zh"].startswith("适合参观：") and data["date_en"].startswith("Best on: ")
    assert data["start"]["time"] == "" and data["stats"]["departure"] == ""
    congress = next(s for s in data["stops"] if s["id"] == "first-congress-site")
    assert congress["time"] == ""
    assert "周一闭馆" in congress["hours_zh"] and "closed Mon" in congress["hours_en"]
    assert congress["span_zh"].startswith("建议参观")
    assert all(p is None or p["time"] == "" for p in (s["pause_before"]
                                                       for s in data["stops"]))


def test_weekly_hours_words() -> None:
    from redroute.export.weekly import open_weekdays, weekdays_words, weekly_hours

    cat = load_catalogue()
    words = weekly_hours(cat.get("first-congress-site"), dt.date(2026, 12, 1))
    assert words.zh.startswith("周二至周日 ") and words.zh.endswith("周一闭馆")
    assert "last entry" in words.en
    assert weekly_hours(None, dt.date(2026, 12, 1)).en == "opening hours unknown"
    assert weekdays_words(range(7)).zh == "每天"
    assert weekdays_words([0, 2, 3, 4]).en == "Mon, Wed–Fri"
    assert open_weekdays([cat.get("first-congress-site")], dt.date(2026, 12, 1)) == [1, 2, 3,
                                                                                     4, 5, 6]


def test_cover_theme_and_district_come_from_the_route(estimated_itinerary: Itinerary) -> None:
    """Given the route's theme, the cover says it; without, only a theme every stop has."""
    data = leaflet_data(estimated_itinerary, theme="anthem", district="xuhui")
    assert data["theme_zh"] == "国歌诞生" and data["district_zh"] == "徐汇区"
    free = leaflet_data(estimated_itinerary)
    cat = load_catalogue()
    shared = set.intersection(*(set(cat.get(s.id).themes) for s in estimated_itinerary.stops))
    assert (free["theme_zh"] != "") == bool(shared)


def test_notes_only_say_what_the_data_says(estimated_itinerary: Itinerary) -> None:
    """No 'old lane houses', no ID rule the catalogue does not give."""
    for weekly in (False, True):
        notes = " ".join(n["zh"] + n["en"] for n in leaflet_data(estimated_itinerary,
                                                                 weekly=weekly)["notes"])
        assert "里弄" not in notes and "lane house" not in notes
        assert "身份证" not in notes


def test_hours_and_booking_come_from_the_catalogue_used(estimated_itinerary: Itinerary,
                                                        tmp_path: Path) -> None:
    """A leaflet of an itinerary file shows the booking rule of the --catalogue given."""
    from redroute.catalogue import Catalogue

    cat = load_catalogue()
    first = estimated_itinerary.stops[0].id
    changed = [dataclasses.replace(lm, booking="required", booking_note_zh="请提前三天电话预约。",
                                   booking_note_en="Phone three days ahead.",
                                   opening_hours="We 10:00-12:00") if lm.id == first else lm
               for lm in cat]
    data = leaflet_data(estimated_itinerary, catalogue=Catalogue(changed))
    stop = data["stops"][0]
    assert stop["booking"] == "required" and stop["booking_en"] == "Phone three days ahead."
    assert stop["closed"] is True  # the walk's Saturday: that catalogue says Wednesdays only
    weekly = leaflet_data(estimated_itinerary, catalogue=Catalogue(changed), weekly=True)
    assert weekly["stops"][0]["hours_en"] == "Wed 10:00–12:00; closed Mon, Tue, Thu–Sun"


def test_zero_length_legs_are_not_printed(estimated_itinerary: Itinerary) -> None:
    it = estimated_itinerary
    legs = list(it.legs)
    legs[1] = dataclasses.replace(legs[1], distance_m=0.0, duration_s=0.0)
    legs[2] = dataclasses.replace(legs[2], distance_m=20.0, duration_s=16.0)
    data = leaflet_data(dataclasses.replace(it, legs=legs))
    assert data["stops"][1]["leg"] is None
    assert data["stops"][2]["leg"]["walk_en"] == "Walk under 1 min"


def test_a_character_the_font_lacks_gives_plain_pdf_and_a_warning(
        estimated_itinerary: Itinerary, tmp_path: Path) -> None:
    """PDF/A forbids a glyph the font cannot draw: the leaflet is still made, with a
    warning saying why it is not PDF/A."""
    from redroute._errors import RedrouteWarning

    it = estimated_itinerary
    stops = [dataclasses.replace(it.stops[0], name_en="Red flag \U0001F6A9"), *it.stops[1:]]
    with pytest.warns(RedrouteWarning, match="not PDF/A"):
        path = save_leaflet(dataclasses.replace(it, stops=stops), tmp_path / "x.pdf",
                            format="a4", catalogue=Catalogue([]))
    assert path.read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_command_season_leaflet_for_a_print_shop(runner: Any, tmp_path: Path) -> None:
    """``leaflet ROUTE --weekly --bleed 3 --logo FILE``: the route's theme, the days it
    suits, weekly hours, crop-marked pages."""
    logo = tmp_path / "logo.svg"
    logo.write_text(LOGO_SVG, encoding="utf-8")
    out = tmp_path / "xuhui.pdf"
    result = runner.invoke(main, ["leaflet", "xuhui-anthem", "-o", str(out), "--weekly",
                                  "--bleed", "3", "--logo", str(logo), "--network", "estimate",
                                  "--date", "2026-12-01"])
    assert result.exit_code == 0, result.output
    text = _text(out)
    assert "主题·国歌诞生" in text and "Theme:Birthofthenationalanthem" in text
    assert "适合参观：" in text and "Beston:" in text
    assert "周一闭馆" in text
    assert float(_reader(out).pages[0].mediabox.width) > A4_LONG + 40


@pytest.mark.slow
def test_command_on_a_routes_itinerary_file_names_the_routes_theme(runner: Any,
                                                                   tmp_path: Path) -> None:
    """An itinerary file planned from xuhui-anthem: its leaflet's cover says the anthem."""
    from redroute.plan import make_plan
    from redroute.routes import load_routes

    cat = load_catalogue()
    route = load_routes(None, cat)["xuhui-anthem"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        it = make_plan(route.request, catalogue=cat, date=dt.date(2026, 12, 2),
                       network="estimate").itinerary
    source = tmp_path / "xuhui.json"
    source.write_text(it.to_json(), encoding="utf-8")
    out = tmp_path / "xuhui.pdf"
    result = runner.invoke(main, ["leaflet", str(source), "-o", str(out), "--network",
                                  "estimate", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "主题·国歌诞生" in _text(out)
