"""The speed protocol: what is timed, how FLOPs and utilisation are counted, and how comparisons read."""

from __future__ import annotations

import sys
import types

import pytest

from advisor.report.speed import build_speed_view, comparison_sentence
from advisor.scoring.speed import compare_speed, speed_findings
from probes.evidence import ProbeResult
from probes.kinds import speed as timing
from probes.kinds.speed import with_utilisation
from probes.specs import MODELS, digits_split, forward_flops, make_data, train_flops
from tests.support.synthetic import evidence as evidence_of


def speed_view(evidence):
    """The speed section as the report builds it, from the evidence and the scorecard's speed findings."""
    return build_speed_view(evidence, speed_findings(evidence))


def compared(model, faster, slower):
    """The sentence the report writes for scoring's comparison of two results."""
    return comparison_sentence(compare_speed(model, faster, slower))


class FakeSession:
    """A session whose steps take a known time, so the protocol's arithmetic can be checked: the first
    `slow_steps` cost more, from twice as much down to the steady cost (a warm-up that fades)."""

    batch_size = 10

    def __init__(self, step_s: float = 0.01, gpu_mb: float | None = None, slow_steps: int = 0, jitter: float = 0.0):
        self.step_s, self.gpu_mb, self.slow_steps, self.jitter = step_s, gpu_mb, slow_steps, jitter
        self.calls: list[tuple[str, int]] = []
        self.done = 0

    def first_step(self) -> float:
        self.calls.append(("first", 1))
        return 0.5

    def steps(self, n: int) -> float:
        self.calls.append(("steps", n))
        extra = (
            sum(max(0.0, 1 - i / self.slow_steps) for i in range(self.done, self.done + n)) if self.slow_steps else 0
        )
        self.done += n
        wobble = 1 + self.jitter * (-1) ** len(self.calls)
        return (n + extra) * self.step_s * wobble

    def infer(self, rows: int) -> float:
        self.calls.append(("infer", rows))
        return 0.001 * rows

    def device_peak_mb(self) -> float | None:
        return self.gpu_mb


SETTINGS = {"warmup_steps": 3, "window_s": 0.1, "windows": 5, "infer_repeats": 4}


def test_the_first_step_is_timed_alone_and_kept_apart_from_the_steady_state():
    session = FakeSession()
    measured = timing.measure_training(session, "mlp", SETTINGS)
    assert session.calls[0] == ("first", 1)
    assert measured["samples"]["first_step_s"] == [0.5]
    assert measured["samples"]["train_samples_per_s"] == [pytest.approx(10 / 0.01)]


def test_a_process_gives_one_steady_state_figure_its_windows_samples_over_their_seconds():
    measured = timing.measure_training(FakeSession(), "mlp", SETTINGS)
    assert len(measured["samples"]["window_samples_per_s"]) == SETTINGS["windows"]
    assert len(measured["samples"]["train_samples_per_s"]) == 1
    assert measured["samples"]["window_iqr_ratio"] == [pytest.approx(0.0)]


def test_warm_up_lasts_until_two_windows_agree_and_says_how_long_it_took():
    quick = timing.measure_training(FakeSession(), "mlp", SETTINGS)
    slow = timing.measure_training(FakeSession(slow_steps=30), "mlp", SETTINGS)  # 30 steps fading from 2x
    assert quick["samples"]["reached_steady_state"] == slow["samples"]["reached_steady_state"] == [1.0]
    assert slow["samples"]["warmup_s"][0] > quick["samples"]["warmup_s"][0]
    assert slow["samples"]["train_samples_per_s"][0] > 0.95 * 1000  # the slow start is not in the timed windows


def test_warm_up_gives_up_at_its_cap_and_records_that_it_did():
    session = FakeSession(jitter=0.2)  # windows alternate 20% either way: never two alike
    measured = timing.measure_training(session, "mlp", SETTINGS)
    assert measured["samples"]["reached_steady_state"] == [0.0]
    half_windows = [n for call, n in session.calls if call == "steps"][3 : 3 + timing.MAX_WARMUP_WINDOWS]
    assert len(half_windows) == timing.MAX_WARMUP_WINDOWS


def test_the_minimum_warm_up_and_calibration_steps_run_before_any_timed_window():
    session = FakeSession()
    timing.measure_training(session, "mlp", SETTINGS)
    steps = [n for call, n in session.calls if call == "steps"]
    assert steps[:3] == [1, 2, timing.CALIBRATION_STEPS]  # one step, the rest of the warm-up, the calibration
    assert steps[-SETTINGS["windows"] :] == [10] * 5  # 0.1 s windows of 0.01 s steps, after the warm-up


