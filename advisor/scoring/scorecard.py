"""Scorecard: every framework's score per criterion, the weighted totals, the pick and how robust it is.

A score is 0 to 10. It comes from this run's evidence where a probe measured the criterion
("measured"), from the user's own answers for familiarity ("answers"), and otherwise from what
the claims ledger implies ("literature", citing the claims; see advisor/scoring/literature.py for how an
unmeasured candidate is placed beside measured ones). The weighted sum keeps every contribution
visible. Speed, start-up and memory rank only results from one device per model: a CPU result is
never scored against a GPU result as if alike (advisor/scoring/devices.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from advisor.claims.verdicts import Verdict, check_claims
from advisor.questionnaire.profile import Profile, load_criteria
from advisor.scoring.devices import DEVICE_WORDS, device_of, mixed, primary_device, where
from advisor.scoring.literature import literature_scores, place
from advisor.scoring.measured import score_debugging, score_deployment, score_ease_of_use
from advisor.scoring.relative import relative_over_models
from probes.evidence import Evidence
from probes.variants import VARIANTS
from probes.variants import label as variant_label

SCORECARD_FORMAT = "advisor-scorecard/1"
# The frameworks a user chooses between; Keras on other backends joins when this run measured it.
CORE_CANDIDATES = ("torch", "keras-tensorflow", "tensorflow")
NEAR_TIE_POINTS = 0.25  # a lead smaller than this (on the 0-10 scale) is a near tie
NEAR_TIE_KEPT = 0.60  # ... and so is a lead that 40% or more of perturbed weightings overturn
CLEAR_KEPT = 0.90  # a pick that survives this share of perturbations is called clear
PERTURBATION = 0.30  # Monte-Carlo weights vary by up to this share either way
PERTURBATION_SAMPLES = 2000


@dataclass(frozen=True)
class CriterionScore:
    criterion: str
    candidate: str
    score: float
    source: str  # measured | answers | literature
    basis: str
    figures: Mapping[str, Any] = field(default_factory=dict)
    claims: tuple[str, ...] = ()  # ids of the ledger claims a literature score rests on


@dataclass(frozen=True)
class WeightFlip:
    """The smallest change of one criterion's weight that puts another framework first."""

    criterion: str
    change: float  # relative: +0.45 means the weight 45% higher
    new_leader: str


@dataclass(frozen=True)
class Scorecard:
    candidates: tuple[str, ...]
    weights: Mapping[str, float]
    scores: Mapping[str, Mapping[str, CriterionScore]]  # criterion -> candidate -> score
    totals: Mapping[str, float]
    ranking: tuple[str, ...]
    margin: float
    near_tie: bool
    flips: tuple[WeightFlip, ...]
    kept_under_perturbation: float  # share of perturbed weightings that keep the leader first
    rank_correlation: float = 1.0  # mean Spearman correlation of perturbed rankings with this one
    verdicts: tuple[Verdict, ...] = ()  # the claims checked against the evidence this card used

    @property
    def leader(self) -> str:
        return self.ranking[0]

    @property
    def confidence(self) -> str:
        """near tie | lean | clear: how firmly the totals and their robustness back the first place."""
        if self.near_tie:
            return "near tie"
        return "clear" if self.kept_under_perturbation >= CLEAR_KEPT else "lean"

    def contribution(self, criterion: str, candidate: str) -> float:
        return self.weights[criterion] * self.scores[criterion][candidate].score

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SCORECARD_FORMAT,
            "candidates": list(self.candidates),
            "weights": dict(self.weights),
            "scores": {
                criterion: {
                    candidate: {
                        "score": round(s.score, 3),
                        "source": s.source,
                        "basis": s.basis,
                        "figures": dict(s.figures),
                        "claims": list(s.claims),
                    }
                    for candidate, s in per.items()
                }
                for criterion, per in self.scores.items()
            },
            "totals": {k: round(v, 4) for k, v in self.totals.items()},
            "ranking": list(self.ranking),
            "margin": round(self.margin, 4),
            "near_tie": self.near_tie,
            "confidence": self.confidence,
            "robustness": {
                "one_at_a_time": [
                    {"criterion": f.criterion, "change": round(f.change, 4), "new_leader": f.new_leader}
                    for f in self.flips
                ],
                "perturbation": PERTURBATION,
                "samples": PERTURBATION_SAMPLES,
                "kept_first": round(self.kept_under_perturbation, 4),
                "rank_correlation": round(self.rank_correlation, 4),
            },
        }


