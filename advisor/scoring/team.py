"""A team's decision: combined weights, the team's scorecard on each machine, and what splits the members.

Weights are combined by the geometric mean of the members' weights, renormalised to sum to 1: the
AHP practice for group judgments (Aczél and Saaty, 1983). Weights are ratios ("deployment matters
twice as much as speed"), and the geometric mean keeps them ratios: the team's ratio between two
criteria is the geometric mean of the members' ratios, whatever scale each member's weights are
on. Every member counts equally. It listens to low weights more than an arithmetic mean does, so
the report also says whether an arithmetic mean would pick otherwise.

Scores per criterion are each member's own scores on the same evidence, averaged: for measured
and literature criteria they are the same for everyone; familiarity is the team's share of
members who know each framework (a member who knows only its backend counts for 0.6).

With several machines the team is scored on each; the decision is the primary machine's (the
first --evidence given, else the first member's run folder), and the others are reported as
agreeing or not. The records it gives (TeamDecision and its parts) are advisor/records/team.py.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from advisor.claims import check
from advisor.records.answers import load_questions
from advisor.records.scorecard import CriterionScore, Scorecard
from advisor.records.team import Machine, MachineScore, Member, Split, TeamDecision
from advisor.scoring.score import rank_scores, score


def geometric_mean_weights(weight_vectors: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Per criterion, the geometric mean of the members' weights, renormalised to sum to 1."""
    keys = list(weight_vectors[0])
    means = {k: math.exp(sum(math.log(max(w[k], 1e-12)) for w in weight_vectors) / len(weight_vectors)) for k in keys}
    total = sum(means.values())
    return {k: v / total for k, v in means.items()}


def arithmetic_mean_weights(weight_vectors: Sequence[Mapping[str, float]]) -> dict[str, float]:
    keys = list(weight_vectors[0])
    return {k: sum(w[k] for w in weight_vectors) / len(weight_vectors) for k in keys}


def team_scores(
    members: Sequence[Member], cards: Sequence[Scorecard], where: str | None
) -> dict[str, dict[str, CriterionScore]]:
    """criterion -> candidate -> CriterionScore: the members' scores averaged, familiarity as a share."""
    first = cards[0]
    scores: dict[str, dict[str, CriterionScore]] = {}
    for criterion in first.scores:
        per = {}
        for candidate in first.candidates:
            own = [card.scores[criterion][candidate] for card in cards]
            mean = sum(s.score for s in own) / len(own)
            if criterion == "familiarity":
                per[candidate] = CriterionScore(criterion, candidate, mean, "answers", _familiarity_basis(members, own))
                continue
            sources = {s.source for s in own}
            source = own[0].source if len(sources) == 1 else ("measured" if "measured" in sources else own[0].source)
            if len({s.basis for s in own}) == 1:
                basis = own[0].basis
            else:
                basis = "members' scores differ: " + ", ".join(
                    f"{m.name} {s.score:.1f}" for m, s in zip(members, own, strict=True)
                )
            if source == "measured" and where:
                basis = f"on {where}: {basis}"
            figures = dict(own[0].figures)
            if any(s.figures != own[0].figures for s in own):  # e.g. deployment, weighed by each member's target
                figures = {"members": {m.name: dict(s.figures) for m, s in zip(members, own, strict=True)}}
            per[candidate] = CriterionScore(criterion, candidate, mean, source, basis, figures)
        scores[criterion] = per
    return scores


def _familiarity_basis(members: Sequence[Member], own: Sequence[CriterionScore]) -> str:
    full = [m.name for m, s in zip(members, own, strict=True) if s.score >= 10]
    partly = [m.name for m, s in zip(members, own, strict=True) if 0 < s.score < 10]
    text = f"known by {len(full)} of {len(members)} members" + (f" ({', '.join(full)})" if full else "")
    if partly:
        text += f"; its backend by {', '.join(partly)}"
    return text


def score_team_on(members: Sequence[Member], machine: Machine | None, weights: Mapping[str, float]) -> MachineScore:
    evidence = machine.evidence if machine else None
    verdicts = check(evidence)
    cards = tuple(score(m.profile, evidence, verdicts, what_if=False) for m in members)
    scores = team_scores(members, cards, machine.label if machine else None)
    return MachineScore(machine.label if machine else None, rank_scores(cards[0].candidates, weights, scores), cards)


