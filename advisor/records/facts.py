"""Dated facts since the articles (knowledge/facts.yaml): what happened to the frameworks after 2019.

The articles say what was true when they were written; these facts, each with its date and the page
it was looked up in, say what has happened since: tools archived or renamed, libraries that dropped a
framework, security advisories on model loading. They are shown apart from the article claims and
from this run's measurements, and they count in the scores the articles feed (knowledge/literature.yaml
`facts`) for the users they bear on. Read and checked here, so a typo fails loudly at load time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import knowledge
from advisor.records.answers import Answers
from advisor.records.ledger import FRAMEWORKS

DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")


@dataclass(frozen=True)
class FactSource:
    url: str
    title: str
    checked: str


@dataclass(frozen=True)
class Fact:
    id: str
    date: str
    frameworks: tuple[str, ...]
    criterion: str
    stance: Mapping[str, int]  # framework -> +1 good for it, -1 bad, 0 neutral
    bears_on: Mapping[str, tuple[str, ...]]  # question key -> the answers it matters to
    text: str
    sources: tuple[FactSource, ...]

    def reasons(self, answers: Answers) -> tuple[tuple[str, str], ...] | None:
        """The user's answers that make this fact theirs ((question key, answer), ...); None: not theirs.

        Every key of `bears_on` must match (TorchServe's archive matters to whoever serves from a
        server, whatever their goal); a fact that names no key bears on everyone: no answers, ().
        """
        found: list[tuple[str, str]] = []
        given_all = answers.values  # bears_on names questions by key, as knowledge/facts.yaml is written
        for key, values in self.bears_on.items():
            given = given_all.get(key)
            given = list(given) if isinstance(given, (list, tuple)) else [given]
            matched = [(key, str(v)) for v in given if v in values]
            if not matched:
                return None
            found += matched
        return tuple(found)


def _check(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ValueError(f"knowledge/facts.yaml: {where}: {message}")


@cache
def load_facts() -> tuple[Fact, ...]:
    """Read and check every fact: a known criterion and framework, a date, questions it bears on, a source."""
    from advisor.records.answers import questions_by_key
    from advisor.records.profile import load_criteria

    criteria, questions = set(load_criteria()), questions_by_key()
    facts: list[Fact] = []
    for raw in knowledge.load("facts")["facts"]:
        where = f"fact {raw.get('id')!r}"
        _check(isinstance(raw.get("id"), str) and raw["id"] not in {f.id for f in facts}, where, "needs a unique 'id'")
        _check(bool(DATE.fullmatch(str(raw.get("date")))), where, "'date' must be YYYY-MM or YYYY-MM-DD")
        _check(raw.get("criterion") in criteria, where, f"criterion must be one of {', '.join(sorted(criteria))}")
        frameworks = tuple(raw.get("frameworks") or ())
        _check(bool(frameworks) and set(frameworks) <= set(FRAMEWORKS), where, f"frameworks must be in {FRAMEWORKS}")
        stance = {str(k): int(v) for k, v in (raw.get("stance") or {}).items()}
        _check(set(stance) <= set(frameworks) and set(stance.values()) <= {-1, 0, 1}, where, "bad 'stance'")
        bears_on = {str(k): tuple(str(v) for v in values) for k, values in (raw.get("bears_on") or {}).items()}
        for key, values in bears_on.items():
            _check(key in questions, where, f"bears_on names unknown question {key!r}")
            allowed = set(questions[key].choices)
            _check(set(values) <= allowed, where, f"bears_on {key} must be among {', '.join(allowed)}")
        sources = tuple(FactSource(str(s["url"]), str(s["title"]), str(s["checked"])) for s in raw.get("source") or ())
        _check(bool(sources) and all(s.url.startswith("https://") for s in sources), where, "needs a source URL")
        facts.append(
            Fact(
                raw["id"],
                str(raw["date"]),
                frameworks,
                raw["criterion"],
                stance,
                bears_on,
                " ".join(str(raw["fact"]).split()),
                sources,
            )
        )
    return tuple(sorted(facts, key=lambda f: f.date))
