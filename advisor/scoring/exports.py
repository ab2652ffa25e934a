"""What counts as a working export path, and how much each path weighs for a deployment target.

Shared by the claims' verdicts (advisor/claims/verdicts.py), the measured deployment score
(advisor/scoring/measured.py) and the report's deployment section, so that none of them can differ on
what "works" means: exported, reloaded in a fresh process, and the same outputs within
EXPORT_PARITY. The weights per target are data in knowledge/export_paths.yaml (3: a primary
route to that target, 1 useful, 0.5 marginal).
"""

from __future__ import annotations

from probes.evidence import ProbeResult

EXPORT_PARITY = 1e-4  # max |difference| between original and reloaded outputs


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
