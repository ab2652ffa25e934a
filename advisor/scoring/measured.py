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
from dataclasses import replace
from functools import cache
from typing import Any

import knowledge
from advisor.records.findings import DEPLOYED_MODEL, DeploymentFindings, PlantedCase, Route, short_label
from advisor.records.profile import Profile
from advisor.scoring.relative import Scored, relative_over_models, relative_to_best
from probes.budgets import BUDGETS
from probes.evidence import EXPORT_PARITY, Evidence, ProbeResult, export_works
from probes.facts import DebuggingFacts, EaseFacts
from probes.kinds.debugging import BUG_TITLES, PRINT_BUG, split_case
from probes.variants import VARIANTS
from probes.variants import label as variant_label

BUG_POINTS = 10.0  # the most one planted bug earns: the sum of knowledge/measured_scores.yaml's points
EASE_FIGURES = ("total_lines", "api_calls", "device_statements", "model_lines", "train_lines")  # in the score's figures
TRIED = ("ok", "failed", "crashed", "timeout")  # export statuses of a path that was attempted
STEP_WORDS = {  # probes/kinds/debug_steps.py's stages after the default run
    "detector": "by the framework's detector (one step)",
    "print": "by a print of the outputs (one step)",
    "print_eager": "by a print after the eager switch (two steps)",
}
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
    """What one planted bug earns (0-10) and how it showed, in words: what its default run showed, or, if
    more, what the first next step that found it earns (knowledge/measured_scores.yaml, debugging)."""
    table = rules()["debugging"]
    if bug == PRINT_BUG:
        prints, steps = _number(facts.print_count) or 0, _number(facts.steps) or 0
        key = "every_step" if steps and prints >= steps else "some_steps" if prints else "never"
        return BUG_POINTS * float(table["print"][key]), f"the print ran {prints:g} times in {steps:g} steps"
    if facts.prevented:
        return BUG_POINTS * float(table["cannot_happen"]["share"]), "prevented: the framework's idiom cannot make it"
    if facts.absorbed:
        return BUG_POINTS * float(table["absorbed"]["share"]), "no error: the framework absorbed it"
    earned, shown = default_points(facts, table)
    later = table.get("next_steps") or {}
    if facts.found_by in STEP_WORDS and facts.found_by in later:
        if BUG_POINTS * float(later[facts.found_by]) > earned:
            earned = BUG_POINTS * float(later[facts.found_by])
        shown += f"; found {STEP_WORDS[facts.found_by]}"
    elif facts.found_by == "none":
        shown += "; not found by the detector or a print either"
    return earned, shown


def default_points(facts: DebuggingFacts, table: Mapping[str, Any]) -> tuple[float, str]:
    """What a bug earns for what its default run showed: an error, a warning naming the cause, a NaN, nothing."""
    points = {name: float(entry["points"]) for name, entry in table["points"].items()}
    surfaced = str(facts.surfaced_at or "none")
    raised = surfaced in PHASE_WORDS or bool(facts.exception_type)  # the probe's phases are those of an error
    if raised:
        loud, phase = "exception", surfaced
        shown = f"{facts.exception_type or 'an error'} {PHASE_WORDS.get(surfaced, surfaced)}"
    elif surfaced == "warning":
        loud, phase = "warning", "first_step"
        shown = "no error; a warning that names the cause"
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
    if loud == "warning":
        earned += points["message"]
    if raised:
        named = facts.names_shapes is True or facts.names_dtypes is True or facts.names_cause is True
        earned += points["message"] if named else 0.0
        shown += _named_words(facts)
        if facts.points_at_planted_line:
            earned += points["line"] * float(table["line"]["planted_line"])
            shown += ", points at the planted line"
        elif facts.points_at_planted_statement:
            earned += points["line"] * float(table["line"]["planted_statement"])
            shown += ", points at the statement holding it"
        else:
            shown += ", not at the planted line"
    return earned, shown


def prevented_points(candidate: str, bug: str) -> tuple[float, str] | None:
    """What a planted bug earns in a framework whose idiomatic code cannot make its class (None: it can)."""
    family = VARIANTS[candidate].family if candidate in VARIANTS else None
    rule = (rules()["debugging"].get("prevented") or {}).get(family) or {}
    if bug not in (rule.get("bugs") or ()):
        return None
    return BUG_POINTS * float(rule["share"]), f"prevented: {rule['shown']}"


