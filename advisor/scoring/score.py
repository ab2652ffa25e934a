"""The scoring stage: Profile + Evidence + Verdicts -> Scorecard.

A score is 0 to 10. It comes from this run's evidence where a probe measured the criterion
("measured"), from the user's own answers for familiarity ("answers"), and otherwise from what
the claims ledger implies ("literature", citing the claims; see advisor/scoring/literature.py for
how an unmeasured candidate is placed beside measured ones). The weighted sum keeps every
contribution visible (advisor/scoring/robustness.py ranks and tests it); the scorecard also
carries what the report says next: the answers that would change the pick, the tensions between
answers, whether Keras 3 on PyTorch combines what the user weighs most (whatif.py), and the findings
the report puts in words without working them out again: each score's claims with their effect, the
speed comparisons with their intervals, the deployment routes with their credit, the planted bugs,
the batch curves and their knees, the fewest lines per model and the scripts counted
(advisor/records/findings.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from advisor.claims import check
from advisor.records.digests import digest, evidence_digest, knowledge_digest, scripts_digest
from advisor.records.findings import ClaimEffect, Findings
from advisor.records.profile import Profile, load_criteria
from advisor.records.scorecard import Caveat, CriterionScore, Scorecard
from advisor.records.verdicts import Verdicts
from advisor.scoring.caveats import evidence_caveats
from advisor.scoring.ease import ease_findings
from advisor.scoring.hardware import DEVICE_WORDS, HARDWARE_WORDS, HardwareMatch, hardware_match
from advisor.scoring.literature import literature_scores, place
from advisor.scoring.measured import (
    deployment_findings,
    planted_cases,
    score_debugging,
    score_deployment,
    score_ease_of_use,
)
from advisor.scoring.own_model import criteria_it_entered, own_model_findings, with_own_model
from advisor.scoring.robustness import Scores, rank
from advisor.scoring.scale import scale_findings, score_dataset_scale
from advisor.scoring.speed import (
    SPEED_CRITERIA,
    device_notes,
    score_memory,
    score_startup_time,
    score_training_speed,
    speed_findings,
)
from advisor.scoring.tensions import find_tensions
from advisor.scoring.whatif import answer_flips, keras_on_torch, keras_on_torch_untested, setting_picks
from probes.evidence import Evidence
from probes.variants import VARIANTS
from probes.variants import label as variant_label

# The frameworks a user chooses between; Keras on other backends joins when this run measured it.
CORE_CANDIDATES = ("torch", "keras-tensorflow", "tensorflow")
# The knowledge/ files it reads (onboarding.yaml: each framework's reference script, for older evidence).
RULES = ("weights", "literature", "measured_scores", "export_paths", "questions", "tensions", "onboarding")

# EVIDENCE_SCORERS maps a criterion to a function(evidence, candidates, profile) that returns
# {candidate: (score 0-10, basis sentence, figures dict)} for the candidates it could measure;
# candidates it leaves out fall back to the literature. Probes of new kinds register here.
EvidenceScorer = Callable[[Evidence, Sequence[str], Profile], dict[str, tuple[float, str, dict]]]
# Speed, memory and deployment use the user's own model where two or more candidates ran it (own_model.py).
EVIDENCE_SCORERS: dict[str, EvidenceScorer] = {
    "training_speed": with_own_model("training_speed", score_training_speed),
    "startup_time": score_startup_time,
    "memory": with_own_model("memory", score_memory),
    "ease_of_use": score_ease_of_use,
    "debugging": score_debugging,
    "deployment": with_own_model("deployment", score_deployment),
    "dataset_scale": score_dataset_scale,
}


def score(profile: Profile, evidence: Evidence | None, verdicts: Verdicts, *, what_if: bool = True) -> Scorecard:
    """Score, weight and rank every candidate; with `what_if`, also the answers that would change the pick.

    `verdicts` are the ledger's claims checked against `evidence` (advisor.claims.check).
    """
    candidates = candidates_for(evidence)
    hardware = hardware_match(profile.answers.hardware, evidence)
    scores = criterion_scores(profile, evidence, verdicts, candidates, hardware)
    card = rank(candidates, profile.weight_vector(), scores)
    inputs = scored_from(profile, evidence, verdicts)
    caveats = evidence_caveats(evidence, candidates)
    if hardware.matches is False:
        caveats = (*caveats, Caveat("hardware_mismatch", False, hardware.sentence()))
    findings = Findings(
        speed=speed_findings(evidence),
        deployment=deployment_findings(evidence, profile.answers.deployment_target),
        planted=planted_cases(evidence),
        scale=scale_findings(evidence),
        ease=ease_findings(evidence),
        own_model=own_model_findings(evidence, profile.answers.deployment_target, criteria_it_entered(scores)),
    )
    card = replace(card, tensions=find_tensions(profile.answers), inputs=inputs, caveats=caveats, findings=findings)
    if not what_if:
        return card
    speed = setting_picks(
        evidence,
        card.leader,
        verdicts,
        findings.speed,
        lambda other, checked: score(profile, other, checked, what_if=False),
        check,
    )
    return replace(
        card,
        findings=replace(findings, speed=speed),
        answer_flips=tuple(
            answer_flips(profile, card.leader, lambda other: score(other, evidence, verdicts, what_if=False))
        ),
        combination=keras_on_torch(card),
        untested_combination=keras_on_torch_untested(card),
    )


def scored_from(profile: Profile, evidence: Evidence | None, verdicts: Verdicts) -> dict[str, str | None]:
    """The digests of what a scorecard is scored from: a saved one whose inputs differ is scored again."""
    return {
        "profile": digest(profile.to_json()),
        "evidence": evidence_digest(evidence),
        "verdicts": digest(verdicts.to_json()),
        "rules": knowledge_digest(*RULES),
        "scripts": scripts_digest(),
    }


def candidates_for(evidence: Evidence | None) -> tuple[str, ...]:
    """The core three, plus every other framework variant this run measured (a named option is not one)."""
    chosen = list(CORE_CANDIDATES)
    if evidence is not None:
        for result in evidence.results:
            variant = VARIANTS.get(result.variant)
            if result.ok and result.variant not in chosen and (variant is None or variant.candidate):
                chosen.append(result.variant)
    return tuple(chosen)


def criterion_scores(
    profile: Profile,
    evidence: Evidence | None,
    verdicts: Verdicts,
    candidates: Sequence[str],
    hardware: HardwareMatch,
) -> dict[str, dict[str, CriterionScore]]:
    """criterion -> candidate -> score: evidence first, then the answers (familiarity), then the claims;
    `hardware` says how much a device-dependent measurement counts (advisor/scoring/hardware.py)."""
    criteria = load_criteria()
    literature = literature_scores(candidates, verdicts.verdicts, list(criteria), profile.answers)
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
                value, basis = score_familiarity(profile, candidate)
                per[candidate] = CriterionScore(criterion, candidate, value, "answers", basis, placement="answers")
            elif candidate in measured:
                value, basis, figures = measured[candidate]
                if criterion in SPEED_CRITERIA and candidate in notes:
                    basis = f"{basis}; {notes[candidate]}"
                effects: tuple[ClaimEffect, ...] = ()
                placement = "measured"
                if criterion in SPEED_CRITERIA and hardware.matches is False:
                    articles = place(literature[criterion], {}, candidate, variant_label(candidate))
                    value, basis, figures = _measured_elsewhere(hardware, float(value), basis, figures, articles)
                    effects, placement = articles.effects, "measured_elsewhere"
                per[candidate] = CriterionScore(
                    criterion, candidate, float(value), "measured", basis, figures, effects, placement
                )
            else:
                placed = place(literature[criterion], measured_scores, candidate, variant_label(candidate))
                basis, short = placed.basis, placed.short
                if criterion in SPEED_CRITERIA and candidate in notes:
                    basis, short = f"{notes[candidate]}; {basis}", f"{notes[candidate]}; {short or basis}"
                per[candidate] = CriterionScore(
                    criterion,
                    candidate,
                    placed.score,
                    "literature",
                    basis,
                    placed.figures,
                    placed.effects,
                    placed.placement,
                    short,
                )
        scores[criterion] = per
    return scores


def _measured_elsewhere(
    hardware: HardwareMatch, measured: float, basis: str, figures: dict, articles: Any
) -> tuple[float, str, dict]:
    """A device-dependent score measured on other hardware than the user's: the measurement counts
    for its share (advisor/scoring/hardware.py), the articles' own placement for the rest."""
    share = hardware.measured_share
    blended = share * measured + (1 - share) * articles.score
    basis = (
        f"{basis}; measured on {DEVICE_WORDS.get(hardware.measured or '', 'another device')} while you train on "
        f"{HARDWARE_WORDS.get(hardware.answered, hardware.answered)}, so the measured {measured:.1f} counts for "
        f"{share:.0%} and the articles' {articles.score:.1f} for the rest"
    )
    figures = {**figures, "measured_score": round(measured, 3), "articles_score": round(articles.score, 3)}
    figures["measured_share"] = round(share, 3)
    return blended, basis, figures


def rank_scores(candidates: Sequence[str], weights: Mapping[str, float], scores: Scores) -> Scorecard:
    """A scorecard from given criterion scores and weights (a team's combined weights, say)."""
    return rank(candidates, weights, scores)


def score_familiarity(profile: Profile, candidate: str) -> tuple[float, str]:
    known = set(profile.answers.known_frameworks)
    variant = VARIANTS[candidate]
    if variant.family in known:
        return 10.0, f"you know {variant.family}"
    backend_family = {"keras-torch": "pytorch", "keras-tensorflow": "tensorflow", "keras-jax": "jax"}
    if backend_family.get(candidate) in known:
        return 6.0, f"you know its backend, {backend_family[candidate]}"
    return 0.0, "not among the frameworks you know" if known else "you know no framework yet"
