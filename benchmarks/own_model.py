"""The figures `advisor probe --model` records for one model, printed: each backend or option, each route.

    python -m benchmarks.own_model MODEL [--model-input SHAPE] [--model-code FILE.py] [--budget quick]
                                    [--target TARGET] [--out FOLDER]
    python -m benchmarks.own_model MODEL --evidence FOLDER/evidence.json [--target TARGET]

MODEL is what --model takes (a .keras file, or FILE.py:FUNCTION returning an nn.Module). Only the
user's model is measured (no reference model), in probe children exactly as a run measures it:
`budget.processes` fresh processes per backend or option, in interleaved rounds. Printed per way of
training it: the median training throughput over processes with its spread (min-max), the first
step, inference at batch 1 and at the batch, training memory above the library, its share of the
matmul peak; then the fastest against each other with the 95% interval between processes; then each
deployment route for the target with parity, latency, size, int8 size and agreement, or its error.
`--out` keeps the evidence.json (render it with `advisor report`, after `advisor advise` adds answers).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from probes.evidence import Evidence, ProbeResult


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--model-input")
    parser.add_argument("--model-loss")
    parser.add_argument("--model-batch", type=int)
    parser.add_argument("--model-code")
    parser.add_argument("--unsafe-model", action="store_true")
    parser.add_argument("--budget", default="quick")
    parser.add_argument("--target", default=None, help="deployment target: routes weighing 1 or more for it")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--child-timeout", type=float, help="seconds before a child is killed (a model that hangs)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--evidence", type=Path, help="print a saved evidence.json's figures; measure nothing")
    args = parser.parse_args(argv)
    if args.evidence is not None:
        saved = Evidence.from_json(json.loads(args.evidence.read_text()))
        print("\n".join(report_lines(saved, args.target or "none")))
        return 0
    from probes.budgets import get_budget
    from probes.plan import make_plan
    from probes.runner import run_probes
    from probes.user_model import user_model

    try:
        model = user_model(
            args.model, args.model_input, args.model_loss, args.model_batch, args.model_code, args.unsafe_model
        )
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    budget = get_budget(args.budget)
    if args.child_timeout is not None:
        budget = replace(budget, child_timeout_s=args.child_timeout)
    routed = model.for_target(args.target)
    plan = make_plan(budget, threads=args.threads, device="cpu", model=routed, only_model=True)
    started = time.monotonic()
    evidence = run_probes(plan, lambda event: None)
    took_s = time.monotonic() - started
    print(f"{model.source}: {args.budget} budget, {plan.threads} threads, {took_s:.0f} s of measuring")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "evidence.json").write_text(json.dumps(evidence.to_json(), indent=1))
    for line in report_lines(evidence, args.target or "none"):
        print(line)
    return 0


def report_lines(evidence: Evidence, target: str) -> list[str]:
    lines = ["", "Training and inference (median over processes, min-max in brackets):"]
    for result in evidence.of_kind("own_model"):
        lines.append(trained_line(result))
    lines += ["", "Compared (ratio of training throughputs, 95% interval between processes):"]
    from advisor.scoring.own_model import own_comparisons, own_routes

    kind = str((evidence.settings.get("own_model") or {}).get("kind") or "")
    for c in own_comparisons(evidence, kind):
        noise = "  within noise" if c.within_noise else ""
        lines.append(
            f"  {c.a} {c.a_case} / {c.b} {c.b_case}: {c.ratio:.2f}x [{c.low:.2f}-{c.high:.2f}],"
            f" {c.processes[0]}+{c.processes[1]} processes{noise}"
        )
    lines += ["", f"Routes (target: {target}):"]
    credited = {(r.variant, r.path): r for r in own_routes(evidence, target)}
    for result in evidence.of_kind("own_export"):
        route = credited.get((result.variant, result.case))
        lines.append(route_line(result, route.status if route is not None else ""))
    return lines


def _spread(result: ProbeResult, metric: str, scale: float = 1.0, digits: int = 0) -> str:
    values = [v * scale for v in result.samples.get(metric) or []]
    if not values:
        return "-"
    summary = result.summary(metric)
    median = summary.median * scale if summary is not None else values[0]
    text = f"{median:,.{digits}f}"
    return text + (f" [{min(values):,.{digits}f}-{max(values):,.{digits}f}]" if len(values) > 1 else "")


def trained_line(result: ProbeResult) -> str:
    name = f"  {result.variant} {result.case}"
    if not result.ok:
        return f"{name}: {result.status}: {result.reason}"
    facts = result.facts
    return (
        f"{name}: {_spread(result, 'train_samples_per_s')} samples/s,"
        f" first step {_spread(result, 'first_step_s', 1, 2)} s,"
        f" infer batch 1 {_spread(result, 'infer_single_ms', 1, 2)} ms, batch {facts.batch_size}"
        f" {_spread(result, 'infer_batch_ms', 1, 2)} ms, train memory {_spread(result, 'train_memory_mb')} MB,"
        f" {_spread(result, 'utilisation', 100, 1)}% of peak; loss {facts.loss}"
    )


def route_line(result: ProbeResult, credited: str) -> str:
    facts: Any = result.facts
    name = f"  {result.variant} {result.case}"
    if result.status in ("not_installed", "skipped"):
        return f"{name}: {result.status}: {result.reason}"
    if facts.error or not result.ok:
        return f"{name}: failed: {str(facts.error or result.reason).splitlines()[0][:200]}"
    parts = [
        f"{credited or result.status}",
        f"max |diff| {facts.max_abs_diff:.1e}" if facts.max_abs_diff is not None else "parity -",
        f"{facts.call_ms:.3f} ms in {facts.runtime}" if facts.call_ms is not None else "no runtime call",
        f"{facts.size_bytes:,} bytes" if facts.size_bytes is not None else "size -",
    ]
    if facts.browser_runtime:
        browser = (
            f"{facts.browser_call_ms:.3f} ms in {facts.browser_runtime}, max |diff| {facts.browser_max_abs_diff:.1e}"
            if facts.browser_ok
            else f"{facts.browser_runtime}: {facts.browser_error or 'not run'}"
        )
        parts.append(browser)
    if facts.int8_size_bytes is not None:
        agreement = f", agrees on {facts.int8_agreement:.1%}" if facts.int8_agreement is not None else ""
        parts.append(f"int8 {facts.int8_size_bytes:,} bytes{agreement}")
    elif facts.int8_error:
        parts.append(f"int8: {facts.int8_error.splitlines()[0][:120]}")
    return f"{name}: " + "; ".join(parts)


if __name__ == "__main__":
    raise SystemExit(main())
