"""The command line: output, exit codes and error lines."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from redroute import coords
from redroute.cli import main


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_and_version(runner: CliRunner) -> None:
    code, out, _ = run(runner, "-h")
    assert code == 0 and "landmarks" in out
    code, out, _ = run(runner, "--version")
    assert code == 0 and out.startswith("redroute, version ")


def test_help_does_not_import_heavy_modules() -> None:
    """``redroute --help`` stays fast: no geopandas, osmnx, folium or pypinyin at start-up."""
    code = ("import sys; from redroute.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = {'geopandas', 'osmnx', 'folium', 'pypinyin', 'networkx', 'jsonschema'}\n"
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().endswith("[]")


def test_python_dash_m(mini_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "redroute", "landmarks", "list", "--catalogue",
                          str(mini_path)], capture_output=True, text=True, check=True).stdout
    assert "first-congress-site" in out


def test_list_table(runner: CliRunner, mini_path: Path) -> None:
    code, out, _ = run(runner, "landmarks", "list", "--catalogue", str(mini_path))
    assert code == 0
    assert "编号 ID" in out and "名称 Name" in out
    assert "中共一大会址  Site of the 1st National Congress of the CPC" in out
    assert "3 处地标 / 3 landmarks" in out


def test_list_filters(runner: CliRunner, mini_path: Path) -> None:
    code, out, _ = run(runner, "landmarks", "list", "--catalogue", str(mini_path),
                       "--district", "hongkou")
    assert code == 0 and "street-plaque" in out and "first-congress-site" not in out
    code, out, _ = run(runner, "landmarks", "list", "--catalogue", str(mini_path), "-q", "渔阳里")
    assert "old-yuyangli-2" in out and "1 处地标" in out


def test_list_open_on_monday(runner: CliRunner, mini_path: Path) -> None:
    code, out, err = run(runner, "landmarks", "list", "--catalogue", str(mini_path),
                         "--open-on", "2026-11-30")
    assert code == 0 and "0 处地标" in out
    assert "1 more with unknown opening hours not listed" in err


def test_list_open_at_a_time_shows_that_days_hours(runner: CliRunner, mini_path: Path) -> None:
    code, out, _ = run(runner, "landmarks", "list", "--catalogue", str(mini_path),
                       "--open-on", "2026-12-01T12:00")
    assert code == 0
    assert "first-congress-site" in out and "old-yuyangli-2" not in out
    assert "12-01" in out


def test_list_near_json(runner: CliRunner, mini_path: Path) -> None:
    code, out, _ = run(runner, "landmarks", "list", "--catalogue", str(mini_path),
                       "--near", "31.2215,121.4650", "--radius", "200", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["id"] for f in data["features"]] == ["old-yuyangli-2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--open-on", "2026-13-01"], "is not a real date"),
        (["--open-on", "tomorrow"], "is not YYYY-MM-DD"),
        (["--near", "121.465,31.2215"], "swapped? the order is LAT,LON"),
        (["--near", "north"], "is not LAT,LON"),
        (["--radius", "100"], "--radius needs --near"),
        (["--district", "Mars"], "'Mars' is not one of"),
    ],
)
def test_list_usage_errors_exit_2(runner: CliRunner, mini_path: Path, args: list[str],
                                  message: str) -> None:
    code, _, err = run(runner, "landmarks", "list", "--catalogue", str(mini_path), *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_show(runner: CliRunner, mini_path: Path) -> None:
    code, out, _ = run(runner, "landmarks", "show", "old-yuyangli-2", "--catalogue",
                       str(mini_path), "--date", "2026-11-30")
    assert code == 0
    assert out.startswith("老渔阳里2号\nNo. 2 Old Yuyangli\n")
    assert "11-30 周一 Mon  闭馆 closed" in out
    assert "12-01 周二 Tue  09:00-11:30, 13:30-16:30" in out
    assert "31.220300 N, 121.464500 E (WGS-84)" in out


def test_show_unknown_hours(runner: CliRunner, mini_path: Path) -> None:
    code, out, _ = run(runner, "landmarks", "show", "street-plaque", "--catalogue", str(mini_path))
    assert code == 0 and "不详 unknown" in out


def test_show_json(runner: CliRunner, mini_path: Path) -> None:
    code, out, _ = run(runner, "landmarks", "show", "street-plaque", "--catalogue",
                       str(mini_path), "--json")
    assert code == 0 and json.loads(out)["properties"]["id"] == "street-plaque"


def test_show_unknown_id_is_one_error_line(runner: CliRunner, mini_path: Path) -> None:
    code, out, err = run(runner, "landmarks", "show", "first-congres-site", "--catalogue",
                         str(mini_path))
    assert code == 1 and out == ""
    assert err == ("Error: no landmark with id 'first-congres-site' in "
                   f"{mini_path}; did you mean first-congress-site?\n")


def test_bad_catalogue_is_one_error_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [}', encoding="utf-8")
    code, _, err = run(runner, "landmarks", "list", "--catalogue", str(bad))
    assert code == 1
    assert err.startswith(f"Error: {bad} line 1, column 44: invalid JSON: Expecting value")
    assert err.count("\n") == 1


def test_validate_ok(runner: CliRunner, mini_path: Path) -> None:
    code, out, _ = run(runner, "landmarks", "validate", str(mini_path))
    assert code == 0
    assert "valid, 3 landmarks (2 with opening hours)" in out


def test_validate_reports_every_problem(runner: CliRunner, mini_path: Path,
                                        tmp_path: Path) -> None:
    data = json.loads(mini_path.read_text(encoding="utf-8"))
    data["features"][0]["properties"]["district"] = "mars"
    data["features"][2]["properties"]["opening_hours"] = "Tu-Su 9-17"
    data["features"][1]["geometry"]["coordinates"] = [31.2203, 121.4645]
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(runner, "landmarks", "validate", str(bad))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"Error: {bad} feature 0 (first-congress-site): district")
    assert lines[1].startswith(f"Error: {bad} feature 1 (old-yuyangli-2): position")
    assert "lat/lon swapped?" in lines[1]
    assert lines[2].startswith(f'Error: {bad} feature 2 (street-plaque): opening_hours "Tu-Su')
    assert lines[3] == f"{bad}: 3 个问题 / 3 problems"


def test_validate_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = run(runner, "landmarks", "validate", str(tmp_path / "x.geojson"))
    assert code == 1 and "does not exist" in err and "Traceback" not in err


def test_import_writes_a_valid_catalogue(runner: CliRunner, tmp_path: Path) -> None:
    gcj = coords.wgs84_to_gcj02(121.470552, 31.222068)
    csv = tmp_path / "sites.csv"
    csv.write_text(
        "name_zh,name_en,address_zh,district,category,themes,summary_zh,summary_en,lon,lat\n"
        f"一大会址,First Congress Site,兴业路76号,huangpu,congress-site,founding,简介。,Summary.,"
        f"{gcj[0]},{gcj[1]}\n", encoding="utf-8")
    out_path = tmp_path / "out.geojson"
    code, _, err = run(runner, "landmarks", "import", str(csv), "--crs", "gcj02",
                       "-o", str(out_path))
    assert code == 0, err
    assert "wrote 1 landmarks" in err
    code, _, _ = run(runner, "landmarks", "validate", str(out_path))
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.geojson", "sites.csv"]


def test_import_failure_leaves_nothing_behind(runner: CliRunner, tmp_path: Path) -> None:
    csv = tmp_path / "sites.csv"
    csv.write_text(
        "name_zh,name_en,address_zh,district,category,themes,summary_zh,summary_en,lon,lat\n"
        "一大会址,First Congress Site,兴业路76号,huangpu,congress-site,founding,简介。,Summary.,"
        "121.47,x\n", encoding="utf-8")
    out_path = tmp_path / "out.geojson"
    code, out, err = run(runner, "landmarks", "import", str(csv), "--crs", "gcj02",
                         "-o", str(out_path))
    assert code == 1 and out == ""
    assert err == 'Error: sites.csv row 2 (lat): "x" is not a number\n'
    assert not out_path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.csv"]


def test_import_needs_crs(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = run(runner, "landmarks", "import", str(tmp_path / "x.csv"))
    assert code == 2 and "--crs" in err


def test_schema_command(runner: CliRunner) -> None:
    code, out, _ = run(runner, "landmarks", "schema")
    assert code == 0 and json.loads(out)["title"] == "redroute landmark catalogue"


# --------------------------------------------------------------------------- network


def test_network_info_on_an_extract(runner: CliRunner, offline: Path) -> None:
    from .conftest import need_shared

    path = need_shared("data/osm/shanghai-core-merged.osm")
    code, out, err = run(runner, "network", "info", "--stops", "first-congress-site,chengyuli-12",
                         "--network", str(path))
    assert code == 0, err
    assert "来源 Source" in out and "extract" in out
    assert str(path) in out
    assert "walking network: extract" in err


def test_network_info_for_a_route(runner: CliRunner, offline: Path) -> None:
    from .conftest import need_shared

    path = need_shared("data/osm/shanghai-core-merged.osm")
    code, out, err = run(runner, "network", "info", "--route", "founding", "--network", str(path))
    assert code == 0, err
    assert "extract" in out


def test_network_info_offline_uses_the_bundled_network(runner: CliRunner,
                                                        offline: Path) -> None:
    """Offline with no extract: the bundled network, its data date and its coverage."""
    from redroute.catalogue import load_catalogue

    n = sum(1 for lm in load_catalogue().query(district="hongkou")
            if lm.category != "waypoint")
    code, out, err = run(runner, "network", "info", "--district", "hongkou")
    assert code == 0, err
    assert "来源 Source" in out and "bundled" in out
    assert "数据日期 Data date      2025-08-09" in out
    # Hongkou's north (Jiangwan) lies beyond the bundled streets: nearly all, not all.
    m = re.search(rf"covers (\d+) of {n} sites \(within 300 m of a street\)", out)
    assert m is not None
    assert n - 3 <= int(m.group(1)) <= n
    assert "Traceback" not in err


def test_network_info_outside_every_network_says_estimate(runner: CliRunner,
                                                          offline: Path) -> None:
    code, out, err = run(runner, "network", "info", "--bbox", "31.37,121.24,31.39,121.26")
    assert code == 0, err
    assert "estimate (estimated distances 估算)" in out
    assert "bundled network (shanghai-center.rrnet) covers 0 of" in err
    assert "Warning: overpass-api.de cannot be reached (offline?); using the estimate" in err
    assert "Traceback" not in err


def test_network_fetch_offline_is_one_error(runner: CliRunner, offline: Path) -> None:
    code, _, err = run(runner, "network", "fetch", "--bbox", "31.215,121.46,31.23,121.48")
    assert code == 1
    assert err.splitlines()[-1] == "Error: overpass-api.de cannot be reached (offline?)"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--bbox", "121.46,31.215,121.48,31.23"], 1, "outside China (lat/lon swapped?"),
        (["--bbox", "31.2,121.4,31.3,121.5", "--district", "huangpu"], 2, "exactly one of"),
        ([], 2, "exactly one of"),
        (["--stops", "no-such-site"], 1, "no landmark with id 'no-such-site'"),
    ],
)
def test_network_area_errors(runner: CliRunner, offline: Path, args: list[str], code: int,
                             message: str) -> None:
    result_code, _, err = run(runner, "network", "info", *args)
    assert result_code == code
    assert message in err
    assert "Traceback" not in err


def test_network_info_bad_extract(runner: CliRunner, offline: Path, tmp_path: Path) -> None:
    bad = tmp_path / "x.osm"
    bad.write_text("", encoding="utf-8")
    code, _, err = run(runner, "network", "info", "--district", "huangpu", "--network", str(bad))
    assert code == 1
    assert err == f"Error: OSM extract '{bad}' is empty\n"


# --------------------------------------------------------------------------- routes and plan


def test_routes_list_and_show(runner: CliRunner) -> None:
    code, out, _ = run(runner, "routes", "list")
    assert code == 0
    assert "founding" in out and "建党之路" in out
    code, out, _ = run(runner, "routes", "show", "founding")
    assert code == 0
    assert "老渔阳里2号" in out and "No. 2 Old Yuyangli" in out
    code, _, err = run(runner, "routes", "show", "fonding")
    assert code == 1 and "did you mean founding?" in err


def test_routes_validate_reports_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "bad"\nstops = ["nowhere"]\n', encoding="utf-8")
    code, _, err = run(runner, "routes", "validate", str(tmp_path))
    assert code == 1
    assert f"Error: {bad} line 2: stops: no landmark with id 'nowhere'" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_plan_curated_route_writes_outputs(runner: CliRunner, offline: Path) -> None:
    out_dir = offline / "out"
    code, out, err = run(runner, "plan", "youth-league", "--date", "2026-12-05",
                         "--network", "estimate", "-o", str(out_dir))
    assert code == 0, err
    assert out.startswith("青春之路：青年团的诞生 / The Youth Route")
    assert "2026-12-05 星期六 / 2026-12-05 Sat" in out
    assert "walking network: estimate" in err
    assert "Warning: no street data" in err
    from redroute.itinerary import load_itinerary

    it = load_itinerary(out_dir / "itinerary.json")
    assert it.estimated
    assert (out_dir / "route.geojson").is_file()
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")]


def test_plan_free_request(runner: CliRunner, offline: Path) -> None:
    path = offline / "walk.json"
    code, out, err = run(runner, "plan", "--theme", "founding", "--district", "huangpu",
                         "--date", "2026-12-05", "--start", "人民广场", "--start-time", "09:30",
                         "--hours", "3", "--pace", "senior", "--step-free", "--network",
                         "estimate", "--lang", "en", "--json", str(path))
    assert code == 0, err
    assert "09:30  Start: People's Square" in out
    assert "出发" not in out
    assert path.is_file()


def test_plan_monday_mandatory_closed_is_one_error(runner: CliRunner, offline: Path) -> None:
    out_dir = offline / "out"
    code, out, err = run(runner, "plan", "hongkou-left-wing", "--date", "2026-12-07",
                         "--network", "estimate", "-o", str(out_dir))
    assert code == 1
    last = err.splitlines()[-1]
    assert last.startswith("Error: cannot plan this walk: mandatory stop ")
    assert "Mo off" in last
    assert out == ""
    assert not out_dir.exists()  # -o DIR is made only when the outputs are written


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["no-such-route"], 1, "no curated route 'no-such-route'"),
        (["--stops", "nowhere", "--network", "estimate"], 1, "no landmark with id 'nowhere'"),
        (["founding", "--start", "121.47,31.23", "--network", "estimate"], 1,
         "swapped? the order is LAT,LON"),
        (["founding", "--start", "40.0,116.4", "--network", "estimate"], 1, "not in Shanghai"),
        (["founding", "--start-time", "9am"], 2, "'9am' is not a time HH:MM"),
        (["founding", "--hours", "0"], 2, "not in the range 0.25<=x<=24"),
        ([], 2, "give a ROUTE"),
    ],
)
def test_plan_bad_input(runner: CliRunner, offline: Path, args: list[str], code: int,
                        message: str) -> None:
    result_code, _, err = run(runner, "plan", *args)
    assert result_code == code, err
    assert message in err
    assert "Traceback" not in err


def test_plan_unwritable_output_leaves_nothing(runner: CliRunner, offline: Path) -> None:
    missing = offline / "no" / "such" / "walk.json"
    code, _, err = run(runner, "plan", "founding", "--network", "estimate", "--json",
                       str(missing))
    assert code == 1
    assert "folder" in err and "does not exist" in err
    assert not missing.parent.exists()


def test_plan_bad_route_file(runner: CliRunner, offline: Path) -> None:
    routes_dir = offline / "routes"
    routes_dir.mkdir()
    (routes_dir / "x.toml").write_text("id = 'x'\nstops = [\n", encoding="utf-8")
    code, _, err = run(runner, "plan", "x", "--routes", str(routes_dir))
    assert code == 1
    assert "x.toml: invalid TOML" in err


# ------------------------------------------------------------ one path from request to output


BUREAU_ROUTE = '''id = "my-route"
title_zh = "区级红色路线"
title_en = "A district's red route"
theme = "founding"
district = "huangpu"
description_zh = "从一大会址到老渔阳里。"
description_en = "From the First Congress site to Old Yuyangli."
order = "optimize"
stops = ["bureau-congress", "bureau-yuyangli"]
start = "peoples-square"
days = ["Tu", "We", "Th", "Fr", "Sa", "Su"]
start_time = "09:30"
hours = 3
'''


@pytest.fixture
def bureau(tmp_path: Path, mini_path: Path) -> tuple[Path, Path]:
    """A culture bureau's own catalogue (ids the shipped one lacks) and route folder."""
    data = json.loads(mini_path.read_text(encoding="utf-8"))
    rename = {"first-congress-site": "bureau-congress", "old-yuyangli-2": "bureau-yuyangli"}
    for feature in data["features"]:
        props = feature["properties"]
        props["id"] = rename.get(props["id"], props["id"])
    catalogue = tmp_path / "sites.geojson"
    catalogue.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    folder = tmp_path / "my-routes"
    folder.mkdir()
    (folder / "my-route.toml").write_text(BUREAU_ROUTE, encoding="utf-8")
    return catalogue, folder


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(path).pages).replace(" ", "")


