"""Process-wide settings: the config file, the environment, and which one wins."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import platformdirs
import pytest

from redroute import settings

ENV = ("REDROUTE_CONFIG", "REDROUTE_CATALOGUE", "REDROUTE_CACHE", "REDROUTE_OSM",
       "REDROUTE_NETWORK")

Loader = Callable[..., ModuleType]


@pytest.fixture
def load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Loader]:
    """Re-read the settings as a fresh import would, from a config text and variables.

    ``load(text, NAME=value, ...)`` writes ``text`` (unless ``None``) to a config file that
    ``REDROUTE_CONFIG`` names, sets the variables and reloads :mod:`redroute.settings`.
    Afterwards the module's globals are put back, so other tests see the settings they saw.
    """
    saved = dict(vars(settings))
    for name in ENV:
        monkeypatch.delenv(name, raising=False)

    def reload(text: str | None = None, **env: str) -> ModuleType:
        path = tmp_path / "config.toml"
        if text is not None:
            path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("REDROUTE_CONFIG", str(path))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(settings)

    yield reload
    for name in set(vars(settings)) - set(saved):
        delattr(settings, name)
    vars(settings).update(saved)


CONFIG = """\
osm_extract = "/data/osm/shanghai.osm.pbf"
network = "estimate"
cache_folder = "/var/cache/redroute-test"
detour_factor = 1.5
"""


# --------------------------------------------------------------------------- the file


def test_config_file_honours_redroute_config(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setenv("REDROUTE_CONFIG", str(tmp_path / "my.toml"))
    assert settings.config_file() == tmp_path / "my.toml"


@pytest.mark.parametrize("value", [None, ""])
def test_default_config_file_is_in_the_user_config_folder(monkeypatch: pytest.MonkeyPatch,
                                                          value: str | None) -> None:
    """Unset or empty, ``REDROUTE_CONFIG`` means ``<user config dir>/redroute/config.toml``."""
    if value is None:
        monkeypatch.delenv("REDROUTE_CONFIG", raising=False)
    else:
        monkeypatch.setenv("REDROUTE_CONFIG", value)
    expected = Path(platformdirs.user_config_dir("redroute")) / "config.toml"
    assert settings.config_file() == expected


# --------------------------------------------------------------------------- values


def test_without_a_config_file_the_defaults_hold(load: Loader) -> None:
    s = load(None)
    assert not settings.config_file().exists()
    assert s.osm_extract is None
    assert s.configured_extract() is None
    assert s.network == "auto"
    assert s.detour_factor == 1.3
    assert s.cache_folder == Path(platformdirs.user_cache_dir("redroute", appauthor=False))
    assert s.catalogue_path is None
    assert s.config_problem() is None


def test_config_file_sets_the_settings(load: Loader) -> None:
    s = load(CONFIG)
    assert s.osm_extract == Path("/data/osm/shanghai.osm.pbf")
    assert s.configured_extract() == s.osm_extract
    assert s.network == "estimate"
    assert s.cache_folder == Path("/var/cache/redroute-test")
    assert isinstance(s.cache_folder, Path)
    assert s.detour_factor == 1.5
    assert isinstance(s.detour_factor, float)
    assert s.config_problem() is None


def test_an_integer_detour_factor_is_a_float(load: Loader) -> None:
    s = load("detour_factor = 2\n")
    assert s.detour_factor == 2.0
    assert isinstance(s.detour_factor, float)


def test_environment_wins_over_the_file(load: Loader, tmp_path: Path) -> None:
    s = load(CONFIG, REDROUTE_OSM=str(tmp_path / "env.osm"), REDROUTE_NETWORK="download",
             REDROUTE_CACHE=str(tmp_path / "cache"),
             REDROUTE_CATALOGUE=str(tmp_path / "sites.geojson"))
    assert s.osm_extract == tmp_path / "env.osm"
    assert s.network == "download"
    assert s.cache_folder == tmp_path / "cache"
    assert s.catalogue_path == tmp_path / "sites.geojson"
    assert s.detour_factor == 1.5  # no variable for it: the file still counts


def test_empty_variables_do_not_hide_the_file(load: Loader) -> None:
    s = load(CONFIG, REDROUTE_OSM="", REDROUTE_NETWORK="", REDROUTE_CACHE="")
    assert s.osm_extract == Path("/data/osm/shanghai.osm.pbf")
    assert s.network == "estimate"
    assert s.cache_folder == Path("/var/cache/redroute-test")


def test_environment_alone(load: Loader, tmp_path: Path) -> None:
    s = load(None, REDROUTE_OSM=str(tmp_path / "env.osm"), REDROUTE_NETWORK="estimate")
    assert s.osm_extract == tmp_path / "env.osm"
    assert s.network == "estimate"


# --------------------------------------------------------------------------- problems


def test_broken_toml_is_reported_not_raised(load: Loader) -> None:
    """A file that is not TOML leaves the defaults and one line that names the file."""
    s = load('osm_extract = "/data/osm/shanghai.osm.pbf"\nnetwork = \n')
    problem = s.config_problem()
    assert problem is not None
    assert str(settings.config_file()) in problem
    assert "\n" not in problem
    assert "line 2" in problem  # where in the file, from tomllib
    assert s.osm_extract is None
    assert s.network == "auto"


def test_unreadable_config_is_reported(load: Loader, tmp_path: Path) -> None:
    (tmp_path / "config.toml").mkdir()
    s = load(None)
    problem = s.config_problem()
    assert problem is not None
    assert str(tmp_path / "config.toml") in problem
    assert "\n" not in problem


def test_broken_config_does_not_stop_import(tmp_path: Path) -> None:
    """In a fresh interpreter, ``import redroute`` works and the problem is one line."""
    config = tmp_path / "config.toml"
    config.write_text("[network\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    env["REDROUTE_CONFIG"] = str(config)
    code = ("import redroute\nfrom redroute import settings\n"
            "print(settings.config_problem())\nprint(settings.network)")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    problem, network = done.stdout.splitlines()
    assert problem.startswith(f"config file {config}: ")
    assert network == "auto"


def test_wrong_value_type_is_reported_not_raised(load: Loader) -> None:
    """A value of the wrong type is reported and ignored; the other keys still apply."""
    s = load('detour_factor = "fast"\ncache_folder = 5\nnetwork = "estimate"\ncolour = 1\n')
    problem = s.config_problem()
    assert problem is not None
    assert "detour_factor = 'fast'" in problem and "cache_folder = 5" in problem
    assert "unknown key 'colour'" in problem
    assert s.detour_factor == 1.3
    assert s.network == "estimate"
