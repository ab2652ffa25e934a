"""Run one real probe child, as the runner starts it, and read back its results by case.

Each variant runs in its own worker process with the variant's environment (KERAS_BACKEND, one
thread, the CPU), so the tests see what a run would record without the runner's rounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from probes.children import child_env, run_child, worker_command
from probes.facts import facts_class
from probes.schedule import expected_cases
from probes.variants import VARIANTS

SETTINGS = {"threads": 1, "device": "cpu", "seed": 0}


def run_probe(
    variant_id: str, kind: str, models: Sequence[str] = ("mlp", "cnn"), timeout_s: float = 300
) -> dict[str, dict[str, Any]]:
    """{case: the worker's entry (status, reason, facts)} for every case of one variant's probe."""
    variant = VARIANTS[variant_id]
    request = {
        "variant": variant_id,
        "variant_info": variant.request(),
        "kind": kind,
        "cases": expected_cases(variant, kind, models),
        "settings": SETTINGS,
    }
    outcome = run_child(worker_command(), request, child_env(variant, SimpleNamespace(**SETTINGS)), timeout_s)
    payload = outcome.payload or {}
    if outcome.timed_out or "import_error" in payload or not payload.get("results"):
        raise AssertionError(
            f"{variant_id} {kind} child gave no results: {payload.get('import_error')}\n{outcome.output_tail[-3000:]}"
        )
    for entry in payload["results"]:  # every fact a real probe records is one probes/facts.py knows
        facts_class(kind).from_json(entry.get("facts") or {})
    return {entry["case"] or entry["model"]: entry for entry in payload["results"]}
