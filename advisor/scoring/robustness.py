"""How robust the pick is: totals, one-at-a-time weight flips (and those answers could make), Monte-Carlo
perturbations, rank correlation.

The weighted sum is linear in every weight, so the smallest single-weight change that flips the
first place is exact; perturbations multiply every weight by U(1-p, 1+p) (seeded, so a report
re-made from the same records says the same).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from advisor.questionnaire.profile import rule_matches
from advisor.records.answers import Question, load_questions
from advisor.records.profile import load_criteria
from advisor.records.scorecard import (
    NEAR_TIE_KEPT,
    NEAR_TIE_POINTS,
    PERTURBATION,
    PERTURBATION_SAMPLES,
    CriterionScore,
    PlausibleFlip,
    Scorecard,
    WeightFlip,
)

if TYPE_CHECKING:  # numpy loads when the perturbations are computed
    import numpy as np

Scores = Mapping[str, Mapping[str, CriterionScore]]  # criterion -> candidate -> score
SHARE_TOLERANCE = 1e-9  # a share this close to the edge of a criterion's range still counts as inside it


def totals(candidates: Sequence[str], weights: Mapping[str, float], scores: Scores) -> dict[str, float]:
    """Each candidate's weighted sum of its criterion scores."""
    return {c: sum(w * scores[k][c].score for k, w in weights.items()) for c in candidates}


def rank(candidates: Sequence[str], weights: Mapping[str, float], scores: Scores) -> Scorecard:
    """A scorecard from criterion scores and weights: totals, ranking, margin and robustness.

    For callers that combine scores and weights themselves too (a team's combined weights).
    """
    candidates = tuple(candidates)
    summed = totals(candidates, weights, scores)
    ranking = tuple(sorted(candidates, key=lambda c: (-summed[c], candidates.index(c))))
    margin = summed[ranking[0]] - summed[ranking[1]] if len(ranking) > 1 else math.inf
    kept = perturbation_share(ranking[0], candidates, weights, scores)
    flips = tuple(one_at_a_time_flips(ranking[0], candidates, weights, scores))
    return Scorecard(
        candidates=candidates,
        weights=dict(weights),
        scores=scores,
        totals=summed,
        ranking=ranking,
        margin=margin,
        near_tie=margin < NEAR_TIE_POINTS or kept < NEAR_TIE_KEPT,
        flips=flips,
        kept_under_perturbation=kept,
        rank_correlation=rank_correlation(candidates, weights, scores),
        plausible_flips=plausible_flips(flips, weights),
    )


def one_at_a_time_flips(
    leader: str, candidates: Sequence[str], weights: Mapping[str, float], scores: Scores
) -> list[WeightFlip]:
    """Per criterion, the smallest relative change of its weight alone that dethrones the leader.

    Totals are linear in one weight, so the change where the leader's lead over a rival vanishes
    is exact: lead + delta * w_c * (s_c,leader - s_c,rival) = 0. Weights stay non-negative.
    """
    summed = totals(candidates, weights, scores)
    flips = []
    for criterion, weight in weights.items():
        best: WeightFlip | None = None
        for rival in candidates:
            if rival == leader or weight <= 0:
                continue
            gap = scores[criterion][leader].score - scores[criterion][rival].score
            lead = summed[leader] - summed[rival]
            if gap == 0:
                continue
            change = -lead / (weight * gap)
            if change < -1:  # would need a negative weight
                continue
            if best is None or abs(change) < abs(best.change):
                best = WeightFlip(criterion, change, rival)
        if best is not None:
            flips.append(best)
    return sorted(flips, key=lambda f: abs(f.change))


def _perturbed_totals(
    candidates: Sequence[str], weights: Mapping[str, float], scores: Scores
) -> tuple[np.ndarray, np.ndarray]:
    """Totals under PERTURBATION_SAMPLES random weightings (each weight times U(1-p, 1+p)), seeded."""
    import numpy as np

    keys = list(weights)
    w = np.array([weights[k] for k in keys])
    s = np.array([[scores[k][c].score for c in candidates] for k in keys])  # criteria x candidates
    rng = np.random.default_rng(0)
    factors = rng.uniform(1 - PERTURBATION, 1 + PERTURBATION, size=(PERTURBATION_SAMPLES, len(keys)))
    return (factors * w) @ s, w @ s


def perturbation_share(leader: str, candidates: Sequence[str], weights: Mapping[str, float], scores: Scores) -> float:
    """Share of random weightings (each weight times U(1-p, 1+p)) that keep the leader first."""
    import numpy as np

    perturbed, _ = _perturbed_totals(candidates, weights, scores)
    return float(np.mean(np.argmax(perturbed, axis=1) == list(candidates).index(leader)))


def rank_correlation(candidates: Sequence[str], weights: Mapping[str, float], scores: Scores) -> float:
    """Mean Spearman correlation between each perturbed ranking and the unperturbed one (1: same order)."""
    import numpy as np

    if len(candidates) < 2:
        return 1.0
    perturbed, base = _perturbed_totals(candidates, weights, scores)
    ranks = np.argsort(np.argsort(-perturbed, axis=1), axis=1)
    base_ranks = np.argsort(np.argsort(-base))
    n = len(candidates)
    rho = 1 - 6 * np.sum((ranks - base_ranks) ** 2, axis=1) / (n * (n * n - 1))
    return float(np.mean(rho))


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


def plausible_flips(flips: Sequence[WeightFlip], weights: Mapping[str, float]) -> tuple[PlausibleFlip, ...]:
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
    return tuple(kept)
