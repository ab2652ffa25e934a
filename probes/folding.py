"""How one child's output for one case is filed into the run's results: the way every kind shares, which a kind
may refine in its own module (probes/kinds/speed.py files an accuracy check and a process's training memory
under cases of their own; probes/kinds/scale.py leaves the speed session's memory to speed).

A child's output for a case is the worker's entry ({"status", "reason"?, "samples", "facts"}), or None when
the child ended before it; the collector (probes/collector.py) adds what is filed to the case's results
over every round.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from probes.evidence import ProbeResult

Failure = tuple[str, str]  # (status, reason)


@dataclass(frozen=True)
class Filed:
    """What one output adds to the result of one case (of the same variant, kind and model)."""

    case: str
    samples: Mapping[str, Sequence[float]] = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)
    failure: Failure | None = None  # a failed round: its status and reason
    counts_round: bool = True  # a good round of its own (an accuracy check is none: it joins the timed rounds')


# (case, the output or None, the child's payload, why the child failed or None) -> what is filed where
Fold = Callable[[str, Mapping[str, Any] | None, Mapping[str, Any], Failure | None], list[Filed]]


def succeeded(output: Mapping[str, Any] | None) -> bool:
    return output is not None and output.get("status") == "ok"


def fold(case: str, output: Mapping[str, Any] | None, child: Mapping[str, Any], failure: Failure | None) -> list[Filed]:
    """The case's own figures when it succeeded; else why it failed, its own words first, then the child's."""
    if output is not None and succeeded(output):
        return [Filed(case, output.get("samples") or {}, output.get("facts") or {})]
    if output:
        status = output.get("status") if output.get("status") in ("failed", "not_installed") else "failed"
        reason = output.get("reason") or "failed without a reason"
        return [Filed(case, facts=output.get("facts") or {}, failure=(str(status), str(reason)))]
    return [Filed(case, failure=failure or ("crashed", "the child ended without a result for this case"))]


def as_measured(result: ProbeResult, environment: Mapping[str, Any]) -> ProbeResult:
    return result


@dataclass(frozen=True)
class Filing:
    """A kind's way of filing its children's outputs: the fold, the cases it files beyond those it was asked
    for (each result follows its model's own), and a last step on each merged result with the run's environment."""

    fold: Fold = fold
    extra_cases: tuple[str, ...] = ()
    finish: Callable[[ProbeResult, Mapping[str, Any]], ProbeResult] = as_measured
