"""Process-wide defaults, as typed module globals (the osmnx way).

Change them at run time (``redroute.settings.catalogue_path = Path("my.geojson")``) or through
the environment variables named below, which are read once at import.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

#: The landmark catalogue used when none is given; ``None`` means the one shipped with
#: redroute. Environment: ``REDROUTE_CATALOGUE``.
catalogue_path: Path | None = (
    Path(os.environ["REDROUTE_CATALOGUE"]) if os.environ.get("REDROUTE_CATALOGUE") else None
)

#: Where downloaded networks and other caches go. Environment: ``REDROUTE_CACHE``.
cache_folder: Path = Path(
    os.environ.get("REDROUTE_CACHE") or platformdirs.user_cache_dir("redroute", appauthor=False)
)

#: Local time zone of every opening hour and schedule (naive datetimes are in it).
timezone: str = "Asia/Shanghai"
