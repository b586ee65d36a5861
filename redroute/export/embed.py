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

import click

from redroute._errors import EmbedError, RedrouteError

__all__ = ["EmbedError", "embed_command", "embed_snippet", "read_embedded_geojson"]

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
    if lang not in ("zh", "en", "both"):
        msg = f"embed language {lang!r} is not one of zh, en, both"
        raise EmbedError(msg)
    if stop is not None:
        if not isinstance(stop, int) or stop < 1:
            msg = f"stop {stop!r} must be a stop number (1, 2, ...)"
            raise EmbedError(msg)
        url = url.split("#", 1)[0] + f"#stop={stop}"
    src = html.escape(url, quote=True)
    name = html.escape(title.strip() or "redroute map", quote=True)
    words = {"zh": "在新窗口打开地图", "en": "Open the map in a new window",
             "both": "在新窗口打开地图 / Open the map in a new window"}[lang]
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
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        msg = f"{where}: the itinerary block is not a GeoJSON FeatureCollection"
        raise EmbedError(msg)
    return data


@click.command("embed", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("map_file", metavar="MAP.html",
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--url", required=True,
              help="Where the map page will be served (https://... or a relative path).")
@click.option("--title", help="Title of the frame (default: the map's title).")
@click.option("--height", type=click.IntRange(200, 2000), default=600, show_default=True,
              help="Maximum height of the frame in CSS pixels.")
@click.option("--stop", type=click.IntRange(min=1), help="Open the map at this stop (#stop=N).")
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="both",
              show_default=True, help="Language of the default title and the link.")
@click.option("--no-link", is_flag=True, help="Leave out the 'open in a new window' link.")
@click.option("--geojson", "geojson_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the route GeoJSON (default: route.geojson beside the map).")
def embed_command(  # noqa: PLR0917 - click passes every option positionally
        map_file: Path, url: str, title: str | None, height: int, stop: int | None, lang: str,
        no_link: bool, geojson_out: Path | None) -> None:
    """Print the HTML that embeds a map page in a website; write its route as GeoJSON.

    The snippet is a responsive <iframe> (lazy-loaded, full screen and geolocation
    allowed). The route's GeoJSON, read back from the map page, goes to route.geojson
    beside the map (or --geojson) for the website's own use. A page can link to one stop
    with MAP.html#stop=N.

    \b
    Example:
      redroute plan founding -o site/
      redroute embed site/map.html --url https://example.org/walks/map.html
      redroute embed site/map.html --url map.html --stop 3 --lang en --title "Stop 3"
    """
    from redroute._io import write_text_atomic

    try:
        data = read_embedded_geojson(map_file)
        numbers = {f["properties"].get("number") for f in data.get("features", [])
                   if f.get("properties", {}).get("kind") == "stop"}
        if stop is not None and stop not in numbers:
            msg = f"--stop {stop}: the map has stops 1 to {len(numbers)}"
            raise EmbedError(msg)
        if title is None:
            props = data.get("properties", {})
            zh, en = str(props.get("title_zh", "")), str(props.get("title_en", ""))
            title = {"zh": zh, "en": en}.get(lang, f"{zh} / {en}" if zh and en else zh or en)
        snippet = embed_snippet(url, title=title, height=height, stop=stop, link=not no_link,
                                lang=lang)
        target = geojson_out or map_file.with_name("route.geojson")
        write_text_atomic(target, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    except RedrouteError as err:
        raise click.ClickException(str(err)) from None
    click.echo(snippet, nl=False)
    click.echo(f"wrote {target}", err=True)
