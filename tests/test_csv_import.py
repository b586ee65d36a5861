"""A culture bureau's CSV list of sites -> a validated catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redroute import coords
from redroute._errors import ImportDataError
from redroute.catalogue import parse_catalogue
from redroute.csv_import import import_sites_csv

HEADER = ("name_zh,name_en,address_zh,district,category,themes,summary_zh,summary_en,"
          "lon,lat,opening_hours,booking,booking_note_zh,booking_note_en,visit_minutes\n")
# The 1st Congress site as AMap (GCJ-02) shows it.
GCJ = coords.wgs84_to_gcj02(121.470552, 31.222068)
ROW = (f"中共一大会址,Site of the 1st CPC Congress,黄浦区兴业路76号,黄浦区,党代会会址,"
       f"建党伟业;红色出版,中共一大在此召开。,The first congress met here.,"
       f"{GCJ[0]:.6f},{GCJ[1]:.6f},Tu-Su 09:00-17:00; Mo off,须预约,请预约。,Book ahead.,60\n")


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "sites.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_gcj02_positions_are_converted_to_wgs84(tmp_path: Path) -> None:
    data = import_sites_csv(write(tmp_path, HEADER + ROW), crs="gcj02")
    (feature,) = data["features"]
    lon, lat = feature["geometry"]["coordinates"]
    assert coords.haversine_m(lon, lat, 121.470552, 31.222068) < 0.2
    props = feature["properties"]
    assert props["district"] == "huangpu"
    assert props["category"] == "congress-site"
    assert props["themes"] == ["founding", "publishing"]
    assert props["booking"] == "required"
    assert props["id"] == "site-of-the-1st-cpc-congress"
    assert "GCJ-02" in props["coord_source"] and "converted" in props["coord_source"]
    parse_catalogue(json.dumps(data), source="imported")  # a valid catalogue


def test_bd09_and_chinese_headers_and_gb18030(tmp_path: Path) -> None:
    bd = coords.wgs84_to_bd09(121.470552, 31.222068)
    text = ("名称,英文名,地址,区,类别,主题,简介,英文简介,坐标\n"
            f'一大会址,First Congress Site,兴业路76号,黄浦,congress-site,founding,简介。,Summary.,'
            f'"{bd[0]:.6f},{bd[1]:.6f}"\n')
    data = import_sites_csv(write(tmp_path, text, "gb18030"), crs="bd09")
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert coords.haversine_m(lon, lat, 121.470552, 31.222068) < 0.2
    assert data["features"][0]["properties"]["visit_minutes"] == 30


def test_excel_bom_is_accepted(tmp_path: Path) -> None:
    data = import_sites_csv(write(tmp_path, "\ufeff" + HEADER + ROW), crs="gcj02")
    assert len(data["features"]) == 1


def test_ids_are_unique(tmp_path: Path) -> None:
    data = import_sites_csv(write(tmp_path, HEADER + ROW + ROW), crs="gcj02")
    ids = [f["properties"]["id"] for f in data["features"]]
    assert ids == ["site-of-the-1st-cpc-congress", "site-of-the-1st-cpc-congress-2"]


def test_bad_number_names_row_and_column(tmp_path: Path) -> None:
    bad = ROW.replace(f"{GCJ[0]:.6f}", "121.47E")
    msg = r'sites.csv row 2 \(lon\): "121.47E" is not a number'
    with pytest.raises(ImportDataError, match=msg):
        import_sites_csv(write(tmp_path, HEADER + bad), crs="gcj02")


def test_swapped_coordinates(tmp_path: Path) -> None:
    bad = ROW.replace(f"{GCJ[0]:.6f},{GCJ[1]:.6f}", f"{GCJ[1]:.6f},{GCJ[0]:.6f}")
    with pytest.raises(ImportDataError, match=r"row 2.*lat/lon swapped"):
        import_sites_csv(write(tmp_path, HEADER + bad), crs="gcj02")


def test_unknown_district_lists_the_vocabulary(tmp_path: Path) -> None:
    bad = ROW.replace(",黄浦区,", ",浦西区,")
    with pytest.raises(ImportDataError, match=r'row 2 \(district\): "浦西区" is not in the '
                                              r"vocabulary; expected one of: huangpu \(黄浦区\)"):
        import_sites_csv(write(tmp_path, HEADER + bad), crs="gcj02")


def test_invalid_hours_name_the_row(tmp_path: Path) -> None:
    bad = ROW.replace("Tu-Su 09:00-17:00; Mo off", "9点到5点")
    with pytest.raises(ImportDataError, match=r'row 2 \(site-of-the-1st-cpc-congress\): '
                                              r'opening_hours "9点到5点"'):
        import_sites_csv(write(tmp_path, HEADER + bad), crs="gcj02")


def test_all_problems_are_collected(tmp_path: Path) -> None:
    bad1 = ROW.replace(",黄浦区,", ",浦西区,")
    bad2 = ROW.replace(",60\n", ",an hour\n")
    with pytest.raises(ImportDataError) as info:
        import_sites_csv(write(tmp_path, HEADER + bad1 + bad2), crs="gcj02")
    assert len(info.value.problems) == 2
    assert "row 3 (visit_minutes)" in info.value.problems[1]


def test_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(ImportDataError, match=r"missing columns name_en, .*lon and lat"):
        import_sites_csv(write(tmp_path, "name_zh\n一大会址\n"), crs="wgs84")


def test_empty_file_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportDataError, match="empty"):
        import_sites_csv(write(tmp_path, ""), crs="wgs84")
    with pytest.raises(ImportDataError, match="does not exist"):
        import_sites_csv(tmp_path / "none.csv", crs="wgs84")


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(ImportDataError, match="no data rows"):
        import_sites_csv(write(tmp_path, HEADER), crs="gcj02")


def test_unknown_crs(tmp_path: Path) -> None:
    with pytest.raises(ImportDataError, match="unknown datum 'cgcs2000'"):
        import_sites_csv(write(tmp_path, HEADER + ROW), crs="cgcs2000")
