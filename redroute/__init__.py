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
from redroute.itinerary import Itinerary, load_itinerary
from redroute.plan import Plan, make_plan, plan_itinerary
from redroute.routes import Route, load_routes

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
    "Itinerary",
    "Landmark",
    "NotFoundError",
    "Plan",
    "RedrouteError",
    "RedrouteWarning",
    "Route",
    "Window",
    "__version__",
    "convert",
    "import_sites_csv",
    "load_catalogue",
    "load_itinerary",
    "load_routes",
    "make_plan",
    "plan_itinerary",
    "visiting_windows",
]
