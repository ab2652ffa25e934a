"""Ease, debugging and deployment scored from this run's probes (advisor/scoring/measured.py), by the rules in
knowledge/measured_scores.yaml: relative to the best candidate measured, with a basis that shows the figures."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

import tests.support.synthetic as s
from advisor.claims.rules import check_claims
from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.records.ledger import load_ledger
from advisor.runs import load_evidence
from advisor.scoring.measured import bug_points, score_debugging, score_deployment, score_ease_of_use
from probes.evidence import EXPORT_PARITY
from probes.facts import DebuggingFacts
from tests.conftest import FIXTURES
from tests.support.synthetic import scored

FIXTURE_EVIDENCE = FIXTURES / "run_quick" / "evidence.json"
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


RUNTIME_FACTS = {  # what a path records when it ran in the runtimes knowledge/export_paths.yaml names for it
    "onnx": {
        "runtime": "onnxruntime",
        "browser_runtime": "onnxruntime-web",
        "browser_ok": True,
        "browser_max_abs_diff": 0.0,
    },
    "tflite": {"runtime": "litert", "browser_runtime": "litert-js", "browser_ok": True, "browser_max_abs_diff": 0.0},
    "executorch": {"runtime": "executorch"},
}
NO_CHROMIUM = {"browser_runtime": "onnxruntime-web", "browser_error": "Chromium not found"}


def _exports(variant, **status):
    """Every path the variant offers (knowledge/export_paths.yaml) working in its runtimes, unless given another status:
    python (reloaded in Python only), not_installed, parity, failed, or a dict of facts to add."""
    paths = {
        "torch": ("state_dict", "torch_save_full", "torchscript", "torch_export", "onnx", "executorch"),
        "keras-tensorflow": ("keras_native", "weights_h5", "saved_model", "tflite", "onnx", "tfjs"),
    }[variant]
    results = []
    for path in paths:
        kind = status.get(path, "ok")
        if isinstance(kind, dict):
            results.append(s.export(variant, path, **{**OK, **kind}))
        elif kind == "ok":
            results.append(s.export(variant, path, **OK, **RUNTIME_FACTS.get(path, {})))
        elif kind == "python":
            results.append(s.export(variant, path, **OK))
        elif kind == "not_installed":
            results.append(s.export(variant, path, "not_installed", install_hint=f"pip install {path}-tools"))
        elif kind == "parity":
            results.append(s.export(variant, path, **{**OK, "max_abs_diff": 10 * EXPORT_PARITY}))
        elif kind == "failed":
            results.append(s.export(variant, path, "failed", error="export failed: unsupported operator"))
    return results


def _paths(variant, target, **status):
    run = s.evidence(*_exports("torch", **status), *_exports("keras-tensorflow", **status))
    return score_deployment(run, ["torch", "keras-tensorflow"], profile(deployment_target=target))[variant]


def test_for_a_server_the_target_decides_which_paths_matter_and_a_python_reload_is_the_test():
    server = _paths("torch", "server", onnx="python", executorch="python")
    assert server[2]["paths"]["torch_export"] == {"status": "works", "weight": 3.0, "credit": 3.0}
    assert server[2]["paths"]["onnx"] == {"status": "works", "weight": 3.0, "credit": 3.0}
    assert server[2]["runtime_rule"] is False and "works: state_dict (1)" in server[1]


def test_for_a_phone_a_path_earns_its_full_weight_only_when_it_ran_in_the_phone_runtime():
    torch = _paths("torch", "mobile")
    assert torch[2]["paths"]["executorch"] == {"status": "works", "weight": 3.0, "credit": 3.0}
    assert torch[2]["paths"]["torchscript"] == {"status": "python_only", "weight": 1.0, "credit": 0.5}
    assert "ran in the target's runtime: ExecuTorch in executorch (3)" in torch[1]


def test_torch_export_alone_is_an_intermediate_format_that_no_phone_runs():
    torch = _paths("torch", "mobile")
    assert torch[2]["paths"]["torch_export"] == {"status": "python_only", "weight": 1.0, "credit": 0.5}
    assert "verified only by a Python reload, so half credit: " in torch[1]
    assert "torch.export (0.5 of 1; no mobile runtime runs this file)" in torch[1]


def test_for_a_browser_onnx_earns_full_weight_only_after_running_in_onnx_runtime_web():
    assert _paths("torch", "browser")[2]["paths"]["onnx"]["credit"] == 3.0
    without = _paths("torch", "browser", onnx=NO_CHROMIUM)
    assert without[2]["paths"]["onnx"] == {"status": "python_only", "weight": 3.0, "credit": 1.5}
    assert "not run in onnxruntime-web: Chromium not found" in without[1]


def test_a_path_that_fails_in_the_target_runtime_counts_nothing_though_python_reloaded_it():
    failed = {"browser_runtime": "onnxruntime-web", "browser_ok": False, "browser_error": "Unsupported op Foo"}
    torch = _paths("torch", "browser", onnx=failed)
    assert torch[2]["paths"]["onnx"]["credit"] == 0
    assert "failed: ONNX (failed in onnxruntime-web: Unsupported op Foo)" in torch[1]
    differs = _paths("torch", "browser", onnx={**RUNTIME_FACTS["onnx"], "browser_max_abs_diff": 0.01})
    assert differs[2]["paths"]["onnx"]["credit"] == 0


def test_a_keras_model_reaches_the_browser_through_litert_js_and_tfjs_untried_earns_a_quarter():
    keras = _paths("keras-tensorflow", "browser", tfjs="not_installed")
    assert keras[2]["paths"]["tflite"] == {"status": "works", "weight": 2.0, "credit": 2.0}
    assert keras[2]["paths"]["tfjs"] == {"status": "not_tried", "weight": 3.0, "credit": 0.75}


def test_a_converter_not_installed_earns_half_its_weight_and_the_basis_says_what_to_install():
    keras = _paths("keras-tensorflow", "server", onnx="not_installed")
    assert keras[2]["paths"]["onnx"] == {"status": "not_tried", "weight": 3.0, "credit": 1.5}
    assert "not tried, so half credit: ONNX (1.5 of 3" in keras[1]
    assert "install: pip install onnx-tools" in keras[1]


def test_for_a_runtime_target_not_trying_a_path_never_beats_a_python_reload():
    keras = _paths("keras-tensorflow", "mobile", tflite="not_installed", onnx="python")
    assert keras[2]["paths"]["tflite"] == {"status": "not_tried", "weight": 3.0, "credit": 0.75}
    assert keras[2]["paths"]["onnx"] == {"status": "python_only", "weight": 2.0, "credit": 1.0}
    assert "not tried, so 0.25 of the weight: TF Lite / LiteRT (0.75 of 3" in keras[1]


@pytest.mark.parametrize("how", ["failed", "parity"])
def test_a_failed_path_counts_nothing_and_the_basis_names_it(how):
    torch = _paths("torch", "server", torch_export=how)
    assert torch[2]["paths"]["torch_export"]["credit"] == 0
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
    evidence = load_evidence(FIXTURE_EVIDENCE)
    card = scored(profile(), replace(evidence, results=tuple(r for r in evidence.results if r.kind == "speed")))
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
