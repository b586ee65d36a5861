"""The solver's heuristic: seeding by a capped label DP, then iterated local search.

Greedy insertion with "MaxShift" feasibility checks, a random shake, and on each new best
tour a reordering DP, 2-opt and or-opt moves and swaps (see :mod:`redroute.solver`).
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import numpy as np

from redroute._solver_core import _INF, EPS, FloatArray, IntArray, _Instance, _window_start


def _ordered_dp(inst: _Instance, seq: list[int], required: frozenset[int],
                cap: int) -> list[int] | None:
    """Best subsequence of ``seq`` by (score, then walking), a heuristic: labels per position
    are kept on (time, score) dominance only, and at most ``cap`` of them."""
    m = len(seq)
    next_required = np.full(m + 1, m, dtype=np.int64)
    for p in range(m - 1, -1, -1):
        next_required[p] = p if seq[p] in required else next_required[p + 1]
    # label arrays: position in seq (-1: start), node, finish, cost, score, parent
    pos = [np.array([-1])]
    node = [np.array([inst.s])]
    fin = [np.array([inst.t0])]
    cost = [np.array([0.0])]
    score = [np.array([0.0])]
    parent = [np.array([-1])]
    offset = 1
    for q, v in enumerate(seq):
        p_all, n_all = np.concatenate(pos), np.concatenate(node)
        f_all, c_all, s_all = np.concatenate(fin), np.concatenate(cost), np.concatenate(score)
        arrival = f_all + inst.travel[n_all, v]
        start = _window_start(inst.win_early[v], inst.win_late[v], arrival)
        f2 = start + inst.duration[v]
        c2 = c_all + inst.cost[n_all, v]
        ok = ((next_required[p_all + 1] >= q) & np.isfinite(start)
              & (f2 + inst.to_end[v] <= inst.deadline + EPS)
              & (c2 + inst.cost_to_end[v] <= inst.max_cost + EPS))
        rows = np.flatnonzero(ok)
        if not len(rows):
            continue
        f2, c2, s2 = f2[rows], c2[rows], s_all[rows] + inst.score[v]
        order = np.lexsort((c2, -s2, f2))
        best_before = np.concatenate(([-_INF], np.maximum.accumulate(s2[order])[:-1]))
        kept = order[s2[order] > best_before + 1e-9]
        if len(kept) > cap:
            kept = kept[np.unique(np.linspace(0, len(kept) - 1, cap).round().astype(np.int64))]
        pos.append(np.full(len(kept), q))
        node.append(np.full(len(kept), v))
        fin.append(f2[kept])
        cost.append(c2[kept])
        score.append(s2[kept])
        parent.append(rows[kept])
        offset += len(kept)
    p_all, n_all = np.concatenate(pos), np.concatenate(node)
    f_all, c_all, s_all = np.concatenate(fin), np.concatenate(cost), np.concatenate(score)
    par = np.concatenate(parent)
    total = c_all + inst.cost[n_all, inst.e]
    ok = ((next_required[p_all + 1] == m)
          & (f_all + inst.travel[n_all, inst.e] <= inst.deadline + EPS)
          & (total <= inst.max_cost + EPS))
    rows = np.flatnonzero(ok)
    if not len(rows):
        return None
    top = s_all[rows].max()
    rows = rows[s_all[rows] >= top - 1e-9]
    i = int(rows[np.argmin(total[rows])])
    path: list[int] = []
    while p_all[i] >= 0:
        path.append(int(n_all[i]))
        i = int(par[i])
    return path[::-1]


@dataclass(slots=True)
class _Route:
    """A feasible tour with its schedule; ``slack`` is each start's MaxShift."""

    nodes: list[int]
    arrival: list[float]
    start: list[float]
    early: list[float]
    finish: list[float]
    slack: list[float]
    end_arrival: float
    end_slack: float
    score: float
    cost: float

    def key(self) -> tuple[float, float]:
        return (round(self.score, 9), -round(self.cost, 9))


