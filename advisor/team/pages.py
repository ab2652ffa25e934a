"""View models of the team report and the onboarding page, built from the records alone, then rendered.

Templates (reports/team.html, reports/onboarding.html and their partials) hold no logic beyond
`if` and `for`; every sentence's figures are computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from advisor.records.profile import load_criteria
from advisor.records.scorecard import PERTURBATION, Scorecard
from advisor.report.findings import reference_code
from advisor.report.page import SOURCE_LABELS
from advisor.team.compare import compare, page_view
from advisor.team.decision import MACHINES_RULE, METHOD, TeamDecision
from advisor.team.inputs import Machine
from advisor.team.onboarding import Findings, OnboardingPath
from probes.variants import label as variant_label


def decision_summary(card: Scorecard) -> dict[str, Any]:
    return {
        "leader": variant_label(card.leader),
        "runner_up": variant_label(card.ranking[1]) if len(card.ranking) > 1 else None,
        "margin": card.margin,
        "near_tie": card.near_tie,
        "kept_pct": 100 * card.kept_under_perturbation,
        "perturbation_pct": 100 * PERTURBATION,
    }


def _flips(card: Scorecard) -> list[dict[str, Any]]:
    """The smallest one-weight changes that flip the team's pick, only those answers could make
    (robustness.plausible_flips): 18,532% more weight for popularity is no plausible change, not a figure."""
    criteria = load_criteria()
    return [
        {
            "criterion": criteria[p.flip.criterion].label if p.flip.criterion in criteria else p.flip.criterion,
            "change_pct": 100 * p.flip.change,
            "share_pct": 100 * p.share,
            "new_share_pct": 100 * p.new_share,
            "new_leader": variant_label(p.flip.new_leader),
        }
        for p in card.plausible_flips
    ]


def _score_cells(card: Scorecard, criterion: str) -> list[dict[str, Any]]:
    cells = []
    for candidate in card.candidates:
        s = card.scores[criterion][candidate]
        source = "team's answers" if s.source == "answers" else SOURCE_LABELS.get(s.source, s.source)
        cells.append({"score": s.score, "source": source, "basis": s.basis, "measured": s.source == "measured"})
    return cells


def path_view(path: OnboardingPath) -> dict[str, Any]:
    def findings(f: Findings) -> dict[str, Any]:
        return {
            "relevant": f.relevant,
            "machine": f.machine,
            "note": f.note,
            "rows": [{"case": r.case, "ok": r.ok, "cells": dict(r.cells)} for r in f.rows],
        }

    return {
        "member": path.member,
        "framework": path.framework,
        "knows_chosen": path.knows_chosen,
        "roles": list(path.roles),
        "start": path.start,
        "reference_file": path.reference_file,
        "steps": [
            {
                "label": s.label,
                "why": s.why,
                "because": list(s.because),
                "how": list(s.how),
                "references": list(s.references),
            }
            for s in path.steps
        ],
        "debugging": findings(path.debugging),
        "export": findings(path.export),
    }


def _machine_notes(machines: Sequence[Machine]) -> list[str]:
    return [f"{m.label}: {note}" for m in machines for note in m.evidence.notes]


def team_view(
    decision: TeamDecision, paths: Sequence[OnboardingPath], created_at: str, reproduce: str
) -> dict[str, Any]:
    criteria = load_criteria()
    card = decision.scorecard
    members = decision.members
    leader = card.leader
    agreement = [
        {
            "label": ms.label,
            "leader": variant_label(ms.scorecard.leader),
            "margin": ms.scorecard.margin,
            "kept_pct": 100 * ms.scorecard.kept_under_perturbation,
            "same": ms.scorecard.leader == leader,
            "measured": sorted(
                {
                    variant_label(c)
                    for k in ms.scorecard.scores
                    for c, s in ms.scorecard.scores[k].items()
                    if s.source == "measured"
                }
            ),
        }
        for ms in decision.per_machine
    ]
    top_splits = [s for s in decision.splits if s.pull > 1e-9][:3]
    split_keys = {s.criterion for s in top_splits}
    camps = [{"pick": variant_label(pick), "names": list(names)} for pick, names in decision.camps]
    if len(decision.camps) >= 2:
        camp_a, camp_b = decision.camps[0], decision.camps[1]
        split_a, split_b = variant_label(camp_a[0]), variant_label(camp_b[0])
    else:
        split_a, split_b = (
            variant_label(card.ranking[0]),
            variant_label(card.ranking[1]) if len(card.ranking) > 1 else "",
        )
    weight_rows = []
    for key, criterion in criteria.items():
        weight_rows.append(
            {
                "criterion": criterion.label,
                "members": [100 * m.profile.weight_vector()[key] for m in members],
                "team": 100 * decision.weights[key],
                "splits": key in split_keys,
            }
        )
    weight_rows.sort(key=lambda row: -row["team"])
    criteria_rows = [
        {
            "label": c.label,
            "description": c.description,
            "weight_pct": 100 * card.weights[key],
            "cells": _score_cells(card, key),
        }
        for key, c in criteria.items()
    ]
    criteria_rows.sort(key=lambda row: -row["weight_pct"])
    own = []
    for i, member in enumerate(members):
        pick = decision.member_pick(i)
        weights = member.profile.weight_vector()
        heaviest = sorted(weights, key=lambda k: -weights[k])[:3]
        own.append(
            {
                "name": member.name,
                "source": member.source,
                "pick": variant_label(pick.leader),
                "margin": pick.margin,
                "near_tie": pick.near_tie,
                "agrees": pick.leader == leader,
                "heaviest": ", ".join(f"{criteria[k].label} {100 * weights[k]:.0f}%" for k in heaviest),
            }
        )
    return {
        "title": decision.title,
        "created_at": created_at,
        "member_names": [m.name for m in members],
        "decision": {
            **decision_summary(card),
            "machine": decision.primary.label,
            "flips": (flips := _flips(card))[:5],
            "implausible_flips": len(card.flips) - len(flips),
            "totals": [{"label": variant_label(c), "total": card.totals[c]} for c in card.ranking],
            "arithmetic_leader": variant_label(decision.arithmetic_leader),
            "arithmetic_same": decision.arithmetic_leader == leader,
            "without": [
                {"name": name, "leader": variant_label(pick), "same": pick == leader}
                for name, pick in decision.without.items()
            ],
            "agreement": agreement,
            "agreeing_machines": sum(1 for a in agreement if a["same"]),
        },
        "method": METHOD,
        "machines_rule": MACHINES_RULE,
        "own_picks": own,
        "camps": camps,
        "split_a": split_a,
        "split_b": split_b,
        "split_between_camps": len(decision.camps) >= 2,
        "splits": [
            {
                "criterion": criteria[s.criterion].label,
                "weight_a_pct": 100 * s.weight_a,
                "weight_b_pct": 100 * s.weight_b,
                "score_a": s.score_a,
                "score_b": s.score_b,
                "gap_a": s.gap_a,
                "gap_b": s.gap_b,
                "same_gap": abs(s.gap_a - s.gap_b) < 1e-9,
                "pull": s.pull,
            }
            for s in top_splits
        ],
        "weight_rows": weight_rows,
        "differing_answers": [
            {"key": key, "question": text, "values": list(values)} for key, text, values in decision.differing_answers
        ],
        "candidates": [variant_label(c) for c in card.candidates],
        "criteria": criteria_rows,
        "cmp": page_view(compare(decision.machines)) if decision.machines else None,
        "machine_notes": _machine_notes(decision.machines),
        "paths": [path_view(p) for p in paths],
        "reference": _reference(paths[0]) if paths else None,
        "reproduce": reproduce,
    }


def _reference(path: OnboardingPath) -> dict[str, str]:
    return {
        "framework": path.framework,
        "file": path.reference_file,
        "code": reference_code(path.reference_file),
        "start": path.start,
    }


def onboarding_view(
    team: dict[str, Any],
    team_dir: str,
    path: OnboardingPath,
    own: Scorecard,
    machines: Sequence[Machine],
    created_at: str,
) -> dict[str, Any]:
    """The page a member who joins later gets: the team's choice, their own pick here, their path."""
    decision = team["decision"]
    return {
        "title": team.get("title") or "Team decision",
        "created_at": created_at,
        "member": path.member,
        "team_dir": team_dir,
        "team": {
            "leader": decision["label"],
            "variant": decision["variant"],
            "margin": decision["margin"],
            "kept_pct": 100 * decision["kept_first"],
            "near_tie": decision["near_tie"],
            "members": [m["name"] for m in team.get("members", [])],
            "decided_at": team.get("created_at", ""),
            "machine": decision.get("machine"),
        },
        "own": decision_summary(own),
        "own_same": own.leader == decision["variant"],
        "path": path_view(path),
        "reference": _reference(path),
        "cmp": page_view(compare(machines)) if machines else None,
        "machine_notes": _machine_notes(machines),
    }
