"""The deployment section's view: every export path against every variant the export probe ran.

One row per path of knowledge/export_paths.yaml, heaviest for the user's deployment target
first, one column per variant. A cell says what happened to that variant's path: it works (with
its size, export time, largest output difference after the reload, and whether the reload needs
the original Python class), it failed (the first line of the error), it could not run here (what
to install), or the variant does not offer it or the probe does not try it (and why). Notes
from the knowledge file, saying why a path fails or cannot be installed and what would fix it,
are listed under the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import knowledge
from advisor.deployment_score import export_works, path_weights
from probes.evidence import Evidence, ProbeResult
from probes.frameworks import VARIANTS
from probes.frameworks import label as variant_label

STATUS_WORDS = {"not_installed": "not installed", "skipped": "skipped", "interrupted": "interrupted"}


@dataclass(frozen=True)
class ExportCell:
    status: str  # works | failed | not installed | not offered | not probed | not in this run | ...
    ok: bool
    lines: tuple[str, ...]  # figures, or the reason


@dataclass(frozen=True)
class ExportRow:
    path: str
    label: str
    weight: float  # for the user's deployment target
    cells: tuple[ExportCell, ...]  # one per variant, in DeploymentView.variants order


@dataclass(frozen=True)
class DeploymentView:
    target: str
    variants: tuple[str, ...]  # labels
    rows: tuple[ExportRow, ...]
    notes: tuple[str, ...]  # "Variant, path: why it fails or cannot run here, and what would fix it"


def _size(size_bytes: float) -> str:
    return f"{size_bytes / 1024:,.0f} KB" if size_bytes >= 1024 else f"{size_bytes:.0f} bytes"


def _cell(result: ProbeResult | None, variant: str, path: str, info: dict) -> ExportCell:
    if variant not in info.get("variants", ()):
        why = (info.get("not_probed") or {}).get(variant)
        if why:
            return ExportCell("not probed", False, (" ".join(why.split()),))
        return ExportCell("not offered", False, ())
    if result is None:
        return ExportCell("not in this run", False, ())
    f = result.facts
    if result.ok and export_works(result):
        lines = [
            f"{_size(float(f['size_bytes']))}" if f.get("size_bytes") is not None else "size –",
            f"export {float(f['export_s']):.2f} s" if f.get("export_s") is not None else "export –",
            f"max |Δ| {float(f['max_abs_diff']):.1e}" if f.get("max_abs_diff") is not None else "max |Δ| –",
        ]
        needs = f.get("needs_python_class")
        if needs is not None:
            lines.append("reload needs the class" if needs else "reloads without the class")
        return ExportCell("works", True, tuple(lines))
    if result.status in STATUS_WORDS:
        return ExportCell(STATUS_WORDS[result.status], False, (str(f.get("install_hint") or result.reason or ""),))
    error = str(f.get("error") or result.reason or "reload or parity failed").splitlines()[0][:200]
    if result.ok:  # reloaded, but the outputs drifted
        error = f"outputs differ by {float(f['max_abs_diff']):.1e} after the reload"
    return ExportCell("failed", False, (error,))


def build_deployment_view(evidence: Evidence | None, target: str | None) -> DeploymentView | None:
    """The export table of this run, or None when no export probe ran."""
    results = evidence.of_kind("export") if evidence is not None else []
    if not results:
        return None
    order = list(VARIANTS)
    ran = {r.variant for r in results if r.case}  # a variant whose export probe could not start has no paths
    variants = sorted(ran, key=lambda v: order.index(v) if v in order else len(order))
    if not variants:
        return None
    paths = knowledge.load("export_paths")["paths"]
    weights = path_weights(target)
    by_key = {(r.variant, r.case): r for r in results}
    rows = []
    for path, info in sorted(paths.items(), key=lambda p: -weights.get(p[0], 0.0)):
        cells = tuple(_cell(by_key.get((v, path)), v, path, info) for v in variants)
        rows.append(ExportRow(path, str(info.get("label", path)), weights.get(path, 0.0), cells))
    notes = []
    for variant in variants:
        for path, info in paths.items():
            result = by_key.get((variant, path))
            note = (result.facts.get("note") if result is not None else None) or (info.get("notes") or {}).get(variant)
            if note and result is not None:
                notes.append(f"{variant_label(variant)}, {info.get('label', path)}: {' '.join(str(note).split())}")
    return DeploymentView(
        target=target or "none",
        variants=tuple(variant_label(v) for v in variants),
        rows=tuple(rows),
        notes=tuple(notes),
    )
