"""The deployment section's view: every export path against every variant the export probe ran.

One row per path of knowledge/export_paths.yaml, one column per variant. The paths that weigh
most for the user's deployment target come first and are marked, because a reader deploying to
phones needs the phone routes before the weights files. A cell says what happened to that
variant's path, in the words the onboarding page uses too (advisor/report/findings.py): it works (size,
export time, reload in a fresh process, largest output difference, whether the reload needs the
original Python class), it failed (the error's first line), it could not run here (what to
install), or the variant does not offer it or the probe does not try it (and why). Notes from the
knowledge file, saying why a path fails or cannot be installed and what would fix it, follow.

For a browser, mobile or edge answer a Python reload is not the test, so a second table comes
first: each route to that target (a path and the runtime the target ships it in, from
knowledge/export_paths.yaml's `runtimes`), whether it ran in that runtime, its largest output
difference there, milliseconds per call there, the bytes shipped (model, plus the runtime's own
files in a browser), its int8 file's size and digits accuracy against the float file's, and the
command that measures it again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import knowledge
from advisor.records.answers import questions_by_key
from advisor.records.findings import DEPLOYED_MODEL, DeploymentFindings, Route
from advisor.report.findings import (
    NotRun,
    VariantGap,
    export_cells,
    measured_variants,
    not_run,
    size_text,
    variant_gaps,
)
from probes.evidence import Evidence, ProbeResult, first_line
from probes.specs import MODELS
from probes.variants import label as variant_label

MATTERS_WEIGHT = 2.0  # a path weighing this much for the target is one of its main routes
TARGET_WORDS = {"none": "your own machine", "edge": "edge devices"}  # the badge: "matters for ..."
RUNTIME_WORDS = {  # knowledge/export_paths.yaml's runtime ids, as the report names them
    "onnxruntime-web": "ONNX Runtime Web in Chromium",
    "litert-js": "LiteRT.js in Chromium",
    "tfjs": "TensorFlow.js in Chromium",
    "onnxruntime": "ONNX Runtime",
    "litert": "LiteRT interpreter",
    "executorch": "ExecuTorch runtime",
}
BROWSER_RUNTIMES = ("onnxruntime-web", "litert-js", "tfjs")


@dataclass(frozen=True)
class RuntimeRow:
    """One route to the user's target: a variant's export path, run (or not) in the target's runtime."""

    variant: str  # label
    route: str  # "ONNX → ONNX Runtime Web in Chromium"
    ran: bool
    ran_words: str  # "yes", or "no: why"
    max_abs_diff: str
    latency: str  # "2.4 ms per call (batch of 16)"
    size: str  # "47 KB model + 13,979 KB runtime"
    int8: str  # "19 KB (41% of float)", or why not
    int8_accuracy: str  # "86.9% (float 86.9%; same digit 100%)"
    command: str


@dataclass(frozen=True)
class ExportCell:
    status: str  # works | failed | not installed | not offered | not probed | not in this run | ...
    ok: bool
    mark: str  # "✓ works", "✗ failed", "not installed", ...: the words the badge shows
    lines: tuple[str, ...]  # figures, or the reason
    variant: str = ""  # its label, for the phone layout's cell labels
    offered: bool = True  # False: the variant has no such path, or the probe does not try it


@dataclass(frozen=True)
class ExportRow:
    path: str
    label: str
    weight: float  # for the user's deployment target
    matters: bool  # one of the target's main routes: listed first and marked
    cells: tuple[ExportCell, ...]  # one per variant, in DeploymentView.variants order


@dataclass(frozen=True)
class ModelExports:
    """Another reference model exported on every path (the thorough budget): where converters fail in practice."""

    model: str  # its title: "LSTM on sequences"
    rows: tuple[ExportRow, ...]  # the paths any shown variant tried for it, weights as for the CNN


