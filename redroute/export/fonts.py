"""The Simplified Chinese font every output uses: Noto Sans CJK SC (SIL OFL 1.1).

It comes from the ``noto-cjk-sans-otc`` package on PyPI, so no system font is assumed.
HTML pages embed a WOFF2 subset holding just the characters they use
(:func:`subset_woff2`); typst reads the collection file directly (:func:`cjk_font_path`).
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

__all__ = ["FAMILY", "cjk_font_path", "font_licence", "subset_woff2"]

#: The family name of the Simplified Chinese face inside the collection.
FAMILY = "Noto Sans CJK SC"


def cjk_font_path() -> Path:
    """The OpenType collection (``.ttc``) holding Noto Sans CJK, Regular weight."""
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def font_licence() -> str:
    """The font's licence text, to ship beside an output that embeds it."""
    from importlib import metadata

    dist = metadata.distribution("noto-cjk-sans-otc")
    for f in dist.files or []:
        if f.name.upper().startswith("LICENSE"):
            return f.read_text(encoding="utf-8")
    return "SIL Open Font License 1.1 (Noto Sans CJK, © Google and Adobe)"


@lru_cache(maxsize=1)
def _sc_index() -> int:
    from fontTools.ttLib import TTCollection

    with TTCollection(str(cjk_font_path()), lazy=True) as collection:
        for i, font in enumerate(collection.fonts):
            if font["name"].getDebugName(1) == FAMILY:
                return i
    return 0


def subset_woff2(text: str) -> bytes:
    """A WOFF2 font with the glyphs of ``text`` (plus ASCII), from Noto Sans CJK SC."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = {ord(c) for c in text if not c.isspace()} | set(range(0x20, 0x7F))
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    out = io.BytesIO()
    with TTFont(str(cjk_font_path()), fontNumber=_sc_index(), lazy=False) as font:
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes=chars)
        subsetter.subset(font)
        font.flavor = "woff2"
        font.save(out)
    return out.getvalue()
