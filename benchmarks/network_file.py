"""Benchmark: loading the bundled walking network, and building a network file from a large
OSM extract.

Load (issue 11: at most 0.3 s, index included, without osmnx or networkx):

- **fresh process**: ``python -c`` that imports redroute's loader and loads the bundled
  network, building its index; the wall time of the whole child process, and inside it the
  import time and the load time (median of ``--repeat`` runs);
- **in-process**: the first load in this process after the imports (the file read, the
  pedestrian rules, the index) and a second load (the per-process cache).

Build (issue 11: under 1 GB for a 40 MB ``.osm``): a synthetic ``.osm`` of about
``--mb`` MB is written by tiling the centre extract of ../shared (each copy shifted north by
0.11 degree with its ids offset), then ``redroute network build`` runs on it in a child
process whose peak resident memory (``ru_maxrss``) and time are printed.

    python benchmarks/network_file.py [--repeat 7] [--mb 40] [--no-build]
"""

from __future__ import annotations

import argparse
import bz2
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CENTRE = ROOT.parent / "shared" / "data" / "osm" / "shanghai-center-2025.osm.bz2"

CHILD = """
import sys, time
t0 = time.perf_counter()
from redroute import _bundle
from redroute.network import BBox
t1 = time.perf_counter()
net = _bundle.bundled_network(BBox(31.21, 121.46, 31.24, 121.49))
net.index
t2 = time.perf_counter()
assert "osmnx" not in sys.modules and "networkx" not in sys.modules
print(t1 - t0, t2 - t1)
"""


def fresh(repeat: int) -> None:
    walls, imports, loads = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                             check=True, cwd=ROOT).stdout.split()
        walls.append(time.perf_counter() - start)
        imports.append(float(out[0]))
        loads.append(float(out[1]))
    print(f"fresh process (median of {repeat}): whole child {statistics.median(walls):.3f} s, "
          f"imports {statistics.median(imports):.3f} s, load + index "
          f"{statistics.median(loads):.3f} s")


def in_process() -> None:
    import numpy  # noqa: F401  (imports first: this measures the load itself)
    import scipy.sparse.csgraph  # noqa: F401
    import shapely  # noqa: F401

    from redroute import _bundle
    from redroute.network import BBox

    box = BBox(31.21, 121.46, 31.24, 121.49)
    start = time.perf_counter()
    net = _bundle.bundled_network(box)
    first = time.perf_counter() - start
    start = time.perf_counter()
    _bundle.bundled_network(box, step_free=False)
    again = time.perf_counter() - start
    idx = net.index
    sizes = ", ".join(str(int(s)) for s in idx.component_nodes)
    print(f"in-process: first load {first:.3f} s, cached {again * 1000:.2f} ms; "
          f"{len(idx.node_ids)} nodes, {len(idx.edge_len)} edges, components [{sizes}]; "
          f"file {_bundle.bundled_path().stat().st_size / 1e3:.0f} kB")


def synthetic(target_mb: float, folder: Path) -> Path:
    """The centre extract tiled until the file reaches ``target_mb``."""
    text = bz2.decompress(CENTRE.read_bytes()).decode("utf-8")
    body = text[text.index("<node"):text.rindex("</osm>")]
    copies = max(1, round(target_mb * 1e6 / len(body.encode("utf-8"))))
    path = folder / "synthetic.osm"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(text[:text.index("<node")])
        for k in range(copies):
            offset, shift = k * 10**10, k * 0.11

            def ident(m: re.Match[str], offset: int = offset) -> str:
                return f'{m.group(1)}="{int(m.group(2)) + offset}"'

            def lat(m: re.Match[str], shift: float = shift) -> str:
                return f'lat="{float(m.group(1)) + shift:.7f}"'

            part = re.sub(r'\b(id|ref)="(\d+)"', ident, body)
            fh.write(re.sub(r'lat="([\d.]+)"', lat, part))
        fh.write("</osm>\n")
    return path


def build(target_mb: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = synthetic(target_mb, folder)
        size = src.stat().st_size / 1e6
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "redroute", "network", "build", str(src), "-o",
                        str(folder / "out.rrnet")], check=True, cwd=ROOT,
                       capture_output=True)
        took = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        out = (folder / "out.rrnet").stat().st_size / 1e6
        print(f"build of a {size:.1f} MB .osm: {took:.1f} s, peak RSS {peak:.0f} MB, "
              f"output {out:.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--mb", type=float, default=40.0)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    fresh(args.repeat)
    in_process()
    if not args.no_build:
        if CENTRE.exists():
            build(args.mb)
        else:
            print(f"{CENTRE} is absent: no build benchmark")


if __name__ == "__main__":
    main()
