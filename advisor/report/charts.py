"""Inline SVG charts: plain markup built from numbers, every label escaped, readable without colour.

Each chart is a <figure> whose caption is its visible title; the SVG keeps the same text as its
accessible name. Columns are sized from their longest text, so no figure is cut off; the SVG is
drawn at its natural size and only scales down (phones), never up.

On a phone (390 px, about 366 px for the chart) a chart is scaled by 366 over its natural width,
and its text with it: so the charts are laid out narrow (a bar's label above the bar rather than
beside it, NATURAL_PX wide), and each SVG carries a minimum width at which its text is still
MIN_TEXT_PX; a chart wider than a phone can show at that size scrolls inside its figure (which then
takes keyboard focus) instead of shrinking its text below it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

FONT_PX = 13  # chart text, in SVG units: one CSS pixel at natural size
MIN_TEXT_PX = 9  # no chart text is ever rendered smaller than this (the SVG's min-width)
NATURAL_PX = 440  # a bar chart's natural width: at 366 px on a phone its text is 10.8 px
PHONE_CHART_PX = 366  # a 390 px phone's width less the page's padding
LINE_PX = 15  # one line of chart text
BAR_PX, ROW_GAP_PX, PAD_PX, GAP_PX = 14, 10, 8, 6
MIN_PLOT_PX = 200  # the bars' own width, however long the texts beside them
PALETTE_SIZE = 5  # report.css defines --bar-0 to --bar-4, light and dark


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    low: float | None = None  # whisker: first quartile
    high: float | None = None  # whisker: third quartile
    note: str = ""
    series: int | None = None  # the colour: the same series keeps its colour in every chart; None: by position


@dataclass(frozen=True)
class TradeOffColumn:
    """One framework in the trade-off chart: its name, its weighted total and its colour."""

    label: str
    total: float
    series: int | None = None


@dataclass(frozen=True)
class TradeOffRow:
    """One criterion (or several merged): its share of the weight and each column's score, 0 to 10."""

    label: str
    weight: float
    scores: tuple[float, ...]


def variant_series(variant_id: str) -> int | None:
    """A framework variant's colour: its place in VARIANTS, so it looks the same in every chart of the report.

    A named option (torch.compile) takes the colour of the variant it is an option of: the same
    framework; its label says which.
    """
    from probes.variants import VARIANTS

    variant = VARIANTS.get(variant_id)
    if variant is None:
        return None
    ids = [v for v in VARIANTS if VARIANTS[v].candidate]
    return ids.index(variant.option_of or variant_id)


def _figure(title: str, width: float, height: float, body: list[str]) -> Markup:
    """The <figure>: caption, then the SVG at its natural size with a floor under its text size."""
    width, height = round(width), round(height)
    title_id = f"t-{_slug(title)}"
    min_width = math.ceil(width * MIN_TEXT_PX / FONT_PX)
    focus = ' tabindex="0"' if min_width > PHONE_CHART_PX else ""  # it may scroll on a phone: reachable by keyboard
    return Markup(  # the caption names the chart (aria-labelledby): no second copy of the title inside the SVG
        f'<figure class="chart-figure"{focus}><figcaption id="{title_id}">{escape(title)}</figcaption>'
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="min-width:{min_width}px" aria-labelledby="{title_id}">' + "".join(body) + "</svg></figure>"
    )


def bar_chart(title: str, bars: Sequence[Bar], unit: str, width: int = NATURAL_PX) -> Markup:
    """Horizontal bars, each with its label above it, optional IQR whiskers, and its figures after its end.

    `width` is the chart's natural width; it grows when a label or the bars with their texts need more room.
    """
    if not bars:
        return Markup("")
    values = [f"{_fmt(bar.value)} {unit}" + (f" {bar.note}" if bar.note else "") for bar in bars]
    value_w = max(text_width(text) for text in values) + GAP_PX
    plot_w = max(MIN_PLOT_PX, width - 2 * PAD_PX - value_w)
    width = round(max(2 * PAD_PX + plot_w + value_w, 2 * PAD_PX + max(text_width(bar.label) for bar in bars)))
    top = max(max(b.high or b.value for b in bars), 1e-12)
    row = LINE_PX + BAR_PX + ROW_GAP_PX
    height = PAD_PX + row * len(bars)
    parts = []
    for i, (bar, text) in enumerate(zip(bars, values, strict=True)):
        y = PAD_PX + i * row
        bar_y = y + LINE_PX + 2
        mid = bar_y + BAR_PX / 2
        w = max(1.0, plot_w * bar.value / top)
        end = w
        colour = (bar.series if bar.series is not None else i) % PALETTE_SIZE
        parts.append(f'<text x="{PAD_PX}" y="{y + LINE_PX - 3}" class="chart-label">{escape(bar.label)}</text>')
        parts.append(f'<rect x="{PAD_PX}" y="{bar_y}" width="{w:.1f}" height="{BAR_PX}" class="bar bar-{colour}"/>')
        if bar.low is not None and bar.high is not None:
            x1 = PAD_PX + plot_w * bar.low / top
            x2 = PAD_PX + plot_w * bar.high / top
            end = max(end, x2 - PAD_PX)
            span = x2 - x1  # the IQR: a line with a tick at each end, in relative steps
            parts.append(f'<path d="M{x1:.1f},{mid - 6:g}v12m0,-6h{span:.1f}m0,-6v12" class="whisker"/>')
        parts.append(
            f'<text x="{PAD_PX + end + GAP_PX:.0f}" y="{mid + FONT_PX / 3:.0f}" class="chart-value">'
            f"{escape(text)}</text>"
        )
    return _figure(title, width, height, parts)


