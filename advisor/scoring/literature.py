"""Literature scores: what the claims ledger implies for a criterion, citing the claims behind it.

The rules are data (knowledge/literature.yaml): each claim counts with a weight set by its verdict
in this run (a contradicted or outdated claim counts for nothing, an untestable one for less), and
the signed weights become a 0-10 score around a neutral 5.

When some candidates were measured: measured scores are relative (10 is the best framework
measured on this machine) while literature scores sit around 5, so the two scales do not mix. An
unmeasured candidate is therefore *anchored*: it keeps the difference the articles see between it
and the measured candidates, placed on the measured scale. A candidate no claim speaks about gets
the lowest measured score (being untested must never be an advantage), and its basis says so. A claim
that puts frameworks on a par ("PyTorch and TensorFlow train about as fast") takes precedence: the
unmeasured candidate then takes its measured peer's score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import knowledge
from advisor.records.answers import Answers
from advisor.records.facts import Fact, load_facts
from advisor.records.findings import ClaimEffect
from advisor.records.ledger import Claim, load_ledger
from advisor.records.verdicts import Verdict


@dataclass(frozen=True)
class LiteratureScore:
    """A candidate's score on a criterion from the claims alone; None when no claim speaks of it."""

    criterion: str
    candidate: str
    score: float | None
    claims: tuple[tuple[str, float], ...]  # (claim id, signed weight) that went into it
    peers: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (claim id, frameworks it says are on a par)

    @property
    def claim_ids(self) -> tuple[str, ...]:
        return tuple(claim_id for claim_id, _ in self.claims)

    @property
    def sources(self) -> str:
        """What the score rests on, in words: 'the articles', 'dated facts since the articles', or both."""
        facts = any(claim_id.startswith("fact:") for claim_id in self.claim_ids)
        claims = any(not claim_id.startswith("fact:") for claim_id in self.claim_ids)
        if facts and claims:
            return "the articles and dated facts since"
        return "dated facts since the articles" if facts else "the articles"

    @property
    def effects(self) -> tuple[ClaimEffect, ...]:
        return tuple(ClaimEffect(claim_id, weight) for claim_id, weight in self.claims)

    def cited(self) -> str:
        """'keras-easier-first-framework (+0.5), pytorch-... (-0.75)' for a basis sentence."""
        return ", ".join(f"{claim_id} ({weight:+.2g})" for claim_id, weight in self.claims) or "none"

    def counted(self) -> str:
        """'3 claims: 2 for it, 1 against': the claims counted, for a table cell (the claims section lists them)."""
        n, up = len(self.claims), sum(1 for _, weight in self.claims if weight >= 0)
        return f"{n} claim{'s' if n != 1 else ''}: {up} for it, {n - up} against"


@cache
def rules() -> dict[str, Any]:
    return knowledge.load("literature")


def claim_weight(verdict: str) -> float:
    return float(rules()["verdict_weights"][verdict]["weight"])


def verdict_weight(verdict: Verdict | None, framework: str) -> float:
    """How much a claim counts for one framework: by its verdict, except that a partly measured claim
    counts by what was found only for the frameworks its test measured; for the others, it is an
    author's judgement (literature only), so a check of one framework never counts against another."""
    if verdict is None:
        return claim_weight("literature_only")
    if verdict.verdict == "partly_measured":
        from advisor.claims.rules import measured_frameworks

        if framework in measured_frameworks(verdict.findings):
            return claim_weight(verdict.evidence_outcome or "not_measured")
        return claim_weight("literature_only")
    return claim_weight(verdict.verdict)


def framework_of(candidate: str, criterion: str) -> str | None:
    """The framework whose claims a candidate inherits on this criterion (None: no claim applies)."""
    table = rules()
    framework = table["variant_frameworks"].get(candidate)
    if criterion in table["engine_criteria"] and candidate not in table["engine_as_in_articles"]:
        return None
    return framework


