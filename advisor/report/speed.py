"""The speed section's view: tables, charts and one plain sentence per comparison, from the records.

The tables show the speed probes' medians with their IQR; the comparisons, each a ratio with its 95%
interval from the spread between processes, and the device each result ran on are the scorecard's
speed findings (advisor/scoring/speed.py). A comparison whose interval includes 1 is called "within
noise"; a throughput whose IQR exceeds 10% of its median is flagged. A comparison between a result
on the GPU and one on the CPU says so first.

Each reference model is also trained on digits to check that it learns: a result below the model's
threshold "did not learn", and one more than ACCURACY_GAP below the best variant's accuracy on the
same model "learned much less". Either way its implementation may not be alike with the others', so
its speed is flagged beside the figure and in the comparison sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from advisor.records.findings import Regime, SpeedComparison, SpeedFindings
from advisor.records.ledger import load_ledger
from advisor.records.verdicts import VERDICT_LABELS
from advisor.report.charts import Bar, bar_chart, variant_series
from advisor.report.findings import status_words
from probes.devices import DEVICE_WORDS
from probes.evidence import Evidence, ProbeResult
from probes.specs import MODELS
from probes.stats import MIN_EFFECT, NOISY_IQR_RATIO
from probes.variants import VARIANTS
from probes.variants import label as variant_label

MODEL_NAMES = {
    "mlp": "MLP",
    "cnn": "CNN",
    "rnn": "LSTM",
    "transformer": "transformer",
}  # the overhead probes' short names; the realistic workloads' are their titles (probes/specs.py)
EPOCH_START_NOTED_S = 0.25  # a Keras epoch waiting this long before its first batch is worth saying
ACCURACY_GAP = 0.15  # test accuracy this far below the best variant's on the same model: learned much less
# One bar's figures as Bar takes them after its label: (value, low, high) or (value, low, high, note).
BarFigures = tuple[float, float | None, float | None] | tuple[float, float | None, float | None, str]


@dataclass
class SpeedRow:
    variant: str
    status: str
    reason: str | None
    cells: dict[str, str]
    noisy: list[str]
    warnings: list[str] = field(default_factory=list)
    device: str | None = None  # "GPU" or "CPU", shown only when the table mixes devices
    learning: str | None = None  # "did not learn" or "learned much less": its speed may not compare
    mode: str = ""  # how the step ran: eager, torch.compile, tf.function, XLA


@dataclass
class SpeedTable:
    model: str
    title: str
    description: str
    rows: list[SpeedRow]
    chart: Markup
    sentences: list[str]
    charts: list[Markup] = field(default_factory=list)  # peak GPU memory, where it was measured
    gpu: bool = False  # a GPU-memory column: only when some row measured one
    regime: str = ""  # which regime each framework's figure is in (probes/peak.py), from its facts


@dataclass
class SpeedView:
    tables: list[SpeedTable]
    machine: list[str]  # the yardsticks: matmul peak, threads, GPU
    modes: list[tuple[str, str]] = field(default_factory=list)  # how each variant ran, told once for every model


def model_name(model: str) -> str:
    if model in MODEL_NAMES:
        return MODEL_NAMES[model]
    return MODELS[model].title if model in MODELS and MODELS[model].realistic else model


def fmt_summary(result: ProbeResult, metric: str, digits: int = 2, scale: float = 1.0) -> str:
    summary = result.summary(metric)
    if summary is None:
        return "–"
    median = summary.median * scale
    if summary.n == 1:
        return f"{median:,.{digits}f}"
    spread = f"{summary.iqr * scale:,.{digits}f}"
    if float(spread.replace(",", "")) == 0:
        return f"{median:,.{digits}f}"  # no spread at this precision (a library's size at import)
    return f"{median:,.{digits}f} ({spread})"  # the table says: median (IQR), the processes a column


def _times(value: float) -> str:
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"


def _where(variant: str, device: str | None) -> str:
    """'PyTorch on the GPU'."""
    return f"{variant_label(variant)} on {DEVICE_WORDS.get(device or '', 'an unrecorded device')}"


def comparison_sentence(found: SpeedComparison) -> str:
    """One sentence: how many times faster one variant trained a model than another, with its 95% CI."""
    a, b, name = variant_label(found.a), variant_label(found.b), model_name(found.model)
    ci = f"95% CI {found.low:.2f}–{found.high:.2f}× over {found.processes[0]} processes each"
    caveat = ""
    if not found.like_for_like:
        caveat = (
            f"Not like for like: {_where(found.a, found.devices[0])} and {_where(found.b, found.devices[1])}, "
            "so this compares the devices as much as the frameworks. "
        )
    if found.within_noise:
        return (
            f"{caveat}On this machine the {name}'s training speeds of {a} and {b} cannot be told apart: "
            f"the ratio is {_times(found.ratio)}, but its {ci} includes 1 (within noise)."
        )
    if found.negligible:
        return (
            f"{caveat}On this machine {a} and {b} train the {name} at about the same speed: "
            f"{_times(found.ratio)} ({ci}), below the {MIN_EFFECT - 1:.0%} this report calls a difference."
        )
    return f"{caveat}On this machine {a} trained the {name} {_times(found.ratio)} faster than {b} ({ci})."


def switch_sentence(found: SpeedComparison, option: ProbeResult, base: ProbeResult) -> str | None:
    """What one switch gives: a named option (torch.compile, XLA) against the default it changes."""
    first_option, first_base = option.summary("first_step_s"), base.summary("first_step_s")
    if first_option is None or first_base is None:
        return None
    switch = variant_label(option.variant).removeprefix(variant_label(base.variant)).strip().removeprefix("with ")
    name, label = model_name(found.model), variant_label(base.variant)
    ci = f"95% CI {found.low:.2f}–{found.high:.2f}×"
    if found.within_noise:
        speed = f"{label} trains the {name} {_times(found.ratio)} as fast as without it, but over "
        speed += f"{found.processes[0]} processes its {ci} includes 1: the two cannot be told apart"
    elif found.negligible:
        speed = f"{label} trains the {name} about as fast as without it ({_times(found.ratio)}, {ci}, below the "
        speed += f"{MIN_EFFECT - 1:.0%} called a difference)"
    else:
        how = "faster" if found.ratio > 1 else "as fast"
        speed = f"{label} trains the {name} {_times(found.ratio)} {how} ({ci})"
    if found.overtakes:
        passed = _joined([variant_label(v) for v in found.overtakes])
        speed += f"; its median passes {passed}'s" if found.about_the_same else f", ahead of {passed}"
        speed += ", which its default trails"
    compiles = {"compile", "jit_compile"} & set(VARIANTS[option.variant].options) if option.variant in VARIANTS else ()
    if not compiles:
        why = VARIANTS[option.variant].why if option.variant in VARIANTS else ""
        return f"With {switch}, {speed}.{pick_words(found)}" + (f" Why: {why}." if why else "")
    return (
        f"With {switch}, {speed}; its first step takes {first_option.median:.2f} s instead of "
        f"{first_base.median:.2f} s (the compilation happens there).{pick_words(found)}"
    )


def pick_words(found: SpeedComparison) -> str:
    """Whether the switch changes this report's pick or an article claim's verdict, scored with its figures in
    place of its default's (advisor/scoring/whatif.py setting_picks); empty when the scorecard did not ask."""
    if found.pick_with is None:
        return ""
    if found.pick_with != found.pick_without:
        said = (
            f" Scored with it, the pick would be {variant_label(found.pick_with)} instead of "
            f"{variant_label(str(found.pick_without))}"
        )
    else:
        said = f" Scored with it, the pick stays {variant_label(found.pick_with)}"
    if not found.verdicts_changed:
        return said + ", and no article claim's verdict changes."
    ledger = load_ledger()
    changed = [
        f"“{ledger.claim(claim).text}” from {VERDICT_LABELS.get(was, was)} to {VERDICT_LABELS.get(now, now)}"
        for claim, was, now in found.verdicts_changed
    ]
    return said + f"; it changes the verdict on {_joined(changed)}."


