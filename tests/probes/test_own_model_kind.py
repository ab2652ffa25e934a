"""The own-model kind's framework-free half: the generic loss, the generated data, the memory check and the user's
files, each failure one line (probes/kinds/own_model.py). The files imported here are the tests' own."""

from __future__ import annotations

import numpy as np
import pytest

from probes.kinds import own_model
from probes.kinds.own_model import (
    OwnModelError,
    check_memory,
    choose_loss,
    import_user_file,
    make_inputs,
    make_targets,
    user_function,
)
from probes.user_model import user_model
from tests.support import own_models


def test_one_score_per_class_is_trained_as_classification_and_says_why():
    assert choose_loss("auto", [(10,)], True) == ("classification", "the output is one score per class, (N, 10)")


def test_a_float_output_of_another_shape_is_trained_as_regression():
    assert choose_loss("auto", [(8, 8)], True)[0] == "regression"
    assert choose_loss("auto", [(1,)], True)[0] == "regression"


def test_several_outputs_are_trained_on_their_sum_as_the_last_resort():
    loss, why = choose_loss("auto", [(4,), (2, 3)], True)
    assert loss == "sum" and why == "the outputs are (N, 4), (N, 2, 3): no single float output to fit a target to"


def test_a_loss_the_outputs_cannot_take_is_refused_in_one_line():
    with pytest.raises(
        OwnModelError, match=r"classification needs one score per class, .* the model gives \(N, 8, 8\)"
    ):
        choose_loss("classification", [(8, 8)], True)


def test_integer_inputs_are_token_ids_below_the_vocabulary_and_labels_are_class_indices():
    x = make_inputs((16,), "int64", 32, 0, vocabulary=50)
    assert x.dtype == np.int64 and x.min() >= 0 and x.max() < 50
    y = make_targets("classification", (7,), 32, 0)
    assert y.shape == (32,) and y.max() < 7
    assert make_targets("regression", (3, 2), 32, 0).shape == (32, 3, 2)


def test_a_model_whose_training_state_needs_more_than_the_memory_left_is_refused(monkeypatch):
    monkeypatch.setattr(own_model, "available_memory_bytes", lambda: 2 * 2**30)
    check_memory(10_000_000)  # 160 MB of weights, gradients and Adam's moments: fits
    with pytest.raises(
        OwnModelError, match=r"too large for the memory left: 1,000,000,000 parameters need about 14\.9 GB"
    ):
        check_memory(1_000_000_000)


def test_a_missing_file_is_said_in_one_line(tmp_path):
    with pytest.raises(OwnModelError, match=r"^net\.py: no such file: .*net\.py$"):
        import_user_file(str(tmp_path / "net.py"), "net.py")


def test_a_file_that_raises_on_import_is_said_with_its_error(tmp_path):
    path = own_models.raises_on_import(tmp_path)
    with pytest.raises(OwnModelError, match=r"^raises\.py raised on import: RuntimeError: the config server is down$"):
        import_user_file(str(path), path.name)


def test_a_file_that_needs_a_package_not_installed_names_it(tmp_path):
    path = own_models.needs_missing_package(tmp_path)
    with pytest.raises(
        OwnModelError, match=r"needs a package that is not installed here: surely_not_installed_anywhere"
    ):
        import_user_file(str(path), path.name)


def test_a_file_that_is_not_python_is_said_with_its_line(tmp_path):
    path = own_models.torch_module_file(tmp_path, "def build(:\n", "bad.py")
    with pytest.raises(OwnModelError, match=r"^bad\.py is not valid Python: .*\(line 1\)$"):
        import_user_file(str(path), path.name)


def test_a_function_the_file_does_not_have_is_named(tmp_path):
    path = own_models.torch_module_file(tmp_path, "def make():\n    return None\n")
    with pytest.raises(OwnModelError, match=r"^net\.py has no function 'build'$"):
        user_function(user_model(f"{path}:build"))


def test_a_converter_error_that_only_introduces_its_cause_is_recorded_with_the_cause():
    from probes.kinds.reload import exception_line

    class TorchExportError(RuntimeError):
        pass

    class GuardOnDataDependentSymNode(RuntimeError):
        pass

    try:
        try:
            raise GuardOnDataDependentSymNode("Could not guard on data-dependent expression Eq(u0, 1)")
        except GuardOnDataDependentSymNode as cause:
            raise TorchExportError("Failed to export. This is step 1/3. Next steps:\n- read the report") from cause
    except TorchExportError as exc:
        assert exception_line(exc) == (
            "TorchExportError: Failed to export. This is step 1/3. Caused by"
            " GuardOnDataDependentSymNode: Could not guard on data-dependent expression Eq(u0, 1)"
        )
