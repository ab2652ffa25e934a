"""The scale probe's figures from an evidence file: batch curves, streamed training, data-parallel scaling.

    python -m benchmarks.scale_figures RUN_FOLDER_OR_EVIDENCE_JSON

Prints each figure as the median over processes with its IQR, the stream comparisons the big-data claim
is judged on with their 95% intervals from the spread between processes, and that claim's verdict.
Run `advisor probe --budget scale --out FOLDER` first (under `flock /work/timing.lock` on a shared machine).
"""

from __future__ import annotations

import sys
from pathlib import Path

from advisor.claims.rules import check_claims
from advisor.records.ledger import load_ledger
from advisor.runs import load_evidence
from probes.evidence import Evidence, process_interval
from probes.variants import label


def _fmt(result, metric: str) -> str:
    summary = result.summary(metric) if result is not None and result.ok else None
    if summary is None:
        return "–"
    return f"{summary.median:,.2f} [{summary.q1:,.2f}–{summary.q3:,.2f}] n={summary.n}"


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path("advisor-runs")
    evidence: Evidence = load_evidence(path / "evidence.json" if path.is_dir() else path)
    print(f"budget {evidence.settings.get('budget')}, run wall time {evidence.wall_s} s")
    scale = evidence.of_kind("scale")
    for model in dict.fromkeys(r.model for r in scale):
        print(f"\n== {model}")
        for result in (r for r in scale if r.model == model):
            if not result.ok:
                print(f"  {label(result.variant):28} {result.case:18} {result.status}: {(result.reason or '')[:140]}")
                continue
            metric = next(
                m for m in ("train_samples_per_s", "stream_samples_per_s", "scaling_efficiency") if m in result.samples
            )
            extra = ""
            if metric == "stream_samples_per_s":
                extra = f"  pipeline alone {_fmt(result, 'pipeline_samples_per_s')}  bound by {result.facts.bottleneck}"
            if metric == "scaling_efficiency":
                extra = (
                    f"  1 proc {_fmt(result, 'dp1_samples_per_s')}  2 procs {_fmt(result, 'dp2_samples_per_s')}"
                    f"  first step {_fmt(result, 'dp_first_step_s')} s  changed lines {result.facts.changed_lines}"
                )
            print(f"  {label(result.variant):28} {result.case:18} {metric} {_fmt(result, metric)}{extra}")
        for a, b in (("torch", "keras-tensorflow"), ("tensorflow", "keras-tensorflow"), ("keras-torch", "torch")):
            ra, rb = (evidence.result(v, model, "scale", "stream") for v in (a, b))
            if ra is None or rb is None or not (ra.ok and rb.ok):
                continue
            interval = process_interval(ra, rb, "stream_samples_per_s")
            if interval is not None:
                print(
                    f"  stream: {label(a)} / {label(b)} = {interval.ratio:.2f} "
                    f"(95% CI {interval.low:.2f}–{interval.high:.2f}, {interval.n_a} rounds)"
                )
    claim = load_ledger().claim("large-data-pytorch-tensorflow-not-keras")
    verdict = check_claims(evidence, [claim])[0]
    print(f"\n{claim.id}: {verdict.label}")
    for finding in verdict.findings:
        print(f"  {finding.outcome}: {finding.figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
