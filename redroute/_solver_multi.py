"""The solver for several tours (team orienteering with time windows): exact and heuristic.

Each tour has its own :class:`~redroute._solver_core._Instance` (start, end, times, windows,
walking limit); the tours share the nodes, and no node is visited twice. See
:func:`redroute.solver.solve_tours` for the methods.
"""

from __future__ import annotations

import math
import time

import numpy as np

from redroute._solver_core import _INF, BoolArray, FloatArray, IntArray, _Instance
from redroute._solver_exact import _SubsetDP, _tied
from redroute._solver_search import _ordered_dp, _Route, _Search

Tours = list[list[int]]


# --------------------------------------------------------------------------- exact


def _submask_pairs(n: int) -> tuple[IntArray, IntArray]:
    """Every pair (U, S) of subsets of ``n`` bits with S inside U (3^n pairs)."""
    union, sub = np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64)
    for b in range(n):
        bit = 1 << b
        union = np.concatenate((union, union | bit, union | bit))
        sub = np.concatenate((sub, sub, sub | bit))
    return union, sub


def _exact_tours(insts: list[_Instance], cands: list[int], feasible: list[list[int]],
                 required: frozenset[int]) -> Tours | None:
    """The best tours over ``cands``: most score, then least walking; ``None`` if none.

    Each tour's subset DP gives the least walking of a tour over exactly each subset of the
    stops that fit it alone; a DP over the tours then splits the visited set among them
    (all pairs of a set and a subset: 3^n, so only for a dozen candidates or so).
    """
    n = len(cands)
    pos = {v: i for i, v in enumerate(cands)}
    union, sub = _submask_pairs(n)
    rest = union ^ sub
    prev = np.full(1 << n, _INF)
    prev[0] = 0.0
    choices: list[IntArray] = []
    paths: list[dict[int, list[int]]] = []
    for inst, fits in zip(insts, feasible, strict=True):
        local = [v for v in cands if v in set(fits)]
        cost_local, path_local = _SubsetDP(inst, local, frozenset()).table()
        bits = np.array([1 << pos[v] for v in local], dtype=np.int64)
        masks = np.arange(1 << len(local), dtype=np.int64)
        chosen = (masks[:, None] >> np.arange(len(local))) & 1
        glob = chosen @ bits if local else np.zeros(1, dtype=np.int64)
        cost = np.full(1 << n, _INF)
        cost[glob] = cost_local
        paths.append({int(g): p for g, p in zip(glob.tolist(), path_local, strict=True)
                      if p is not None})
        value = cost[sub] + prev[rest]
        order = np.lexsort((value, union))
        first = order[np.concatenate(([True], union[order][1:] != union[order][:-1]))]
        prev = np.full(1 << n, _INF)
        prev[union[first]] = value[first]
        pick = np.zeros(1 << n, dtype=np.int64)
        pick[union[first]] = sub[first]
        choices.append(pick)
    need = sum(1 << pos[v] for v in required if v in pos)
    masks = np.arange(1 << n, dtype=np.int64)
    scores = np.zeros(1 << n)
    for v, i in pos.items():
        scores[(masks >> i) & 1 == 1] += insts[0].score[v]
    ok = np.isfinite(prev) & ((masks & need) == need)
    if not ok.any():
        return None
    top = _tied(float(scores[ok].max()))
    good = np.flatnonzero(ok & (scores >= top))
    mask = int(good[np.argmin(prev[good])])
    tours: Tours = []
    for k in range(len(insts) - 1, -1, -1):
        s = int(choices[k][mask])
        tours.append(paths[k][s])
        mask ^= s
    return tours[::-1]


# --------------------------------------------------------------------------- heuristic


