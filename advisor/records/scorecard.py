"""The scorecard: the record the scoring stage gives the report, and the parts it is made of.

Everything the report shows about the decision is here, computed once by the scoring stage
(advisor/scoring/score.py): each framework's score per criterion with its basis, the weighted
totals and ranking, the robustness of the pick (one-at-a-time weight flips, Monte-Carlo
perturbations), the single answers that would change it, the tensions between answers, and
whether Keras 3 on PyTorch combines what the user weighs most. The report only renders it.

Format history:
  advisor-scorecard/1  scores, totals, ranking, margin, robustness; rounded; never read back.
  advisor-scorecard/2  adds answer flips, tensions, the Keras-on-PyTorch combination and the digests
                       of the records and rules it was scored from; full precision; read back by
                       `advisor report`, which renders it without scoring again.
  advisor-scorecard/3  adds the caveats of the evidence (advisor/scoring/caveats.py); confidence can be
                       "provisional" (an interrupted run, a smoke test, nothing measured).
  advisor-scorecard/4  typed findings, so the report computes nothing: each score's claims with their
                       effect ("effects", replacing the ids in "claims"), how a score was placed
                       ("placement") and its basis in a table cell's words ("short"); the weight flips
                       answers could make ("plausible_flips"); the speed comparisons with their
                       intervals, the devices, the deployment routes with their credit and the planted
                       bugs ("findings", advisor/records/findings.py). A scorecard of an earlier format
                       is scored again, as a stale one is.
  advisor-scorecard/5  the scale probe's batch curves and the knee of each ("findings.scale"); the ease
                       probe's fewest and most lines per model and the reference scripts it counted,
                       each with whether the installed one changed since ("findings.ease"); the digest of
                       the installed reference scripts among the inputs ("inputs.scripts").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.records.findings import ClaimEffect, Findings

SCORECARD_FORMAT = "advisor-scorecard/5"
NEAR_TIE_POINTS = 0.25  # a lead smaller than this (on the 0-10 scale) is a near tie
NEAR_TIE_KEPT = 0.60  # ... and so is a lead that 40% or more of perturbed weightings overturn
CLEAR_KEPT = 0.90  # a pick that survives this share of perturbations is called clear
PERTURBATION = 0.30  # Monte-Carlo weights vary by up to this share either way
PERTURBATION_SAMPLES = 2000
SOURCES = ("measured", "answers", "literature")
# How a score was placed: measured here (or on other hardware than the user's, and blended with the
# articles), from the answers, or from the literature: the articles' own score, neutral (nothing speaks
# to it), on a par with a measured peer, the lowest measured (untested), or anchored to the measured ones.
PLACEMENTS = ("measured", "measured_elsewhere", "answers", "articles", "neutral", "peer", "lowest", "anchored")
ANCHORED = ("anchored", "lowest", "peer")  # placed on this run's measured scale, not the articles' own


@dataclass(frozen=True)
class Caveat:
    """What the evidence cannot carry (advisor/scoring/caveats.py finds them)."""

    id: str  # nothing_measured | interrupted | smoke_test | not_measured:<candidate>
    provisional: bool  # True: the pick itself cannot be trusted; False: one candidate's scores are guesses
    text: str


@dataclass(frozen=True)
class CriterionScore:
    criterion: str
    candidate: str
    score: float
    source: str  # measured | answers | literature
    basis: str  # the score's reason, in full
    figures: Mapping[str, Any] = field(default_factory=dict)
    effects: tuple[ClaimEffect, ...] = ()  # the ledger claims and dated facts a score rests on, each with its effect
    placement: str = ""  # one of PLACEMENTS ("": not said, as a team's averaged scores)
    short: str = ""  # the basis in a table cell's few words, the claims counted, not listed; "": the basis itself

    @property
    def claims(self) -> tuple[str, ...]:
        """The ids of the claims (and "fact:<id>" dated facts) behind the score."""
        return tuple(effect.claim for effect in self.effects)

    @property
    def short_basis(self) -> str:
        return self.short or self.basis

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "source": self.source,
            "placement": self.placement,
            "basis": self.basis,
            "short": self.short,
            "figures": dict(self.figures),
            "effects": [effect.to_json() for effect in self.effects],
        }

    @classmethod
    def from_json(cls, criterion: str, candidate: str, data: Mapping[str, Any]) -> CriterionScore:
        source, placement = str(data["source"]), str(data.get("placement") or "")
        if source not in SOURCES:
            raise ValueError(f"score source must be one of {', '.join(SOURCES)}. Received: {source!r}")
        if placement and placement not in PLACEMENTS:
            raise ValueError(f"score placement must be one of {', '.join(PLACEMENTS)}. Received: {placement!r}")
        return cls(
            criterion,
            candidate,
            float(data["score"]),
            source,
            str(data["basis"]),
            dict(data.get("figures") or {}),
            tuple(ClaimEffect.from_json(e) for e in data.get("effects") or ()),
            placement,
            str(data.get("short") or ""),
        )


@dataclass(frozen=True)
class WeightFlip:
    """The smallest change of one criterion's weight that puts another framework first."""

    criterion: str
    change: float  # relative: +0.45 means the weight 45% higher
    new_leader: str


@dataclass(frozen=True)
class PlausibleFlip:
    """A weight flip that answers could make: the criterion's share of the weight before and after it."""

    flip: WeightFlip
    share: float  # the criterion's share of all the weight now
    new_share: float  # ... and once its weight changed by flip.change, the others kept


@dataclass(frozen=True)
class AnswerFlip:
    """Answering `question` with `value` instead of `was` would put `new_leader` first."""

    question: str
    value: str
    was: str
    new_leader: str
    margin: float


