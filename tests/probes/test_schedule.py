"""The schedule: which children a run starts, in which order, on how many cores; no process is started here."""

from __future__ import annotations

from dataclasses import replace

from probes.budgets import BUDGETS
from probes.plan import make_plan
from probes.schedule import Job, Survey, longest_first, schedule, survey

SPEED_CASES = (("mlp", ""), ("cnn", ""), ("rnn", ""))


def plan(variants=("torch", "keras-tensorflow"), **budget):
    return make_plan(replace(BUDGETS["tiny"], **budget), variants=variants, threads=2)


def found(variants=("torch", "keras-tensorflow"), kinds=("speed",), cases=SPEED_CASES) -> Survey:
    """Every variant installed, each kind measuring `cases` (a scale or export child gets cases of its own)."""
    return Survey({(v, k): cases for v in variants for k in kinds}, {}, {}, tuple(variants))


def test_speed_rounds_interleave_the_variants_in_abba_order():
    order = schedule(plan(processes=4), found())
    assert [(j.variant, j.round) for j in order.rounds] == [
        ("torch", 0), ("keras-tensorflow", 0),
        ("keras-tensorflow", 1), ("torch", 1),
        ("torch", 2), ("keras-tensorflow", 2),
        ("keras-tensorflow", 3), ("torch", 3),
    ]  # fmt: skip


def test_each_round_starts_with_the_next_model_so_every_model_comes_first_in_some_process():
    order = schedule(plan(variants=("torch",), processes=4), found(("torch",)))
    assert [[m for m, _ in j.cases] for j in order.rounds] == [
        ["mlp", "cnn", "rnn"],
        ["cnn", "rnn", "mlp"],
        ["rnn", "mlp", "cnn"],
        ["mlp", "cnn", "rnn"],
    ]


def test_scale_rounds_follow_speeds_and_interleave_the_same_way():
    kinds = ("speed", "scale")
    order = schedule(plan(processes=2, scale_processes=2, kinds=kinds), found(kinds=kinds))
    assert [(j.variant, j.kind, j.round, j.rounds) for j in order.rounds] == [
        ("torch", "speed", 0, 2), ("keras-tensorflow", "speed", 0, 2),
        ("keras-tensorflow", "speed", 1, 2), ("torch", "speed", 1, 2),
        ("torch", "scale", 0, 2), ("keras-tensorflow", "scale", 0, 2),
        ("keras-tensorflow", "scale", 1, 2), ("torch", "scale", 1, 2),
    ]  # fmt: skip


def test_a_named_option_runs_only_in_the_first_option_rounds():
    variants = ("torch", "torch-compile")
    order = schedule(plan(variants=variants, processes=3, option_processes=1), found(variants))
    assert [(j.variant, j.round) for j in order.rounds] == [
        ("torch", 0),
        ("torch-compile", 0),
        ("torch", 1),
        ("torch", 2),
    ]


def test_the_untimed_children_start_longest_first_so_two_at_a_time_end_together():
    def job(variant: str, kind: str, accuracy: bool = False) -> Job:
        return Job(variant, kind, 0, 1, (), 1, accuracy=accuracy)

    later = [job("torch", "speed", accuracy=True), job("torch", "ease"), job("torch", "debugging")]
    later += [job("torch", "export"), job("keras-tensorflow", "export"), job("torch", "new-kind")]
    order = [(j.variant, j.shown) for j in sorted(later, key=longest_first)]
    assert order == [
        ("torch", "export"),
        ("keras-tensorflow", "export"),
        ("torch", "accuracy"),
        ("torch", "debugging"),
        ("torch", "ease"),
        ("torch", "new-kind"),
    ]


def test_the_schedule_puts_the_longest_untimed_children_first():
    kinds = ("speed", "ease", "debugging", "export")
    order = schedule(plan(variants=("torch",), kinds=kinds, accuracy_check=True), found(("torch",), kinds))
    assert [j.shown for j in order.after] == ["export", "accuracy", "debugging", "ease"]


def test_the_accuracy_check_asks_every_model_for_its_accuracy_case_in_one_child():
    order = schedule(plan(variants=("torch",), accuracy_check=True), found(("torch",)))
    (check,) = order.after
    assert check.kind == "speed" and check.accuracy and check.rounds == 1
    assert check.cases == (("mlp", "accuracy"), ("cnn", "accuracy"), ("rnn", "accuracy"))


def test_an_option_that_keeps_its_frameworks_numerics_gets_no_accuracy_check():
    variants = ("torch", "torch-compile", "torch-amp")
    order = schedule(plan(variants=variants, accuracy_check=True), found(variants))
    assert [j.variant for j in order.after] == ["torch", "torch-amp"]  # amp changes the numerics


def test_children_side_by_side_share_the_cores_and_are_not_charged_for_each_other():
    kinds = ("speed", "debugging")
    order = schedule(plan(kinds=kinds, parallel_children=2), found(kinds=kinds))
    assert order.workers == 2
    assert all(j.threads == 2 and j.alone for j in order.rounds)  # timed: alone, every core
    assert all(j.threads == 1 and not j.alone for j in order.after)


def test_a_variant_that_cannot_run_gets_no_child():
    variants = ("torch", "keras-tensorflow")
    cases = {(v, "speed"): SPEED_CASES for v in variants}
    missing = Survey(cases, {("keras-tensorflow", "speed"): ("not_installed", "no keras")}, {}, ("torch",))
    assert {j.variant for j in schedule(plan(processes=2), missing).jobs} == {"torch"}


def test_a_named_option_asks_for_no_inference_timings():
    order = schedule(plan(variants=("torch", "torch-compile")), found(("torch", "torch-compile")))
    requests = {j.variant: j.request(plan()) for j in order.rounds}
    assert requests["torch-compile"]["settings"]["infer_repeats"] == 0
    assert requests["torch"]["settings"]["infer_repeats"] == BUDGETS["tiny"].infer_repeats


def test_the_survey_records_a_variant_that_is_not_installed_with_its_reason():
    result = survey(plan(), lambda variant: "tensorflow is not installed" if variant.id != "torch" else None)
    assert result.runnable == ("torch",)
    assert result.missing == {"keras-tensorflow": "tensorflow is not installed"}
    assert result.skipped[("keras-tensorflow", "speed")] == ("not_installed", "tensorflow is not installed")
    assert result.cases[("torch", "speed")] == (("mlp", ""), ("cnn", ""))


def test_the_survey_skips_a_kind_the_framework_has_no_probe_for():
    result = survey(plan(variants=("torch",), kinds=("speed", "telepathy")), lambda variant: None)
    assert result.skipped[("torch", "telepathy")] == ("skipped", "no telepathy probe for PyTorch yet")
    assert not result.will_run("torch", "telepathy") and result.will_run("torch", "speed")
