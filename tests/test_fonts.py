"""The CJK font from PyPI and its WOFF2 subsets."""

from __future__ import annotations

import gc
import io
import warnings

from fontTools.ttLib import TTFont

from redroute.export import fonts


def test_font_is_found_without_system_fonts() -> None:
    path = fonts.cjk_font_path()
    assert path.is_file()
    assert path.suffix == ".ttc"
    assert "Open Font License" in fonts.font_licence()


def test_subset_holds_just_the_characters_used() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no unclosed font file (ResourceWarning)
        data = fonts.subset_woff2("中共一大会址 渔阳里")
        gc.collect()
    assert data[:4] == b"wOF2"
    with TTFont(io.BytesIO(data)) as font:
        cmap = font.getBestCmap()
        assert all(ord(c) in cmap for c in "中共一大会址渔阳里")
        assert ord("龙") not in cmap
        assert ord("A") in cmap
        assert font["name"].getDebugName(1) == fonts.FAMILY
