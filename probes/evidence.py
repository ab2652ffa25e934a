"""Evidence: the environment and every probe result of a run, as immutable records with a JSON form.

Format history:
  advisor-evidence/1  first version: environment, settings, speed results with raw samples; later
                      results of other kinds gained `kind` and `case`, and facts were a free dict.
  advisor-evidence/2  every result names its `kind` and `case`; facts are typed per kind
                      (probes/facts.py) and unknown ones are refused, as are unknown metrics; the
                      runner's `rounds_ok` and `failed_rounds` are fields of the result, not facts.
                      Speed metrics hold one figure per fresh process (`process_rounds`: the round of
                      each), the windows apart. Version 1 files are still read: their facts are
                      checked the same way, unknown names left out; their speed samples are windows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from probes.facts import ExportFacts, Facts, SpeedFacts, facts_class
from probes.peak import regime
from probes.stats import RatioInterval, Summary, ratio_interval, summarize

EVIDENCE_FORMAT = "advisor-evidence/2"
READABLE_FORMATS = ("advisor-evidence/1", EVIDENCE_FORMAT)

# Known metrics: unit, and whether a larger value is better. Probes record raw samples under
# these names, and a name not here is refused; summaries are derived from the samples, never
# stored alone. Speed metrics hold one figure per process (process_rounds says which round each
# came from), except window_samples_per_s: every timed window, for the stability of each process.
METRICS: dict[str, tuple[str, bool]] = {
    "import_s": ("s", False),
    "build_s": ("s", False),
    "first_step_s": ("s", False),  # the first training step: tracing and compilation happen here
    "warmup_s": ("s", False),  # after the first step, until two consecutive windows agreed
    "reached_steady_state": ("", True),  # 1 when they agreed before the cap, 0 when the cap ended it
    "train_samples_per_s": ("samples/s", True),  # steady state: the median of the process's windows
    "window_samples_per_s": ("samples/s", True),
    "window_iqr_ratio": ("", False),  # IQR / median of the process's windows
    "epoch_start_s": ("s", False),  # Keras: the longest wait before a timed epoch's first batch (not in its window)
    "achieved_gflops": ("GFLOP/s", True),
    "utilisation": ("", True),  # achieved FLOP/s over the machine's matmul peak
    "infer_single_ms": ("ms", False),
    "infer_batch_ms": ("ms", False),
    "baseline_rss_mb": ("MB", False),  # the process after importing the framework: the library footprint
    "peak_rss_mb": ("MB", False),
    "train_memory_mb": ("MB", False),  # the peak above the process's size when the model began
    "gpu_peak_mb": ("MB", False),
    "short_run_s": ("s", False),  # a fresh script to 100 trained steps: import, build, first step, 99 more
    # scale (probes/kinds/scale.py): records streamed from disk, and data-parallel processes
    "stream_samples_per_s": ("samples/s", True),  # training fed by the framework's pipeline from disk
    "pipeline_samples_per_s": ("samples/s", True),  # that pipeline alone, no training
    "pipeline_share": ("", False),  # streamed rate over the pipeline's: the share of a step the reading takes
    "dp1_samples_per_s": ("samples/s", True),  # one process of the distributed engine, one thread
    "dp2_samples_per_s": ("samples/s", True),  # two processes, one thread each: all their samples
    "scaling_efficiency": ("", True),  # dp2 over twice dp1: 1 is perfect weak scaling
    "dp_first_step_s": ("s", False),  # from the processes' start to the end of the first step (two processes)
    "test_accuracy": ("", True),
    "accuracy_check_s": ("s", False),
}


# Speed metrics recorded under a case of their own: training memory is clean only where the model ran first
# in its process, so it has its own figures and rounds (probes/kinds/speed.py MEMORY_CASE).
METRIC_CASES = {"train_memory_mb": "memory"}


STATUS_WORDS = {
    "not_installed": "not installed",
    "skipped": "skipped",
    "interrupted": "interrupted",
    "failed": "failed",
    "crashed": "crashed",
    "timeout": "timed out",
}


def status_words(status: str) -> str:
    """A result's status as people write it (`not_installed` -> "not installed"), for text a person reads."""
    return STATUS_WORDS.get(status, status.replace("_", " "))


def first_line(message: str) -> str:
    """A recorded message's first line that says something, at most 200 characters: what a table cell shows
    of an error whose whole text the evidence keeps."""
    return next((line.strip()[:200] for line in message.splitlines() if line.strip()), "")


class EvidenceError(ValueError):
    """An evidence file that is not one this version can read; the message names the file and why."""


# What a probe result's status means; anything but "ok" carries a reason.
STATUSES = ("ok", "failed", "crashed", "timeout", "not_installed", "skipped", "interrupted")


