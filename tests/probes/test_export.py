"""Export probes: which paths each variant tries, and that each one works or says why, for real.

The knowledge file and the drivers must agree on which variant offers which path. The framework
tests run each variant's export probe once, in a child process as a run does: a path works
(exported, reloaded in a fresh process, same outputs), or names what to install, or failed with
a note in knowledge/export_paths.yaml saying why; a failure is never left unexplained.
"""

from __future__ import annotations

import functools

import pytest

import knowledge
from advisor.records.answers import load_questions
from probes.evidence import EXPORT_PARITY
from probes.kinds import export as export_paths
from probes.schedule import expected_cases, implements
from probes.variants import VARIANTS, missing_requirement
from tests.support.probe_children import run_probe

EXPORTED = [v for v in VARIANTS if implements(VARIANTS[v], "export") and VARIANTS[v].kinds is None]
PATHS = knowledge.load("export_paths")["paths"]


def offered(variant: str) -> set[str]:
    return {path for path, info in PATHS.items() if variant in info["variants"]}


def tried(variant: str) -> set[str]:
    return {case for _, case in expected_cases(VARIANTS[variant], "export", ["cnn"])}


@pytest.mark.parametrize("variant", EXPORTED)
def test_each_driver_tries_exactly_the_paths_the_knowledge_file_says_its_variant_offers(variant):
    assert tried(variant) == offered(variant)


def test_every_variant_that_can_be_deployed_has_an_export_probe():
    assert set(EXPORTED) >= {"torch", "keras-tensorflow", "tensorflow", "keras-torch"}


def test_every_path_is_weighed_for_every_deployment_target():
    targets = set(next(q for q in load_questions() if q.key == "deployment_target").choices)
    for path, info in PATHS.items():
        assert set(info["weights"]) == targets, path


def test_a_path_tells_each_variant_its_own_install_hint_and_note():
    torch_side = export_paths.path_info("saved_model", "keras-torch")
    assert "torch_xla" in torch_side["install"] and "torch_xla" in torch_side["note"]
    tf_side = export_paths.path_info("saved_model", "keras-tensorflow")
    assert tf_side["note"] is None


@functools.cache
def export_run(variant: str) -> dict:
    return run_probe(variant, "export", ("cnn",))


@pytest.mark.frameworks
@pytest.mark.parametrize(("variant", "case"), [(v, c) for v in EXPORTED for c in sorted(tried(v))])
def test_every_export_path_works_or_says_why(variant, case):
    missing = missing_requirement(VARIANTS[variant])
    if missing:
        pytest.skip(missing)
    entry = export_run(variant)[case]
    facts = entry["facts"]
    if entry["status"] == "ok":
        assert facts["reload_ok"] is True
        assert facts["max_abs_diff"] <= EXPORT_PARITY
        assert facts["size_bytes"] > 0 and facts["export_s"] >= 0
        assert isinstance(facts["needs_python_class"], bool)
    elif entry["status"] == "not_installed":
        assert facts["install_hint"] and facts["missing"]
    else:
        assert entry["status"] == "failed" and facts["error"]
        assert export_paths.path_info(case, variant)["note"], f"{variant} {case} failed unexplained: {facts['error']}"


@pytest.mark.frameworks
def test_low_level_tensorflow_reloads_its_saved_model_without_its_class_and_its_checkpoint_with_it():
    if missing_requirement(VARIANTS["tensorflow"]):
        pytest.skip("tensorflow is not installed")
    run = export_run("tensorflow")
    assert run["saved_model"]["status"] == "ok" and run["saved_model"]["facts"]["needs_python_class"] is False
    assert run["tf_checkpoint"]["status"] == "ok" and run["tf_checkpoint"]["facts"]["needs_python_class"] is True


@pytest.mark.frameworks
def test_keras_on_pytorch_exports_its_own_files_and_a_torch_export_program():
    if missing_requirement(VARIANTS["keras-torch"]):
        pytest.skip("keras or torch is not installed")
    run = export_run("keras-torch")
    expected = {"keras_native": False, "weights_h5": True, "torch_export": False}  # needs the Python class?
    for case, needs_class in expected.items():
        assert run[case]["status"] == "ok", run[case].get("reason")
        assert run[case]["facts"]["needs_python_class"] is needs_class
    if run["saved_model"]["status"] == "not_installed":
        assert "torch_xla" in run["saved_model"]["facts"]["note"]


RUNTIME_PATHS = {path for path, info in PATHS.items() if info.get("runtimes")}


@pytest.mark.frameworks
@pytest.mark.parametrize(("variant", "case"), [(v, c) for v in EXPORTED for c in sorted(tried(v) & RUNTIME_PATHS)])
def test_a_file_for_a_phone_or_a_browser_runs_in_those_runtimes_or_says_why(variant, case):
    from probes.kinds import browser

    missing = missing_requirement(VARIANTS[variant])
    if missing:
        pytest.skip(missing)
    entry = export_run(variant)[case]
    if entry["status"] != "ok":
        pytest.skip(f"{variant} {case} is {entry['status']}: the test above checks it says why")
    facts, runtimes = entry["facts"], PATHS[case]["runtimes"]
    if runtimes.get("mobile"):
        assert facts["runtime"] == runtimes["mobile"] and facts["call_ms"] > 0
    if runtimes.get("browser") in browser.RUNTIMES:
        assert facts["browser_runtime"] == runtimes["browser"]
        if browser.missing(browser.RUNTIMES[facts["browser_runtime"]]):
            assert facts["browser_install_hint"] and facts.get("browser_ok") is None
        else:
            assert facts["browser_ok"] is True, facts.get("browser_error")
            assert facts["browser_max_abs_diff"] <= EXPORT_PARITY and facts["browser_call_ms"] > 0
            assert facts["browser_model_bytes"] == facts["size_bytes"] and facts["browser_runtime_bytes"] > 0


