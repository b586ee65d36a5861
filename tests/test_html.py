"""Tests of redroute.export.html: the self-contained interactive map.

Plain tests read the HTML text; browser tests load the file from disk (file://) in the
system Chromium through Playwright with every network request blocked. They skip when
Playwright or Chromium is missing, and fail instead when REDROUTE_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import warnings
from pathlib import Path
from typing import Any, cast

import pytest

from redroute._io import OutputError
from redroute.coords import wgs84_to_gcj02
from redroute.export.embed import embed_snippet, read_embedded_geojson
from redroute.export.html import (
    ITINERARY_ID,
    TILES,
    VIEW_ID,
    MapError,
    _encode,
    json_script,
    map_html,
    save_map,
)
from tests.conftest import need_shared

XSS = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"
JINJA = "{{ 7*7 }}{% if 1 %}jinja{% endif %}"
URL = re.compile(r"https?://[^\s\"'<>)\\]+")
#: URLs a page may contain that are never loaded: XML namespace, hyperlinks.
HYPERLINKS = {"http://www.w3.org/2000/svg", "https://leafletjs.com",
              "https://www.openstreetmap.org/copyright"}


def view_of(page: str) -> dict[str, Any]:
    block = re.search(rf'<script type="application/json" id="{VIEW_ID}">(.*?)</script>', page,
                      re.DOTALL)
    assert block is not None
    return json.loads(block.group(1))


def marker_positions(page: str) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in
            re.findall(r"L\.marker\(\s*\[([-\d.]+),\s*([-\d.]+)\]", page)]


def xss_itinerary(it: Any) -> Any:
    """The walk with hostile text in a stop's names, summary, booking note and the title."""
    first = dataclasses.replace(it.stops[0], name_zh=XSS, name_en=BREAKOUT, summary_zh=JINJA,
                                booking="required", booking_note_zh=XSS,
                                booking_note_en=BREAKOUT)
    second = dataclasses.replace(it.stops[1], name_zh=JINJA, address_zh=XSS)
    return dataclasses.replace(it, stops=[first, second, *it.stops[2:]], title_zh=XSS,
                               title_en=BREAKOUT)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, estimated_itinerary: Any) -> dict[str, Path]:
    """Map files of the estimated walk: offline, OSM, AMap, hostile text, English."""
    folder = tmp_path_factory.mktemp("maps")
    it = estimated_itinerary
    return {
        "none": save_map(it, folder / "none.html", tiles="none", locate=True),
        "osm": save_map(it, folder / "osm.html"),
        "amap": save_map(it, folder / "amap.html", tiles="amap"),
        "xss": save_map(xss_itinerary(it), folder / "xss.html", tiles="none"),
        "en": save_map(it, folder / "en.html", tiles="none", lang="en"),
    }


@pytest.fixture(scope="module")
def real_page(tmp_path_factory: pytest.TempPathFactory, real_itinerary: Any) -> Path:
    """The real walk with tiles="none" and the extract's streets drawn as the base map."""
    from redroute._errors import NetworkWarning
    from redroute._sources import walk_network
    from redroute.network import BBox

    extract = need_shared("data/osm/shanghai-core-merged.osm")
    it = real_itinerary
    points = [(it.start.lon, it.start.lat)] + [(s.lon, s.lat) for s in it.stops]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        net = walk_network(BBox.around(points, buffer_m=800), network=str(extract))
    return save_map(it, tmp_path_factory.mktemp("real") / "real.html", tiles="none",
                    network=net)


# --------------------------------------------------------------------------- plain tests


@pytest.mark.parametrize("name", ["none", "osm", "amap", "xss", "en"])
def test_page_references_nothing_outside_itself(pages: dict[str, Path], name: str) -> None:
    """No script, stylesheet, image or font URL; only the provider's tile templates."""
    page = pages[name].read_text(encoding="utf-8")
    tiles = {"none": set(), "osm": set(TILES["osm"].urls), "amap": set(TILES["amap"].urls),
             "xss": set(), "en": set()}[name]
    assert set(URL.findall(page.replace("\\u0026", "&"))) <= HYPERLINKS | tiles
    assert not re.search(r"<script[^>]+src=|<link\b|<img\b[^>]*src=|@import", page, re.I)
    assert not re.search(r"url\((?!data:|#default#VML)", page)
    assert "cdn." not in page and "jquery" not in page.lower()


