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


# --------------------------------------------------------------------------- header hygiene


def test_a_column_given_twice_in_chinese_and_english_is_an_error(tmp_path: Path) -> None:
    """``name_zh`` and ``名称`` are the same property: which one wins must not be a guess."""
    header = HEADER.replace("name_zh,", "name_zh,名称,", 1)
    row = ROW.replace("中共一大会址,", "中共一大会址,一大会址,", 1)
    with pytest.raises(ImportDataError) as info:
        import_sites_csv(write(tmp_path, header + row), crs="gcj02")
    assert info.value.problems == [f'{tmp_path / "sites.csv"}: columns "name_zh" (column 1) '
                                   'and "名称" (column 2) both give name_zh; keep one of them']


def test_the_same_header_twice_is_an_error(tmp_path: Path) -> None:
    header = HEADER.replace("\n", ",visit_minutes\n")
    with pytest.raises(ImportDataError, match=r'columns "visit_minutes" \(column 15\) and '
                                              r'"visit_minutes" \(column 16\) both give'):
        import_sites_csv(write(tmp_path, header + ROW.replace("\n", ",90\n")), crs="gcj02")


def test_a_misspelt_column_suggests_the_right_one(tmp_path: Path) -> None:
    """A misspelt ``opening_hour`` would leave every site's hours unknown without a word."""
    header = HEADER.replace("opening_hours", "opening_hour")
    with pytest.raises(ImportDataError, match=r'unknown column "opening_hour" \(column 11\); '
                                              r'did you mean "opening_hours"\?'):
        import_sites_csv(write(tmp_path, header + ROW), crs="gcj02")


def test_a_misspelt_chinese_column_suggests_the_right_one(tmp_path: Path) -> None:
    header = HEADER.replace("opening_hours", "开放时段")
    with pytest.raises(ImportDataError, match='did you mean "开放时间"'):
        import_sites_csv(write(tmp_path, header + ROW), crs="gcj02")


def test_unknown_columns_can_be_left_out_with_a_warning(tmp_path: Path) -> None:
    from redroute._errors import CatalogueWarning

    header = HEADER.replace("\n", ",备注\n")
    with pytest.warns(CatalogueWarning, match=r'column "备注" \(column 16\) is not a catalogue '
                                              "property and is left out"):
        data = import_sites_csv(write(tmp_path, header + ROW.replace("\n", ",内部备注\n")),
                                crs="gcj02", ignore_unknown_columns=True)
    assert "备注" not in json.dumps(data, ensure_ascii=False)


def test_headers_are_compared_loosely(tmp_path: Path) -> None:
    """Case, outer blanks, full-width letters, hyphens and a stray BOM or zero-width space
    in a header do not make it unknown."""
    header = ("\ufeffName_ZH, name-en ,ａｄｄｒｅｓｓ_ｚｈ,District,category,\u200bthemes,"
              "summary_zh,summary_en,lon,lat,opening_hours,booking,booking_note_zh,"
              "booking_note_en,visit_minutes\n")
    data = import_sites_csv(write(tmp_path, header + ROW), crs="gcj02")
    assert data["features"][0]["properties"]["name_zh"] == "中共一大会址"


def test_a_column_without_a_header_holding_data_is_an_error(tmp_path: Path) -> None:
    header = HEADER.replace("\n", ",\n")
    empty = ROW.replace("\n", ",\n")
    assert import_sites_csv(write(tmp_path, header + empty), crs="gcj02")["features"]
    with pytest.raises(ImportDataError, match=r'row 2: column 16 has no header but holds "x"'):
        import_sites_csv(write(tmp_path, header + ROW.replace("\n", ",x\n")), crs="gcj02")


def test_extra_cells_beyond_the_header_are_an_error(tmp_path: Path) -> None:
    """Cells past the last header were dropped without a word."""
    with pytest.raises(ImportDataError, match=r"row 2: 17 cells but the header names 15 "
                                              r'columns \(extra: "Mo-Su 10:00-16:00"\)'):
        import_sites_csv(write(tmp_path, HEADER + ROW.replace("\n", ",Mo-Su 10:00-16:00,\n")),
                         crs="gcj02")
    trailing = import_sites_csv(write(tmp_path, HEADER + ROW.replace("\n", ",,\n")),
                                crs="gcj02")
    assert len(trailing["features"]) == 1


# --------------------------------------------------------------------------- cell hygiene


