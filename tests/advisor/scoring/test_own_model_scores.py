"""The user's own model in the scores and findings: it decides speed, memory and deployment where two or more
candidates ran it, says so in the basis, and leaves the reference models' scores alone elsewhere."""

from __future__ import annotations

import pytest

from advisor.claims import check
from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.records.findings import Findings
from advisor.records.scorecard import Scorecard
from advisor.scoring import score
from advisor.scoring.own_model import OWN_SHARE, own_model_findings, regime_of
from tests.support import synthetic as s


def profile(**answers):
    return build_profile(collect_answers(file_values=answers, use_defaults=True))


def references():
    return [
        s.speed("torch", "mlp", 20_000),
        s.speed("keras-tensorflow", "mlp", 10_000),
        s.speed("keras-torch", "mlp", 5_000),
        s.memory("torch", "mlp", 60),
        s.memory("keras-tensorflow", "mlp", 120),
        s.memory("keras-torch", "mlp", 240),
    ]


def keras_run(*extra):
    trained = [
        s.own_model("keras-tensorflow", "fit", 1_000, memory_mb=200),
        s.own_model("keras-torch", "fit", 500, memory_mb=400),
        s.own_model("keras-jax", "fit", 2_000, memory_mb=100, utilisation=0.45),
    ]
    return s.with_own_model(s.evidence(*references(), *trained, *extra, models=("mlp",)))


def scores_of(evidence, **answers):
    found = evidence
    return score(profile(**answers), found, check(found), what_if=False)


def test_a_candidate_both_measured_is_scored_three_quarters_on_the_users_model():
    card = scores_of(keras_run())
    tf = card.scores["training_speed"]["keras-tensorflow"]
    # on the user's model it is half the fastest (JAX); on the references half the fastest (PyTorch)
    assert tf.score == pytest.approx(10 * 0.5**OWN_SHARE * 0.5 ** (1 - OWN_SHARE))
    assert tf.basis.startswith("your model (net.keras): 1,000 samples/s, counting 75%; the reference models the rest")


def test_a_candidate_only_the_users_model_measured_is_scored_on_it_alone():
    jax = scores_of(keras_run()).scores["training_speed"]["keras-jax"]
    assert jax.source == "measured" and jax.score == pytest.approx(10.0)
    assert "the reference models did not measure it here" in jax.basis


def test_a_candidate_the_users_model_could_not_run_keeps_its_reference_score():
    with_model = scores_of(keras_run()).scores["training_speed"]["torch"]
    without = scores_of(s.evidence(*references(), models=("mlp",))).scores["training_speed"]["torch"]
    assert (with_model.score, with_model.basis) == (without.score, without.basis)


def test_memory_uses_the_users_model_where_it_was_measured():
    memory = scores_of(keras_run()).scores["memory"]["keras-torch"]
    assert memory.basis.startswith("your model (net.keras): 400 MB training memory above the library")


def test_the_findings_compare_the_backends_on_the_users_model_with_their_intervals():
    found = scores_of(keras_run()).findings.own_model
    assert [(c.a, c.b, round(c.ratio, 2)) for c in found.comparisons] == [
        ("keras-jax", "keras-tensorflow", 2.0),
        ("keras-jax", "keras-torch", 4.0),
    ]
    assert all(c.low <= c.ratio <= c.high and c.processes == (3, 3) and not c.option for c in found.comparisons)
    assert found.scored == ("training_speed", "memory")


def test_each_way_it_trained_is_placed_in_a_regime_by_its_share_of_the_matmul_peak():
    regimes = {(r.variant, r.regime) for r in scores_of(keras_run()).findings.own_model.regimes}
    assert ("keras-jax", "compute-bound") in regimes and ("keras-tensorflow", "overhead-bound") in regimes
    assert (regime_of(0.03), regime_of(0.2), regime_of(0.6)) == ("overhead-bound", "mixed", "compute-bound")


def test_a_pytorch_model_ranks_no_frameworks_and_its_options_are_compared_with_eager():
    trained = [s.own_model("torch", "eager", 1_000), s.own_model("torch", "compile", 1_500)]
    evidence = s.with_own_model(s.evidence(*references(), *trained, models=("mlp",)), "net.py:build", "pytorch")
    card = scores_of(evidence)
    found = card.findings.own_model
    assert [(c.a_case, c.b_case, c.option) for c in found.comparisons] == [("compile", "eager", True)]
    assert found.scored == () and "trained on 1 framework here" in found.not_scored
    assert "your model" not in card.scores["training_speed"]["torch"].basis


def test_the_routes_are_credited_for_the_answers_target_in_its_runtime():
    routes = [
        s.own_route("keras-tensorflow", "onnx", runtime="onnxruntime", browser_runtime="onnxruntime-web",
                    browser_ok=True, browser_max_abs_diff=0.0),
        s.own_route("keras-tensorflow", "tflite", runtime="litert", browser_runtime="litert-js",
                    browser_ok=False, browser_error="Unsupported op"),
        s.own_route("keras-torch", "onnx", "failed", error="export failed: TorchExportError: no"),
    ]  # fmt: skip
    card = scores_of(keras_run(*routes), deployment_target="browser")
    found = {(r.variant, r.path): r for r in card.findings.own_model.routes}
    assert found[("keras-tensorflow", "onnx")].status == "works"
    assert found[("keras-tensorflow", "onnx")].runtime == "onnxruntime-web"
    assert (
        found[("keras-tensorflow", "tflite")].status == "failed"
        and "Unsupported op" in found[("keras-tensorflow", "tflite")].why
    )
    assert found[("keras-torch", "onnx")].why == "export failed: TorchExportError: no"
    assert "deployment" in card.findings.own_model.scored
    assert card.scores["deployment"]["keras-tensorflow"].basis.startswith("your model (net.keras): 3 of 5 route points")


def test_no_users_model_no_finding_and_the_findings_json_is_as_before():
    card = scores_of(s.evidence(*references(), models=("mlp",)))
    assert card.findings.own_model is None and "own_model" not in card.findings.to_json()


def test_the_users_model_findings_survive_the_scorecards_json():
    card = scores_of(keras_run(s.own_route("keras-tensorflow", "onnx", runtime="onnxruntime")))
    again = Scorecard.from_json(card.to_json())
    assert again.findings.own_model == card.findings.own_model
    assert Findings.from_json(card.findings.to_json()) == card.findings


def test_a_run_without_the_users_model_has_no_findings_of_it():
    assert own_model_findings(s.evidence(*references()), "none", ()) is None