@dataclass(frozen=True)
class Tension:
    """Two or more answers that pull in different directions, and what to do about it."""

    id: str
    note: str
    advice: str
    answers: tuple[tuple[str, str], ...]  # (question key, the answer given) that triggered it


@dataclass(frozen=True)
class Combination:
    """Keras 3 on PyTorch keeps up with the best on each criterion the user weighs most."""

    criteria: tuple[str, ...]  # labels of the user's heaviest criteria
    sentence: str


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
    plausible_flips: tuple[PlausibleFlip, ...] = ()  # the flips answers could make (advisor/scoring/robustness.py)
    answer_flips: tuple[AnswerFlip, ...] = ()  # single answers that change the first place
    tensions: tuple[Tension, ...] = ()
    combination: Combination | None = None  # Keras 3 on PyTorch, where measured
    untested_combination: str | None = None  # ... or how to measure it
    inputs: Mapping[str, str | None] = field(default_factory=dict)  # digests of what it was scored from
    caveats: tuple[Caveat, ...] = ()  # what the evidence cannot carry (advisor/scoring/caveats.py)
    findings: Findings = field(default_factory=Findings)  # what the report shows besides the scores

    @property
    def leader(self) -> str:
        return self.ranking[0]

    @property
    def confidence(self) -> str:
        """provisional | near tie | lean | clear: how firmly the evidence, the totals and their robustness
        back the first place (provisional: the evidence itself cannot, whatever the totals say)."""
        if any(c.provisional for c in self.caveats):
            return "provisional"
        if self.near_tie:
            return "near tie"
        return "clear" if self.kept_under_perturbation >= CLEAR_KEPT else "lean"

    def contribution(self, criterion: str, candidate: str) -> float:
        return self.weights[criterion] * self.scores[criterion][candidate].score

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SCORECARD_FORMAT,
            "inputs": dict(self.inputs),
            "candidates": list(self.candidates),
            "weights": dict(self.weights),
            "scores": {
                criterion: {candidate: s.to_json() for candidate, s in per.items()}
                for criterion, per in self.scores.items()
            },
            "totals": dict(self.totals),
            "ranking": list(self.ranking),
            "margin": self.margin if math.isfinite(self.margin) else None,
            "near_tie": self.near_tie,
            "confidence": self.confidence,
            "robustness": {
                "one_at_a_time": [
                    {"criterion": f.criterion, "change": f.change, "new_leader": f.new_leader} for f in self.flips
                ],
                "perturbation": PERTURBATION,
                "samples": PERTURBATION_SAMPLES,
                "kept_first": self.kept_under_perturbation,
                "rank_correlation": self.rank_correlation,
                "plausible": [
                    {"criterion": p.flip.criterion, "share": p.share, "new_share": p.new_share}
                    for p in self.plausible_flips
                ],
            },
            "answer_flips": [
                {"question": f.question, "value": f.value, "was": f.was, "new_leader": f.new_leader, "margin": f.margin}
                for f in self.answer_flips
            ],
            "tensions": [
                {"id": t.id, "note": t.note, "advice": t.advice, "answers": [list(a) for a in t.answers]}
                for t in self.tensions
            ],
            "combination": (
                {"criteria": list(self.combination.criteria), "sentence": self.combination.sentence}
                if self.combination
                else None
            ),
            "untested_combination": self.untested_combination,
            "caveats": [{"id": c.id, "provisional": c.provisional, "text": c.text} for c in self.caveats],
            "findings": self.findings.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], origin: str = "scorecard") -> Scorecard:
        if data.get("format") != SCORECARD_FORMAT:
            raise ValueError(f"{origin}: 'format' must be {SCORECARD_FORMAT}. Received: {data.get('format')!r}")
        robustness = data["robustness"]
        combination = data.get("combination")
        margin = data.get("margin")
        flips = tuple(
            WeightFlip(str(f["criterion"]), float(f["change"]), str(f["new_leader"]))
            for f in robustness["one_at_a_time"]
        )
        by_criterion = {f.criterion: f for f in flips}
        return cls(
            candidates=tuple(str(c) for c in data["candidates"]),
            weights={str(k): float(v) for k, v in data["weights"].items()},
            scores={
                criterion: {
                    candidate: CriterionScore.from_json(criterion, candidate, s) for candidate, s in per.items()
                }
                for criterion, per in data["scores"].items()
            },
            totals={str(k): float(v) for k, v in data["totals"].items()},
            ranking=tuple(str(c) for c in data["ranking"]),
            margin=float(margin) if margin is not None else math.inf,
            near_tie=bool(data["near_tie"]),
            flips=flips,
            kept_under_perturbation=float(robustness["kept_first"]),
            rank_correlation=float(robustness["rank_correlation"]),
            plausible_flips=tuple(
                PlausibleFlip(by_criterion[str(p["criterion"])], float(p["share"]), float(p["new_share"]))
                for p in robustness["plausible"]
            ),
            answer_flips=tuple(
                AnswerFlip(str(f["question"]), str(f["value"]), str(f["was"]), str(f["new_leader"]), float(f["margin"]))
                for f in data.get("answer_flips") or ()
            ),
            tensions=tuple(
                Tension(
                    str(t["id"]), str(t["note"]), str(t["advice"]), tuple((str(k), str(v)) for k, v in t["answers"])
                )
                for t in data.get("tensions") or ()
            ),
            combination=(
                Combination(tuple(str(c) for c in combination["criteria"]), str(combination["sentence"]))
                if combination
                else None
            ),
            untested_combination=data.get("untested_combination"),
            inputs=dict(data.get("inputs") or {}),
            caveats=tuple(
                Caveat(str(c["id"]), bool(c["provisional"]), str(c["text"])) for c in data.get("caveats") or ()
            ),
            findings=Findings.from_json(data["findings"]),
        )
