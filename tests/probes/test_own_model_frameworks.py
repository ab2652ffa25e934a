"""The user's model in real probe children, as a run starts them (tiny budget, one thread, the CPU).

The models are the tests' own (tests/support/own_models.py): a Keras functional model with a registered
custom layer, the same shape with a Lambda layer, a PyTorch module that branches on its data (it trains
eagerly, and torch.export cannot trace it, so its ExecuTorch route fails), and broken files. Each child
imports its framework, so each test here costs seconds: one child per behaviour.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from probes.budgets import get_budget
from probes.plan import make_plan
from probes.user_model import UserModel, user_model
from probes.variants import VARIANTS, missing_requirement
from tests.support import own_models
from tests.support.probe_children import run_probe

pytestmark = pytest.mark.frameworks


def needs(variant: str) -> None:
    reason = missing_requirement(VARIANTS[variant])
    if reason:
        pytest.skip(reason)


def settings_for(model: UserModel) -> dict:
    return make_plan(get_budget("tiny"), threads=1, device="cpu", model=model, only_model=True).settings()


def measured(variant: str, kind: str, model: UserModel, cases: tuple[str, ...] | None = None) -> dict[str, dict]:
    needs(variant)
    return run_probe(variant, kind, ("own",), timeout_s=400, settings=settings_for(model), cases=cases)


@functools.cache
def keras_files(folder: Path) -> tuple[Path, Path]:
    return own_models.keras_with_custom_layer(folder)


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("own_models")


def test_a_keras_model_with_a_registered_custom_layer_trains_on_keras_with_its_code_named(models):
    needs("keras-tensorflow")
    path, layers = keras_files(models)
    entry = measured("keras-tensorflow", "own_model", user_model(str(path), code=str(layers)))["fit"]
    assert entry["status"] == "ok", entry.get("reason")
    assert entry["samples"]["train_samples_per_s"][0] > 0 and entry["samples"]["infer_single_ms"][0] > 0
    facts = entry["facts"]
    assert (facts["loss"], facts["input_shape"], facts["input_from"]) == (
        "classification",
        [12],
        "the model's input layer",
    )
    assert facts["safe_mode"] is True


def test_a_keras_custom_layer_without_its_code_is_refused_naming_model_code(models):
    needs("keras-tensorflow")
    path, _ = keras_files(models)
    entry = measured("keras-tensorflow", "own_model", user_model(str(path)))["fit"]
    assert entry["status"] == "failed"
    assert "uses a custom class, 'Scale', that is not registered here" in entry["reason"]
    assert entry["reason"].endswith("pass the .py file that defines it with --model-code FILE.py")
    assert "\n" not in entry["reason"]


def test_a_lambda_layer_is_refused_under_safe_mode_naming_the_flag_that_allows_it(models):
    needs("keras-tensorflow")
    entry = measured("keras-tensorflow", "own_model", user_model(str(own_models.keras_with_lambda(models))))["fit"]
    assert entry["status"] == "failed"
    assert entry["reason"] == (
        "lambda.keras has a Lambda layer, which runs Python code stored in the file: refused under safe mode;"
        " pass --unsafe-model to allow it (only for a file you trust)"
    )


def test_a_keras_file_that_is_not_a_model_is_said_in_one_line(models):
    entry = measured("keras-tensorflow", "own_model", user_model(str(own_models.broken_keras_file(models))))["fit"]
    assert (entry["status"], entry["reason"]) == (
        "failed",
        "not a Keras model file: broken.keras is not a .keras archive (a zip file)",
    )


def test_a_pytorch_module_with_a_dynamic_branch_trains_eagerly_and_channels_last_is_skipped_for_it(models):
    model = user_model(f"{own_models.torch_with_dynamic_branch(models)}:build")
    found = measured("torch", "own_model", model, cases=("eager", "channels_last"))
    assert found["eager"]["status"] == "ok", found["eager"].get("reason")
    assert found["eager"]["facts"]["input_from"] == "its first layer, a Linear"
    assert found["eager"]["facts"]["train_flops_per_sample"] > 0
    assert found["channels_last"]["status"] == "skipped"
    assert found["channels_last"]["reason"].startswith("channels_last applies to image inputs (N, C, H, W)")


def test_a_module_torch_export_cannot_trace_fails_its_executorch_route_with_the_converters_error_in_one_line(models):
    model = user_model(f"{own_models.torch_with_dynamic_branch(models)}:build")
    entry = measured("torch", "own_export", model, cases=("executorch",))["executorch"]
    facts = entry["facts"]
    if entry["status"] == "not_installed":
        pytest.skip(entry["reason"])
    assert facts["error"] and "\n" not in facts["error"]
    assert facts.get("reload_ok") is not True


def test_its_onnx_route_fails_naming_the_data_dependent_branch_not_only_the_exporters_step(models):
    model = user_model(f"{own_models.torch_with_dynamic_branch(models)}:build")
    entry = measured("torch", "own_export", model, cases=("onnx",))["onnx"]
    if entry["status"] == "not_installed":
        pytest.skip(entry["reason"])
    assert entry["status"] == "failed"
    assert "Caused by" in entry["facts"]["error"] and "data-dependent" in entry["facts"]["error"]


def test_a_module_file_that_raises_on_import_is_the_models_failure_with_its_error(models):
    model = user_model(f"{own_models.raises_on_import(models)}:build")
    entry = measured("torch", "own_model", model, cases=("eager",))["eager"]
    assert (entry["status"], entry["reason"]) == (
        "failed",
        "raises.py raised on import: RuntimeError: the config server is down",
    )


def test_a_module_too_large_for_the_memory_left_is_refused_before_it_is_built(models):
    huge = own_models.torch_module_file(
        models, "from torch import nn\n\n\ndef build():\n    return nn.Linear(1_000_000, 1_000_000)\n", "huge.py"
    )
    entry = measured("torch", "own_model", user_model(f"{huge}:build"), cases=("eager",))["eager"]
    assert entry["status"] == "failed"
    assert entry["reason"].startswith(
        "too large for the memory left: 1,000,001,000,000 parameters need about 14901.2 GB"
    )


def test_a_module_whose_input_shape_cannot_be_read_asks_for_model_input(models):
    convolutional = own_models.torch_convolutional(models)
    entry = measured("torch", "own_model", user_model(f"{convolutional}:build"), cases=("eager",))["eager"]
    assert (entry["status"], entry["reason"]) == (
        "failed",
        "no readable input shape: a torch.nn.Module does not say what it takes, and its first layer is Conv2d;"
        " pass --model-input with one sample's shape, such as 3x32x32 or 128:int64",
    )


def test_the_same_module_trains_once_model_input_gives_its_shape_and_channels_last_applies(models):
    convolutional = own_models.torch_convolutional(models)
    model = user_model(f"{convolutional}:build", "3x16x16")
    found = measured("torch", "own_model", model, cases=("channels_last",))
    assert found["channels_last"]["status"] == "ok", found["channels_last"].get("reason")
    assert found["channels_last"]["facts"]["input_from"] == "--model-input"