def target_factor(claim: Claim, deployment_target: str | None) -> float:
    """How much a claim about particular deployment targets counts for this user's target."""
    if not claim.targets:
        return 1.0
    key = "target_match_factor" if deployment_target in claim.targets else "target_mismatch_factor"
    return float(rules()[key])


def fact_stance(fact: Fact, candidate: str, criterion: str) -> int:
    """+1 when a fact is good for a candidate on this criterion, -1 when bad, 0 when it says nothing.

    A candidate takes the facts about the framework it is written in, and on the engine criteria of
    knowledge/literature.yaml `facts` also those about the engine it runs on; when they pull both
    ways ("TensorFlow's focus narrows, Keras's grows" for Keras on TensorFlow) they cancel out.
    """
    if fact.criterion != criterion:
        return 0
    table = rules()["facts"]
    frameworks = {rules()["variant_frameworks"].get(candidate)}
    if criterion in table["engine_criteria"]:
        frameworks.add(table["variant_engines"].get(candidate))
    total = sum(fact.stance.get(f, 0) for f in frameworks if f)
    return (total > 0) - (total < 0)


def facts_for(answers: Answers) -> tuple[Fact, ...]:
    """The dated facts that bear on this user (knowledge/facts.yaml `bears_on`)."""
    return tuple(f for f in load_facts() if f.reasons(answers) is not None)


def literature_score(
    criterion: str,
    candidate: str,
    claims: Sequence[Claim],
    verdicts: Mapping[str, Verdict],
    deployment_target: str | None = None,
    facts: Sequence[Fact] = (),
) -> LiteratureScore:
    """A candidate's score on a criterion from the claims (by their verdicts) and the facts bearing on the user."""
    table = rules()
    framework = framework_of(candidate, criterion)
    cited: list[tuple[str, float]] = []
    peers: list[tuple[str, tuple[str, ...]]] = []
    for claim in claims:
        if claim.criterion != criterion or framework is None:
            continue
        weight = verdict_weight(verdicts.get(claim.id), framework)
        weight *= target_factor(claim, deployment_target)
        if framework in claim.alike and weight > 0:
            peers.append((claim.id, tuple(f for f in claim.alike if f != framework)))
        if claim.stance(framework) and weight > 0:
            cited.append((claim.id, claim.stance(framework) * weight))
    for fact in facts:
        stance = fact_stance(fact, candidate, criterion)
        if stance:
            cited.append((f"fact:{fact.id}", stance * float(table["facts"]["weight"])))
    total = sum(abs(w) for _, w in cited)
    if not cited or total == 0:
        return LiteratureScore(criterion, candidate, None, tuple(cited), tuple(peers))
    net = sum(w for _, w in cited)
    score = float(table["neutral"]) + float(table["spread"]) * net / (total + float(table["prior"]))
    return LiteratureScore(criterion, candidate, score, tuple(cited), tuple(peers))


def literature_scores(
    candidates: Sequence[str],
    verdicts: Sequence[Verdict],
    criteria: Sequence[str],
    answers: Answers | None = None,
) -> dict[str, dict[str, LiteratureScore]]:
    """criterion -> candidate -> literature score, from the whole ledger, this run's verdicts and the
    dated facts that bear on the user's answers (none without answers)."""
    claims, facts = load_ledger().claims, facts_for(answers) if answers is not None else ()
    by_id = {v.claim_id: v for v in verdicts}
    target = answers.deployment_target if answers is not None else None
    return {c: {cand: literature_score(c, cand, claims, by_id, target, facts) for cand in candidates} for c in criteria}


@dataclass(frozen=True)
class Placed:
    """A literature-based score as the scorecard uses it, with the sentence that explains it, in full
    and in a table cell's words (`short`: the claims counted instead of listed)."""

    score: float
    basis: str
    figures: Mapping[str, Any]
    effects: tuple[ClaimEffect, ...]
    placement: str  # advisor/records/scorecard.py PLACEMENTS
    short: str = ""  # "": the basis itself

    @property
    def claims(self) -> tuple[str, ...]:
        return tuple(effect.claim for effect in self.effects)


