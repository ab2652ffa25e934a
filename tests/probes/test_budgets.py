"""Budgets: even rounds for ABBA, a second of timed windows per model on standard, the workloads the answers
point at, and a time estimate from this machine's own matmul peak."""

from __future__ import annotations

import pytest

from probes.budgets import BUDGETS
from probes.eta import estimate_s, on_slower_vm_s, step_s
from probes.plan import for_target, make_plan, with_workloads
from probes.schedule import schedule, survey
from probes.specs import OVERHEAD_MODELS, REALISTIC_MODELS, workloads_like
from probes.variants import VARIANTS

TIMED = [b for b in BUDGETS.values() if "speed" in b.kinds]


@pytest.mark.parametrize("budget", TIMED, ids=lambda b: b.name)
def test_every_timed_budget_runs_an_even_number_of_rounds_so_abba_balances(budget):
    if budget.processes > 1:
        assert budget.processes % 2 == 0
        assert (budget.option_processes or budget.processes) % 2 == 0


def test_standard_times_each_model_for_a_second_a_process_in_windows_of_a_quarter_second():
    standard = BUDGETS["standard"]
    assert standard.windows * standard.window_s >= 1.0
    assert standard.window_s >= 0.25  # a millisecond of timer and dispatch cost stays under 1% of a window


def test_standard_measures_the_candidates_and_the_experts_settings_beside_them():
    standard = BUDGETS["standard"]
    options = [v for v in standard.variants or () if VARIANTS[v].option_of]
    assert {"torch-expert", "keras-tensorflow-spe"} <= set(options)
    assert "keras-jax" in (standard.variants or ())


def test_what_onednn_gives_is_thoroughs_not_an_expert_setting_standard_spends_its_minutes_on():
    assert "tensorflow-onednn-off" not in (BUDGETS["standard"].variants or ())
    assert BUDGETS["thorough"].variants is None  # every variant


@pytest.mark.parametrize(
    ("data_kind", "size", "expert", "spe"),
    [
        ("images", "medium", ("resnet",), ("mlp",)),  # each switch where it is a lever
        ("images", "small", ("mlp", "cnn"), ("mlp", "cnn")),  # no workload of channels_last's regime: every model
    ],
)
def test_standard_times_each_experts_setting_on_the_models_of_the_regime_where_it_is_a_lever(
    data_kind, size, expert, spe
):
    plan = with_workloads(make_plan(BUDGETS["standard"]), data_kind, size)
    found = survey(plan, lambda variant: None)
    assert [m for m, _ in found.cases[("torch-expert", "speed")]] == list(expert)
    assert [m for m, _ in found.cases[("keras-tensorflow-spe", "speed")]] == list(spe)


@pytest.mark.parametrize(
    ("target", "extras"),
    [
        (None, ()),
        ("none", ()),
        ("server", ()),
        ("mobile", ("int8",)),
        ("edge", ("int8",)),
        ("browser", ("int8", "browser")),
    ],
)
def test_standard_exports_with_the_extras_the_deployment_target_makes_relevant(target, extras):
    plan = for_target(make_plan(BUDGETS["standard"]), target)
    assert plan.export_extras == extras
    assert plan.settings()["export_extras"] == list(extras)


def test_thorough_makes_every_export_extra_whatever_the_target():
    assert for_target(make_plan(BUDGETS["thorough"]), "none").export_extras == ("int8", "browser")


def test_without_answers_standard_measures_its_default_workload_beside_the_overhead_probe():
    assert make_plan(BUDGETS["standard"]).models == ("mlp", "resnet")


@pytest.mark.parametrize(
    ("data_kind", "size", "models"),
    [
        ("images", "medium", ("mlp", "resnet")),
        ("text", "large", ("mlp", "encoder")),
        ("sequences", "medium", ("mlp", "lstm256")),
        ("tabular", "medium", ("mlp",)),
        ("images", "small", ("mlp", "cnn")),
        ("text", "small", ("mlp", "transformer")),
    ],
)
def test_the_answers_choose_the_workload_like_the_users_data_and_model_size(data_kind, size, models):
    assert with_workloads(make_plan(BUDGETS["standard"]), data_kind, size).models == models


def test_models_a_caller_chose_are_measured_as_chosen():
    plan = make_plan(BUDGETS["standard"], models=["cnn"])
    assert with_workloads(plan, "text", "medium").models == ("cnn",)


def test_quick_measures_the_overhead_probes_only_whatever_the_answers():
    assert with_workloads(make_plan(BUDGETS["quick"]), "text", "large").models == ("mlp", "cnn")


def test_every_realistic_workload_stands_for_some_data_kind_and_mixed_data_takes_them_all():
    assert workloads_like("mixed") == REALISTIC_MODELS
    assert workloads_like("mixed", realistic=False) == OVERHEAD_MODELS
    assert {m for kind in ("images", "text", "sequences") for m in workloads_like(kind)} == set(REALISTIC_MODELS)


def test_only_thorough_runs_the_accuracy_check_on_the_realistic_workloads():
    assert not set(REALISTIC_MODELS) & set(BUDGETS["standard"].accuracy_models)
    assert set(REALISTIC_MODELS) <= set(BUDGETS["thorough"].accuracy_models)


def _order(name: str, models: tuple[str, ...] | None = None):
    plan = make_plan(BUDGETS[name], models=models)
    return schedule(plan, survey(plan, lambda variant: None)), plan.budget  # as if every variant were installed


def _estimate(name: str, peak: float, models: tuple[str, ...] | None = None, interpreter_ms: float | None = None):
    order, budget = _order(name, models)
    return estimate_s(order, budget, peak, interpreter_ms)


def test_a_realistic_workloads_step_takes_tens_to_hundreds_of_ms_near_130_gflops():
    assert all(0.05 <= step_s(m, 64, 130.0) <= 1.0 for m in REALISTIC_MODELS)


def test_the_estimate_follows_the_machines_peak_where_the_arithmetic_is_large():
    slow, fast = _estimate("standard", 130.0), _estimate("standard", 520.0)
    assert fast < slow
    assert _estimate("quick", 520.0) > 0.7 * _estimate("quick", 130.0)  # quick is mostly start-up: little gain


def test_quick_fits_a_minute_on_the_slower_2_core_vm():
    assert on_slower_vm_s(*_order("quick")) <= 60


def test_a_slower_interpreter_lengthens_the_fixed_costs():
    assert _estimate("quick", 250.0, interpreter_ms=14.2) > 1.5 * _estimate("quick", 250.0, interpreter_ms=7.1)


def test_the_budgets_typical_time_is_the_estimate_on_the_slower_vm():
    for name in ("quick", "standard"):
        assert BUDGETS[name].typical_s == pytest.approx(on_slower_vm_s(*_order(name)), rel=0.1)