TRADE_LABEL_PX = 150  # the criteria's column: a longer name wraps onto another line
TRADE_BAR_PX = 48  # the heaviest criterion's track: the most it could add to a total
TRADE_VALUE = "0.00"  # the widest value a cell prints (points added to the total, of 10)


def trade_off_chart(title: str, columns: Sequence[TradeOffColumn], rows: Sequence[TradeOffRow]) -> Markup:
    """Small multiples: a column per framework (named, with its total), a row per criterion (with its weight).

    Each cell's bar is the points that criterion adds to the framework's total (weight × score); the
    pale track behind it is the most it could add at that weight (weight × 10), so a long track is a
    criterion the user weighs heavily and a short bar on a long track a framework that loses there.
    The points are printed after each track, so neither colour nor length alone carries them.
    """
    if not columns or not rows:
        return Markup("")
    value_w = text_width(TRADE_VALUE)
    widest_word = max(text_width(word) for c in columns for word in c.label.split())
    col_w = max(TRADE_BAR_PX + GAP_PX + value_w, widest_word) + 2 * GAP_PX
    header_lines = [_wrap(c.label, col_w - 2 * GAP_PX) for c in columns]
    head_h = LINE_PX * (max(len(lines) for lines in header_lines) + 1) + GAP_PX
    labels = [_wrap(f"{r.label} {100 * r.weight:.0f}%", TRADE_LABEL_PX - GAP_PX) for r in rows]
    width = PAD_PX + TRADE_LABEL_PX + col_w * len(columns) + PAD_PX
    heaviest = max(max(r.weight for r in rows), 1e-12)
    parts = []
    for j, (column, lines) in enumerate(zip(columns, header_lines, strict=True)):
        x = PAD_PX + TRADE_LABEL_PX + j * col_w + GAP_PX
        for k, line in enumerate(lines):
            parts.append(
                f'<text x="{x:.0f}" y="{PAD_PX + LINE_PX * (k + 1) - 3}" class="chart-label">{escape(line)}</text>'
            )
        parts.append(
            f'<text x="{x:.0f}" y="{PAD_PX + LINE_PX * (len(lines) + 1) - 3}" class="chart-value chart-total">'
            f"{column.total:.2f} of 10</text>"
        )
    y = PAD_PX + head_h
    tracks: list[str] = []
    rules: list[str] = []
    points: list[str] = []  # what each criterion adds to each total: one group, one class
    bars: list[list[str]] = [[] for _ in columns]
    for row, lines in zip(rows, labels, strict=True):
        row_h = max(LINE_PX * len(lines), BAR_PX) + ROW_GAP_PX
        rules.append(f"M{PAD_PX},{y:.0f}H{width - PAD_PX}")
        for k, line in enumerate(lines):
            parts.append(
                f'<text x="{PAD_PX}" y="{y + ROW_GAP_PX / 2 + LINE_PX * (k + 1) - 3:.0f}" class="chart-label">'
                f"{escape(line)}</text>"
            )
        bar_y = round(y + ROW_GAP_PX / 2 + 1)
        track = TRADE_BAR_PX * row.weight / heaviest
        for j, score in enumerate(row.scores):
            x = round(PAD_PX + TRADE_LABEL_PX + j * col_w + GAP_PX)
            tracks.append(f"M{x},{bar_y}h{track:.1f}v{BAR_PX}h-{track:.1f}z")
            w = max(0.5, track * score / 10)
            bars[j].append(f"M{x},{bar_y}h{w:.1f}v{BAR_PX}h-{w:.1f}z")
            points.append(
                f'<text x="{x + TRADE_BAR_PX + GAP_PX}" y="{bar_y + BAR_PX / 2 + FONT_PX / 3:.0f}">'
                f"{row.weight * score:.2f}</text>"
            )
        y += row_h
    # one path for every track, one per framework for its bars: the same picture in a third of the markup
    parts.append(f'<path d="{"".join(rules)}" class="chart-rule"/>')
    parts.append(f'<g class="chart-value">{"".join(points)}</g>')
    parts.append(f'<path d="{"".join(tracks)}" class="track"/>')
    for j, column in enumerate(columns):
        colour = (column.series if column.series is not None else j) % PALETTE_SIZE
        parts.append(f'<path d="{"".join(bars[j])}" class="bar bar-{colour}"/>')
    return _figure(title, width, y + PAD_PX / 2, parts)


def _wrap(text: str, width: float) -> list[str]:
    """Words onto lines no wider than `width` (a single longer word keeps a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


# Advance widths in em, rounded up from DejaVu Sans (the widest common sans-serif; system-ui is
# narrower on most systems), so a column sized from them holds its text in any of those fonts.
_NARROW = set(" .,:;'!|()[]{}/-ijlrtfI")
_WIDE = set("mwMW%×@—")


def text_width(text: str, font_px: float = FONT_PX) -> float:
    """A generous estimate of the width `text` takes in the chart's font, in SVG units."""
    ems = 0.0
    for ch in text:
        if ch in _NARROW:
            ems += 0.42
        elif ch in _WIDE:
            ems += 1.0
        elif ch.isupper():
            ems += 0.76
        else:
            ems += 0.66
    return ems * font_px


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _slug(text: str) -> str:
    """A short id from a title: the same title, the same id; another title, another id in practice."""
    import hashlib

    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
