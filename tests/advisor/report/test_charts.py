"""Charts: a visible title, every figure printed in full, and readable without colour."""

from __future__ import annotations

import re
from importlib import resources

from advisor.report.charts import (
    FONT_PX,
    MIN_TEXT_PX,
    Bar,
    TradeOffColumn,
    TradeOffRow,
    bar_chart,
    text_width,
    trade_off_chart,
)
from advisor.runs import rerender

BARS = [Bar("PyTorch", 2.18, note="(first step 0.053 s)"), Bar("Keras 3 on TensorFlow", 4.25)]


def _texts(svg: str, cls: str) -> list[tuple[float, str]]:
    return [(float(x), text) for x, text in re.findall(rf'<text x="([\d.]+)"[^>]*class="{cls}">([^<]*)</text>', svg)]


def _view_width(svg: str) -> float:
    return float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))


def test_a_chart_shows_its_title_above_it_and_keeps_it_as_its_accessible_name():
    svg = str(bar_chart("Time to first step, MLP (s)", BARS, "s"))
    title_id = re.search(r'<svg [^>]*aria-labelledby="([^"]+)"', svg).group(1)
    assert svg.startswith(f'<figure class="chart-figure"><figcaption id="{title_id}">Time to first step, MLP (s)<')


def test_the_title_is_escaped_like_every_other_text():
    svg = str(bar_chart("<b>bold</b>", BARS, "s"))
    assert ">&lt;b&gt;bold&lt;/b&gt;</figcaption>" in svg and "<b>" not in svg


def test_the_value_column_is_as_wide_as_its_longest_text():
    svg = str(bar_chart("Time to first step", BARS, "s"))
    values = _texts(svg, "chart-value")
    assert [text for _, text in values] == ["2.18 s (first step 0.053 s)", "4.25 s"]
    assert all(x + text_width(text) <= _view_width(svg) for x, text in values)


def test_a_long_label_widens_the_chart_instead_of_running_off_its_right_edge():
    long = Bar("Keras 3 on TensorFlow, traced, with XLA and mixed precision, and then some more words", 1.0)
    svg = str(bar_chart("Throughput", [long, *BARS], "samples/s"))
    for x, text in _texts(svg, "chart-label"):  # left-aligned, above their bars: they start at x
        assert x + text_width(text) <= _view_width(svg), text


def test_no_chart_text_is_shown_under_9_px_however_narrow_the_screen():
    """The SVG scales down with the screen, its text with it: its min-width stops it at 9 px text."""
    wide = bar_chart("Throughput", [Bar("x" * 90, 1.0), *BARS], "samples/s")
    for svg in (str(bar_chart("Throughput", BARS, "samples/s")), str(wide)):
        min_width = float(re.search(r'style="min-width:(\d+)px"', svg).group(1))
        assert min_width / _view_width(svg) * FONT_PX >= MIN_TEXT_PX


def test_a_chart_too_wide_for_a_phone_at_9_px_scrolls_and_takes_keyboard_focus():
    narrow = str(bar_chart("Throughput", BARS, "samples/s"))
    wide = str(bar_chart("Throughput", [Bar("x" * 90, 1.0), *BARS], "samples/s"))
    assert "tabindex" not in narrow
    assert wide.startswith('<figure class="chart-figure" tabindex="0">')


def _trade_off() -> str:
    columns = [TradeOffColumn("Keras 3 on TensorFlow", 6.2, 1), TradeOffColumn("PyTorch", 4.0, 0)]
    rows = [TradeOffRow("Ease of use", 0.6, (9.0, 5.0)), TradeOffRow("Training speed", 0.4, (2.0, 2.5))]
    return str(trade_off_chart("Trade-off", columns, rows))


def test_the_trade_off_chart_prints_what_each_criterion_adds_to_each_total():
    group = re.search(r'<g class="chart-value">(.*?)</g>', _trade_off()).group(1)
    values = re.findall(r"<text [^>]*>([^<]*)</text>", group)
    assert values == ["5.40", "3.00", "0.80", "1.00"]  # weight x score, row by row


def test_the_trade_off_chart_names_each_framework_with_its_total_and_each_criterion_with_its_weight():
    texts = " ".join(re.findall(r"<text [^>]*>([^<]*)</text>", _trade_off()))  # a long name wraps onto lines
    assert "PyTorch 4.00 of 10" in texts and "TensorFlow 6.20 of 10" in texts
    assert "Ease of use 60%" in texts and "Training speed 40%" in texts


def test_the_trade_off_chart_keeps_each_frameworks_colour():
    svg = _trade_off()
    bars = re.findall(r'<path d="([^"]*)" class="bar (bar-\d)"', svg)
    assert [colour for _, colour in bars] == ["bar-1", "bar-0"]  # a path per framework, a bar per criterion
    assert all(d.count("z") == 2 for d, _ in bars)


