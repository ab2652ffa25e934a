"""Weights follow from the answers by readable rules, and every change has its reason."""

from __future__ import annotations

import pytest

from advisor.questionnaire.profile import build_profile, profile_from_json
from advisor.questionnaire.questions import collect_answers
from advisor.records.profile import Profile, load_criteria


def profile_for(**values) -> Profile:
    return build_profile(collect_answers(file_values=values, use_defaults=True))


def test_weights_cover_every_criterion_and_sum_to_one():
    profile = profile_for()
    assert set(profile.weights) == set(load_criteria())
    assert sum(profile.weight_vector().values()) == pytest.approx(1.0)


def test_a_beginner_weighs_ease_of_use_more_than_an_expert():
    beginner = profile_for(dl_experience="none", priority="community")
    expert = profile_for(dl_experience="expert", priority="community")
    assert beginner.weights["ease_of_use"].weight > expert.weights["ease_of_use"].weight


def test_research_with_custom_architectures_weighs_flexibility_most():
    profile = profile_for(goal="research", custom_architectures="many", priority="flexibility")
    weights = profile.weight_vector()
    assert max(weights, key=weights.get) == "flexibility"


def test_a_mobile_target_raises_deployment_with_a_reason():
    none = profile_for(deployment_target="none")
    mobile = profile_for(deployment_target="mobile")
    assert mobile.weights["deployment"].weight > none.weights["deployment"].weight
    assert "deploys-to-device" in mobile.weights["deployment"].rules
    assert any("phone" in rule.reason for rule in mobile.fired_rules)


def test_knowing_a_framework_turns_on_familiarity():
    assert "knows-frameworks" in profile_for(known_frameworks=["pytorch"]).weights["familiarity"].rules
    assert profile_for(known_frameworks=[]).weights["familiarity"].rules == ()


def test_no_weight_falls_below_the_floor():
    profile = profile_for(dl_experience="expert", goal="learn")
    assert min(w.raw for w in profile.weights.values()) >= 0.1


def test_profile_round_trips_through_json():
    profile = profile_for(goal="product", deployment_target="browser")
    again = profile_from_json(profile.to_json(), "profile.json")
    assert again.weight_vector() == pytest.approx(profile.weight_vector())
    assert again.answers.values == profile.answers.values