@pytest.mark.slow
def test_bureau_route_works_in_plan_leaflet_and_publish(
        runner: CliRunner, offline: Path, bureau: tuple[Path, Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A bureau's route folder is honoured by every command that takes a route, by option
    and by REDROUTE_ROUTES; the shipped routes are never checked against its catalogue."""
    catalogue, folder = bureau
    common = ["--catalogue", str(catalogue), "--date", "2026-12-05", "--network", "estimate"]
    code, out, err = run(runner, "plan", "my-route", "--routes", str(folder), *common)
    assert code == 0, err
    assert "区级红色路线" in out
    pdf = offline / "x.pdf"
    code, _, err = run(runner, "leaflet", "my-route", "--routes", str(folder), *common,
                       "-o", str(pdf))
    assert code == 0, err
    assert "founding.toml" not in err
    assert "区级红色路线" in _pdf_text(pdf)
    monkeypatch.setenv("REDROUTE_ROUTES", str(folder))
    pdf.unlink()
    code, _, err = run(runner, "leaflet", "my-route", *common, "-o", str(pdf))
    assert code == 0, err
    assert pdf.is_file()
    code, _, err = run(runner, "network", "info", "--route", "my-route", "--catalogue",
                       str(catalogue), "--network", "estimate")
    assert code == 0, err
    code, out, err = run(runner, "publish", "-o", str(offline / "site"), *common,
                         "--workers", "1")
    assert code == 0, err
    assert (offline / "site" / "my-route" / "leaflet.pdf").is_file()
    assert "1 route published" in out


@pytest.mark.slow
def test_leaflet_of_an_itinerary_keeps_its_hours(runner: CliRunner, offline: Path,
                                                 bureau: tuple[Path, Path]) -> None:
    """A walk planned with a bureau's catalogue: its leaflet prints the hours the JSON holds,
    with that catalogue or without it, never "hours unknown" for every stop."""
    catalogue, folder = bureau
    walk = offline / "walk.json"
    code, _, err = run(runner, "plan", "my-route", "--routes", str(folder), "--catalogue",
                       str(catalogue), "--date", "2026-12-05", "--network", "estimate",
                       "--json", str(walk))
    assert code == 0, err
    for extra in (["--catalogue", str(catalogue)], []):
        pdf = offline / f"walk{len(extra)}.pdf"
        code, _, err = run(runner, "leaflet", str(walk), "-o", str(pdf), "--network",
                           "estimate", *extra)
        assert code == 0, err
        text = _pdf_text(pdf)
        assert "开放时间不详" not in text
        assert "Hoursunknown" not in text and "hoursunknown" not in text.lower()


@pytest.mark.slow
def test_leaflet_of_a_route_falls_back_like_plan(runner: CliRunner, offline: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """With a configured extract that lacks the route's area (Longhua is outside the People's
    Square extract), `leaflet ROUTE` falls back exactly as `plan` does: to the bundled
    network, with the cemetery (off every network) on estimated legs."""
    from redroute import settings

    from .conftest import need_shared

    monkeypatch.setattr(settings, "osm_extract",
                        need_shared("data/osm/shanghai-core-merged.osm"))
    code, _, err = run(runner, "plan", "longhua", "--date", "2026-12-05")
    assert code == 0, err
    plan_network = [line for line in err.splitlines() if line.startswith("walking network")]
    pdf = offline / "longhua.pdf"
    code, _, err = run(runner, "leaflet", "longhua", "--date", "2026-12-05", "-o", str(pdf))
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF")
    leaflet_network = [line for line in err.splitlines() if line.startswith("walking network")]
    assert leaflet_network == plan_network
    assert leaflet_network[0].startswith("walking network: bundled")
    assert leaflet_network[0].endswith("covers 1 of 3 points")
    assert "has no streets in the area" in err and "trying the next source" in err


@pytest.mark.parametrize("command", [["plan"], ["leaflet"], ["publish"], ["network", "info"]])
def test_network_option_means_the_same_everywhere(runner: CliRunner, command: list[str]) -> None:
    """--network takes auto|download|estimate|PATH in every command, with one help text."""
    code, out, _ = run(runner, *command, "-h")
    assert code == 0
    assert "--network auto|download|estimate|PATH" in out
    assert "local|none" not in out
    marker = "--network auto|download|estimate|PATH"
    helps = {run(runner, *c, "-h")[1].split(marker, 1)[1].split("\n  -", 1)[0]
             for c in (["plan"], command)}
    assert len({" ".join(h.split()) for h in helps}) == 1


@pytest.mark.parametrize("command", [["plan"], ["leaflet"], ["publish"], ["routes", "list"],
                                     ["routes", "show"], ["network", "info"],
                                     ["network", "fetch"]])
def test_every_route_command_takes_routes(runner: CliRunner, command: list[str]) -> None:
    code, out, _ = run(runner, *command, "-h")
    assert code == 0
    assert "--routes" in out and "--catalogue" in out


def test_a_request_file_plans_like_a_route(runner: CliRunner, offline: Path) -> None:
    """`plan REQUEST.toml`: the fields of a route file, without its curation metadata."""
    request = offline / "walk.toml"
    request.write_text('stops = ["old-yuyangli-2", "chengyuli-12"]\nstart = "xintiandi"\n'
                       'hours = 2\npace = "senior"\n', encoding="utf-8")
    code, out, err = run(runner, "plan", str(request), "--date", "2026-12-05", "--network",
                         "estimate", "--lang", "en")
    assert code == 0, err
    assert "Start: Xintiandi" in out
    request.write_text('stops = ["old-yuyangli-2"]\nhours = 30\nspeed = 3\n', encoding="utf-8")
    code, _, err = run(runner, "plan", str(request), "--network", "estimate")
    assert code == 1
    assert f"Error: {request} line 2: hours: 30 must be" in err
    assert f"Error: {request} line 3: speed: unknown field" in err
    assert "Traceback" not in err


def test_bad_request_options_name_the_option(runner: CliRunner, offline: Path) -> None:
    code, _, err = run(runner, "plan", "founding", "--pace", "jogging", "--network", "estimate")
    assert code == 1
    assert err.startswith('Error: --pace jogging: "jogging" is not a pace')
    assert len(err.strip().splitlines()) == 1


def test_broken_config_file_is_one_warning(runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                           mini_path: Path) -> None:
    from redroute import settings

    monkeypatch.setattr(settings, "_CONF", {"_error": "config file /x/config.toml: bad TOML"})
    code, out, err = run(runner, "landmarks", "list", "--catalogue", str(mini_path))
    assert code == 0
    assert err.count("Warning: config file /x/config.toml: bad TOML") == 1
    assert "first-congress-site" in out


# ------------------------------------------------------------ output safety (issue 12)

PLAN = ["plan", "youth-league", "--date", "2026-12-05", "--network", "estimate"]


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_plan_writes_through_a_symlink(runner: CliRunner, offline: Path) -> None:
    real = offline / "real.json"
    real.write_text("{}", encoding="utf-8")
    (offline / "link.json").symlink_to("real.json")
    code, _, err = run(runner, *PLAN, "--json", str(offline / "link.json"))
    assert code == 0, err
    assert (offline / "link.json").is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["schema"].startswith("redroute-itin")


def test_plan_writes_into_a_fifo(runner: CliRunner, offline: Path) -> None:
    import os
    import threading

    fifo = offline / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    code, _, err = run(runner, *PLAN, "--gpx", str(fifo))
    reader.join(10)
    assert code == 0, err
    assert fifo.is_fifo()
    assert got and got[0].startswith(b"<?xml")


@pytest.mark.parametrize(("args", "message"), [
    (["--json", "x", "--geojson", "x"], "Error: cannot write x (--geojson): it is the same "
                                        "path as x (--json)"),
    (["-o", "d", "--html", "d/itinerary.json"], "Error: cannot write d/itinerary.json "
                                                "(--html): it is inside d (-o)"),
    (["--leaflet", "/proc/version"], "Error: cannot write /proc/version (--leaflet)"),
    (["--json", "dangling"], "Error: cannot write dangling (--json): it is a symbolic link"),
])
def test_plan_refuses_bad_outputs_before_any_work(runner: CliRunner, offline: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  args: list[str], message: str) -> None:
    from redroute import plan

    monkeypatch.chdir(offline)
    (offline / "dangling").symlink_to("nowhere")
    monkeypatch.setattr(plan, "make_plan", lambda *a, **k: pytest.fail("planned"))
    before = _names(offline)
    code, _, err = run(runner, *PLAN, *args)
    assert code == 1
    assert err.strip().startswith(message)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert _names(offline) == before


def test_plan_dir_with_a_folder_in_the_way_replaces_nothing(runner: CliRunner,
                                                            offline: Path) -> None:
    out_dir = offline / "out"
    (out_dir / "map.html").mkdir(parents=True)
    (out_dir / "itinerary.json").write_text("mine", encoding="utf-8")
    code, _, err = run(runner, *PLAN, "-o", str(out_dir))
    assert code == 1
    assert err.strip() == f"Error: cannot write {out_dir / 'map.html'} (-o): it is a folder"
    assert (out_dir / "itinerary.json").read_text(encoding="utf-8") == "mine"
    assert _names(out_dir) == ["itinerary.json", "map.html"]


def test_plan_output_cannot_be_the_catalogue(runner: CliRunner, offline: Path,
                                             mini_path: Path) -> None:
    cat = offline / "cat.geojson"
    cat.write_bytes(mini_path.read_bytes())
    code, _, err = run(runner, "plan", "--stops", "first-congress-site", "--catalogue",
                       str(cat), "--network", "estimate", "--json", str(cat))
    assert code == 1
    assert "it is the command's input --catalogue" in err
    assert cat.read_bytes() == mini_path.read_bytes()


def test_plan_disk_full_replaces_nothing(runner: CliRunner, offline: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from redroute import _io

    out_dir = offline / "out"
    out_dir.mkdir()
    (out_dir / "route.gpx").write_text("old", encoding="utf-8")

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_io, "_put", full)
    code, _, err = run(runner, *PLAN, "-o", str(out_dir))
    assert code == 1
    assert err.splitlines()[-1].endswith("(-o): No space left on device")
    assert "Traceback" not in err
    assert _names(out_dir) == ["route.gpx"]
    assert (out_dir / "route.gpx").read_text(encoding="utf-8") == "old"


def test_leaflet_will_not_overwrite_its_itinerary(runner: CliRunner, offline: Path) -> None:
    walk = offline / "walk.json"
    walk.write_text('{"schema": "redroute-itinerary/1"}', encoding="utf-8")
    code, _, err = run(runner, "leaflet", str(walk), "-o", str(walk))
    assert code == 1
    assert f"Error: cannot write {walk} (-o): it is the command's input" in err
    assert walk.read_text(encoding="utf-8") == '{"schema": "redroute-itinerary/1"}'


def test_embed_will_not_overwrite_its_map(runner: CliRunner, tmp_path: Path) -> None:
    page = tmp_path / "map.html"
    page.write_text("<html>mine</html>", encoding="utf-8")
    code, _, err = run(runner, "embed", str(page), "--url", "map.html", "--geojson", str(page))
    assert code == 1
    assert "it is the command's input MAP.html" in err
    assert page.read_text(encoding="utf-8") == "<html>mine</html>"


def test_import_will_not_overwrite_its_csv(runner: CliRunner, tmp_path: Path) -> None:
    csv = tmp_path / "sites.csv"
    csv.write_text("name_zh\n", encoding="utf-8")
    code, _, err = run(runner, "landmarks", "import", str(csv), "--crs", "wgs84", "-o",
                       str(csv))
    assert code == 1
    assert "it is the command's input FILE" in err
    assert csv.read_text(encoding="utf-8") == "name_zh\n"


def test_network_build_checks_its_output_first(runner: CliRunner, tmp_path: Path) -> None:
    extract = tmp_path / "x.osm"
    extract.write_text("<osm/>", encoding="utf-8")
    code, _, err = run(runner, "network", "build", str(extract), "-o", str(extract))
    assert code == 1
    assert "it is the command's input EXTRACT 1" in err
    code, _, err = run(runner, "network", "build", str(extract), "-o",
                       str(tmp_path / "no" / "x.rrnet"))
    assert code == 1
    assert "does not exist" in err


# --------------------------------------------------------------------------- hostile text, stdout


def _hostile_catalogue(tmp_path: Path, mini_path: Path) -> Path:
    """The mini catalogue with escape sequences in a name: loaded without validation (as a
    library user could build it), so the terminal code is tested on its own."""
    data = json.loads(mini_path.read_text(encoding="utf-8"))
    data["features"][0]["properties"]["name_en"] = "Evil\x1b[2J\x1b]0;owned\x07\u202eName"
    path = tmp_path / "evil.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_escape_sequences_never_reach_the_terminal(runner: CliRunner, tmp_path: Path,
                                                   mini_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables and `landmarks show` print catalogue text with control characters escaped."""
    from redroute import catalogue

    monkeypatch.setattr(catalogue, "check_catalogue", lambda data, source="": [])
    path = _hostile_catalogue(tmp_path, mini_path)
    for args in (["list"], ["show", "first-congress-site"]):
        code, out, _ = run(runner, "landmarks", *args, "--catalogue", str(path))
        assert code == 0
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
        assert "Evil\\x1b[2J\\x1b]0;owned\\x07\\u202eName" in out


def test_validate_names_the_escape_without_printing_it(runner: CliRunner, tmp_path: Path,
                                                       mini_path: Path) -> None:
    code, _, err = run(runner, "landmarks", "validate", str(_hostile_catalogue(tmp_path,
                                                                               mini_path)))
    assert code == 1
    assert "\x1b" not in err
    assert ("feature 0 (first-congress-site): name_en contains the control character ESC "
            "(U+001B) at character 5") in err


def test_error_lines_escape_what_the_user_typed(runner: CliRunner, mini_path: Path) -> None:
    code, _, err = run(runner, "landmarks", "show", "x\x1b[31m", "--catalogue", str(mini_path))
    assert code == 1
    assert "\x1b" not in err and "x\\x1b[31m" in err


def test_schedule_escapes_hostile_itinerary_text(estimated_itinerary: object) -> None:
    import dataclasses

    from redroute.export.text import schedule_text

    it: object = estimated_itinerary
    stops = [dataclasses.replace(it.stops[0], name_en="A\x1b[8mB"), *it.stops[1:]]  # type: ignore[attr-defined]
    text = schedule_text(dataclasses.replace(it, stops=stops), lang="en")  # type: ignore[type-var]
    assert "\x1b" not in text and "A\\x1b[8mB" in text


def test_hostile_itinerary_file_is_refused(runner: CliRunner, tmp_path: Path,
                                           estimated_itinerary: object) -> None:
    from redroute._errors import ItineraryError
    from redroute.itinerary import load_itinerary

    data = json.loads(estimated_itinerary.to_json())  # type: ignore[attr-defined]
    data["stops"][0]["name_en"] = "Evil\x1b[2J"
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ItineraryError, match=r"stops/0/name_en contains the control character "
                                             r"ESC \(U\+001B\) at character 5"):
        load_itinerary(path)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ItineraryError, match="nested more than 64 levels deep"):
        load_itinerary(deep)
    deep.write_text(json.dumps({"stops": "@"}).replace('"@"', "[" * 500 + "]" * 500),
                    encoding="utf-8")
    with pytest.raises(ItineraryError, match="nested more than 64 levels deep"):
        load_itinerary(deep)