def test_the_bars_keep_their_width_however_long_the_texts_beside_them():
    svg = str(bar_chart("Throughput", [Bar("x" * 80, 1.0, note="y" * 80)], "samples/s"))
    bar_width = float(re.search(r'<rect [^>]*width="([\d.]+)"', svg).group(1))
    assert bar_width >= 200


def test_a_chart_is_drawn_at_its_natural_size_so_its_text_is_never_blown_up():
    svg = str(bar_chart("Throughput", BARS, "samples/s"))
    assert f'width="{_view_width(svg):.0f}"' in svg
    css = resources.files("reports").joinpath("report.css").read_text(encoding="utf-8")
    assert f".chart {{ display: block; max-width: 100%; height: auto; font-size: {FONT_PX}px; }}" in css


def test_the_width_estimate_is_generous_for_digits_and_capitals():
    # DejaVu Sans, the widest common sans-serif, is 0.636 em per digit and at most 0.77 em per capital
    # letter (W, M and the like are counted as 1 em).
    assert text_width("0123456789") >= 10 * 0.636 * FONT_PX
    assert text_width("PKTFE") >= 5 * 0.75 * FONT_PX


def test_no_bars_no_chart():
    assert bar_chart("Nothing", [], "s") == ""


def test_every_chart_of_the_report_has_a_visible_title(saved_run):
    html = rerender(saved_run).folder.report.read_text()
    charts = html.count('<svg class="chart"')
    assert charts >= 2 + 1  # per model: its throughput (the table holds the rest); the trade-off
    assert len(re.findall(r'<figure class="chart-figure"( tabindex="0")?><figcaption id="[^"]+">', html)) == charts


def _bar_classes(svg: str) -> dict[str, str]:
    rows = re.findall(r'class="chart-label">([^<]*)</text><rect [^>]*class="bar (bar-\d)"', svg)
    return dict(rows)


def test_a_framework_keeps_its_colour_in_every_chart_whatever_its_place():
    from advisor.report.speed import build_speed_view
    from advisor.scoring.speed import speed_findings
    from tests.support.synthetic import evidence, speed

    faster_torch = [speed("torch", "mlp", 2000), speed("keras-tensorflow", "mlp", 1000)]
    faster_keras = [speed("torch", "cnn", 100), speed("keras-tensorflow", "cnn", 300)]
    run = evidence(*faster_torch, *faster_keras)
    view = build_speed_view(run, speed_findings(run))
    charts = [str(c) for table in view.tables for c in [table.chart, *table.charts]]
    colours = [_bar_classes(c) for c in charts]
    assert list(colours[0]) == ["PyTorch", "Keras 3 on TensorFlow"]  # MLP: PyTorch first
    assert list(colours[-1]) == ["Keras 3 on TensorFlow", "PyTorch"]  # CNN: Keras first
    assert {c["PyTorch"] for c in colours} == {"bar-0"}
    assert {c["Keras 3 on TensorFlow"] for c in colours} == {"bar-1"}


def test_every_framework_variant_has_a_colour_of_its_own_and_an_option_its_frameworks():
    from advisor.report.charts import PALETTE_SIZE, variant_series
    from probes.variants import VARIANTS

    frameworks = [v for v in VARIANTS if VARIANTS[v].candidate]
    assert sorted(variant_series(v) for v in frameworks) == list(range(len(frameworks)))
    assert len(frameworks) <= PALETTE_SIZE
    assert variant_series("torch-compile") == variant_series("torch")


def test_bars_without_a_series_are_coloured_by_position():
    svg = str(bar_chart("Generic", [Bar("a", 1.0), Bar("b", 2.0), Bar("c", 3.0, series=0)], "x"))
    assert list(_bar_classes(svg).values()) == ["bar-0", "bar-1", "bar-0"]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_bar_colour_stands_out_from_the_page_by_3_to_1_in_light_and_dark_mode():
    """WCAG 1.4.11 (non-text contrast); the names beside the bars carry the meaning without colour."""
    from importlib import resources

    from advisor.report.charts import PALETTE_SIZE

    css = resources.files("reports").joinpath("report.css").read_text(encoding="utf-8")
    light, dark = css.split("@media (prefers-color-scheme: dark)", 1)
    dark = dark.split("\n}\n", 1)[0]
    for mode, block in (("light", light), ("dark", dark)):
        palette = dict(re.findall(r"--(bg|bar-\d): (#[0-9a-fA-F]{6})", block))
        for i in range(PALETTE_SIZE):
            assert _contrast(palette[f"bar-{i}"], palette["bg"]) >= 3, (mode, i)
