"""Embedding a map page in a website: a responsive ``<iframe>`` snippet and the route data.

A page written by :func:`redroute.export.html.save_map` carries its itinerary's GeoJSON in
a ``<script type="application/json" id="redroute-itinerary">`` block;
:func:`read_embedded_geojson` recovers it, and ``redroute embed`` writes it beside the map
as ``route.geojson`` for the website's own use. The page honours ``#stop=N`` (open that
stop's popup and centre it), so a site can link to one stop: ``embed_snippet(url, stop=3)``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from redroute._errors import EmbedError
from redroute.wording import check_lang, pick

__all__ = ["EmbedError", "embed_snippet", "read_embedded_geojson"]

_BLOCK = re.compile(r'<script type="application/json" id="redroute-itinerary">(.*?)</script>',
                    re.DOTALL)



def _check_url(url: str) -> str:
    text = url.strip()
    if not text or any(ord(c) < 0x20 or c in ' "<>`' for c in text):
        msg = f"map URL {url!r} is empty or contains spaces, quotes or control characters"
        raise EmbedError(msg)
    parts = urlsplit(text)
    if parts.scheme not in ("", "http", "https"):
        msg = f"map URL {url!r} must be an http(s) URL or a relative path, not {parts.scheme}:"
        raise EmbedError(msg)
    if parts.scheme and not parts.netloc:
        msg = f"map URL {url!r} has no host"
        raise EmbedError(msg)
    return text


def embed_snippet(
    map_url: str,
    *,
    title: str,
    height: int = 600,
    stop: int | None = None,
    link: bool = True,
    lang: str = "both",
) -> str:
    """The HTML to paste into a web page to show a map page in a responsive frame.

    The frame keeps a 16:10 shape on wide screens (3:4 on phones), at most ``height``
    CSS pixels tall; it loads lazily, has a ``title`` for screen readers and may go full
    screen and ask for the visitor's position (the map's "locate me" button).

    Parameters
    ----------
    map_url
        Where the map page is served (``https://...`` or a path relative to the page).
    title
        The frame's accessible title (plain text; it is escaped here).
    height
        Maximum height in CSS pixels on wide screens, 200-2000.
    stop
        Open the map at this stop (``#stop=N``).
    link
        Add a link that opens the map on its own, handy on phones.
    lang
        ``zh``, ``en`` or ``both``: the language of that link.
    """
    url = _check_url(map_url)
    if not isinstance(height, int) or not 200 <= height <= 2000:
        msg = f"embed height {height!r} must be a whole number of pixels from 200 to 2000"
        raise EmbedError(msg)
    check_lang(lang, what="embed language", error=EmbedError)
    if stop is not None:
        if not isinstance(stop, int) or stop < 1:
            msg = f"stop {stop!r} must be a stop number (1, 2, ...)"
            raise EmbedError(msg)
        url = url.split("#", 1)[0] + f"#stop={stop}"
    src = html.escape(url, quote=True)
    name = html.escape(title.strip() or "redroute map", quote=True)
    words = pick("在新窗口打开地图", "Open the map in a new window", lang)
    parts = [
        "<style>.redroute-embed{position:relative;width:100%;aspect-ratio:16/10;"
        f"max-height:{height}px;min-height:360px}}"
        ".redroute-embed iframe{position:absolute;inset:0;width:100%;height:100%;border:0}"
        "@media (max-width:719px){.redroute-embed{aspect-ratio:3/4;max-height:85vh}}</style>",
        '<div class="redroute-embed">',
        f'  <iframe src="{src}" title="{name}" loading="lazy" '
        'allow="fullscreen; geolocation" allowfullscreen '
        'referrerpolicy="strict-origin-when-cross-origin"></iframe>',
        "</div>",
    ]
    if link:
        parts.append(f'<p class="redroute-embed-link"><a href="{src}" target="_blank" '
                     f'rel="noopener">{html.escape(words)}</a></p>')
    return "\n".join(parts) + "\n"


def read_embedded_geojson(page: str | Path) -> dict[str, Any]:
    """The itinerary GeoJSON embedded in a map page (its text, or the path of the file)."""
    if isinstance(page, Path):
        try:
            text = page.read_text(encoding="utf-8")
        except FileNotFoundError:
            msg = f"map page {str(page)!r} does not exist"
            raise EmbedError(msg) from None
        except (OSError, UnicodeDecodeError) as err:
            msg = f"cannot read map page {str(page)!r}: {err}"
            raise EmbedError(msg) from err
        where = str(page)
    else:
        text, where = page, "the map page"
    match = _BLOCK.search(text)
    if match is None:
        msg = (f"{where} has no redroute itinerary block (<script id=\"redroute-itinerary\">); "
               "was it written by redroute?")
        raise EmbedError(msg)
    try:
        data = json.loads(match.group(1))
    except json.JSONDecodeError as err:
        msg = f"{where}: the itinerary block is not valid JSON: {err.msg}"
        raise EmbedError(msg) from None
    except RecursionError:
        msg = f"{where}: the itinerary block is nested too deeply to be a route"
        raise EmbedError(msg) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        msg = f"{where}: the itinerary block is not a GeoJSON FeatureCollection"
        raise EmbedError(msg)
    return data
