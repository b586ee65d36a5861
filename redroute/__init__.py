"""redroute: plan walking tours of Shanghai's red-heritage sites.

The names a library user needs are re-exported here; see the README for examples.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from redroute._errors import (
    CatalogueError,
    CoordinateError,
    HoursError,
    ImportDataError,
    NotFoundError,
    RedrouteError,
    RedrouteWarning,
)
from redroute.catalogue import Catalogue, Landmark, load_catalogue
from redroute.coords import convert
from redroute.csv_import import import_sites_csv
from redroute.hours import Window, visiting_windows

try:
    __version__ = version("redroute")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "Catalogue",
    "CatalogueError",
    "CoordinateError",
    "HoursError",
    "ImportDataError",
    "Landmark",
    "NotFoundError",
    "RedrouteError",
    "RedrouteWarning",
    "Window",
    "__version__",
    "convert",
    "import_sites_csv",
    "load_catalogue",
    "visiting_windows",
]
