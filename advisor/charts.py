"""Inline SVG charts: plain markup built from numbers, every label escaped, readable without colour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    low: float | None = None  # whisker: first quartile
    high: float | None = None  # whisker: third quartile
    note: str = ""


def bar_chart(title: str, bars: Sequence[Bar], unit: str, width: int = 640) -> Markup:
    """Horizontal bars with optional IQR whiskers; the figures are printed beside each bar."""
    if not bars:
        return Markup("")
    label_w, value_w, row_h, pad = 190, 150, 28, 8
    plot_w = width - label_w - value_w
    top = max(max(b.high or b.value for b in bars), 1e-12)
    height = pad * 2 + row_h * len(bars)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="t-{_slug(title)}">',
        f'<title id="t-{_slug(title)}">{escape(title)}</title>',
    ]
    for i, bar in enumerate(bars):
        y = pad + i * row_h
        w = max(1.0, plot_w * bar.value / top)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row_h / 2 + 4}" text-anchor="end" class="chart-label">'
            f"{escape(bar.label)}</text>"
        )
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" class="bar bar-{i % 5}"/>')
        if bar.low is not None and bar.high is not None:
            x1 = label_w + plot_w * bar.low / top
            x2 = label_w + plot_w * bar.high / top
            mid = y + row_h / 2
            parts.append(
                f'<path d="M{x1:.1f},{mid} H{x2:.1f} M{x1:.1f},{mid - 6} V{mid + 6} '
                f'M{x2:.1f},{mid - 6} V{mid + 6}" class="whisker"/>'
            )
        text = f"{_fmt(bar.value)} {unit}" + (f" {bar.note}" if bar.note else "")
        parts.append(
            f'<text x="{label_w + plot_w + 8}" y="{y + row_h / 2 + 4}" class="chart-value">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower())[:40]
