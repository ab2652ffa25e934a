"""View models of the decision: the pick and its reasons, what would change it, and the MADR record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from advisor.records.answers import questions_by_key
from advisor.records.ledger import load_ledger
from advisor.records.profile import Profile, load_criteria
from advisor.records.scorecard import PERTURBATION, AnswerFlip, Scorecard, Tension
from advisor.report.charts import TradeOffColumn, TradeOffRow, trade_off_chart, variant_series
from probes.evidence import Evidence
from probes.variants import VARIANTS, label

SOURCE_WORDS = {"measured": "measured here", "answers": "your answers", "literature": "articles"}
TRADE_OFF_ROWS = 6  # the heaviest criteria the chart shows a row each; the rest share one row
TRADE_OFF_SHARE = 0.8  # ... fewer when the heaviest already carry this share of the weight
HEADLINES = {
    "provisional": "Provisionally {leader}",
    "clear": "Pick {leader}",
    "lean": "Lean towards {leader}",
    "near tie": "Near tie: {leader} and {runner_up}",
}


@dataclass
class DecisionReason:
    criterion: str
    key: str  # the criterion's key: its claims are grouped under #claims-<key>
    weight_pct: float
    because: list[str]
    leader_score: float
    rival_score: float
    source: str
    measured: bool
    basis: str
    claims: list[str] = field(default_factory=list)


@dataclass
class DecisionView:
    confidence: str
    headline: str
    leader: str
    runner_up: str | None
    margin: float
    kept_pct: float
    rank_correlation: float
    perturbation_pct: float
    reasons: list[DecisionReason]
    tensions: list[Tension]
    combination: str | None
    untested_combination: str | None
    weight_flips: list[dict[str, Any]]
    implausible_flips: int  # one-weight changes that would flip it, but no answers could make
    answer_flips: list[dict[str, str]]
    totals: list[dict[str, Any]]
    trade_off_chart: Markup
    literature_share_pct: float
    change_line: str  # the nearest change that would put another framework first, for the first screen
    caveats: list[str] = field(default_factory=list)  # what the evidence cannot carry, first screen


@dataclass
class MadrOption:
    name: str
    total: float
    pros: list[str]
    cons: list[str]
    chosen: bool


@dataclass
class MadrView:
    context: list[str]
    drivers: list[str]
    options: list[MadrOption]
    decision: str
    confirm: list[str]
    status: str = "proposed"
    extra: dict[str, Any] = field(default_factory=dict)


def _reasons(profile: Profile, scorecard: Scorecard) -> list[DecisionReason]:
    """The (up to) three criteria that add most to the leader's lead over the runner-up."""
    if len(scorecard.ranking) < 2:
        return []
    criteria = load_criteria()
    leader, rival = scorecard.ranking[0], scorecard.ranking[1]
    gain = {c: scorecard.contribution(c, leader) - scorecard.contribution(c, rival) for c in criteria}
    reasons = []
    told: set[str] = set()  # a rule's reason is told once, on the first criterion it raises
    for c in sorted(criteria, key=lambda c: -gain[c])[:3]:
        if gain[c] <= 0:
            break
        s = scorecard.scores[c][leader]
        basis = s.basis
        if s.placement == "articles":
            basis = _cited(s.claims)
        cited = list(s.claims)
        other = scorecard.scores[c][rival]
        if s.placement == "neutral" and other.claims:
            # Nothing speaks to the leader here (a neutral score): the reason is what the articles say
            # against the runner-up, so that is what the page cites, not "no claim or fact".
            basis, cited = f"{label(rival)}: {_cited(other.claims)}", list(other.claims)
        reasons.append(
            DecisionReason(
                criterion=criteria[c].label,
                key=c,
                weight_pct=100 * scorecard.weights[c],
                because=[why for why in profile.raised_by(c) if why not in told and not told.add(why)],
                leader_score=s.score,
                rival_score=scorecard.scores[c][rival].score,
                source=SOURCE_WORDS[s.source],
                measured=s.source == "measured",
                basis=basis,
                claims=cited,
            )
        )
    return reasons


def _cited(claims: Sequence[str]) -> str:
    """'10 claims from the articles', '2 claims and 1 dated fact': what a literature score rests on."""
    facts = sum(1 for c in claims if c.startswith("fact:"))
    n = len(claims) - facts
    parts = [f"{n} claim{'s' if n != 1 else ''} from the articles"] if n else []
    if facts:
        parts.append(f"{facts} dated fact{'s' if facts != 1 else ''}")
    return " and ".join(parts)


def _answer_flip_text(flip: AnswerFlip) -> dict[str, str]:
    question = questions_by_key()[flip.question]
    return {
        "question": question.text,
        "key": flip.question,
        "value": question.words(flip.value),
        "was": question.words(flip.was),
        "new_leader": label(flip.new_leader),
        "margin": f"{flip.margin:.2f}",
    }