def _joined(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _device_tag(device: str | None) -> str:
    return device.upper() if device else "device not recorded"


def _mixed(devices: dict[str, str | None]) -> bool:
    """Whether these results ran on more than one device (those that recorded one)."""
    return len({d for d in devices.values() if d is not None}) > 1


def most_accurate(results: list[ProbeResult]) -> ProbeResult | None:
    """The result with the highest test accuracy on digits, the yardstick for "learned much less"."""
    checked = [r for r in results if r.ok and r.summary("test_accuracy")]
    return max(checked, key=lambda r: r.summary("test_accuracy").median, default=None)


def learning_flag(result: ProbeResult, best: ProbeResult | None) -> tuple[str, str] | None:
    """("did not learn" or "learned much less", the sentence shown in the accuracy column), or None."""
    accuracy = result.summary("test_accuracy")
    if accuracy is None:
        return None
    learned = result.facts.learned_accuracy
    if learned is not None and accuracy.median < float(learned):
        return "did not learn", (
            f"did not learn: test accuracy {accuracy.median:.3f} on digits after "
            f"{result.facts.digits_epochs} epochs, below {float(learned):.2f}"
        )
    top = best.summary("test_accuracy") if best is not None and best is not result else None
    if top is not None and top.median - accuracy.median > ACCURACY_GAP:
        return "learned much less", (
            f"learned much less: {top.median - accuracy.median:.2f} below {variant_label(best.variant)}'s "
            f"{top.median:.3f}"
        )
    return None


def _row(
    result: ProbeResult,
    device: str | None = None,
    best: ProbeResult | None = None,
    grown: ProbeResult | None = None,
    regime: Regime | None = None,
) -> SpeedRow:
    """One framework's row; `device` its device's tag when the table mixes devices; `grown` its
    training-memory result (its own case, probes/evidence.py); `regime` the one its utilisation puts it in,
    where the table's results are in more than one (else the table's regime line says it for all)."""
    label = variant_label(result.variant)
    if not result.ok:
        return SpeedRow(label, status_words(result.status), result.reason, {}, [])
    startup = [result.summary(m) for m in ("import_s", "build_s", "first_step_s")]
    cells = {
        "import": fmt_summary(result, "import_s"),
        "first": fmt_summary(result, "first_step_s", 3),
        "startup": f"{sum(s.median for s in startup if s):.2f}",
        "throughput": fmt_summary(result, "train_samples_per_s", 0),
        "utilisation": fmt_summary(result, "utilisation", 1, 100) + (f" · {regime.regime}" if regime else ""),
        "infer1": fmt_summary(result, "infer_single_ms", 3),
        "inferN": fmt_summary(result, "infer_batch_ms", 3),
        "footprint": fmt_summary(result, "baseline_rss_mb", 0),
        "train_memory": fmt_summary(grown, "train_memory_mb", 0) if grown is not None else "–",
        "rss": fmt_summary(result, "peak_rss_mb", 0),
        "gpu": fmt_summary(result, "gpu_peak_mb", 0),
        "accuracy": fmt_summary(result, "test_accuracy", 3),
        "n": str(throughput.n) if (throughput := result.summary("train_samples_per_s")) else "–",
    }
    stability = result.summary("window_iqr_ratio")
    noisy = ["train_samples_per_s"] if stability is not None and stability.median > NOISY_IQR_RATIO else []
    warnings = []
    waits = result.summary("epoch_start_s")
    if waits is not None and max(result.samples["epoch_start_s"]) >= EPOCH_START_NOTED_S:
        warnings.append(
            f"a new epoch waited up to {max(result.samples['epoch_start_s']):.2f} s before its first batch "
            "(outside the timed windows: a per-epoch cost a long epoch hides)"
        )
    steady = result.samples.get("reached_steady_state") or []
    if steady and min(steady) < 1:
        warnings.append(
            f"no steady state in {sum(1 for s in steady if s < 1)} of {len(steady)} processes: the warm-up cap "
            "ended it, so that process's figure may still include warming up"
        )
    flag = learning_flag(result, best)
    if flag:
        warnings.append(flag[1])
    if result.facts.accuracy_error:
        warnings.append(f"accuracy check failed: {result.facts.accuracy_error}")
    mode = result.facts.compile_mode or ""
    return SpeedRow(label, "ok", None, cells, noisy, warnings, device, flag[0] if flag else None, mode)


def _bars(
    results: list[ProbeResult], devices: dict[str, str | None], value: Callable[[ProbeResult], BarFigures | None]
) -> list[Bar]:
    """One bar per result; each names its device when they differ, so no bar passes for like with like."""
    show_device = _mixed(devices)
    bars = []
    for result in results:
        figure = value(result)
        if figure is not None:
            name = variant_label(result.variant)
            if show_device:
                name += f" ({_device_tag(devices[result.variant])})"
            bars.append(Bar(name, *figure, series=variant_series(result.variant)))
    return bars


def _summary_bar(metric: str, scale: float = 1.0) -> Callable[[ProbeResult], tuple[float, float, float] | None]:
    def value(result: ProbeResult) -> tuple[float, float, float] | None:
        s = result.summary(metric)
        return None if s is None else (s.median * scale, s.q1 * scale, s.q3 * scale)

    return value


def _learning_caveat(sentence: str, pair: tuple[ProbeResult, ProbeResult], best: ProbeResult | None) -> str:
    """The comparison, with a warning when either side's model learned much less (or nothing)."""
    flagged = [f"{variant_label(r.variant)} {flag[0]}" for r in pair if (flag := learning_flag(r, best))]
    if not flagged:
        return sentence
    return (
        f"{sentence} But {' and '.join(flagged)} on digits (see the accuracy column), "
        "so the speeds may not compare like for like."
    )


def _share(share: float) -> str:
    return f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


def regime_line(regimes: Sequence[Regime], found: SpeedFindings) -> str:
    """Which regime each framework's figure is in, as one line ("Regime: overhead-bound for every framework
    (1.4%–3.4% of this CPU's matmul peak)."), from the findings; "" where no result has one."""
    grouped: dict[str, list[Regime]] = {}
    for regime in regimes:
        grouped.setdefault(regime.regime, []).append(regime)
    devices = {"GPU" if found.device(r.variant, r.model) in ("cuda", "gpu") else "CPU" for r in regimes}
    peak = f"this {next(iter(devices))}'s matmul peak" if len(devices) == 1 else "its device's matmul peak"
    parts = []
    for regime, members in grouped.items():
        shares = sorted(r.peak_share for r in members)
        low, high = _share(shares[0]), _share(shares[-1])
        span = low if low == high else f"{low}–{high}"
        labels = [variant_label(r.variant) for r in members]
        who = _joined(labels)
        parts.append(f"{regime} for {'every framework' if len(grouped) == 1 else who} ({span}")
    if not parts:
        return ""
    if len(parts) == 1:
        return f"Regime: {parts[0]} of {peak})."
    return f"Regime: {'); '.join(parts)}), as shares of {peak}."


def _is_option(result: ProbeResult) -> bool:
    variant = VARIANTS.get(result.variant)
    return variant is not None and not variant.candidate


def _sentences(evidence: Evidence, found: SpeedFindings, model: str, best: ProbeResult | None) -> list[str]:
    """The model's comparisons in words: the frameworks against the fastest, then each option against its default."""
    sentences = []
    for comparison in found.of_model(model):
        a, b = evidence.result(comparison.a, model), evidence.result(comparison.b, model)
        if a is None or b is None:
            continue
        if not comparison.option:
            sentences.append(_learning_caveat(comparison_sentence(comparison), (a, b), best))
        elif sentence := switch_sentence(comparison, a, b):
            sentences.append(sentence)
    return sentences


def speed_table(evidence: Evidence, model: str, found: SpeedFindings) -> SpeedTable:
    spec = MODELS.get(model)
    results = [r for v in evidence.variants() if (r := evidence.result(v, model)) is not None]
    ok = [r for r in results if r.ok and r.summary("train_samples_per_s")]
    ok.sort(key=lambda r: -r.summary("train_samples_per_s").median)
    devices = {r.variant: found.device(r.variant, model) for r in ok}
    best = most_accurate(results)
    sentences = _sentences(evidence, found, model, best)
    frameworks = [r for r in ok if not _is_option(r)]  # the regime line speaks of the defaults
    regimes = [regime for r in frameworks if (regime := found.regime(r.variant, model)) is not None]
    name = model_name(model)
    chart = bar_chart(
        f"Training throughput, {name} (samples/s, median with IQR)",
        _bars(ok, devices, _summary_bar("train_samples_per_s")),
        "samples/s",
    )
    # Start-up, memory and utilisation are the table's columns, beside the throughput chart: charting them
    # again would double the evidence section for figures the table already shows (issue 18's size bound).
    charts = []
    if any(r.summary("gpu_peak_mb") for r in ok):
        charts.append(bar_chart(f"Peak GPU memory, {name} (MB)", _bars(ok, devices, _summary_bar("gpu_peak_mb")), "MB"))
    return SpeedTable(
        model,
        spec.title if spec else model,
        spec.description if spec else "",
        [
            _row(
                r,
                _device_tag(found.device(r.variant, model)) if _mixed(devices) else None,
                best,
                evidence.speed(r.variant, model, "train_memory_mb"),
                found.regime(r.variant, model) if len({g.regime for g in regimes}) > 1 else None,
            )
            for r in results
            if r.status != "not_installed"  # said once, above the tables
        ],
        chart,
        sentences,
        [c for c in charts if c],
        gpu=any(r.summary("gpu_peak_mb") for r in ok),
        regime=regime_line(regimes, found),
    )


def machine_lines(evidence: Evidence, found: SpeedFindings) -> list[str]:
    """The yardsticks a reader needs to judge the figures: peak, threads, GPU."""
    env: dict[str, Any] = dict(evidence.environment)
    lines = []
    peak = env.get("matmul_peak") or {}
    if peak.get("gflops"):
        lines.append(
            f"This machine's fp32 matrix-multiply peak: {peak['gflops']:,.0f} GFLOP/s ({peak.get('method')}, "
            f"{peak.get('threads') or 'default'} threads, best of several repeats); utilisation is each "
            "probe's achieved FLOP/s (FLOPs counted once per model, probes/specs.py) over this peak."
        )
    elif peak.get("error"):
        lines.append(f"The matmul peak could not be measured ({peak['error']}): no utilisation figures.")
    threads = []
    for variant, children in (env.get("probe_children") or {}).items():
        info = next((c.get("threads") for c in children if c.get("kind") == "speed" and c.get("threads")), None)
        if info:
            default = info.get("default_intra_op")
            shown = f"{info.get('intra_op')}" + (f" (as installed: {default})" if default is not None else "")
            threads.append(f"{variant_label(variant)} {shown}")
    if threads:
        lines.append("Threads per framework, set equal: " + "; ".join(threads) + ".")
    gpus = env.get("gpus") or []
    if gpus:
        names = ", ".join(f"{g.get('name')} ({g.get('memory')}, driver {g.get('driver')})" for g in gpus)
        lines.append(f"GPU found: {names}; clocks stop after the device is synchronised.")
    else:
        lines.append(f"No GPU was found ({env.get('gpu_note') or 'none listed'}): every probe ran on the CPU.")
    devices: dict[str, list[str]] = {}
    for use in found.devices:
        if use.device:
            devices.setdefault(DEVICE_WORDS[use.device], []).append(variant_label(use.variant))
    if len(devices) > 1:
        ran = "; ".join(f"{', '.join(dict.fromkeys(names))} on {device}" for device, names in devices.items())
        lines.append(
            f"Not every framework ran on the same device: {ran}. Comparisons across devices say so, the "
            "claims are not checked on them, and the scores rank only results from one device."
        )
    settings = evidence.settings
    if settings.get("processes"):
        lines.append(
            f"Each framework ran in {settings['processes']} fresh processes, interleaved (a named option such as "
            f"torch.compile in {settings.get('option_processes') or settings['processes']}); each process warmed "
            "up until two windows in a row agreed, then gave one steady-state figure per model, the rate over all "
            "its timed windows. Comparisons give the ratio with a 95% interval from the spread "
            'between processes (a t-interval on the log ratios of the rounds both ran), "within noise" when it '
            f"includes 1. A throughput is flagged noisy when its windows' IQR exceeds {NOISY_IQR_RATIO:.0%} of "
            "their median."
        )
    else:
        lines.append(
            "This evidence was recorded before figures were kept per process: its throughputs are timed windows "
            "pooled over its rounds, and intervals taken over them describe that run, not the next one."
        )
    lines.extend(competition_lines(env))
    return lines


def competition_lines(environment: dict[str, Any]) -> list[str]:
    """A warning when other processes competed for the cores while this run measured (probes/load.py)."""
    lines = []
    whole = environment.get("competition") or {}
    if whole.get("others_share") is not None:
        share, load = whole["others_share"], whole.get("load_average")
        said = f"Other processes took {share:.0%} of this machine's CPU time while it measured"
        said += f" (load average {load} at the end)" if load is not None else ""
        if whole.get("steal_s"):
            said += f"; the hypervisor gave {whole['steal_s']:.1f} CPU-seconds to other virtual machines"
        if whole.get("busy"):
            lines.append(f"Warning: {said}: the figures may be slower and noisier than this machine can do.")
        else:
            lines.append(f"{said}: a quiet machine.")
    busy = {}
    for variant, children in (environment.get("probe_children") or {}).items():
        hit = [c for c in children if c.get("kind") == "speed" and (c.get("competition") or {}).get("busy")]
        if hit:
            busy[variant_label(variant)] = len(hit)
    if busy:
        lines.append(
            "Processes that competed with others for the cores: "
            + "; ".join(f"{name} {n}" for name, n in busy.items())
            + ". Their rounds still pair up, so a load that hit both sides of a round cancels in the ratio."
        )
    return lines


def build_speed_view(evidence: Evidence | None, found: SpeedFindings) -> SpeedView:
    """The speed section from the evidence's figures and the scorecard's speed findings (comparisons, devices)."""
    if evidence is None:
        return SpeedView([], [])
    measured = {r.model for r in evidence.of_kind("speed")}
    models = [m for m in evidence.settings.get("models") or [] if m in measured]
    return SpeedView(
        [speed_table(evidence, m, found) for m in models],
        machine_lines(evidence, found) if models else [],
        run_modes(evidence),
    )


def run_modes(evidence: Evidence) -> list[tuple[str, str]]:
    """How each variant ran (eager, a graph, XLA...), once for all its models; a mode that differs
    between models names the models it holds for."""
    by_variant: dict[str, dict[str, list[str]]] = {}
    for r in evidence.of_kind("speed"):
        if r.ok and r.facts.compile_mode and not r.case:
            by_variant.setdefault(r.variant, {}).setdefault(str(r.facts.compile_mode), []).append(model_name(r.model))
    return [
        (
            variant_label(variant),
            next(iter(modes))
            if len(modes) == 1
            else "; ".join(f"{mode} ({', '.join(models)})" for mode, models in modes.items()),
        )
        for variant, modes in by_variant.items()
    ]