@dataclass(frozen=True)
class DeploymentView:
    target: str
    target_words: str  # "mobile", "your own machine": what the rows that matter are marked for
    why_order: str  # which target orders the rows, and where that came from
    variants: tuple[str, ...]  # labels
    rows: tuple[ExportRow, ...]
    notes: tuple[str, ...]  # "Variant, path: why it fails or cannot run here, and what would fix it"
    gaps: tuple[VariantGap, ...] = ()  # variants whose export probe did not run at all
    not_run: NotRun | None = None  # set when no export probe ran: then there are no rows
    runtime_rows: tuple[RuntimeRow, ...] = ()  # for a browser, mobile or edge target: each route in its runtime
    other_models: tuple[ModelExports, ...] = ()  # the other reference models' exports, where this run made them
    budget_words: str = ""  # which budgets export which models
    extras_words: str = ""  # the int8 files and browser runs this run's budget left out, and which runs make them

    @property
    def runtime_finding(self) -> str:
        """The routes table's one line, shown with the table folded: which routes ran in the target's runtime."""
        ran = [row for row in self.runtime_rows if row.ran]
        total = len(self.runtime_rows)
        if not ran:
            return f"None of the {total} routes to {self.target_words} ran in the target's runtime in this run."
        said = f"{len(ran)} of {total} routes to {self.target_words} ran in the target's runtime"
        missed = [f"{row.route} ({row.variant})" for row in self.runtime_rows if not row.ran]
        if not missed:
            return said + ": every one."
        return said + f"; not {'; '.join(missed)}."  # the exceptions, not the list of those that ran

    @property
    def runtime_commands(self) -> tuple[str, ...]:
        """One command per framework to measure its routes again (the rows share them)."""
        return tuple(dict.fromkeys(row.command for row in self.runtime_rows))


def _cell(result: ProbeResult | None, variant: str, info: dict) -> ExportCell:
    label = variant_label(variant)
    if variant not in info.get("variants", ()):
        why = (info.get("not_probed") or {}).get(variant)
        if why:
            return ExportCell("not probed", False, "not probed", (" ".join(why.split()),), label, offered=False)
        return ExportCell("not offered", False, "not offered", (), label, offered=False)
    if result is None:
        return ExportCell("not in this run", False, "not in this run", (), label)
    cells = export_cells(result)
    if cells["mark"] == "✓ works":
        figures = (  # one line, the table's caption names the figures; "works" means it reloaded, fresh
            f"{cells['size']} · {cells['export_s']} s · max |Δ| {cells['max_abs_diff']}"
            + (" · needs its Python class" if cells["needs_class"] == "yes" else ""),
            *_file_lines(result.facts),
        )
        return ExportCell("works", True, cells["mark"], figures, label)
    status = cells["mark"].removeprefix("✗ ")
    if cells.get("install"):
        return ExportCell(status, False, cells["mark"], (f"install: {cells['install']}",), label)
    return ExportCell(status, False, cells["mark"], (cells["error"] or result.reason or "no reason recorded",), label)


def _file_lines(f: Any) -> tuple[str, ...]:
    """The file's batch (open, or the size it is fixed at), for a .pte how much XNNPACK took, and its int8 file
    (the same calibrated static method on every route that offers one) against the float file."""
    lines = [f"batch {f.batch}"] if f.batch else []
    if f.portable_nodes is not None:
        left = f"{f.portable_nodes} left to ExecuTorch's portable kernels"
        ops = ", ".join(str(op).removeprefix("aten_").replace("_default x", " x") for op in f.portable_ops or ())
        lines.append(f"XNNPACK took {f.xnnpack_nodes} nodes, {left}" + (f" ({ops})" if ops else ""))
    if f.int8_size_bytes and f.size_bytes:
        int8 = f"{str(f.int8_method).split(' (')[0]}: {100 * f.int8_size_bytes / f.size_bytes:.0f}% size"
        if f.int8_accuracy is not None:
            int8 += f", {_percent(f.int8_accuracy)} right (float {_percent(f.float_accuracy)})"
        if f.int8_call_ms is not None and f.call_ms is not None:
            int8 += f", {float(f.int8_call_ms):.2f} ms (float {float(f.call_ms):.2f})"
        lines.append(int8)
    elif f.int8_error:
        lines.append(f"int8: {first_line(str(f.int8_error))[:100]}")
    return tuple(lines)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * float(value):.1f}%"


