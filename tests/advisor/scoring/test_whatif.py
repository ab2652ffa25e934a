"""What would change the answer: other answers, and Keras 3 on PyTorch where it combines what you weigh."""

from __future__ import annotations

from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.records.scorecard import WeightFlip
from advisor.scoring.robustness import plausible_flips, weight_ranges, weight_share_after
from advisor.scoring.whatif import answer_flips, keras_on_torch, keras_on_torch_untested
from tests.support import synthetic as s
from tests.support.synthetic import scored


def profile(**answers):
    return build_profile(collect_answers(file_values=answers, use_defaults=True))


def test_each_answer_flip_really_changes_the_first_place():
    me = profile()
    card = scored(me, None)
    flips = card.answer_flips
    assert flips and list(flips) == answer_flips(me, card.leader, lambda other: scored(other, None, what_if=False))
    for flip in flips:
        other = profile(**{flip.question: flip.value})
        assert scored(other, None).leader == flip.new_leader != card.leader


def fast_keras_on_torch():
    results = []
    for model in ("mlp", "cnn"):
        results += [
            s.speed("keras-torch", model, 2000),
            s.speed("torch", model, 1900),
            s.speed("keras-tensorflow", model, 900),
        ]
    return s.evidence(*results)


def test_keras_on_pytorch_is_named_when_it_keeps_up_on_everything_the_user_weighs_most():
    me = profile(dl_experience="none", goal="prototype", priority="training_speed")
    card = scored(me, fast_keras_on_torch())
    found = keras_on_torch(card)
    assert found is not None and card.combination == found
    assert "Keras 3 on PyTorch combines what you weigh most" in found.sentence
    assert "measured here" in found.sentence and "Ease of use" in found.criteria


def test_keras_on_pytorch_is_not_praised_without_evidence_of_it():
    card = scored(profile(), s.evidence(s.speed("torch", "mlp", 1000), s.speed("keras-tensorflow", "mlp", 900)))
    assert keras_on_torch(card) is None
    assert "did not measure it" in keras_on_torch_untested(card)


def test_a_weight_changed_alone_takes_its_share_from_the_others():
    weights = {"a": 0.5, "b": 0.25, "c": 0.25}
    assert weight_share_after(weights, "a", 1.0) == 1.0 / 1.5  # doubled: 1.0 of 1.5
    assert weight_share_after(weights, "b", -0.5) == 0.125 / 0.875


def test_every_set_of_answers_gives_each_criterion_a_share_inside_its_range():
    ranges = weight_ranges()
    for answers in (
        {},
        {"dl_experience": "none", "goal": "learn"},
        {"custom_architectures": "many", "goal": "research"},
        {"deployment_target": "mobile", "priority": "deployment"},
        {"priority": "none"},
    ):
        for criterion, weight in scored(profile(**answers)).weights.items():
            low, high = ranges[criterion]
            assert low - 1e-9 <= weight <= high + 1e-9, (answers, criterion)


def test_a_flip_no_answers_could_make_is_no_plausible_weight_change():
    weights = scored(profile()).weights
    criterion = min(weights, key=weights.get)
    absurd = WeightFlip(criterion, 185.32, "torch")  # 18,532% more: seen in a team report
    modest = WeightFlip(criterion, 0.2, "torch")
    kept = plausible_flips([absurd, modest], weights)
    assert [p.flip for p in kept] == [modest]
    assert kept[0].new_share > kept[0].share == weights[criterion] / sum(weights.values())
