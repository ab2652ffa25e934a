"""Speed findings: a minimum effect size, the regime of each result, the experts' settings that change the lead,
and the model size that decides which workload weighs."""

from __future__ import annotations

from dataclasses import replace

from advisor.claims.rules import check_claim
from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.records.findings import SpeedFindings
from advisor.records.ledger import load_ledger
from advisor.report.speed import comparison_sentence
from advisor.scoring.relative import model_weights
from advisor.scoring.speed import speed_findings
from probes.kinds.speed import with_utilisation
from probes.stats import MIN_EFFECT
from tests.support import synthetic as s


def profile(**answers):
    return build_profile(collect_answers(file_values=answers, use_defaults=True))


def test_a_gap_below_the_minimum_effect_size_is_about_the_same_however_tight_its_interval():
    close = 1000 * (MIN_EFFECT - 0.02)  # 3% apart, windows within 0.1%: an interval that excludes 1
    evidence = s.evidence(
        *(
            s.speed(v, m, t, spread=0.001)
            for m in ("mlp", "cnn")
            for v, t in (("torch", close), ("keras-tensorflow", 1000))
        )
    )
    comparison = speed_findings(evidence).of_model("cnn")[0]
    assert comparison.low > 1 and comparison.negligible and comparison.about_the_same
    assert check_claim(load_ledger().claim("pytorch-faster-than-keras"), evidence).verdict == "within_noise"
    assert "about the same speed" in comparison_sentence(comparison)


def test_a_gap_above_the_minimum_effect_size_with_a_tight_interval_is_a_difference():
    evidence = s.evidence(
        *(s.speed(v, "cnn", t, spread=0.001) for v, t in (("torch", 1200), ("keras-tensorflow", 1000)))
    )
    comparison = speed_findings(evidence).of_model("cnn")[0]
    assert not comparison.about_the_same
    assert "faster than" in comparison_sentence(comparison)


def test_an_expert_setting_that_outruns_the_framework_its_default_trails_says_so():
    evidence = s.evidence(
        s.speed("torch", "cnn", 700),
        s.speed("keras-tensorflow", "cnn", 1000),
        s.speed("torch-expert", "cnn", 1400),
    )
    switch = next(c for c in speed_findings(evidence).of_model("cnn") if c.option)
    assert (switch.a, switch.b, switch.overtakes) == ("torch-expert", "torch", ("keras-tensorflow",))


def test_a_framework_level_with_the_default_is_not_one_the_setting_overtakes():
    evidence = s.evidence(
        s.speed("torch", "cnn", 1000), s.speed("keras-torch", "cnn", 1010), s.speed("torch-expert", "cnn", 1400)
    )
    switch = next(c for c in speed_findings(evidence).of_model("cnn") if c.option)
    assert switch.overtakes == ()  # a 1% lead before is no lead to change


def test_an_expert_setting_that_stays_behind_overtakes_no_one():
    evidence = s.evidence(
        s.speed("torch", "cnn", 700), s.speed("keras-tensorflow", "cnn", 1000), s.speed("torch-expert", "cnn", 900)
    )
    switch = next(c for c in speed_findings(evidence).of_model("cnn") if c.option)
    assert switch.overtakes == ()


def test_each_measured_result_carries_its_regime_into_the_findings_and_back():
    result = s.speed("torch", "resnet", 100)
    result = replace(result, samples={**result.samples, "achieved_gflops": [40.0, 42.0]})
    measured = with_utilisation(result, {"gflops": 100.0, "device": "cpu"})
    found = speed_findings(s.evidence(measured, models=("resnet",)))
    regime = found.regime("torch", "resnet")
    assert regime is not None and regime.regime == "compute-bound"
    assert SpeedFindings.from_json(found.to_json()) == found


def test_a_small_model_weighs_the_overhead_probes_and_a_resnet_sized_one_the_realistic_workloads():
    models = ["cnn", "resnet"]
    small, medium = model_weights(models, profile(model_size="small")), model_weights(models, profile())
    assert small["cnn"] > small["resnet"]
    assert medium["resnet"] > medium["cnn"]


def test_with_only_overhead_probes_measured_the_model_size_leaves_their_weights_as_the_data_kind_sets_them():
    models = ["mlp", "cnn"]
    assert (
        model_weights(models, profile(model_size="small"))["cnn"]
        / model_weights(models, profile(model_size="small"))["mlp"]
        == model_weights(models, profile())["cnn"] / model_weights(models, profile())["mlp"]
    )