def candidates_for(evidence: Evidence | None) -> tuple[str, ...]:
    """The core three, plus every other variant this run measured successfully."""
    chosen = list(CORE_CANDIDATES)
    if evidence is not None:
        for result in evidence.results:
            if result.ok and result.variant not in chosen:
                chosen.append(result.variant)
    return tuple(chosen)


# --- evidence scorers
# EVIDENCE_SCORERS maps a criterion to a function(evidence, candidates, profile) that returns
# {candidate: (score 0-10, basis sentence, figures dict)} for the candidates it could measure;
# candidates it leaves out fall back to the literature. Probes of new kinds register here.


def _median(evidence: Evidence, variant: str, model: str, metric: str) -> float | None:
    result = evidence.result(variant, model)
    if result is None or not result.ok:
        return None
    summary = result.summary(metric)
    return summary.median if summary else None


def comparable(evidence: Evidence, model: str, candidates: Sequence[str]) -> tuple[set[str], str | None]:
    """The candidates whose speed results on `model` can be ranked together, and a note when devices were mixed.

    Those ranked ran on the device most of them used (the GPU on a tie), or recorded none.
    """
    results = [r for c in candidates if (r := evidence.result(c, model)) is not None and r.ok]
    primary = primary_device({r.variant: device_of(r) for r in results})
    keep = {r.variant for r in results if device_of(r) in (None, primary)}
    if not mixed(results):
        return keep, None
    ran = ", ".join(where(r) for r in results)
    return keep, f"not like for like ({ran}), so only the results on {DEVICE_WORDS[primary]} are ranked"


def device_notes(evidence: Evidence, candidates: Sequence[str]) -> dict[str, str]:
    """Per candidate that ran where the devices were mixed: which ran where, for the models it concerns."""
    by_note: dict[str, dict[str, list[str]]] = {}  # candidate -> note -> models
    for model in evidence.settings.get("models") or []:
        _, note = comparable(evidence, model, candidates)
        if note is None:
            continue
        for candidate in candidates:
            result = evidence.result(candidate, model)
            if result is not None and result.ok:
                by_note.setdefault(candidate, {}).setdefault(note, []).append(model)
    return {
        candidate: "; ".join(f"{', '.join(models)}: {note}" for note, models in notes.items())
        for candidate, notes in by_note.items()
    }


def _relative_scores(
    evidence: Evidence,
    candidates: Sequence[str],
    value: Callable[[str, str], float | None],
    higher_is_better: bool,
    describe: Callable[[float], str],
    profile: Profile | None = None,
) -> dict[str, tuple[float, str, dict[str, Any]]]:
    """10 for the best measured candidate, others by their ratio to it: a geometric mean over models,
    weighted towards the models like the user's own data; per model only results from one device."""
    per_model: dict[str, dict[str, float]] = {}
    for model in evidence.settings.get("models") or []:
        alike, _ = comparable(evidence, model, candidates)
        per_model[model] = {c: v for c in candidates if c in alike and (v := value(c, model)) is not None}
    return relative_over_models(per_model, candidates, higher_is_better, lambda c, m, v: describe(v), profile)


def score_training_speed(evidence: Evidence, candidates: Sequence[str], profile: Profile):
    return _relative_scores(
        evidence,
        candidates,
        lambda c, m: _median(evidence, c, m, "train_samples_per_s"),
        True,
        lambda v: f"{v:,.0f} samples/s",
        profile,
    )


