"""Speed, start-up and memory scores, from the speed probe: relative to the fastest (or leanest) measured.

Per model only results from one device are ranked (probes/devices.py): a CPU result is never
scored against a GPU result as if alike; a candidate that ran on the other device is noted. The
speed findings (speed_findings) are the comparisons the report puts in words: per model, the
fastest framework against each other one and each named option against the default it changes,
each with its 95% interval from the spread between processes, and the device of every result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from advisor.records.findings import DeviceUse, Regime, SpeedComparison, SpeedFindings
from advisor.records.profile import Profile
from advisor.scoring.relative import relative_over_models
from probes.devices import DEVICE_WORDS, device_of, mixed, primary_device, where
from probes.evidence import Evidence, ProbeResult, process_interval
from probes.stats import MIN_EFFECT, negligible
from probes.variants import VARIANTS

SPEED_CRITERIA = ("training_speed", "startup_time", "memory")  # scored from speed results, one device at a time


def _median(evidence: Evidence, variant: str, model: str, metric: str) -> float | None:
    result = evidence.speed(variant, model, metric)
    if result is None or not result.ok:
        return None
    summary = result.summary(metric)
    return summary.median if summary else None


def comparable(evidence: Evidence, model: str, candidates: Sequence[str]) -> tuple[set[str], str | None]:
    """The candidates whose speed results on `model` can be ranked together, and a note when devices were mixed.

    Those ranked ran on the device most of them used (the GPU on a tie), or recorded none.
    """
    results = [r for c in candidates if (r := evidence.result(c, model)) is not None and r.ok]
    primary = primary_device({r.variant: device_of(r) for r in results})
    keep = {r.variant for r in results if device_of(r) in (None, primary)}
    if not mixed(results):
        return keep, None
    ran = ", ".join(where(r) for r in results)
    return keep, f"not like for like ({ran}), so only the results on {DEVICE_WORDS[primary]} are ranked"


def device_notes(evidence: Evidence, candidates: Sequence[str]) -> dict[str, str]:
    """Per candidate that ran where the devices were mixed: which ran where, for the models it concerns."""
    by_note: dict[str, dict[str, list[str]]] = {}  # candidate -> note -> models
    for model in evidence.settings.get("models") or []:
        _, note = comparable(evidence, model, candidates)
        if note is None:
            continue
        for candidate in candidates:
            result = evidence.result(candidate, model)
            if result is not None and result.ok:
                by_note.setdefault(candidate, {}).setdefault(note, []).append(model)
    return {
        candidate: "; ".join(f"{', '.join(models)}: {note}" for note, models in notes.items())
        for candidate, notes in by_note.items()
    }


def _relative_scores(
    evidence: Evidence,
    candidates: Sequence[str],
    value: Callable[[str, str], float | None],
    higher_is_better: bool,
    describe: Callable[[float], str],
    profile: Profile | None = None,
) -> dict[str, tuple[float, str, dict[str, Any]]]:
    """10 for the best measured candidate, others by their ratio to it: a geometric mean over models,
    weighted towards the models like the user's own data; per model only results from one device."""
    per_model: dict[str, dict[str, float]] = {}
    for model in evidence.settings.get("models") or []:
        alike, _ = comparable(evidence, model, candidates)
        per_model[model] = {c: v for c in candidates if c in alike and (v := value(c, model)) is not None}
    return relative_over_models(per_model, candidates, higher_is_better, lambda c, m, v: describe(v), profile)


def score_training_speed(
    evidence: Evidence, candidates: Sequence[str], profile: Profile
) -> dict[str, tuple[float, str, dict[str, Any]]]:
    return _relative_scores(
        evidence,
        candidates,
        lambda c, m: _median(evidence, c, m, "train_samples_per_s"),
        True,
        lambda v: f"{v:,.0f} samples/s",
        profile,
    )


def score_startup_time(
    evidence: Evidence, candidates: Sequence[str], profile: Profile
) -> dict[str, tuple[float, str, dict[str, Any]]]:
    def total(c: str, m: str) -> float | None:
        parts = [_median(evidence, c, m, k) for k in ("import_s", "build_s", "first_step_s")]
        return None if any(p is None for p in parts) else sum(parts)  # type: ignore[arg-type]

    return _relative_scores(
        evidence, candidates, total, False, lambda v: f"{v:.2f} s import + build + first step", profile
    )


