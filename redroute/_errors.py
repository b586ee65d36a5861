"""Exceptions and warnings raised by redroute.

Every error subclasses :class:`RedrouteError` and the built-in exception that fits, so
callers can catch either. The CLI turns a ``RedrouteError`` into one ``Error: ...`` line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


class RedrouteError(Exception):
    """Base class of every error redroute raises on purpose.

    ``problems`` holds one line per problem when there are several (a catalogue with many
    bad features); the message then names the first and counts the rest.
    """

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) if problems else [message]


class CatalogueError(RedrouteError, ValueError):
    """A landmark catalogue cannot be read or does not validate."""


class CoordinateError(RedrouteError, ValueError):
    """A coordinate is malformed, outside its valid range or in an unknown datum."""


class HoursError(RedrouteError, ValueError):
    """An ``opening_hours`` value cannot be parsed."""


class ImportDataError(RedrouteError, ValueError):
    """A user's CSV list of sites cannot be turned into a catalogue."""


class NetworkError(RedrouteError, RuntimeError):
    """The walking network cannot be loaded, downloaded or built for an area."""


class NotFoundError(RedrouteError, LookupError):
    """A landmark id (or another named thing) does not exist."""


class ProblemError(RedrouteError, ValueError):
    """A :class:`Problem` is malformed: wrong shapes, negative times, unsorted windows."""


class InfeasibleRequestError(RedrouteError, ValueError):
    """No tour meets the request: a mandatory stop cannot be visited, or not all of them.

    ``stops`` holds the node indices the message is about.
    """

    def __init__(self, message: str, *, stops: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.stops: tuple[int, ...] = tuple(stops)


class PlanError(RedrouteError, ValueError):
    """A plan request is malformed or cannot be met: unknown start point, bad time or pace,
    no candidate stops, a mandatory stop that cannot be visited."""


class RouteError(RedrouteError, ValueError):
    """A route file cannot be read or does not validate."""


class ItineraryError(RedrouteError, ValueError):
    """An itinerary file cannot be read or does not match the schema."""


class OutputError(RedrouteError, OSError):
    """An output file cannot be written."""


class MapError(RedrouteError, ValueError):
    """A map cannot be made with the options given."""


class EmbedError(RedrouteError, ValueError):
    """A map page or an embed option is not usable."""


class GpxError(RedrouteError, ValueError):
    """A GPX file cannot be made with the options given."""


class LeafletError(RedrouteError, ValueError):
    """A leaflet cannot be made from these inputs."""


class PublishError(RedrouteError, RuntimeError):
    """A route of the website kit could not be built."""


class RedrouteWarning(UserWarning):
    """Base class of data-quality warnings that do not stop the work."""


class CatalogueWarning(RedrouteWarning):
    """A catalogue entry is usable but questionable."""


class NetworkWarning(RedrouteWarning):
    """A network source failed and the next one is used, or distances are estimated."""


class LongWalkWarning(RedrouteWarning):
    """A plan walks more than a day's walking (``settings.LONG_WALK_KM``)."""
