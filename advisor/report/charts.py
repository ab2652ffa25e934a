"""Inline SVG charts: plain markup built from numbers, every label escaped, readable without colour.

Each chart is a <figure> whose caption is its visible title; the SVG keeps the same text as its
accessible name. The label and value columns are sized from their longest text, so no figure is cut
off; the SVG is drawn at its natural size and only scales down (phones), never up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

FONT_PX = 13  # chart text, in SVG units: one CSS pixel at natural size
ROW_PX, PAD_PX, GAP_PX = 28, 8, 8
MIN_PLOT_PX = 240  # the bars' own width, however long the texts beside them
PALETTE_SIZE = 5  # report.css defines --bar-0 to --bar-4, light and dark


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    low: float | None = None  # whisker: first quartile
    high: float | None = None  # whisker: third quartile
    note: str = ""
    series: int | None = None  # the colour: the same series keeps its colour in every chart; None: by position


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


def bar_chart(title: str, bars: Sequence[Bar], unit: str, width: int = 640) -> Markup:
    """Horizontal bars with optional IQR whiskers; the figures are printed beside each bar.

    `width` is the chart's natural width; it grows when the label and value texts need more room.
    """
    if not bars:
        return Markup("")
    values = [f"{_fmt(bar.value)} {unit}" + (f" {bar.note}" if bar.note else "") for bar in bars]
    label_w = max(text_width(bar.label) for bar in bars) + 2 * GAP_PX
    value_w = max(text_width(text) for text in values) + 2 * GAP_PX
    plot_w = max(MIN_PLOT_PX, width - label_w - value_w)
    width = round(label_w + plot_w + value_w)
    top = max(max(b.high or b.value for b in bars), 1e-12)
    height = PAD_PX * 2 + ROW_PX * len(bars)
    title_id = f"t-{_slug(title)}"
    parts = [
        f'<figure class="chart-figure"><figcaption>{escape(title)}</figcaption>',
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" font-size="{FONT_PX}" aria-labelledby="{title_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    for i, (bar, text) in enumerate(zip(bars, values, strict=True)):
        y = PAD_PX + i * ROW_PX
        baseline = y + ROW_PX / 2 + FONT_PX / 3
        w = max(1.0, plot_w * bar.value / top)
        colour = (bar.series if bar.series is not None else i) % PALETTE_SIZE
        parts.append(
            f'<text x="{label_w - GAP_PX:.0f}" y="{baseline:.1f}" text-anchor="end" class="chart-label">'
            f"{escape(bar.label)}</text>"
        )
        parts.append(
            f'<rect x="{label_w:.0f}" y="{y + 5}" width="{w:.1f}" height="{ROW_PX - 10}" class="bar bar-{colour}"/>'
        )
        if bar.low is not None and bar.high is not None:
            x1 = label_w + plot_w * bar.low / top
            x2 = label_w + plot_w * bar.high / top
            mid = y + ROW_PX / 2
            parts.append(
                f'<path d="M{x1:.1f},{mid} H{x2:.1f} M{x1:.1f},{mid - 6} V{mid + 6} '
                f'M{x2:.1f},{mid - 6} V{mid + 6}" class="whisker"/>'
            )
        parts.append(
            f'<text x="{label_w + plot_w + GAP_PX:.0f}" y="{baseline:.1f}" class="chart-value">{escape(text)}</text>'
        )
    parts.append("</svg></figure>")
    return Markup("".join(parts))


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
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower())[:40]