@pytest.mark.parametrize("name", ["none", "osm", "amap", "en"])
def test_page_carries_the_osm_attribution(pages: dict[str, Path], name: str) -> None:
    page = pages[name].read_text(encoding="utf-8")
    assert "© OpenStreetMap contributors" in page
    assert "© OpenStreetMap contributors" in view_of(page)["attribution"][0]


def test_amap_shifts_every_overlay_to_gcj02(pages: dict[str, Path],
                                            estimated_itinerary: Any) -> None:
    """Markers, route and bounds are GCJ-02; the data block stays WGS-84; the legend says so."""
    it = estimated_itinerary
    amap = pages["amap"].read_text(encoding="utf-8")
    osm = pages["osm"].read_text(encoding="utf-8")
    expected = [wgs84_to_gcj02(it.start.lon, it.start.lat)]
    expected += [wgs84_to_gcj02(s.lon, s.lat) for s in it.stops]
    got = marker_positions(amap)
    assert len(got) == len(expected)
    for (lat, lon), (glon, glat) in zip(got, expected, strict=True):
        assert lat == pytest.approx(glat, abs=2e-6)
        assert lon == pytest.approx(glon, abs=2e-6)
    # The shift is real (hundreds of metres in Shanghai) and absent with OSM tiles.
    assert abs(got[1][1] - marker_positions(osm)[1][1]) > 0.003
    assert marker_positions(osm)[1] == pytest.approx((it.stops[0].lat, it.stops[0].lon),
                                                     abs=2e-6)
    leg = it.legs[0].geometry[-1]
    glon, glat = wgs84_to_gcj02(*leg)
    assert f"[{round(glat, 6)}, {round(glon, 6)}]" in amap
    bounds = view_of(amap)["bounds"]
    assert bounds[0][1] <= min(p[1] for p in got) and bounds[1][1] >= max(p[1] for p in got)
    def datum(page: str) -> str:
        found = re.search(r'<p class="rr-datum">(.*?)</p>', page)
        assert found is not None
        return found.group(1)

    assert "GCJ-02" in datum(amap) and "高德" in datum(amap)
    assert "WGS-84" in datum(osm) and "GCJ-02" not in datum(osm)
    data = read_embedded_geojson(amap)
    stop = next(f for f in data["features"] if f["properties"]["kind"] == "stop")
    assert stop["geometry"]["coordinates"] == [it.stops[0].lon, it.stops[0].lat]


def test_hostile_text_is_escaped_everywhere(pages: dict[str, Path]) -> None:
    """Markup, </script> and Jinja syntax from data stay text in the panel, title and JSON."""
    page = pages["xss"].read_text(encoding="utf-8")
    assert XSS not in page
    assert BREAKOUT not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the panel and <title>
    assert "{{ 7*7 }}" in page  # Jinja never saw it
    assert "49jinja" not in page and ">49<" not in page
    assert page.count("</script>") == page.count("<script")
    # JSON blocks give the exact text back.
    data = read_embedded_geojson(page)
    names = [f["properties"].get("name_zh") for f in data["features"]]
    assert XSS in names and JINJA in names
    assert data["properties"]["title_en"] == BREAKOUT
    assert view_of(page)["stops"]["1"][0] == ["title", f"1. {XSS}"]


def test_json_script_cannot_be_closed_by_data() -> None:
    block = json_script("x", {"a": "</script><!--<script>", "b": "\u2028&"})
    assert block.count("</script>") == 1 and block.endswith("</script>")
    body = block[len('<script type="application/json" id="x">'):-len("</script>")]
    assert json.loads(body) == {"a": "</script><!--<script>", "b": "\u2028&"}


