"""Measured scores for ease of use, debugging and deployment, from the ease, debugging and export probes.

Each scorer has the shape of the speed scorers in advisor/scoring/speed.py: it returns
{candidate: (score 0-10, basis sentence, figures)} for the candidates its probe measured, 10 for
the best of them, and leaves the others to the articles. The judgement calls (how lines and API
calls combine, what a planted bug earns, the credit for an export path not tried) are data in
knowledge/measured_scores.yaml, each with its reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import knowledge
from advisor.records.findings import DeploymentFindings, PlantedCase, Route
from advisor.records.profile import Profile
from advisor.scoring.relative import Scored, relative_over_models, relative_to_best
from probes.evidence import EXPORT_PARITY, Evidence, ProbeResult, export_works
from probes.facts import DebuggingFacts, EaseFacts
from probes.kinds.debugging import BUG_TITLES, PRINT_BUG, split_case
from probes.variants import VARIANTS

BUG_POINTS = 10.0  # the most one planted bug earns: the sum of knowledge/measured_scores.yaml's points
EASE_FIGURES = ("total_lines", "api_calls", "device_statements", "model_lines", "train_lines")  # in the score's figures
TRIED = ("ok", "failed", "crashed", "timeout")  # export statuses of a path that was attempted
PHASE_WORDS = {
    "build": "while building the model",
    "compile": "at compile",
    "first_step": "on the first step",
    "later_step": "after some training steps",
}


@cache
def rules() -> dict[str, Any]:
    return knowledge.load("measured_scores")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _models_in_order(evidence: Evidence, results: Sequence[ProbeResult]) -> list[str]:
    models = list(evidence.settings.get("models") or [])
    return models + [m for m in dict.fromkeys(r.model for r in results) if m not in models]


# --- ease of use


def score_ease_of_use(evidence: Evidence, candidates: Sequence[str], profile: Profile) -> Scored:
    """Per model, a weighted geometric mean of logical lines and distinct API calls (lower is better)."""
    counts_rules = rules()["ease_of_use"]["counts"]
    weights = {name: float(entry["weight"]) for name, entry in counts_rules.items()}
    results = [r for r in evidence.of_kind("ease") if r.ok and r.variant in candidates]
    facts: dict[tuple[str, str], EaseFacts] = {}
    per_model: dict[str, dict[str, float]] = {m: {} for m in _models_in_order(evidence, results)}
    for result in results:
        values = {name: _number(getattr(result.facts, name)) for name in weights}
        if any(v is None or v <= 0 for v in values.values()):
            continue
        combined = math.exp(sum(w * math.log(values[n]) for n, w in weights.items()) / sum(weights.values()))
        per_model[result.model][result.variant] = combined
        facts[(result.variant, result.model)] = result.facts

    def describe(candidate: str, model: str, value: float) -> str:
        f = facts[(candidate, model)]
        device = _number(f.device_statements) or 0
        lines = f"{f.total_lines:g} lines" + (f" ({device:g} of them device statements)" if device else "")
        return f"{lines}, {f.api_calls:g} API calls"

    def figure(candidate: str, model: str, value: float) -> dict[str, Any]:
        f = facts[(candidate, model)]
        shown = {
            k: getattr(f, k) for k in ("total_lines", "api_calls", "device_statements", "model_lines", "train_lines")
        }
        return {**shown, "combined": round(value, 3)}

    return relative_over_models(per_model, candidates, False, describe, profile, figure)


# --- debugging


def default_mode(candidate: str) -> str:
    """How a user of this framework trains unless they ask otherwise: eager or traced."""
    modes = rules()["debugging"]["print"]["default_mode"]
    family = VARIANTS[candidate].family if candidate in VARIANTS else None
    return str(modes.get(family, "traced"))


def bug_results(evidence: Evidence, candidate: str) -> dict[str, ProbeResult]:
    """Planted bug -> the result a user of the framework's default mode would see (a bare case first)."""
    mode = default_mode(candidate)
    chosen: dict[str, tuple[int, ProbeResult]] = {}
    for result in evidence.of_kind("debugging"):
        if result.variant != candidate or not result.ok or not result.case:
            continue
        bug, case_mode = split_case(result.case)
        rank = 0 if case_mode == "default" else 1 if case_mode == mode else 2
        if bug == PRINT_BUG and rank == 2:
            continue  # a print in the other mode says nothing about the default
        if bug not in chosen or rank < chosen[bug][0]:
            chosen[bug] = (rank, result)
    return {bug: result for bug, (_, result) in chosen.items()}