def test_deeply_nested_catalogue_is_one_error_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "deep.geojson"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    for args in (["validate", str(path)], ["list", "--catalogue", str(path)]):
        code, _, err = run(runner, "landmarks", *args)
        assert code == 1
        assert "nested more than 64 levels deep" in err
        assert "Traceback" not in err and "RecursionError" not in err


def _redroute(*args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "redroute", *args], stderr=subprocess.PIPE,
                          check=False, **kwargs)  # type: ignore[call-overload]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["landmarks", "list"], ["landmarks", "schema"],
                                  ["landmarks", "show", "first-congress-site"], ["--help"]])
def test_a_full_disk_on_stdout_is_one_line(args: list[str]) -> None:
    with Path("/dev/full").open("wb") as full:
        done = _redroute(*args, stdout=full)
    assert done.returncode == 1
    assert done.stderr.decode() == ("Error: cannot write to standard output: No space left on "
                                    "device\n")


def test_a_closed_pipe_is_a_quiet_exit(mini_path: Path, tmp_path: Path) -> None:
    """`| head -1`: the reader goes away; no traceback, no "Exception ignored"."""
    big = tmp_path / "big.geojson"
    data = json.loads(mini_path.read_text(encoding="utf-8"))
    features = []
    for i in range(3000):
        f = json.loads(json.dumps(data["features"][i % 3]))
        f["properties"]["id"] = f"site-{i}"
        features.append(f)
    big.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                   encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "redroute", "landmarks", "list",
                             "--catalogue", str(big)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() in (0, 1)
    assert err == ""


