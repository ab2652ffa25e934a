"""View models of the team report, built from the team's decision (advisor/records/team.py), then rendered.

Templates (reports/team.html and its partials) hold no logic beyond `if` and `for`; every sentence's
figures are put in words here. Each member's onboarding path is shown as advisor/report/onboarding.py
shows it on a joiner's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from advisor.records.compare import Comparison
from advisor.records.onboarding import OnboardingPath
from advisor.records.profile import load_criteria
from advisor.records.scorecard import Scorecard
from advisor.records.team import MACHINES_RULE, METHOD, Split, TeamDecision
from advisor.report.compare import CompareView, page_view
from advisor.report.onboarding import PathView, Pick, Reference, machine_notes, path_view
from advisor.report.page import SOURCE_LABELS
from probes.variants import label as variant_label


@dataclass(frozen=True)
class Flip:
    criterion: str
    change_pct: float
    share_pct: float
    new_share_pct: float
    new_leader: str


@dataclass(frozen=True)
class MachinePick:
    """The team's pick on one machine's evidence."""

    label: str | None
    leader: str
    margin: float
    kept_pct: float
    same: bool  # the same as the primary machine's
    measured: list[str]  # the frameworks measured there


@dataclass(frozen=True)
class Total:
    label: str
    total: float


@dataclass(frozen=True)
class WithoutMember:
    name: str
    leader: str
    same: bool


@dataclass(frozen=True)
class TeamPick(Pick):
    machine: str | None
    flips: list[Flip]  # the plausible ones, at most five
    implausible_flips: int
    totals: list[Total]
    arithmetic_leader: str
    arithmetic_same: bool
    without: list[WithoutMember]
    agreement: list[MachinePick]
    agreeing_machines: int


@dataclass(frozen=True)
class OwnPick:
    """What one member would pick alone."""

    name: str
    source: str
    pick: str
    margin: float
    near_tie: bool
    agrees: bool
    heaviest: str  # their three heaviest criteria, with weights


@dataclass(frozen=True)
class Camp:
    pick: str
    names: list[str]


@dataclass(frozen=True)
class SplitRow:
    criterion: str
    weight_a_pct: float
    weight_b_pct: float
    score_a: float
    score_b: float
    gap_a: float
    gap_b: float
    same_gap: bool
    pull: float


@dataclass(frozen=True)
class WeightRow:
    criterion: str
    members: list[float]  # each member's weight, in percent
    team: float
    splits: bool


@dataclass(frozen=True)
class DifferingAnswer:
    key: str
    question: str
    values: list[tuple[str, str]]  # (member, answer)


@dataclass(frozen=True)
class ScoreCell:
    score: float
    source: str
    basis: str
    measured: bool


@dataclass(frozen=True)
class CriterionRow:
    label: str
    description: str
    weight_pct: float
    cells: list[ScoreCell]


@dataclass(frozen=True)
class TeamView:
    title: str
    created_at: str
    member_names: list[str]
    decision: TeamPick
    method: str
    machines_rule: str
    own_picks: list[OwnPick]
    camps: list[Camp]
    split_a: str
    split_b: str
    split_between_camps: bool
    splits: list[SplitRow]
    weight_rows: list[WeightRow]
    differing_answers: list[DifferingAnswer]
    candidates: list[str]
    criteria: list[CriterionRow]
    cmp: CompareView | None
    machine_notes: list[str]
    paths: list[PathView]
    reference: Reference | None
    reproduce: str


def team_view(
    decision: TeamDecision,
    paths: Sequence[OnboardingPath],
    comparison: Comparison | None,
    created_at: str,
    reproduce: str,
) -> TeamView:
    card = decision.scorecard
    split_a, split_b = _split_names(decision)
    return TeamView(
        title=decision.title,
        created_at=created_at,
        member_names=[m.name for m in decision.members],
        decision=_team_pick(decision),
        method=METHOD,
        machines_rule=MACHINES_RULE,
        own_picks=_own_picks(decision),
        camps=[Camp(variant_label(pick), list(names)) for pick, names in decision.camps],
        split_a=split_a,
        split_b=split_b,
        split_between_camps=len(decision.camps) >= 2,
        splits=[_split_row(s) for s in _top_splits(decision)],
        weight_rows=_weight_rows(decision),
        differing_answers=[DifferingAnswer(k, text, list(values)) for k, text, values in decision.differing_answers],
        candidates=[variant_label(c) for c in card.candidates],
        criteria=_criteria_rows(card),
        cmp=page_view(comparison) if comparison is not None else None,
        machine_notes=machine_notes(decision.machines),
        paths=[path_view(p) for p in paths],
        reference=Reference.of(paths[0]) if paths else None,
        reproduce=reproduce,
    )


def _team_pick(decision: TeamDecision) -> TeamPick:
    card = decision.scorecard
    flips = _flips(card)
    agreement = [
        MachinePick(
            label=ms.label,
            leader=variant_label(ms.scorecard.leader),
            margin=ms.scorecard.margin,
            kept_pct=100 * ms.scorecard.kept_under_perturbation,
            same=ms.scorecard.leader == card.leader,
            measured=_measured_frameworks(ms.scorecard),
        )
        for ms in decision.per_machine
    ]
    return TeamPick(
        **vars(Pick.of(card)),
        machine=decision.primary.label,
        flips=flips[:5],
        implausible_flips=len(card.flips) - len(flips),
        totals=[Total(variant_label(c), card.totals[c]) for c in card.ranking],
        arithmetic_leader=variant_label(decision.arithmetic_leader),
        arithmetic_same=decision.arithmetic_leader == card.leader,
        without=[
            WithoutMember(name, variant_label(pick), pick == card.leader) for name, pick in decision.without.items()
        ],
        agreement=agreement,
        agreeing_machines=sum(1 for a in agreement if a.same),
    )


def _measured_frameworks(card: Scorecard) -> list[str]:
    return sorted({variant_label(c) for per in card.scores.values() for c, s in per.items() if s.source == "measured"})


def _flips(card: Scorecard) -> list[Flip]:
    """The smallest one-weight changes that flip the team's pick, only those answers could make
    (robustness.plausible_flips): 18,532% more weight for popularity is no plausible change, not a figure."""
    criteria = load_criteria()
    return [
        Flip(
            criterion=criteria[p.flip.criterion].label if p.flip.criterion in criteria else p.flip.criterion,
            change_pct=100 * p.flip.change,
            share_pct=100 * p.share,
            new_share_pct=100 * p.new_share,
            new_leader=variant_label(p.flip.new_leader),
        )
        for p in card.plausible_flips
    ]


def _own_picks(decision: TeamDecision) -> list[OwnPick]:
    criteria = load_criteria()
    picks = []
    for i, member in enumerate(decision.members):
        pick = decision.member_pick(i)
        weights = member.profile.weight_vector()
        heaviest = sorted(weights, key=lambda k: -weights[k])[:3]
        picks.append(
            OwnPick(
                name=member.name,
                source=member.source,
                pick=variant_label(pick.leader),
                margin=pick.margin,
                near_tie=pick.near_tie,
                agrees=pick.leader == decision.leader,
                heaviest=", ".join(f"{criteria[k].label} {100 * weights[k]:.0f}%" for k in heaviest),
            )
        )
    return picks


def _split_names(decision: TeamDecision) -> tuple[str, str]:
    """The two picks the splits are between: the two largest camps, else the team's first two."""
    if len(decision.camps) >= 2:
        return variant_label(decision.camps[0][0]), variant_label(decision.camps[1][0])
    ranking = decision.scorecard.ranking
    return variant_label(ranking[0]), variant_label(ranking[1]) if len(ranking) > 1 else ""


