"""Evidence from several machines side by side, as the comparison (advisor/scoring/compare.py) found it.

The tables are pandas DataFrames: the environment (fields by machine, as text), every figure (its key by
machine; NaN where a machine has none) and each speed figure over the baseline's on the same machine.
Everything a page says about a cell is worked out once, by the comparison, and kept here: why each
missing figure is missing, which ratios set one device against another, each metric's unit, and which
environment fields differ. The terminal tables and the page (advisor/report/compare.py) only read it.

Format history:
  advisor-compare/1  the machines, the environment by field, the versions that differ, every figure with
                     its unit and why a missing one is missing, and the ratios to the baseline with the
                     machines where a ratio is not like for like.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advisor.records.team import Machine

COMPARE_FORMAT = "advisor-compare/1"
KEY = ["kind", "model", "case", "metric", "variant"]  # a figure's key: its row in `figures` and `ratios`

Cell = tuple[tuple[Any, ...], str]  # (a figure's key, a machine's label)


@dataclass(frozen=True)
class Comparison:
    machines: tuple[Machine, ...]
    baseline: str
    environment: Any  # DataFrame: rows are fields, columns machine labels, values text
    figures: Any  # DataFrame: index KEY, columns machine labels; NaN where a machine has no figure
    ratios: Any  # DataFrame: index KEY (speed only, baseline rows left out); value / baseline's
    missing: Mapping[Cell, str]  # every missing figure -> why it is missing
    devices: Mapping[Cell, str]  # a ratio whose framework and baseline ran on different devices -> which
    units: Mapping[str, str]  # metric -> its unit ("" for none)
    differing: tuple[str, ...]  # the environment's fields that differ between machines

    @property
    def labels(self) -> list[str]:
        return [m.label for m in self.machines]

    def why_missing(self, key: tuple[Any, ...], label: str) -> str:
        return self.missing[(key, label)]

    def mixed_devices(self, key: tuple[Any, ...], label: str) -> str | None:
        """'the GPU against the CPU' when this ratio's framework and the baseline ran on different devices."""
        return self.devices.get((key, label))

    def unit(self, metric: str) -> str:
        return self.units.get(metric, "")

    def version_differences(self) -> list[tuple[str, dict[str, str]]]:
        """Packages whose version (or presence) differs between machines."""
        rows = [f for f in self.differing if f.startswith("version: ")]
        return [(f.removeprefix("version: "), dict(self.environment.loc[f])) for f in rows]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": COMPARE_FORMAT,
            "baseline": self.baseline,
            "machines": [
                {"label": m.label, "source": m.source, "hostname": m.hostname, "created_at": m.evidence.created_at}
                for m in self.machines
            ],
            "environment": {
                field: {label: row[label] for label in self.labels} for field, row in self.environment.iterrows()
            },
            "version_differences": [{"package": p, "versions": v} for p, v in self.version_differences()],
            "figures": [
                {
                    **dict(zip(KEY, key, strict=True)),
                    "unit": self.unit(key[3]),
                    "values": {label: _json_value(row[label]) for label in self.labels},
                    "missing": {label: self.why_missing(key, label) for label in self.labels if is_missing(row[label])},
                }
                for key, row in self.figures.iterrows()
            ],
            "ratios_to_baseline": [
                {
                    **dict(zip(KEY, key, strict=True)),
                    "values": {label: _json_value(row[label]) for label in self.labels},
                    "not_like_for_like": {
                        label: devices for label in self.labels if (devices := self.mixed_devices(key, label))
                    },
                }
                for key, row in self.ratios.iterrows()
            ],
        }


def is_missing(value: Any) -> bool:
    """True for a figure a machine has not recorded (NaN in the tables, None in JSON)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _json_value(value: Any) -> Any:
    if is_missing(value):
        return None
    return value.item() if hasattr(value, "item") else value