def test_a_model_whose_step_fills_a_window_warms_up_and_calibrates_for_about_one_window():
    session = FakeSession(step_s=0.1)  # a realistic workload's step: as long as a window
    timing.measure_training(session, "resnet", SETTINGS)
    steps = [n for call, n in session.calls if call == "steps"]
    assert steps[:3] == [1, 1, 1]  # not the 3 + 3 steps a quick model gets


def test_achieved_flops_follow_from_throughput_and_the_models_flop_count():
    measured = timing.measure_training(FakeSession(), "cnn", SETTINGS)
    expected = 1000 * train_flops("cnn") / 1e9
    assert measured["samples"]["achieved_gflops"] == [pytest.approx(expected)]


def test_inference_warms_each_shape_once_before_it_is_timed():
    session = FakeSession()
    measured = timing.measure_training(session, "mlp", SETTINGS)
    infers = [n for call, n in session.calls if call == "infer"]
    assert infers[:2] == [1, 10]
    assert len(infers) == 2 + 2 * SETTINGS["infer_repeats"]
    assert measured["samples"]["infer_batch_ms"] == [pytest.approx(10.0)]  # the process's median call


def test_gpu_memory_is_recorded_only_when_the_session_ran_on_a_device():
    assert "gpu_peak_mb" not in timing.measure_training(FakeSession(), "mlp", SETTINGS)["samples"]
    on_gpu = timing.measure_training(FakeSession(gpu_mb=123.0), "mlp", SETTINGS)
    assert on_gpu["samples"]["gpu_peak_mb"] == [123.0]


def test_the_device_is_synchronised_before_the_clock_starts_and_before_it_stops():
    events: list[str] = []
    ticks = iter([1.0, 3.0])

    def clock() -> float:
        events.append("clock")
        return next(ticks)

    elapsed = timing.timed(lambda: events.append("run"), lambda: events.append("sync"), clock)
    assert events == ["sync", "clock", "run", "sync", "clock"]
    assert elapsed == 2.0


@pytest.mark.parametrize(("step_s", "expected"), [(0.01, 10), (10.0, 1), (0.0, timing.MAX_STEPS_PER_WINDOW)])
def test_a_window_holds_enough_steps_for_its_length_within_bounds(step_s, expected):
    assert timing.steps_per_window(step_s, 0.1) == expected


def test_every_models_data_is_learnable_and_identical_for_every_framework():
    for model, spec in MODELS.items():
        x, y = make_data(model, 256, seed=3)
        again, _ = make_data(model, 256, seed=3)
        assert (x == again).all()
        assert x.shape == (256, *spec.input_shape)
        assert len(set(y.tolist())) > 3, model
        if spec.tokens:
            assert x.min() >= 0 and x.max() < spec.vocabulary


def test_digits_are_shaped_for_each_model_from_the_bundled_dataset():
    for model, spec in MODELS.items():
        x_train, y_train, x_test, y_test = digits_split(model)
        assert x_train.shape[1:] == spec.input_shape, model
        assert len(x_train) + len(x_test) == 1797
        assert set(y_test.tolist()) <= set(range(10))


@pytest.mark.parametrize("model", ["mlp", "cnn", "transformer", "resnet", "encoder"])
def test_the_analytic_flop_count_agrees_with_torch_flop_counter(model):
    pytest.importorskip("torch")
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    from probes.pytorch import reference as ref

    inputs, _ = ref.to_tensors(*make_data(model, 4))
    net = ref.build_model(model)  # training mode: eval mode's fused encoder kernel is not counted
    # The counter has no formula for the CPU's fused attention kernel; the math backend spells it out.
    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        net(inputs)
    counted = counter.get_total_flops() / 4
    assert counted == pytest.approx(forward_flops(model), rel=0.02)


def test_a_training_step_costs_between_two_and_three_forward_passes():
    for model in MODELS:
        assert 2 * forward_flops(model) <= train_flops(model) <= 3 * forward_flops(model)


def _speed_result(variant: str, throughput: list[float], device: str = "cpu") -> ProbeResult:
    return ProbeResult(
        variant=variant,
        kind="speed",
        model="cnn",
        case="",
        status="ok",
        reason=None,
        samples={"train_samples_per_s": throughput, "achieved_gflops": [t / 100 for t in throughput]},
        facts={"device": device},
    )