def _int8_words(f: Any) -> tuple[str, str]:
    """(the int8 file's size against the float one's, its digits accuracy against the float file's)."""
    if "int8" in (f.not_run or ()):
        return f"not measured in this run: {f.NOT_RUN_WHERE}", "–"
    if f.int8_size_bytes is None or not f.size_bytes:
        return f.int8_error or "not offered on this route", "–"
    size = f"{size_text(f.int8_size_bytes)} ({100 * f.int8_size_bytes / f.size_bytes:.0f}% of float; {f.int8_method})"
    if f.int8_accuracy is None:
        return size, "–"
    accuracy = f"{_percent(f.int8_accuracy)} (float {_percent(f.float_accuracy)}"
    return size, accuracy + f"; same digit {_percent(f.int8_agreement)})"


def _runtime_row(
    result: ProbeResult | None, variant: str, info: dict, runtime: str, credit: Route | None
) -> RuntimeRow:
    label = variant_label(variant)
    path = credit.label if credit is not None else str(info.get("label", ""))
    route = f"{path} → {RUNTIME_WORDS.get(runtime, runtime)}"
    command = f"advisor probe --budget standard --variant {variant} --out NEW_FOLDER"
    status = credit.status if credit is not None else None
    why = credit.why if credit is not None else ""
    if result is None or status == "not_tried":
        why = f"no: not tried ({why or 'not in this run'})"
        return RuntimeRow(label, route, False, why, "–", "–", "–", "–", "–", command)
    f = result.facts
    in_browser = runtime in BROWSER_RUNTIMES
    diff = f.browser_max_abs_diff if in_browser else f.max_abs_diff
    latency = f.browser_call_ms if in_browser else f.call_ms
    if in_browser and f.browser_model_bytes is not None:
        size = f"{size_text(f.browser_model_bytes)} model + {size_text(f.browser_runtime_bytes or 0)} runtime"
    elif f.size_bytes is not None:
        size = f"{size_text(f.size_bytes)} model"  # the runtime is linked into the app: the caption says so
    else:
        size = "–"
    where = " in the page" if in_browser else ""
    if credit is not None and credit.slowdown is not None:
        where += f", {credit.slowdown:.0f} times the fastest route: half credit"
    words = {"works": "yes", "python_only": "no: verified only by a Python reload"}.get(str(status), "no")
    if status != "works" and why:
        words = f"no: {why}"
    return RuntimeRow(
        label,
        route,
        status == "works",
        words,
        "–" if diff is None else f"{float(diff):.1e}",
        "–" if latency is None else f"{float(latency):.2f} ms{where}",  # a call on a batch of 16: the caption
        size,
        *_int8_words(f),
        command,
    )


def runtime_rows(evidence: Evidence | None, found: DeploymentFindings) -> list[RuntimeRow]:
    """Each variant's routes to a browser, mobile or edge target, in its runtime; none for other targets."""
    if evidence is None or not found.in_runtime:
        return []
    results = evidence.of_kind("export")
    paths = knowledge.load("export_paths")["paths"]
    by_key = {(r.variant, r.case): r for r in results if r.model == DEPLOYED_MODEL}
    rows = []
    for variant in measured_variants(results):
        for path, info in sorted(paths.items(), key=lambda p: -found.weights.get(p[0], 0.0)):
            runtime = (info.get("runtimes") or {}).get(found.target)
            if runtime and variant in info.get("variants", ()):
                route = found.route(variant, path)
                rows.append(_runtime_row(by_key.get((variant, path)), variant, info, runtime, route))
    return rows


def why_order(target: str, origin: str | None, main_routes: list[str]) -> str:
    """One sentence: which deployment target ordered the paths, where it came from, and which matter most."""
    question = questions_by_key()["deployment_target"]
    where = question.words(target)
    if origin == "default":
        said = f"You did not say where the model must run, so the paths are ordered for the default, {where}"
    elif origin is None:
        said = f"The paths are ordered for the deployment target {target} ({where})"
    else:
        said = f"You answered “{question.text}” with “{where}” (deployment_target: {target}), so the paths are"
        said += " ordered for that"
    if not main_routes:
        return f"{said}; none weighs {MATTERS_WEIGHT:g} or more for it in knowledge/export_paths.yaml."
    return (
        f"{said}: the ones that weigh {MATTERS_WEIGHT:g} or more for {target} in knowledge/export_paths.yaml "
        f"({', '.join(main_routes)}) come first, marked “matters for {TARGET_WORDS.get(target, target)}”; "
        "the rest follow by weight."
    )


