"""Debugging probes: every standard bug plants into every reference and takes effect there, for real.

Planting reads only source text; the framework tests run each variant's debugging probe once, in a
child process as a run does (tests/support/probe_children.py), and check every case it recorded.
"""

from __future__ import annotations

import functools
import importlib

import pytest

from probes.contract import framework_probe
from probes.keras.debugging import WRAPPERS as KERAS_WRAPPERS  # Keras's own and TensorFlow's
from probes.kinds import debug_steps, debugging
from probes.schedule import expected_cases, implements
from probes.variants import VARIANTS, missing_requirement
from tests.support.probe_children import run_probe

FRAMEWORKS = sorted({v.framework for v in VARIANTS.values()})
BUGS = {f: importlib.import_module(f"probes.{f}.debugging").BUGS for f in FRAMEWORKS}
DEBUGGED = [v for v in VARIANTS if implements(VARIANTS[v], "debugging") and VARIANTS[v].kinds is None]
MODELS = ("mlp", "cnn")


def _params(keep) -> list:
    return [pytest.param(f, b, id=f"{f}-{b.id}") for f, bugs in BUGS.items() for b in bugs if keep(b)]


@pytest.mark.parametrize(("framework", "bug"), _params(lambda b: b.edits))
def test_every_bug_plants_into_its_reference_at_one_named_line(framework, bug):
    reference = framework_probe(framework).reference_path()
    source = reference.read_text(encoding="utf-8")
    planted = debugging.plant(source, bug)
    assert planted.source != source
    assert planted.planted_line in planted.site_lines
    compile(planted.source, str(reference), "exec")  # still Python


@pytest.mark.parametrize(("framework", "bug"), _params(lambda b: b.script and not b.edits))
def test_a_bug_in_the_users_script_leaves_the_reference_as_it_is_and_names_the_scripts_line(framework, bug):
    source = framework_probe(framework).reference_path().read_text(encoding="utf-8")
    planted = debugging.plant(source, bug)
    assert planted.source == source and planted.planted_line == 0
    assert planted.planted_text == bug.script_line != ""


@pytest.mark.parametrize(("framework", "bug"), _params(lambda b: b.prevented))
def test_a_bug_the_frameworks_idiom_cannot_make_says_why_and_is_never_planted(framework, bug):
    assert bug.expect == "prevented" and not bug.edits and not bug.script
    assert len(bug.prevented) > 40  # a reason, not a word


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_framework_answers_for_every_standard_bug_once(framework):
    ids = [b.id for b in BUGS[framework]]
    assert sorted(ids) == sorted(debugging.BUG_TITLES)


def test_a_silent_bug_names_the_words_that_would_name_its_cause():
    for framework, bugs in BUGS.items():
        for bug in bugs:
            if bug.expect in ("silent", "nan"):
                assert bug.cause, (framework, bug.id)


@pytest.mark.parametrize(
    ("bug_id", "text", "named"),
    [
        ("target_broadcast", "UserWarning: This will likely lead to incorrect results due to broadcasting.", True),
        ("softmax_before_loss", "the `output` argument was produced by a Softmax activation", True),
        ("nan_custom_op", 'Detected Infinity or NaN in output 0 of graph op "Log"', True),
        ("nan_custom_op", "Function 'LogSoftmaxBackward0' returned nan values in its 0th output.", False),
        ("nan_custom_op", "Anomaly Detection has been enabled.", False),
        ("missing_zero_grad", "a gradient that was accumulated", True),
    ],
)
def test_a_message_names_the_cause_only_with_one_of_the_bugs_own_words_whole(bug_id, text, named):
    bug = debugging.bug_by_id(BUGS["pytorch"], bug_id)
    assert debugging.names_cause(bug, [text]) is named