def test_a_closed_stdout_is_one_line() -> None:
    done = subprocess.run(f"{sys.executable} -m redroute landmarks list >&-", shell=True,
                          capture_output=False, stderr=subprocess.PIPE, check=False)
    assert done.returncode == 1
    assert done.stderr.decode().startswith("Error: cannot write to standard output: Bad file "
                                           "descriptor")


def test_import_reports_duplicate_and_unknown_columns(runner: CliRunner, tmp_path: Path) -> None:
    csv = tmp_path / "sites.csv"
    csv.write_text("name_zh,名称,opening_hour,name_en\n", encoding="utf-8")
    code, _, err = run(runner, "landmarks", "import", str(csv), "--crs", "wgs84")
    assert code == 1
    assert 'columns "name_zh" (column 1) and "名称" (column 2) both give name_zh' in err
    assert 'unknown column "opening_hour" (column 3); did you mean "opening_hours"?' in err


def test_import_ignore_unknown_columns(runner: CliRunner, tmp_path: Path) -> None:
    csv = tmp_path / "sites.csv"
    csv.write_text("name_zh,name_en,address_zh,district,category,themes,summary_zh,"
                   "summary_en,lon,lat,notes\n一大会址,First Congress,兴业路76号,黄浦,"
                   "congress-site,founding,简介。,Summary.,121.470552,31.222068,internal\n",
                   encoding="utf-8")
    code, out, err = run(runner, "landmarks", "import", str(csv), "--crs", "wgs84")
    assert code == 1 and 'unknown column "notes"' in err and out == ""
    code, out, err = run(runner, "landmarks", "import", str(csv), "--crs", "wgs84",
                         "--ignore-unknown-columns")
    assert code == 0
    assert 'Warning: ' in err and '"notes" (column 11) is not a catalogue property' in err
    assert json.loads(out)["features"][0]["properties"]["name_en"] == "First Congress"


