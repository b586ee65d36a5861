"""Process-wide defaults, as typed module globals (the osmnx way).

Change them at run time (``redroute.settings.detour_factor = 1.4``) or through the
environment variables named below, read once at import. A few can also come from the
config file ``config.toml`` in the platform's user config folder (see :func:`config_file`):

.. code-block:: toml

    osm_extract = "/data/osm/shanghai.osm.pbf"   # offline walking network
    network = "auto"                             # auto | download | estimate | PATH
    cache_folder = "/var/cache/redroute"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs


def config_file() -> Path:
    """The config file: ``$REDROUTE_CONFIG``, else ``<user config dir>/redroute/config.toml``."""
    env = os.environ.get("REDROUTE_CONFIG")
    return Path(env) if env else Path(platformdirs.user_config_dir("redroute")) / "config.toml"


#: The config file's keys and the types their values must have.
_CONFIG_TYPES: dict[str, tuple[type, ...]] = {
    "osm_extract": (str,), "network": (str,), "cache_folder": (str,),
    "detour_factor": (int, float),
}


def _config() -> dict[str, Any]:
    path = config_file()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as err:
        # settings must import even with a broken config; the CLI reports it when used.
        return {"_error": f"config file {path}: {err}"}
    problems = []
    for key, value in list(data.items()):
        types = _CONFIG_TYPES.get(key)
        if types is None:
            problems.append(f"unknown key {key!r} (known: {', '.join(_CONFIG_TYPES)})")
        elif (not isinstance(value, types) or isinstance(value, bool) or (
                isinstance(value, int | float) and not 1.0 <= value <= 3.0)):
            problems.append(f"{key} = {value!r} is not "
                            + ("a number from 1 to 3" if key == "detour_factor" else "a text"))
            del data[key]
    if problems:
        data["_error"] = f"config file {path}: " + "; ".join(problems)
    return data


_CONF = _config()

#: The landmark catalogue used when none is given; ``None`` means the one shipped with
#: redroute. Environment: ``REDROUTE_CATALOGUE``.
catalogue_path: Path | None = (
    Path(os.environ["REDROUTE_CATALOGUE"]) if os.environ.get("REDROUTE_CATALOGUE") else None
)

#: Where downloaded networks and other caches go. Environment: ``REDROUTE_CACHE``; config:
#: ``cache_folder``.
cache_folder: Path = Path(
    os.environ.get("REDROUTE_CACHE")
    or _CONF.get("cache_folder")
    or platformdirs.user_cache_dir("redroute", appauthor=False)
)

#: The OSM extract used offline. Environment: ``REDROUTE_OSM``; config: ``osm_extract``.
osm_extract: Path | None = (
    Path(str(os.environ.get("REDROUTE_OSM") or _CONF["osm_extract"]))
    if os.environ.get("REDROUTE_OSM") or _CONF.get("osm_extract") else None
)

#: Network source policy: ``auto``, ``download``, ``estimate`` or an extract path.
#: Environment: ``REDROUTE_NETWORK``; config: ``network``.
network: str = str(os.environ.get("REDROUTE_NETWORK") or _CONF.get("network") or "auto")

#: Walking distance / great-circle distance in estimate mode.
detour_factor: float = float(_CONF.get("detour_factor", 1.3))

#: Metres added around the stops' bounding box to make a plan's area.
buffer_m: float = 800.0

#: Local graphs (extract, cache) are clipped this many metres beyond a plan's area, so that
#: streets joined just outside it stay joined.
connect_margin_m: float = 1000.0

#: A landmark farther than this from any walkable street gets an estimated connector.
snap_threshold_m: float = 300.0

#: Seconds to wait for the map service to answer a connection before giving up on it.
online_check_timeout_s: float = 3.0

#: Seconds osmnx waits for an Overpass response.
download_timeout_s: float = 60.0

#: Largest area a download may cover, in square kilometres.
max_download_km2: float = 400.0

#: Local time zone of every opening hour and schedule (naive datetimes are in it).
timezone: str = "Asia/Shanghai"

#: Walking speeds in km/h by pace profile.
PACES: dict[str, float] = {"standard": 4.5, "senior": 3.5, "family": 3.0}

#: Default cap on a day's walking in km by pace profile, when a request gives none
#: (``max_walk_km``); a pace given in km/h gets the standard cap.
MAX_WALK_KM: dict[str, float] = {"standard": 12.0, "senior": 6.0, "family": 5.0}

#: A plan that walks more than this many km gets a warning (a long day for anyone).
LONG_WALK_KM: float = 15.0


def configured_extract() -> Path | None:
    """The extract ``auto`` should try: ``osm_extract`` if set."""
    return osm_extract


def config_problem() -> str | None:
    """Why the config file could not be read, or ``None``."""
    err = _CONF.get("_error")
    return str(err) if err else None
