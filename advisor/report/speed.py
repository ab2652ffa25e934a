"""The speed section's view: tables, charts and one plain sentence per comparison, from the evidence.

Every figure comes from the speed probes' raw samples: medians with their IQR, ratios with a
bootstrap confidence interval over the timed windows (probes/stats.py). A comparison whose
interval includes 1 is called "within noise"; a throughput whose IQR exceeds 10% of its median
is flagged. A comparison between a result on the GPU and one on the CPU says so first (probes/devices.py).

Each reference model is also trained on digits to check that it learns: a result below the model's
threshold "did not learn", and one more than ACCURACY_GAP below the best variant's accuracy on the
same model "learned much less". Either way its implementation may not be alike with the others', so
its speed is flagged beside the figure and in the comparison sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from advisor.report.charts import Bar, bar_chart, variant_series
from probes.devices import DEVICE_WORDS, device_of, mixed, same_device, where
from probes.evidence import Evidence, ProbeResult
from probes.specs import MODELS
from probes.stats import NOISY_IQR_RATIO, ratio_interval
from probes.variants import label as variant_label

MODEL_NAMES = {"mlp": "MLP", "cnn": "CNN", "rnn": "LSTM", "transformer": "transformer"}
ACCURACY_GAP = 0.15  # test accuracy this far below the best variant's on the same model: learned much less
# One bar's figures as Bar takes them after its label: (value, low, high) or (value, low, high, note).
BarFigures = tuple[float, float | None, float | None] | tuple[float, float | None, float | None, str]


@dataclass
class SpeedRow:
    variant: str
    status: str
    reason: str | None
    cells: dict[str, str]
    noisy: list[str]
    warnings: list[str] = field(default_factory=list)
    device: str | None = None  # "GPU" or "CPU", shown only when the table mixes devices
    learning: str | None = None  # "did not learn" or "learned much less": its speed may not compare


@dataclass
class SpeedTable:
    model: str
    title: str
    description: str
    rows: list[SpeedRow]
    chart: Markup
    sentences: list[str]
    charts: list[Markup] = field(default_factory=list)  # first step, memory, utilisation


@dataclass
class SpeedView:
    tables: list[SpeedTable]
    machine: list[str]  # the yardsticks: matmul peak, threads, GPU


def model_name(model: str) -> str:
    return MODEL_NAMES.get(model, model)


def fmt_summary(result: ProbeResult, metric: str, digits: int = 2, scale: float = 1.0) -> str:
    summary = result.summary(metric)
    if summary is None:
        return "–"
    median = summary.median * scale
    if summary.n == 1:
        return f"{median:,.{digits}f}"
    return f"{median:,.{digits}f} (IQR {summary.iqr * scale:,.{digits}f}, n={summary.n})"


def _times(value: float) -> str:
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"


def comparison_sentence(model: str, faster: ProbeResult, slower: ProbeResult) -> str | None:
    """One sentence: how many times faster one variant trained a model than another, with its 95% CI."""
    interval = ratio_interval(
        faster.samples.get("train_samples_per_s", ()), slower.samples.get("train_samples_per_s", ())
    )
    if interval is None:
        return None
    a, b, name = variant_label(faster.variant), variant_label(slower.variant), model_name(model)
    ci = f"95% CI {interval.low:.2f}–{interval.high:.2f}×"
    caveat = ""
    if not same_device(faster, slower):
        caveat = (
            f"Not like for like: {where(faster)} and {where(slower)}, so this compares the devices as much as "
            "the frameworks. "
        )
    if interval.within_noise:
        return (
            f"{caveat}On this machine the {name}'s training speeds of {a} and {b} cannot be told apart: "
            f"the ratio of medians is {_times(interval.ratio)}, but its {ci} includes 1 (within noise)."
        )
    return f"{caveat}On this machine {a} trained the {name} {_times(interval.ratio)} faster than {b} ({ci})."


def _device_tag(result: ProbeResult) -> str:
    device = device_of(result)
    return device.upper() if device else "device not recorded"


def most_accurate(results: list[ProbeResult]) -> ProbeResult | None:
    """The result with the highest test accuracy on digits, the yardstick for "learned much less"."""
    checked = [r for r in results if r.ok and r.summary("test_accuracy")]
    return max(checked, key=lambda r: r.summary("test_accuracy").median, default=None)


def learning_flag(result: ProbeResult, best: ProbeResult | None) -> tuple[str, str] | None:
    """("did not learn" or "learned much less", the sentence shown in the accuracy column), or None."""
    accuracy = result.summary("test_accuracy")
    if accuracy is None:
        return None
    learned = result.facts.learned_accuracy
    if learned is not None and accuracy.median < float(learned):
        return "did not learn", (
            f"did not learn: test accuracy {accuracy.median:.3f} on digits after "
            f"{result.facts.digits_epochs} epochs, below {float(learned):.2f}"
        )
    top = best.summary("test_accuracy") if best is not None and best is not result else None
    if top is not None and top.median - accuracy.median > ACCURACY_GAP:
        return "learned much less", (
            f"learned much less: {top.median - accuracy.median:.2f} below {variant_label(best.variant)}'s "
            f"{top.median:.3f}"
        )
    return None


def _row(result: ProbeResult, show_device: bool = False, best: ProbeResult | None = None) -> SpeedRow:
    label = variant_label(result.variant)
    if not result.ok:
        return SpeedRow(label, result.status, result.reason, {}, [])
    device = _device_tag(result) if show_device else None
    startup = [result.summary(m) for m in ("import_s", "build_s", "first_step_s")]
    cells = {
        "import": fmt_summary(result, "import_s"),
        "first": fmt_summary(result, "first_step_s", 3),
        "startup": f"{sum(s.median for s in startup if s):.2f}",
        "throughput": fmt_summary(result, "train_samples_per_s", 0),
        "utilisation": fmt_summary(result, "utilisation", 1, 100),
        "infer1": fmt_summary(result, "infer_single_ms", 3),
        "inferN": fmt_summary(result, "infer_batch_ms", 3),
        "rss": fmt_summary(result, "peak_rss_mb", 0),
        "gpu": fmt_summary(result, "gpu_peak_mb", 0),
        "accuracy": fmt_summary(result, "test_accuracy", 3),
    }
    noisy = [m for m in ("train_samples_per_s",) if (s := result.summary(m)) and s.noisy]
    warnings = []
    flag = learning_flag(result, best)
    if flag:
        warnings.append(flag[1])
    if result.facts.accuracy_error:
        warnings.append(f"accuracy check failed: {result.facts.accuracy_error}")
    return SpeedRow(label, "ok", None, cells, noisy, warnings, device, flag[0] if flag else None)


def _bars(results: list[ProbeResult], value: Callable[[ProbeResult], BarFigures | None]) -> list[Bar]:
    """One bar per result; each names its device when they differ, so no bar passes for like with like."""
    show_device = mixed(results)
    bars = []
    for result in results:
        figure = value(result)
        if figure is not None:
            name = variant_label(result.variant)
            if show_device:
                name += f" ({_device_tag(result)})"
            bars.append(Bar(name, *figure, series=variant_series(result.variant)))
    return bars


def _startup(result: ProbeResult) -> tuple[float, None, None, str] | None:
    parts = [result.summary(m) for m in ("import_s", "build_s", "first_step_s")]
    if any(p is None for p in parts):
        return None
    first = parts[2].median
    return (sum(p.median for p in parts), None, None, f"(first step {first:.3f} s)")


def _summary_bar(metric: str, scale: float = 1.0) -> Callable[[ProbeResult], tuple[float, float, float] | None]:
    def value(result: ProbeResult) -> tuple[float, float, float] | None:
        s = result.summary(metric)
        return None if s is None else (s.median * scale, s.q1 * scale, s.q3 * scale)

    return value


def _learning_caveat(sentence: str, pair: tuple[ProbeResult, ProbeResult], best: ProbeResult | None) -> str:
    """The comparison, with a warning when either side's model learned much less (or nothing)."""
    flagged = [f"{variant_label(r.variant)} {flag[0]}" for r in pair if (flag := learning_flag(r, best))]
    if not flagged:
        return sentence
    return (
        f"{sentence} But {' and '.join(flagged)} on digits (see the accuracy column), "
        "so the speeds may not compare like for like."
    )