def test_escape_sequence_in_a_cell_names_row_and_field(tmp_path: Path) -> None:
    bad = ROW.replace("Site of the 1st CPC Congress", "\x1b[2JSite")
    with pytest.raises(ImportDataError) as info:
        import_sites_csv(write(tmp_path, HEADER + bad), crs="gcj02")
    (msg,) = info.value.problems
    assert msg.endswith("row 2 (2jsite): name_en contains the control character ESC (U+001B) "
                        "at character 1")


def test_a_name_of_zero_width_spaces_is_an_error(tmp_path: Path) -> None:
    bad = ROW.replace("中共一大会址", "\u200b\u200b")
    with pytest.raises(ImportDataError, match=r"row 2 \(.*\): name_zh is blank: only ZERO "
                                              r"WIDTH SPACE \(U\+200B\)"):
        import_sites_csv(write(tmp_path, HEADER + bad), crs="gcj02")


def test_a_byte_order_mark_inside_a_cell_is_an_error(tmp_path: Path) -> None:
    """A BOM left by pasting from another file, in the middle of the sheet."""
    bad = ROW.replace("黄浦区兴业路76号", "\ufeff黄浦区兴业路76号")
    with pytest.raises(ImportDataError, match=r"address_zh contains a byte order mark"):
        import_sites_csv(write(tmp_path, HEADER + bad), crs="gcj02")


def test_line_breaks_in_a_summary_cell_become_paragraphs(tmp_path: Path) -> None:
    """Excel's multi-line cells: CRLF or CR become LF in prose, and a name with one is
    refused."""
    good = ROW.replace("The first congress met here.", '"The first congress\r\nmet here."')
    data = import_sites_csv(write(tmp_path, HEADER + good), crs="gcj02")
    assert data["features"][0]["properties"]["summary_en"] == "The first congress\nmet here."
    bad = ROW.replace("Site of the 1st CPC Congress", '"Site of the\n1st CPC Congress"')
    with pytest.raises(ImportDataError, match="name_en contains the control character LINE "
                                              "FEED"):
        import_sites_csv(write(tmp_path, HEADER + bad), crs="gcj02")


def test_doubled_quotes_after_the_first_lines_are_read(tmp_path: Path) -> None:
    """The sniffer guessed doublequote=False when no ``""`` was in the first 4 KB, and then
    misread every later quoted cell with a quote in it (here as a shifted column)."""
    rows = [ROW.replace("中共一大会址", f"会址{i}").replace("Site of the", f"Site {i} of the")
            for i in range(40)]
    rows.append(ROW.replace("The first congress met here.",
                            '"The exhibition ""A Great Beginning"", with 600 objects."'))
    data = import_sites_csv(write(tmp_path, HEADER + "".join(rows)), crs="gcj02")
    last = data["features"][-1]["properties"]
    assert last["summary_en"] == 'The exhibition "A Great Beginning", with 600 objects.'


# --------------------------------------------------------------------------- streaming


def test_geojson_chunks_are_the_dumped_collection(tmp_path: Path) -> None:
    from redroute.csv_import import geojson_chunks, iter_sites_csv

    path = write(tmp_path, HEADER + ROW + ROW.replace("中共一大会址", "一大"))
    data = import_sites_csv(path, crs="gcj02")
    text = "".join(geojson_chunks(iter_sites_csv(path, crs="gcj02")))
    assert text == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert "".join(geojson_chunks([])) == json.dumps(
        {"type": "FeatureCollection", "features": []}, ensure_ascii=False, indent=2) + "\n"


def test_a_bad_row_late_in_the_file_fails_the_whole_import(tmp_path: Path) -> None:
    from redroute.csv_import import iter_sites_csv

    rows = [ROW.replace("中共一大会址", f"会址{i}") for i in range(5)] + [
        ROW.replace(",60\n", ",an hour\n")]
    got = []
    with pytest.raises(ImportDataError, match=r"row 7 \(visit_minutes\)"):
        got.extend(iter_sites_csv(write(tmp_path, HEADER + "".join(rows)), crs="gcj02"))
    assert len(got) == 5  # yielded as read: the caller discards them


def test_many_sites_of_one_name_get_numbered_ids(tmp_path: Path) -> None:
    data = import_sites_csv(write(tmp_path, HEADER + ROW * 300), crs="gcj02")
    ids = [f["properties"]["id"] for f in data["features"]]
    assert ids[:3] == ["site-of-the-1st-cpc-congress", "site-of-the-1st-cpc-congress-2",
                       "site-of-the-1st-cpc-congress-3"]
    assert ids[-1] == "site-of-the-1st-cpc-congress-300"
    assert len(set(ids)) == 300