def _named_words(facts: DebuggingFacts) -> str:
    if facts.names_shapes:
        return ", names the shapes"
    if facts.names_dtypes:
        return ", names the dtypes"
    return ", names the cause" if facts.names_cause else ""


def score_debugging(evidence: Evidence, candidates: Sequence[str], profile: Profile) -> Scored:
    """Points per planted bug, summed over the bugs every measured candidate ran, relative to the best; a bug
    whose class the framework prevents earns what knowledge/measured_scores.yaml `prevented` gives it."""
    ran = {c: found for c in candidates if (found := bug_results(evidence, c))}
    if not ran:
        return {}
    common = [bug for bug in next(iter(ran.values())) if all(bug in found for found in ran.values())]
    left_out = sorted({bug for found in ran.values() for bug in found} - set(common))
    earned: dict[str, dict[str, tuple[float, str]]] = {
        c: {bug: prevented_points(c, bug) or bug_points(bug, found[bug].facts) for bug in common}
        for c, found in ran.items()
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
            f"{bug.replace('_', ' ')} {p:g}"
            + (f" ({shown})" if bug == "print_in_forward" or shown.startswith("prevented") else "")
            for bug, (p, shown) in per.items()
        )
        later = [f"{bug.replace('_', ' ')} {shown.rpartition('; ')[2]}" for bug, (_, shown) in per.items()]
        later = [said for said in later if " found by " in said]
        if later:
            basis += ". Not said by the default run, " + "; ".join(later)
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
    if needed == facts.browser_runtime and "browser" in (facts.not_run or ()):
        return f"not run in {needed}: the run's budget left the browser runs out ({facts.NOT_RUN_WHERE})"
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


def _call_ms(result: ProbeResult, needed: str | None) -> float | None:
    """Milliseconds a call in the target's runtime, or in the file's own runtime where the target needs none."""
    facts = result.facts
    if needed is not None and needed == facts.browser_runtime:
        return facts.browser_call_ms
    if facts.runtime and needed in (None, facts.runtime):
        return facts.call_ms
    return None


def path_credits(evidence: Evidence, candidate: str, target: str) -> list[Route]:
    """Per export path the candidate offers: its weight for the target, status, credit and why.

    For a browser, mobile or edge target, "works" means it ran in that target's runtime with the
    original's outputs; a path only reloaded in Python is "python_only" (a share of its weight).
    """
    paths = knowledge.load("export_paths")["paths"]
    weights = path_weights(target)
    share = float(rules()["deployment"]["not_tried"]["share"])
    in_runtime, python_share = runtime_rule(target)
    results = {
        r.case: r for r in evidence.of_kind("export") if r.variant == candidate and r.case and r.model == DEPLOYED_MODEL
    }
    offered = [p for p, info in paths.items() if candidate in (info.get("variants") or [])]
    offered += [p for p in results if p not in offered]
    routes = []
    for path in offered:
        info = paths.get(path) or {}
        weight = weights.get(path, 0.0)
        result = results.get(path)
        needed = (info.get("runtimes") or {}).get(target) if in_runtime else None
        label = short_label(str(info.get("label", path)))
        call_ms = None
        if result is None or result.status not in TRIED:
            why = "not in this run" if result is None else result.reason or result.status
            hint = _install_hint(result, info) if result is not None and result.status == "not_installed" else ""
            status, credit, why = "not_tried", weight * share * python_share, f"install: {hint}" if hint else why
        elif export_works(result):
            status, why = _in_runtime(result, needed) if in_runtime else ("works", "")
            credit = {"works": weight, "python_only": weight * python_share}.get(status, 0.0)
            if status == "python_only":
                why = _runtime_words(result.facts, needed, target)
            call_ms = _call_ms(result, needed) if status == "works" else None
        else:
            diff = result.facts.max_abs_diff
            error = result.facts.error or result.reason or result.status
            if result.ok and diff is not None:
                error = f"outputs differ by {float(diff):.1e} (over {EXPORT_PARITY:g})"
            status, credit, why = "failed", 0.0, str(error).splitlines()[0][:120]
        routes.append(Route(candidate, path, label, weight, status, credit, why, needed, call_ms))
    return routes


