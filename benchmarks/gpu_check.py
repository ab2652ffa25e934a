"""(g) The GPU path in one command: the standard speed probe on the GPU, then a checklist.

    python -m benchmarks.gpu_check [--out FOLDER]     (about 5-8 minutes on one GPU)

Runs every installed variant at the standard budget's speed settings, plus the mixed-precision
options (torch-amp, keras-tensorflow-mixed), on the GPU, writes the evidence (default
gpu-check/evidence.json) and prints one line per check, PASS or FAIL with the figures behind it:

- the driver supports the CUDA runtime every framework was built for (probes/environment.py);
- every variant trained on the GPU, TensorFlow and PyTorch both;
- GPU peaks are per model: the same model's peak agrees across processes (within 10%) whichever
  model ran before it in the process (the models' order rotates between rounds);
- utilisation (achieved FLOP/s over the matmul peak, TF32 allowed) stays below 100%;
- each result names its precision, and the mixed-precision options have figures and an accuracy.

Exit status 0 when every check passes, 1 when one fails, 2 when there is no NVIDIA GPU here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import replace
from pathlib import Path

MIXED = ("torch-amp", "keras-tensorflow-mixed")
PEAK_AGREEMENT = 0.10


def checklist(evidence) -> list[tuple[bool, str]]:  # noqa: ANN001 - probes.evidence.Evidence
    """(passed, line) per check, from the evidence alone: also runs on a saved evidence file."""
    from probes.devices import GPU, device_of

    speed = [r for r in evidence.results if r.kind == "speed" and not r.case]
    checks: list[tuple[bool, str]] = []
    problems = evidence.environment.get("cuda_readiness") or []
    checks.append((not problems, "driver and CUDA runtimes agree" + (f": {'; '.join(problems)}" if problems else "")))
    off = sorted({r.variant for r in speed if not r.ok or device_of(r) != GPU})
    checks.append((not off and bool(speed), "every variant on the GPU" + (f"; not: {', '.join(off)}" if off else "")))
    families = {r.variant for r in speed if r.ok and device_of(r) == GPU}
    both = "torch" in families and ("tensorflow" in families or "keras-tensorflow" in families)
    checks.append((both, f"TensorFlow and PyTorch both on the device ({', '.join(sorted(families)) or 'none'})"))
    spreads = []
    for r in speed:
        peaks = r.samples.get("gpu_peak_mb") or []
        if len(peaks) > 1:
            spreads.append((max(peaks) / min(peaks) - 1, f"{r.variant}/{r.model} {min(peaks):.0f}-{max(peaks):.0f} MB"))
    worst = max(spreads, default=(0.0, "no GPU peaks recorded"))
    checks.append(
        (bool(spreads) and worst[0] <= PEAK_AGREEMENT, f"peaks per model agree across processes (worst: {worst[1]})")
    )
    utilisation = [(u, r.variant, r.model) for r in speed for u in r.samples.get("utilisation") or []]
    top = max(utilisation, default=(None, "", ""))
    checks.append(
        (
            bool(utilisation) and top[0] < 1.0,
            f"utilisation below 100% (highest {top[0]:.0%}, {top[1]}/{top[2]})" if top[0] else "no utilisation",
        )
    )
    unnamed = sorted({r.variant for r in speed if r.ok and not r.facts.precision})
    checks.append((not unnamed, "every result names its precision" + (f"; not: {unnamed}" if unnamed else "")))
    for option in MIXED:
        mine = [r for r in speed if r.variant == option and r.ok]
        rates = [
            statistics.median(r.samples["train_samples_per_s"]) for r in mine if "train_samples_per_s" in r.samples
        ]
        accuracy = [a for r in mine for a in r.samples.get("test_accuracy") or []]
        shown = ", ".join(f"{r.model} {rate:,.0f}/s" for r, rate in zip(mine, rates, strict=False))
        checks.append(
            (
                bool(rates) and bool(accuracy),
                f"{option}: {shown or 'no figures'}; accuracy {', '.join(f'{a:.2f}' for a in accuracy) or 'none'}"
                f" ({mine[0].facts.precision if mine else 'not run'})",
            )
        )
    return checks


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("gpu-check"))
    parser.add_argument("--evidence", type=Path, help="check a saved evidence.json instead of measuring")
    args = parser.parse_args(argv)

    from probes.budgets import BUDGETS
    from probes.environment import collect_gpu, cuda_readiness
    from probes.evidence import Evidence
    from probes.runner import make_plan, run_probes
    from probes.variants import VARIANTS, missing_requirement

    if args.evidence is not None:
        evidence = Evidence.from_json(json.loads(args.evidence.read_text()), str(args.evidence))
    else:
        gpus = collect_gpu()["gpus"]
        if not gpus:
            print("No NVIDIA GPU here (nvidia-smi found none): nothing to check.")
            return 2
        print(f"GPU: {gpus[0]['name']}, driver {gpus[0]['driver']}")
        for problem in cuda_readiness():
            print(f"warning: {problem}")
        variants = [v for v in VARIANTS if missing_requirement(VARIANTS[v]) is None]
        budget = replace(BUDGETS["standard"], kinds=("speed",), variants=None)
        plan = make_plan(budget, variants, device="auto")
        evidence = run_probes(plan, progress=lambda e: print(f"  {e.event} {e.variant} {e.kind}", flush=True))
        evidence.environment["cuda_readiness"] = cuda_readiness()
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "evidence.json").write_text(json.dumps(evidence.to_json(), indent=1))
        print(f"Evidence: {args.out / 'evidence.json'} ({evidence.wall_s:.0f} s)")
    checks = checklist(evidence)
    for passed, line in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {line}")
    return 0 if all(passed for passed, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
