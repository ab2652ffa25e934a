"""Verdict rules, tested with synthetic evidence in the probes' contract shape (tests/support/synthetic.py)."""

from __future__ import annotations

import pytest

from advisor.claims.rules import check_claim, check_claims, combine
from advisor.records.ledger import load_ledger
from tests.support import synthetic as s


def verdict(claim_id: str, evidence):
    return check_claim(load_ledger().claim(claim_id), evidence)


def test_without_evidence_measurable_claims_are_not_measured_and_the_rest_literature_only():
    for v in check_claims(None):
        claim = load_ledger().claim(v.claim_id)
        if claim.superseded:
            assert v.verdict == "outdated"
        elif claim.test is None:
            assert v.verdict == "literature_only"
        else:
            assert v.verdict == "not_measured"


def test_a_faster_claim_is_confirmed_when_its_interval_excludes_parity():
    evidence = s.evidence(
        *(s.speed(v, m, t) for m in ("mlp", "cnn") for v, t in (("torch", 2000), ("keras-tensorflow", 1000)))
    )
    v = verdict("pytorch-faster-than-keras", evidence)
    assert v.verdict == "confirmed"
    assert "95% CI" in v.findings[0].figure and v.findings[0].values["low"] > 1


def test_a_faster_claim_is_contradicted_when_the_other_framework_is_clearly_faster():
    evidence = s.evidence(
        *(s.speed(v, m, t) for m in ("mlp", "cnn") for v, t in (("torch", 800), ("keras-tensorflow", 1000)))
    )
    assert verdict("pytorch-faster-than-keras", evidence).verdict == "contradicted"


def test_overlapping_timings_are_within_noise():
    evidence = s.evidence(
        *(
            s.speed(v, m, t, spread=0.3)
            for m in ("mlp", "cnn")
            for v, t in (("torch", 1010), ("keras-tensorflow", 1000))
        )
    )
    assert verdict("pytorch-faster-than-keras", evidence).verdict == "within_noise"


def test_faster_on_one_model_and_slower_on_another_is_mixed():
    evidence = s.evidence(
        s.speed("torch", "mlp", 2000),
        s.speed("keras-tensorflow", "mlp", 1000),
        s.speed("torch", "cnn", 500),
        s.speed("keras-tensorflow", "cnn", 1000),
    )
    assert verdict("pytorch-faster-than-keras", evidence).verdict == "mixed"


def test_parity_holds_within_the_tolerance_and_fails_well_outside_it():
    close = s.evidence(*(s.speed(v, m, t) for m in ("mlp", "cnn") for v, t in (("torch", 1030), ("tensorflow", 1000))))
    apart = s.evidence(*(s.speed(v, m, t) for m in ("mlp", "cnn") for v, t in (("torch", 1600), ("tensorflow", 1000))))
    assert verdict("pytorch-and-tensorflow-equally-fast", close).verdict == "confirmed"
    assert verdict("pytorch-and-tensorflow-equally-fast", apart).verdict == "contradicted"


def test_less_training_memory_above_the_library_counts_as_better_memory_whatever_the_import_footprint():
    evidence = s.evidence(
        s.speed("torch", "mlp", 1000, rss_mb=300),
        s.speed("keras-tensorflow", "mlp", 1000, rss_mb=200),  # a lighter library, a heavier model
        s.memory("torch", "mlp", 50),
        s.memory("keras-tensorflow", "mlp", 120),
    )
    v = verdict("pytorch-uses-memory-better", evidence)
    assert v.verdict == "confirmed" and "training memory above the library's footprint" in v.findings[0].figure


def test_memory_is_not_measured_from_peak_rss_alone():
    evidence = s.evidence(
        s.speed("torch", "mlp", 1000, rss_mb=300), s.speed("keras-tensorflow", "mlp", 1000, rss_mb=700)
    )
    assert verdict("pytorch-uses-memory-better", evidence).verdict == "not_measured"


