"""Each framework at its default and at its experts' settings, on each workload, with the regime of each figure.

    python -m benchmarks.workloads [--models resnet,encoder,lstm256,cnn] [--processes 4] [--window-s 0.25]
                                   [--windows 4] [--variants ...] [--out DIR]

Runs the speed probe (probes/runner.py, interleaved ABBA rounds of fresh processes, as `advisor probe`
does) on the chosen models for every default and its named options: PyTorch and PyTorch with
channels_last and fused Adam, Keras on TensorFlow and with steps_per_execution, low-level TensorFlow
and with oneDNN off, Keras on JAX and on PyTorch; then prints, per model, each variant's samples/s
(median and IQR over processes), its share of this machine's matmul peak and regime, its first step,
and each option against its default and each framework against the fastest with their 95% intervals.
The figures behind issue 25's claims (the CNN gap before and after the experts' settings, Keras on JAX
against the other backends, the gap on realistic workloads); run it on a quiet machine. `--processes 2
--windows 2 --window-s 0.05 --models cnn` checks it runs in a few minutes.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from probes.budgets import BUDGETS
from probes.evidence import Evidence, process_interval
from probes.plan import make_plan
from probes.runner import run_probes
from probes.variants import VARIANTS

DEFAULTS = ("torch", "keras-tensorflow", "tensorflow", "keras-jax", "keras-torch")
EXPERTS = ("torch-expert", "keras-tensorflow-spe", "tensorflow-onednn-off")


def measure(models: list[str], variants: list[str], processes: int, windows: int, window_s: float) -> Evidence:
    budget = replace(
        BUDGETS["standard"],
        name="workloads",
        kinds=("speed",),
        processes=processes,
        option_processes=processes,
        options_on_their_regime=False,
        windows=windows,
        window_s=window_s,
        accuracy_check=False,
        infer_repeats=0,
    )
    return run_probes(make_plan(budget, variants=variants, models=models))


def _percent(value: float | None) -> str:
    return f"{value:.1%}" if value is not None else "–"


def report(evidence: Evidence, models: list[str], variants: list[str]) -> list[str]:
    """Per model: each variant's figure and regime, then each option against its default and each framework
    against the fastest, with their intervals."""
    lines = []
    for model in models:
        lines.append(f"\n== {model}")
        rates = {}
        for variant in variants:
            result = evidence.result(variant, model)
            if result is None or not result.ok:
                lines.append(f"  {variant:24} {result.status if result else 'not run'}")
                continue
            rate, first = result.summary("train_samples_per_s"), result.summary("first_step_s")
            rates[variant] = rate.median if rate else 0.0
            share = result.facts.peak_share
            lines.append(
                f"  {variant:24} {rate.median if rate else 0:>9,.0f} samples/s (IQR {rate.q1 if rate else 0:,.0f}–"
                f"{rate.q3 if rate else 0:,.0f}, n={rate.n if rate else 0})  {_percent(share)} of peak, "
                f"{result.facts.regime or 'no regime'}; first step {first.median if first else 0:.2f} s"
            )
        for option in (v for v in variants if VARIANTS[v].option_of and v in rates):
            lines.append(_compared(evidence, model, option, VARIANTS[option].option_of or ""))
        candidates = sorted((v for v in rates if VARIANTS[v].candidate), key=lambda v: -rates[v])
        lines += [_compared(evidence, model, candidates[0], other) for other in candidates[1:]]
    return lines


def _compared(evidence: Evidence, model: str, a: str, b: str) -> str:
    first, second = evidence.result(a, model), evidence.result(b, model)
    interval = process_interval(first, second, "train_samples_per_s") if first and second else None
    if interval is None:
        return f"  {a} / {b}: no interval (fewer than two processes a side)"
    return f"  {a} / {b}: {interval.ratio:.2f}x (95% CI {interval.low:.2f}–{interval.high:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="cnn,resnet,encoder,lstm256")
    parser.add_argument("--variants", default=",".join(DEFAULTS + EXPERTS))
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--windows", type=int, default=4)
    parser.add_argument("--window-s", type=float, default=0.25)
    parser.add_argument("--out", type=Path, help="also write the evidence here (evidence.json)")
    args = parser.parse_args()
    models, variants = args.models.split(","), args.variants.split(",")
    evidence = measure(models, variants, args.processes, args.windows, args.window_s)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "evidence.json").write_text(json.dumps(evidence.to_json(), indent=1))
    peak = (evidence.environment.get("matmul_peak") or {}).get("gflops")
    print(f"matmul peak {peak or '?'} GFLOP/s; wall {evidence.wall_s or 0:.0f} s")
    print("\n".join(report(evidence, models, variants)))


if __name__ == "__main__":
    main()
