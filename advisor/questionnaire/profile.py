"""The questionnaire's record: the weighting rules of knowledge/weights.yaml applied to the answers.

build_profile(answers) -> Profile   (advisor/records/profile.py)
profile_from_json(saved profile.json) -> Profile: its answers kept, its weights derived again
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import knowledge
from advisor.records.answers import Answers
from advisor.records.profile import FiredRule, Profile, Weight, load_criteria


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


def profile_from_json(data: Mapping[str, Any], origin: str) -> Profile:
    """A saved profile read back: its answers with their origins, its weights derived again from today's
    rules, never trusted from disk."""
    return build_profile(Profile.answers_from_json(data, origin))