TRACED_TF_MESSAGE = """in user code:

    File "/tmp/x/reference.py", line 112, in train_step  *
        logits = model(inputs)

    ValueError: Dimensions must be equal, but are 64 and 63 for '{{node matmul}} = MatMul[T=DT_FLOAT]'
"""
KERAS_MESSAGE = """Exception encountered when calling Sequential.call().

Input 0 of layer 'dense' is incompatible with the layer: expected axis -1 of input shape to have value 63

Arguments received by Sequential.call():
  • inputs=tf.Tensor(shape=(16, 64), dtype=float32)
"""


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (TRACED_TF_MESSAGE, "ValueError: Dimensions must be equal, but are 64 and 63"),
        (KERAS_MESSAGE, "Input 0 of layer 'dense' is incompatible with the layer"),
        ("mat1 and mat2 shapes cannot be multiplied (16x64 and 63x128)\nmore", "mat1 and mat2 shapes cannot be"),
    ],
)
def test_the_recorded_error_is_the_line_that_says_what_went_wrong_not_a_wrapper(message, expected):
    assert debugging.headline(message, KERAS_WRAPPERS).startswith(expected)


def test_every_variant_with_a_reference_has_a_debugging_probe():
    assert set(DEBUGGED) >= {"torch", "keras-tensorflow", "tensorflow", "keras-torch"}


@functools.cache
def debugging_run(variant: str) -> dict:
    return run_probe(variant, "debugging", MODELS)


def _cases(variant: str) -> list[str]:
    return [case for _, case in expected_cases(VARIANTS[variant], "debugging", MODELS)]


@pytest.mark.frameworks
@pytest.mark.parametrize(("variant", "case"), [(v, c) for v in DEBUGGED for c in _cases(v)])
def test_every_planted_bug_is_detected_as_planted(variant, case):
    missing = missing_requirement(VARIANTS[variant])
    if missing:
        pytest.skip(missing)
    entry = debugging_run(variant)[case]
    assert entry["status"] == "ok", entry.get("reason")
    facts = entry["facts"]
    framework = VARIANTS[variant].framework
    bug = debugging.bug_by_id(BUGS[framework], debugging.split_case(case)[0])
    if bug.prevented:
        assert facts["prevented"] is True and facts["surfaced_at"] == "prevented" and facts["prevented_why"]
        return
    assert facts["detected"] is True, facts
    source = framework_probe(framework).reference_path().read_text(encoding="utf-8")
    assert facts["planted_text"] == debugging.plant(source, bug).planted_text
    if bug.expect == "error" and not facts.get("absorbed"):  # Keras casts a float64 layer's inputs: absorbed
        assert facts["exception_type"] and facts["surfaced_at"] in ("build", "compile", "first_step", "later_step")
        assert not any(wrapper.opening.match(facts["error"]) for wrapper in KERAS_WRAPPERS)
    if bug.expect == "silent" and facts["surfaced_at"] != "warning":
        assert facts["planted_effect"], facts  # the bug took effect, and the probe read it off the model
    if bug.expect != "print":  # the steps after the default run: a test run measures them all
        assert facts["found_by"] in debug_steps.STAGES + ("none",) or facts.get("absorbed"), facts


@pytest.mark.frameworks
def test_a_print_inside_a_tf_function_runs_when_traced_not_at_every_step():
    if missing_requirement(VARIANTS["tensorflow"]):
        pytest.skip("tensorflow is not installed")
    run = debugging_run("tensorflow")
    traced, eager = run["print_in_forward_traced"]["facts"], run["print_in_forward_eager"]["facts"]
    assert traced["steps"] == eager["steps"] == debugging.STEPS
    # Every batch has the same shape, so one signature; its first call is traced twice, because the Keras
    # optimizer creates its variables while tf.function traces the step, and tf.function then traces it again.
    assert traced["print_count"] == 2
    assert eager["print_count"] == debugging.STEPS
    assert "tf.function" in traced["mode"] and "run_functions_eagerly" in eager["mode"]


@pytest.mark.frameworks
def test_tensorflow_errors_quote_the_planted_line_from_inside_the_traced_step():
    if missing_requirement(VARIANTS["tensorflow"]):
        pytest.skip("tensorflow is not installed")
    run = debugging_run("tensorflow")
    for case in ("wrong_input_size", "wrong_flatten", "dtype_mismatch"):
        facts = run[case]["facts"]
        assert facts["surfaced_at"] == "first_step"  # traced at the first call, not when built
        assert facts["points_at_planted_line"] is True, (case, facts["message_excerpt"])
        assert facts["traceback_filtering"] is True
