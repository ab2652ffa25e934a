"""Evidence from several machines side by side: environment, every figure, and framework ratios per machine.

A figure one machine did not record is missing (NaN in the tables, with the reason in `why_missing`),
never zero. Ratios are taken within a machine (a framework's median over the baseline
framework's median on the same machine), so machines of different speed can be compared fairly; a
ratio between a framework that ran on the GPU and one that ran on the CPU of the same machine says so
(probes/devices.py), since it compares the devices as much as the frameworks. The record it gives is
advisor/records/compare.py; the terminal tables and the page are advisor/report/compare.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from advisor.records.compare import KEY, Cell, Comparison, is_missing
from advisor.records.team import Machine
from probes.devices import DEVICE_WORDS, device_of
from probes.environment import DISTRIBUTIONS
from probes.evidence import METRICS, status_words
from probes.variants import VARIANTS
from probes.variants import label as variant_label

if TYPE_CHECKING:  # pandas loads when a comparison is made
    import pandas as pd

KIND_ORDER = ("speed", "ease", "debugging", "export")
# Facts of the other probe kinds worth comparing between machines (issue 4's contract names).
COMPARED_FACTS = {
    "ease": ("total_lines", "api_calls"),
    "debugging": ("surfaced_at", "points_at_planted_line"),
    "export": ("export_s", "size_bytes", "reload_ok", "max_abs_diff"),
}
FACT_UNITS = {"export_s": "s", "size_bytes": "bytes", "max_abs_diff": "", "total_lines": "lines"}


def unit_of(metric: str) -> str:
    return METRICS[metric][0] if metric in METRICS else FACT_UNITS.get(metric, "")


def compare(machines: Sequence[Machine], baseline: str = "torch") -> Comparison:
    """Line up every machine's environment and figures; ratios against `baseline` on each machine."""
    import pandas as pd

    if baseline not in VARIANTS:
        from advisor.errors import AdvisorError

        raise AdvisorError(f"option --baseline must be one of {', '.join(VARIANTS)}. Received: {baseline!r}")
    labels = [m.label for m in machines]
    records, failures = [], {}
    for machine in machines:
        for result in machine.evidence.results:
            if not result.ok:
                failures[(result.kind, result.model, result.case, result.variant, machine.label)] = (
                    f"{status_words(result.status)}: {result.reason}" if result.reason else status_words(result.status)
                )
                continue
            for metric in result.samples:
                summary = result.summary(metric)
                if summary is not None:
                    records.append(
                        (result.kind, result.model, result.case, metric, result.variant, machine.label, summary.median)
                    )
            for fact in COMPARED_FACTS.get(result.kind, ()):
                value = getattr(result.facts, fact)
                if value is not None:
                    records.append((result.kind, result.model, result.case, fact, result.variant, machine.label, value))
        for kind, model, case, variant, label in list(failures):
            if label == machine.label:
                records.append((kind, model, case, "status", variant, label, None))
    frame = pd.DataFrame(records, columns=[*KEY, "machine", "value"])
    figures = frame.set_index([*KEY, "machine"])["value"].unstack("machine").reindex(columns=labels)
    figures = _fill_status_rows(figures, failures)
    models = list(dict.fromkeys(m for machine in machines for m in machine.evidence.settings.get("models") or []))
    figures = figures.loc[sorted(figures.index, key=lambda key: _sort_key(key, models))] if len(figures) else figures
    ratios = _ratios(figures, baseline)
    environment = _environment(machines)
    return Comparison(
        machines=tuple(machines),
        baseline=baseline,
        environment=environment,
        figures=figures,
        ratios=ratios,
        missing=_why_missing(machines, figures, failures),
        devices=_mixed_devices(machines, ratios, baseline),
        units={metric: unit_of(metric) for metric in dict.fromkeys(key[3] for key in figures.index)},
        differing=tuple(field for field, row in environment.iterrows() if row.nunique(dropna=False) > 1),
    )


def _why_missing(
    machines: Sequence[Machine], figures: pd.DataFrame, failures: Mapping[tuple[str, ...], str]
) -> dict[Cell, str]:
    """Every missing figure: the probe's failure, or that the machine did not run it or did not record it."""
    why = {}
    for key, row in figures.iterrows():
        kind, model, case, _metric, variant = key
        for machine in machines:
            if not is_missing(row[machine.label]):
                continue
            reason = failures.get((kind, model, case, variant, machine.label))
            if not reason:
                ran = machine.evidence.result(variant, model, kind, case) is not None
                reason = "not recorded by this machine's probe" if ran else "not run on this machine"
            why[(key, machine.label)] = reason
    return why


