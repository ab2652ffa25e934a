"""The realistic workloads: specified once, built in every framework's reference, the same size everywhere,
their FLOPs counted once and checked, and each one learning."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from probes.contract import framework_probe
from probes.kinds.ease import Vocabulary, count_source
from probes.runner import child_env
from probes.specs import MODELS, OVERHEAD_MODELS, REALISTIC_MODELS, forward_flops, make_data, train_flops
from probes.variants import VARIANTS

FRAMEWORKS = ("pytorch", "keras", "tensorflow")
# A framework's variant for a child: its environment (KERAS_BACKEND) and threads, as a probe child gets them.
CHILD_VARIANT = {"pytorch": "torch", "keras": "keras-tensorflow", "tensorflow": "tensorflow"}


def test_the_realistic_workloads_are_a_resnet_an_encoder_and_a_wide_lstm_beside_the_overhead_probes():
    assert REALISTIC_MODELS == ("resnet", "encoder", "lstm256")
    assert OVERHEAD_MODELS == ("mlp", "cnn", "rnn", "transformer")
    assert MODELS["encoder"].input_shape == (128,)
    assert {kind for m in REALISTIC_MODELS for kind in MODELS[m].data_kinds} == {"images", "text", "sequences"}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_model_is_built_by_each_frameworks_own_reference(framework):
    probe = framework_probe(framework)
    source = probe.reference_path().read_text()
    for model in MODELS:  # raises when build_model() has no branch for the model
        counts = count_source(source, model, MODELS, Vocabulary(probe.api_packages, probe.device_apis))
        assert counts.model_lines > 0, (framework, model)


@pytest.mark.parametrize("model", REALISTIC_MODELS)
def test_a_workloads_training_step_costs_tens_to_hundreds_of_mflop_a_sample(model):
    """Sized for a 2-core CPU near 130 GFLOP/s: a 64-sample step of 0.1 to 0.4 TFLOP is tens to hundreds of ms."""
    assert 100e6 <= train_flops(model) <= 400e6


@pytest.mark.parametrize("model", ["rnn", "lstm256"])
def test_an_lstms_forward_flops_are_two_per_gate_weight_at_every_step_plus_the_classifier(model):
    """torch.utils.flop_counter cannot count the fused LSTM: its parameter count checks the analytic count."""
    pytest.importorskip("torch")
    from probes.pytorch import reference as ref

    net = ref.build_model(model)
    gate_weights = net.lstm.weight_ih_l0.numel() + net.lstm.weight_hh_l0.numel()
    classifier = net.fc.weight.numel()
    assert forward_flops(model) == 2 * MODELS[model].input_shape[0] * gate_weights + 2 * classifier


def _child(framework: str, *args: str, timeout_s: float = 600) -> str:
    """The last line a reference child (tests/support/reference_child.py) prints, run as a probe child runs."""
    variant = VARIANTS[CHILD_VARIANT[framework]]
    env = child_env(variant, SimpleNamespace(threads=1, device="cpu"))
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.reference_child", framework, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.frameworks
def test_each_workload_has_the_same_trainable_weights_in_every_framework_bar_pytorchs_second_lstm_bias():
    """The same model in each idiom: PyTorch's LSTM alone keeps two bias vectors per gate (4 x 256 more)."""
    sizes = {fw: json.loads(_child(fw, "params", *REALISTIC_MODELS)) for fw in FRAMEWORKS}
    for model in REALISTIC_MODELS:
        extra_bias = 4 * 256 if model == "lstm256" else 0
        assert sizes["pytorch"][model] - extra_bias == sizes["keras"][model] == sizes["tensorflow"][model], model


@pytest.mark.frameworks
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("model", REALISTIC_MODELS)
def test_each_workload_fits_one_batch_of_digits_in_a_few_steps(framework, model):
    losses = json.loads(_child(framework, "losses", model, "30"))  # at each model's own learning rate
    assert losses[-1] < 0.5 * losses[0], losses


def test_every_workloads_data_is_shaped_and_labelled_like_its_overhead_counterparts():
    for model in REALISTIC_MODELS:
        x, y = make_data(model, 128)
        assert x.shape == (128, *MODELS[model].input_shape) and len(set(y.tolist())) > 3


def test_a_decorator_belongs_to_its_class_counted_for_the_models_using_it_only():
    probe = framework_probe("keras")
    source = probe.reference_path().read_text()
    undecorated = "\n".join(line for line in source.splitlines() if not line.startswith("@keras.saving."))
    vocabulary = Vocabulary(probe.api_packages, probe.device_apis)

    def total(text: str, model: str) -> int:
        return count_source(text, model, MODELS, vocabulary).total_lines

    assert total(source, "mlp") == total(undecorated, "mlp")  # the transformer's layers are not the MLP's
    assert total(source, "transformer") == total(undecorated, "transformer") + 2  # its two registered layers