@pytest.mark.frameworks
@pytest.mark.parametrize(
    ("variant", "case"),
    [
        ("torch", "onnx"),
        ("torch", "executorch"),
        ("keras-tensorflow", "tflite"),
        ("keras-tensorflow", "onnx"),
        ("tensorflow", "tflite"),
        ("tensorflow", "onnx"),
    ],
)
def test_the_int8_file_is_smaller_and_predicts_the_digits_about_as_well_as_the_float_one(variant, case):
    missing = missing_requirement(VARIANTS[variant])
    if missing:
        pytest.skip(missing)
    entry = export_run(variant)[case]
    if entry["status"] != "ok":
        pytest.skip(f"{variant} {case} is {entry['status']}")
    facts = entry["facts"]
    assert facts.get("int8_error") is None and facts["int8_method"]
    assert facts["int8_size_bytes"] < 0.6 * facts["size_bytes"]
    assert abs(facts["int8_accuracy"] - facts["float_accuracy"]) <= 0.05 and facts["int8_agreement"] >= 0.9
    # one method on every route: calibrated static int8 on the same training images
    assert facts["int8_method"].startswith("static int8") and facts["int8_calibration_images"] == 64


@pytest.mark.frameworks
@pytest.mark.parametrize("case", ["torch_export", "onnx", "executorch"])
def test_pytorchs_deployable_files_take_any_batch(case):
    if missing_requirement(VARIANTS["torch"]):
        pytest.skip("torch is not installed")
    entry = export_run("torch")[case]
    if entry["status"] != "ok":
        pytest.skip(f"torch {case} is {entry['status']}")
    assert entry["facts"]["batch"] == "open", entry["facts"]["batch_check"]


@pytest.mark.frameworks
def test_keras_on_pytorch_leaves_its_convolutions_outside_xnnpack_which_is_why_its_pte_is_slow():
    if missing_requirement(VARIANTS["keras-torch"]):
        pytest.skip("keras or torch is not installed")
    entry = export_run("keras-torch")["executorch"]
    if entry["status"] != "ok":
        pytest.skip(f"keras-torch executorch is {entry['status']}")
    assert any(op.startswith("aten_convolution") for op in entry["facts"]["portable_ops"])
    torch = export_run("torch")["executorch"]["facts"]
    assert not any(op.startswith("aten_convolution") for op in torch["portable_ops"])


def test_a_runtime_is_timed_twenty_times_or_fewer_when_each_call_is_slow(monkeypatch):
    from probes.kinds import reload

    clock = iter(range(0, 10_000))
    monkeypatch.setattr(reload.time, "perf_counter", lambda: next(clock) * 0.1)  # every call takes 100 ms
    calls = []
    assert reload.median_call_ms(lambda batch: calls.append(1), None) == pytest.approx(100)
    assert len(calls) == 1 + reload.MIN_TIMED_CALLS
    calls.clear()
    monkeypatch.setattr(reload.time, "perf_counter", lambda: next(clock) * 1e-6)
    reload.median_call_ms(lambda batch: calls.append(1), None)
    assert len(calls) == 1 + reload.TIMED_CALLS


@pytest.mark.frameworks
def test_a_run_whose_budget_leaves_the_extras_out_says_so_and_makes_neither_the_int8_file_nor_the_page_run():
    missing = missing_requirement(VARIANTS["tensorflow"])
    if missing:
        pytest.skip(missing)
    entry = run_probe("tensorflow", "export", ("cnn",), settings={"export_extras": []}, cases=("tflite",))["tflite"]
    assert entry["status"] == "ok", entry.get("reason")
    facts = entry["facts"]
    assert facts["not_run"] == ["int8", "browser"]
    assert not any(key.startswith(("int8_", "browser_")) for key in facts)


def test_a_request_from_before_the_setting_gets_every_extra():
    assert export_paths.extras_of({}) == export_paths.EXPORT_EXTRAS
    assert export_paths.extras_of({"export_extras": ["browser"]}) == ("browser",)


@pytest.mark.frameworks
def test_a_keras_file_with_the_references_custom_layers_reloads_with_their_code_and_says_it_needs_it():
    missing = missing_requirement(VARIANTS["keras-tensorflow"])
    if missing:
        pytest.skip(missing)
    entry = run_probe("keras-tensorflow", "export", ("transformer",), cases=("keras_native",))["keras_native"]
    facts = entry["facts"]
    assert entry["status"] == "ok" and facts["max_abs_diff"] <= EXPORT_PARITY, entry.get("reason")
    assert facts["needs_python_class"] is True and "could not be deserialized" in facts["without_class_error"]