class _MultiSearch:
    """Multi-start iterated local search over m tours that share the stops (after
    Vansteenwegen et al. 2009's ILS for the TOPTW), with the single-tour improvements of
    :class:`_Search` per tour and moves of stops between tours (relocation, swaps,
    ejection chains). Each tour's :class:`_Search` keeps its instance; :meth:`focus`
    narrows its pool to the stops no other tour visits."""

    def __init__(self, insts: list[_Instance], feasible: list[list[int]],
                 mandatory: frozenset[int], rng: np.random.Generator) -> None:
        self.insts = insts
        self.m = len(insts)
        self.rng = rng
        self.mandatory = mandatory
        self.feasible = [np.asarray(f, dtype=np.int64) for f in feasible]
        self.searches = [_Search(inst, f, rng) for inst, f in zip(insts, feasible, strict=True)]
        for search in self.searches:
            search.mandatory = mandatory
            search.keys = {v: search.window_key(v) for v in search.cands.tolist()}
        self.all = np.unique(np.concatenate([*self.feasible, np.zeros(0, dtype=np.int64)]))
        size = insts[0].n + 1
        self.fits = np.zeros((self.m, size), dtype=bool)  # fits[k, v]: v fits tour k alone
        for k, f in enumerate(self.feasible):
            self.fits[k, f] = True
        self.gain = insts[0].score ** 2
        self.restart = 40  # iterations without a better set of tours before going back to it
        self.renew = 1000  # iterations without a better best before a fresh start
        self.shake_fraction = 0.5
        self.shake_most = 4  # stops removed from one tour: more, and the greedy cannot mend it
        self.noise = 0.3
        self.deadline = _INF
        self.swaps = True
        self.seed_share = 0.15  # of the time, for the single-tour searches that seed
        self.step = 0.0  # the longest reordering DP so far, to keep clear of the deadline

    # ---------------------------------------------------------------- basics

    @staticmethod
    def key(routes: list[_Route]) -> tuple[float, float]:
        score = sum(r.score for r in routes)
        cost = sum(r.cost for r in routes)
        return (round(score, 9), -round(cost, 9))

    def free(self, routes: list[_Route], k: int) -> IntArray:
        """The stops that fit tour ``k`` and no tour visits."""
        taken = np.zeros(self.fits.shape[1], dtype=bool)
        for r in routes:
            taken[r.nodes] = True
        fits = self.feasible[k]
        return fits[~taken[fits]]

    def focus(self, routes: list[_Route], k: int) -> _Search:
        """Tour ``k``'s single-tour search, its pool narrowed to its own and the free stops."""
        search = self.searches[k]
        taken = np.zeros(self.fits.shape[1], dtype=bool)
        for j, r in enumerate(routes):
            if j != k:
                taken[r.nodes] = True
        fits = self.feasible[k]
        search.cands = fits[~taken[fits]]
        return search

    def empty(self) -> list[_Route] | None:
        routes = [s.evaluate([]) for s in self.searches]
        return None if any(r is None for r in routes) else [r for r in routes if r is not None]

    # ---------------------------------------------------------------- insertion

    def _best(self, k: int, route: _Route, pool: IntArray, factor: FloatArray | None,
              cheapest: bool) -> tuple[IntArray, FloatArray, BoolArray]:
        """Tour ``k``'s pool pruned to what still fits somewhere, the value of each insertion
        and where it is feasible."""
        shift, delta = self.searches[k].insertions(route, pool)
        feasible = np.isfinite(shift)
        keep = np.asarray(feasible.any(axis=0))
        pool, shift, delta, feasible = pool[keep], shift[:, keep], delta[:, keep], \
            feasible[:, keep]
        if cheapest:
            value = np.where(feasible, -shift, -_INF)
        else:
            gain = self.gain[pool] if factor is None else self.gain[pool] * factor[pool]
            value = np.where(feasible, gain[None, :] / np.maximum(shift, 1e-3) - 1e-9 * delta,
                             -_INF)
        return pool, value, feasible

    def insert(self, routes: list[_Route], *, noise: float = 0.0, cheapest: bool = False,
               pools: list[IntArray] | None = None) -> list[_Route]:
        """Insert stops into any tour by best score^2 / extra time until none fits."""
        routes = list(routes)
        factor = 1.0 + noise * self.rng.random(len(self.gain)) if noise else None
        if pools is None:
            pools = [self.free(routes, k) for k in range(self.m)]
        state = [self._best(k, routes[k], pools[k], factor, cheapest) if len(pools[k])
                 else None for k in range(self.m)]
        while True:
            pick, top = -1, -_INF
            for k, entry in enumerate(state):
                if entry is not None and entry[1].size and (high := float(entry[1].max())) > top:
                    pick, top = k, high
            if pick < 0 or not math.isfinite(top):
                return routes
            entry = state[pick]
            assert entry is not None
            pool, value, _ = entry
            p, j = divmod(int(np.argmax(value)), len(pool))
            v = int(pool[j])
            nodes = [*routes[pick].nodes[:p], v, *routes[pick].nodes[p:]]
            new = self.searches[pick].evaluate(nodes)
            rest = np.delete(pool, j)
            if new is not None:
                routes[pick] = new
                for k, entry in enumerate(state):
                    if k != pick and entry is not None:
                        keep = entry[0] != v
                        state[k] = (entry[0][keep], entry[1][:, keep], entry[2][:, keep])
            state[pick] = (self._best(pick, routes[pick], rest, factor, cheapest)
                           if len(rest) else None)

    def initial(self) -> list[_Route] | None:
        """Empty tours with the mandatory stops inserted, cheapest first."""
        routes = self.empty()
        if routes is None:
            return None
        need = [v for v in self.all.tolist() if v in self.mandatory]
        if need:
            pools = [np.asarray([v for v in f.tolist() if v in self.mandatory], dtype=np.int64)
                     for f in self.feasible]
            routes = self.insert(routes, cheapest=True, pools=pools)
            if sum(len(r.nodes) for r in routes) < len(need):
                return None
        return routes

    # ---------------------------------------------------------------- moves

    def shake(self, routes: list[_Route]) -> list[_Route]:
        """Remove a random stretch of each tour (sparing mandatory stops): up to half of it
        and at most ``shake_most`` stops (on long tours larger shakes are never mended)."""
        rng = self.rng
        out = []
        for k, route in enumerate(routes):
            m = len(route.nodes)
            if not m:
                out.append(route)
                continue
            most = min(int(m * self.shake_fraction), self.shake_most)
            count = int(rng.integers(1, max(2, most + 1)))
            out.append(self.searches[k].remove(route, int(rng.integers(m)), count))
        return out

    def improve(self, routes: list[_Route]) -> list[_Route]:
        """Each tour's single-tour improvement on its free stops, then moves between tours,
        until neither finds more."""
        routes = list(routes)
        while True:
            before = self.key(routes)
            for k in range(self.m):
                if time.perf_counter() + 2 * self.step > self.deadline:
                    return routes
                routes[k] = self.focus(routes, k).improve(routes[k])
            routes = self.eject(self.relocate(routes))
            if self.swaps:
                routes = self.exchange(routes)
            if self.key(routes) <= before:
                return routes

    def relocate(self, routes: list[_Route]) -> list[_Route]:
        """Move a stop to another tour where it fits, if the room it leaves takes more."""
        if self.m < 2:
            return routes
        best = self.key(routes)
        for a in range(self.m):
            i = 0
            while i < len(routes[a].nodes):
                if time.perf_counter() > self.deadline:
                    return routes
                v = routes[a].nodes[i]
                moved = self._move(routes, a, i, v)
                if moved is not None and self.key(moved) > best:
                    routes, best = moved, self.key(moved)
                    continue
                i += 1
        return routes

    def eject(self, routes: list[_Route]) -> list[_Route]:
        """Put a free stop in a tour in place of one that moves to another tour (or, scoring
        less and not mandatory, leaves): an ejection chain of two, while that gains."""
        best = self.key(routes)
        for b in range(self.m):
            i = 0
            while i < len(routes[b].nodes):
                if time.perf_counter() > self.deadline:
                    return routes
                trial = self._eject(routes, b, i)
                if trial is not None and self.key(trial) > best:
                    routes, best = trial, self.key(trial)
                i += 1
        return routes

    def _eject(self, routes: list[_Route], b: int, i: int) -> list[_Route] | None:
        search, v = self.searches[b], routes[b].nodes[i]
        pool = self.free(routes, b)
        if not len(pool):
            return None
        without = search.evaluate(routes[b].nodes[:i] + routes[b].nodes[i + 1:])
        if without is None:
            return None
        shift, _ = search.insertions(without, pool)
        fits = np.flatnonzero(np.isfinite(shift).any(axis=0))
        if not len(fits):
            return None
        score = self.insts[0].score
        homes = []  # where v can go instead: (tour, its route with v)
        for c in range(self.m):
            if c == b or not self.fits[c, v]:
                continue
            there, _ = self.searches[c].insertions(routes[c], np.array([v], dtype=np.int64))
            if np.isfinite(there).any():
                p = int(np.argmin(there[:, 0]))
                moved = self.searches[c].evaluate([*routes[c].nodes[:p], v, *routes[c].nodes[p:]])
                if moved is not None:
                    homes.append((c, moved))
        for j in fits[np.argsort(-score[pool[fits]], kind="stable")].tolist():
            w = int(pool[j])
            if not homes and (v in self.mandatory or score[w] <= score[v] + 1e-9):
                break
            p = int(np.argmin(shift[:, j]))
            new_b = search.evaluate([*without.nodes[:p], w, *without.nodes[p:]])
            if new_b is None:
                continue
            trial = list(routes)
            trial[b] = new_b
            if homes:
                c, moved = homes[0]
                trial[c] = moved
            trial = self.insert(trial)
            if self.key(trial) > self.key(routes):
                return trial
        return None

    def exchange(self, routes: list[_Route]) -> list[_Route]:
        """Swap two stops of two tours (each at its best place), then insert free stops, while
        that gains."""
        best = self.key(routes)
        for a in range(self.m):
            for b in range(a + 1, self.m):
                i = 0
                while i < len(routes[a].nodes):
                    if time.perf_counter() > self.deadline:
                        return routes
                    swapped = self._swap(routes, a, b, i)
                    if swapped is not None and self.key(swapped) > best:
                        routes, best = swapped, self.key(swapped)
                    i += 1
        return routes

    def _swap(self, routes: list[_Route], a: int, b: int, i: int) -> list[_Route] | None:
        sa, sb = self.searches[a], self.searches[b]
        v = routes[a].nodes[i]
        if not self.fits[b, v]:
            return None
        without_a = sa.evaluate(routes[a].nodes[:i] + routes[a].nodes[i + 1:])
        if without_a is None:
            return None
        fits_a = [w for w in routes[b].nodes if self.fits[a, w]]
        if not fits_a:
            return None
        shift_a, _ = sa.insertions(without_a, np.asarray(fits_a, dtype=np.int64))
        for j in np.flatnonzero(np.isfinite(shift_a).any(axis=0)).tolist():
            w = fits_a[j]
            q = routes[b].nodes.index(w)
            without_b = sb.evaluate(routes[b].nodes[:q] + routes[b].nodes[q + 1:])
            if without_b is None:
                continue
            shift_b, _ = sb.insertions(without_b, np.array([v], dtype=np.int64))
            if not np.isfinite(shift_b).any():
                continue
            p = int(np.argmin(shift_a[:, j]))
            new_a = sa.evaluate([*without_a.nodes[:p], w, *without_a.nodes[p:]])
            p = int(np.argmin(shift_b[:, 0]))
            new_b = sb.evaluate([*without_b.nodes[:p], v, *without_b.nodes[p:]])
            if new_a is None or new_b is None:
                continue
            trial = list(routes)
            trial[a], trial[b] = new_a, new_b
            trial = self.insert(trial)
            if self.key(trial) > self.key(routes):
                return trial
        return None

    def _move(self, routes: list[_Route], a: int, i: int, v: int) -> list[_Route] | None:
        without = self.searches[a].evaluate(routes[a].nodes[:i] + routes[a].nodes[i + 1:])
        if without is None:
            return None
        one = np.array([v], dtype=np.int64)
        for b in range(self.m):
            if b == a or not self.fits[b, v]:
                continue
            shift, _ = self.searches[b].insertions(routes[b], one)
            if not np.isfinite(shift).any():
                continue
            p = int(np.argmin(shift[:, 0]))
            there = self.searches[b].evaluate([*routes[b].nodes[:p], v, *routes[b].nodes[p:]])
            if there is None:
                continue
            trial = list(routes)
            trial[a], trial[b] = without, there
            trial = self.insert(trial)
            if self.key(trial) > self.key(routes):
                return trial
        return None

    # ---------------------------------------------------------------- search

    def seeds(self, routes: list[_Route], *, until: float,
              iterations: int) -> list[list[_Route]]:
        """Starting points: joint greedy insertion (by ratio, and cheapest first, which packs
        best when nearly every stop fits); tours filled one after another by the
        single-tour seeding DP over the stops still free; and one after another by a short
        single-tour search each (by ``until``)."""
        out = [self.insert(routes), self.insert(routes, cheapest=True)]
        by_dp, by_search = list(routes), list(routes)
        begin = time.perf_counter()
        for k in range(self.m):
            search = self.focus(by_dp, k)
            pool = search.cands.tolist()
            now = time.perf_counter()
            if now + self.step <= until:
                path = _ordered_dp(self.insts[k], sorted(pool, key=search.keys.__getitem__),
                                   frozenset(v for v in by_dp[k].nodes), search.cap)
                self.step = max(self.step, time.perf_counter() - now)
                route = None if path is None else search.evaluate(path)
                if route is not None and route.key() > by_dp[k].key():
                    by_dp[k] = route
            share = begin + (until - begin) * (k + 1) / self.m
            if time.perf_counter() + 4 * self.step <= share:
                by_search[k] = self.focus(by_search, k).run(
                    by_search[k], deadline=share, iterations=iterations,
                    stall=iterations // 2)
        out.append(self.insert(by_dp))
        out.append(by_search)
        return out

    def run(self, routes: list[_Route], *, deadline: float, iterations: int,
            stall: int) -> list[_Route]:
        """Seed and improve; then shake and insert, improving each tour set better than the
        anchor (the one the search returns to every ``restart`` idle iterations); every
        ``renew`` iterations without a better best, a fresh noisy greedy start becomes the
        anchor (a multi-start ILS: small shakes alone can stay stuck). Keep the best."""
        self.deadline = deadline
        begin = time.perf_counter()
        until = begin + self.seed_share * (deadline - begin)
        seeds = self.seeds(routes, until=until, iterations=min(iterations, 200))
        best = anchor = current = self.improve(max(seeds, key=self.key))
        since = idle = 0
        slowest = 0.0  # the longest iteration so far: none starts that could end too late
        for _ in range(iterations):
            begin = time.perf_counter()
            if since >= stall or begin + slowest > deadline:
                break
            if since and since % self.renew == 0:
                anchor = current = self.improve(self.insert(routes, noise=1.0))
                idle = 0
            elif idle and idle % self.restart == 0:
                current = anchor
            current = self.insert(self.shake(current), noise=self.noise)
            if self.key(current) > self.key(anchor):
                anchor = current = self.improve(current)
                idle = 0
            else:
                idle += 1
            if self.key(anchor) > self.key(best):
                best, since = anchor, 0
            else:
                since += 1
            slowest = max(slowest, time.perf_counter() - begin)
        return best