def speed_table(evidence: Evidence, model: str) -> SpeedTable:
    spec = MODELS.get(model)
    results = [r for v in evidence.variants() if (r := evidence.result(v, model)) is not None]
    ok = [r for r in results if r.ok and r.summary("train_samples_per_s")]
    ok.sort(key=lambda r: -r.summary("train_samples_per_s").median)
    best = most_accurate(results)
    sentences = [
        _learning_caveat(sentence, (ok[0], slower), best)
        for slower in ok[1:]
        if (sentence := comparison_sentence(model, ok[0], slower))
    ]
    name = model_name(model)
    chart = bar_chart(
        f"Training throughput, {name} (samples/s, median with IQR)",
        _bars(ok, _summary_bar("train_samples_per_s")),
        "samples/s",
    )
    charts = [
        bar_chart(f"Time to first step, {name}: import + build + first step (s)", _bars(ok, _startup), "s"),
        bar_chart(f"Peak memory, {name} (MB resident)", _bars(ok, _summary_bar("peak_rss_mb")), "MB"),
        bar_chart(
            f"Utilisation, {name}: share of this machine's matmul peak (%)",
            _bars(ok, _summary_bar("utilisation", 100)),
            "%",
        ),
    ]
    if any(r.summary("gpu_peak_mb") for r in ok):
        charts.append(bar_chart(f"Peak GPU memory, {name} (MB)", _bars(ok, _summary_bar("gpu_peak_mb")), "MB"))
    return SpeedTable(
        model,
        spec.title if spec else model,
        spec.description if spec else "",
        [_row(r, mixed(ok), best) for r in results],
        chart,
        sentences,
        [c for c in charts if c],
    )