def decide(members: Sequence[Member], machines: Sequence[Machine], title: str | None = None) -> TeamDecision:
    """Score the team on every machine, and work out the picks, camps and splits on the primary one."""
    members, machines = tuple(members), tuple(machines)
    vectors = [m.profile.weight_vector() for m in members]
    weights = geometric_mean_weights(vectors)
    per_machine = tuple(score_team_on(members, machine, weights) for machine in machines) or (
        score_team_on(members, None, weights),
    )
    primary = per_machine[0]
    primary_machine = machines[0] if machines else None
    without = {}
    for i, member in enumerate(members):
        rest = members[:i] + members[i + 1 :]
        rest_weights = geometric_mean_weights([m.profile.weight_vector() for m in rest])
        without[member.name] = score_team_on(rest, primary_machine, rest_weights).scorecard.leader
    arithmetic = rank_scores(primary.scorecard.candidates, arithmetic_mean_weights(vectors), primary.scorecard.scores)
    picks = [card.leader for card in primary.member_cards]
    order = list(primary.scorecard.ranking)
    counted = sorted(Counter(picks).items(), key=lambda kv: (-kv[1], order.index(kv[0])))
    camps = tuple(
        (pick, tuple(m.name for m, p in zip(members, picks, strict=True) if p == pick)) for pick, _ in counted
    )
    return TeamDecision(
        title=title or _team_title(members),
        members=members,
        machines=machines,
        weights=weights,
        per_machine=per_machine,
        without=without,
        arithmetic_leader=arithmetic.leader,
        camps=camps,
        splits=tuple(_splits(members, primary, camps)),
        differing_answers=tuple(_differing_answers(members)),
    )


def _splits(
    members: Sequence[Member], primary: MachineScore, camps: Sequence[tuple[str, tuple[str, ...]]]
) -> list[Split]:
    """Per criterion, how much it explains the gap between the two largest camps' preferences.

    A member's preference for A over B is the sum over criteria of weight x (score A - score B),
    with their own scores. The camp-A average minus the camp-B average of one criterion's term is
    its pull: the pulls add up to the whole gap, so the largest positive ones are what split them.
    With a single camp, A and B are the team's first two and the pull is the spread of weights.
    """
    card = primary.scorecard
    if len(card.ranking) < 2:
        return []
    if len(camps) >= 2:
        (a, camp_a), (b, camp_b) = camps[0], camps[1]
    else:
        a, b = card.ranking[0], card.ranking[1]
        camp_a = camp_b = ()
    index = {m.name: i for i, m in enumerate(members)}
    weights = [m.profile.weight_vector() for m in members]

    def camp_mean(names: Sequence[str], criterion: str, weighted: bool) -> float:
        """The camp's mean of (own score A - own score B), times each member's weight if `weighted`."""
        total = 0.0
        for name in names:
            own = primary.member_cards[index[name]].scores[criterion]
            factor = weights[index[name]][criterion] if weighted else 1.0
            total += factor * (own[a].score - own[b].score)
        return total / len(names)

    splits = []
    for criterion in card.weights:
        score_a, score_b = card.scores[criterion][a].score, card.scores[criterion][b].score
        gap_a = gap_b = score_a - score_b
        if camp_a and camp_b:
            gap_a, gap_b = camp_mean(camp_a, criterion, False), camp_mean(camp_b, criterion, False)
            pull = camp_mean(camp_a, criterion, True) - camp_mean(camp_b, criterion, True)
            weight_a = sum(weights[index[n]][criterion] for n in camp_a) / len(camp_a)
            weight_b = sum(weights[index[n]][criterion] for n in camp_b) / len(camp_b)
        else:
            all_weights = [w[criterion] for w in weights]
            weight_a, weight_b = max(all_weights), min(all_weights)
            pull = (weight_a - weight_b) * abs(score_a - score_b)
        splits.append(Split(criterion, weight_a, weight_b, score_a, score_b, gap_a, gap_b, pull))
    return sorted(splits, key=lambda s: -s.pull)


def _differing_answers(members: Sequence[Member]) -> Iterator[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """Answers about the project (not the person) that differ between members: facts to settle, not average."""
    for question in load_questions():
        if question.section != "project" or question.kind == "text":
            continue
        values = tuple((m.name, _show(m.answers.values[question.key])) for m in members)
        if len({v for _, v in values}) > 1:
            yield question.key, question.text, values


def _show(value: Any) -> str:
    return ", ".join(value) or "none" if isinstance(value, (list, tuple)) else str(value)


def _team_title(members: Sequence[Member]) -> str:
    names = [m.answers.project_name for m in members if m.answers.origins.get("project_name") != "default"]
    return Counter(names).most_common(1)[0][0] if names else "Team decision"
