"""Profile: the answers and the criterion weights they imply, each weight with the rules behind it.

The first record of a run (profile.json), made by the questionnaire stage (advisor/questionnaire/profile.py).
Its weights are re-derived from its answers when read back, never trusted from disk.

Format history:
  advisor-profile/1  answers with their origins, weights with the rules and reasons behind them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import knowledge
from advisor.errors import RecordError
from advisor.records.answers import Answers

PROFILE_FORMAT = "advisor-profile/1"


@dataclass(frozen=True)
class Criterion:
    """A criterion frameworks are scored on, with its base weight and what it means."""

    key: str
    label: str
    base: float
    description: str


@dataclass(frozen=True)
class FiredRule:
    """A weighting rule that matched the answers: what it changed and why."""

    rule_id: str
    reason: str
    adjust: Mapping[str, float]


@dataclass(frozen=True)
class Weight:
    """A criterion's normalised weight, its raw value before normalising, and the rules behind it."""

    criterion: str
    weight: float
    raw: float
    base: float
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    answers: Answers
    weights: Mapping[str, Weight]
    fired_rules: tuple[FiredRule, ...]

    def weight_vector(self) -> dict[str, float]:
        return {key: weight.weight for key, weight in self.weights.items()}

    def raised_by(self, criterion: str) -> list[str]:
        """The reasons of the rules that made this criterion weigh more ("you said X, so Y weighs more")."""
        return [r.reason for r in self.fired_rules if r.adjust.get(criterion, 0) > 0]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PROFILE_FORMAT,
            "answers": self.answers.to_json(),
            "weights": {
                key: {
                    "weight": round(w.weight, 6),
                    "raw": w.raw,
                    "base": w.base,
                    "rules": list(w.rules),
                    "reasons": [rule.reason for rule in self.fired_rules if rule.rule_id in w.rules],
                }
                for key, w in self.weights.items()
            },
            "fired_rules": [
                {"id": rule.rule_id, "reason": rule.reason, "adjust": dict(rule.adjust)} for rule in self.fired_rules
            ],
        }

    @staticmethod
    def answers_from_json(data: Mapping[str, Any], origin: str) -> Answers:
        """A saved profile's answers, with their origins; its weights are the questionnaire's to derive
        again (advisor/questionnaire/profile.py `profile_from_json`), never trusted from disk."""
        if data.get("format") != PROFILE_FORMAT:
            raise RecordError(f"{origin}: 'format' must be {PROFILE_FORMAT}. Received: {data.get('format')!r}")
        return Answers.from_json(data.get("answers") or {}, origin)


def load_criteria() -> dict[str, Criterion]:
    """The criteria, in the order the report lists them."""
    table = knowledge.load("weights")["criteria"]
    return {
        key: Criterion(key=key, label=entry["label"], base=float(entry["base"]), description=entry["description"])
        for key, entry in table.items()
    }
