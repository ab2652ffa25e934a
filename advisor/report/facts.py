"""View model of "What changed since the articles": the dated facts, those bearing on this user first.

Each fact shows its date, what happened, whom it is good or bad for, the pages it was looked up in
(addresses as text without their scheme: the report links to, and loads, nothing outside itself,
and tests/project/test_privacy.py holds it to having no "http" in it at all) and whether it counted in this
user's scores. A fact counts only where a candidate's score came from the literature; where this
run measured the criterion, the measurement decides and the fact is shown for the record.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from advisor.records.answers import Answers, questions_by_key
from advisor.records.facts import load_facts
from advisor.records.ledger import load_ledger
from advisor.records.profile import load_criteria
from advisor.records.scorecard import Scorecard

FRAMEWORK_NAMES = {"pytorch": "PyTorch", "keras": "Keras", "tensorflow": "TensorFlow"}


@dataclass(frozen=True)
class FactRow:
    id: str
    date: str
    text: str
    criterion: str
    good_for: str
    bad_for: str
    why_yours: str  # the answers that make it bear on this user; empty when it does not
    counted: bool  # it moved at least one of this user's scores
    sources: list[dict[str, str]]


@dataclass(frozen=True)
class FactsView:
    yours: list[FactRow]
    others: list[FactRow]
    checked: str  # the date the sources were looked up
    articles_years: str  # "2018 to 2020": the years the articles give or cite

    @property
    def total(self) -> int:
        return len(self.yours) + len(self.others)

    @property
    def yours_by_reason(self) -> list[tuple[str, list[FactRow]]]:
        """The user's facts under the answers that make them bear on the user, in the order first met:
        the page says "through your answer to ..." once a group, not once a fact."""
        groups: dict[str, list[FactRow]] = {}
        for fact in self.yours:
            groups.setdefault(fact.why_yours, []).append(fact)
        return list(groups.items())

    @property
    def others_by_criterion(self) -> list[tuple[str, int]]:
        """The facts for other answers, counted per criterion, most first: the page names them, not each."""
        return Counter(fact.criterion for fact in self.others).most_common()


def _names(stance: Mapping[str, int], sign: int) -> str:
    return ", ".join(FRAMEWORK_NAMES[f] for f, s in stance.items() if s == sign)


def _why_yours(reasons: tuple[tuple[str, str], ...]) -> str:
    """(deployment_target, mobile) in the questionnaire's own words: 'Where must the model run? phones'."""
    questions = questions_by_key()
    return "; ".join(
        f"your answer to “{questions[key].text}”: {questions[key].words(value)}"
        for key, value in reasons
        if key in questions
    )


def _articles_years() -> str:
    years = sorted({int(y) for s in load_ledger().sources.values() for y in re.findall(r"\b(?:19|20)\d\d\b", s.date)})
    return f"{years[0]} to {years[-1]}" if len(years) > 1 else (str(years[0]) if years else "undated")


def build_facts_view(answers: Answers, scorecard: Scorecard) -> FactsView:
    criteria = load_criteria()
    cited = {claim_id for per in scorecard.scores.values() for s in per.values() for claim_id in s.claims}
    yours, others = [], []
    for fact in sorted(load_facts(), key=lambda f: f.date, reverse=True):
        reasons = fact.reasons(answers)  # None: not this user's; (): everyone's
        row = FactRow(
            id=fact.id,
            date=fact.date,
            text=fact.text,
            criterion=criteria[fact.criterion].label,
            good_for=_names(fact.stance, 1),
            bad_for=_names(fact.stance, -1),
            why_yours=_why_yours(reasons or ()),
            counted=f"fact:{fact.id}" in cited,
            sources=[{"title": s.title, "url": s.url.removeprefix("https://")} for s in fact.sources],
        )
        (yours if reasons is not None else others).append(row)
    checked = max((s.checked for f in load_facts() for s in f.sources), default="")
    return FactsView(yours, others, checked, _articles_years())
