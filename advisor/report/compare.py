"""Machines side by side, shown: view models of a Comparison, as three terminal tables or a page.

Every cell is text made here; a missing figure says why, a ratio between devices says so, as the
comparison found (advisor/scoring/compare.py made the record, advisor/records/compare.py). Writing the
page and its JSON is the edge's (advisor/teams.py `write_compare_page`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor.records.compare import Comparison, is_missing
from probes.variants import label as variant_label

if TYPE_CHECKING:  # rich loads when a comparison is printed
    from rich.console import Console

RATIO_READING = "for samples/s above 1× is faster; for seconds, ms and MB above 1× is more"


@dataclass(frozen=True)
class Cell:
    text: str
    missing: bool
    reason: str = ""  # why a figure is missing


@dataclass(frozen=True)
class EnvironmentRow:
    field: str
    values: list[str]  # one per machine
    differs: bool


@dataclass(frozen=True)
class FigureRow:
    kind: str
    where: str  # model and case
    metric: str
    framework: str
    cells: list[Cell]  # one per machine


@dataclass(frozen=True)
class RatioRow:
    where: str
    metric: str
    framework: str
    cells: list[Cell]


@dataclass(frozen=True)
class ComparisonRows:
    environment: list[EnvironmentRow]
    figures: list[FigureRow]
    ratios: list[RatioRow]


@dataclass(frozen=True)
class CompareView(ComparisonRows):
    """What the page (reports/compare.html) and the team pages' machine tables show."""

    labels: list[str]
    baseline: str
    ratio_reading: str
    sources: list[tuple[str, str]]  # (machine, file)
    version_differences: list[tuple[str, str]]  # (package, "version on machine, ...")


def format_value(value: Any, unit: str = "") -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        v = float(value)
        text = f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}" if abs(v) >= 1 else f"{v:.3g}"
        return f"{text} {unit}".strip()
    return str(value)


def view_rows(comparison: Comparison) -> ComparisonRows:
    """Rows for templates and the terminal: text per cell, and whether it is missing or differs."""
    differing = set(comparison.differing)
    environment = [
        EnvironmentRow(field, [row[label] for label in comparison.labels], field in differing)
        for field, row in comparison.environment.iterrows()
    ]
    figures = [
        FigureRow(key[0], _where(key), key[3], variant_label(key[4]), _figure_cells(comparison, key, row))
        for key, row in comparison.figures.iterrows()
    ]
    ratios = [
        RatioRow(_where(key), key[3], variant_label(key[4]), _ratio_cells(comparison, key, row))
        for key, row in comparison.ratios.iterrows()
    ]
    return ComparisonRows(environment, figures, ratios)


def _where(key: tuple) -> str:
    """A figure's model and case, as one label."""
    return f"{key[1]} {key[2]}".strip()


def _figure_cells(comparison: Comparison, key: tuple, row: Any) -> list[Cell]:
    cells = []
    for label in comparison.labels:
        if is_missing(row[label]):
            cells.append(Cell("missing", True, comparison.why_missing(key, label)))
        else:
            cells.append(Cell(format_value(row[label], comparison.unit(key[3])), False))
    return cells


def _ratio_cells(comparison: Comparison, key: tuple, row: Any) -> list[Cell]:
    cells = []
    for label in comparison.labels:
        if is_missing(row[label]):
            cells.append(Cell("missing", True))
            continue
        devices = comparison.mixed_devices(key, label)
        cells.append(Cell(f"{row[label]:.2f}×" + (f" ({devices}: not like for like)" if devices else ""), False))
    return cells


def page_view(comparison: Comparison) -> CompareView:
    rows = view_rows(comparison)
    return CompareView(
        environment=rows.environment,
        figures=rows.figures,
        ratios=rows.ratios,
        labels=comparison.labels,
        baseline=variant_label(comparison.baseline),
        ratio_reading=RATIO_READING,
        sources=[(m.label, m.source) for m in comparison.machines],
        version_differences=[
            (package, ", ".join(f"{v} on {label}" for label, v in versions.items()))
            for package, versions in comparison.version_differences()
        ],
    )


def print_comparison(comparison: Comparison, console: Console) -> None:
    """Three Rich tables: environment (differences marked), figures (missing marked), ratios."""
    from rich.table import Table
    from rich.text import Text

    def cell(value: str) -> Text:  # evidence files are untrusted: their strings are never markup
        return Text(str(value))

    rows = view_rows(comparison)
    env = Table(title="Machines", title_justify="left")
    env.add_column("")
    for label in comparison.labels:
        env.add_column(cell(label), overflow="fold")
    env.add_column("")
    for row in rows.environment:
        env.add_row(cell(row.field), *map(cell, row.values), "differs" if row.differs else "")
    console.print(env)
    figures = Table(title="Figures (medians; missing means this machine has no such figure)", title_justify="left")
    for name in ("figure", "metric", "framework"):
        figures.add_column(name)
    for label in comparison.labels:
        figures.add_column(cell(label), justify="right")
    for row in rows.figures:
        cells = [f"missing ({c.reason})" if c.missing else c.text for c in row.cells]
        figures.add_row(*map(cell, [f"{row.kind} {row.where}".strip(), row.metric, row.framework, *cells]))
    console.print(figures)
    baseline = variant_label(comparison.baseline)
    ratios = Table(title=f"Each figure ÷ {baseline}'s on the same machine ({RATIO_READING})", title_justify="left")
    for name in ("model", "metric", "framework"):
        ratios.add_column(name)
    for label in comparison.labels:
        ratios.add_column(cell(label), justify="right")
    for row in rows.ratios:
        ratios.add_row(*map(cell, [row.where, row.metric, row.framework, *(c.text for c in row.cells)]))
    console.print(ratios)


def compare_page(comparison: Comparison) -> tuple[str, dict[str, Any]]:
    """The page (reports/compare.html, self-contained) and the data it shows, for the edge to write."""
    from advisor.report.page import embedded_json, render_page

    data = comparison.to_json()
    return render_page("compare.html", view=page_view(comparison), data_json=embedded_json(data)), data
