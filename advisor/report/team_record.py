"""The team's decision.md: the same MADR record as a person's, with the members in its context.

A team pastes its decision into its repository like a person does; what differs is the context
(who was asked, what each would pick alone) and the drivers (the team's weights, the geometric mean
of the members').
"""

from __future__ import annotations

from advisor.records.profile import load_criteria
from advisor.records.team import TeamDecision
from advisor.report.decision import PERTURBATION, MadrView, madr_options
from advisor.report.markdown import DecisionRecord, ScoreTable
from probes.variants import label

SOURCE_WORDS = {"measured": "measured here", "answers": "answers", "literature": "articles"}


def team_decision_record(decision: TeamDecision, created_at: str) -> DecisionRecord:
    """decision.md for a team folder, from the team's decision alone."""
    criteria = load_criteria()
    card = decision.scorecard
    leader = label(card.leader)
    runner_up = label(card.ranking[1]) if len(card.ranking) > 1 else "none"
    picks = [(m.name, label(decision.member_pick(i).leader)) for i, m in enumerate(decision.members)]
    agreeing = [name for name, pick in picks if pick == leader]
    machine = decision.primary.label
    context = [
        f"A team of {len(picks)}: " + "; ".join(f"{name} would pick {pick} alone" for name, pick in picks) + ".",
        "The team's weights are the geometric mean of the members' (the practice for group judgments), "
        "scored on " + (f"the evidence of {machine}." if machine else "no evidence: the articles and answers only."),
    ]
    context += [
        f"The members answer “{question}” differently: " + ", ".join(f"{name}: {value}" for name, value in values)
        for _key, question, values in decision.differing_answers
    ]
    by_weight = sorted(card.weights, key=lambda c: -card.weights[c])
    drivers = [f"{criteria[c].label} ({100 * card.weights[c]:.0f}% of the team's weight)" for c in by_weight[:5]]
    outcome = (
        f"{leader} for the team: {card.margin:.2f} points ahead of {runner_up} at the team's weights, first in "
        f"{100 * card.kept_under_perturbation:.0f}% of weightings varied by up to ±{100 * PERTURBATION:.0f}%; "
        f"{len(agreeing)} of {len(picks)} members pick it on their own."
    )
    others = [name for name, pick in picks if pick != leader]
    confirm = [f"Ask {', '.join(others)} what {leader} would need to show them."] if others else []
    confirm += [
        "Measure on the machine the team will train on: `advisor advise --answers ANSWERS --out FOLDER`, "
        "then give its evidence.json to `advisor team ... --evidence`.",
        f"Each member trains one small model in {leader} this week, starting from their onboarding page.",
    ]
    return DecisionRecord(
        title=f"{decision.title or 'Team decision'}: {leader}",
        date=created_at[:10],
        madr=MadrView(context=context, drivers=drivers, options=madr_options(card), decision=outcome, confirm=confirm),
        scores=ScoreTable(
            options=[label(c) for c in card.candidates],
            rows=[
                (
                    criteria[c].label,
                    100 * card.weights[c],
                    [
                        f"{card.scores[c][f].score:.1f} ({SOURCE_WORDS[card.scores[c][f].source]})"
                        for f in card.candidates
                    ],
                )
                for c in by_weight
            ],
        ),
        made_from="the records beside this file: team.json, members/*.yaml, machines/*.json",
    )
