"""Benchmark: ``redroute plan founding -o DIR`` end to end, on real streets against the estimate.

Each run is a fresh process of the installed command line (imports, catalogue, network,
matrix, solver and every output the ``-o`` folder gets: JSON, GeoJSON, HTML map, GPX, PDF
leaflet), timed from the outside, so that it measures what a user waits for. The plan on a
real-street network (``--network``: the bundled one by default, or an extract such as the
shared ``shanghai-core-merged.osm``) and the same plan on the estimate (great-circle x
detour factor) alternate in the same run, so that load on a shared machine hits both alike;
the medians over ``--runs`` runs and their ratio are printed.

Target (issue 11): the real-street plan costs at most 1.5x the estimate plan.

``--profile`` runs one plan in this process under cProfile instead and prints the 25 entries
with the largest cumulative time, to find what dominates.

    python benchmarks/plan.py [--network bundled|PATH] [--runs 5] [--route founding]
        [--date 2026-12-05] [--warmup 1] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.5


def command() -> list[str]:
    """The installed ``redroute`` of this interpreter's environment."""
    beside = Path(sys.executable).with_name("redroute")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("redroute")
    return [found] if found else [sys.executable, "-m", "redroute"]


def plan_args(route: str, date: str, network: str, out: Path) -> list[str]:
    return ["plan", route, "--date", date, "--network", network, "-o", str(out)]


def environment(cache: Path) -> dict[str, str]:
    """The user's environment with an empty cache and no extract: only ``--network`` counts."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDROUTE_OSM", "REDROUTE_NETWORK")}
    env["REDROUTE_CACHE"] = str(cache)
    return env


def run_once(route: str, date: str, network: str, env: dict[str, str]) -> tuple[float, str]:
    """Seconds for one plan in a fresh process, and the itinerary's ``network`` field."""
    with tempfile.TemporaryDirectory(prefix="rr-bench-") as tmp:
        out = Path(tmp) / "out"
        t0 = time.perf_counter()
        proc = subprocess.run([*command(), *plan_args(route, date, network, out)], env=env,
                              capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            msg = f"redroute plan --network {network} failed (exit {proc.returncode})"
            raise SystemExit(msg)
        described = ""
        for path in out.glob("*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and "network" in data:
                described = str(data["network"])
                break
        return elapsed, described


def bench(args: argparse.Namespace) -> int:
    choices = {"streets": args.network, "estimate": "estimate"}
    times: dict[str, list[float]] = {k: [] for k in choices}
    with tempfile.TemporaryDirectory(prefix="rr-bench-cache-") as cache:
        env = environment(Path(cache))
        for label, network in choices.items():
            for _ in range(args.warmup):
                _, described = run_once(args.route, args.date, network, env)
            if args.warmup:
                print(f"{label:9} --network {network}\n          -> {described}")
        for r in range(args.runs):
            # Alternate which goes first, so that neither always follows the other.
            order = list(choices) if r % 2 == 0 else list(reversed(choices))
            for label in order:
                elapsed, _ = run_once(args.route, args.date, choices[label], env)
                times[label].append(elapsed)
            print(f"run {r + 1}: " + "  ".join(f"{k} {times[k][-1]:.2f} s" for k in choices),
                  flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["streets"] / med["estimate"]
    print(f"\nredroute plan {args.route} --date {args.date} -o DIR, medians of {args.runs} "
          "alternated runs:")
    print(f"  real streets ({args.network}): {med['streets']:.2f} s "
          f"(min {min(times['streets']):.2f}, max {max(times['streets']):.2f})")
    print(f"  estimate:  {med['estimate']:.2f} s "
          f"(min {min(times['estimate']):.2f}, max {max(times['estimate']):.2f})")
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"  ratio: {ratio:.2f}x (target <= {TARGET}x: {verdict})")
    return 0


def profile(args: argparse.Namespace) -> int:
    """One plan in this process under cProfile; the top 25 by cumulative time."""
    with tempfile.TemporaryDirectory(prefix="rr-bench-") as tmp:
        os.environ.update(environment(Path(tmp) / "cache"))
        os.environ.pop("REDROUTE_OSM", None)
        os.environ.pop("REDROUTE_NETWORK", None)
        from redroute.cli import main  # after the environment: settings read it on import

        argv = plan_args(args.route, args.date, args.network, Path(tmp) / "out")
        prof = cProfile.Profile()
        quiet = io.StringIO()  # the schedule and progress lines are not the point here
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            prof.enable()
            try:
                main.main(argv, prog_name="redroute", standalone_mode=False)
            finally:
                prof.disable()
        elapsed = time.perf_counter() - t0
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
    print(f"redroute {' '.join(argv[:-1])} DIR: {elapsed:.2f} s in process (profiled)")
    print(buf.getvalue())
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="bundled",
                        help="the real-street network: 'bundled' (default) or the path of "
                             "an extract or network file")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="untimed runs of each first (default 1)")
    parser.add_argument("--route", default="founding", help="curated route (default founding)")
    parser.add_argument("--date", default="2026-12-05", help="day of the walk")
    parser.add_argument("--profile", action="store_true",
                        help="profile one in-process plan on --network instead of timing")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return profile(args) if args.profile else bench(args)


if __name__ == "__main__":
    sys.exit(main())
