"""The scorecard: visible weighted sums, scores tagged by source, and robustness that is exact."""

from __future__ import annotations

import pytest

from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.records.scorecard import CriterionScore, Scorecard
from advisor.scoring.robustness import one_at_a_time_flips, rank
from probes.evidence import Evidence, ProbeResult
from tests.support.synthetic import scored


def evidence_with(throughput: dict[str, float], rss: dict[str, float] | None = None) -> Evidence:
    results = []
    for variant, value in throughput.items():
        samples = {
            "train_samples_per_s": [value * 0.95, value, value * 1.05],
            "import_s": [1.0],
            "build_s": [0.1],
            "first_step_s": [0.2],
            "peak_rss_mb": [(rss or {}).get(variant, 500.0)],
        }
        results.append(ProbeResult(variant, "cnn", "speed", "ok", None, samples, {}))
    return Evidence("2026-11-23T00:00:00+00:00", {}, {"models": ["cnn"]}, tuple(results))


def default_profile():
    return build_profile(collect_answers(use_defaults=True))


def test_totals_are_the_weighted_sum_of_the_scores():
    card = _toy({"a": 0.75, "b": 0.25}, {"a": {"x": 8, "y": 2}, "b": {"x": 0, "y": 10}})
    assert card.totals == pytest.approx({"x": 6.0, "y": 4.0})  # 0.75*8 + 0.25*0 and 0.75*2 + 0.25*10
    assert card.ranking == ("x", "y") and card.margin == pytest.approx(2.0)


def test_the_scorecard_read_back_from_its_json_is_the_scorecard():
    card = scored(default_profile(), evidence_with({"torch": 1000, "keras-tensorflow": 500}))
    assert card.answer_flips and card.inputs["evidence"]  # the default answers have flips on this evidence
    assert Scorecard.from_json(card.to_json()) == card


def test_without_evidence_every_score_comes_from_the_articles_or_the_answers():
    card = scored(default_profile(), None)
    sources = {s.source for per in card.scores.values() for s in per.values()}
    assert sources == {"literature", "answers"}


def test_measured_speed_gives_the_fastest_ten_and_the_others_their_ratio():
    card = scored(default_profile(), evidence_with({"torch": 1000, "keras-tensorflow": 500}))
    speed = card.scores["training_speed"]
    assert speed["torch"].score == pytest.approx(10)
    assert speed["keras-tensorflow"].score == pytest.approx(5)
    assert speed["torch"].source == "measured"
    assert speed["tensorflow"].source == "literature"  # not measured in this run


def test_lower_memory_scores_higher():
    card = scored(
        default_profile(), evidence_with({"torch": 1, "keras-tensorflow": 1}, {"torch": 800, "keras-tensorflow": 400})
    )
    assert card.scores["memory"]["keras-tensorflow"].score > card.scores["memory"]["torch"].score


def test_a_variant_measured_beyond_the_core_three_becomes_a_candidate():
    card = scored(default_profile(), evidence_with({"torch": 1, "keras-torch": 2}))
    assert "keras-torch" in card.candidates


def _toy(weights, table):
    scores = {c: {f: CriterionScore(c, f, s, "literature", "") for f, s in per.items()} for c, per in table.items()}
    return rank(tuple(next(iter(table.values()))), weights, scores)


def test_each_flip_is_exactly_where_the_leader_changes():
    weights = {"a": 0.5, "b": 0.3, "c": 0.2}
    table = {"a": {"x": 9, "y": 4, "z": 5}, "b": {"x": 3, "y": 9, "z": 5}, "c": {"x": 5, "y": 5, "z": 9}}
    card = _toy(weights, table)
    assert card.leader == "x"
    for flip in card.flips:
        for step, expect_changed in ((0.999, False), (1.001, True)):
            changed = dict(weights)
            changed[flip.criterion] *= 1 + flip.change * step
            again = _toy(changed, table)
            assert (again.leader != "x") is expect_changed


def test_a_near_tie_is_reported_as_such():
    card = _toy({"a": 1.0}, {"a": {"x": 7.0, "y": 6.9}})
    assert card.near_tie
    clear = _toy({"a": 1.0}, {"a": {"x": 9.0, "y": 5.0}})
    assert not clear.near_tie


def test_a_dominant_leader_keeps_first_place_under_every_perturbation():
    card = _toy({"a": 0.5, "b": 0.5}, {"a": {"x": 9, "y": 1}, "b": {"x": 9, "y": 1}})
    assert card.kept_under_perturbation == 1.0
    assert one_at_a_time_flips("x", card.candidates, card.weights, card.scores) == []


def test_scorecard_json_holds_totals_ranking_and_robustness():
    data = scored(default_profile(), None).to_json()
    assert data["format"] == "advisor-scorecard/5"
    assert data["ranking"][0] in data["totals"]
    assert 0 <= data["robustness"]["kept_first"] <= 1


def test_ratio_interval_excludes_one_for_clearly_different_samples():
    from probes.stats import ratio_interval

    fast = [200.0, 205.0, 198.0, 202.0, 199.0, 201.0]
    slow = [100.0, 101.0, 99.0, 102.0, 98.0, 100.5]
    interval = ratio_interval(fast, slow)
    assert interval.low > 1.8 and interval.high < 2.2 and not interval.within_noise


def test_ratio_interval_says_within_noise_when_samples_overlap():
    from probes.stats import ratio_interval

    interval = ratio_interval([100.0, 120.0, 90.0, 110.0, 95.0], [105.0, 98.0, 115.0, 92.0, 101.0])
    assert interval.within_noise


