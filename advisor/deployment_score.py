"""Deployment, scored from this run's export probes: the routes that worked, weighed for the user's target.

Each export path has a weight per deployment target in knowledge/export_paths.yaml (3: a primary
route to that target). A path works when it exported, reloaded in a fresh process and gave the
same outputs. Each working route closes a share of the remaining gap to 10 in proportion to its
weight (a primary route closes all of it; two half-good routes close three quarters), so a
framework is not rewarded for many marginal routes over one good one:

    score = 10 * (1 - product over working paths of (1 - weight / 3))

A path that failed counts as not working. A path that could not run here (its converter not
installed) counts neither way; when such a path weighs more for the target than every path that
did run, the measured score would hinge on it, so the framework is left to the articles instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from probes.evidence import Evidence, ProbeResult

EXPORT_PARITY = 1e-4  # max |difference| between original and reloaded outputs
PRIMARY_WEIGHT = 3.0  # a primary route to the target, in knowledge/export_paths.yaml
NOT_RUN = ("not_installed", "skipped", "interrupted")


def export_works(result: ProbeResult) -> bool:
    """Exported, reloaded in a fresh process, and the same outputs within EXPORT_PARITY."""
    diff = result.facts.get("max_abs_diff")
    return result.ok and result.facts.get("reload_ok") is not False and (diff is None or float(diff) <= EXPORT_PARITY)


def path_weights(target: str | None) -> dict[str, float]:
    """How much each export path matters for the deployment target ("none" when not given)."""
    from knowledge import load

    key = target or "none"
    return {
        path: float((info.get("weights") or {}).get(key, 0.0)) for path, info in load("export_paths")["paths"].items()
    }


def path_label(path: str) -> str:
    from knowledge import load

    return str((load("export_paths")["paths"].get(path) or {}).get("label", path))


def route_score(weights: Sequence[float]) -> float:
    """10 when a primary route works; each working route closes its weight's share of what is left."""
    left = math.prod(1 - min(w, PRIMARY_WEIGHT) / PRIMARY_WEIGHT for w in weights)
    return 10 * (1 - left)


def deployment_score(results: Sequence[ProbeResult], weights: Mapping[str, float]) -> tuple[float, str, dict] | None:
    """One framework's score from its export results, or None when what did not run would decide it."""
    ran = [r for r in results if r.status not in NOT_RUN]
    not_run = [r for r in results if r.status in NOT_RUN]
    if not ran:
        return None
    best_ran = max(weights.get(r.case, 0.0) for r in ran)
    if any(weights.get(r.case, 0.0) > best_ran for r in not_run):
        return None
    working = sorted((r for r in ran if export_works(r)), key=lambda r: -weights.get(r.case, 0.0))
    broken = [r for r in ran if not export_works(r)]
    score = route_score([weights.get(r.case, 0.0) for r in working])
    parts = [
        "works: "
        + (", ".join(f"{path_label(r.case)} (weight {weights.get(r.case, 0.0):g})" for r in working) or "none")
    ]
    if broken:
        parts.append("failed: " + ", ".join(path_label(r.case) for r in broken))
    if not_run:
        parts.append("not counted (not installed here): " + ", ".join(path_label(r.case) for r in not_run))
    figures: dict[str, Any] = {
        "working": [r.case for r in working],
        "failed": [r.case for r in broken],
        "not_run": [r.case for r in not_run],
    }
    return score, "; ".join(parts), figures


def score_deployment(evidence: Evidence, candidates: Sequence[str], profile) -> dict[str, tuple[float, str, dict]]:
    """{candidate: (score, basis, figures)} for the candidates whose export probe decides their score."""
    target = profile.answers.values.get("deployment_target") if profile is not None else None
    weights = path_weights(target)
    scores = {}
    for candidate in candidates:
        results = [r for r in evidence.of_kind("export") if r.variant == candidate]
        scored = deployment_score(results, weights)
        if scored is not None:
            score, basis, figures = scored
            scores[candidate] = (score, f"export paths weighed for target {target or 'none'}: {basis}", figures)
    return scores