def test_rnn_claims_light_up_only_when_the_rnn_model_is_measured():
    cnn_only = s.evidence(s.speed("torch", "cnn", 1000), s.speed("tensorflow", "cnn", 900))
    with_rnn = s.evidence(s.speed("torch", "rnn", 1500), s.speed("tensorflow", "rnn", 1000), models=("rnn",))
    assert verdict("pytorch-faster-on-rnns", cnn_only).verdict == "not_measured"
    assert verdict("pytorch-faster-on-rnns", with_rnn).verdict == "confirmed"


def test_a_probe_that_did_not_run_is_named_in_the_not_measured_reason():
    v = verdict("keras-training-in-one-call", s.evidence(s.speed("torch", "mlp", 1000)))
    assert v.verdict == "not_measured"
    assert "ease probe did not run" in v.findings[0].figure


def test_a_failed_variant_is_not_measured_with_its_reason():
    failed = s.speed("keras-tensorflow", "mlp", 1000)
    failed = type(failed)("keras-tensorflow", "mlp", "speed", "timeout", "killed after 120 s")
    v = verdict("pytorch-faster-than-keras", s.evidence(s.speed("torch", "mlp", 1000), failed))
    assert v.verdict == "not_measured"
    assert "killed after 120 s" in v.summary()


def test_line_counts_decide_the_conciseness_claims():
    shorter = s.evidence(s.ease("keras-tensorflow", "cnn", train_lines=1), s.ease("torch", "cnn", train_lines=14))
    longer = s.evidence(s.ease("keras-tensorflow", "cnn", train_lines=20), s.ease("torch", "cnn", train_lines=14))
    same = s.evidence(s.ease("keras-tensorflow", "cnn", train_lines=14), s.ease("torch", "cnn", train_lines=14))
    assert verdict("keras-training-in-one-call", shorter).verdict == "confirmed"
    assert verdict("keras-training-in-one-call", longer).verdict == "contradicted"
    assert verdict("keras-training-in-one-call", same).verdict == "within_noise"


def test_pointing_at_the_statement_holding_the_bug_decides_the_debugging_claims():
    results = []
    for bug in s.PLANTED_BUGS:
        results.append(s.debugging("torch", bug, points_at_planted_statement=True))
        results.append(
            s.debugging("keras-tensorflow", bug + "_traced", points_at_planted_statement=bug == "dtype_mismatch")
        )
    v = verdict("keras-hides-the-failing-line", s.evidence(*results))
    assert v.verdict == "confirmed"
    assert "PyTorch 4 of 4" in v.findings[0].figure and "1 of 4" in v.findings[0].figure


def test_keras_default_fit_tracing_contradicts_eager_by_default_while_run_eagerly_shows_the_old_claim_outdated():
    evidence = s.evidence(
        s.debugging("keras-tensorflow", "print_in_forward_traced", print_count=1, steps=20),
        s.debugging("keras-tensorflow", "print_in_forward_eager", print_count=20, steps=20),
    )
    assert verdict("keras-eager-by-default-since-tf2", evidence).verdict == "contradicted"
    outdated = verdict("keras-graph-fixed-in-advance", evidence)
    assert outdated.verdict == "outdated" and outdated.evidence_outcome == "confirmed"


def test_an_export_path_counts_when_it_reloads_with_the_same_outputs():
    good = s.evidence(s.export("torch", "onnx", reload_ok=True, max_abs_diff=1e-7))
    drift = s.evidence(s.export("torch", "onnx", reload_ok=True, max_abs_diff=0.3))
    broken = s.evidence(s.export("torch", "onnx", "failed", error="Unsupported op: aten::foo\nmore lines"))
    missing = s.evidence(s.export("torch", "onnx", "not_installed", install_hint="pip install onnx"))
    assert verdict("pytorch-speaks-onnx", good).verdict == "confirmed"
    assert verdict("pytorch-speaks-onnx", drift).verdict == "contradicted"
    assert "Unsupported op: aten::foo" in verdict("pytorch-speaks-onnx", broken).summary()
    not_measured = verdict("pytorch-speaks-onnx", missing)
    assert not_measured.verdict == "not_measured" and "pip install onnx" in not_measured.summary()


