"""The user's model in a run's plan, survey, schedule and collector: which children measure it, in which order,
and what every expected result says when it could not run; no process is started here."""

from __future__ import annotations

from dataclasses import replace

from probes.budgets import BUDGETS
from probes.children import ChildOutcome
from probes.collector import Collector
from probes.plan import for_target, make_plan
from probes.schedule import schedule, survey
from probes.user_model import OWN_KINDS, OWN_MODEL, user_model

KERAS = user_model("net.keras")
TORCH = user_model("net.py:build")


def plan(model=KERAS, variants=("torch", "keras-tensorflow"), **budget):
    return make_plan(replace(BUDGETS["tiny"], **budget), variants=variants, threads=2, model=model)


def installed(variant):
    return None


def test_a_keras_file_adds_the_backends_the_budget_leaves_out_for_its_own_kinds_only():
    chosen = plan()
    assert chosen.measured_variants == ("torch", "keras-tensorflow", "keras-torch", "keras-jax")
    assert chosen.kinds_of("keras-jax") == OWN_KINDS
    assert chosen.kinds_of("keras-tensorflow") == ("speed", *OWN_KINDS)
    assert chosen.kinds_of("torch") == ("speed",)  # PyTorch cannot load a .keras file


def test_each_backend_trains_the_keras_file_and_takes_its_own_routes():
    found = survey(plan(), installed)
    assert found.cases[("keras-jax", "own_model")] == ((OWN_MODEL, "fit"),)
    assert found.cases[("keras-tensorflow", "own_export")] == ((OWN_MODEL, "tflite"), (OWN_MODEL, "onnx"))
    assert found.cases[("keras-torch", "own_export")] == (
        (OWN_MODEL, "executorch"),
        (OWN_MODEL, "onnx"),
        (OWN_MODEL, "tflite"),
    )
    assert ("torch", "own_model") not in found.cases


def test_a_pytorch_module_runs_eager_and_with_each_named_option():
    found = survey(plan(TORCH), installed)
    assert [case for _, case in found.cases[("torch", "own_model")]] == [
        "eager",
        "compile",
        "channels_last",
        "fused_adam",
    ]
    assert [case for _, case in found.cases[("torch", "own_export")]] == ["onnx", "executorch"]


def test_the_routes_tried_are_those_of_the_answers_target():
    found = survey(for_target(plan(), "server"), installed)
    assert found.cases[("keras-tensorflow", "own_export")] == ((OWN_MODEL, "onnx"),)


def test_a_backend_that_is_not_installed_is_recorded_for_the_users_model_with_its_reason():
    chosen = plan()
    found = survey(chosen, lambda v: "jax is not installed" if v.id == "keras-jax" else None)
    results = Collector(chosen, found, {}, "now", 0.0).evidence(complete=True).results
    jax = [(r.kind, r.model, r.case, r.status, r.reason) for r in results if r.variant == "keras-jax"]
    assert jax == [
        ("own_model", OWN_MODEL, "fit", "not_installed", "jax is not installed"),
        ("own_export", OWN_MODEL, "onnx", "not_installed", "jax is not installed"),
    ]


def test_the_users_model_runs_in_interleaved_rounds_after_the_speed_rounds():
    chosen = plan(variants=("keras-tensorflow",), processes=2)
    order = schedule(chosen, survey(chosen, installed))
    assert [(j.variant, j.kind, j.round) for j in order.rounds] == [
        ("keras-tensorflow", "speed", 0),
        ("keras-tensorflow", "speed", 1),
        ("keras-tensorflow", "own_model", 0),
        ("keras-torch", "own_model", 0),
        ("keras-jax", "own_model", 0),
        ("keras-jax", "own_model", 1),
        ("keras-torch", "own_model", 1),
        ("keras-tensorflow", "own_model", 1),
    ]


def test_the_users_routes_start_first_among_the_untimed_children():
    chosen = plan(variants=("keras-tensorflow",), kinds=("speed", "export"))
    order = schedule(chosen, survey(chosen, installed))
    assert [j.kind for j in order.after][:3] == ["own_export"] * 3


def test_a_plan_of_the_model_alone_measures_no_reference_model():
    chosen = make_plan(BUDGETS["quick"], model=KERAS, only_model=True, threads=2)
    order = schedule(chosen, survey(chosen, installed))
    assert {j.kind for j in order.jobs} == set(OWN_KINDS)
    assert chosen.settings()["own_model"]["source"] == "net.keras"


def test_a_model_that_hangs_is_the_models_timeout_and_the_reference_figures_stand():
    chosen = plan(variants=("torch",), model=TORCH)
    found = survey(chosen, installed)
    collector = Collector(chosen, found, {}, "now", 0.0)
    for job in schedule(chosen, found).jobs:
        if job.kind == "speed":
            measured = [
                {"model": m, "case": c, "status": "ok", "samples": {"train_samples_per_s": [9.0]}} for m, c in job.cases
            ]
            collector.absorb(job, ChildOutcome(0, False, 1.0, {"results": measured}, ""))
        else:
            collector.absorb(job, ChildOutcome(None, True, 20.0, None, ""))
    results = collector.evidence(complete=True).results
    assert {(r.kind, r.status) for r in results} == {
        ("speed", "ok"),
        ("own_model", "timeout"),
        ("own_export", "timeout"),
    }
    assert all("no result within the 20 s timeout" in r.reason for r in results if not r.ok)