def test_output_options_are_checked_before_planning(runner: CliRunner, offline: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad --map-url, --publisher or --tiles fails at once, before the seconds of planning,
    in plan and in leaflet."""
    import redroute.plan

    def no_planning(*args: object, **kwargs: object) -> None:
        raise AssertionError("planned before checking the options")

    monkeypatch.setattr(redroute.plan, "make_plan", no_planning)
    monkeypatch.delenv("REDROUTE_TIANDITU_KEY", raising=False)
    cases = [
        (["plan", "founding", "--leaflet", str(offline / "a.pdf"), "--map-url", "ftp://x"],
         "not an http"),
        (["plan", "founding", "--leaflet", str(offline / "a.pdf"), "--publisher", "局" * 81],
         "at most 80 fit"),
        (["plan", "founding", "--html", str(offline / "m.html"), "--tiles", "tianditu"],
         "needs a Tianditu key"),
        (["leaflet", "founding", "-o", str(offline / "b.pdf"), "--map-url", "javascript:x"],
         "not an http"),
    ]
    for argv, message in cases:
        code, _, err = run(runner, *argv)
        assert code == 1, (argv, err)
        assert message in err and "AssertionError" not in err, (argv, err)
        assert len(err.strip().splitlines()) == 1, err
    assert not list(offline.glob("*.pdf")) and not list(offline.glob("*.html"))


def test_ctrl_c_is_one_line_and_exit_130(runner: CliRunner, offline: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import redroute.plan

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(redroute.plan, "make_plan", interrupted)
    out = offline / "walk.json"
    code, _, err = run(runner, "plan", "founding", "--json", str(out))
    assert code == 130
    assert err.strip() == "Interrupted; nothing was changed / 已中断，未做任何更改"
    assert not out.exists()


# --------------------------------------------------------------------------- issue 13


def test_landmarks_show_honours_ph_and_names_the_holiday(runner: CliRunner, mini_path: Path,
                                                         tmp_path: Path) -> None:
    """A week of hours from 2027-10-01: ``Tu-Su,PH`` is open on Monday 10-04, a holiday of
    the National Day week, and each holiday is named."""
    data = json.loads(mini_path.read_text(encoding="utf-8"))
    data["features"][0]["properties"]["opening_hours"] = "Tu-Su,PH 09:00-17:00"
    path = tmp_path / "ph.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    site = data["features"][0]["properties"]["id"]
    code, out, _ = run(runner, "landmarks", "show", site, "--catalogue", str(path),
                       "--date", "2027-10-01")
    assert code == 0
    monday = next(line for line in out.splitlines() if "10-04" in line)
    assert "09:00-17:00" in monday and "[国庆节 National Day holiday]" in monday
    after = next(line for line in out.splitlines() if "10-07" in line)
    assert "[国庆节 National Day holiday]" in after


def test_landmarks_list_finds_common_names(runner: CliRunner) -> None:
    """``landmarks list -q 一大会址`` finds the congress site (shipped catalogue)."""
    code, out, _ = run(runner, "landmarks", "list", "-q", "一大会址")
    assert code == 0
    assert "first-congress-site" in out


# --------------------------------------------------------------------------- a paced day


def test_plan_a_five_hour_walk_has_a_lunch_break_in_every_output(runner: CliRunner,
                                                                   offline: Path) -> None:
    """``plan founding --hours 5``: the schedule, the JSON, the GeoJSON, the map and the
    leaflet all show the lunch break; ``--no-lunch`` has none."""
    from pypdf import PdfReader

    from redroute.itinerary import load_itinerary

    out_dir = offline / "out"
    code, out, err = run(runner, "plan", "founding", "--date", "2026-12-05", "--hours", "5",
                         "--network", "estimate", "-o", str(out_dir))
    assert code == 0, err
    lunch = re.search(r"^(\d\d:\d\d)  午餐休息 45 分钟 / Lunch break, 45 min$", out, re.M)
    assert lunch is not None, out
    assert "11:30" <= lunch.group(1) <= "13:30"
    it = load_itinerary(out_dir / "itinerary.json")
    (b,) = it.breaks
    assert f"{b.start:%H:%M}" == lunch.group(1)
    geo = json.loads((out_dir / "route.geojson").read_text(encoding="utf-8"))
    assert geo["properties"]["breaks"][0]["start"] == lunch.group(1)
    assert 'data-break="lunch"' in (out_dir / "map.html").read_text(encoding="utf-8")
    pdf = "".join(p.extract_text() for p in PdfReader(out_dir / "leaflet.pdf").pages)
    assert "午餐休息" in pdf
    code, out, err = run(runner, "plan", "founding", "--date", "2026-12-05", "--hours", "5",
                         "--network", "estimate", "--no-lunch")
    assert code == 0, err
    assert "午餐" not in out and "Lunch" not in out


def test_plan_lunch_options(runner: CliRunner, offline: Path) -> None:
    """``--lunch`` and ``--lunch-minutes`` set the window and length; a bad window or both
    ``--lunch`` and ``--no-lunch`` is an error naming the option."""
    code, out, err = run(runner, "plan", "founding", "--date", "2026-12-05", "--hours", "6",
                         "--network", "estimate", "--lang", "en", "--lunch", "12:00-14:00",
                         "--lunch-minutes", "60")
    assert code == 0, err
    assert "  Lunch break, 1 h" in out
    code, _, err = run(runner, "plan", "founding", "--network", "estimate", "--lunch",
                       "13:00-12:00")
    assert code == 1
    assert "--lunch 13:00-12:00" in err
    code, _, err = run(runner, "plan", "founding", "--network", "estimate", "--lunch",
                       "12:00-13:00", "--no-lunch")
    assert code == 2
    assert "--no-lunch" in err
    code, _, err = run(runner, "plan", "founding", "--network", "estimate",
                       "--lunch-minutes", "5")
    assert code == 2


def test_plan_max_km_overrides_the_pace_s_cap(runner: CliRunner, offline: Path) -> None:
    """A senior's day stays within 6 km unless ``--max-km 9``; ``--max-km`` must be
    positive."""
    from redroute.itinerary import load_itinerary

    args = ["plan", "--district", "hongkou", "--hours", "9", "--pace", "senior", "--date",
            "2026-12-05", "--network", "estimate"]
    code, _, err = run(runner, *args, "--json", str(offline / "a.json"))
    assert code == 0, err
    capped = load_itinerary(offline / "a.json")
    assert capped.distance_m <= 6001
    code, _, err = run(runner, *args, "--max-km", "9", "--json", str(offline / "b.json"))
    assert code == 0, err
    assert 6000 < load_itinerary(offline / "b.json").distance_m <= 9001
    code, _, err = run(runner, *args, "--max-km", "0")
    assert code == 2


def test_plan_warns_about_a_walk_over_15_km(runner: CliRunner, offline: Path) -> None:
    """A plan of more than 15 km prints one warning line on stderr."""
    code, _, err = run(runner, "plan", "--theme", "martyrs", "--hours", "10", "--max-km", "40",
                       "--date", "2026-12-05", "--network", "estimate", "--time-limit", "0.5",
                       "--no-metro")
    assert code == 0, err
    assert re.search(r"Warning: 这条路线步行 \d+\.\d 公里，超过 15 公里", err)
    assert "more than 15 km: a long day for most people" in err


def test_plan_says_why_the_start_moved(runner: CliRunner, offline: Path) -> None:
    """``--start-time 07:30`` with nothing open before 09:00: the schedule's first lines
    say why the walk starts later."""
    code, out, err = run(runner, "plan", "--stops", "zhou-gongguan,sun-yat-sen-residence",
                         "--start-time", "07:30", "--hours", "3", "--date", "2026-12-05",
                         "--network", "estimate")
    assert code == 0, err
    head = out.splitlines()[:6]
    assert any(line.startswith("出发时间推迟到 ") and "：此前各站均未开放 / Start moved to "
               in line and line.endswith(": nothing on the walk is open before then")
               for line in head), head
