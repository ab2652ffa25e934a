"""The user's own model in the scores: where it was measured, the speed, memory and deployment scores use it.

A .keras file runs on every Keras backend, so its figures rank Keras on TensorFlow, PyTorch and JAX
against each other on the model the user will train; a PyTorch module runs on PyTorch alone, so it
ranks no frameworks (its named options are shown beside its default, never ranked) and the scores
keep to the reference models, which the findings say. Where two or more candidates ran it, a
candidate's score is the geometric blend of its score on the user's model (10 for the best there)
and its score on the reference models, the user's model counting OWN_SHARE: the figures that look
like the user's work decide, and the references keep the scale shared with the candidates the
model could not run on (PyTorch and TensorFlow, for a .keras file). A candidate only the user's
model measured (Keras on JAX, say) is scored on it alone. The basis says so either way.

The findings compare the ways the model was trained (the fastest backend against each other one,
each named option against PyTorch's eager default) with their 95% intervals between processes,
name the regime each ran in from its share of the matmul peak, and credit its routes for the user's
deployment target as the reference routes are credited (advisor/scoring/measured.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import knowledge
from advisor.records.findings import OwnComparison, OwnModelFindings, OwnRegime, Route
from advisor.records.profile import Profile
from advisor.scoring.measured import (
    TRIED,
    _in_runtime,
    _install_hint,
    _runtime_words,
    path_weights,
    rules,
    runtime_rule,
    short_label,
)
from advisor.scoring.relative import Scored, relative_to_best
from probes.devices import device_of, primary_device
from probes.evidence import EXPORT_PARITY, Evidence, ProbeResult, process_interval
from probes.peak import regime

OWN_SHARE = 0.75  # the user's model's share of a score where it was measured; the reference models', the rest
DEFAULT_CASE = {"keras": "fit", "pytorch": "eager"}  # the case a framework is compared on: its default
SCORED_CRITERIA = ("training_speed", "memory", "deployment")

Scorer = Callable[[Evidence, Sequence[str], Profile], Scored]


def own_results(evidence: Evidence | None, kind: str = "own_model") -> list[ProbeResult]:
    return evidence.of_kind(kind) if evidence is not None else []


def model_source(evidence: Evidence | None) -> tuple[str, str] | None:
    """(as the user named it, keras | pytorch), or None when the run measured no model of the user's."""
    own = (evidence.settings.get("own_model") if evidence is not None else None) or {}
    if not own:
        return None
    return str(own.get("source") or own.get("path") or "your model"), str(own.get("kind") or "")


def default_results(evidence: Evidence) -> dict[str, ProbeResult]:
    """Per candidate framework that trained the user's model at its default: that result (one device)."""
    found = {r.variant: r for r in own_results(evidence) if r.ok and r.case in DEFAULT_CASE.values() and r.samples}
    primary = primary_device({v: device_of(r) for v, r in found.items()})
    return {v: r for v, r in found.items() if device_of(r) in (None, primary)}


def _median(result: ProbeResult, metric: str) -> float | None:
    summary = result.summary(metric)
    return summary.median if summary is not None else None


def own_speed(evidence: Evidence, candidates: Sequence[str], profile: Profile) -> Scored:
    """Training throughput on the user's model, relative to the fastest candidate that ran it."""
    return _relative(evidence, candidates, "train_samples_per_s", True, "{:,.0f} samples/s")


def own_memory(evidence: Evidence, candidates: Sequence[str], profile: Profile) -> Scored:
    """Training memory above the library on the user's model, relative to the leanest."""
    return _relative(evidence, candidates, "train_memory_mb", False, "{:,.0f} MB training memory above the library")


def _relative(evidence: Evidence, candidates: Sequence[str], metric: str, higher: bool, words: str) -> Scored:
    values = {
        c: v for c, r in default_results(evidence).items() if c in candidates and (v := _median(r, metric)) is not None
    }
    values = {c: v for c, v in values.items() if v > 0}
    if len(values) < 2:
        return {}
    best = max(values.values()) if higher else min(values.values())
    return {
        c: (10 * (v / best if higher else best / v), words.format(v), {"median": round(v, 6)})
        for c, v in values.items()
    }


def own_deployment(evidence: Evidence, candidates: Sequence[str], profile: Profile) -> Scored:
    """The target's weights of the user's model's routes that worked, relative to the best candidate."""
    target = profile.answers.deployment_target or "none"
    per: dict[str, list[Route]] = {}
    for route in own_routes(evidence, target):
        if route.variant in candidates:
            per.setdefault(route.variant, []).append(route)
    tried = {c: routes for c, routes in per.items() if any(r.status != "not_tried" for r in routes)}
    totals = {c: sum(r.credit for r in routes) for c, routes in tried.items()}
    scores: Scored = {}
    for candidate, score in relative_to_best(totals).items():
        routes = tried[candidate]
        worked = ", ".join(r.label + (f" in {r.runtime}" if r.runtime else "") for r in routes if r.status == "works")
        basis = f"{totals[candidate]:g} of {sum(r.weight for r in routes):g} route points" + (
            f" (worked: {worked})" if worked else " (no route worked)"
        )
        scores[candidate] = (score, basis, {"points": round(totals[candidate], 3)})
    return scores


OWN_SCORERS: dict[str, Scorer] = {"training_speed": own_speed, "memory": own_memory, "deployment": own_deployment}