def test_utilisation_is_each_processs_share_of_the_measured_peak():
    result = with_utilisation(_speed_result("torch", [1000.0, 2000.0]), {"gflops": 100.0, "device": "cpu"})
    assert result.samples["utilisation"] == [0.1, 0.2]


def test_utilisation_is_left_out_when_the_peak_was_measured_on_another_device_or_not_at_all():
    gpu_result = _speed_result("torch", [1000.0], device="cuda")
    assert "utilisation" not in with_utilisation(gpu_result, {"gflops": 100.0, "device": "cpu"}).samples
    assert "utilisation" not in with_utilisation(_speed_result("torch", [1.0]), {"error": "timed out"}).samples


def test_mixed_precision_gets_no_utilisation_against_a_float32_peak():
    from dataclasses import replace

    mixed = _speed_result("torch-amp", [1000.0])
    mixed = replace(mixed, facts=replace(mixed.facts, precision="mixed: autocast bfloat16"))
    assert "utilisation" not in with_utilisation(mixed, {"gflops": 100.0, "device": "cpu"}).samples


def test_a_clear_speed_difference_is_stated_with_its_interval_over_processes():
    fast = _speed_result("torch", [200.0, 202.0, 198.0, 201.0, 199.0])
    slow = _speed_result("keras-tensorflow", [100.0, 101.0, 99.0, 100.5, 99.5])
    sentence = compared("cnn", fast, slow)
    assert sentence.startswith("On this machine PyTorch trained the CNN 2.00× faster than Keras 3 on TensorFlow")
    assert "95% CI" in sentence and "over 5 processes each" in sentence


def test_overlapping_speeds_are_called_within_noise():
    a = _speed_result("torch", [100.0, 120.0, 90.0, 110.0, 95.0])
    b = _speed_result("keras-tensorflow", [105.0, 92.0, 118.0, 99.0, 101.0])
    assert "within noise" in compared("cnn", a, b)


def test_the_speed_view_flags_unstable_windows_and_says_when_no_gpu_was_found():
    from dataclasses import replace

    unstable = _speed_result("torch", [100.0, 150.0, 80.0])
    unstable = replace(unstable, samples={**unstable.samples, "window_iqr_ratio": [0.3, 0.02, 0.25]})
    evidence = evidence_of(unstable, _speed_result("keras-tensorflow", [50.0] * 3), models=["cnn"])
    view = speed_view(evidence)
    torch_row = next(r for r in view.tables[0].rows if r.variant == "PyTorch")
    assert torch_row.noisy == ["train_samples_per_s"]
    assert any(line.startswith("No GPU was found") for line in view.machine)


def test_pytorch_uses_cuda_when_present_unless_the_cpu_is_asked_for(monkeypatch):
    from probes import pytorch as torch_probe
    from probes.common.torch_runtime import choose_device

    assert choose_device("auto", cuda_available=True) == "cuda"
    assert choose_device("cpu", cuda_available=True) == "cpu"
    assert choose_device("auto", cuda_available=False) == "cpu"
    fake_cuda = types.SimpleNamespace(
        is_available=lambda: True,
        get_device_properties=lambda i: types.SimpleNamespace(name="Fake H100", total_memory=80 * 2**30),
    )
    fake_torch = types.SimpleNamespace(
        cuda=fake_cuda,
        version=types.SimpleNamespace(cuda="12.8"),
        backends=types.SimpleNamespace(cudnn=types.SimpleNamespace(version=lambda: 91000)),
    )
    monkeypatch.setitem(sys.modules, "torch", fake_torch)
    info = torch_probe.PROBE.device_info("auto")
    assert info["used"] == "cuda" and info["gpu_name"] == "Fake H100" and info["gpu_memory_gb"] == 80.0
    assert "synchronize" in info["synchronised"]


def test_the_accuracy_check_trains_the_reference_s_own_main_for_the_model_s_epochs():
    calls = []

    def main(model, epochs, batch_size, seed, learning_rate):
        calls.append((model, epochs))
        return 0.93

    measured = timing.check_accuracy(main, "mlp", {"seed": 0})
    assert measured["samples"]["test_accuracy"] == [0.93] and calls == [("mlp", MODELS["mlp"].digits_epochs)]
    assert measured["facts"]["learned_accuracy"] == MODELS["mlp"].learned_accuracy