def test_a_lead_that_perturbations_often_overturn_is_a_near_tie():
    card = _toy({"a": 0.5, "b": 0.5}, {"a": {"x": 10.0, "y": 0.0}, "b": {"x": 0.0, "y": 9.4}})
    assert card.margin > 0.25 and card.kept_under_perturbation < 0.6
    assert card.near_tie and card.confidence == "near tie"


def test_a_pick_that_survives_every_perturbation_is_clear():
    card = _toy({"a": 0.5, "b": 0.5}, {"a": {"x": 9, "y": 1, "z": 2}, "b": {"x": 9, "y": 1, "z": 2}})
    assert card.confidence == "clear"
    assert card.rank_correlation == pytest.approx(1.0)


def test_rank_correlation_drops_when_the_order_behind_the_leader_is_unstable():
    card = _toy({"a": 0.5, "b": 0.5}, {"a": {"x": 9, "y": 6, "z": 4}, "b": {"x": 9, "y": 4, "z": 6}})
    assert card.leader == "x" and card.rank_correlation < 1.0


def test_scorecard_json_says_where_each_literature_score_comes_from():
    data = scored(default_profile(), None).to_json()
    ease = data["scores"]["ease_of_use"]["keras-tensorflow"]
    assert ease["source"] == "literature" and "keras-training-in-one-call" in [claim for claim, _ in ease["effects"]]
    assert data["confidence"] in ("clear", "lean", "near tie", "provisional")
    assert "rank_correlation" in data["robustness"]


@pytest.mark.parametrize(("data_kind", "expected_leader"), [("images", "keras-tensorflow"), ("tabular", "torch")])
def test_training_speed_leans_on_the_reference_model_like_the_users_data(data_kind, expected_leader):
    from advisor.scoring.speed import score_training_speed
    from tests.support.synthetic import evidence, speed

    run = evidence(
        speed("torch", "mlp", 200_000),
        speed("keras-tensorflow", "mlp", 100_000),
        speed("torch", "cnn", 5_000),
        speed("keras-tensorflow", "cnn", 11_000),
    )
    profile = build_profile(collect_answers(file_values={"data_kind": data_kind}, use_defaults=True))
    scores = score_training_speed(run, ["torch", "keras-tensorflow"], profile)
    assert max(scores, key=lambda c: scores[c][0]) == expected_leader
    assert "like your data" in scores[expected_leader][1]


def _mixed_devices_run():
    """PyTorch found the GPU; TensorFlow, lacking its CUDA libraries, ran both TensorFlow variants on the CPU."""
    from tests.support.synthetic import evidence, speed

    return evidence(
        *(speed("torch", m, 40_000, rss_mb=2000, device="cuda") for m in ("mlp", "cnn")),
        *(speed("keras-tensorflow", m, 1_000, rss_mb=700, device="cpu") for m in ("mlp", "cnn")),
        *(speed("tensorflow", m, 900, rss_mb=650, device="cpu") for m in ("mlp", "cnn")),
    )


def test_a_gpu_result_is_not_ranked_against_cpu_results():
    card = scored(default_profile(), _mixed_devices_run())
    for criterion in ("training_speed", "startup_time", "memory"):
        scores = card.scores[criterion]
        assert scores["keras-tensorflow"].source == scores["tensorflow"].source == "measured", criterion
        assert scores["torch"].source == "literature", criterion
        assert scores["torch"].basis.startswith(
            "mlp, cnn: not like for like (PyTorch on the GPU, Keras 3 on TensorFlow on the CPU, "
            "TensorFlow (low-level) on the CPU), so only the results on the CPU are ranked"
        )
    speed = card.scores["training_speed"]
    assert speed["keras-tensorflow"].score == pytest.approx(10)
    assert speed["tensorflow"].score == pytest.approx(9)
    assert "only the results on the CPU are ranked" in speed["tensorflow"].basis


def test_two_frameworks_on_different_devices_get_no_measured_score_at_all():
    from tests.support.synthetic import evidence, speed

    run = evidence(
        *(speed("torch", m, 40_000, device="cuda") for m in ("mlp", "cnn")),
        *(speed("keras-tensorflow", m, 1_000, device="cpu") for m in ("mlp", "cnn")),
    )
    card = scored(default_profile(), run)
    assert {s.source for s in card.scores["training_speed"].values()} == {"literature"}


def test_on_a_tie_the_gpu_results_are_the_ones_ranked():
    from advisor.scoring.speed import comparable
    from tests.support.synthetic import evidence, speed

    run = evidence(
        speed("torch", "cnn", 40_000, device="cuda"),
        speed("keras-torch", "cnn", 30_000, device="cuda"),
        speed("keras-tensorflow", "cnn", 1_000, device="cpu"),
        speed("tensorflow", "cnn", 900, device="cpu"),
        models=("cnn",),
    )
    alike, note = comparable(run, "cnn", ["torch", "keras-tensorflow", "tensorflow", "keras-torch"])
    assert alike == {"torch", "keras-torch"}
    assert note.endswith("so only the results on the GPU are ranked")


def test_scores_from_one_device_carry_no_device_note():
    from tests.support.synthetic import evidence, speed

    run = evidence(
        *(speed("torch", m, 2_000, device="cuda") for m in ("mlp", "cnn")),
        *(speed("keras-tensorflow", m, 1_000, device="gpu") for m in ("mlp", "cnn")),
    )
    gpu_trainer = build_profile(collect_answers(flag_values={"hardware": "nvidia_gpu"}, use_defaults=True))
    speed_scores = scored(gpu_trainer, run).scores["training_speed"]
    assert speed_scores["keras-tensorflow"].score == pytest.approx(5)
    assert "like for like" not in speed_scores["torch"].basis