def with_own_model(criterion: str, reference: Scorer) -> Scorer:
    """The criterion's scorer, blended with the user's model where two or more candidates ran it."""

    def scored(evidence: Evidence, candidates: Sequence[str], profile: Profile) -> Scored:
        found = reference(evidence, candidates, profile)
        source = model_source(evidence)
        own = OWN_SCORERS[criterion](evidence, candidates, profile) if source else {}
        if not own or source is None:
            return found
        blended = dict(found)
        for candidate, (mine, words, figures) in own.items():
            yours = f"your model ({source[0]}): {words}"
            if candidate in found:
                ref, basis, ref_figures = found[candidate]
                value = 10 * (mine / 10) ** OWN_SHARE * (ref / 10) ** (1 - OWN_SHARE)
                text = f"{yours}, counting {OWN_SHARE:.0%}; the reference models the rest: {basis}"
                figures = {**ref_figures, "your_model": figures, "your_model_share": OWN_SHARE}
                blended[candidate] = (value, text, figures)
            else:
                text = f"{yours}; the reference models did not measure it here"
                blended[candidate] = (mine, text, {"your_model": figures, "your_model_share": 1.0})
        return blended

    return scored


# --- findings


def regime_of(utilisation: float) -> str:
    """The same regimes, at the same bounds, as the reference models' speed results (probes/peak.py)."""
    return regime(utilisation)


def own_comparisons(evidence: Evidence, kind: str) -> list[OwnComparison]:
    """The fastest candidate's default against each other's; each PyTorch option against eager."""
    defaults = sorted(default_results(evidence).values(), key=lambda r: -(_median(r, "train_samples_per_s") or 0))
    pairs = [(defaults[0], slower, False) for slower in defaults[1:]]
    if kind == "pytorch":
        by_case = {(r.variant, r.case): r for r in own_results(evidence) if r.ok and r.samples}
        for (variant, case), result in by_case.items():
            base = by_case.get((variant, DEFAULT_CASE["pytorch"]))
            if case != DEFAULT_CASE["pytorch"] and base is not None:
                pairs.append((result, base, True))
    found = []
    for a, b, option in pairs:
        interval = process_interval(a, b, "train_samples_per_s")
        if interval is not None:
            processes = (interval.n_a, interval.n_b)
            found.append(
                OwnComparison(
                    a.variant, a.case, b.variant, b.case, interval.ratio, interval.low, interval.high, processes, option
                )
            )
    return found


def own_regimes(evidence: Evidence) -> list[OwnRegime]:
    return [
        OwnRegime(r.variant, r.case, share, regime_of(share))
        for r in own_results(evidence)
        if r.ok and (share := _median(r, "utilisation")) is not None
    ]


def own_routes(evidence: Evidence, target: str) -> list[Route]:
    """Each route the user's model took, credited for the target as a reference route is (measured.path_credits)."""
    paths = knowledge.load("export_paths")["paths"]
    weights = path_weights(target)
    share = float(rules()["deployment"]["not_tried"]["share"])
    in_runtime, python_share = runtime_rule(target)
    routes = []
    for result in own_results(evidence, "own_export"):
        info: Mapping[str, Any] = paths.get(result.case) or {}
        weight = weights.get(result.case, 0.0)
        needed = (info.get("runtimes") or {}).get(target) if in_runtime else None
        label = short_label(str(info.get("label", result.case)))
        facts = result.facts
        if result.status not in TRIED:
            hint = _install_hint(result, info) if result.status == "not_installed" else ""
            why = f"install: {hint}" if hint else result.reason or result.status
            status, credit = "not_tried", weight * share * python_share
        elif facts.works(result.ok):
            status, why = _in_runtime(result, needed) if in_runtime else ("works", "")
            credit = {"works": weight, "python_only": weight * python_share}.get(status, 0.0)
            if status == "python_only":
                why = _runtime_words(facts, needed, target)
        else:
            error = facts.error or result.reason or result.status
            if result.ok and facts.max_abs_diff is not None:
                error = f"outputs differ by {float(facts.max_abs_diff):.1e} (over {EXPORT_PARITY:g})"
            status, credit, why = "failed", 0.0, str(error).splitlines()[0][:160]
        routes.append(Route(result.variant, result.case, label, weight, status, credit, why, needed))
    return routes


def own_model_findings(evidence: Evidence | None, target: str, scored: Sequence[str]) -> OwnModelFindings | None:
    """The user's model's findings, or None when the run measured none; `scored`: the criteria it entered."""
    source = model_source(evidence)
    if evidence is None or source is None:
        return None
    name, kind = source
    why = ""
    if not scored:
        ran = sorted(default_results(evidence))
        why = (
            f"your model trained on {len(ran)} framework{'s' if len(ran) != 1 else ''} here, and a score ranks"
            " two or more: the scores rest on the reference models"
            if len(ran) < 2
            else "no figure of your model could be compared between frameworks"
        )
    return OwnModelFindings(
        name,
        kind,
        tuple(own_comparisons(evidence, kind)),
        tuple(own_regimes(evidence)),
        tuple(own_routes(evidence, target)),
        target,
        tuple(scored),
        why,
        OWN_SHARE,
    )


def criteria_it_entered(scores: Mapping[str, Mapping[str, Any]]) -> tuple[str, ...]:
    """The criteria some candidate's score of which rests partly on the user's model."""
    return tuple(c for c in SCORED_CRITERIA if any("your_model" in s.figures for s in (scores.get(c) or {}).values()))
