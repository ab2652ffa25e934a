"""Contradictory answers: accepted as given, and flagged with advice (rules in knowledge/tensions.yaml)."""

from __future__ import annotations

from typing import Any

import knowledge
from advisor.questionnaire.profile import rule_matches
from advisor.records.answers import Answers
from advisor.records.scorecard import Tension


def find_tensions(answers: Answers) -> tuple[Tension, ...]:
    """Every tension whose condition the answers meet, in the order knowledge/tensions.yaml lists them."""
    found = []
    for entry in knowledge.load("tensions")["tensions"]:
        if rule_matches(entry["when"], answers.values):
            given = tuple((key, _plain(answers.values.get(key))) for key in entry["when"])
            found.append(
                Tension(
                    id=entry["id"],
                    note=" ".join(entry["note"].split()),
                    advice=" ".join(entry["advice"].split()),
                    answers=given,
                )
            )
    return tuple(found)


def _plain(value: Any) -> str:  # an answer's value: one choice, several (multi), or none
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)
