"""Benchmark: a large catalogue listed and validated, a large CSV list of sites imported.

Issue 12, item 6: a 20,000-feature catalogue listed in under 2 s and validated in time
linear in its size; a 100,000-row CSV imported in under 400 MB of peak memory.

The inputs are synthetic and written to a temporary folder: the shipped catalogue's
features repeated (each copy with its own id and name and a position shifted by a few
metres) up to ``--features``, and a CSV of ``--rows`` rows made the same way, with GCJ-02
positions and a column for each catalogue property. Each command then runs in a child
process (``python -m redroute ...``, output to ``/dev/null`` or a file in the temporary
folder); its wall time and peak resident memory (``ru_maxrss`` of that child, read with
``os.wait4``) are printed, the median time of ``--repeat`` runs.

The CSV's cells hold no ASCII double quote (``"`` becomes ``“``): before issue 12 the
importer took the quoting from ``csv.Sniffer``, which misreads doubled quotes that are not in
the file's first 4 KB, so older revisions could not read such a file at all.

The inputs are written by a child process, so that this script stays small: a child's
``ru_maxrss`` starts from the size of the process it was forked from.

``--rev REV`` runs the same commands on the ``redroute`` package of a git revision (exported
with ``git archive`` into the temporary folder), for before/after figures; ``--sizes`` also
validates catalogues of a quarter, a half and the whole size, to show how time grows.

    python benchmarks/catalogue.py [--features 20000] [--rows 100000] [--repeat 3]
                                   [--rev HEAD~3] [--sizes]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "redroute" / "data" / "landmarks.geojson"

CSV_COLUMNS = ("name_zh", "name_en", "address_zh", "address_en", "district", "category",
               "themes", "opening_hours", "last_entry", "booking", "booking_note_zh",
               "booking_note_en", "visit_minutes", "significance", "summary_zh", "summary_en",
               "sources", "lon", "lat")


def _shipped() -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = json.loads(SHIPPED.read_text(encoding="utf-8"))["features"]
    return features


def _copies(n: int) -> list[dict[str, Any]]:
    """``n`` features: the shipped ones over and over, each copy renamed and nudged."""
    base = _shipped()
    out = []
    for k in range(n):
        src = base[k % len(base)]
        copy = k // len(base)
        props = dict(src["properties"])
        if copy:
            props["id"] = f"{props['id']}-{copy}"
            props["name_zh"] = f"{props['name_zh']}{copy}"
            props["name_en"] = f"{props['name_en']} {copy}"
        lon, lat = src["geometry"]["coordinates"][:2]
        shift = (copy % 50) * 1e-5
        out.append({"type": "Feature",
                    "geometry": {"type": "Point",
                                 "coordinates": [round(lon + shift, 6), round(lat + shift, 6)]},
                    "properties": props})
    return out


def write_catalogue(path: Path, n: int) -> None:
    """A valid catalogue of ``n`` features."""
    data = {"type": "FeatureCollection", "features": _copies(n)}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def write_csv(path: Path, n: int) -> None:
    """A valid CSV list of ``n`` sites, GCJ-02 positions, every column filled where known."""
    sys.path.insert(0, str(ROOT))
    from redroute import coords

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for f in _copies(n):
        p = f["properties"]
        lon, lat = coords.wgs84_to_gcj02(*f["geometry"]["coordinates"][:2])
        cells = {**p, "themes": ";".join(p["themes"]), "sources": ";".join(p["sources"]),
                 "lon": f"{lon:.6f}", "lat": f"{lat:.6f}"}
        writer.writerow(["" if cells.get(c) is None else str(cells[c]).replace('"', "“")
                         for c in CSV_COLUMNS])
    path.write_text(buf.getvalue(), encoding="utf-8")


def _export(rev: str, folder: Path) -> Path:
    """The ``redroute`` package of git revision ``rev``, unpacked into ``folder``."""
    data = subprocess.run(["git", "archive", "--format=tar", rev, "redroute"], cwd=ROOT,
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def run(args: list[str], *, code: Path, stdout: Path | None = None) -> tuple[float, float, int]:
    """Run ``python -m redroute ARGS`` with the package of ``code``; (seconds, peak MB, rc)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    with tempfile.TemporaryFile() as err:
        out = stdout.open("wb") if stdout else subprocess.DEVNULL
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "redroute", *args], cwd=code, env=env,
                                stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        took = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if stdout:
            out.close()  # type: ignore[union-attr]
        if proc.returncode:
            err.seek(0)
            last = err.read().decode("utf-8", "replace").strip().splitlines()[-1:]
            print(f"  ! exit {proc.returncode}: {last}", flush=True)
    return took, usage.ru_maxrss / 1024, proc.returncode


def measure(label: str, args: list[str], *, code: Path, repeat: int,
            stdout: Path | None = None) -> None:
    runs = [run(args, code=code, stdout=stdout) for _ in range(repeat)]
    took = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    print(f"{label:<34} {took:8.2f} s  {peak:8.0f} MB", flush=True)


def write(path: Path, n: int) -> None:
    """Write an input of ``n`` sites in a child process (GeoJSON or CSV by the suffix)."""
    kind = path.suffix.lstrip(".")
    subprocess.run([sys.executable, __file__, "--write", kind, str(path), str(n)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rev", help="Measure the redroute package of this git revision.")
    parser.add_argument("--sizes", action="store_true",
                        help="Also validate 1/4 and 1/2 of --features, to show the growth.")
    parser.add_argument("--write", nargs=3, metavar=("KIND", "PATH", "N"), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.write:  # the child that writes one input
        kind, path, n = opts.write
        (write_catalogue if kind == "geojson" else write_csv)(Path(path), int(n))
        return
    with tempfile.TemporaryDirectory(prefix="redroute-bench-") as tmp:
        folder = Path(tmp)
        code = _export(opts.rev, folder / "code") if opts.rev else ROOT
        print(f"redroute from {opts.rev or 'the working tree'}; {opts.features} features, "
              f"{opts.rows} CSV rows; median of {opts.repeat}\n", flush=True)
        geo, sheet = folder / "big.geojson", folder / "big.csv"
        write(geo, opts.features)
        write(sheet, opts.rows)
        print(f"{'command':<34} {'time':>10}  {'peak RSS':>11}")
        measure("landmarks list", ["landmarks", "list", "--catalogue", str(geo)],
                code=code, repeat=opts.repeat)
        measure("landmarks list --json", ["landmarks", "list", "--json", "--catalogue",
                                          str(geo)], code=code, repeat=opts.repeat)
        measure("landmarks validate", ["landmarks", "validate", str(geo)], code=code,
                repeat=opts.repeat)
        if opts.sizes:
            for part in (4, 2):
                small = folder / f"part{part}.geojson"
                write(small, opts.features // part)
                measure(f"landmarks validate ({opts.features // part})",
                        ["landmarks", "validate", str(small)], code=code, repeat=opts.repeat)
        measure(f"landmarks import ({opts.rows} rows)",
                ["landmarks", "import", str(sheet), "--crs", "gcj02", "-o",
                 str(folder / "imported.geojson")], code=code, repeat=opts.repeat)


if __name__ == "__main__":
    main()
