"""Mixed precision: its own mode, on request, the 16-bit type chosen alike for every framework (issue 19)."""

from __future__ import annotations

import pytest

from probes.budgets import BUDGETS
from probes.children import child_env, run_child, worker_command
from probes.plan import make_plan
from probes.precision import cpu_has_bf16, mixed_dtype
from probes.schedule import expected_cases
from probes.variants import VARIANTS

MIXED = ("torch-amp", "keras-tensorflow-mixed")


@pytest.mark.parametrize(
    ("device", "capability", "cpu_bf16", "dtype"),
    [
        ("cuda", (9, 0), None, "bfloat16"),  # Hopper
        ("gpu", (8, 0), None, "bfloat16"),  # Ampere
        ("cuda", (7, 5), None, "float16"),  # Turing: float16 with loss scaling
        ("cpu", None, True, "bfloat16"),  # AVX512-BF16 or AMX
        ("cpu", None, False, None),  # emulated bfloat16 would be slower than float32
    ],
)
def test_the_16_bit_type_follows_the_hardware(device, capability, cpu_bf16, dtype):
    assert mixed_dtype(device, capability, cpu_bf16) == dtype


def test_bf16_is_read_from_the_cpu_flags(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor: 0\nflags\t\t: fpu sse avx2 avx512f\n")
    assert cpu_has_bf16(cpuinfo) is False
    cpuinfo.write_text("processor: 0\nflags\t\t: fpu avx512f avx512_bf16 amx_tile\n")
    assert cpu_has_bf16(cpuinfo) is True


def test_mixed_precision_is_an_option_on_request_never_a_candidate_nor_a_default():
    plan = make_plan(BUDGETS["quick"])
    for variant in MIXED:
        assert VARIANTS[variant].option_of and not VARIANTS[variant].candidate
        assert variant not in plan.variants
        assert VARIANTS[variant].own_accuracy_check  # the accuracy check runs in that mode
    assert set(MIXED) <= set(make_plan(BUDGETS["quick"], list(MIXED)).variants)


@pytest.mark.parametrize("variant_id", MIXED)
def test_a_mixed_precision_child_trains_in_16_bits_or_says_why_not(variant_id):
    variant = VARIANTS[variant_id]
    plan = make_plan(BUDGETS["tiny"], [variant_id], threads=1, device="cpu")
    request = {
        "variant": variant_id,
        "variant_info": variant.request(),
        "kind": "speed",
        "cases": expected_cases(variant, "speed", ["mlp"]),
        "settings": plan.settings(),
    }
    outcome = run_child(worker_command(), request, child_env(variant, plan), 300)
    (entry,) = [e for e in (outcome.payload or {}).get("results", []) if not e["case"]] or [None]
    assert entry is not None, outcome.output_tail[-2000:]
    if cpu_has_bf16():
        assert entry["status"] == "ok", entry.get("reason")
        assert "mixed" in entry["facts"]["precision"] and "bfloat16" in entry["facts"]["precision"]
        assert entry["samples"]["train_samples_per_s"][0] > 0
    else:
        assert entry["status"] == "skipped"
        assert "avx512_bf16" in entry["reason"]


def test_the_amp_step_is_pytorchs_recipe_autocast_around_forward_and_loss_only():
    import inspect

    from probes.pytorch.speed import amp_train_epoch

    source = inspect.getsource(amp_train_epoch)
    autocast_block = source.split("with torch.autocast")[1].split("scaler.scale")[0]
    assert "loss_fn(model(inputs), labels)" in autocast_block
    assert "backward" not in autocast_block
    assert "scaler.step(optimizer)" in source and "scaler.update()" in source


def test_settings_say_the_figures_are_float32_unless_a_variant_says_otherwise():
    assert "float32" in make_plan(BUDGETS["tiny"]).settings()["precision"]


def test_the_variant_option_help_names_every_variant():
    from typer.testing import CliRunner

    from advisor.cli import app

    shown = CliRunner().invoke(app, ["probe", "--help"], env={"COLUMNS": "400"}).output
    missing = [v for v in VARIANTS if v not in shown]
    assert missing == []