def test_itinerary_geojson_is_recoverable(pages: dict[str, Path],
                                          estimated_itinerary: Any) -> None:
    page = pages["osm"].read_text(encoding="utf-8")
    assert f'id="{ITINERARY_ID}"' in page
    expected = json.loads(json.dumps(estimated_itinerary.to_geojson()))
    assert read_embedded_geojson(page) == expected


def test_languages(pages: dict[str, Path], estimated_itinerary: Any) -> None:
    """lang=en shows English names and labels; lang=both shows both."""
    en = pages["en"].read_text(encoding="utf-8")
    both = pages["none"].read_text(encoding="utf-8")
    panel_en = en[en.index('<aside id="rr-panel"'):en.index("</aside>")]
    assert "Start:" in panel_en and "出发" not in panel_en and "Legend" in panel_en
    assert estimated_itinerary.stops[0].name_en in panel_en
    assert estimated_itinerary.stops[0].name_zh not in panel_en
    assert '<html lang="en">' in en and '<html lang="zh-Hans">' in both
    panel = both[both.index('<aside id="rr-panel"'):both.index("</aside>")]
    assert "出发" in panel and "Start:" in panel


def test_estimated_legs_are_marked(pages: dict[str, Path], estimated_itinerary: Any) -> None:
    page = pages["none"].read_text(encoding="utf-8")
    n = len(estimated_itinerary.legs)
    assert all(leg.estimated for leg in estimated_itinerary.legs)
    assert page.count('"dashArray": "8 8"') == n
    assert page.count('class="rr-row rr-leg rr-leg-est"') == n
    assert "估算" in page and "estimated" in page


def test_font_subset_is_embedded(pages: dict[str, Path], estimated_itinerary: Any) -> None:
    import base64

    from fontTools.ttLib import TTFont

    page = pages["none"].read_text(encoding="utf-8")
    data = re.search(r"url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", page)
    assert data is not None
    font = TTFont(io.BytesIO(base64.b64decode(data.group(1))))
    cmap = font.getBestCmap()
    for char in estimated_itinerary.stops[0].name_zh + "出发图例估算":
        assert ord(char) in cmap, char
    assert len(cmap) < 2000  # a subset, not the whole font


def test_output_is_reproducible(estimated_itinerary: Any) -> None:
    assert map_html(estimated_itinerary, tiles="none") == map_html(estimated_itinerary,
                                                                   tiles="none")


@pytest.mark.slow
def test_real_map_draws_the_network(real_page: Path) -> None:
    """With tiles="none" the extract's streets are the base map, as encoded polylines."""
    view = view_of(real_page.read_text(encoding="utf-8"))
    lines = [line for layer in view["network"] for line in layer["lines"]]
    assert len(lines) > 200
    assert {layer["name"] for layer in view["network"]} >= {"minor", "major"}


class StreetsOnly:
    """A network with streets but no networkx graph, as the bundled one: a map draws its
    streets all the same (it must use ``streets()`` and ``estimated``, never ``graph``)."""

    graph = None
    step_free = False

    def __init__(self, it: Any, *, data_date: str | None = "2025-08-09",
                 estimated: bool = False) -> None:
        import numpy as np

        from redroute.network import Street

        self.data_date = data_date
        self.estimated = estimated
        lons = [it.start.lon, *(st.lon for st in it.stops)]
        lats = [it.start.lat, *(st.lat for st in it.stops)]
        w, e, s, n = min(lons) - 0.01, max(lons) + 0.01, min(lats) - 0.01, max(lats) + 0.01
        self._streets = []
        for k in range(5):
            lat, lon = s + (n - s) * k / 4, w + (e - w) * k / 4
            self._streets.append(Street(np.array([[w, lat], [e, lat]]), "primary", f"测试{k}路",
                                        None))
            self._streets.append(Street(np.array([[lon, s], [lon, n]]), "residential", None,
                                        None))

    def streets(self, bbox: Any = None) -> list[Any]:
        return list(self._streets)


