"""A member's onboarding path in words, and the page of a member who joins later.

The path is shown as scoring planned it (advisor/records/onboarding.py); its debugging and export
results are put in the words of the report's own sections (advisor/report/findings.py), so a member's
page and the report never disagree about what happened. The same words go into team.json and
onboarding.json (`path_data`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.records.compare import Comparison
from advisor.records.onboarding import Findings, OnboardingPath, Step
from advisor.records.scorecard import PERTURBATION, Scorecard
from advisor.records.scripts import reference_code
from advisor.records.team import Machine
from advisor.report.compare import CompareView, page_view
from advisor.report.findings import debugging_cells, export_cells
from probes.variants import label as variant_label


@dataclass(frozen=True)
class FindingRow:
    """One debugging or export result of the chosen framework, in the report's words."""

    case: str
    ok: bool
    cells: Mapping[str, str]


@dataclass(frozen=True)
class FindingsView:
    kind: str
    relevant: bool
    machine: str | None
    rows: tuple[FindingRow, ...]
    note: str  # what was shown and why, or why nothing was


@dataclass(frozen=True)
class PathView:
    """What reports/_onboarding_path.html shows of one member's path."""

    member: str
    framework: str
    knows_chosen: bool
    roles: tuple[str, ...]
    steps: tuple[Step, ...]
    start: str
    reference_file: str
    debugging: FindingsView
    export: FindingsView


def findings_view(findings: Findings, framework: str) -> FindingsView:
    cells = debugging_cells if findings.kind == "debugging" else export_cells
    rows = tuple(FindingRow(r.case, r.ok, cells(r)) for r in findings.rows)
    if findings.machine is None:
        where = ", ".join(findings.searched) or "any machine (no evidence was given)"
        note = f"Not measured: no {findings.kind} probe result for {framework} on {where}."
    else:
        note = (
            f"{len(rows)} of {findings.measured} {findings.kind} results for {framework}, measured on "
            f"{findings.machine}"
            + (": the ones that matter to this member's role." if len(rows) < findings.measured else ".")
        )
    return FindingsView(findings.kind, findings.relevant, findings.machine, rows, note)


def path_view(path: OnboardingPath) -> PathView:
    return PathView(
        member=path.member,
        framework=path.framework,
        knows_chosen=path.knows_chosen,
        roles=path.roles,
        steps=path.steps,
        start=path.start,
        reference_file=path.reference_file,
        debugging=findings_view(path.debugging, path.framework),
        export=findings_view(path.export, path.framework),
    )


def path_data(path: OnboardingPath) -> dict[str, Any]:
    """The path as team.json and onboarding.json carry it: its findings in the page's words."""

    def findings(f: FindingsView) -> dict[str, Any]:
        return {
            "relevant": f.relevant,
            "machine": f.machine,
            "note": f.note,
            "rows": [{"case": r.case, "ok": r.ok, **r.cells} for r in f.rows],
        }

    view = path_view(path)
    return {
        "member": path.member,
        "variant": path.variant,
        "family": path.family,
        "knows_chosen": path.knows_chosen,
        "roles": list(path.roles),
        "start": path.start,
        "reference_file": path.reference_file,
        "steps": [
            {
                "concept": s.concept,
                "label": s.label,
                "why": s.why,
                "because": list(s.because),
                "how": list(s.how),
                "references": list(s.references),
            }
            for s in path.steps
        ],
        "debugging": findings(view.debugging),
        "export": findings(view.export),
    }


@dataclass(frozen=True)
class Reference:
    """The reference script a member starts from."""

    framework: str
    file: str
    code: str  # the script's text, as installed (advisor/records/scripts.py)
    start: str

    @classmethod
    def of(cls, path: OnboardingPath) -> Reference:
        return cls(path.framework, path.reference_file, reference_code(path.reference_file), path.start)


@dataclass(frozen=True)
class Pick:
    """A scorecard's first place, as the pages say it."""

    leader: str
    runner_up: str | None
    margin: float
    near_tie: bool
    kept_pct: float
    perturbation_pct: float

    @classmethod
    def of(cls, card: Scorecard) -> Pick:
        runner_up = variant_label(card.ranking[1]) if len(card.ranking) > 1 else None
        kept_pct = 100 * card.kept_under_perturbation
        return cls(variant_label(card.leader), runner_up, card.margin, card.near_tie, kept_pct, 100 * PERTURBATION)


def machine_notes(machines: Sequence[Machine]) -> list[str]:
    return [f"{m.label}: {note}" for m in machines for note in m.evidence.notes]


# --- the page of a member who joins later


@dataclass(frozen=True)
class TeamChoice:
    """The saved team decision, as a joiner's page states it."""

    leader: str
    variant: str
    margin: float
    kept_pct: float
    near_tie: bool
    members: list[str]
    decided_at: str
    machine: str | None

    @classmethod
    def of(cls, team: Mapping[str, Any]) -> TeamChoice:
        """From a team.json (advisor/teams.py TeamRecord.data)."""
        decision = team["decision"]
        return cls(
            leader=decision["label"],
            variant=decision["variant"],
            margin=decision["margin"],
            kept_pct=100 * decision["kept_first"],
            near_tie=decision["near_tie"],
            members=[m["name"] for m in team.get("members", [])],
            decided_at=team.get("created_at", ""),
            machine=decision.get("machine"),
        )


@dataclass(frozen=True)
class OnboardingView:
    title: str
    created_at: str
    member: str
    team_dir: str
    team: TeamChoice
    own: Pick
    own_same: bool
    path: PathView
    reference: Reference
    cmp: CompareView | None
    machine_notes: list[str]


def onboarding_view(
    team: Mapping[str, Any],
    team_dir: str,
    path: OnboardingPath,
    own: Scorecard,
    machines: Sequence[Machine],
    comparison: Comparison | None,
    created_at: str,
) -> OnboardingView:
    """The page a member who joins later gets: the team's choice, their own pick here, their path."""
    choice = TeamChoice.of(team)
    return OnboardingView(
        title=team.get("title") or "Team decision",
        created_at=created_at,
        member=path.member,
        team_dir=team_dir,
        team=choice,
        own=Pick.of(own),
        own_same=own.leader == choice.variant,
        path=path_view(path),
        reference=Reference.of(path),
        cmp=page_view(comparison) if comparison is not None else None,
        machine_notes=machine_notes(machines),
    )
