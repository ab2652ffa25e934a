"""What would change the answer: other answers, and Keras 3 on PyTorch where it combines what you weigh."""

from __future__ import annotations

from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.scoring.scorecard import build_scorecard
from advisor.scoring.whatif import answer_flips, keras_on_torch, keras_on_torch_untested
from tests import synthetic as s


def profile(**answers):
    return build_profile(collect_answers(file_values=answers, use_defaults=True))


def test_each_answer_flip_really_changes_the_first_place():
    me = profile()
    card = build_scorecard(me, None)
    flips = answer_flips(me, None, card)
    assert flips
    for flip in flips:
        other = profile(**{flip.question: flip.value})
        assert build_scorecard(other, None).leader == flip.new_leader != card.leader


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
    card = build_scorecard(me, fast_keras_on_torch())
    found = keras_on_torch(card)
    assert found is not None
    assert "Keras 3 on PyTorch combines what you weigh most" in found.sentence
    assert "measured here" in found.sentence and "Ease of use" in found.criteria


def test_keras_on_pytorch_is_not_praised_without_evidence_of_it():
    card = build_scorecard(
        profile(), s.evidence(s.speed("torch", "mlp", 1000), s.speed("keras-tensorflow", "mlp", 900))
    )
    assert keras_on_torch(card) is None
    assert "did not measure it" in keras_on_torch_untested(card)
