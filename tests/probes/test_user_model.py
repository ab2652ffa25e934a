"""--model and its companions, read by name only: what is measured where, and what is refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.user_model import OWN_ROUTES, UserModel, parse_input, routes_for, user_model


def test_a_keras_file_is_measured_on_every_keras_backend(tmp_path):
    model = user_model(str(tmp_path / "net.keras"))
    assert (model.kind, model.function) == ("keras", None)
    assert model.variants == ("keras-tensorflow", "keras-torch", "keras-jax")
    assert Path(model.path).is_absolute() and model.name == "net.keras"


def test_a_python_file_and_function_is_a_pytorch_model_measured_on_pytorch(tmp_path):
    model = user_model(f"{tmp_path / 'models.py'}:build_model")
    assert (model.kind, model.function, model.variants) == ("pytorch", "build_model", ("torch",))
    assert model.name == "models.py:build_model"


def test_the_model_is_named_as_given_and_nothing_is_opened(tmp_path):
    model = user_model("missing/net.keras")  # a file that is not there fails in the probe child, with its reason
    assert model.source == "missing/net.keras"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("model.pt", "a pickle runs code from the file: pass the code that builds it instead: --model model.py:build"),
        ("model.pth", "loading a pickle runs code from the file: pass the code that builds it instead"),
        ("weights.pkl", "a pickle runs code from the file when loaded"),
        ("program.pt2", "a torch.export program (.pt2) is a traced graph, not a model to train"),
        ("scripted.torchscript", "a TorchScript file is a traced graph"),
        ("old.h5", "cannot be loaded under safe mode: save it with model.save('model.keras') and pass that file"),
        ("exported.onnx", "an ONNX file is already exported: pass the model it came from"),
        ("phone.tflite", "a LiteRT file is already exported"),
        ("phone.pte", "an ExecuTorch file is already exported"),
    ],
)
def test_a_format_that_runs_code_on_load_or_is_no_model_to_train_is_refused_saying_what_to_pass(name, says):
    with pytest.raises(ValueError) as refused:
        user_model(name)
    message = str(refused.value)
    assert message.startswith("option --model: ") and says in message and message.endswith(f"Received: {name!r}")
    assert "\n" not in message


def test_a_saved_model_folder_is_refused_saying_to_save_a_keras_file(tmp_path):
    (tmp_path / "exported").mkdir()
    (tmp_path / "exported" / "saved_model.pb").write_bytes(b"")
    with pytest.raises(ValueError, match=r"a SavedModel is a traced graph.*model\.save\('model\.keras'\)"):
        user_model(str(tmp_path / "exported"))


def test_a_python_file_without_a_function_is_refused_naming_the_form_to_use():
    with pytest.raises(ValueError, match=r"name the function that returns the model: net\.py:build_model"):
        user_model("net.py")


def test_anything_else_is_refused_naming_the_two_accepted_forms():
    with pytest.raises(ValueError, match=r"must name a \.keras file or FILE\.py:FUNCTION\. Received: 'model\.zip'"):
        user_model("model.zip")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("3x32x32", ((3, 32, 32), None)), ("128:int64", ((128,), "int64")), ("20,8:float32", ((20, 8), "float32"))],
)
def test_the_input_is_one_samples_shape_and_an_optional_dtype(spec, expected):
    assert parse_input(spec) == expected


@pytest.mark.parametrize("spec", ["", "3x0", "three", "3x32:complex64"])
def test_an_input_that_is_no_shape_or_no_known_dtype_is_refused(spec):
    with pytest.raises(ValueError, match=r"--model-input.*Received"):
        parse_input(spec)


def test_an_unknown_loss_is_refused_naming_the_generic_ones(tmp_path):
    with pytest.raises(ValueError, match=r"--model-loss must be one of auto, classification, regression, sum"):
        user_model(str(tmp_path / "net.keras"), loss="focal")


def test_custom_layer_code_goes_with_a_keras_file_only(tmp_path):
    with pytest.raises(ValueError, match=r"--model-code is for a \.keras file's custom layers"):
        user_model(f"{tmp_path / 'net.py'}:build", code="layers.py")
    assert user_model(str(tmp_path / "net.keras"), code="layers.py").code == str(Path("layers.py").resolve())


def test_the_routes_tried_are_those_that_matter_for_the_target():
    assert routes_for(None) == OWN_ROUTES
    assert routes_for("server") == ("onnx",)
    assert routes_for("browser") == ("onnx", "tflite")
    assert routes_for("mobile") == ("onnx", "tflite", "executorch")


def test_the_model_travels_to_the_children_as_json_unchanged(tmp_path):
    model = user_model(str(tmp_path / "net.keras"), "128:int64", "sum", 16, "layers.py", True).for_target("edge")
    assert UserModel.from_json(model.to_json()) == model