def score_startup_time(evidence: Evidence, candidates: Sequence[str], profile: Profile):
    def total(c: str, m: str) -> float | None:
        parts = [_median(evidence, c, m, k) for k in ("import_s", "build_s", "first_step_s")]
        return None if any(p is None for p in parts) else sum(parts)  # type: ignore[arg-type]

    return _relative_scores(
        evidence, candidates, total, False, lambda v: f"{v:.2f} s import + build + first step", profile
    )


def score_memory(evidence: Evidence, candidates: Sequence[str], profile: Profile):
    return _relative_scores(
        evidence,
        candidates,
        lambda c, m: _median(evidence, c, m, "peak_rss_mb"),
        False,
        lambda v: f"{v:,.0f} MB peak RSS",
        profile,
    )


EvidenceScorer = Callable[[Evidence, Sequence[str], Profile], dict[str, tuple[float, str, dict]]]
EVIDENCE_SCORERS: dict[str, EvidenceScorer] = {
    "training_speed": score_training_speed,
    "startup_time": score_startup_time,
    "memory": score_memory,
    "ease_of_use": score_ease_of_use,
    "debugging": score_debugging,
    "deployment": score_deployment,
}
SPEED_CRITERIA = ("training_speed", "startup_time", "memory")  # scored from speed results, one device at a time


def score_familiarity(profile: Profile, candidate: str) -> tuple[float, str]:
    known = set(profile.answers["known_frameworks"])
    variant = VARIANTS[candidate]
    if variant.family in known:
        return 10.0, f"you know {variant.family}"
    backend_family = {"keras-torch": "pytorch", "keras-tensorflow": "tensorflow", "keras-jax": "jax"}
    if backend_family.get(candidate) in known:
        return 6.0, f"you know its backend, {backend_family[candidate]}"
    return 0.0, "not among the frameworks you know" if known else "you know no framework yet"


def build_scorecard(
    profile: Profile, evidence: Evidence | None, verdicts: Sequence[Verdict] | None = None
) -> Scorecard:
    """Score every candidate on every criterion (evidence first, then the claims), weight and rank.

    `verdicts` are the ledger's claims checked against `evidence`; computed here when not given.
    """
    candidates = candidates_for(evidence)
    criteria = load_criteria()
    verdicts = tuple(verdicts) if verdicts is not None else check_claims(evidence)
    target = profile.answers.values.get("deployment_target")
    literature = literature_scores(candidates, verdicts, list(criteria), target)
    notes = device_notes(evidence, candidates) if evidence is not None else {}
    scores: dict[str, dict[str, CriterionScore]] = {}
    for criterion in criteria:
        measured = {}
        if evidence is not None and criterion in EVIDENCE_SCORERS:
            measured = EVIDENCE_SCORERS[criterion](evidence, candidates, profile)
        measured_scores = {c: float(measured[c][0]) for c in candidates if c in measured}
        per: dict[str, CriterionScore] = {}
        for candidate in candidates:
            if criterion == "familiarity":
                score, basis = score_familiarity(profile, candidate)
                per[candidate] = CriterionScore(criterion, candidate, score, "answers", basis)
            elif candidate in measured:
                score, basis, figures = measured[candidate]
                if criterion in SPEED_CRITERIA and candidate in notes:
                    basis = f"{basis}; {notes[candidate]}"
                per[candidate] = CriterionScore(criterion, candidate, float(score), "measured", basis, figures)
            else:
                placed = place(literature[criterion], measured_scores, candidate, variant_label(candidate))
                basis = placed.basis
                if criterion in SPEED_CRITERIA and candidate in notes:
                    basis = f"{notes[candidate]}; {basis}"
                per[candidate] = CriterionScore(
                    criterion, candidate, placed.score, "literature", basis, placed.figures, placed.claims
                )
        scores[criterion] = per
    weights = profile.weight_vector()
    return _rank(candidates, weights, scores, verdicts)