def test_offline_map_draws_any_network_with_streets(estimated_itinerary: Any) -> None:
    """Issue 11: the bundled network (streets, no graph) is the base map of tiles="none",
    and the credit gives the date of its OpenStreetMap data."""
    net = StreetsOnly(estimated_itinerary)
    page = map_html(estimated_itinerary, tiles="none", network=cast(Any, net))
    view = view_of(page)
    lines = [line for layer in view["network"] for line in layer["lines"]]
    assert len(lines) == 10
    assert {layer["name"] for layer in view["network"]} == {"minor", "major"}
    assert view["attribution"][0].endswith("© OpenStreetMap contributors</a>, 2025-08-09")
    assert ("OpenStreetMap 贡献者</a>（ODbL），2025-08-09" in page
            and "contributors</a> (ODbL), data of 2025-08-09" in page)


def test_tiles_keep_their_own_credit_but_the_panel_dates_the_network(
        estimated_itinerary: Any) -> None:
    """Tiles bring their own (current) data: the date goes in the panel's credit only."""
    net = StreetsOnly(estimated_itinerary)
    view = view_of(page := map_html(estimated_itinerary, tiles="osm", network=cast(Any, net)))
    assert view["network"] is None
    assert "2025-08-09" not in view["attribution"][0]
    assert "data of 2025-08-09" in page


def test_no_streets_and_no_date_from_an_estimate(estimated_itinerary: Any) -> None:
    net = StreetsOnly(estimated_itinerary, data_date=None, estimated=True)
    page = map_html(estimated_itinerary, tiles="none", network=cast(Any, net))
    assert view_of(page)["network"] is None
    assert "data of" not in page


