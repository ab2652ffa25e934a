"""What a user does next when a planted bug's default run did not say what went wrong: the steps and their order.

The stages run as fakes here (a stage is a function of its name that returns that run's facts); the real
frameworks run them in tests/probes/test_debugging.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from probes.budgets import BUDGETS
from probes.kinds import debug_steps, debugging
from probes.pytorch.debugging import BUGS as TORCH_BUGS

SWITCHES = {"detector": "the detector", "default_mode": "traced", "eager": "the eager switch"}


def bug(bug_id: str) -> debugging.PlantedBug:
    return debugging.bug_by_id(TORCH_BUGS, bug_id)


def fake_stages(by_stage: dict[str, dict]) -> tuple[list[str], debug_steps.RunStage]:
    ran: list[str] = []

    def run(stage: str) -> dict:
        ran.append(stage)
        return dict(by_stage.get(stage, {}))

    return ran, run


SILENT = {"surfaced_at": "none", "exception_type": None, "names_cause": False}


def test_a_bug_the_default_run_names_takes_no_further_step():
    ran, run = fake_stages({"default": {"exception_type": "RuntimeError", "names_dtypes": True}})
    facts = debug_steps.climb(run, bug("float64_input"), True, SWITCHES, full=True)
    assert ran == ["default"]
    assert facts["found_by"] == "default" and facts["steps_to_find"] == 0


def test_a_detector_that_raises_and_names_the_cause_finds_it_in_one_step():
    detector = {"exception_type": "InvalidArgumentError", "names_cause": True, "error": "NaN in op Log"}
    ran, run = fake_stages({"default": SILENT, "detector": detector, "print": {"print_reveals": True}})
    facts = debug_steps.climb(run, bug("nan_custom_op"), True, SWITCHES, full=True)
    assert facts["found_by"] == "detector" and facts["steps_to_find"] == 1
    assert facts["detector"] == "the detector" and facts["detector_found"] is True


def test_a_print_that_shows_only_a_symbolic_tensor_leads_to_the_eager_switch_and_counts_two_steps():
    ran, run = fake_stages(
        {"default": SILENT, "print": {"print_reveals": False}, "print_eager": {"print_reveals": True}}
    )
    facts = debug_steps.climb(run, bug("logits_as_probabilities"), True, SWITCHES, full=True)
    assert ran == ["default", "detector", "print", "print_eager"]
    assert facts["print_found"] is False and facts["print_eager_found"] is True
    assert facts["found_by"] == "print_eager" and facts["steps_to_find"] == 2
    assert facts["eager_switch"] == "the eager switch"


def test_an_eager_framework_has_no_eager_switch_to_try():
    ran, run = fake_stages({"default": SILENT, "print": {"print_reveals": False}})
    facts = debug_steps.climb(run, bug("logits_as_probabilities"), False, SWITCHES, full=True)
    assert ran == ["default", "detector", "print"]
    assert facts["found_by"] == "none" and facts["steps_to_find"] is None


def test_a_bug_no_print_of_the_outputs_can_show_is_not_printed_and_says_so():
    ran, run = fake_stages({"default": SILENT})
    facts = debug_steps.climb(run, bug("missing_zero_grad"), True, SWITCHES, full=True)
    assert ran == ["default", "detector"]
    assert facts["print_found"] is False and "shows nothing of this bug" in facts["print_excerpt"]


def test_a_detector_that_raises_without_naming_the_cause_does_not_find_it():
    detector = {"exception_type": "RuntimeError", "names_cause": False, "error": "LogSoftmaxBackward0 returned nan"}
    ran, run = fake_stages({"default": SILENT, "detector": detector})
    facts = debug_steps.climb(run, bug("nan_custom_op"), False, SWITCHES, full=True)
    assert facts["detector_found"] is False and facts["detector_error"] == "LogSoftmaxBackward0 returned nan"


def test_a_budget_without_the_steps_runs_the_default_only_and_says_where_they_run():
    ran, run = fake_stages({"default": SILENT})
    facts = debug_steps.climb(run, bug("nan_custom_op"), True, SWITCHES, full=False)
    assert ran == ["default"] and facts["found_by"] is None and "thorough" in facts["next_steps"]


def test_an_absorbed_bug_has_nothing_to_find():
    ran, run = fake_stages({"default": {**SILENT, "absorbed": True}})
    facts = debug_steps.climb(run, bug("dtype_mismatch"), True, SWITCHES, full=True)
    assert ran == ["default"] and facts["found_by"] is None


def test_the_thorough_budget_runs_the_steps_and_a_test_run_without_a_budget_does_too():
    assert debug_steps.ladder_wanted({"budget": "thorough"}) is True
    assert debug_steps.ladder_wanted({}) is True
    assert all(debug_steps.ladder_wanted({"budget": name}) is b.debugging_steps for name, b in BUDGETS.items())


@pytest.mark.parametrize(
    ("bug_id", "printed", "revealed"),
    [
        ("nan_custom_op", "PROBE-PRINT tensor([[nan, nan]])", True),
        ("nan_custom_op", 'PROBE-PRINT Tensor("add_2:0", shape=(16, 10), dtype=float32)', False),
        ("softmax_before_loss", 'PROBE-PRINT Tensor("Softmax:0", shape=(16, 10), dtype=float32)', True),
        ("softmax_before_loss", "PROBE-PRINT tf.Tensor(" + ", ".join(["0.1"] * 10) + "], shape=(1, 10))", True),
        ("softmax_before_loss", "PROBE-PRINT tf.Tensor(" + ", ".join(["0.1"] * 9) + ", -0.3], shape=(1, 10))", False),
        ("logits_as_probabilities", "PROBE-PRINT tensor([[ 0.1035, -0.0560]])", True),
        ("logits_as_probabilities", 'PROBE-PRINT Tensor("add_2:0", shape=(16, 10), dtype=float32)', False),
        ("missing_zero_grad", "PROBE-PRINT tensor([[ 0.1035, -0.0560]])", False),
    ],
)
def test_a_print_of_the_outputs_gives_a_bug_away_only_when_what_it_shows_is_the_bugs_sign(bug_id, printed, revealed):
    assert debugging.reveals(bug(bug_id), printed) is revealed


def test_the_warnings_a_run_raises_are_recorded_and_one_naming_the_cause_makes_it_surface_as_a_warning():
    planted = debugging.Planted(bug("target_broadcast"), "", 0, frozenset())

    def run(progress: debugging.Progress) -> None:
        progress.enter("train")
        warnings.warn("A target size different to the input size: broadcasting.", UserWarning, stacklevel=1)
        progress.losses.append(0.5)

    facts = debugging.observe(run, planted, "reference.py", frozenset())
    assert facts["surfaced_at"] == "warning" and facts["names_cause"] is True
    assert facts["warning"].startswith("UserWarning: A target size") and facts["detected"] is True


def test_the_outputs_show_a_softmax_before_the_loss_and_a_regressions_shapes():
    probabilities = np.full((16, 10), 0.1)
    assert "probabilities" in debugging.output_effect(bug("softmax_before_loss"), probabilities, None)
    assert debugging.output_effect(bug("softmax_before_loss"), probabilities - 0.2, None) is None
    column = np.zeros((16, 1))
    said = debugging.output_effect(bug("target_broadcast"), column, np.zeros(16))
    assert "(16, 1)" in said and "(16,)" in said
    assert debugging.output_effect(bug("target_broadcast"), column, np.zeros((16, 1))) is None


def test_the_print_case_runs_its_default_stage_alone_its_counter_is_the_finding():
    ran, run = fake_stages({"default": {"counter": 12}})
    facts = debug_steps.climb(run, bug(debugging.PRINT_BUG), True, SWITCHES, full=True)
    assert ran == ["default"] and facts == {"counter": 12}
