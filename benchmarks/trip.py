"""Time a real trip: three days over the whole catalogue from a hotel near People's Square.

The issue's target is a plan in under 10 s. The walking network is the bundled one (sites
outside it are estimated), the metro joins far stops; each day is 7 hours with lunch.

Example::

    .venv/bin/python benchmarks/trip.py --runs 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
import warnings

from redroute.catalogue import load_catalogue
from redroute.request import PlanRequest
from redroute.trip import plan_trip, trip_dates

HOTEL = "31.2335,121.4725"  # by People's Square (WGS-84)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--first", default="2026-12-05", help="first day (default a Saturday)")
    ap.add_argument("--days", type=int, default=3)
    args = ap.parse_args()
    cat = load_catalogue()
    ids = tuple(lm.id for lm in cat if lm.plannable and lm.category != "waypoint")
    request = PlanRequest(stops=ids, start=HOTEL, hours=7.0, max_walk_km=8.0)
    dates = trip_dates(dt.date.fromisoformat(args.first), args.days)
    times = []
    trip = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trip = plan_trip(request, dates=dates, catalogue=cat)
        times.append(time.perf_counter() - t0)
    assert trip is not None
    print(f"{len(ids)} candidates, {args.days} days from {args.first}: median "
          f"{statistics.median(times):.1f} s over {args.runs} runs (min {min(times):.1f} s)")
    for day, plan in zip(trip.dates, trip.days, strict=True):
        if plan is None:
            print(f"  {day} {day:%a}: no stop fits")
            continue
        it = plan.itinerary
        rides = sum(1 for leg in it.legs if leg.ride)
        print(f"  {day} {day:%a}: {len(it.stops)} stops, {it.distance_m / 1000:.1f} km on "
              f"foot, {rides} metro rides, {it.departure:%H:%M}-{it.finish:%H:%M}: "
              + ", ".join(s.id for s in it.stops))
    print(f"  left out: {len(trip.excluded)}; joint score {trip.solution.score:.1f}")


if __name__ == "__main__":
    main()