def _mixed_devices(machines: Sequence[Machine], ratios: pd.DataFrame, baseline: str) -> dict[Cell, str]:
    """Each ratio whose framework and baseline ran on different devices of one machine: which devices."""
    mixed = {}
    for key in ratios.index:
        kind, model, case, _metric, variant = key
        for machine in machines:
            mine = machine.evidence.result(variant, model, kind, case)
            base = machine.evidence.result(baseline, model, kind, case)
            a, b = (device_of(r) if r is not None else None for r in (mine, base))
            if a is not None and b is not None and a != b:
                mixed[(key, machine.label)] = f"{DEVICE_WORDS[a]} against {DEVICE_WORDS[b]}"
    return mixed


def _fill_status_rows(figures: pd.DataFrame, failures: Mapping[tuple[str, ...], str]) -> pd.DataFrame:
    """A failed probe records no metrics; keep one placeholder row only where no metric row stands for it."""
    keep = []
    for key in figures.index:
        if key[3] != "status":
            keep.append(key)
            continue
        kind, model, case, _, variant = key
        others = [k for k in figures.index if k[:3] == (kind, model, case) and k[4] == variant and k[3] != "status"]
        if not others:
            keep.append(key)
    return figures.loc[keep]


def _sort_key(key: tuple, models: list[str]) -> tuple:
    kind, model, case, metric, variant = key
    metrics = list(METRICS) + [f for facts in COMPARED_FACTS.values() for f in facts]
    return (
        KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER),
        models.index(model) if model in models else len(models),
        model,
        case,
        metrics.index(metric) if metric in metrics else len(metrics),
        metric,
        list(VARIANTS).index(variant) if variant in VARIANTS else len(VARIANTS),
    )


def _ratios(figures: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Each speed figure divided by the baseline variant's on the same machine (missing stays missing)."""
    import pandas as pd

    if not len(figures):
        return figures
    speed = figures[[k[0] == "speed" and k[3] in METRICS for k in figures.index]].apply(pd.to_numeric, errors="coerce")
    rows = {}
    for key, row in speed.iterrows():
        if key[4] == baseline:
            continue
        base_key = (*key[:4], baseline)
        if base_key in speed.index:
            rows[key] = row / speed.loc[base_key]
    if not rows:
        return speed.iloc[0:0]
    ratios = pd.DataFrame.from_dict(rows, orient="index")
    ratios.index = pd.MultiIndex.from_tuples(list(rows), names=KEY)
    return ratios.reindex(columns=figures.columns)


def _environment(machines: Sequence[Machine]) -> pd.DataFrame:
    import pandas as pd

    packages = [
        p for p in DISTRIBUTIONS if any((m.evidence.environment.get("versions") or {}).get(p) for m in machines)
    ]
    columns = {}
    for machine in machines:
        env, settings = machine.evidence.environment, machine.evidence.settings
        versions = env.get("versions") or {}
        gpus = env.get("gpus") or []
        rows = {
            "hostname": env.get("hostname"),
            "measured at": machine.evidence.created_at,
            "complete run": "yes" if machine.evidence.complete else "no (interrupted)",
            "operating system": env.get("os"),
            "CPU": env.get("cpu_model"),
            "cores": f"{env.get('cores_physical')} physical, {env.get('cores_logical')} logical, "
            f"{env.get('cores_usable')} usable",
            "memory": f"{env.get('memory_gb')} GB",
            "GPU": "; ".join(f"{g.get('name')} ({g.get('memory')})" for g in gpus) or "none",
            "Python": env.get("python"),
            **{f"version: {p}": versions.get(p) or "not installed" for p in packages},
            "budget": settings.get("budget"),
            "threads": settings.get("threads"),
            "devices used": _devices(env),
            "tool": f"{env.get('tool_version')} (commit {env.get('tool_commit') or 'unknown'})",
            "notes": " ".join(machine.evidence.notes) or "none",
        }
        columns[machine.label] = {k: "–" if v is None else str(v) for k, v in rows.items()}
    return pd.DataFrame(columns).reindex(columns=[m.label for m in machines])


def _devices(env: Mapping[str, Any]) -> str:
    used = []
    for variant, children in (env.get("probe_children") or {}).items():
        device = (children[0].get("device") or {}).get("used") if children else None
        if device:
            used.append(f"{variant_label(variant)}: {device}")
    return "; ".join(used) or "–"
