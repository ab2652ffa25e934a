"""What would change the answer: other answers to one question, and Keras 3 on PyTorch as a middle way.

Weight flips (one weight at a time), the ones answers could make, and perturbations live in
advisor/scoring/robustness.py; this module asks the questions a reader asks next: "had I answered
differently, would the pick change?" (each choice question's other values, re-scored on the same
evidence and verdicts), and "does Keras 3 on the PyTorch backend give me both?" (only claimed where
this run measured it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from advisor.questionnaire.profile import build_profile
from advisor.records.answers import load_questions
from advisor.records.findings import SpeedFindings
from advisor.records.profile import Profile, load_criteria
from advisor.records.scorecard import AnswerFlip, Combination, Scorecard
from advisor.records.verdicts import Verdicts
from probes.evidence import Evidence
from probes.variants import VARIANTS, label

# Criteria about the API a user writes (Keras's strength) versus the engine that runs it.
ENGINE_CRITERIA = ("training_speed", "startup_time", "memory", "dataset_scale", "deployment")
COMBINE_TOLERANCE = 1.0  # within this many points of the best counts as "as good as the best"
TOP_CRITERIA = 3


def answer_flips(profile: Profile, leader: str, rescore: Callable[[Profile], Scorecard]) -> list[AnswerFlip]:
    """Every single-answer change (choice questions) that changes the first place, by question, largest lead first.

    `rescore` scores another profile on the same evidence and verdicts, without what-ifs of its own
    (advisor/scoring/score.py hands it in: this module is one of the steps of scoring, not its caller).
    """
    flips = []
    given = profile.answers.values
    for question in load_questions():
        if question.kind != "choice":
            continue
        for value in question.choices:
            if value == given[question.key]:
                continue
            other = build_profile(replace(profile.answers, **{question.key: value}))
            card = rescore(other)
            if card.leader != leader:
                flips.append(AnswerFlip(question.key, value, str(given[question.key]), card.leader, card.margin))
    return sorted(flips, key=lambda f: (f.question, -f.margin))


def with_setting(evidence: Evidence, option: str) -> Evidence:
    """The evidence with a named option's speed results standing in for its default's, model by model: what
    the run would show a user of that framework who sets it (channels_last, steps_per_execution)."""
    base = VARIANTS[option].option_of
    measured = {(r.model, r.case) for r in evidence.of_kind("speed") if r.variant == option and r.ok}
    results = tuple(
        replace(r, variant=base) if r.variant == option else r
        for r in evidence.results
        if not (r.variant == base and r.kind == "speed" and (r.model, r.case) in measured)
        and not (r.variant == option and (r.model, r.case) not in measured)
    )
    return replace(evidence, results=results)


def setting_picks(
    evidence: Evidence | None,
    leader: str,
    verdicts: Verdicts,
    findings: SpeedFindings,
    rescore: Callable[[Evidence, Verdicts], Scorecard],
    recheck: Callable[[Evidence], Verdicts],
) -> SpeedFindings:
    """Each option's comparisons with what changes when the option stands in for its default: the scorecard's
    first place, and the verdicts of the article claims (`recheck` checks the ledger against other evidence,
    `rescore` scores it with those verdicts and the same answers, without what-ifs)."""
    if evidence is None:
        return findings
    options = {c.a for c in findings.comparisons if c.option and c.a in VARIANTS and VARIANTS[c.a].option_of}
    changes = {}
    for option in sorted(options):
        other = with_setting(evidence, option)
        checked = recheck(other)
        now = {v.claim_id: v.verdict for v in checked}
        changed = tuple(
            (v.claim_id, v.verdict, now[v.claim_id]) for v in verdicts if now.get(v.claim_id, v.verdict) != v.verdict
        )
        changes[option] = (rescore(other, checked).leader, changed)
    comparisons = tuple(
        replace(c, pick_with=changes[c.a][0], pick_without=leader, verdicts_changed=changes[c.a][1])
        if c.option and c.a in changes
        else c
        for c in findings.comparisons
    )
    return replace(findings, comparisons=comparisons)


def keras_on_torch(scorecard: Scorecard) -> Combination | None:
    """Say so when Keras 3 on PyTorch, measured here, is near the best on each of the heaviest criteria
    while neither PyTorch nor Keras 3 on TensorFlow is."""
    if "keras-torch" not in scorecard.candidates:
        return None
    labels = {key: c.label for key, c in load_criteria().items()}
    top = [c for c in sorted(scorecard.weights, key=lambda c: -scorecard.weights[c]) if c != "familiarity"]
    top = top[:TOP_CRITERIA]

    def keeps_up(candidate: str) -> bool:
        return all(
            scorecard.scores[c][candidate].score
            >= max(s.score for s in scorecard.scores[c].values()) - COMBINE_TOLERANCE
            for c in top
        )

    if not keeps_up("keras-torch") or any(
        keeps_up(c) for c in ("torch", "keras-tensorflow") if c in scorecard.candidates
    ):
        return None
    if not any(scorecard.scores[c]["keras-torch"].source == "measured" for c in top):
        return None
    parts = []
    for c in top:
        s = scorecard.scores[c]["keras-torch"]
        where = "measured here" if s.source == "measured" else "from the articles"
        side = "PyTorch's engine" if c in ENGINE_CRITERIA else "Keras's API"
        parts.append(f"{labels[c].lower()} {s.score:.1f} ({side}, {where})")
    sentence = (
        f"{label('keras-torch')} combines what you weigh most: " + "; ".join(parts) + ". Neither "
        f"{label('torch')} nor {label('keras-tensorflow')} stays within {COMBINE_TOLERANCE:g} point of the best "
        "on all three."
    )
    return Combination(tuple(labels[c] for c in top), sentence)


def keras_on_torch_untested(scorecard: Scorecard) -> str | None:
    """When the choice is PyTorch against Keras and Keras on PyTorch was not measured, say how to measure it."""
    if "keras-torch" in scorecard.candidates or set(scorecard.ranking[:2]) != {"torch", "keras-tensorflow"}:
        return None
    return (
        "Keras 3 also runs on the PyTorch backend (KERAS_BACKEND=torch): Keras's API on PyTorch's engine. "
        "This run did not measure it; `advisor advise --budget standard` does."
    )
