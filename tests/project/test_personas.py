"""Personas (tests/personas/*.yaml) on a real saved run: the order each gets and the reasons its report gives."""

from __future__ import annotations

import re

import pytest

from advisor.questionnaire.questions import collect_answers, read_answers_file
from advisor.report.decision import build_decision_view
from advisor.runs import rerender
from tests.conftest import TESTS

PERSONAS = TESTS / "personas"


def advise(saved_run, persona: str):
    path = PERSONAS / f"{persona}.yaml"
    answers = collect_answers(file_values=read_answers_file(path), file_origin=str(path), use_defaults=True)
    run = rerender(saved_run, answers)
    decision = build_decision_view(run.profile, run.evidence, run.scorecard)
    return run, decision, run.folder.report.read_text(encoding="utf-8")


def first_screen(html: str) -> str:
    return html.split('id="what-would-change"', 1)[0]


def test_the_beginner_gets_keras_for_ease_of_use_and_learning_material(saved_run):
    run, decision, html = advise(saved_run, "beginner-first-model")
    assert run.scorecard.ranking == ("keras-tensorflow", "torch", "tensorflow")
    assert run.scorecard.confidence == "clear"
    reasons = [r.criterion for r in decision.reasons]
    assert reasons[0] == "Ease of use" and "Community and learning resources" in reasons
    assert "Pick Keras 3 on TensorFlow" in first_screen(html)
    assert "You are new to deep learning, so a concise API" in first_screen(html)


def test_the_researcher_gets_pytorch_for_debugging_and_flexibility(saved_run):
    run, decision, html = advise(saved_run, "researcher-dynamic-models")
    assert run.scorecard.leader == "torch"
    assert run.scorecard.confidence == "clear"
    assert {"Debugging", "Flexibility and dynamic graphs"} <= {r.criterion for r in decision.reasons}
    assert "Pick PyTorch" in first_screen(html)
    assert "You do research, so custom models and debugging them weigh more." in html


def test_the_mobile_team_gets_the_tensorflow_family_with_deployment_weighing_most(saved_run):
    run, decision, html = advise(saved_run, "mobile-team")
    card = run.scorecard
    assert card.leader == "keras-tensorflow"
    assert max(card.weights, key=card.weights.get) == "deployment"
    deployment = card.scores["deployment"]
    assert "keras-mobile-routes" in deployment["keras-tensorflow"].claims
    assert deployment["keras-tensorflow"].score > deployment["torch"].score
    assert deployment["tensorflow"].score > deployment["torch"].score
    # what changed since the articles counts too: tf.lite is leaving TensorFlow for LiteRT
    assert "fact:tf-lite-leaves-tensorflow" in deployment["tensorflow"].claims
    assert "The model must run on a phone, in a browser or on a device" in html


def test_contradictory_answers_are_accepted_and_flagged_beside_the_recommendation(saved_run):
    run, decision, html = advise(saved_run, "contradictory-learner")
    assert {t.id for t in decision.tensions} >= {"beginner-building-new-architectures", "learner-shipping-to-devices"}
    assert "Your answers pull in different directions" in html
    assert html.index("Your answers pull in different directions") < html.index('id="what-would-change"')
    assert run.scorecard.leader in run.scorecard.candidates  # still a recommendation


@pytest.mark.parametrize("persona", sorted(p.stem for p in PERSONAS.glob("*.yaml")))
def test_every_persona_s_report_says_why_each_weight_moved(saved_run, persona):
    run, _, html = advise(saved_run, persona)
    for rule in run.profile.fired_rules:
        assert rule.reason.replace("'", "&#39;") in html
    assert re.search(r"Weighted totals", html)


def test_a_gpu_trainer_measured_on_a_laptop_cpu_is_told_on_the_first_screen_and_weighed_less(saved_run):
    run, decision, html = advise(saved_run, "gpu-trainer-on-a-laptop")
    card = run.scorecard
    assert "hardware_mismatch" in [c.id for c in card.caveats]
    assert "You train on an NVIDIA GPU, but this run measured on this machine&#39;s CPU" in first_screen(html)
    assert "advisor probe --out target-run" in first_screen(html)
    speed = card.scores["training_speed"]["keras-tensorflow"]
    assert speed.figures["measured_share"] == round(1 / 3, 3)
    expected = speed.figures["measured_score"] / 3 + 2 * speed.figures["articles_score"] / 3
    assert speed.score == pytest.approx(expected, abs=0.01)  # the figures are rounded to 3 places
    assert speed.claims  # the articles it now leans on are cited


def test_a_cpu_trainer_measured_on_a_cpu_gets_the_measurement_in_full(saved_run):
    run, _, html = advise(saved_run, "beginner-first-model")
    assert "hardware_mismatch" not in [c.id for c in run.scorecard.caveats]
    assert "measured_share" not in run.scorecard.scores["training_speed"]["torch"].figures
    assert "this run measured on" not in html
