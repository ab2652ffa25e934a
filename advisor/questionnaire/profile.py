"""Profile: the answers and the criterion weights they imply, each weight with the rules behind it.

The first record of a run (profile.json). Its weights are re-derived from its answers when read
back, never trusted from disk.

Format history:
  advisor-profile/1  answers with their origins, weights with the rules and reasons behind them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import knowledge
from advisor.errors import RecordError
from advisor.questionnaire.questions import Answers

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

    @classmethod
    def from_json(cls, data: Mapping[str, Any], origin: str) -> Profile:
        """Rebuild a profile from its saved answers: weights are re-derived, never trusted from disk."""
        if data.get("format") != PROFILE_FORMAT:
            raise RecordError(f"{origin}: 'format' must be {PROFILE_FORMAT}. Received: {data.get('format')!r}")
        return build_profile(Answers.from_json(data.get("answers") or {}, origin))


def load_criteria() -> dict[str, Criterion]:
    """The criteria, in the order the report lists them."""
    table = knowledge.load("weights")["criteria"]
    return {
        key: Criterion(key=key, label=entry["label"], base=float(entry["base"]), description=entry["description"])
        for key, entry in table.items()
    }


def rule_matches(when: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """True when every condition of a rule holds for the answers (see knowledge/weights.yaml)."""
    for key, expected in when.items():
        actual = values.get(key)
        if isinstance(expected, Mapping):
            if "contains" in expected and expected["contains"] not in (actual or []):
                return False
            if "nonempty" in expected and bool(actual) != bool(expected["nonempty"]):
                return False
        elif isinstance(expected, list):
            if actual not in expected:
                return False
        elif actual != expected:
            return False
    return True


def build_profile(answers: Answers) -> Profile:
    """Apply the weighting rules to the answers and normalise the weights to sum to 1."""
    table = knowledge.load("weights")
    criteria = load_criteria()
    floor = float(table.get("floor", 0.1))
    raw = {key: criterion.base for key, criterion in criteria.items()}
    contributors: dict[str, list[str]] = {key: [] for key in criteria}
    fired: list[FiredRule] = []
    for rule in table["rules"]:
        if not rule_matches(rule["when"], answers.values):
            continue
        adjust = {key: float(amount) for key, amount in rule["adjust"].items()}
        for key, amount in adjust.items():
            if key not in raw:
                raise ValueError(f"knowledge/weights.yaml: rule {rule['id']} adjusts unknown criterion {key}")
            raw[key] += amount
            contributors[key].append(rule["id"])
        fired.append(FiredRule(rule_id=rule["id"], reason=rule["reason"], adjust=adjust))
    clamped = {key: max(value, floor) for key, value in raw.items()}
    total = sum(clamped.values())
    weights = {
        key: Weight(
            criterion=key,
            weight=clamped[key] / total,
            raw=round(clamped[key], 6),
            base=criteria[key].base,
            rules=tuple(contributors[key]),
        )
        for key in criteria
    }
    return Profile(answers=answers, weights=weights, fired_rules=tuple(fired))
