"""How robust the pick is: totals, one-at-a-time weight flips, Monte-Carlo perturbations, rank correlation.

The weighted sum is linear in every weight, so the smallest single-weight change that flips the
first place is exact; perturbations multiply every weight by U(1-p, 1+p) (seeded, so a report
re-made from the same records says the same).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from advisor.scoring.scorecard import (
    NEAR_TIE_KEPT,
    NEAR_TIE_POINTS,
    PERTURBATION,
    PERTURBATION_SAMPLES,
    CriterionScore,
    Scorecard,
    WeightFlip,
)

if TYPE_CHECKING:  # numpy loads when the perturbations are computed
    import numpy as np

Scores = Mapping[str, Mapping[str, CriterionScore]]  # criterion -> candidate -> score


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
    return Scorecard(
        candidates=candidates,
        weights=dict(weights),
        scores=scores,
        totals=summed,
        ranking=ranking,
        margin=margin,
        near_tie=margin < NEAR_TIE_POINTS or kept < NEAR_TIE_KEPT,
        flips=tuple(one_at_a_time_flips(ranking[0], candidates, weights, scores)),
        kept_under_perturbation=kept,
        rank_correlation=rank_correlation(candidates, weights, scores),
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