def place(
    literature: Mapping[str, LiteratureScore], measured: Mapping[str, float], candidate: str, label: str
) -> Placed:
    """The score an unmeasured candidate gets on a criterion, anchored to the measured ones if any."""
    mine = literature[candidate]
    neutral = float(rules()["neutral"])
    if not measured:
        if mine.score is None:
            basis = f"neither the articles nor the dated facts speak to {label} here: neutral {neutral:g}"
            return Placed(neutral, basis, {}, (), "neutral", f"no claim or fact: neutral {neutral:g}")
        source = "" if mine.sources == "the articles" else f"from {mine.sources} "
        return Placed(
            mine.score,
            f"from {mine.sources} (claims: {mine.cited()})",
            {"literature": round(mine.score, 3)},
            mine.effects,
            "articles",
            f"{source}({mine.counted()})",
        )
    anchor = sum(measured.values()) / len(measured)
    for claim_id, alike in mine.peers:
        peers = [m for m in measured if framework_of(m, mine.criterion) in alike]
        if peers:
            score = sum(measured[m] for m in peers) / len(peers)
            from probes.variants import label as variant_label

            names = " and ".join(variant_label(m) for m in peers)
            basis = (
                f"not measured here; the articles put it on a par with {names} (claim: {claim_id}), "
                f"so it takes the measured {score:.1f}"
            )
            peer = {"peer": peers, "peer_score": round(score, 3)}
            return Placed(score, basis, peer, (ClaimEffect(claim_id, 0.0),), "peer")
    if mine.score is None:
        lowest = min(measured.values())
        return Placed(
            lowest,
            f"not measured here and no claim or fact speaks to it: given the lowest measured score, {lowest:.1f}, "
            "so being untested is no advantage",
            {"anchor": round(lowest, 3)},
            (),
            "lowest",
        )
    theirs = {m: literature[m].score if literature[m].score is not None else neutral for m in measured}
    offset = mine.score - sum(theirs.values()) / len(theirs)
    score = min(10.0, max(0.0, anchor + offset))
    said = (  # "anchored" (the page's word for this) says the rest: the articles' difference on this run's scale
        f"not measured here; {mine.sources} put it {offset:+.1f} from the measured frameworks' average "
        f"{anchor:.1f} on this run's scale"
    )
    basis, short = f"{said} (claims: {mine.cited()})", f"{said} ({mine.counted()})"
    figures = {"literature": round(mine.score, 3), "offset": round(offset, 3), "anchor": round(anchor, 3)}
    kept = keep_articles_order(score, mine.score, theirs, measured)
    if kept != score:
        held = f"; held at {kept:.1f} so that it stays where the articles put it against the measured frameworks"
        basis, short = basis + held, short + held
        figures["order_kept"] = round(kept, 3)
    return Placed(kept, basis, figures, mine.effects, "anchored", short)


def keep_articles_order(score: float, mine: float, theirs: Mapping[str, float], measured: Mapping[str, float]) -> float:
    """The anchored score, moved just enough to keep the articles' order against each measured framework.

    Anchoring around the measured average keeps the articles' offset but not always their order: when
    the measured scores are closer together than the articles' scores, a framework the articles rate
    below a measured one could land above it. Between the highest measured score of those the articles
    rate lower and the lowest of those they rate higher; unchanged when the measurements themselves
    reverse the articles' order (no such interval).
    """
    floor = max((measured[m] for m, lit in theirs.items() if lit < mine), default=0.0)
    ceiling = min((measured[m] for m, lit in theirs.items() if lit > mine), default=10.0)
    if floor > ceiling:
        return score
    return min(ceiling, max(floor, score))
