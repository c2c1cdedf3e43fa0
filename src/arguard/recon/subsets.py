"""Which of a customer's open items add up to a payment: a bounded subset-sum search.

Amounts are integer minor units. The search looks at the oldest `max_items` items only, stops after
`node_limit` steps, and reports at most `max_solutions` subsets, so that a caller can tell a unique
answer from an ambiguous one. Found subsets are returned oldest-first.
"""

from __future__ import annotations

import numpy as np

PROOF_FROM = 12
"""From this many items a search without an answer is costly: first prove that an answer exists."""


def any_subset_sum(values: list[int], low: int, high: int) -> bool:
    """Whether some subset (any size, the empty one included) sums into [low, high]: all sums of each half
    (meet in the middle, 2 × 2^(n/2) sums), then for each left sum a binary search among the right sums."""
    half = len(values) // 2
    left, right = _all_sums(values[:half]), np.sort(_all_sums(values[half:]))
    at = np.searchsorted(right, low - left, side="left")
    inside = at < len(right)
    return bool(np.any(right[np.minimum(at, len(right) - 1)][inside] <= (high - left)[inside]))


def _all_sums(values: list[int]) -> np.ndarray:
    sums = np.zeros(1, dtype=np.int64)
    for v in values:
        sums = np.concatenate([sums, sums + v])
    return sums


def find_subsets(amounts: list[int], low: int, high: int, *, min_size: int = 2, max_items: int = 24,
                 node_limit: int = 40_000, max_solutions: int = 2) -> tuple[list[tuple[int, ...]], bool]:
    """Subsets (tuples of positions in `amounts`) whose sum lies in [low, high].

    Only positive amounts take part. Returns (solutions, complete): `complete` is False when the
    node limit cut the search short, so that absence of a second solution proves nothing.
    """
    pool = [(a, i) for i, a in enumerate(amounts[:max_items]) if 0 < a <= high]
    pool.sort(reverse=True)
    values = [a for a, _ in pool]
    if len(values) >= PROOF_FROM and not any_subset_sum(values, low, high):
        return [], True     # proven: no subset at all lands in [low, high] (the search would only time out)
    suffix = [0] * (len(values) + 1)
    for k in range(len(values) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + values[k]
    solutions: list[tuple[int, ...]] = []
    nodes = 0
    chosen: list[int] = []

    def walk(k: int, total: int) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > node_limit:
            return False
        if low <= total <= high and len(chosen) >= min_size:
            solutions.append(tuple(sorted(pool[j][1] for j in chosen)))
            if len(solutions) >= max_solutions:
                return False
        if k == len(values) or total + suffix[k] < low:
            return True
        for j in range(k, len(values)):
            if total + values[j] > high:
                continue
            if total + suffix[j] < low:
                break
            chosen.append(j)
            go_on = walk(j + 1, total + values[j])
            chosen.pop()
            if not go_on:
                return False
        return True

    complete = walk(0, 0)
    return solutions, complete and nodes <= node_limit
