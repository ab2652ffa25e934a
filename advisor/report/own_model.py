"""The "Your model" section's view: the user's own model, first among the evidence.

One row per way it was trained (each Keras backend; PyTorch eager and each named option), with its
figures as medians over processes and their range, the regime it ran in; the comparisons in
sentences with their 95% intervals; its deployment routes for the user's target, each with its
output difference, latency, size and int8 file, or the converter's error in one line; and which
scores the model's figures entered. The comparisons, regimes and route credits are the scorecard's
findings (advisor/scoring/own_model.py); the figures are the evidence's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.records.findings import OwnComparison, OwnModelFindings, Route
from advisor.report.findings import size_text
from probes.evidence import Evidence, ProbeResult, status_words
from probes.variants import label as variant_label

CASE_WORDS = {
    "fit": "fit(), its default",
    "eager": "eager, its default",
    "compile": "torch.compile",
    "channels_last": "channels_last",
    "fused_adam": "Adam(fused=True)",
}
CRITERION_WORDS = {"training_speed": "training speed", "memory": "memory", "deployment": "deployment"}
RUNTIME_WORDS = {
    "onnxruntime": "ONNX Runtime",
    "onnxruntime-web": "ONNX Runtime Web in Chromium",
    "litert": "the LiteRT interpreter",
    "litert-js": "LiteRT.js in Chromium",
    "executorch": "the ExecuTorch runtime",
}
ROUTE_STATUS_WORDS = {
    "works": "✓ works",
    "python_only": "only reloaded in Python",
    "not_tried": "not tried",
    "failed": "✗ failed",
}


@dataclass
class OwnRow:
    framework: str
    how: str
    status: str  # "ok", or the status in words
    reason: str = ""
    processes: str = ""
    train: str = "–"
    first_step: str = "–"
    infer_single: str = "–"
    infer_batch: str = "–"
    memory: str = "–"
    regime: str = "–"


@dataclass
class OwnRouteRow:
    route: str  # "ONNX, run in ONNX Runtime Web in Chromium"
    framework: str
    status: str
    ok: bool
    max_abs_diff: str = "–"
    latency: str = "–"
    size: str = "–"
    int8: str = "–"
    int8_agreement: str = "–"
    why: str = ""


@dataclass
class OwnModelView:
    name: str
    finding: str
    fed: list[str]
    rows: list[OwnRow]
    sentences: list[str]
    scoring: str
    routes: list[OwnRouteRow] = field(default_factory=list)
    target_words: str = ""
    parity: str = ""


def _spread(result: ProbeResult, metric: str, fmt: str, scale: float = 1.0) -> str:
    """'1,234 (1,100–1,300)': the median over processes, and the range when there are several."""
    values = [v * scale for v in result.samples.get(metric, ())]
    if not values:
        return "–"
    summary = result.summary(metric)
    median = summary.median * scale if summary else values[0]
    low, high = fmt.format(min(values)), fmt.format(max(values))
    return fmt.format(median) if low == high else f"{fmt.format(median)} ({low}–{high})"


def _row(result: ProbeResult, regimes: dict[tuple[str, str], str]) -> OwnRow:
    row = OwnRow(variant_label(result.variant), CASE_WORDS.get(result.case, result.case), "ok")
    if not result.ok:
        row.status, row.reason = status_words(result.status), result.reason or ""
        return row
    row.processes = str(result.rounds_ok)
    row.train = _spread(result, "train_samples_per_s", "{:,.0f}")
    row.first_step = _spread(result, "first_step_s", "{:.2f}")
    row.infer_single = _spread(result, "infer_single_ms", "{:.2f}")
    row.infer_batch = _spread(result, "infer_batch_ms", "{:.2f}")
    row.memory = _spread(result, "train_memory_mb", "{:,.0f}")
    row.regime = regimes.get((result.variant, result.case), "–")
    return row


def _who(variant: str, case: str, option: bool) -> str:
    return f"{CASE_WORDS.get(case, case)}" if option else variant_label(variant)


def comparison_sentence(found: OwnComparison, name: str) -> str:
    a, b = _who(found.a, found.a_case, found.option), _who(found.b, found.b_case, found.option)
    ci = f"95% CI {found.low:.2f}–{found.high:.2f}× over {found.processes[0]} processes each"
    if found.option:
        if found.within_noise:
            return f"On {name}, {a} and PyTorch's eager default cannot be told apart ({found.ratio:.2f}×, {ci})."
        faster = "faster" if found.ratio >= 1 else "slower"
        times = found.ratio if found.ratio >= 1 else 1 / found.ratio
        return f"On {name}, {a} trained {times:.2f}× {faster} than PyTorch's eager default ({ci})."
    if found.within_noise:
        return f"On {name}, {a} and {b} cannot be told apart: {found.ratio:.2f}×, and its {ci} includes 1."
    return f"On {name}, {a} trained {found.ratio:.2f}× faster than {b} ({ci})."


def _route_row(route: Route, result: ProbeResult | None) -> OwnRouteRow:
    where = RUNTIME_WORDS.get(route.runtime or "", "")
    row = OwnRouteRow(
        route.label + (f", run in {where}" if where else ""),
        variant_label(route.variant),
        ROUTE_STATUS_WORDS.get(route.status, route.status),
        route.status == "works",
        why=route.why,
    )
    if result is None or result.status not in ("ok", "failed"):
        return row
    facts = result.facts
    diff = facts.browser_max_abs_diff if route.runtime == facts.browser_runtime else facts.max_abs_diff
    row.max_abs_diff = f"{diff:.1e}" if diff is not None else "–"
    call = facts.browser_call_ms if route.runtime == facts.browser_runtime else facts.call_ms
    row.latency = f"{call:.2f} ms a call (batch of 16)" if call is not None else "–"
    row.size = size_text(facts.size_bytes) if facts.size_bytes is not None else "–"
    if facts.int8_size_bytes is not None and facts.size_bytes:
        row.int8 = f"{size_text(facts.int8_size_bytes)} ({facts.int8_size_bytes / facts.size_bytes:.0%} of float)"
    elif facts.int8_error:
        row.int8 = facts.int8_error
    if facts.int8_agreement is not None:
        row.int8_agreement = f"{facts.int8_agreement:.1%}"
    return row


def _fed(results: list[ProbeResult]) -> list[str]:
    """How the model was fed and trained, from the first result that says."""
    facts = next((r.facts for r in results if r.facts.loss), None)
    if facts is None:
        return []
    shape = "(N" + "".join(f", {d}" for d in facts.input_shape or ()) + ")"
    lines = [f"Input {shape} {facts.input_dtype or ''}, read from {facts.input_from or 'the model'}; generated data."]
    lines.append(f"Loss: {facts.loss_reason or facts.loss}.")
    if facts.batch_size:
        lines.append(f"Batch of {facts.batch_size} for training and for the batch inference; Adam, learning rate 1e-3.")
    if facts.safe_mode is not None:
        lines.append("Loaded with safe_mode=" + ("True." if facts.safe_mode else "False (--unsafe-model)."))
    return lines


def build_own_model_view(evidence: Evidence | None, found: OwnModelFindings | None) -> OwnModelView | None:
    """The section, or None when the run measured no model of the user's."""
    if evidence is None or found is None:
        return None
    name = f"your model ({found.source})"
    trained = evidence.of_kind("own_model")
    regimes = {(r.variant, r.case): f"{r.regime}: {r.utilisation:.1%} of the matmul peak" for r in found.regimes}
    rows = [_row(r, regimes) for r in trained]
    sentences = [comparison_sentence(c, name) for c in found.comparisons]
    by_route = {(r.variant, r.case): r for r in evidence.of_kind("own_export")}
    routes = [_route_row(route, by_route.get((route.variant, route.path))) for route in found.routes]
    parity = next((r.facts.parity_inputs for r in by_route.values() if r.facts.parity_inputs), "") or ""
    return OwnModelView(
        found.source,
        _finding(found, trained, sentences, name),
        _fed(trained),
        rows,
        sentences,
        _scoring_words(found),
        routes,
        "your own machine" if found.target == "none" else found.target,
        parity,
    )


def _finding(found: OwnModelFindings, trained: list[ProbeResult], sentences: list[str], name: str) -> str:
    measured = [r for r in trained if r.ok]
    if not measured:
        reasons = sorted({r.reason or status_words(r.status) for r in trained})
        return f"{name[0].upper()}{name[1:]} could not be measured: {'; '.join(reasons) or 'no result'}."
    frameworks = [c for c in found.comparisons if not c.option]
    if frameworks:
        return sentences[found.comparisons.index(frameworks[0])]
    if sentences:
        return sentences[0]
    return f"{name[0].upper()}{name[1:]} trained on {len(measured)} way(s) here; see the table."


def _scoring_words(found: OwnModelFindings) -> str:
    if found.scored:
        named = [CRITERION_WORDS.get(c, c) for c in found.scored]
        words = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
        return (
            f"The {words} scores use your model where it was measured (it counts {found.share:.0%}, the reference"
            " models the rest), and the reference models elsewhere."
        )
    return f"No score uses your model: {found.not_scored}." if found.not_scored else ""
