"""A team's records: its members and machines as read, and the decision scoring made for them.

The team's scoring (advisor/scoring/team.py) reads Members and Machines and gives a TeamDecision;
the team pages (advisor/report/team.py, team_record.py) render it, and advisor/teams.py writes it
into a team folder as team.json. A later member's onboarding reads that file back
(advisor/teams.py `load_team_record`).

Format history:
  advisor-team/1  the decision, its method and machines rule, the team's weights and scorecard, each
                  member's answers, weights and own pick, each machine's pick, the camps, the splits and
                  the answers that differ; with the onboarding paths and the folder's files beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advisor.records.answers import Answers
from advisor.records.profile import Profile
from advisor.records.scorecard import Scorecard
from probes.evidence import Evidence
from probes.variants import label as variant_label

TEAM_FORMAT = "advisor-team/1"
METHOD = (
    "The team's weight for each criterion is the geometric mean of the members' weights, renormalised to sum to "
    '1: the AHP practice for group judgments. Weights are ratios ("deployment matters twice as much as speed"), '
    "and the geometric mean keeps them ratios: the team's ratio between two criteria is the geometric mean of the "
    "members' ratios. Every member counts equally. A geometric mean listens to low weights more than an "
    "arithmetic mean, so the robustness list says whether an arithmetic mean would pick otherwise. Scores are the "
    "members' own scores on the same evidence, averaged; familiarity is the share of members who know each "
    "framework (a member who knows only its backend counts 0.6)."
)
MACHINES_RULE = (
    "The team is scored on each machine's evidence separately. The decision is the primary machine's "
    "(the first --evidence given, else the first member's run folder); the other machines are shown as "
    "agreeing or not, never averaged with it."
)


@dataclass(frozen=True)
class Member:
    name: str
    source: str  # the file or folder it was read from, as given
    answers_file: str  # the file the answers came from
    profile: Profile
    evidence_file: str | None = None  # a run folder's evidence.json, when it has one

    @property
    def answers(self) -> Answers:
        return self.profile.answers


@dataclass(frozen=True)
class Machine:
    label: str
    source: str
    evidence: Evidence
    brought_by: str | None = None  # the member whose run folder held it

    @property
    def hostname(self) -> str:
        return str(self.evidence.environment.get("hostname") or "")


@dataclass(frozen=True)
class MachineScore:
    """The team's scorecard on one machine's evidence (or on none: literature and answers only)."""

    label: str | None
    scorecard: Scorecard
    member_cards: tuple[Scorecard, ...]  # each member's own scorecard on this evidence


@dataclass(frozen=True)
class Split:
    """How much one criterion explains why camp A picks differently from camp B (positive: it does)."""

    criterion: str
    weight_a: float
    weight_b: float
    score_a: float  # team score of A's pick
    score_b: float
    gap_a: float  # mean of (own score A - own score B) over camp A; differs from gap_b for familiarity
    gap_b: float
    pull: float


@dataclass(frozen=True)
class TeamDecision:
    title: str
    members: tuple[Member, ...]
    machines: tuple[Machine, ...]
    weights: Mapping[str, float]
    per_machine: tuple[MachineScore, ...]  # the primary first
    without: Mapping[str, str]  # member -> team leader without them
    arithmetic_leader: str
    camps: tuple[tuple[str, tuple[str, ...]], ...]  # (pick, members), largest first
    splits: tuple[Split, ...]
    differing_answers: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]  # key, question, (member, value)

    @property
    def primary(self) -> MachineScore:
        return self.per_machine[0]

    @property
    def scorecard(self) -> Scorecard:
        return self.primary.scorecard

    @property
    def leader(self) -> str:
        return self.scorecard.leader

    def member_pick(self, index: int) -> Scorecard:
        return self.primary.member_cards[index]

    def to_json(self) -> dict[str, Any]:
        card = self.scorecard
        return {
            "format": TEAM_FORMAT,
            "title": self.title,
            "decision": {
                "variant": card.leader,
                "label": variant_label(card.leader),
                "runner_up": card.ranking[1] if len(card.ranking) > 1 else None,
                "margin": round(card.margin, 4),
                "near_tie": card.near_tie,
                "kept_first": round(card.kept_under_perturbation, 4),
                "machine": self.primary.label,
                "arithmetic_mean_leader": self.arithmetic_leader,
                "without_member": dict(self.without),
            },
            "method": METHOD,
            "machines_rule": MACHINES_RULE,
            "weights": {k: round(v, 6) for k, v in self.weights.items()},
            "scorecard": card.to_json(),
            "members": [self._member_json(i, m) for i, m in enumerate(self.members)],
            "machines": [
                {
                    "label": ms.label,
                    "source": next((m.source for m in self.machines if m.label == ms.label), None),
                    "leader": ms.scorecard.leader,
                    "margin": round(ms.scorecard.margin, 4),
                    "kept_first": round(ms.scorecard.kept_under_perturbation, 4),
                    "totals": {k: round(v, 4) for k, v in ms.scorecard.totals.items()},
                }
                for ms in self.per_machine
            ],
            "camps": [{"pick": pick, "members": list(names)} for pick, names in self.camps],
            "splits": [
                {
                    "criterion": s.criterion,
                    "weight_a": round(s.weight_a, 4),
                    "weight_b": round(s.weight_b, 4),
                    "score_a": round(s.score_a, 3),
                    "score_b": round(s.score_b, 3),
                    "gap_a": round(s.gap_a, 3),
                    "gap_b": round(s.gap_b, 3),
                    "pull": round(s.pull, 4),
                }
                for s in self.splits
            ],
            "differing_answers": [
                {"key": key, "question": text, "values": dict(values)} for key, text, values in self.differing_answers
            ],
        }

    def _member_json(self, index: int, member: Member) -> dict[str, Any]:
        return {
            "name": member.name,
            "source": member.source,
            "answers_file": member.answers_file,
            "answers": dict(member.answers.values),
            "weights": {k: round(v, 6) for k, v in member.profile.weight_vector().items()},
            "own_pick": self.member_pick(index).leader,
            "own_margin": round(self.member_pick(index).margin, 4),
        }