def test_pickled_pytorch_models_needing_their_class_confirm_the_portability_claim():
    evidence = s.evidence(
        s.export("torch", "torch_save_full", "failed", needs_python_class=True, reload_ok=False),
        s.export("keras-tensorflow", "keras_native", needs_python_class=False, reload_ok=True),
    )
    assert verdict("pytorch-pickles-keras-portable-files", evidence).verdict == "confirmed"


def test_a_keras_file_saved_on_pytorch_is_checked_against_the_portability_claim_too():
    evidence = s.evidence(s.export("keras-torch", "keras_native", needs_python_class=False, reload_ok=True))
    findings = {f.subject: f.outcome for f in verdict("pytorch-pickles-keras-portable-files", evidence).findings}
    assert findings["Keras 3 on PyTorch, Keras native (.keras)"] == "confirmed"


def test_keras_on_other_backends_checks_the_superseded_backend_claim():
    evidence = s.evidence(s.speed("keras-torch", "mlp", 1000))
    v = verdict("keras-runs-on-theano-and-cntk", evidence)
    assert v.verdict == "outdated" and v.evidence_outcome == "confirmed"


def test_a_full_run_gives_every_measurable_claim_a_measured_verdict():
    # Names drift between the ledger and the probes would leave claims "not measured" here.
    unmeasured = [
        v.claim_id
        for v in check_claims(s.full_run())
        if load_ledger().claim(v.claim_id).test is not None and not v.measured
    ]
    assert unmeasured == ["keras-in-the-browser", "keras-runs-on-theano-and-cntk"]  # tfjs not installed; no keras-torch


@pytest.mark.parametrize(
    "outcomes, expected",
    [
        ([], "not_measured"),
        (["not_measured"], "not_measured"),
        (["confirmed", "confirmed"], "confirmed"),
        (["confirmed", "within_noise"], "within_noise"),
        (["confirmed", "confirmed", "within_noise"], "confirmed"),
        (["confirmed", "contradicted"], "mixed"),
        (["contradicted", "not_measured"], "contradicted"),
    ],
)
def test_findings_combine_into_one_verdict(outcomes, expected):
    assert combine(outcomes) == expected


def test_a_speed_claim_is_not_checked_on_a_gpu_result_against_a_cpu_result():
    evidence = s.evidence(
        *(s.speed("torch", m, 40_000, device="cuda") for m in ("mlp", "cnn")),
        *(s.speed("keras-tensorflow", m, 1000, device="cpu") for m in ("mlp", "cnn")),
    )
    v = verdict("pytorch-faster-than-keras", evidence)
    assert v.verdict == "not_measured"
    assert v.findings[0].figure == "mlp: PyTorch on the GPU, Keras 3 on TensorFlow on the CPU: not like for like"
    assert v.findings[0].values["devices"] == {"torch": "gpu", "keras-tensorflow": "cpu"}


def test_a_speed_claim_is_checked_where_both_ran_on_one_device_and_set_aside_where_not():
    evidence = s.evidence(
        s.speed("torch", "mlp", 2000, device="cpu"),
        s.speed("keras-tensorflow", "mlp", 1000, device="cpu"),
        s.speed("torch", "cnn", 40_000, device="cuda"),
        s.speed("keras-tensorflow", "cnn", 1000, device="cpu"),
    )
    v = verdict("pytorch-faster-than-keras", evidence)
    assert [(f.values.get("model"), f.outcome) for f in v.findings[:2]] == [
        ("mlp", "confirmed"),
        ("cnn", "not_measured"),
    ]


def test_results_that_recorded_no_device_are_compared_as_before():
    evidence = s.evidence(
        *(s.speed(v, m, t) for m in ("mlp", "cnn") for v, t in (("torch", 2000), ("keras-tensorflow", 1000)))
    )
    evidence_with_one_device = s.evidence(
        *(
            s.speed(v, m, t, device=d)
            for m in ("mlp", "cnn")
            for v, t, d in (("torch", 2000, "cpu"), ("keras-tensorflow", 1000, None))
        )
    )
    assert verdict("pytorch-faster-than-keras", evidence).verdict == "confirmed"
    assert verdict("pytorch-faster-than-keras", evidence_with_one_device).verdict == "confirmed"
