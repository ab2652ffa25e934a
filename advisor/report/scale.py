"""The scale section's view: batch curves, training fed from disk, and data-parallel training, per model.

Built from the scale probe's results alone (probes/kinds/scale.py). A chart per model shows each
framework's training throughput across batch sizes (medians over processes, IQR whiskers), with a
sentence on where each one's fixed cost per step stops dominating: the smallest batch that reaches
KNEE_SHARE of its best throughput. A run without the scale probe says how to get it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from advisor.report.charts import Bar, bar_chart, variant_series
from probes.evidence import Evidence, ProbeResult
from probes.variants import label as variant_label

KNEE_SHARE = 0.8  # the batch that reaches this share of a framework's best throughput: fixed costs stop dominating
HOW_TO_MEASURE = "advisor probe --budget scale --add-to {folder}"  # this run's folder: one report shows both
MODEL_TITLES = {"mlp": "MLP on tabular data", "cnn": "Small CNN"}


@dataclass(frozen=True)
class StreamRow:
    variant: str
    pipeline: str
    streamed: str  # samples/s, median (IQR) over processes
    alone: str  # the pipeline without training
    in_memory: str  # the same model and batch from arrays in memory (the batch curve's point)
    bottleneck: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class ParallelRow:
    variant: str
    engine: str
    worked: bool
    one: str
    two: str
    efficiency: str
    first_step: str
    changed_lines: str
    reason: str = ""


@dataclass
class ScaleModel:
    model: str
    title: str
    chart: Markup
    knees: list[str]
    streams: list[StreamRow]
    parallel: list[ParallelRow]


@dataclass
class ScaleView:
    measured: bool
    folder: str = "FOLDER"
    models: list[ScaleModel] = field(default_factory=list)
    page_cache: str = ""

    @property
    def how(self) -> str:
        """The command that adds the scale probe to this run's folder."""
        return HOW_TO_MEASURE.format(folder=self.folder)


def _summary(result: ProbeResult | None, metric: str, unit: str = "", percent: bool = False) -> str:
    summary = result.summary(metric) if result is not None and result.ok else None
    if summary is None:
        return "–"
    shown = (lambda v: f"{v:.0%}") if percent else (lambda v: f"{v:,.0f}" if v >= 100 else f"{v:.2f}")
    spread = f" ({shown(summary.q1)}–{shown(summary.q3)}, n={summary.n})" if summary.n > 1 else " (n=1)"
    return f"{shown(summary.median)}{unit}{spread}"


def _batch_curve(evidence: Evidence, model: str) -> dict[str, dict[int, ProbeResult]]:
    curves: dict[str, dict[int, ProbeResult]] = {}
    for result in evidence.of_kind("scale"):
        prefix, _, size = result.case.partition("-")
        if result.model == model and prefix == "batch" and size.isdigit() and result.ok:
            curves.setdefault(result.variant, {})[int(size)] = result
    return curves


def knee_sentence(variant: str, curve: dict[int, ProbeResult]) -> str | None:
    """Where the fixed cost per step stops dominating, in words; None without two points on the curve."""
    medians = {b: s.median for b, r in curve.items() if (s := r.summary("train_samples_per_s")) is not None}
    if len(medians) < 2:
        return None
    best_batch = max(medians, key=medians.get)
    knee = min(b for b, v in medians.items() if v >= KNEE_SHARE * medians[best_batch])
    smallest = min(medians)
    rise = medians[best_batch] / medians[smallest]
    return (
        f"{variant_label(variant)}: {rise:.1f}× from batch {smallest} to its best (batch {best_batch}, "
        f"{medians[best_batch]:,.0f} samples/s); {KNEE_SHARE:.0%} of that from batch {knee} on"
    )


def _chart(model: str, curves: dict[str, dict[int, ProbeResult]]) -> Markup:
    bars = []
    for variant, curve in curves.items():
        for batch in sorted(curve):
            summary = curve[batch].summary("train_samples_per_s")
            if summary is not None:
                label = f"{variant_label(variant)} · batch {batch}"
                bars.append(Bar(label, summary.median, summary.q1, summary.q3, series=variant_series(variant)))
    title = f"{MODEL_TITLES.get(model, model)}: training throughput by batch size (samples/s, medians over processes)"
    return bar_chart(title, bars, "samples/s")


def _stream_rows(evidence: Evidence, model: str) -> list[StreamRow]:
    rows = []
    for result in evidence.of_kind("scale"):
        if result.model != model or not result.case.startswith("stream"):
            continue
        in_memory = evidence.result(result.variant, model, "scale", f"batch-{result.facts.batch_size or 64}")
        rows.append(
            StreamRow(
                variant=variant_label(result.variant),
                pipeline=result.facts.pipeline or result.case,
                streamed=_summary(result, "stream_samples_per_s"),
                alone=_summary(result, "pipeline_samples_per_s"),
                in_memory=_summary(in_memory, "train_samples_per_s"),
                bottleneck=result.facts.bottleneck or "–",
                status=result.status,
                reason=result.reason or "",
            )
        )
    return rows


def _parallel_rows(evidence: Evidence, model: str) -> list[ParallelRow]:
    rows = []
    for result in evidence.of_kind("scale"):
        if result.model != model or result.case != "data-parallel":
            continue
        facts = result.facts
        rows.append(
            ParallelRow(
                variant=variant_label(result.variant),
                engine=facts.engine or "–",
                worked=result.ok,
                one=_summary(result, "dp1_samples_per_s"),
                two=_summary(result, "dp2_samples_per_s"),
                efficiency=_summary(result, "scaling_efficiency", percent=True),
                first_step=_summary(result, "dp_first_step_s", " s"),
                changed_lines=str(facts.changed_lines) if facts.changed_lines is not None else "–",
                reason=result.reason or "",
            )
        )
    return rows


def build_scale_view(evidence: Evidence | None, run_dir: str = "FOLDER") -> ScaleView:
    results = evidence.of_kind("scale") if evidence else []
    if not evidence or not any(r.ok for r in results):
        return ScaleView(measured=False, folder=run_dir)
    view = ScaleView(measured=True, folder=run_dir)
    view.page_cache = next((r.facts.page_cache for r in results if r.facts.page_cache), "")
    for model in dict.fromkeys(r.model for r in results):
        curves = _batch_curve(evidence, model)
        knees = [s for v, curve in curves.items() if (s := knee_sentence(v, curve))]
        view.models.append(
            ScaleModel(
                model,
                MODEL_TITLES.get(model, model),
                _chart(model, curves),
                knees,
                _stream_rows(evidence, model),
                _parallel_rows(evidence, model),
            )
        )
    return view