def build_deployment_view(
    evidence: Evidence | None, found: DeploymentFindings, origin: str | None = None, run_dir: str = "RUN_DIR"
) -> DeploymentView:
    """The export table of this run, or, when no export probe ran, why not and what to run; `found` is the
    scorecard's deployment findings: the user's target, what each path weighs for it, each route's credit."""
    target = found.target or "none"
    results = evidence.of_kind("export") if evidence is not None else []
    missing = not_run(evidence, "export", run_dir)
    variants = measured_variants(results)
    paths = knowledge.load("export_paths")["paths"]
    weights = found.weights
    by_key = {(r.variant, r.case): r for r in results if r.model == DEPLOYED_MODEL}
    rows = export_rows(by_key, variants, weights)
    notes = []
    for variant in variants:
        for path, info in paths.items():
            result = by_key.get((variant, path))
            note = (result.facts.note if result is not None else None) or (info.get("notes") or {}).get(variant)
            if note and result is not None:
                notes.append(f"{variant_label(variant)}, {info.get('label', path)}: {' '.join(str(note).split())}")
    return DeploymentView(
        target=target,
        target_words=TARGET_WORDS.get(target, target),
        why_order=why_order(target, origin, [row.label for row in rows if row.matters]),
        variants=tuple(variant_label(v) for v in variants),
        rows=tuple(rows),
        notes=tuple(notes),
        gaps=tuple(variant_gaps(results)),
        not_run=missing,
        runtime_rows=tuple(runtime_rows(evidence, found)) if results else (),
        other_models=tuple(other_models(results, variants, weights)),
        budget_words=budget_words(found.exported_models) if results else "",
        extras_words=extras_words(results),
    )


def export_rows(
    by_key: dict[tuple[str, str | None], ProbeResult], variants: list[str], weights: Mapping[str, float]
) -> list[ExportRow]:
    """One row per path some shown variant offers, heaviest for the target first; a cell per variant."""
    paths = knowledge.load("export_paths")["paths"]
    rows = []
    for path, info in sorted(paths.items(), key=lambda p: -weights.get(p[0], 0.0)):
        cells = tuple(_cell(by_key.get((v, path)), v, info) for v in variants)
        if any(cell.status != "not offered" for cell in cells):
            weight = weights.get(path, 0.0)
            rows.append(ExportRow(path, str(info.get("label", path)), weight, weight >= MATTERS_WEIGHT, cells))
    return rows


def other_models(results: list[ProbeResult], variants: list[str], weights: Mapping[str, float]) -> list[ModelExports]:
    """The other reference models' export tables, in the specs' order, for the models this run exported."""
    exported = {r.model for r in results if r.case and r.model != DEPLOYED_MODEL}
    tables = []
    for model in (m for m in MODELS if m in exported):
        by_key = {(r.variant, r.case): r for r in results if r.model == model}
        tables.append(ModelExports(MODELS[model].title, tuple(export_rows(by_key, variants, weights))))
    return tables


EXTRA_WORDS = {"int8": "the calibrated int8 files", "browser": "the runs in a browser page"}


def extras_words(results: Sequence[ProbeResult]) -> str:
    """What the routes offer that this run's budget left out (ExportFacts.not_run), and which runs measure it."""
    left_out = [r.facts for r in results if r.facts.not_run]
    if not left_out:
        return ""
    left = {extra for facts in left_out for extra in facts.not_run}
    named = " and ".join(EXTRA_WORDS.get(extra, extra) for extra in sorted(left, key=list(EXTRA_WORDS).index))
    return f"This run left {named} out, as its budget does for this deployment target: {left_out[0].NOT_RUN_WHERE}."


def budget_words(exported_models: Mapping[str, tuple[str, ...]]) -> str:
    """Which budgets export the CNN and which the other models (the scorecard's, from probes/budgets.py)."""
    by_models: dict[tuple[str, ...], list[str]] = {}
    for budget, models in exported_models.items():
        by_models.setdefault(tuple(models), []).append(budget)
    return "; ".join(
        f"the {' and '.join(names)} budget{'' if len(names) == 1 else 's'} export{'s' if len(names) == 1 else ''} "
        + ", ".join(models)
        for models, names in by_models.items()
    )