@dataclass(frozen=True)
class ProbeResult:
    """What one variant did on one reference model (and case), pooled over every round it ran.

    `facts` is the kind's typed record (probes/facts.py); a mapping given here is checked and
    turned into it, so a probe that records an unknown fact fails where it records it.
    """

    variant: str
    model: str
    kind: str  # speed, ease, debugging, export
    status: str
    reason: str | None = None
    samples: Mapping[str, Sequence[float]] = field(default_factory=dict)
    facts: Facts = field(default_factory=dict)  # type: ignore[assignment]  # made the kind's record below
    case: str = ""  # within a kind: a planted bug, an export path; "" for speed and ease
    rounds_ok: int = 0  # rounds (fresh children) that measured it
    failed_rounds: tuple[str, ...] = ()  # "status: reason" of the rounds that did not
    process_rounds: tuple[int, ...] = ()  # the round each per-process speed figure came from, in order

    def __post_init__(self) -> None:
        unknown = sorted(set(self.samples) - set(METRICS))
        if unknown:
            raise ValueError(f"unknown metric {unknown[0]!r}. Expected one of: {', '.join(METRICS)}")
        expected = facts_class(self.kind)
        if isinstance(self.facts, Facts) and type(self.facts) is not expected:
            raise TypeError(f"a {self.kind} result takes {expected.__name__}, not {type(self.facts).__name__}")
        if not isinstance(self.facts, Facts):
            object.__setattr__(self, "facts", expected.from_json(self.facts or {}))
        share = self.summary("utilisation")
        if isinstance(self.facts, SpeedFacts) and share is not None and self.facts.regime is None:
            # The regime follows from the measured utilisation, once, wherever the utilisation was added.
            object.__setattr__(self, "facts", replace(self.facts, regime=regime(share.median), peak_share=share.median))

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def summary(self, metric: str) -> Summary | None:
        unit = METRICS.get(metric, ("", False))[0]
        return summarize(self.samples.get(metric, ()), unit)

    def to_json(self) -> dict[str, Any]:
        summaries = {}
        for metric in self.samples:
            summary = self.summary(metric)
            if summary is not None:
                summaries[metric] = summary.to_json()
        return {
            "variant": self.variant,
            "model": self.model,
            "kind": self.kind,
            "case": self.case,
            "status": self.status,
            "reason": self.reason,
            "rounds_ok": self.rounds_ok,
            "failed_rounds": list(self.failed_rounds),
            "process_rounds": list(self.process_rounds),
            "samples": {key: list(values) for key, values in self.samples.items()},
            "summary": summaries,
            "facts": self.facts.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], version: int = 2) -> ProbeResult:
        status = data["status"]
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        samples = {str(k): [float(v) for v in values] for k, values in (data.get("samples") or {}).items()}
        if version == 1:
            samples = {k: v for k, v in samples.items() if k in METRICS}
        facts = dict(data.get("facts") or {})
        rounds_ok, failed = data.get("rounds_ok", 0), data.get("failed_rounds") or []
        if version == 1:  # the runner kept these among the facts, and kind and case could be absent
            rounds_ok, failed = facts.pop("rounds_ok", 0), facts.pop("failed_rounds", [])
        kind = str(data["kind"] if version > 1 else data.get("kind") or "speed")
        return cls(
            variant=str(data["variant"]),
            model=str(data["model"]),
            kind=kind,
            status=status,
            reason=data.get("reason"),
            samples=samples,
            facts=facts_class(kind).from_json(facts, strict=version > 1),
            case=str(data["case"] if version > 1 else data.get("case") or ""),
            rounds_ok=int(rounds_ok),
            failed_rounds=tuple(str(f) for f in failed),
            process_rounds=tuple(int(r) for r in data.get("process_rounds") or ()),
        )