def _totals(candidates: Sequence[str], weights: Mapping[str, float], scores) -> dict[str, float]:
    return {c: sum(w * scores[k][c].score for k, w in weights.items()) for c in candidates}


def _rank(
    candidates: tuple[str, ...], weights: Mapping[str, float], scores, verdicts: Sequence[Verdict] = ()
) -> Scorecard:
    totals = _totals(candidates, weights, scores)
    ranking = tuple(sorted(candidates, key=lambda c: (-totals[c], candidates.index(c))))
    margin = totals[ranking[0]] - totals[ranking[1]] if len(ranking) > 1 else math.inf
    kept = perturbation_share(ranking[0], candidates, weights, scores)
    return Scorecard(
        candidates=candidates,
        weights=dict(weights),
        scores=scores,
        totals=totals,
        ranking=ranking,
        margin=margin,
        near_tie=margin < NEAR_TIE_POINTS or kept < NEAR_TIE_KEPT,
        flips=tuple(one_at_a_time_flips(ranking[0], candidates, weights, scores)),
        kept_under_perturbation=kept,
        rank_correlation=rank_correlation(candidates, weights, scores),
        verdicts=tuple(verdicts),
    )


def one_at_a_time_flips(leader, candidates, weights, scores) -> list[WeightFlip]:
    """Per criterion, the smallest relative change of its weight alone that dethrones the leader.

    Totals are linear in one weight, so the change where the leader's lead over a rival vanishes
    is exact: lead + delta * w_c * (s_c,leader - s_c,rival) = 0. Weights stay non-negative.
    """
    totals = _totals(candidates, weights, scores)
    flips = []
    for criterion, weight in weights.items():
        best: WeightFlip | None = None
        for rival in candidates:
            if rival == leader or weight <= 0:
                continue
            gap = scores[criterion][leader].score - scores[criterion][rival].score
            lead = totals[leader] - totals[rival]
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


def _perturbed_totals(candidates, weights, scores):
    """Totals under PERTURBATION_SAMPLES random weightings (each weight times U(1-p, 1+p)), seeded."""
    import numpy as np

    keys = list(weights)
    w = np.array([weights[k] for k in keys])
    s = np.array([[scores[k][c].score for c in candidates] for k in keys])  # criteria x candidates
    rng = np.random.default_rng(0)
    factors = rng.uniform(1 - PERTURBATION, 1 + PERTURBATION, size=(PERTURBATION_SAMPLES, len(keys)))
    return (factors * w) @ s, w @ s


def perturbation_share(leader, candidates, weights, scores) -> float:
    """Share of random weightings (each weight times U(1-p, 1+p)) that keep the leader first."""
    import numpy as np

    totals, _ = _perturbed_totals(candidates, weights, scores)
    return float(np.mean(np.argmax(totals, axis=1) == list(candidates).index(leader)))


def rank_correlation(candidates, weights, scores) -> float:
    """Mean Spearman correlation between each perturbed ranking and the unperturbed one (1: same order)."""
    import numpy as np

    if len(candidates) < 2:
        return 1.0
    totals, base = _perturbed_totals(candidates, weights, scores)
    ranks = np.argsort(np.argsort(-totals, axis=1), axis=1)
    base_ranks = np.argsort(np.argsort(-base))
    n = len(candidates)
    rho = 1 - 6 * np.sum((ranks - base_ranks) ** 2, axis=1) / (n * (n * n - 1))
    return float(np.mean(rho))


def rank_scores(candidates: Sequence[str], weights: Mapping[str, float], scores) -> Scorecard:
    """A scorecard from given criterion scores and weights, with the usual margin and robustness.

    For callers that combine scores and weights themselves (a team's combined weights, say).
    """
    return _rank(tuple(candidates), dict(weights), scores)
