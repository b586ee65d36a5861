"""redroute: plan walking tours of Shanghai's red-heritage sites.

The names a library user needs are re-exported here; see the README for examples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from redroute._errors import (
    CatalogueError,
    CatalogueWarning,
    CoordinateError,
    EmbedError,
    GpxError,
    HoursError,
    ImportDataError,
    InfeasibleRequestError,
    ItineraryError,
    LeafletError,
    LongWalkWarning,
    MapError,
    NetworkError,
    NetworkWarning,
    NotFoundError,
    OutputError,
    PlanError,
    ProblemError,
    PublishError,
    RedrouteError,
    RedrouteWarning,
    RouteError,
)
from redroute._version import __version__
from redroute.catalogue import Catalogue, Landmark, load_catalogue
from redroute.coords import convert
from redroute.csv_import import import_sites_csv
from redroute.hours import Window, visiting_windows
from redroute.itinerary import Itinerary, load_itinerary
from redroute.plan import Plan, make_plan, plan_itinerary
from redroute.request import PlanRequest
from redroute.routes import Route, load_routes
from redroute.trip import Trip, plan_trip

if TYPE_CHECKING:
    from redroute._sources import walk_network


def __getattr__(name: str) -> Any:
    # walk_network pulls in numpy: importing it on first use keeps ``import redroute`` (and
    # so ``redroute --help``) fast.
    if name == "walk_network":
        from redroute._sources import walk_network

        return walk_network
    msg = f"module 'redroute' has no attribute {name!r}"
    raise AttributeError(msg)



__all__ = [
    "Catalogue",
    "CatalogueError",
    "CatalogueWarning",
    "CoordinateError",
    "EmbedError",
    "GpxError",
    "HoursError",
    "ImportDataError",
    "InfeasibleRequestError",
    "Itinerary",
    "ItineraryError",
    "Landmark",
    "LeafletError",
    "LongWalkWarning",
    "MapError",
    "NetworkError",
    "NetworkWarning",
    "NotFoundError",
    "OutputError",
    "Plan",
    "PlanError",
    "PlanRequest",
    "ProblemError",
    "PublishError",
    "RedrouteError",
    "RedrouteWarning",
    "Route",
    "RouteError",
    "Trip",
    "Window",
    "__version__",
    "convert",
    "import_sites_csv",
    "load_catalogue",
    "load_itinerary",
    "load_routes",
    "make_plan",
    "plan_itinerary",
    "plan_trip",
    "visiting_windows",
    "walk_network",
]
