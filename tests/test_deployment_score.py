"""The deployment score: the export routes that worked here, weighed for where the user's model must run."""

from __future__ import annotations

import pytest

from advisor.answers import collect_answers
from advisor.deployment_score import deployment_score, path_weights, route_score
from advisor.profile import build_profile
from advisor.scoring import build_scorecard
from tests import synthetic as s

OK = {"reload_ok": True, "max_abs_diff": 1e-7, "size_bytes": 50_000, "export_s": 0.5}


def profile(**answers):
    return build_profile(collect_answers(file_values=answers, use_defaults=True))


def score(results, target):
    scored = deployment_score(results, path_weights(target))
    return None if scored is None else scored[0]


def test_a_working_primary_route_for_the_target_scores_ten():
    assert score([s.export("tensorflow", "tflite", **OK)], "mobile") == pytest.approx(10)


def test_marginal_routes_never_add_up_to_a_primary_one():
    assert route_score([0.5] * 6) < route_score([3.0])
    assert route_score([1.0, 1.0]) == pytest.approx(10 * (1 - (2 / 3) ** 2))


def test_the_same_results_score_by_the_users_deployment_target():
    results = [s.export("keras-tensorflow", "tflite", **OK), s.export("keras-tensorflow", "keras_native", **OK)]
    assert score(results, "mobile") > score(results, "server")


def test_a_failed_export_or_a_reload_that_drifts_counts_as_not_working():
    working = score([s.export("torch", "torch_export", **OK)], "server")
    failed = score([s.export("torch", "torch_export", "failed", error="RuntimeError: boom")], "server")
    drifted = score([s.export("torch", "torch_export", **{**OK, "max_abs_diff": 0.3})], "server")
    assert working == pytest.approx(10) and failed == drifted == 0


def test_an_uninstalled_path_that_would_decide_the_score_leaves_the_framework_to_the_articles():
    results = [
        s.export("keras-tensorflow", "keras_native", **OK),
        s.export("keras-tensorflow", "tflite", "not_installed", install_hint="pip install ai-edge-litert"),
    ]
    assert score(results, "mobile") is None  # LiteRT is the primary mobile route and did not run
    card = build_scorecard(profile(deployment_target="mobile"), s.evidence(*results))
    assert card.scores["deployment"]["keras-tensorflow"].source == "literature"


def test_an_uninstalled_minor_path_is_named_and_not_counted():
    results = [
        s.export("torch", "torch_export", **OK),
        s.export("torch", "onnx", "not_installed", install_hint="pip install onnx"),
    ]
    value, basis, figures = deployment_score(results, path_weights("mobile"))
    assert value == pytest.approx(route_score([2.0]))
    assert "not counted (not installed here): ONNX" in basis and figures["not_run"] == ["onnx"]


def test_the_scorecard_measures_deployment_from_every_variant_that_exported():
    evidence = s.evidence(
        s.export("torch", "torch_export", **OK),
        s.export("tensorflow", "saved_model", **OK),
        s.export("keras-torch", "keras_native", **OK),
        s.export("keras-torch", "weights_h5", **OK),
    )
    card = build_scorecard(profile(deployment_target="server"), evidence)
    deployment = card.scores["deployment"]
    assert {c for c in card.candidates if deployment[c].source == "measured"} == {"torch", "tensorflow", "keras-torch"}
    assert deployment["torch"].score == deployment["tensorflow"].score == pytest.approx(10)
    assert deployment["keras-torch"].score < 10  # a .keras file is a weak route to a server
    assert "weighed for target server" in deployment["keras-torch"].basis
