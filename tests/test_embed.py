"""Tests of redroute.export.embed: iframe snippets, the embedded GeoJSON, ``redroute embed``."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from redroute.cli import main
from redroute.export.embed import (
    EmbedError,
    embed_snippet,
    read_embedded_geojson,
)
from redroute.export.html import save_map


class Tags(HTMLParser):
    """The start tags of a snippet with their attributes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def first(self, tag: str) -> dict[str, str | None]:
        return next(a for t, a in self.tags if t == tag)


@pytest.fixture(scope="module")
def map_file(estimated_itinerary: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_map(estimated_itinerary, tmp_path_factory.mktemp("site") / "map.html",
                    tiles="none")


def test_snippet_is_a_responsive_lazy_iframe() -> None:
    snippet = embed_snippet("https://example.org/walks/map.html", title="建党之路", height=500)
    iframe = Tags(snippet).first("iframe")
    assert iframe["src"] == "https://example.org/walks/map.html"
    assert iframe["title"] == "建党之路"
    assert iframe["loading"] == "lazy"
    assert iframe["allow"] == "fullscreen; geolocation"
    assert "allowfullscreen" in iframe
    assert "aspect-ratio:16/10" in snippet and "max-height:500px" in snippet
    assert "@media (max-width:719px)" in snippet  # taller frame on phones
    assert Tags(snippet).first("a")["href"] == "https://example.org/walks/map.html"


def test_snippet_deep_links_a_stop_and_escapes() -> None:
    snippet = embed_snippet("map.html?x=1&y=2#old", title='"><script>alert(1)</script>',
                            stop=3, link=False, lang="en")
    iframe = Tags(snippet).first("iframe")
    assert iframe["src"] == "map.html?x=1&y=2#stop=3"
    assert iframe["title"] == '"><script>alert(1)</script>'
    assert "<script>" not in snippet
    assert "<a " not in snippet


@pytest.mark.parametrize(("url", "kwargs", "message"), [
    ("javascript:alert(1)", {}, "http(s) URL or a relative path"),
    ("data:text/html,hi", {}, "not data:"),
    ('map.html" onload="x', {}, "quotes"),
    ("https:///map.html", {}, "no host"),
    ("map.html", {"height": 50}, "200 to 2000"),
    ("map.html", {"stop": 0}, "stop number"),
    ("map.html", {"lang": "fr"}, "'fr'"),
])
def test_bad_snippet_options(url: str, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(EmbedError, match=re.escape(message)):
        embed_snippet(url, title="t", **kwargs)


def test_geojson_is_read_back_from_the_page(map_file: Path, estimated_itinerary: Any) -> None:
    expected = json.loads(json.dumps(estimated_itinerary.to_geojson()))
    assert read_embedded_geojson(map_file) == expected
    assert read_embedded_geojson(map_file.read_text(encoding="utf-8")) == expected


def test_pages_without_the_block_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.html"
    other.write_text("<html><body>hello</body></html>", encoding="utf-8")
    with pytest.raises(EmbedError, match="written by redroute"):
        read_embedded_geojson(other)
    with pytest.raises(EmbedError, match="does not exist"):
        read_embedded_geojson(tmp_path / "missing.html")
    broken = ('<script type="application/json" id="redroute-itinerary">{"type": '
              "</script>")
    with pytest.raises(EmbedError, match="not valid JSON"):
        read_embedded_geojson(broken)


def test_embed_command_prints_the_snippet_and_writes_geojson(
        map_file: Path, estimated_itinerary: Any) -> None:
    result = CliRunner().invoke(main, ["embed", str(map_file), "--url",
                                                "https://example.org/map.html", "--stop", "2"])
    assert result.exit_code == 0, result.output
    iframe = Tags(result.stdout).first("iframe")
    assert iframe["src"] == "https://example.org/map.html#stop=2"
    it = estimated_itinerary
    assert iframe["title"] == f"{it.title_zh} / {it.title_en}"
    assert f"wrote {map_file.with_name('route.geojson')}" in result.stderr
    written = json.loads(map_file.with_name("route.geojson").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(it.to_geojson()))


def test_embed_command_options(map_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "data" / "walk.geojson"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["embed",
        str(map_file), "--url", "map.html", "--title", "Walk <1>", "--lang", "en",
        "--height", "420", "--no-link", "--geojson", str(out)])
    assert result.exit_code == 0, result.output
    assert 'title="Walk &lt;1&gt;"' in result.stdout
    assert "max-height:420px" in result.stdout and "<a " not in result.stdout
    assert out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--url", "javascript:alert(1)"], "must be an http(s) URL"),
    (["--url", "map.html", "--stop", "99"], "--stop 99: the map has stops 1 to"),
])
def test_embed_command_errors_are_one_line(map_file: Path, args: list[str],
                                           message: str) -> None:
    result = CliRunner().invoke(main, ["embed", str(map_file), *args])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_embed_command_missing_map(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["embed", str(tmp_path / "nope.html"), "--url", "x.html"])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.output


def test_embed_command_usage_errors_exit_2(map_file: Path) -> None:
    assert CliRunner().invoke(main, ["embed", str(map_file)]).exit_code == 2  # no --url
    result = CliRunner().invoke(main, ["embed", str(map_file), "--url", "m", "--height", "5"])
    assert result.exit_code == 2


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["embed", "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "redroute embed" in result.output


def test_a_deeply_nested_block_is_one_error(tmp_path: Path) -> None:
    page = tmp_path / "map.html"
    deep = "[" * 100_000 + "]" * 100_000
    page.write_text('<script type="application/json" id="redroute-itinerary">' + deep
                    + "</script>", encoding="utf-8")
    result = CliRunner().invoke(main, ["embed", str(page), "--url", "map.html"])
    assert result.exit_code == 1
    assert "nested too deeply" in result.stderr
    assert "Traceback" not in result.stderr
