"""Summaries of repeated measurements: median and interquartile range, never a lone mean."""

from __future__ import annotations

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


@dataclass(frozen=True)
class RatioInterval:
    """How many times larger the median of `a` is than the median of `b`, with a bootstrap interval."""

    ratio: float
    low: float
    high: float
    confidence: float

    @property
    def within_noise(self) -> bool:
        """True when the interval does not exclude 1: the data cannot tell the two apart."""
        return self.low <= 1.0 <= self.high

    def to_json(self) -> dict[str, Any]:
        return {
            "ratio": self.ratio,
            "low": self.low,
            "high": self.high,
            "confidence": self.confidence,
            "within_noise": self.within_noise,
        }


def ratio_interval(
    a: Sequence[float], b: Sequence[float], confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> RatioInterval | None:
    """Percentile bootstrap of median(a) / median(b), resampling each group's samples independently.

    Deterministic for a given seed, so a report re-rendered from the same evidence says the same.
    None when either side has no samples or a median of zero.
    """
    import numpy as np

    a_values = np.asarray(a, dtype=float)
    b_values = np.asarray(b, dtype=float)
    if a_values.size == 0 or b_values.size == 0 or np.median(b_values) == 0:
        return None
    rng = np.random.default_rng(seed)
    a_medians = np.median(rng.choice(a_values, size=(resamples, a_values.size)), axis=1)
    b_medians = np.median(rng.choice(b_values, size=(resamples, b_values.size)), axis=1)
    valid = b_medians != 0
    ratios = a_medians[valid] / b_medians[valid]
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(ratios, [tail, 100 - tail])
    return RatioInterval(float(np.median(a_values) / np.median(b_values)), float(low), float(high), confidence)