def machine_lines(evidence: Evidence) -> list[str]:
    """The yardsticks a reader needs to judge the figures: peak, threads, GPU."""
    env: dict[str, Any] = dict(evidence.environment)
    lines = []
    peak = env.get("matmul_peak") or {}
    if peak.get("gflops"):
        lines.append(
            f"This machine's fp32 matrix-multiply peak: {peak['gflops']:,.0f} GFLOP/s ({peak.get('method')}, "
            f"{peak.get('threads') or 'default'} threads, best of several repeats); utilisation is each "
            "probe's achieved FLOP/s (FLOPs counted once per model, probes/specs.py) over this peak."
        )
    elif peak.get("error"):
        lines.append(f"The matmul peak could not be measured ({peak['error']}): no utilisation figures.")
    threads = []
    for variant, children in (env.get("probe_children") or {}).items():
        info = next((c.get("threads") for c in children if c.get("kind") == "speed" and c.get("threads")), None)
        if info:
            default = info.get("default_intra_op")
            shown = f"{info.get('intra_op')}" + (f" (as installed: {default})" if default is not None else "")
            threads.append(f"{variant_label(variant)} {shown}")
    if threads:
        lines.append("Threads per framework, set equal: " + "; ".join(threads) + ".")
    gpus = env.get("gpus") or []
    if gpus:
        names = ", ".join(f"{g.get('name')} ({g.get('memory')}, driver {g.get('driver')})" for g in gpus)
        lines.append(f"GPU found: {names}; clocks stop after the device is synchronised.")
    else:
        lines.append(f"No GPU was found ({env.get('gpu_note') or 'none listed'}): every probe ran on the CPU.")
    devices: dict[str, list[str]] = {}
    for result in evidence.of_kind("speed"):
        if result.ok and device_of(result):
            devices.setdefault(DEVICE_WORDS[device_of(result)], []).append(variant_label(result.variant))
    if len(devices) > 1:
        ran = "; ".join(f"{', '.join(dict.fromkeys(names))} on {device}" for device, names in devices.items())
        lines.append(
            f"Not every framework ran on the same device: {ran}. Comparisons across devices say so, the "
            "claims are not checked on them, and the scores rank only results from one device."
        )
    lines.append(
        f"Throughputs whose IQR exceeds {NOISY_IQR_RATIO:.0%} of the median are flagged noisy; comparisons "
        "give the ratio of medians with a 95% bootstrap interval over the timed windows."
    )
    return lines


def build_speed_view(evidence: Evidence | None) -> SpeedView:
    if evidence is None:
        return SpeedView([], [])
    measured = {r.model for r in evidence.of_kind("speed")}
    models = [m for m in evidence.settings.get("models") or [] if m in measured]
    return SpeedView([speed_table(evidence, m) for m in models], machine_lines(evidence) if models else [])