def test_encoded_polyline_matches_the_reference() -> None:
    """Google's documented example of the encoded polyline format."""
    assert _encode([[38.5, -120.2], [40.7, -120.95], [43.252, -126.453]]) == (
        "_p~iF~ps|U_ulLnnqC_mqNvxq`@")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"lang": "fr"}, "'fr'"),
    ({"tiles": "google"}, "'google'"),
    ({"tiles": "tianditu"}, "Tianditu key"),
    ({"tiles": "tianditu", "tiles_key": "abc'); alert(1); //"}, "letters and digits"),
])
def test_bad_options_name_the_value(estimated_itinerary: Any, kwargs: dict[str, Any],
                                    message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDROUTE_TIANDITU_KEY", raising=False)
    with pytest.raises(MapError, match=re.escape(message)):
        map_html(estimated_itinerary, **kwargs)


def test_tianditu_uses_the_key(estimated_itinerary: Any,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDROUTE_TIANDITU_KEY", "0123456789abcdef0123456789abcdef")
    page = map_html(estimated_itinerary, tiles="tianditu")
    assert "tk=0123456789abcdef0123456789abcdef" in page
    assert page.count("tianditu.gov.cn") == 2  # vector base and its labels
    assert "© OpenStreetMap contributors" in page


def test_save_map_into_a_missing_folder(estimated_itinerary: Any, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        save_map(estimated_itinerary, tmp_path / "nope" / "map.html")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- browser

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]


def _no_browser(reason: str) -> None:
    if os.environ.get("REDROUTE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} and REDROUTE_REQUIRE_BROWSER=1")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Any:
    """The system Chromium, driven by Playwright (never a downloaded browser)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _no_browser("playwright is not installed")
    exe = (os.environ.get("REDROUTE_CHROMIUM") or shutil.which("chromium")
           or shutil.which("chromium-browser") or "/usr/bin/chromium")
    if not Path(exe).exists():
        _no_browser(f"Chromium is not installed ({exe})")
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(executable_path=exe, args=BROWSER_ARGS)
    except Error as err:
        manager.stop()
        _no_browser(f"Chromium {exe} does not start: {str(err).splitlines()[0]}")
    yield chromium
    chromium.close()
    manager.stop()


class Visit:
    """A page loaded from disk with the network blocked, and what it tried to do."""

    def __init__(self, browser: Any, path: Path, *, fragment: str = "",
                 viewport: tuple[int, int] = (1200, 800), phone: bool = False) -> None:
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, is_mobile=phone,
            has_touch=phone, device_scale_factor=1)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)
        self.context.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri() + fragment)
        self.page.wait_for_function("window.redroute && window.redroute.map")
        self.page.evaluate("document.fonts.ready.then(() => true)")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any) -> Any:
    opened: list[Visit] = []

    def open_page(path: Path, **kwargs: Any) -> Visit:
        v = Visit(browser, path, **kwargs)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


@pytest.mark.slow
def test_offline_page_in_a_browser(visit: Any, pages: dict[str, Path],
                                   estimated_itinerary: Any) -> None:
    """No request, no console error; one marker per stop, the route, the font loaded."""
    v = visit(pages["none"])
    page = v.page
    assert v.requests == []
    assert v.errors == []
    assert page.locator(".leaflet-marker-pane .rr-stop").count() == len(estimated_itinerary.stops)
    assert page.locator(".leaflet-marker-pane .rr-place").count() == 1  # a round trip
    assert page.locator("path.rr-route").count() == len(estimated_itinerary.legs)
    assert page.locator(".rr-est-label").count() == len(estimated_itinerary.legs)
    assert page.evaluate("document.fonts.check('16px \"RR Noto Sans SC\"', '出发')")
    assert page.evaluate(
        "[...document.fonts].some(f => f.family.includes('RR Noto') && f.status === 'loaded')")
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".rr-fullscreen").count() == 1
    assert page.locator(".rr-locate").count() == 1
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "© OpenStreetMap contributors" in attribution
    # Every stop and the route lie in the fitted view.
    inside = page.evaluate("""() => { const r = window.redroute, b = r.map.getBounds();
        return Object.values(r.refs.stops).every(m => b.contains(m.getLatLng())); }""")
    assert inside


@pytest.mark.slow
def test_popup_shows_the_chinese_name(visit: Any, pages: dict[str, Path],
                                      estimated_itinerary: Any) -> None:
    v = visit(pages["none"])
    stop = estimated_itinerary.stops[1]
    v.page.locator(".rr-stop-2").click()
    popup = v.page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert stop.name_zh in text and stop.name_en in text
    assert stop.address_zh in text
    assert f"{stop.arrival:%H:%M}" in text
    assert v.errors == []


@pytest.mark.slow
def test_fragment_opens_that_stop(visit: Any, pages: dict[str, Path],
                                  estimated_itinerary: Any) -> None:
    """#stop=3 opens and centres stop 3; a later hashchange to #stop=2 moves to stop 2."""
    stops = estimated_itinerary.stops
    v = visit(pages["none"], fragment="#stop=3")
    popup = v.page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert stops[2].name_zh in popup.inner_text()
    center = v.page.evaluate("""() => { const r = window.redroute;
        return r.map.latLngToContainerPoint(r.refs.stops['3'].getLatLng()).distanceTo(
            r.map.getSize().divideBy(2)); }""")
    # Centred, give or take the popup's auto-pan, which grows with the popup's lines (a
    # stop with unconfirmed hours has one more).
    assert center < 260
    assert v.page.locator(".rr-stop-row.rr-active").get_attribute("data-stop") == "3"
    v.page.evaluate("window.location.hash = '#stop=2'")
    v.page.wait_for_function(
        f"document.querySelector('.leaflet-popup-content').textContent.includes({json.dumps(stops[1].name_zh)})")
    v.page.locator('a[href="#leg=1"]').click()
    v.page.wait_for_function("document.querySelector('.leaflet-popup-content')"
                             ".textContent.includes('估算')")
    assert v.errors == []


@pytest.mark.slow
def test_screenshot_is_not_blank(visit: Any, real_page: Path, tmp_path: Path) -> None:
    from PIL import Image

    v = visit(real_page)
    # The street network is decoded and drawn under the route, inside the view.
    assert v.page.locator("path.rr-net").count() >= 4
    near = v.page.evaluate("""() => { const r = window.redroute, b = r.map.getBounds();
        const streets = Object.values(r.map._layers).filter(
            l => l instanceof L.Polyline && l.options.pane === 'rr-streets');
        return streets.length >= 4 && streets.every(l => b.intersects(l.getBounds())); }""")
    assert near
    shot = tmp_path / "map.png"
    v.page.screenshot(path=str(shot))
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 200
    # The map part (right of the panel) holds streets and route, not one flat colour.
    mapped = image.crop((400, 0, image.width, image.height)).getcolors(maxcolors=1 << 20)
    assert mapped is not None and len(mapped) > 50
    assert v.requests == [] and v.errors == []


@pytest.mark.slow
def test_hostile_names_do_not_run(visit: Any, pages: dict[str, Path]) -> None:
    """The XSS payloads show as text in popups, panel and title, and run nothing."""
    v = visit(pages["xss"], fragment="#stop=1")
    page = v.page
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert XSS in popup.inner_text()
    assert BREAKOUT in popup.inner_text()
    assert JINJA in popup.inner_text()
    page.locator(".rr-stop-2").click()
    second = page.locator(".leaflet-popup-content", has_text="2. " + JINJA)
    second.wait_for()
    assert XSS in second.inner_text()  # its address
    assert XSS in page.locator("#rr-panel").inner_text()
    assert page.title().startswith(XSS)
    assert page.locator("img[src='x'], #rr-panel img, .leaflet-popup img").count() == 0
    page.wait_for_timeout(100)
    assert v.dialogs == []
    assert v.errors == []


@pytest.mark.slow
def test_osm_page_asks_only_for_tiles(visit: Any, pages: dict[str, Path]) -> None:
    v = visit(pages["osm"])
    v.page.wait_for_timeout(200)
    assert v.requests, "the OSM page should ask for tiles"
    assert all(re.fullmatch(r"https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png", u)
               for u in v.requests), v.requests
    assert all("Failed to load resource" in e for e in v.errors), v.errors


@pytest.mark.slow
def test_amap_page_asks_only_for_amap_tiles(visit: Any, pages: dict[str, Path]) -> None:
    v = visit(pages["amap"])
    v.page.wait_for_timeout(200)
    assert v.requests
    assert all(re.match(r"https://webrd0[1-4]\.is\.autonavi\.com/appmaptile\?", u)
               for u in v.requests), v.requests


@pytest.mark.slow
def test_browser_gcj02_matches_python(visit: Any, pages: dict[str, Path]) -> None:
    """The page's own WGS-84 -> GCJ-02 (for "locate me") agrees with redroute.coords."""
    v = visit(pages["amap"])
    for lon, lat in [(121.4737, 31.2304), (121.50, 31.24), (116.39, 39.91)]:
        glat, glon = v.page.evaluate(f"window.redroute.toGcj02({lat}, {lon})")
        elon, elat = wgs84_to_gcj02(lon, lat)
        assert glat == pytest.approx(elat, abs=1e-7)
        assert glon == pytest.approx(elon, abs=1e-7)


@pytest.mark.slow
def test_phone_layout_has_no_overlap(visit: Any, real_page: Path, tmp_path: Path) -> None:
    """On a 390x844 phone the panel sits below the map; opening it never covers controls."""
    v = visit(real_page, viewport=(390, 844), phone=True)
    page = v.page

    def box(selector: str) -> dict[str, float]:
        result = page.locator(selector).first.bounding_box()
        assert result is not None, selector
        return result

    for state in ("closed", "open"):
        if state == "open":
            page.locator(".rr-toggle").click()
            page.wait_for_timeout(100)
        panel, mapbox = box("#rr-panel"), box(".folium-map")
        assert mapbox["y"] + mapbox["height"] <= panel["y"] + 1, state
        assert panel["y"] + panel["height"] <= 844 + 1, state
        assert mapbox["height"] > 300, state
        for control in (".leaflet-control-attribution", ".leaflet-control-scale",
                        ".leaflet-control-zoom"):
            c = box(control)
            assert c["y"] + c["height"] <= panel["y"] + 1, (state, control)
            hit = page.evaluate(
                f"""() => {{ const e = document.elementFromPoint({c['x'] + 5}, {c['y'] + 5});
                return !!e.closest('{control}'); }}""")
            assert hit, (state, control)
    assert page.evaluate("document.body.classList.contains('rr-open')")
    page.locator('a[href="#stop=2"]').click()
    page.locator(".leaflet-popup-content").wait_for()
    assert not page.evaluate("document.body.classList.contains('rr-open')")
    # After the popup's auto-pan it lies wholly inside the map, above the panel.
    page.wait_for_function("""() => {
        const p = document.querySelector('.leaflet-popup').getBoundingClientRect();
        const m = document.querySelector('.folium-map').getBoundingClientRect();
        return p.top >= m.top && p.bottom <= m.bottom && p.left >= m.left
            && p.right <= m.right; }""", timeout=3000)
    page.screenshot(path=str(tmp_path / "phone.png"))
    assert v.errors == []


@pytest.mark.slow
def test_embedded_iframe_deep_links_a_stop(browser: Any, pages: dict[str, Path],
                                           estimated_itinerary: Any) -> None:
    """A web page embedding the map with #stop=2 shows stop 2's popup inside the frame."""
    host = pages["none"].with_name("host.html")
    snippet = embed_snippet(pages["none"].name, title="Walk", stop=2)
    host.write_text(f"<!doctype html><html><body><h1>Walks</h1>{snippet}</body></html>",
                    encoding="utf-8")
    context = browser.new_context(viewport={"width": 900, "height": 900})
    try:
        page = context.new_page()
        page.goto(host.as_uri())
        frame = page.frame_locator("iframe")
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for()
        assert estimated_itinerary.stops[1].name_zh in popup.inner_text()
        size = page.locator("iframe").bounding_box()
        assert size is not None and size["width"] > 800 and size["height"] >= 360
    finally:
        context.close()


def test_the_lunch_break_is_a_row_of_the_timeline(pages: dict[str, Path],
                                                  estimated_itinerary: Any) -> None:
    """The 5 h founding walk's lunch break is a row of the schedule panel, between the stop
    it follows and the walk on, in each language; the totals name it too."""
    (b,) = estimated_itinerary.breaks
    both = pages["none"].read_text(encoding="utf-8")
    panel = both[both.index('<aside id="rr-panel"'):both.index("</aside>")]
    row = re.search(r'<li class="rr-row rr-place rr-break" data-break="lunch">.*?</li>', panel)
    assert row is not None
    text = re.sub(r"<[^>]+>", " ", row.group(0))
    assert f"{b.start:%H:%M}" in text and "午餐休息 45 分钟 / Lunch break, 45 min" in text
    before = panel[:row.start()]
    after = panel[row.end():]
    assert before.rindex(f'data-stop="{b.after_stop}"') > before.rfind("rr-leg")
    assert after.index("rr-leg") < after.index(f'data-stop="{b.after_stop + 1}"')
    meta = panel[panel.index('class="rr-meta"'):panel.index("</p>", panel.index("rr-meta"))]
    assert "午餐休息 45 分钟" in meta
    en = pages["en"].read_text(encoding="utf-8")
    panel_en = en[en.index('<aside id="rr-panel"'):en.index("</aside>")]
    assert "Lunch break, 45 min" in panel_en and "午餐" not in panel_en


def test_a_moved_start_is_noted_in_the_panel(estimated_itinerary: Any) -> None:
    import datetime as dt

    it = dataclasses.replace(estimated_itinerary,
                             requested_start=estimated_itinerary.departure
                             - dt.timedelta(minutes=90))
    page = map_html(it, tiles="none", lang="en")
    assert ('<p class="rr-note rr-start-moved">Start moved to '
            f"{it.departure:%H:%M}: nothing on the walk is open before then</p>") in page
    assert "rr-start-moved" not in map_html(estimated_itinerary, tiles="none")
