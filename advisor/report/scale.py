"""The scale section's view: batch curves, training fed from disk, and data-parallel training, per model.

Built from the scale probe's results (probes/kinds/scale.py) and what scoring found in them
(advisor/scoring/scale.py `scale_findings`): a chart per model shows each framework's batch curve,
its training throughput across batch sizes (medians over processes, IQR whiskers), with a sentence on
where each one's fixed cost per step stops dominating: the smallest batch that reaches a share of its
best throughput (the curve's knee). A run without the scale probe says how to get it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from markupsafe import Markup

from advisor.records.findings import BatchPoint, Knee, ScaleFindings
from advisor.report.charts import Bar, bar_chart, variant_series
from probes.evidence import Evidence, ProbeResult
from probes.variants import label as variant_label

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


class Spread(Protocol):
    """A median over processes with its quartiles: a result's summary, or a point of a batch curve."""

    median: float
    q1: float
    q3: float
    n: int


def _summary(result: ProbeResult | None, metric: str, unit: str = "", percent: bool = False) -> str:
    return _spread(result.summary(metric) if result is not None and result.ok else None, unit, percent)


def _spread(summary: Spread | None, unit: str = "", percent: bool = False) -> str:
    """A median with its IQR and process count: '1,234 (1,200–1,260, n=3)'; '–' when there is none."""
    if summary is None:
        return "–"
    shown = (lambda v: f"{v:.0%}") if percent else (lambda v: f"{v:,.0f}" if v >= 100 else f"{v:.2f}")
    spread = f" ({shown(summary.q1)}–{shown(summary.q3)}, n={summary.n})" if summary.n > 1 else " (n=1)"
    return f"{shown(summary.median)}{unit}{spread}"


def knee_sentence(knee: Knee) -> str:
    """Where the fixed cost per step stops dominating, in words."""
    return (
        f"{variant_label(knee.variant)}: {knee.rise:.1f}× from batch {knee.smallest} to its best (batch {knee.best}, "
        f"{knee.best_samples_per_s:,.0f} samples/s); {knee.share:.0%} of that from batch {knee.knee} on"
    )


def _chart(model: str, curve: tuple[BatchPoint, ...]) -> Markup:
    bars = [
        Bar(f"{variant_label(p.variant)} · batch {p.batch}", p.median, p.q1, p.q3, series=variant_series(p.variant))
        for p in curve
    ]
    title = f"{MODEL_TITLES.get(model, model)}: training throughput by batch size (samples/s, medians over processes)"
    return bar_chart(title, bars, "samples/s")


def _stream_rows(evidence: Evidence, scale: ScaleFindings, model: str) -> list[StreamRow]:
    rows = []
    for result in evidence.of_kind("scale"):
        if result.model != model or not result.case.startswith("stream"):
            continue
        in_memory = scale.point(result.variant, model, result.facts.batch_size or 64)
        rows.append(
            StreamRow(
                variant=variant_label(result.variant),
                pipeline=result.facts.pipeline or result.case,
                streamed=_summary(result, "stream_samples_per_s"),
                alone=_summary(result, "pipeline_samples_per_s"),
                in_memory=_spread(in_memory),
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


def build_scale_view(evidence: Evidence | None, scale: ScaleFindings, run_dir: str = "FOLDER") -> ScaleView:
    results = evidence.of_kind("scale") if evidence else []
    if not evidence or not any(r.ok for r in results):
        return ScaleView(measured=False, folder=run_dir)
    view = ScaleView(measured=True, folder=run_dir)
    view.page_cache = next((r.facts.page_cache for r in results if r.facts.page_cache), "")
    for model in dict.fromkeys(r.model for r in results):
        curve, knees = scale.of_model(model)
        view.models.append(
            ScaleModel(
                model,
                MODEL_TITLES.get(model, model),
                _chart(model, curve),
                [knee_sentence(k) for k in knees],
                _stream_rows(evidence, scale, model),
                _parallel_rows(evidence, model),
            )
        )
    return view