@pytest.mark.parametrize("model", ["mlp", "cnn"])  # the sequence models take too long for the suite
def test_the_pytorch_reference_learns_digits_above_its_threshold(model):
    pytest.importorskip("torch")
    from probes.pytorch import reference as ref

    spec = MODELS[model]
    accuracy = ref.main(model, epochs=spec.digits_epochs, batch_size=64, seed=0)
    assert accuracy >= spec.learned_accuracy


def test_a_comparison_across_devices_says_plainly_which_ran_where():
    fast = _speed_result("torch", [4000.0, 4040.0, 3960.0, 4020.0, 3980.0], device="cuda")
    slow = _speed_result("keras-tensorflow", [100.0, 101.0, 99.0, 100.5, 99.5], device="cpu")
    sentence = compared("cnn", fast, slow)
    assert sentence.startswith(
        "Not like for like: PyTorch on the GPU and Keras 3 on TensorFlow on the CPU, "
        "so this compares the devices as much as the frameworks. On this machine PyTorch trained the CNN 40.0×"
    )


def test_results_on_the_same_device_or_with_none_recorded_are_compared_without_a_caveat():
    fast = _speed_result("torch", [200.0, 202.0, 198.0, 201.0, 199.0], device="cuda")
    assert compared("cnn", fast, _speed_result("tensorflow", [100.0] * 5, device="gpu")).startswith("On")
    unrecorded = ProbeResult("keras-tensorflow", "cnn", "speed", "ok", None, {"train_samples_per_s": [100.0] * 5}, {})
    assert compared("cnn", fast, unrecorded).startswith("On this machine")


def test_a_speed_table_that_mixes_devices_names_each_ones_device_in_rows_and_charts():
    evidence = evidence_of(
        _speed_result("torch", [4000.0] * 5, device="cuda"),
        _speed_result("keras-tensorflow", [100.0] * 5, device="cpu"),
        models=["cnn"],
    )
    view = speed_view(evidence)
    table = view.tables[0]
    assert {r.variant: r.device for r in table.rows} == {"PyTorch": "GPU", "Keras 3 on TensorFlow": "CPU"}
    assert "PyTorch (GPU)</text>" in table.chart and "Keras 3 on TensorFlow (CPU)</text>" in table.chart
    assert any(
        line.startswith(
            "Not every framework ran on the same device: PyTorch on the GPU; Keras 3 on TensorFlow on the CPU"
        )
        for line in view.machine
    )


def test_a_speed_table_on_one_device_does_not_mention_devices():
    evidence = evidence_of(
        _speed_result("torch", [200.0] * 5), _speed_result("keras-tensorflow", [100.0] * 5), models=["cnn"]
    )
    view = speed_view(evidence)
    assert [r.device for r in view.tables[0].rows] == [None, None]
    assert "(CPU)" not in view.tables[0].chart
    assert not any("same device" in line for line in view.machine)


def _transformer_run(*accuracies: tuple[str, float, float]):
    """Speed results on the transformer (threshold 0.35), each variant with its throughput and test accuracy."""
    from tests.support.synthetic import speed

    results = [speed(v, "transformer", t, accuracy=a, learned=0.35) for v, t, a in accuracies]
    return speed_view(evidence_of(*results, models=["transformer"])).tables[0]


def test_a_result_far_below_the_best_accuracy_on_its_model_is_flagged_as_learning_much_less():
    table = _transformer_run(("torch", 9000, 0.555), ("keras-tensorflow", 4800, 0.363))
    rows = {r.variant: r for r in table.rows}
    assert rows["PyTorch"].learning is None and rows["PyTorch"].warnings == []
    assert rows["Keras 3 on TensorFlow"].learning == "learned much less"
    assert rows["Keras 3 on TensorFlow"].warnings == ["learned much less: 0.19 below PyTorch's 0.555"]


def test_an_accuracy_within_0_15_of_the_best_is_not_flagged():
    table = _transformer_run(("torch", 9000, 0.555), ("keras-torch", 6000, 0.434))
    assert [r.learning for r in table.rows] == [None, None]


def test_a_model_that_did_not_learn_is_flagged_once_as_such():
    table = _transformer_run(("torch", 9000, 0.555), ("keras-tensorflow", 4800, 0.30))
    keras = next(r for r in table.rows if r.variant == "Keras 3 on TensorFlow")
    assert keras.learning == "did not learn"
    assert len(keras.warnings) == 1 and keras.warnings[0].startswith("did not learn: test accuracy 0.300")