def bug_points(bug: str, facts: DebuggingFacts) -> tuple[float, str]:
    """What one planted bug earns (0-10) and how it showed, in words."""
    table = rules()["debugging"]
    points = {name: float(entry["points"]) for name, entry in table["points"].items()}
    if bug == PRINT_BUG:
        prints, steps = _number(facts.print_count) or 0, _number(facts.steps) or 0
        key = "every_step" if steps and prints >= steps else "some_steps" if prints else "never"
        return BUG_POINTS * float(table["print"][key]), f"the print ran {prints:g} times in {steps:g} steps"
    if facts.absorbed:
        return BUG_POINTS * float(table["absorbed"]["share"]), "no error: the framework absorbed it"
    surfaced = str(facts.surfaced_at or "none")
    raised = surfaced in PHASE_WORDS or bool(facts.exception_type)  # the probe's phases are those of an error
    if raised:
        loud, phase = "exception", surfaced
        shown = f"{facts.exception_type or 'an error'} {PHASE_WORDS.get(surfaced, surfaced)}"
    elif surfaced == "silent_nan":
        first = _number(facts.first_nan_step)
        loud, phase = "silent_nan", "first_step" if first == 1 else "later_step"
        shown = f"no error; NaN loss from step {first:g}" if first else "no error; NaN outputs"
    else:
        loud, phase = surfaced, None
        shown = "no error, no NaN: the model answers the same for every input" if loud == "silent_wrong" else "no sign"
    earned = points["loud"] * float(table["loud"].get(loud, 0.0))
    if earned > 0 and phase is not None:
        earned += points["early"] * float(table["early"].get(phase, 0.0))
    if raised:
        named = facts.names_shapes is True or facts.names_dtypes is True
        earned += points["message"] if named else 0.0
        shown += ", names the shapes" if facts.names_shapes else ", names the dtypes" if named else ""
        if facts.points_at_planted_line:
            earned += points["line"] * float(table["line"]["planted_line"])
            shown += ", points at the planted line"
        elif facts.points_at_planted_statement:
            earned += points["line"] * float(table["line"]["planted_statement"])
            shown += ", points at the statement holding it"
        else:
            shown += ", not at the planted line"
    return earned, shown


def score_debugging(evidence: Evidence, candidates: Sequence[str], profile: Profile) -> Scored:
    """Points per planted bug, summed over the bugs every measured candidate ran, relative to the best."""
    ran = {c: found for c in candidates if (found := bug_results(evidence, c))}
    if not ran:
        return {}
    common = [bug for bug in next(iter(ran.values())) if all(bug in found for found in ran.values())]
    left_out = sorted({bug for found in ran.values() for bug in found} - set(common))
    earned: dict[str, dict[str, tuple[float, str]]] = {
        c: {bug: bug_points(bug, found[bug].facts) for bug in common} for c, found in ran.items()
    }
    totals = {c: sum(p for p, _ in per.values()) for c, per in earned.items()}
    scores: Scored = {}
    for candidate, score in relative_to_best(totals).items():
        per = earned[candidate]
        basis = f"{totals[candidate]:.1f} of {BUG_POINTS * len(common):g} points on {len(common)} planted bugs"
        if left_out:
            basis += f" (compared on the bugs every framework measured ran; left out: {', '.join(left_out)})"
        # Points, and what showed only for the print (which mode counted): what each error looked like
        # is the debugging section's table, not repeated in every score.
        basis += ": " + "; ".join(
            f"{bug.replace('_', ' ')} {p:g}" + (f" ({shown})" if bug == "print_in_forward" else "")
            for bug, (p, shown) in per.items()
        )
        figures = {
            "points": round(totals[candidate], 3),
            "out_of": BUG_POINTS * len(common),
            "bugs": {bug: round(p, 3) for bug, (p, _) in per.items()},
            "left_out": left_out,
        }
        scores[candidate] = (score, basis, figures)
    return scores


