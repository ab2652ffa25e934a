"""Summaries of repeated measurements: median and interquartile range, never a lone mean; and ratio
intervals from the spread between processes (windows inside one process are correlated, so they
say how stable that process was, never how sure a comparison is)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

NOISY_IQR_RATIO = 0.10  # warn when IQR / median exceeds this


@dataclass(frozen=True)
class Summary:
    median: float
    q1: float
    q3: float
    n: int
    unit: str

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def noisy(self) -> bool:
        return self.n > 1 and self.median > 0 and self.iqr / self.median > NOISY_IQR_RATIO

    def to_json(self) -> dict[str, Any]:
        return {
            "median": self.median,
            "q1": self.q1,
            "q3": self.q3,
            "iqr": self.iqr,
            "n": self.n,
            "unit": self.unit,
            "noisy": self.noisy,
        }


def summarize(samples: Sequence[float], unit: str) -> Summary | None:
    """Median and quartiles (inclusive method) of the samples; None when there are none."""
    values = sorted(float(v) for v in samples)
    if not values:
        return None
    if len(values) == 1:
        return Summary(values[0], values[0], values[0], 1, unit)
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Summary(statistics.median(values), q1, q3, len(values), unit)


# Two-sided 97.5% quantiles of Student's t by degrees of freedom (the normal's beyond the table):
# a table, so that reading a report never imports scipy; tests check it against scipy.stats.
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
         10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110,
         18: 2.101, 19: 2.093, 20: 2.086, 22: 2.074, 24: 2.064, 26: 2.056, 28: 2.048, 30: 2.042,
         40: 2.021, 60: 2.000, 120: 1.980}  # fmt: skip


def t_975(df: float) -> float:
    """t's 97.5% quantile for `df` degrees of freedom, rounded down to the table (so never too narrow)."""
    if df < 1:
        return T_975[1]
    known = [d for d in T_975 if d <= df]
    return T_975[max(known)] if df <= 120 else 1.960


# The smallest difference called one: below 5% two figures are "about the same" whatever their interval
# says. A tight interval can exclude 1 for a 2% gap, but a gap that small changes with the machine, its
# kernel and what else ran (fresh VMs of one type differ by more), so no advice should rest on it.
MIN_EFFECT = 1.05


def negligible(ratio: float) -> bool:
    """Whether a ratio is below the minimum effect size, either way round."""
    return max(ratio, 1 / ratio) < MIN_EFFECT if ratio > 0 else False


@dataclass(frozen=True)
class RatioInterval:
    """How many times larger `a` is than `b`, with a 95% interval from the spread between processes.

    Each side is one steady-state figure per fresh process. When both ran in the same rounds the
    ratio is taken per round (the two processes ran back to back, under the same load) and the
    interval is a t-interval on the mean log ratio; otherwise a Welch t-interval on the difference
    of mean logs. The ratio is a ratio of geometric means.
    """

    ratio: float
    low: float
    high: float
    confidence: float
    n_a: int
    n_b: int
    paired: bool

    @property
    def within_noise(self) -> bool:
        """True when the interval does not exclude 1: the data cannot tell the two apart."""
        return self.low <= 1.0 <= self.high

    @property
    def about_the_same(self) -> bool:
        """Within noise, or a difference below the minimum effect size (MIN_EFFECT) however tight."""
        return self.within_noise or negligible(self.ratio)

    @property
    def method(self) -> str:
        if self.paired:
            return f"t-interval on the log ratios of {self.n_a} rounds (a fresh process per framework per round)"
        return f"Welch t-interval on log figures ({self.n_a} and {self.n_b} processes)"

    def to_json(self) -> dict[str, Any]:
        return {
            "ratio": self.ratio,
            "low": self.low,
            "high": self.high,
            "confidence": self.confidence,
            "within_noise": self.within_noise,
            "about_the_same": self.about_the_same,
            "processes": [self.n_a, self.n_b],
            "paired": self.paired,
        }


def ratio_interval(
    a: Sequence[float],
    b: Sequence[float],
    rounds_a: Sequence[int] | None = None,
    rounds_b: Sequence[int] | None = None,
) -> RatioInterval | None:
    """The 95% interval of a/b from per-process figures (see RatioInterval); None below two processes a side.

    `rounds_a` and `rounds_b` say which round each figure came from; rounds both sides ran pair up.
    """
    if any(v <= 0 for v in (*a, *b)):
        return None
    if rounds_a is not None and rounds_b is not None and len(rounds_a) == len(a) and len(rounds_b) == len(b):
        by_round_b = dict(zip(rounds_b, b, strict=True))
        pairs = [(x, by_round_b[r]) for r, x in zip(rounds_a, a, strict=True) if r in by_round_b]
        if len(pairs) >= 2:
            logs = [math.log(x / y) for x, y in pairs]
            mean, sd = statistics.fmean(logs), statistics.stdev(logs)
            half = t_975(len(logs) - 1) * sd / math.sqrt(len(logs))
            return RatioInterval(
                math.exp(mean), math.exp(mean - half), math.exp(mean + half), 0.95, len(pairs), len(pairs), True
            )
    if len(a) < 2 or len(b) < 2:
        return None
    log_a, log_b = [math.log(x) for x in a], [math.log(y) for y in b]
    va, vb = statistics.variance(log_a) / len(a), statistics.variance(log_b) / len(b)
    mean = statistics.fmean(log_a) - statistics.fmean(log_b)
    if va + vb == 0:
        return RatioInterval(math.exp(mean), math.exp(mean), math.exp(mean), 0.95, len(a), len(b), False)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = t_975(df) * math.sqrt(va + vb)
    return RatioInterval(math.exp(mean), math.exp(mean - half), math.exp(mean + half), 0.95, len(a), len(b), False)