def test_the_comparison_warns_when_either_side_learned_much_less():
    table = _transformer_run(("torch", 9000, 0.555), ("keras-tensorflow", 4800, 0.363), ("keras-torch", 6000, 0.434))
    by_slower = {s.split(" faster than ")[1].split(" (")[0]: s for s in table.sentences}
    assert by_slower["Keras 3 on TensorFlow"].endswith(
        "But Keras 3 on TensorFlow learned much less on digits (see the accuracy column), "
        "so the speeds may not compare like for like."
    )
    assert "But" not in by_slower["Keras 3 on PyTorch"]


def _speed_section(view) -> str:
    from types import SimpleNamespace

    from advisor.report.page import render_page

    return render_page("_speed.html", view=SimpleNamespace(problems=[], evidence_notes=[], speed=view))


def test_the_page_shows_the_learning_flag_beside_the_throughput_and_the_reason_beside_the_accuracy():
    from tests.support.synthetic import speed

    run = evidence_of(
        speed("torch", "transformer", 9000, accuracy=0.555, learned=0.35),
        speed("keras-tensorflow", "transformer", 4800, accuracy=0.363, learned=0.35),
        models=["transformer"],
    )
    html = _speed_section(speed_view(run))
    keras_row = html.split('<th scope="row">Keras 3 on TensorFlow</th>')[1].split("</tr>")[0]
    throughput, accuracy = keras_row.split("</td>")[4], keras_row.split("</td>")[10]  # after the processes
    assert '<span class="badge warn">learned much less: see accuracy</span>' in throughput
    assert "0.363" in accuracy and "learned much less: 0.19 below PyTorch&#39;s 0.555" in accuracy


def test_the_page_names_each_rows_device_when_a_table_mixes_them():
    evidence = evidence_of(
        _speed_result("torch", [4000.0] * 5, device="cuda"),
        _speed_result("keras-tensorflow", [100.0] * 5, device="cpu"),
        models=["cnn"],
    )
    html = _speed_section(speed_view(evidence))
    assert '<th scope="row">PyTorch <span class="badge">GPU</span></th>' in html
    assert '<th scope="row">Keras 3 on TensorFlow <span class="badge">CPU</span></th>' in html


def test_a_busy_machine_is_called_out_in_the_speed_section():
    from dataclasses import replace

    evidence = evidence_of(_speed_result("torch", [100.0, 101.0]), _speed_result("keras-tensorflow", [50.0, 51.0]))
    busy = {"others_share": 0.35, "others_cpu_s": 30.0, "load_average": 2.4, "steal_s": 0.0, "busy": True}
    view = speed_view(replace(evidence, environment={"competition": busy}))
    assert any(line.startswith("Warning: Other processes took 35% of this machine's CPU time") for line in view.machine)
    quiet = speed_view(replace(evidence, environment={"competition": {**busy, "others_share": 0.01, "busy": False}}))
    assert not any(line.startswith("Warning") for line in quiet.machine)


def test_a_compile_switch_is_said_against_its_own_default_never_ranked_among_the_frameworks():
    from dataclasses import replace

    eager = replace(
        _speed_result("torch", [1000.0, 1010.0, 990.0]),
        samples={"train_samples_per_s": [1000.0, 1010.0, 990.0], "first_step_s": [0.05, 0.05, 0.05]},
    )
    compiled = replace(
        _speed_result("torch-compile", [700.0, 707.0, 693.0]),
        samples={"train_samples_per_s": [700.0, 707.0, 693.0], "first_step_s": [2.0, 2.1, 1.9]},
    )
    keras = replace(
        _speed_result("keras-tensorflow", [500.0, 505.0, 495.0]),
        samples={"train_samples_per_s": [500.0, 505.0, 495.0], "first_step_s": [0.5, 0.5, 0.5]},
    )
    table = speed_view(evidence_of(eager, compiled, keras, models=["cnn"])).tables[0]
    switch = [s for s in table.sentences if s.startswith("With torch.compile")]
    assert switch == [
        "With torch.compile, PyTorch trains the CNN 0.70× as fast (95% CI 0.68–0.72×); its first step takes "
        "2.00 s instead of 0.05 s (the compilation happens there)."
    ]
    ranked = [s for s in table.sentences if s.startswith("On this machine")]
    assert ranked and all("torch.compile" not in s for s in ranked)
