"""The experts' settings and the timed work: named options beside each default, each recorded by name in the
typed facts of the result it produced."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from probes.facts import SpeedFacts
from probes.variants import VARIANTS

EXPERT_SETTINGS = ("torch-expert", "keras-tensorflow-spe", "tensorflow-onednn-off")
AS_WRITTEN = ("torch-as-written", "keras-tensorflow-as-written", "tensorflow-as-written")


@pytest.mark.parametrize("variant_id", EXPERT_SETTINGS + AS_WRITTEN)
def test_each_setting_is_a_named_option_of_its_framework_never_a_candidate(variant_id):
    variant = VARIANTS[variant_id]
    assert variant.option_of is not None and not variant.candidate
    assert VARIANTS[variant.option_of].framework == variant.framework


def test_the_input_pipelines_as_written_are_measured_on_request_only():
    assert all(VARIANTS[v].on_request for v in AS_WRITTEN)
    assert not any(VARIANTS[v].on_request for v in EXPERT_SETTINGS)


def test_every_setting_has_a_typed_fact_of_its_own():
    named = set(SpeedFacts.__dataclass_fields__)
    assert {"timed_work", "input_pipeline", "optimizer", "memory_format", "steps_per_execution", "onednn"} <= named


def _measured(variant_id: str, model: str) -> dict:
    """One speed process of the variant on the model, through the worker, with tiny windows."""
    from probes.budgets import BUDGETS
    from probes.children import child_env
    from probes.plan import ProbePlan, make_plan

    variant = VARIANTS[variant_id]
    plan: ProbePlan = make_plan(BUDGETS["tiny"], variants=[variant_id], models=[model], threads=1, device="cpu")
    settings = {**plan.settings(), "window_s": 0.02, "windows": 2, "warmup_steps": 1, "infer_repeats": 0}
    request = {"variant": variant_id, "variant_info": variant.request(), "kind": "speed",
               "cases": [[model, ""]], "settings": settings}  # fmt: skip
    return request, child_env(variant, plan, 1)


@pytest.mark.frameworks
@pytest.mark.parametrize(
    ("variant_id", "expected"),
    [
        ("torch-expert", {"memory_format": "channels_last", "timed_work": "step only"}),
        ("keras-tensorflow-spe", {"steps_per_execution": 16, "timed_work": "step only"}),
        ("tensorflow-onednn-off", {"onednn": False}),
        ("torch-as-written", {"timed_work": "as written"}),
    ],
)
def test_each_setting_is_recorded_under_its_name_in_the_results_facts(tmp_path, variant_id, expected):
    request, env = _measured(variant_id, "cnn")
    (tmp_path / "request.json").write_text(json.dumps(request))
    done = subprocess.run(
        [sys.executable, "-m", "probes.worker", str(tmp_path / "request.json"), str(tmp_path / "result.json")],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [result] = json.loads((tmp_path / "result.json").read_text())["results"]
    assert result["status"] == "ok", result.get("reason")
    assert {key: result["facts"].get(key) for key in expected} == expected
    if variant_id == "torch-expert":
        assert "fused=True" in result["facts"]["optimizer"]