def score_memory(
    evidence: Evidence, candidates: Sequence[str], profile: Profile
) -> dict[str, tuple[float, str, dict[str, Any]]]:
    """The memory that grows with the model (peak above the process's size when the model began); the
    library's import footprint is the same for every model and is reported apart. Evidence from
    before that was recorded falls back to peak RSS, and says so."""
    grown = any("train_memory_mb" in r.samples for r in evidence.of_kind("speed"))
    metric = "train_memory_mb" if grown else "peak_rss_mb"
    words = "MB training memory above the library's footprint" if grown else "MB peak RSS (import footprint included)"
    return _relative_scores(
        evidence,
        candidates,
        lambda c, m: _median(evidence, c, m, metric),
        False,
        lambda v: f"{v:,.0f} {words}",
        profile,
    )


def speed_findings(evidence: Evidence | None) -> SpeedFindings:
    """The comparisons worth a sentence on each model the speed probe measured, and each usable result's device."""
    if evidence is None:
        return SpeedFindings()
    measured = {r.model for r in evidence.of_kind("speed")}
    comparisons = [
        comparison
        for model in evidence.settings.get("models") or []
        if model in measured
        for comparison in model_comparisons(evidence, model)
    ]
    usable = [r for r in evidence.of_kind("speed") if r.ok]
    devices = tuple(DeviceUse(r.variant, r.model, r.case, device_of(r)) for r in usable)
    regimes = tuple(
        Regime(r.variant, r.model, r.facts.regime, r.facts.peak_share)
        for r in usable
        if r.case == "" and r.facts.regime and r.facts.peak_share is not None
    )
    return SpeedFindings(tuple(comparisons), devices, regimes)


def model_comparisons(evidence: Evidence, model: str) -> list[SpeedComparison]:
    """The fastest framework against each other one, then each named option (torch.compile) against its default."""
    results = [r for v in evidence.variants() if (r := evidence.result(v, model)) is not None]
    ok = [r for r in results if r.ok and r.summary("train_samples_per_s")]
    ok.sort(key=lambda r: -r.summary("train_samples_per_s").median)  # type: ignore[union-attr]
    frameworks = [r for r in ok if not is_option(r.variant)]  # the defaults compare; a switch with its own
    pairs = [(frameworks[0], slower, False) for slower in frameworks[1:]]
    found = [c for a, b, _ in pairs if (c := compare_speed(model, a, b))]
    for option in (r for r in ok if is_option(r.variant)):
        base = evidence.result(VARIANTS[option.variant].option_of or "", model)
        if base is not None and base.ok and (switch := compare_speed(model, option, base, option=True)):
            found.append(replace(switch, overtakes=overtaken(option, base, frameworks)))
    return found


def overtaken(option: ProbeResult, base: ProbeResult, frameworks: Sequence[ProbeResult]) -> tuple[str, ...]:
    """The frameworks faster than `base` by its default whom `option` outruns, each gap at least the minimum
    effect size (probes/stats.py), before and after: where one of the experts' settings changes which leads."""
    rate = {r.variant: r.summary("train_samples_per_s").median for r in (option, base, *frameworks)}  # type: ignore[union-attr]
    return tuple(
        r.variant
        for r in frameworks
        if r.variant != base.variant
        and rate[r.variant] >= MIN_EFFECT * rate[base.variant]
        and rate[option.variant] >= MIN_EFFECT * rate[r.variant]
    )


def compare_speed(model: str, a: ProbeResult, b: ProbeResult, option: bool = False) -> SpeedComparison | None:
    """a's training throughput over b's with its 95% interval between processes; None below two processes a side."""
    interval = process_interval(a, b, "train_samples_per_s")
    if interval is None:
        return None
    return SpeedComparison(
        model,
        a.variant,
        b.variant,
        interval.ratio,
        interval.low,
        interval.high,
        (interval.n_a, interval.n_b),
        (device_of(a), device_of(b)),
        option,
        negligible(interval.ratio),
    )


def is_option(variant: str) -> bool:
    """A named option of a framework (torch.compile, XLA), measured beside it, not a candidate of its own."""
    known = VARIANTS.get(variant)
    return known is not None and not known.candidate
