"""The "Your model" section: first among the evidence, the backends side by side with their intervals, the routes
for the user's target with their figures or the converter's error, and which scores used the model."""

from __future__ import annotations

from advisor.claims import check
from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.report.own_model import build_own_model_view
from advisor.report.page import render
from advisor.scoring import score
from tests.support import synthetic as s


def run(*extra, target="browser"):
    results = [
        s.speed("torch", "mlp", 20_000),
        s.speed("keras-tensorflow", "mlp", 10_000),
        s.own_model("keras-tensorflow", "fit", 1_000),
        s.own_model("keras-jax", "fit", 2_000, utilisation=0.45),
        s.own_failure("keras-torch", "fit", "net.keras has a Lambda layer, which runs Python code stored in the file"),
        s.own_route(
            "keras-tensorflow",
            "onnx",
            runtime="onnxruntime",
            browser_runtime="onnxruntime-web",
            browser_ok=True,
            browser_max_abs_diff=1e-7,
            browser_call_ms=0.25,
            int8_size_bytes=1024,
            int8_agreement=0.99,
        ),
        s.own_route("keras-tensorflow", "tflite", "failed", error="export failed: ConverterError: op not supported"),
        *extra,
    ]
    evidence = s.with_own_model(s.evidence(*results, models=("mlp",)))
    profile = build_profile(collect_answers(file_values={"deployment_target": target}, use_defaults=True))
    verdicts = check(evidence)
    return profile, evidence, verdicts, score(profile, evidence, verdicts, what_if=False)


def view():
    _, evidence, _, card = run()
    return build_own_model_view(evidence, card.findings.own_model)


def test_the_section_leads_with_the_backends_comparison_on_the_users_model():
    shown = view()
    assert shown.finding.startswith(
        "On your model (net.keras), Keras 3 on JAX trained 2.00× faster than Keras 3 on TensorFlow (95% CI"
    )


def test_each_way_it_trained_is_a_row_with_its_figures_over_processes_and_its_regime():
    rows = {row.framework: row for row in view().rows}
    jax = rows["Keras 3 on JAX"]
    assert (jax.processes, jax.train.split(" ")[0], jax.first_step) == ("3", "2,000", "0.50")
    assert jax.regime == "compute-bound: 45.0% of the matmul peak"
    assert rows["Keras 3 on PyTorch"].status == "failed" and "Lambda layer" in rows["Keras 3 on PyTorch"].reason


def test_the_routes_show_parity_latency_size_and_int8_in_the_targets_runtime_or_the_error():
    routes = {row.route: row for row in view().routes}
    onnx = routes["ONNX, run in ONNX Runtime Web in Chromium"]
    assert (onnx.status, onnx.max_abs_diff, onnx.latency) == ("✓ works", "1.0e-07", "0.25 ms a call (batch of 16)")
    assert (onnx.size, onnx.int8, onnx.int8_agreement) == ("2 KB", "1 KB (50% of float)", "99.0%")
    tflite = routes["TF Lite / LiteRT, run in LiteRT.js in Chromium"]
    assert tflite.status == "✗ failed" and tflite.why == "export failed: ConverterError: op not supported"


def test_the_section_says_which_scores_used_the_model():
    assert view().scoring == (
        "The training speed and memory scores use your model where it was measured (it counts 75%, the reference"
        " models the rest), and the reference models elsewhere."
    )


def test_the_page_shows_the_section_before_the_speed_evidence_and_lists_it_first():
    html = render(*run(), run_dir="RUN")
    assert html.index('id="your-model"') < html.index('id="evidence"')
    assert '<a href="#your-model">Your model</a>' in html
    assert "Evidence: your model, net.keras" in html and "op not supported" in html


def test_a_model_that_could_not_be_measured_anywhere_says_why_first():
    _, evidence, _, card = run()
    failing = s.with_own_model(
        s.evidence(s.own_failure("keras-tensorflow", "fit", "not a Keras model file: net.keras is not a zip"))
    )
    found = score(run()[0], failing, check(failing), what_if=False).findings.own_model
    shown = build_own_model_view(failing, found)
    assert (
        shown.finding == "Your model (net.keras) could not be measured: not a Keras model file: net.keras is not a zip."
    )


def test_a_run_without_the_users_model_has_no_such_section():
    profile, _, _, _ = run()
    plain = s.evidence(s.speed("torch", "mlp", 20_000), s.speed("keras-tensorflow", "mlp", 10_000), models=("mlp",))
    html = render(profile, plain, check(plain), score(profile, plain, check(plain), what_if=False), run_dir="RUN")
    assert 'id="your-model"' not in html and "#your-model" not in html