def planted_cases(evidence: Evidence | None) -> tuple[PlantedCase, ...]:
    """Every planted-bug case of this run, in the order the debugging probe plants them (its bugs, then modes)."""
    cases = dict.fromkeys(r.case for r in evidence.of_kind("debugging") if r.case) if evidence is not None else {}
    order = list(BUG_TITLES)

    def place(case: str) -> tuple[int, str]:
        bug, mode = split_case(case)
        return (order.index(bug) if bug in order else len(order), mode)

    found = []
    for case in sorted(cases, key=place):
        bug, mode = split_case(case)
        found.append(PlantedCase(case, bug, mode, BUG_TITLES.get(bug), bug == PRINT_BUG))
    return tuple(found)


# --- deployment


def path_weights(target: str | None) -> dict[str, float]:
    """How much each export path matters for the deployment target ("none" when not given)."""
    from knowledge import load

    key = target or "none"
    return {
        path: float((info.get("weights") or {}).get(key, 0.0)) for path, info in load("export_paths")["paths"].items()
    }


def short_label(label: str) -> str:
    """'TorchScript' for 'TorchScript (torch.jit.script)'."""
    return label.split(" (")[0].split(", ")[0]


def _install_hint(result: ProbeResult | None, info: Mapping[str, Any]) -> str:
    hint = (result.facts.install_hint if result is not None else None) or info.get("install") or ""
    first, _, caveat = " ".join(str(hint).split()).partition(" -- ")
    return first.strip() + (" (with a caveat: see knowledge/export_paths.yaml)" if caveat else "")


def runtime_rule(target: str) -> tuple[str | None, float]:
    """For a target proven only in its own runtime: ("runtime", python-only share); else (None, 1.0)."""
    rule = rules()["deployment"]["runtime_targets"]
    if target in rule["targets"]:
        return "runtime", float(rule["python_only"]["share"])
    return None, 1.0


def _runtime_words(facts: Any, needed: str | None, target: str) -> str:
    """Why a path that works in Python did not count as run in the target's runtime."""
    if needed is None:
        return f"no {target} runtime runs this file"
    if needed == facts.browser_runtime and facts.browser_error:
        return f"not run in {needed}: {str(facts.browser_error).splitlines()[0][:100]}"
    return f"not run in {needed}"


def _in_runtime(result: ProbeResult, needed: str | None) -> tuple[str, str]:
    """(status, why) of a path that works in Python, for a target that needs its own runtime."""
    facts = result.facts
    if needed and needed in facts.proven_in(result.ok):
        return "works", ""
    if needed and needed == facts.browser_runtime and facts.browser_ok:
        return "failed", f"in {needed} the outputs differ by {float(facts.browser_max_abs_diff or 0):.1e}"
    if needed and needed == facts.browser_runtime and facts.browser_ok is False:
        return "failed", f"failed in {needed}: {str(facts.browser_error or 'no reason').splitlines()[0][:100]}"
    return "python_only", ""


def path_credits(evidence: Evidence, candidate: str, target: str) -> list[Route]:
    """Per export path the candidate offers: its weight for the target, status, credit and why.

    For a browser, mobile or edge target, "works" means it ran in that target's runtime with the
    original's outputs; a path only reloaded in Python is "python_only" (a share of its weight).
    """
    paths = knowledge.load("export_paths")["paths"]
    weights = path_weights(target)
    share = float(rules()["deployment"]["not_tried"]["share"])
    in_runtime, python_share = runtime_rule(target)
    results = {r.case: r for r in evidence.of_kind("export") if r.variant == candidate and r.case}
    offered = [p for p, info in paths.items() if candidate in (info.get("variants") or [])]
    offered += [p for p in results if p not in offered]
    routes = []
    for path in offered:
        info = paths.get(path) or {}
        weight = weights.get(path, 0.0)
        result = results.get(path)
        needed = (info.get("runtimes") or {}).get(target) if in_runtime else None
        label = short_label(str(info.get("label", path)))
        if result is None or result.status not in TRIED:
            why = "not in this run" if result is None else result.reason or result.status
            hint = _install_hint(result, info) if result is not None and result.status == "not_installed" else ""
            status, credit, why = "not_tried", weight * share * python_share, f"install: {hint}" if hint else why
        elif export_works(result):
            status, why = _in_runtime(result, needed) if in_runtime else ("works", "")
            credit = {"works": weight, "python_only": weight * python_share}.get(status, 0.0)
            if status == "python_only":
                why = _runtime_words(result.facts, needed, target)
        else:
            diff = result.facts.max_abs_diff
            error = result.facts.error or result.reason or result.status
            if result.ok and diff is not None:
                error = f"outputs differ by {float(diff):.1e} (over {EXPORT_PARITY:g})"
            status, credit, why = "failed", 0.0, str(error).splitlines()[0][:120]
        routes.append(Route(candidate, path, label, weight, status, credit, why, needed))
    return routes


