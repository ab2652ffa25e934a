"""Ease, debugging and deployment scored from this run's probes (advisor/scoring/measured.py), by the rules in
knowledge/measured_scores.yaml: relative to the best candidate measured, with a basis that shows the figures."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import tests.synthetic as s
from advisor.claims.ledger import load_ledger
from advisor.claims.rules import check_claims
from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.runs import load_evidence
from advisor.scoring.measured import bug_points, score_debugging, score_deployment, score_ease_of_use
from probes.evidence import EXPORT_PARITY
from probes.facts import DebuggingFacts
from tests.synthetic import scored

FIXTURE_EVIDENCE = Path(__file__).parent / "fixtures" / "run_quick" / "evidence.json"
OK = {"reload_ok": True, "max_abs_diff": 0.0, "size_bytes": 50_000}
RAISED = {"exception_type": "RuntimeError", "surfaced_at": "first_step", "names_shapes": True}


def profile(**answers):
    return build_profile(collect_answers(file_values=answers, use_defaults=True))


# --- ease of use


def test_the_shortest_script_with_the_fewest_api_calls_scores_ten_and_the_others_their_ratio():
    run = s.evidence(
        s.ease("torch", "cnn", total_lines=60, api_calls=24, device_statements=4),
        s.ease("keras-tensorflow", "cnn", total_lines=15, api_calls=6, device_statements=0),
        models=("cnn",),
    )
    scores = score_ease_of_use(run, ["torch", "keras-tensorflow"], profile())
    assert scores["keras-tensorflow"][0] == pytest.approx(10)
    assert scores["torch"][0] == pytest.approx(10 * math.sqrt(15 / 60 * 6 / 24))  # geometric mean of the ratios
    assert "60 lines (4 of them device statements), 24 API calls" in scores["torch"][1]


def test_device_statements_are_not_counted_twice():
    run = s.evidence(
        s.ease("torch", "cnn", total_lines=40, api_calls=20, device_statements=5),
        s.ease("keras-tensorflow", "cnn", total_lines=40, api_calls=20, device_statements=0),
        models=("cnn",),
    )
    scores = score_ease_of_use(run, ["torch", "keras-tensorflow"], profile())
    assert scores["torch"][0] == scores["keras-tensorflow"][0] == pytest.approx(10)


@pytest.mark.parametrize(("data_kind", "expected_leader"), [("images", "keras-tensorflow"), ("tabular", "torch")])
def test_ease_leans_on_the_reference_model_like_the_users_data(data_kind, expected_leader):
    run = s.evidence(
        s.ease("torch", "mlp", total_lines=20, api_calls=8),
        s.ease("keras-tensorflow", "mlp", total_lines=40, api_calls=16),
        s.ease("torch", "cnn", total_lines=40, api_calls=16),
        s.ease("keras-tensorflow", "cnn", total_lines=30, api_calls=12),
    )
    scores = score_ease_of_use(run, ["torch", "keras-tensorflow"], profile(data_kind=data_kind))
    assert max(scores, key=lambda c: scores[c][0]) == expected_leader
    assert "like your data" in scores[expected_leader][1]


def test_a_candidate_the_ease_probe_did_not_measure_is_placed_from_the_articles():
    run = s.evidence(
        s.ease("torch", "cnn", total_lines=40, api_calls=20),
        s.ease("keras-tensorflow", "cnn", total_lines=20, api_calls=10),
    )
    ease = scored(profile(), run).scores["ease_of_use"]
    assert ease["keras-tensorflow"].source == "measured" and ease["tensorflow"].source == "literature"
    assert "not measured here" in ease["tensorflow"].basis


# --- debugging


@pytest.mark.parametrize(
    ("bug", "facts", "points"),
    [
        ("wrong_input_size", {**RAISED, "points_at_planted_line": True}, 4 + 1.5 + 2 + 2),
        ("wrong_flatten", {**RAISED, "surfaced_at": "build", "points_at_planted_statement": True}, 4 + 2 + 2 + 1),
        ("wrong_input_size", {**RAISED, "names_shapes": False, "points_at_planted_line": False}, 4 + 1.5),
        (
            "dtype_mismatch",
            {**RAISED, "names_shapes": None, "names_dtypes": True, "surfaced_at": "later_step"},
            4 + 0.5 + 2,
        ),
        ("nan_custom_op", {"surfaced_at": "silent_nan", "first_nan_step": 1}, 2 + 1.5),
        ("nan_custom_op", {"surfaced_at": "silent_nan", "first_nan_step": 5}, 2 + 0.5),
        ("nan_custom_op", {"surfaced_at": "silent_wrong", "outputs_collapsed": True}, 0),
        ("dtype_mismatch", {"surfaced_at": "none", "absorbed": True}, 5),
        ("print_in_forward", {"print_count": 8, "steps": 8}, 10),
        ("print_in_forward", {"print_count": 2, "steps": 8}, 2.5),
        ("print_in_forward", {"print_count": 0, "steps": 8}, 0),
    ],
)
def test_a_planted_bug_earns_points_for_what_the_user_sees(bug, facts, points):
    assert bug_points(bug, DebuggingFacts.from_json(facts))[0] == pytest.approx(points)


def _bugs(variant, **overrides):
    """The four error and NaN bugs surfacing loudly at the planted line, unless overridden per bug."""
    results = []
    for bug in s.PLANTED_BUGS:
        facts = {**RAISED, "points_at_planted_line": True, **overrides.get(bug, {})}
        results.append(s.debugging(variant, bug, **facts))
    return results


def test_the_print_counts_in_the_framework_s_default_mode():
    run = s.evidence(
        *_bugs("torch"),
        *_bugs("keras-tensorflow"),
        s.debugging("torch", "print_in_forward_eager", print_count=8, steps=8),
        s.debugging("torch", "print_in_forward_traced", print_count=1, steps=8),
        s.debugging("keras-tensorflow", "print_in_forward_eager", print_count=8, steps=8),
        s.debugging("keras-tensorflow", "print_in_forward_traced", print_count=1, steps=8),
    )
    scores = score_debugging(run, ["torch", "keras-tensorflow"], profile())
    assert scores["torch"][0] == pytest.approx(10)
    assert scores["keras-tensorflow"][2]["bugs"]["print_in_forward"] == pytest.approx(2.5)  # fit() traces by default
    assert "the print ran 1 times in 8 steps" in scores["keras-tensorflow"][1]


def test_a_framework_that_ran_fewer_bugs_is_compared_on_the_bugs_both_ran():
    silent = {"surfaced_at": "silent_nan", "first_nan_step": 1, "exception_type": None}
    torch = [r for r in _bugs("torch") if r.case != "nan_custom_op"]  # its NaN case crashed: not a result
    run = s.evidence(*torch, *_bugs("keras-tensorflow", nan_custom_op=silent))
    scores = score_debugging(run, ["torch", "keras-tensorflow"], profile())
    assert scores["torch"][0] == scores["keras-tensorflow"][0] == pytest.approx(10)
    assert "left out: nan_custom_op" in scores["keras-tensorflow"][1]
    assert scores["torch"][2]["out_of"] == 30


def test_debugging_is_measured_only_for_the_frameworks_the_probe_ran():
    run = s.evidence(*_bugs("torch"), *_bugs("keras-tensorflow", wrong_flatten={"points_at_planted_line": False}))
    card = scored(profile(), run)
    debugging = card.scores["debugging"]
    assert debugging["torch"].source == debugging["keras-tensorflow"].source == "measured"
    assert debugging["tensorflow"].source == "literature"
    assert debugging["torch"].score > debugging["keras-tensorflow"].score


# --- deployment


def _exports(variant, **status):
    """Every path the variant offers (knowledge/export_paths.yaml) working, unless given another status."""
    paths = {
        "torch": ("state_dict", "torch_save_full", "torchscript", "torch_export", "onnx"),
        "keras-tensorflow": ("keras_native", "weights_h5", "saved_model", "tflite", "onnx", "tfjs"),
    }[variant]
    results = []
    for path in paths:
        kind = status.get(path, "ok")
        if kind == "ok":
            results.append(s.export(variant, path, **OK))
        elif kind == "not_installed":
            results.append(s.export(variant, path, "not_installed", install_hint=f"pip install {path}-tools"))
        elif kind == "parity":
            results.append(s.export(variant, path, **{**OK, "max_abs_diff": 10 * EXPORT_PARITY}))
        elif kind == "failed":
            results.append(s.export(variant, path, "failed", error="export failed: unsupported operator"))
    return results


def test_the_deployment_target_decides_which_export_paths_matter():
    run = s.evidence(*_exports("torch"), *_exports("keras-tensorflow"))
    candidates = ["torch", "keras-tensorflow"]
    mobile = score_deployment(run, candidates, profile(deployment_target="mobile"))
    server = score_deployment(run, candidates, profile(deployment_target="server"))
    assert mobile["keras-tensorflow"][0] == pytest.approx(10)  # TF Lite weighs 3 for phones
    assert mobile["torch"][0] == pytest.approx(10 * 6 / 7.5)
    assert server["torch"][0] == pytest.approx(10)  # torch.export and ONNX weigh 3 for a server
    assert server["keras-tensorflow"][0] == pytest.approx(10 * 8.5 / 9.5)
    assert "phones" in mobile["torch"][1] and "works: state_dict (0.5)" in mobile["torch"][1]


def test_a_converter_not_installed_earns_half_its_weight_and_the_basis_says_what_to_install():
    run = s.evidence(*_exports("torch"), *_exports("keras-tensorflow", tflite="not_installed"))
    scores = score_deployment(run, ["torch", "keras-tensorflow"], profile(deployment_target="mobile"))
    keras = scores["keras-tensorflow"]
    assert keras[2]["points"] == pytest.approx(7.5 - 3 / 2)
    assert keras[2]["paths"]["tflite"] == {"status": "not_tried", "weight": 3.0, "credit": 1.5}
    assert "not tried, so half credit: TF Lite / LiteRT (1.5 of 3" in keras[1]
    assert "install: pip install tflite-tools" in keras[1]


@pytest.mark.parametrize("how", ["failed", "parity"])
def test_a_failed_path_counts_nothing_and_the_basis_names_it(how):
    run = s.evidence(*_exports("torch", torch_export=how), *_exports("keras-tensorflow"))
    scores = score_deployment(run, ["torch", "keras-tensorflow"], profile(deployment_target="server"))
    torch = scores["torch"]
    assert torch[2]["paths"]["torch_export"]["credit"] == 0
    assert torch[2]["points"] == pytest.approx(1 + 0.5 + 2 + 3)
    assert "failed: torch.export (" in torch[1]
    if how == "parity":
        assert "outputs differ by 1.0e-03" in torch[1]


def test_a_framework_whose_export_probe_tried_nothing_takes_its_deployment_score_from_the_articles():
    nothing_tried = s.export("keras-torch", "keras_native", "not_installed", install_hint="pip install keras")
    run = s.evidence(
        *_exports("torch"), *_exports("keras-tensorflow"), s.speed("keras-torch", "cnn", 1000), nothing_tried
    )
    deployment = scored(profile(deployment_target="mobile"), run).scores["deployment"]
    assert deployment["torch"].source == deployment["keras-tensorflow"].source == "measured"
    assert deployment["keras-torch"].source == deployment["tensorflow"].source == "literature"


# --- the default run and the claims


def test_evidence_without_ease_debugging_or_export_leaves_those_criteria_to_the_articles():
    card = scored(profile(), load_evidence(FIXTURE_EVIDENCE))
    for criterion in ("ease_of_use", "debugging", "deployment"):
        assert {s.source for s in card.scores[criterion].values()} == {"literature"}


FRAMEWORK_VARIANT = {"pytorch": "torch", "keras": "keras-tensorflow", "tensorflow": "tensorflow"}


@pytest.mark.parametrize("criterion", ["ease_of_use", "debugging"])
def test_a_confirmed_claim_and_the_measured_scores_agree_in_direction(criterion):
    run = s.full_run()
    card = scored(profile(), run)
    verdicts = {v.claim_id: v.verdict for v in check_claims(run)}
    checked = 0
    for claim in load_ledger().claims:
        if claim.criterion != criterion or verdicts[claim.id] != "confirmed":
            continue
        for favoured in claim.favours:
            for against in claim.against:
                mine, theirs = (card.scores[criterion][FRAMEWORK_VARIANT[f]] for f in (favoured, against))
                if mine.source == theirs.source == "measured":
                    assert mine.score > theirs.score, claim.id
                    checked += 1
    assert checked


def test_one_framework_measured_alone_is_not_the_best_of_anything():
    run = s.evidence(*_bugs("torch"), *_exports("torch"))
    card = scored(profile(), run)
    assert card.scores["debugging"]["torch"].source == "literature"
    assert card.scores["deployment"]["torch"].source == "literature"