def _top_splits(decision: TeamDecision) -> list[Split]:
    return [s for s in decision.splits if s.pull > 1e-9][:3]


def _split_row(split: Split) -> SplitRow:
    return SplitRow(
        criterion=load_criteria()[split.criterion].label,
        weight_a_pct=100 * split.weight_a,
        weight_b_pct=100 * split.weight_b,
        score_a=split.score_a,
        score_b=split.score_b,
        gap_a=split.gap_a,
        gap_b=split.gap_b,
        same_gap=abs(split.gap_a - split.gap_b) < 1e-9,
        pull=split.pull,
    )


def _weight_rows(decision: TeamDecision) -> list[WeightRow]:
    splitting = {s.criterion for s in _top_splits(decision)}
    rows = [
        WeightRow(
            criterion=criterion.label,
            members=[100 * m.profile.weight_vector()[key] for m in decision.members],
            team=100 * decision.weights[key],
            splits=key in splitting,
        )
        for key, criterion in load_criteria().items()
    ]
    return sorted(rows, key=lambda row: -row.team)


def _criteria_rows(card: Scorecard) -> list[CriterionRow]:
    rows = [
        CriterionRow(c.label, c.description, 100 * card.weights[key], _score_cells(card, key))
        for key, c in load_criteria().items()
    ]
    return sorted(rows, key=lambda row: -row.weight_pct)


def _score_cells(card: Scorecard, criterion: str) -> list[ScoreCell]:
    cells = []
    for candidate in card.candidates:
        s = card.scores[criterion][candidate]
        source = "team's answers" if s.source == "answers" else SOURCE_LABELS.get(s.source, s.source)
        cells.append(ScoreCell(s.score, source, s.basis, s.source == "measured"))
    return cells