@dataclass(frozen=True)
class Evidence:
    """Everything a run measured, where, and how to reproduce it."""

    created_at: str
    environment: Mapping[str, Any]
    settings: Mapping[str, Any]
    results: tuple[ProbeResult, ...]
    complete: bool = True
    wall_s: float | None = None
    notes: tuple[str, ...] = ()

    def result(self, variant: str, model: str, kind: str = "speed", case: str = "") -> ProbeResult | None:
        for result in self.results:
            if (result.variant, result.model, result.kind, result.case) == (variant, model, kind, case):
                return result
        return None

    def best_of(self, variant: str, model: str, kind: str, prefix: str, metric: str) -> ProbeResult | None:
        """Of the cases starting with `prefix` (a framework's streamed pipelines), the one with the best median
        `metric` among those that worked, as a user who tried each would pick; else the first, for its reason."""
        candidates = [
            r
            for r in self.results
            if (r.variant, r.model, r.kind) == (variant, model, kind) and r.case.startswith(prefix)
        ]
        higher_is_better = METRICS.get(metric, ("", True))[1]
        scored = [(s.median, r) for r in candidates if r.ok and (s := r.summary(metric)) is not None]
        if scored:
            pick = max if higher_is_better else min
            return pick(scored, key=lambda pair: pair[0])[1]
        return candidates[0] if candidates else None

    def speed(self, variant: str, model: str, metric: str = "train_samples_per_s") -> ProbeResult | None:
        """The speed result that holds `metric` for a variant and model (training memory has a case of its own)."""
        return self.result(variant, model, "speed", METRIC_CASES.get(metric, ""))

    def probes(self) -> list[ProbeResult]:
        """Every probe that ran or was meant to; a metric filed under its model's own case (memory) is not one."""
        return [r for r in self.results if not (r.kind == "speed" and r.case in METRIC_CASES.values())]

    def of_kind(self, kind: str) -> list[ProbeResult]:
        return [result for result in self.results if result.kind == kind]

    def variants(self) -> list[str]:
        seen: list[str] = []
        for result in self.results:
            if result.variant not in seen:
                seen.append(result.variant)
        return seen

    def to_json(self) -> dict[str, Any]:
        return {
            "format": EVIDENCE_FORMAT,
            "created_at": self.created_at,
            "complete": self.complete,
            "wall_s": self.wall_s,
            "environment": dict(self.environment),
            "settings": dict(self.settings),
            "notes": list(self.notes),
            "results": [result.to_json() for result in self.results],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], origin: str = "evidence") -> Evidence:
        if data.get("format") not in READABLE_FORMATS:
            raise EvidenceError(
                f"{origin}: 'format' must be one of {', '.join(READABLE_FORMATS)}. Received: {data.get('format')!r}"
                " (written by another version of the tool?)"
            )
        version = READABLE_FORMATS.index(data["format"]) + 1
        try:
            results = tuple(ProbeResult.from_json(item, version) for item in data.get("results") or [])
            environment = data["environment"]
            settings = data.get("settings") or {}
            if not isinstance(environment, Mapping) or not isinstance(settings, Mapping):
                raise TypeError("environment and settings must be objects")
            return cls(
                created_at=str(data.get("created_at", "")),
                environment=dict(environment),
                settings=dict(settings),
                results=results,
                complete=bool(data.get("complete", True)),
                wall_s=data.get("wall_s"),
                notes=tuple(str(n) for n in data.get("notes") or ()),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EvidenceError(f"{origin}: evidence is malformed ({type(exc).__name__}: {exc})") from None


MACHINE_KEYS = ("hostname", "cpu_model", "cores_logical", "memory_gb", "gpus")  # what makes two runs one machine's


def same_machine(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two runs' environments describe the same machine (their MACHINE_KEYS agree)."""
    return all(a.get(k) == b.get(k) for k in MACHINE_KEYS)


def added_to(base: Evidence, added: Evidence) -> Evidence:
    """One machine's two runs as one record: `base` with the kinds `added` measured taken from `added`.

    A budget of its own (scale) measured after a standard run joins it this way, so one report shows both;
    the settings keep `added`'s under "added_runs". Runs of two machines are never merged here (a team
    report compares machines side by side).
    """
    if not same_machine(base.environment, added.environment):
        raise ValueError("the two runs were measured on different machines")
    kinds = {r.kind for r in added.results}
    results = tuple(r for r in base.results if r.kind not in kinds) + added.results
    runs = [*base.settings.get("added_runs", []), {"created_at": added.created_at, **added.settings}]
    merged_kinds = list(dict.fromkeys([*base.settings.get("kinds", []), *added.settings.get("kinds", [])]))
    settings = {**base.settings, "kinds": merged_kinds, "added_runs": runs}
    wall_s = (base.wall_s or 0.0) + (added.wall_s or 0.0)
    return Evidence(
        base.created_at, base.environment, settings, results, base.complete and added.complete, wall_s, base.notes
    )


def process_interval(a: ProbeResult, b: ProbeResult, metric: str) -> RatioInterval | None:
    """a's metric over b's, with its 95% interval from the spread between their processes (probes/stats.py).

    Rounds both ran pair up; None when either side has fewer than two process figures.
    """
    return ratio_interval(
        a.samples.get(metric, ()), b.samples.get(metric, ()), a.process_rounds or None, b.process_rounds or None
    )


EXPORT_PARITY = ExportFacts.PARITY


def export_works(result: ProbeResult) -> bool:
    """An export path that exported, reloaded in a fresh process, and gave the same outputs within EXPORT_PARITY.

    The one test of "works" that the verdicts, the deployment score and the report all use.
    """
    return result.kind == "export" and isinstance(result.facts, ExportFacts) and result.facts.works(result.ok)
