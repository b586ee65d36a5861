"""The exact methods of the solver: a DP over subsets and a label DP over a fixed order.

Both prove the optimum: the most score, then the least walking (see :mod:`redroute.solver`).
"""

from __future__ import annotations

import numpy as np

from redroute._solver_core import (
    _INF,
    EPS,
    BoolArray,
    FloatArray,
    IntArray,
    _Instance,
    _window_start,
)


def _pareto(key: IntArray, time_: FloatArray, cost: FloatArray) -> IntArray:
    """Indices of labels not dominated (time and cost both <=) by another of the same key.

    Labels that tie on time may both be kept; that costs a little work, never optimality.
    """
    if not len(key):
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(time_)
    order = order[np.argsort(key[order], kind="stable")]
    key = key[order]
    rank = np.empty(len(cost), dtype=np.int64)
    rank[np.argsort(cost[order])] = np.arange(len(cost))
    group = np.concatenate(([0], np.cumsum(key[1:] != key[:-1])))
    # Shift each group below the previous one so that one running minimum restarts per group.
    value = rank - group * len(cost)
    running = np.minimum.accumulate(value)
    previous = np.concatenate(([np.iinfo(np.int64).max], running[:-1]))
    return order[value < previous]  # type: ignore[no-any-return]


def _exact(inst: _Instance, cands: list[int], *, required: frozenset[int],
           fixed: bool = False) -> list[int] | None:
    """The best tour over ``cands`` (visiting all of ``required``), or ``None``.

    With ``fixed`` the stops must keep the order of ``cands``.
    """
    if fixed:
        return _exact_fixed(inst, cands, required)
    return _SubsetDP(inst, cands, required).run()


class _SubsetDP:
    """Labels per (subset, last stop), Pareto on (finish time, walking), layer by layer."""

    def __init__(self, inst: _Instance, cands: list[int], required: frozenset[int]) -> None:
        self.inst = inst
        self.idx = idx = np.asarray(cands, dtype=np.int64)
        k = self.k = len(cands)
        self.travel = inst.travel[np.ix_(idx, idx)]
        self.cost = inst.cost[np.ix_(idx, idx)]
        self.early, self.late = inst.win_early[idx][None], inst.win_late[idx][None]
        self.back_t, self.back_c = inst.travel[idx, inst.e], inst.cost[idx, inst.e]
        self.bits = np.left_shift(1, np.arange(k, dtype=np.int64))
        self.need = int(sum(1 << cands.index(v) for v in required))
        masks = np.arange(1 << k, dtype=np.int64)
        self.mask_score = np.zeros(1 << k)
        for j in range(k):
            self.mask_score[(masks & self.bits[j]) != 0] += inst.score[idx[j]]
        self.deadline, self.max_cost = inst.deadline + EPS, inst.max_cost + EPS

    def _extend(self, time_: FloatArray, cost: FloatArray, last: IntArray | None
                ) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Finish, cost and feasibility of every label followed by every stop."""
        inst, idx = self.inst, self.idx
        if last is None:  # from the start node
            arrival = (inst.t0 + inst.travel[inst.s, idx])[None, :]
            cost2 = inst.cost[inst.s, idx][None, :]
        else:
            arrival = time_[:, None] + self.travel[last]
            cost2 = cost[:, None] + self.cost[last]
        start = _window_start(self.early, self.late, arrival)
        finish = start + inst.duration[idx]
        ok = (np.isfinite(start) & (finish + inst.to_end[idx] <= self.deadline)
              & (cost2 + inst.cost_to_end[idx] <= self.max_cost))
        return finish, cost2, ok

    def _best_done(self, mask: IntArray, time_: FloatArray, cost: FloatArray,
                   last: IntArray) -> tuple[float, float, int] | None:
        """(score, walking, label) of the best label that can end the tour now."""
        total = cost + self.back_c[last]
        done = ((time_ + self.back_t[last] <= self.deadline) & (total <= self.max_cost)
                & ((mask & self.need) == self.need))
        if not done.any():
            return None
        score = np.where(done, self.mask_score[mask], -_INF)
        pick = np.flatnonzero(done & (score >= _tied(float(score.max()))))
        i = int(pick[np.argmin(total[pick])])
        return float(score[i]), float(total[i]), i

    def run(self) -> list[int] | None:
        inst = self.inst
        best: tuple[float, float, int, int] | None = None  # score, cost, layer, label
        if inst.empty_feasible and self.need == 0:
            best = (0.0, float(inst.cost[inst.s, inst.e]), -1, -1)
        finish, cost, ok = self._extend(np.zeros(1), np.zeros(1), None)
        last = np.flatnonzero(ok[0]).astype(np.int64)
        mask, time_, cost = self.bits[last], finish[0, last], cost[0, last]
        layers: list[tuple[IntArray, IntArray]] = [(last, np.full(len(last), -1))]
        while len(last):
            done = self._best_done(mask, time_, cost, last)
            if done is not None and (best is None or _better(done[:2], best[:2])):
                best = (done[0], done[1], len(layers) - 1, done[2])
            mask, time_, cost, last, parents = self._grow(mask, time_, cost, last)
            layers.append((last, parents))
        if best is None:
            return None
        _, _, layer, i = best
        path: list[int] = []
        while layer >= 0:
            lasts, parents = layers[layer]
            path.append(int(self.idx[lasts[i]]))
            i, layer = int(parents[i]), layer - 1
        return path[::-1]


    def _grow(self, mask: IntArray, time_: FloatArray, cost: FloatArray,
              last: IntArray) -> tuple[IntArray, FloatArray, FloatArray, IntArray, IntArray]:
        """One more stop on every label: the Pareto-best (subset, last stop) labels of the
        next layer, with the row of the label each one extends."""
        finish, cost2, ok = self._extend(time_, cost, last)
        ok &= (mask[:, None] & self.bits[None, :]) == 0
        rows, cols = np.nonzero(ok)
        new_mask = mask[rows] | self.bits[cols]
        keep = _pareto(new_mask * self.k + cols, finish[rows, cols], cost2[rows, cols])
        rows, cols = rows[keep], cols[keep]
        return (new_mask[keep], finish[rows, cols], cost2[rows, cols], cols.astype(np.int64),
                rows.astype(np.int64))

    def table(self) -> tuple[FloatArray, list[list[int] | None]]:
        """The least walking of a complete tour over exactly each subset (``inf``: none).

        Returns ``(cost, path)``: ``cost[mask]`` for every subset of the candidates (bit ``j``
        for ``cands[j]``), and ``path[mask]``, that tour's stops in order (``None`` when no
        tour visits exactly that subset). ``required`` is ignored: the caller filters.
        """
        inst, size = self.inst, 1 << self.k
        best = np.full(size, _INF)
        where: list[tuple[int, int] | None] = [None] * size
        if inst.empty_feasible:
            best[0] = float(inst.cost[inst.s, inst.e])
            where[0] = (-1, -1)
        finish, cost, ok = self._extend(np.zeros(1), np.zeros(1), None)
        last = np.flatnonzero(ok[0]).astype(np.int64)
        mask, time_, cost = self.bits[last], finish[0, last], cost[0, last]
        layers: list[tuple[IntArray, IntArray]] = [(last, np.full(len(last), -1))]
        while len(last):
            total = cost + self.back_c[last]
            done = np.flatnonzero((time_ + self.back_t[last] <= self.deadline)
                                  & (total <= self.max_cost))
            if len(done):
                order = done[np.lexsort((total[done], mask[done]))]
                first = order[np.concatenate(([True], mask[order][1:] != mask[order][:-1]))]
                for i in first.tolist():
                    mk = int(mask[i])
                    if total[i] < best[mk] - EPS:
                        best[mk], where[mk] = float(total[i]), (len(layers) - 1, i)
            mask, time_, cost, last, parents = self._grow(mask, time_, cost, last)
            layers.append((last, parents))
        paths: list[list[int] | None] = []
        for spot in where:
            if spot is None:
                paths.append(None)
                continue
            layer, i = spot
            path: list[int] = []
            while layer >= 0:
                lasts, parents = layers[layer]
                path.append(int(self.idx[lasts[i]]))
                i, layer = int(parents[i]), layer - 1
            paths.append(path[::-1])
        return best, paths


def _tied(score: float) -> float:
    """The lowest score that counts as equal to ``score`` (sums of floats differ in ulps)."""
    return score - 1e-9 * max(1.0, abs(score))


def _better(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether (score, walking) ``a`` beats ``b``: more score, or as much and less walking."""
    if a[0] < _tied(b[0]):
        return False
    return a[0] > b[0] + 1e-9 * max(1.0, abs(b[0])) or a[1] < b[1]


