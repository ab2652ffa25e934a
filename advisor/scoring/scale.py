"""The "Large datasets" score, from the scale probe: training fed from disk, and training on two processes;
and the scale probe's findings for the report: each framework's batch curve and where it bends.

Relative, as every measured score is (advisor/scoring/relative.py): 10 for the best candidate measured
here. The streamed throughput (each candidate's fastest pipeline) is scored like training speed, per model
and towards the model like the user's data; the data-parallel share (knowledge/measured_scores.yaml) is the
candidate's scaling efficiency over the best one's, nothing when its engine failed on two processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import knowledge
from advisor.records.findings import BatchPoint, Knee, ScaleFindings
from advisor.records.profile import Profile
from advisor.scoring.relative import Scored, relative_over_models
from probes.evidence import Evidence, ProbeResult
from probes.kinds.scale import case_batch_size

STREAM_CASE = "stream"  # probes/kinds/scale.py: "stream" and its "stream-..." alternatives, the best of them counts
DATA_PARALLEL_CASE = "data-parallel"
KNEE_SHARE = 0.8  # the batch that reaches this share of a framework's best throughput: fixed costs stop dominating


@cache
def data_parallel_share() -> float:
    return float(knowledge.load("measured_scores")["dataset_scale"]["data_parallel"]["share"])


def _median(evidence: Evidence, candidate: str, model: str, case: str, metric: str) -> float | None:
    """The median of the best of the candidate's `case*` results (its fastest streamed pipeline)."""
    result = evidence.best_of(candidate, model, "scale", case, metric)
    summary = result.summary(metric) if result is not None and result.ok else None
    return summary.median if summary else None


def _best_case(evidence: Evidence, candidate: str, model: str) -> str:
    result = evidence.best_of(candidate, model, "scale", STREAM_CASE, "stream_samples_per_s")
    return result.case if result is not None else STREAM_CASE


def data_parallel_outcome(evidence: Evidence, candidate: str) -> tuple[float | None, str] | None:
    """(mean scaling efficiency over the models, words), (None, why) when the engine failed; None: not tried."""
    results = [r for r in evidence.of_kind("scale") if r.variant == candidate and r.case == DATA_PARALLEL_CASE]
    tried = [r for r in results if r.status in ("ok", "failed", "crashed", "timeout")]
    if not tried:
        return None
    failed = next((r for r in tried if not r.ok), None)
    if failed is not None:
        return None, f"its engine failed on {failed.model}: {(failed.reason or '')[:160]}"
    efficiencies = [s.median for r in tried if (s := r.summary("scaling_efficiency")) is not None]
    if not efficiencies:
        return None
    mean = sum(efficiencies) / len(efficiencies)
    return mean, f"two processes {mean:.0%} efficient ({', '.join(r.model for r in tried)})"


def score_dataset_scale(evidence: Evidence, candidates: Sequence[str], profile: Profile) -> Scored:
    per_model = {
        model: {c: v for c in candidates if (v := _median(evidence, c, model, STREAM_CASE, "stream_samples_per_s"))}
        for model in dict.fromkeys(r.model for r in evidence.of_kind("scale"))
    }
    streamed = relative_over_models(
        per_model,
        candidates,
        True,
        lambda c, m, v: f"{v:,.0f} samples/s streamed from disk ({_best_case(evidence, c, m)})",
        profile,
    )
    outcomes = {c: data_parallel_outcome(evidence, c) for c in streamed}
    best = max((o[0] for o in outcomes.values() if o and o[0]), default=None)
    share = data_parallel_share()
    scores: Scored = {}
    for candidate, (stream_score, basis, figures) in streamed.items():
        outcome = outcomes[candidate]
        shown: dict[str, Any] = {"stream": figures}
        if outcome is None or best is None:
            scores[candidate] = (stream_score, basis + "; data-parallel training not tried here", shown)
            continue
        efficiency, words = outcome
        ratio = (efficiency or 0.0) / best
        score = (1 - share) * stream_score + share * 10 * ratio
        shown["scaling_efficiency"] = efficiency
        scores[candidate] = (score, f"{basis}; {words}", shown)
    return scores


def scale_findings(evidence: Evidence | None) -> ScaleFindings:
    """Every framework's batch curve per model (training throughput by batch size), and each curve's knee."""
    results = evidence.of_kind("scale") if evidence is not None else []
    curve: list[BatchPoint] = []
    knees: list[Knee] = []
    for model in dict.fromkeys(r.model for r in results):
        by_variant: dict[str, dict[int, ProbeResult]] = {}
        for result in results:
            size = case_batch_size(result.case)
            if result.model == model and size is not None and result.ok:
                by_variant.setdefault(result.variant, {})[size] = result
        for variant, points in by_variant.items():
            summaries = {b: s for b, r in points.items() if (s := r.summary("train_samples_per_s")) is not None}
            curve += [BatchPoint(variant, model, b, s.median, s.q1, s.q3, s.n) for b, s in sorted(summaries.items())]
            knee = _knee(variant, model, {b: s.median for b, s in summaries.items()})
            if knee is not None:
                knees.append(knee)
    return ScaleFindings(tuple(curve), tuple(knees))


def _knee(variant: str, model: str, medians: dict[int, float]) -> Knee | None:
    """Where the fixed cost per step stops dominating; None without two points on the curve."""
    if len(medians) < 2:
        return None
    best = max(medians, key=lambda b: medians[b])
    knee = min(b for b, v in medians.items() if v >= KNEE_SHARE * medians[best])
    smallest = min(medians)
    return Knee(variant, model, smallest, best, medians[best], knee, medians[best] / medians[smallest], KNEE_SHARE)