def build_decision_view(profile: Profile, evidence: Evidence | None, scorecard: Scorecard) -> DecisionView:
    criteria = load_criteria()
    leader = label(scorecard.leader)
    runner_up = label(scorecard.ranking[1]) if len(scorecard.ranking) > 1 else None
    literature_weight = sum(
        scorecard.weights[c] for c in criteria if scorecard.scores[c][scorecard.leader].source == "literature"
    )
    reasons = _reasons(profile, scorecard)
    plausible = scorecard.plausible_flips
    weight_flips = [
        {
            "criterion": criteria[p.flip.criterion].label,
            "direction": "more" if p.flip.change >= 0 else "less",
            "change_pct": abs(100 * p.flip.change),
            "share_pct": 100 * p.share,
            "new_share_pct": 100 * p.new_share,
            "new_leader": label(p.flip.new_leader),
        }
        for p in plausible[:3]
    ]
    answer_flips = [_answer_flip_text(f) for f in scorecard.answer_flips[:3]]
    return DecisionView(
        confidence=scorecard.confidence,
        headline=HEADLINES[scorecard.confidence].format(leader=leader, runner_up=runner_up),
        caveats=[c.text for c in scorecard.caveats],
        leader=leader,
        runner_up=runner_up,
        margin=scorecard.margin,
        kept_pct=100 * scorecard.kept_under_perturbation,
        rank_correlation=scorecard.rank_correlation,
        perturbation_pct=100 * PERTURBATION,
        reasons=reasons,
        tensions=list(scorecard.tensions),
        combination=scorecard.combination.sentence if scorecard.combination else None,
        untested_combination=scorecard.untested_combination,
        weight_flips=weight_flips,
        implausible_flips=len(scorecard.flips) - len(plausible),
        answer_flips=answer_flips,
        totals=[
            {"label": label(c), "total": scorecard.totals[c], "rank": i + 1} for i, c in enumerate(scorecard.ranking)
        ],
        trade_off_chart=trade_off(scorecard, [r.key for r in reasons]),
        literature_share_pct=100 * literature_weight,
        change_line=_change_line(weight_flips, answer_flips),
    )


def _change_line(weight_flips: Sequence[dict[str, Any]], answer_flips: Sequence[dict[str, str]]) -> str:
    """One sentence for the first screen: the smallest plausible weight change and the first answer that flip it."""
    parts = []
    if weight_flips:
        f = weight_flips[0]
        parts.append(
            f"weighting {f['criterion'].lower()} {f['change_pct']:.0f}% {f['direction']} "
            f"({f['new_share_pct']:.0f}% of the weight instead of {f['share_pct']:.0f}%) would put {f['new_leader']} "
            "first"
        )
    else:
        parts.append("no plausible change of one weight would put another framework first")
    if answer_flips:
        f = answer_flips[0]
        parts.append(f"answering “{f['question']}” with {f['value']} would put {f['new_leader']} first")
    else:
        parts.append("nor would another answer to any one question")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def trade_off(scorecard: Scorecard, also: Sequence[str] = ()) -> Markup:
    """The first screen's chart: what each criterion adds to each framework's total, first place first.

    The heaviest criteria get a row each (at most TRADE_OFF_ROWS, and fewer once they carry
    TRADE_OFF_SHARE of the weight), so do the criteria in `also` (the reasons beside the chart);
    the rest share one row whose bar is the sum of what they add, so each column still adds up
    to the framework's total.
    """
    criteria = load_criteria()
    by_weight = sorted(scorecard.weights, key=lambda c: -scorecard.weights[c])
    shown: list[str] = []
    for c in by_weight:
        if len(shown) >= TRADE_OFF_ROWS or sum(scorecard.weights[k] for k in shown) >= TRADE_OFF_SHARE:
            break
        shown.append(c)
    shown += [c for c in also if c not in shown]
    shown.sort(key=by_weight.index)
    rest = [c for c in by_weight if c not in shown]
    ranking = scorecard.ranking
    rows = [
        TradeOffRow(criteria[c].label, scorecard.weights[c], tuple(scorecard.scores[c][f].score for f in ranking))
        for c in shown
    ]
    if rest:
        weight = sum(scorecard.weights[c] for c in rest)
        scores = tuple(sum(scorecard.contribution(c, f) for c in rest) / weight if weight else 0.0 for f in ranking)
        rows.append(TradeOffRow(f"{len(rest)} other criteria", weight, scores))
    columns = [TradeOffColumn(label(f), scorecard.totals[f], variant_series(f)) for f in ranking]
    return trade_off_chart(
        "The trade-off: what each criterion adds to each framework's total (points of 10, your weights)",
        columns,
        rows,
    )


