"""What would change the answer: other answers to one question, and Keras 3 on PyTorch as a middle way.

Weight flips (one weight at a time) and perturbations live in advisor/scoring/robustness.py; this module asks
the questions a reader asks next: "had I answered differently, would the pick change?" (each
choice question's other values, re-scored on the same evidence and verdicts), "which of the weight
flips could answers really make?" (plausible_flips), and "does Keras 3 on the PyTorch backend give
me both?" (only claimed where this run measured it).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from advisor.claims.verdicts import Verdicts
from advisor.questionnaire.profile import Profile, build_profile, load_criteria, rule_matches
from advisor.questionnaire.questions import Answers, Question, load_questions
from advisor.scoring.scorecard import AnswerFlip, Combination, Scorecard, WeightFlip
from probes.evidence import Evidence
from probes.variants import label

# Criteria about the API a user writes (Keras's strength) versus the engine that runs it.
ENGINE_CRITERIA = ("training_speed", "startup_time", "memory", "dataset_scale", "deployment")
COMBINE_TOLERANCE = 1.0  # within this many points of the best counts as "as good as the best"
TOP_CRITERIA = 3
SHARE_TOLERANCE = 1e-9  # a share this close to the edge of a criterion's range still counts as inside it


@dataclass(frozen=True)
class PlausibleFlip:
    """A weight flip that answers could make: the criterion's share of the weight before and after it."""

    flip: WeightFlip
    share: float  # the criterion's share of all the weight now
    new_share: float  # ... and once its weight changed by flip.change, the others kept


def weight_share_after(weights: Mapping[str, float], criterion: str, change: float) -> float:
    """A criterion's share of the weight once its weight alone is multiplied by (1 + change).

    One-at-a-time flips change one weight and keep the others (robustness.one_at_a_time_flips), so the
    total is no longer 1: the share is the changed weight over the new total.
    """
    total = sum(weights.values())
    changed = weights[criterion] * (1 + change)
    return changed / (total - weights[criterion] + changed)


@functools.lru_cache(maxsize=1)
def weight_ranges() -> dict[str, tuple[float, float]]:
    """Each criterion's lowest and highest share of the weight over every possible set of answers.

    Weights are never typed by the user: they follow from the answers by the rules of
    knowledge/weights.yaml (base weights, each fired rule's adjustments, the floor, normalised to 1).
    So a weight change is one "an answer could make" only when the share it gives the criterion is
    one that some answers give it; anything beyond is not a change a person could make by answering
    differently, however much they cared. This is the bound: exact, not a guess like "at most
    tripled", because a criterion at its base weight can grow several-fold (flexibility, for a
    researcher with custom architectures who puts it first) while another cannot double.

    Every set of answers is covered without listing the millions of them: the questions a rule
    names together are one group; a group's answers reduce to the distinct adjustment vectors they
    give (priority: 6, hardware: 2); the sums over all groups, floored and normalised, are a
    few hundred thousand rows of numpy.
    """
    import numpy as np

    import knowledge

    table = knowledge.load("weights")
    criteria = list(load_criteria())
    floor = float(table.get("floor", 0.1))
    questions = {q.key: q for q in load_questions()}
    rules = table["rules"]
    groups: list[set[str]] = []
    for rule in rules:
        keys = set(rule["when"])
        joined = [g for g in groups if g & keys]
        for g in joined:
            groups.remove(g)
            keys |= g
        groups.append(keys)
    base = np.array([c.base for c in load_criteria().values()])
    sums = np.zeros((1, len(criteria)))
    for group in groups:
        keys = sorted(group)
        vectors = set()
        for values in itertools.product(*(_possible_values(questions[k]) for k in keys)):
            answers = dict(zip(keys, values, strict=True))
            vector = [0.0] * len(criteria)
            for rule in rules:
                if set(rule["when"]) <= group and rule_matches(rule["when"], answers):
                    for key, amount in rule["adjust"].items():
                        vector[criteria.index(key)] += float(amount)
            vectors.add(tuple(vector))
        sums = (sums[:, None, :] + np.array(sorted(vectors))[None, :, :]).reshape(-1, len(criteria))
    raw = np.maximum(base + sums, floor)
    shares = raw / raw.sum(axis=1, keepdims=True)
    return {c: (float(shares[:, i].min()), float(shares[:, i].max())) for i, c in enumerate(criteria)}


def _possible_values(question: Question) -> list[object]:
    """Every answer a question takes: each choice, or each subset of a multi-choice question's choices."""
    choices = list(question.choices)
    if question.kind == "multi":
        return [list(c) for n in range(len(choices) + 1) for c in itertools.combinations(choices, n)]
    return choices


def plausible_flips(flips: Sequence[WeightFlip], weights: Mapping[str, float]) -> list[PlausibleFlip]:
    """The weight flips an answer could make: the criterion's new share lies in its weight_ranges().

    A flip outside (18,532% more weight for popularity, seen in a team report) is no plausible weight
    change; the report says so instead of printing the figure. Criteria the rules do not know (none
    today) are kept out too.
    """
    ranges = weight_ranges()
    kept = []
    for flip in flips:
        if flip.criterion not in ranges or flip.criterion not in weights:
            continue
        low, high = ranges[flip.criterion]
        new_share = weight_share_after(weights, flip.criterion, flip.change)
        if low - SHARE_TOLERANCE <= new_share <= high + SHARE_TOLERANCE:
            share = weights[flip.criterion] / sum(weights.values())
            kept.append(PlausibleFlip(flip, share, new_share))
    return kept


def answer_flips(profile: Profile, evidence: Evidence | None, verdicts: Verdicts, leader: str) -> list[AnswerFlip]:
    """Every single-answer change (choice questions) that changes the first place, by question, largest lead first."""
    from advisor.scoring.score import score

    flips = []
    values = dict(profile.answers.values)
    for question in load_questions():
        if question.kind != "choice":
            continue
        for value in question.choices:
            if value == values[question.key]:
                continue
            changed = dict(values, **{question.key: value})
            other = build_profile(Answers(values=changed, origins=profile.answers.origins))
            card = score(other, evidence, verdicts, what_if=False)
            if card.leader != leader:
                flips.append(AnswerFlip(question.key, value, str(values[question.key]), card.leader, card.margin))
    return sorted(flips, key=lambda f: (f.question, -f.margin))


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
