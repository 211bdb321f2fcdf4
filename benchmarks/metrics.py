"""Pure arithmetic of the benchmark: rates, the holdout cut-off, sampling.

Nothing here reads the disk or the network, so the unit tests can check it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

# Member mtimes before this are placeholders (0, 1980 zip epochs, reproducible
# builds' SOURCE_DATE_EPOCH), not when the package was made.
EARLIEST_MTIME = datetime(2010, 1, 1, tzinfo=UTC).timestamp()

FLAGGED = frozenset({"suspicious", "malicious"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Tally:
    """How one set of artifacts was judged."""

    artifacts: int
    suspicious: int
    malicious: int
    errors: int  # artifacts whose verdict is ``error``

    @property
    def flagged(self) -> int:
        """Artifacts judged suspicious or malicious."""
        return self.suspicious + self.malicious

    @property
    def rate_flagged(self) -> float:
        """Share judged suspicious or malicious: recall on malware, FP rate on benign."""
        return ratio(self.flagged, self.artifacts)

    @property
    def rate_malicious(self) -> float:
        """Share judged malicious."""
        return ratio(self.malicious, self.artifacts)


def ratio(part: float, whole: float) -> float:
    """``part / whole``, 0.0 for an empty whole."""
    return part / whole if whole else 0.0


def tally(verdicts: Iterable[str]) -> Tally:
    """Count verdicts (``clean``, ``suspicious``, ``malicious``, ``error``).

    Errors stay in the denominator: an artifact the scanner could not judge is
    a miss on malware and not a false positive on benign code.
    """
    counts = {"clean": 0, "suspicious": 0, "malicious": 0, "error": 0}
    total = 0
    for verdict in verdicts:
        total += 1
        counts[verdict] = counts.get(verdict, 0) + 1
    return Tally(
        artifacts=total,
        suspicious=counts["suspicious"],
        malicious=counts["malicious"],
        errors=counts["error"],
    )


def plausible_mtime(mtime: float, now: float) -> bool:
    """Whether a member's mtime can be when it was made (not 0, not a 1980 default, not future)."""
    return EARLIEST_MTIME <= mtime <= now + 86_400


def newest_plausible(mtimes: Iterable[float], now: float) -> float | None:
    """The newest plausible mtime, or None when no member has one."""
    best: float | None = None
    for mtime in mtimes:
        if plausible_mtime(mtime, now) and (best is None or mtime > best):
            best = mtime
    return best


def cutoff_for_fraction(dates: Iterable[float], fraction: float) -> datetime:
    """A UTC midnight such that about ``fraction`` of ``dates`` fall on or after it.

    The date is rounded down to the day so the cut-off can be written as a
    fixed constant in the code.
    """
    ordered = sorted(dates)
    if not ordered:
        raise ValueError("no dates")
    index = min(len(ordered) - 1, max(0, round(len(ordered) * (1.0 - fraction))))
    day = datetime.fromtimestamp(ordered[index], tz=UTC)
    return day.replace(hour=0, minute=0, second=0, microsecond=0)


def split_of(date: float | None, cutoff: datetime) -> str:
    """``holdout`` for dates on or after the cut-off, else ``train`` (undated included)."""
    if date is not None and date >= cutoff.timestamp():
        return "holdout"
    return "train"


def stratified_sample(
    strata: Mapping[str, Sequence[str]], sizes: Mapping[str, int], seed: int
) -> dict[str, list[str]]:
    """A reproducible random sample of each stratum, ``sizes[name]`` items (all if fewer).

    Items are sorted first so the sample depends on the seed and the items
    only, not on the order the disk listed them in.
    """
    rng = random.Random(seed)  # noqa: S311 - a benchmark sample, not a secret
    chosen: dict[str, list[str]] = {}
    for name in sorted(strata):
        items = sorted(strata[name])
        size = sizes.get(name, len(items))
        chosen[name] = sorted(rng.sample(items, size)) if size < len(items) else items
    return chosen


def proportional_sizes(counts: Mapping[str, int], total: int) -> dict[str, int]:
    """Split ``total`` over strata in proportion to ``counts`` (largest remainders)."""
    whole = sum(counts.values())
    if whole == 0:
        return dict.fromkeys(counts, 0)
    if total >= whole:
        return dict(counts)
    exact = {k: total * v / whole for k, v in counts.items()}
    sizes = {k: int(x) for k, x in exact.items()}
    left = total - sum(sizes.values())
    for k in sorted(exact, key=lambda k: (sizes[k] - exact[k], k))[:left]:
        sizes[k] += 1
    return sizes


def throughput(count: float, seconds: float) -> float:
    """``count`` per second, 0.0 for no time."""
    return ratio(count, seconds)


def median_index(values: Sequence[float]) -> int:
    """Index of the median of ``values``: the lower of the middle two for an even count."""
    if not values:
        raise ValueError("no values")
    order = sorted(range(len(values)), key=values.__getitem__)
    return order[(len(values) - 1) // 2]


def per_run_multiples(
    runs: Sequence[tuple[Sequence[float], Sequence[float]]],
) -> list[float]:
    """Each repeat's whole-set multiple of the floor.

    ``runs`` holds, for each set, (depvet's seconds per repeat, the floor's seconds
    per repeat). Repeat ``i``'s multiple is the sum of every set's depvet time in
    that repeat over the sum of their floor times in it.
    """
    counts = {len(d) for d, f in runs} | {len(f) for d, f in runs}
    if len(counts) > 1:
        raise ValueError("every set needs the same number of repeats")
    repeats = counts.pop() if counts else 0
    return [ratio(sum(d[i] for d, _ in runs), sum(f[i] for _, f in runs)) for i in range(repeats)]


def estimated_seconds(
    sampled: Mapping[str, tuple[float, int]], population: Mapping[str, int]
) -> float:
    """Seconds a tool would take on whole sets, from its time on a sample of each.

    ``sampled`` maps each set to (seconds taken, artifacts scanned); ``population``
    to the set's full size. Each set's time per artifact is scaled to its full
    size: the stratified estimate of the whole run. Fixed costs in a sample's
    time (a tool's start-up) are scaled too, so the estimate errs high.
    """
    return sum(
        seconds * population[name] / count for name, (seconds, count) in sampled.items() if count
    )