def build_madr_view(
    profile: Profile,
    evidence: Evidence | None,
    scorecard: Scorecard,
    decision: DecisionView,
    not_measured: int,
    not_measured_probes: Sequence[str] = (),
) -> MadrView:
    """The decision as an architecture decision record (MADR): context, drivers, options, outcome."""
    criteria = load_criteria()
    answers = profile.answers
    context = [
        f"Project “{answers.project_name or 'unnamed'}”: {answers.goal} ({answers.words('goal')}), "
        f"data: {answers.words('data_kind')}, {answers.words('data_size')}.",
        f"The model must run: {answers.words('deployment_target')}; training on {answers.words('hardware')}.",
        f"Deep-learning experience: {answers.words('dl_experience')}; Python: "
        f"{answers.words('python_experience')}; frameworks known: {', '.join(answers.known_frameworks) or 'none'}.",
    ]
    context += [f"Tension: {t.note}" for t in decision.tensions]
    by_weight = sorted(scorecard.weights, key=lambda c: -scorecard.weights[c])
    drivers = []
    for c in by_weight[:5]:
        why = " ".join(profile.raised_by(c))
        drivers.append(f"{criteria[c].label} ({100 * scorecard.weights[c]:.0f}%)" + (f": {why}" if why else ""))
    options = madr_options(scorecard)
    decision_text = (
        f"{decision.headline}: {decision.margin:.2f} points ahead of {decision.runner_up}, first in "
        f"{decision.kept_pct:.0f}% of weightings varied by up to ±{decision.perturbation_pct:.0f}%."
    )
    confirm = []
    budget = evidence.settings.get("budget") if evidence else None
    measured = {r.variant for r in evidence.results if r.ok} if evidence else set()
    unmeasured = [label(c) for c in scorecard.candidates if c not in measured]
    if unmeasured:
        confirm.append(
            f"Measure {', '.join(unmeasured)} too: `advisor advise --budget standard --answers answers.yaml` "
            f"(this run{f' used the {budget} budget' if budget else ' measured nothing'})."
        )
    if not_measured:
        kinds = ", ".join(not_measured_probes)
        confirm.append(
            f"{not_measured} claims from the articles could be checked by a probe ({kinds}) that this run did not "
            "run, or not on every framework the claim names; a run that measures them turns those claims into "
            "verdicts."
        )
    if decision.weight_flips:
        f = decision.weight_flips[0]
        confirm.append(
            f"Ask whether {f['criterion'].lower()} really weighs what it does: {f['change_pct']:.0f}% {f['direction']} "
            f"({f['new_share_pct']:.0f}% of the weight instead of {f['share_pct']:.0f}%) would put {f['new_leader']} "
            "first."
        )
    confirm.append(
        "Run the same command on the machine you will train on; a report from a laptop speaks for the laptop."
    )
    confirm.append(
        f"Train one small model of your own in {decision.leader} this week, starting from its reference script, "
        f"probes/{VARIANTS[scorecard.leader].framework}/reference.py, and note where you got stuck."
    )
    return MadrView(context=context, drivers=drivers, options=options, decision=decision_text, confirm=confirm)


def madr_options(scorecard: Scorecard) -> list[MadrOption]:
    """Each option with its pros and cons on the six heaviest criteria that tell the options apart."""
    criteria = load_criteria()
    by_weight = sorted(scorecard.weights, key=lambda c: -scorecard.weights[c])
    top = [c for c in by_weight[:6] if len({s.score for s in scorecard.scores[c].values()}) > 1]
    options = []
    for candidate in scorecard.ranking:
        pros, cons = [], []
        for c in top:
            scores = [s.score for s in scorecard.scores[c].values()]
            mine = scorecard.scores[c][candidate]
            text = f"{criteria[c].label}: {mine.score:.1f} ({SOURCE_WORDS[mine.source]})"
            if mine.score >= max(scores) - 0.5:
                pros.append(text)
            elif mine.score <= min(scores) + 0.5:
                cons.append(text)
        options.append(
            MadrOption(
                name=label(candidate),
                total=scorecard.totals[candidate],
                pros=pros or ["leads on none of your heaviest criteria"],
                cons=cons or ["trails on none of them"],
                chosen=candidate == scorecard.leader,
            )
        )
    return options


def count_not_measured(verdicts: Sequence) -> int:
    return sum(1 for v in verdicts if v.verdict == "not_measured")


def probes_not_measured(verdicts: Sequence) -> list[str]:
    """The probe kinds behind the claims this run could not check."""
    ledger = load_ledger()
    kinds = {ledger.claim(v.claim_id).test.probe for v in verdicts if v.verdict == "not_measured"}
    return sorted(kinds)