def slower_routes(routes: Sequence[Route]) -> list[Route]:
    """The routes, a working one many times slower than the fastest working route (of any variant) earning
    less (knowledge/measured_scores.yaml, deployment.latency): its slowdown and why say by how much."""
    rule = rules()["deployment"]["latency"]
    timed = [r for r in routes if r.status == "works" and r.call_ms]
    if not timed:
        return list(routes)
    fastest = min(timed, key=lambda r: float(r.call_ms or 0))
    best = float(fastest.call_ms or 0)
    slowed = []
    for route in routes:
        if route in timed and float(route.call_ms or 0) > float(rule["slower_than_best"]) * best:
            times = float(route.call_ms or 0) / best
            why = (
                f"{route.call_ms:.3g} ms a call, {times:.0f} times the fastest route's {best:.3g} ms "
                f"({fastest.label}, {variant_label(fastest.variant)})"
            )
            route = replace(route, credit=route.credit * float(rule["share"]), slowdown=round(times, 1), why=why)
        slowed.append(route)
    return slowed


def all_routes(evidence: Evidence, target: str) -> list[Route]:
    """Every variant's routes to the target, credited, the slow ones with less (slower_routes)."""
    variants = dict.fromkeys(r.variant for r in evidence.of_kind("export") if r.case)
    return slower_routes([route for v in variants for route in path_credits(evidence, v, target)])


def deployment_findings(evidence: Evidence | None, target: str) -> DeploymentFindings:
    """What each export path weighs for the target, and the routes of every variant the export probe ran."""
    routes = tuple(all_routes(evidence, target)) if evidence is not None else ()
    exported = {name: budget.export_models for name, budget in BUDGETS.items() if "export" in budget.kinds}
    return DeploymentFindings(target, runtime_rule(target)[0] is not None, path_weights(target), routes, exported)


def _route_figures(route: Route) -> dict[str, Any]:
    figures: dict[str, Any] = {"status": route.status, "weight": route.weight, "credit": route.credit}
    if route.slowdown is not None:
        figures["slowdown"] = route.slowdown
    return figures


def score_deployment(evidence: Evidence, candidates: Sequence[str], profile: Profile) -> Scored:
    """The target's weights of the export paths that worked (in the target's runtime, for a browser, mobile or
    edge target), a share for those only reloaded in Python or not tried, relative to the best."""
    target = profile.answers.deployment_target or "none"
    yours = f'your answer "{profile.answers.words("deployment_target")}"'
    rows: dict[str, list[Route]] = {}
    routes = all_routes(evidence, target)
    for candidate in candidates:
        tried = [r for r in evidence.of_kind("export") if r.variant == candidate and r.case and r.status in TRIED]
        if tried:
            rows[candidate] = [route for route in routes if route.variant == candidate]
    totals = {c: sum(row.credit for row in per) for c, per in rows.items()}
    share = float(rules()["deployment"]["not_tried"]["share"])
    scores: Scored = {}
    for candidate, score in relative_to_best(totals).items():
        per = rows[candidate]
        possible = sum(row.weight for row in per)
        parts = []
        works = [row for row in per if row.status == "works" and row.slowdown is None]
        in_runtime, python_share = runtime_rule(target)
        if works and in_runtime:
            parts.append(
                "ran in the target's runtime: "
                + ", ".join(f"{row.label} in {row.runtime} ({row.weight:g})" for row in works)
            )
        elif works:
            parts.append("works: " + ", ".join(f"{row.label} ({row.weight:g})" for row in works))
        slow = [row for row in per if row.slowdown is not None]
        if slow:
            parts.append(
                f"works but more than {rules()['deployment']['latency']['slower_than_best']:g} times slower than "
                "the fastest route, so less credit: "
                + ", ".join(f"{row.label} ({row.credit:g} of {row.weight:g}; {row.why})" for row in slow)
            )
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
            "paths": {row.path: _route_figures(row) for row in per},
            "runtime_rule": bool(in_runtime),
        }
        scores[candidate] = (score, basis, figures)
    return scores