def deployment_findings(evidence: Evidence | None, target: str) -> DeploymentFindings:
    """What each export path weighs for the target, and the routes of every variant the export probe ran."""
    variants = dict.fromkeys(r.variant for r in evidence.of_kind("export")) if evidence is not None else {}
    routes = tuple(route for v in variants for route in path_credits(evidence, v, target))  # type: ignore[arg-type]
    return DeploymentFindings(target, runtime_rule(target)[0] is not None, path_weights(target), routes)


def score_deployment(evidence: Evidence, candidates: Sequence[str], profile: Profile) -> Scored:
    """The target's weights of the export paths that worked (in the target's runtime, for a browser, mobile or
    edge target), a share for those only reloaded in Python or not tried, relative to the best."""
    target = profile.answers.deployment_target or "none"
    yours = f'your answer "{profile.answers.words("deployment_target")}"'
    rows: dict[str, list[Route]] = {}
    for candidate in candidates:
        tried = [r for r in evidence.of_kind("export") if r.variant == candidate and r.case and r.status in TRIED]
        if tried:
            rows[candidate] = path_credits(evidence, candidate, target)
    totals = {c: sum(row.credit for row in per) for c, per in rows.items()}
    share = float(rules()["deployment"]["not_tried"]["share"])
    scores: Scored = {}
    for candidate, score in relative_to_best(totals).items():
        per = rows[candidate]
        possible = sum(row.weight for row in per)
        parts = []
        works = [row for row in per if row.status == "works"]
        in_runtime, python_share = runtime_rule(target)
        if works and in_runtime:
            parts.append(
                "ran in the target's runtime: "
                + ", ".join(f"{row.label} in {row.runtime} ({row.weight:g})" for row in works)
            )
        elif works:
            parts.append("works: " + ", ".join(f"{row.label} ({row.weight:g})" for row in works))
        python_only = [row for row in per if row.status == "python_only" and row.weight > 0]
        if python_only:
            parts.append(
                "verified only by a Python reload, so "
                + ("half credit" if python_share == 0.5 else f"{python_share:g} of the weight")
                + ": "
                + ", ".join(f"{row.label} ({row.credit:g} of {row.weight:g}; {row.why})" for row in python_only)
            )
        not_tried = [row for row in per if row.status == "not_tried"]
        if not_tried:
            given = share * python_share
            credit = "half credit" if given == 0.5 else f"{given:g} of the weight"
            parts.append(
                f"not tried, so {credit}: "
                + ", ".join(f"{row.label} ({row.credit:g} of {row.weight:g}; {row.why})" for row in not_tried)
            )
        failed = [row for row in per if row.status == "failed"]
        if failed:
            parts.append("failed: " + ", ".join(f"{row.label} ({row.why})" for row in failed))
        basis = f"{totals[candidate]:g} of {possible:g} points for {yours}: " + "; ".join(parts)
        figures = {
            "target": target,
            "points": round(totals[candidate], 3),
            "possible": possible,
            "parity_tolerance": EXPORT_PARITY,
            "paths": {row.path: {"status": row.status, "weight": row.weight, "credit": row.credit} for row in per},
            "runtime_rule": bool(in_runtime),
        }
        scores[candidate] = (score, basis, figures)
    return scores