class _Search:
    """Iterated local search for the tours of one instance."""

    def __init__(self, inst: _Instance, cands: list[int], rng: np.random.Generator) -> None:
        self.inst = inst
        self.cands = np.asarray(cands, dtype=np.int64)
        self.rng = rng
        self.travel_rows: list[list[float]] = inst.travel.tolist()
        self.cost_rows: list[list[float]] = inst.cost.tolist()
        self.duration: list[float] = inst.duration.tolist()
        self.score: list[float] = inst.score.tolist()
        self.mandatory = inst.mandatory
        self.restart = 100
        self.shake_fraction = 0.15
        self.noise = 0.3
        self.cap = 200
        self.keys: dict[int, float] = {}

    def evaluate(self, nodes: list[int]) -> _Route | None:
        """Schedule ``nodes`` (earliest starts); ``None`` if a window or a limit is broken."""
        inst = self.inst
        t, u, cost, score = inst.t0, inst.s, 0.0, 0.0
        arrival, start, early, late, finish = [], [], [], [], []
        for v in nodes:
            a = t + self.travel_rows[u][v]
            found = inst.window_start(v, a)
            if found is None:
                return None
            st, e0, l0 = found
            t = st + self.duration[v]
            arrival.append(a)
            start.append(st)
            early.append(e0)
            late.append(l0)
            finish.append(t)
            cost += self.cost_rows[u][v]
            score += self.score[v]
            u = v
        end_arrival = t + self.travel_rows[u][inst.e]
        cost += self.cost_rows[u][inst.e]
        if end_arrival > inst.deadline + EPS or cost > inst.max_cost + EPS:
            return None
        end_slack = inst.deadline - end_arrival
        slack = [0.0] * len(nodes)
        wait_next, slack_next = 0.0, end_slack
        for i in range(len(nodes) - 1, -1, -1):
            slack[i] = min(late[i] - start[i], wait_next + slack_next)
            wait_next, slack_next = start[i] - arrival[i], slack[i]
        return _Route(nodes, arrival, start, early, finish, slack, end_arrival, end_slack,
                      score, cost)

    def insertions(self, route: _Route, pool: IntArray) -> tuple[FloatArray, FloatArray]:
        """Feasibility-filtered shift (extra time) of inserting each of ``pool`` everywhere.

        Returns ``(shift, delta_cost)`` of shape (positions, len(pool)); ``shift`` is
        ``inf`` where the insertion breaks a window or a limit.
        """
        inst = self.inst
        prev = np.array([inst.s, *route.nodes], dtype=np.int64)
        prev_finish = np.array([inst.t0, *route.finish])
        nxt = np.array([*route.nodes, inst.e], dtype=np.int64)
        nxt_arrival = np.array([*route.arrival, route.end_arrival])
        nxt_start = np.array([*route.start, route.end_arrival])
        nxt_early = np.array([*route.early, -_INF])
        nxt_slack = np.array([*route.slack, route.end_slack])
        arrival = prev_finish[:, None] + inst.travel[prev[:, None], pool[None, :]]
        start = _window_start(inst.win_early[pool][None], inst.win_late[pool][None], arrival)
        arrival2 = start + inst.duration[pool][None, :] + inst.travel[pool[None, :], nxt[:, None]]
        start2 = np.maximum(arrival2, nxt_early[:, None])
        ok = np.isfinite(start) & (start2 - nxt_start[:, None] <= nxt_slack[:, None] + EPS)
        delta = (inst.cost[prev[:, None], pool[None, :]] + inst.cost[pool[None, :], nxt[:, None]]
                 - inst.cost[prev, nxt][:, None])
        if self.inst.limited_walk:
            ok &= route.cost + delta <= inst.max_cost + EPS
        shift = np.where(ok, arrival2 - nxt_arrival[:, None], _INF)
        return shift, delta

    def insert_greedy(self, route: _Route, *, pool: IntArray | None = None,
                      cheapest: bool = False, noise: float = 0.0) -> _Route:
        """Insert stops by best score^2 / extra time until none fits (Vansteenwegen 2009).

        ``noise`` > 0 multiplies each stop's ratio by a random factor in [1, 1 + noise].
        """
        visited = set(route.nodes)
        if pool is None:
            pool = self.cands
        pool = np.array([v for v in pool.tolist() if v not in visited], dtype=np.int64)
        factor = 1.0 + noise * self.rng.random(len(pool)) if noise else None
        while len(pool):
            shift, delta = self.insertions(route, pool)
            feasible = np.isfinite(shift)
            if cheapest:
                value = -shift
            else:
                gain = self.inst.score[pool] ** 2
                if factor is not None:
                    gain = gain * factor
                value = np.where(feasible, gain[None, :] / np.maximum(shift, 1e-3)
                                 - 1e-9 * delta, -_INF)
            flat = int(np.argmax(value))
            p, j = divmod(flat, len(pool))
            if not feasible[p, j]:
                break
            nodes = [*route.nodes[:p], int(pool[j]), *route.nodes[p:]]
            new = self.evaluate(nodes)
            if new is not None:
                route = new
            # an insertion only delays what follows, so what does not fit now never will
            keep = np.asarray(feasible.any(axis=0))
            keep[j] = False
            pool = pool[keep]
            if factor is not None:
                factor = factor[keep]
        return route

    def replace(self, route: _Route) -> _Route:
        """Swap a visited stop for unvisited ones of a higher total score, while one exists."""
        improved = True
        while improved:
            improved = False
            visited = set(route.nodes)
            pool = np.array([v for v in self.cands.tolist() if v not in visited],
                            dtype=np.int64)
            if not len(pool):
                break
            for i, v in enumerate(route.nodes):
                if v in self.mandatory:
                    continue
                without = self.evaluate(route.nodes[:i] + route.nodes[i + 1 :])
                if without is None:
                    continue
                shift, _ = self.insertions(without, pool)
                gain = np.where(np.isfinite(shift).any(axis=0), self.inst.score[pool], -_INF)
                j = int(np.argmax(gain))
                if gain[j] > self.score[v] + 1e-9:
                    p = int(np.argmin(shift[:, j]))
                    nodes = [*without.nodes[:p], int(pool[j]), *without.nodes[p:]]
                    new = self.evaluate(nodes)
                    if new is not None:
                        route, improved = self.insert_greedy(new), True
                        break
        return route

    def remove(self, route: _Route, first: int, count: int) -> _Route:
        """Remove ``count`` stops from position ``first`` on (wrapping), sparing mandatory."""
        m = len(route.nodes)
        drop = {(first + i) % m for i in range(min(count, m))}
        nodes = [v for i, v in enumerate(route.nodes)
                 if i not in drop or v in self.mandatory]
        new = self.evaluate(nodes)
        return route if new is None else new

    def polish(self, route: _Route) -> _Route:
        """First-improvement 2-opt and or-opt on walking cost, keeping feasibility."""
        improved = True
        while improved:
            improved = False
            for nodes in itertools.chain(self._two_opt(route), self._or_opt(route)):
                new = self.evaluate(nodes)
                if new is not None and new.cost < route.cost - EPS:
                    route, improved = new, True
                    break
        return route

    def _path(self, route: _Route) -> list[int]:
        return [self.inst.s, *route.nodes, self.inst.e]

    def _two_opt(self, route: _Route) -> list[list[int]]:
        """Tours with one stretch reversed that walk less (before the window check)."""
        path, c = self._path(route), self.cost_rows
        fwd = [0.0]
        bwd = [0.0]
        for a, b in itertools.pairwise(path):
            fwd.append(fwd[-1] + c[a][b])
            bwd.append(bwd[-1] + c[b][a])
        m = len(route.nodes)
        out = []
        for i in range(1, m):  # reverse path[i..j]
            for j in range(i + 1, m + 1):
                inner = (bwd[j] - bwd[i]) - (fwd[j] - fwd[i])
                delta = (c[path[i - 1]][path[j]] + c[path[i]][path[j + 1]]
                         - c[path[i - 1]][path[i]] - c[path[j]][path[j + 1]] + inner)
                if delta < -EPS:
                    out.append(path[1:i] + path[i : j + 1][::-1] + path[j + 1 : -1])
        return out

    def _or_opt(self, route: _Route) -> list[list[int]]:
        """Tours with a stretch of 1-3 stops moved that walk less (before the window check)."""
        path, c = self._path(route), self.cost_rows
        m = len(route.nodes)
        out = []
        for length in (1, 2, 3):
            for i in range(1, m - length + 2):  # segment path[i : i + length]
                j = i + length
                seg = path[i:j]
                gain = c[path[i - 1]][seg[0]] + c[seg[-1]][path[j]] - c[path[i - 1]][path[j]]
                rest = path[:i] + path[j:]
                for q in range(len(rest) - 1):
                    if q == i - 1:
                        continue
                    a, b = rest[q], rest[q + 1]
                    delta = c[a][seg[0]] + c[seg[-1]][b] - c[a][b] - gain
                    if delta < -EPS:
                        out.append((rest[: q + 1] + seg + rest[q + 1 :])[1:-1])
        return out

    def initial(self) -> _Route | None:
        """The empty tour with the mandatory stops inserted (cheapest first)."""
        route = self.evaluate([])
        if route is None:
            return None
        required = [v for v in self.cands.tolist() if v in self.mandatory]
        if required:
            route = self.insert_greedy(route, pool=np.asarray(required, dtype=np.int64),
                                       cheapest=True)
            if len(route.nodes) < len(required):
                return None
        return route

    def window_key(self, v: int) -> float:
        """Where ``v`` falls in a time-ordered tour: the middle of its first usable window."""
        found = self.inst.window_start(v, float(self.inst.earliest[v]))
        if found is None:  # pragma: no cover - candidates all have a usable window
            return _INF
        _, early, late = found
        return max(early, float(self.inst.earliest[v])) if math.isinf(late) else (
            early + late) / 2

    def reorder(self, route: _Route) -> _Route:
        """Best subsequence of the tour merged with the unvisited stops in window order."""
        visited = set(route.nodes)
        keyed = [(t, 0, v) for t, v in zip(route.start, route.nodes, strict=True)]
        keyed += [(self.keys[v], 1, v) for v in self.cands.tolist() if v not in visited]
        seq = [v for _, _, v in sorted(keyed)]
        path = _ordered_dp(self.inst, seq, self.mandatory, self.cap)
        new = None if path is None else self.evaluate(path)
        return new if new is not None and new.key() > route.key() else route

    def improve(self, route: _Route) -> _Route:
        """Local search on a promising tour: reorder, shorten the walk, insert, replace."""
        route = self.reorder(route)
        return self.replace(self.insert_greedy(self.polish(route)))

    def run(self, route: _Route, *, deadline: float, iterations: int, stall: int) -> _Route:
        """Seed with time-ordered tours; then insert, shake, repeat; keep the best."""
        for v in self.cands.tolist():
            if v not in self.keys:
                self.keys[v] = self.window_key(v)
        seeds = [self.insert_greedy(route)]
        step = 0.0  # the longest DP so far: the clock may skip those that would end too late
        for key in (self.keys.__getitem__, lambda v: self.inst.win_early[v, 0],
                    lambda v: self.inst.win_late[v, 0]):
            begin = time.perf_counter()
            if begin + step > deadline:
                break
            path = _ordered_dp(self.inst, sorted(self.cands.tolist(), key=key),
                               self.mandatory, self.cap)
            step = max(step, time.perf_counter() - begin)
            seed = None if path is None else self.evaluate(path)
            if seed is not None:
                seeds.append(seed)
        best = current = max(seeds, key=_Route.key)
        if time.perf_counter() + 2 * step <= deadline:
            best = current = self.improve(best)
        since = 0
        rng = self.rng
        slowest = 0.0  # the longest iteration so far: none starts that could end too late
        for _ in range(iterations):
            begin = time.perf_counter()
            if since >= stall or begin + slowest > deadline:
                break
            if since and since % self.restart == 0:
                current = best
            m = len(current.nodes)
            if m:
                count = int(rng.integers(1, max(2, int(m * self.shake_fraction) + 1)))
                current = self.remove(current, int(rng.integers(m)), count)
            current = self.insert_greedy(current, noise=self.noise)
            if current.key() > best.key():
                current = self.improve(current)
                best, since = current, 0
            else:
                since += 1
            slowest = max(slowest, time.perf_counter() - begin)
        return best