_Label = tuple[int, float, float, float, int]  # position, finish, cost, score, parent


def _exact_fixed(inst: _Instance, cands: list[int], required: frozenset[int]) -> list[int] | None:
    """Best subsequence of ``cands`` (kept in order) that contains ``required``.

    Labels per last position are Pareto on (finish, walking, score): exact.
    """
    m = len(cands)
    next_required = [m] * (m + 1)  # first required position at or after p
    for p in range(m - 1, -1, -1):
        next_required[p] = p if cands[p] in required else next_required[p + 1]
    labels: list[_Label] = [(-1, inst.t0, 0.0, 0.0, -1)]
    for q in range(m):
        new = [lab for li in range(len(labels))
               if next_required[labels[li][0] + 1] >= q
               and (lab := _step(inst, cands, labels[li], li, q)) is not None]
        new.sort(key=lambda x: (x[1], x[2], -x[3]))
        kept: list[_Label] = []
        for lab in new:
            if not any(o[1] <= lab[1] and o[2] <= lab[2] and o[3] >= lab[3] for o in kept):
                kept.append(lab)
        labels.extend(kept)
    best: tuple[float, float] | None = None
    best_label = -1
    for li, (p, fin, cost, sc, _) in enumerate(labels):
        u = inst.s if p < 0 else cands[p]
        total = cost + inst.cost[u, inst.e]
        if (next_required[p + 1] == m and fin + inst.travel[u, inst.e] <= inst.deadline + EPS
                and total <= inst.max_cost + EPS and (best is None or _better((sc, total), best))):
            best, best_label = (sc, total), li
    if best is None:
        return None
    path: list[int] = []
    while labels[best_label][0] >= 0:
        path.append(cands[labels[best_label][0]])
        best_label = labels[best_label][4]
    return path[::-1]


def _step(inst: _Instance, cands: list[int], label: _Label, li: int, q: int) -> _Label | None:
    """``label`` followed by the stop at position ``q``, or ``None`` if that breaks a limit."""
    p, fin, cost, sc, _ = label
    u, v = (inst.s if p < 0 else cands[p]), cands[q]
    found = inst.window_start(v, fin + inst.travel[u, v])
    if found is None:
        return None
    fin2 = found[0] + inst.duration[v]
    cost2 = cost + inst.cost[u, v]
    if (fin2 + inst.to_end[v] > inst.deadline + EPS
            or cost2 + inst.cost_to_end[v] > inst.max_cost + EPS):
        return None
    return (q, fin2, cost2, sc + inst.score[v], li)

