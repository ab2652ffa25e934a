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
