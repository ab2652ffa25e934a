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

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from probes import readback
from probes.facts import FACTS, ExportFacts, Facts, SpeedFacts, facts_class
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
        """A result read back, every field checked for its type and every figure for its range (probes/readback.py)."""
        from probes.specs import MODELS
        from probes.variants import VARIANTS

        if not isinstance(data, Mapping):
            raise readback.OutOfRange("", "an object", data)
        status = readback.known("status", data["status"], STATUSES)
        raw = data.get("samples") or {}
        if not isinstance(raw, Mapping):
            raise readback.OutOfRange("samples", "an object of metric: [numbers]", raw)
        if version == 1:
            raw = {k: v for k, v in raw.items() if k in METRICS}
        samples = {
            str(k): readback.figures(f"samples.{k}", v, rate=METRICS.get(k, ("", False))[0] in readback.RATE_UNITS)
            for k, v in raw.items()
        }
        facts = data.get("facts") or {}
        if not isinstance(facts, Mapping):
            raise readback.OutOfRange("facts", "an object", facts)
        facts = dict(facts)
        readback.fact_numbers(facts)
        rounds_ok, failed = data.get("rounds_ok", 0), data.get("failed_rounds") or []
        if version == 1:  # the runner kept these among the facts, and kind and case could be absent
            rounds_ok, failed = facts.pop("rounds_ok", 0), facts.pop("failed_rounds", [])
        kind = readback.known("kind", data["kind"] if version > 1 else data.get("kind") or "speed", FACTS)
        return cls(
            variant=readback.known("variant", data["variant"], VARIANTS),
            model=readback.known("model", data["model"], MODELS),
            kind=kind,
            status=status,
            reason=readback.text("reason", data.get("reason"), optional=True),
            samples=samples,
            facts=facts_class(kind).from_json(facts, strict=version > 1),
            case=readback.text("case", data["case"] if version > 1 else data.get("case") or ""),
            rounds_ok=readback.count("rounds_ok", rounds_ok),
            failed_rounds=tuple(readback.texts("failed_rounds", list(failed))),
            process_rounds=tuple(
                readback.count(f"process_rounds[{i}]", r) for i, r in enumerate(data.get("process_rounds") or ())
            ),
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

    def kind_settings(self, kind: str) -> Mapping[str, Any]:
        """The settings of the run that measured this record's results of `kind`: the last run added that
        brought the kind (added_to), else the record's own. A result's budget travels with it this way."""
        for run in reversed(self.settings.get("added_runs") or []):
            if kind in run.get("kinds_added", run.get("kinds") or []):
                return run
        return self.settings

    def budget_of(self, kind: str) -> str | None:
        return self.kind_settings(kind).get("budget")

    def measured_budgets(self) -> tuple[str, ...]:
        """The budgets whose measurements this record holds (a kind counts where one of its probes worked)."""
        kinds = dict.fromkeys(r.kind for r in self.probes() if r.ok)
        return tuple(dict.fromkeys(b for kind in kinds if (b := self.budget_of(kind)) is not None))

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
        given = data.get("format")
        if isinstance(given, str) and given.startswith("advisor-") and given.split("/")[0] != "advisor-evidence":
            raise EvidenceError(
                f"{origin}: a {given.split('/')[0].removeprefix('advisor-')} record ({given}), not evidence; "
                "pass the run folder or its evidence.json"
            )
        if given not in READABLE_FORMATS:
            raise EvidenceError(
                f"{origin}: 'format' must be one of {', '.join(READABLE_FORMATS)}. Received: {data.get('format')!r}"
                " (written by another version of the tool?)"
            )
        version = READABLE_FORMATS.index(data["format"]) + 1
        try:
            results = data.get("results")
            results = [] if results is None else results
            if not isinstance(results, list):
                raise readback.OutOfRange("results", "a list of results", results)
            environment = readback.environment(data["environment"])
            notes = data.get("notes") or []
            return cls(
                created_at=readback.text("created_at", data.get("created_at", "")),
                environment=dict(environment),
                settings=readback.settings(data.get("settings") or {}),
                results=_results(results, version, origin),
                complete=readback.flag("complete", data.get("complete", True)),
                wall_s=readback.seconds("wall_s", data.get("wall_s"), optional=True),
                notes=tuple(readback.texts("notes", notes)),
            )
        except readback.OutOfRange as exc:
            raise EvidenceError(f"{origin}: {exc}") from None
        except EvidenceError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise EvidenceError(f"{origin}: evidence is malformed ({type(exc).__name__}: {exc})") from None


def _results(items: Sequence[Any], version: int, origin: str) -> tuple[ProbeResult, ...]:
    """The results read back, each checked (its field named from the list); a probe that worked is there once,
    since which of two figures to show would be a guess (two records of one failure are harmless)."""
    results: list[ProbeResult] = []
    worked: dict[tuple[str, str, str, str], bool] = {}  # each probe seen: whether one of its results worked
    for i, item in enumerate(items):
        try:
            result = ProbeResult.from_json(item, version)
        except readback.OutOfRange as exc:
            raise exc.within(f"results[{i}].") from None
        key = (result.variant, result.model, result.kind, result.case)
        if key in worked and (worked[key] or result.ok):
            raise readback.OutOfRange(f"results[{i}]", "a probe's only result: it repeats an earlier one", key)
        worked[key] = worked.get(key, False) or result.ok
        results.append(result)
    return tuple(results)


MACHINE_KEYS = ("hostname", "cpu_model", "cores_logical", "memory_gb", "gpus")  # what makes two runs one machine's


def same_machine(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two runs' environments describe the same machine (their MACHINE_KEYS agree)."""
    return all(a.get(k) == b.get(k) for k in MACHINE_KEYS)


# The settings that describe how the speed results were measured: a run whose speed results replace the
# record's own brings these with them, so the report describes the figures it shows.
SPEED_SETTINGS = ("processes", "option_processes", "windows", "window_s", "warmup_steps", "batch_size",
                  "infer_repeats", "threads")  # fmt: skip
# The setting that says how many fresh processes measured each result of a timed kind.
KIND_PROCESSES = {"speed": "processes", "scale": "scale_processes"}


def lost_by_replacing(
    base: Evidence, kind: str, settings: Mapping[str, Any], measures: Collection[tuple[str, str]]
) -> str | None:
    """Why results of `kind` measured with `settings`, for the (variant, model) pairs `measures`, would hold
    less than `base`'s results of that kind (fewer processes, a variant or model left out); None if not."""
    from probes.variants import label

    held = [r for r in base.of_kind(kind) if r.ok]
    if not held:
        return None
    before, key = base.kind_settings(kind), KIND_PROCESSES.get(kind)
    if key and int(settings.get(key) or 0) < int(before.get(key) or 0):
        return (
            f"its {kind} results come from {before[key]} processes per variant (the {before.get('budget')} budget);"
            f" the {settings.get('budget')} budget measures {settings.get(key) or 0}"
        )
    missing = [(r.variant, r.model) for r in held if (r.variant, r.model) not in measures]
    if missing:
        variant, model = missing[0]
        return f"its {kind} results include {label(variant)} on the {model} model, which this run does not measure"
    return None


def merged_runs(base: Evidence, added: Evidence) -> tuple[Evidence, tuple[str, ...]]:
    """One machine's two runs as one record, and the kinds it took from `added`.

    A kind `base` holds no working result of comes from `added`; a kind `base` holds is replaced only by a
    finished run that measured as much of it (lost_by_replacing), so an interrupted or smaller run never
    replaces a larger one's results: the notes say which kinds were kept and why. Runs of two machines are
    never merged here (a team report compares machines side by side).
    """
    if not same_machine(base.environment, added.environment):
        raise ValueError("the two runs were measured on different machines")
    taken, notes = [], list(base.notes)
    for kind in dict.fromkeys(r.kind for r in added.results):
        measured = {(r.variant, r.model) for r in added.of_kind(kind) if r.ok}
        if not measured and not added.complete:
            continue  # interrupted before it measured any of this kind: nothing to add
        why = lost_by_replacing(base, kind, added.settings, measured)
        if why is None and not added.complete and any(r.ok for r in base.of_kind(kind)):
            why = "it was interrupted"
        if why is None:
            taken.append(kind)
        else:
            notes.append(f"The {kind} results of a {added.settings.get('budget')} run added later were not kept "
                         f"({why}); the earlier ones stand.")  # fmt: skip
    results = tuple(r for r in base.results if r.kind not in taken) + tuple(r for r in added.results if r.kind in taken)
    run = {"created_at": added.created_at, **added.settings, "kinds_added": taken}
    settings = {**base.settings, "added_runs": [*base.settings.get("added_runs", []), run]}
    settings["kinds"] = list(dict.fromkeys([*base.settings.get("kinds", []), *taken]))
    if taken:
        for key in ("variants", "models"):
            settings[key] = list(dict.fromkeys([*base.settings.get(key, []), *added.settings.get(key, [])]))
    if "speed" in taken:
        settings.update({key: added.settings[key] for key in SPEED_SETTINGS if key in added.settings})
    wall_s = (base.wall_s or 0.0) + ((added.wall_s or 0.0) if taken else 0.0)
    # complete when neither run's cut-short kinds remain: an interrupted run's kinds replaced by a finished one's
    cut_short = {r.kind for r in base.results if r.status == "interrupted"}
    complete = (base.complete or (bool(cut_short) and cut_short <= set(taken))) and (added.complete or not taken)
    merged = Evidence(base.created_at, base.environment, settings, results, complete, wall_s, tuple(notes))
    return merged, tuple(taken)


def added_to(base: Evidence, added: Evidence) -> Evidence:
    """`base` with what `added` measured (merged_runs): a scale run joins a standard run's record this way."""
    return merged_runs(base, added)[0]


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
