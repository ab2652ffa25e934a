"""Debugging and export probe results in words: one wording for the report and the onboarding page.

A planted bug's facts and an export path's facts are read the same way wherever they are shown,
so the report's tables and a member's onboarding page never disagree about what happened (both
also show the same reference scripts, advisor/records/scripts.py). This module also says, for a
probe kind or a variant that has no result, why (with the command that would measure it), so a
report section is never silently empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import knowledge
from probes.evidence import Evidence, ProbeResult, first_line, status_words
from probes.variants import VARIANTS
from probes.variants import label as variant_label

YES, NO = "✓ yes", "✗ no"  # a mark and a word: never colour alone
KIND_WORDS = {"ease": "ease-of-use", "debugging": "debugging", "export": "export"}
MEASURES_EVERYTHING = "standard"  # the budget that runs every probe kind (probes/budgets.py)


def value_or(value: Any, missing: Any = "–") -> Any:
    """A recorded fact, or what to show when it was not recorded (None)."""
    return missing if value is None else value


def yes_no(value: Any) -> str:
    return "–" if value is None else ("yes" if value else "no")


def mark(value: Any) -> str:
    """✓ yes / ✗ no / –: a symbol for the eye, a word for everyone else."""
    return "–" if value is None else (YES if value else NO)


def surfaced_words() -> Mapping[str, str]:
    return knowledge.load("onboarding")["surfaced_at"]


# Where a bug surfaced, in a word or two for a table cell (surfaced_words() says it in full).
SURFACED_SHORT = {
    "build": "build",
    "compile": "compile",
    "first_step": "first step",
    "later_step": "later step",
    "silent_nan": "silent NaN",
    "silent_wrong": "silent: same output for every input",
    "none": "never",
}


# --- a planted bug


def debugging_cells(result: ProbeResult) -> dict[str, str]:
    """What the user saw of one planted bug: where, which exception, which frames, which line."""
    if not result.ok:
        return {"outcome": f"{status_words(result.status)}: {result.reason or ''}".strip()}
    f = result.facts
    raised = f.exception_type is not None
    surfaced = str(value_or(f.surfaced_at, "–"))
    frames = "–"
    if raised or f.user_frames or f.framework_frames:
        frames = f"{value_or(f.user_frames, '–')} yours, {value_or(f.framework_frames, '–')} framework"
    names = f.names_shapes
    names_text = yes_no(names)
    if names is None and f.names_dtypes is not None:
        names_text = f"{yes_no(f.names_dtypes)} (the dtypes)"
    points = mark(f.points_at_planted_line) if raised else "–"
    if raised and not f.points_at_planted_line and f.points_at_planted_statement:
        points = f"{NO}: the statement that holds it"
    prints = "–" if f.print_count is None else f"{f.print_count} over {value_or(f.steps, '?')} steps"
    return {
        "surfaced": surfaced_words().get(surfaced, surfaced.replace("_", " ")),
        "surfaced_short": SURFACED_SHORT.get(surfaced, surfaced.replace("_", " ")),
        "exception": str(f.exception_type or "–"),
        "names_shapes": names_text,
        "frames": frames,
        "points_at_line": points,
        "innermost": str(f.innermost_user_frame or ""),
        "prints": prints,
        "error": str(f.error or ""),
        "message": " ".join(str(f.message_excerpt or f.error or "").split()),
    }


# --- an export path


def export_cells(result: ProbeResult) -> dict[str, str]:
    """What one export path did: the mark, the figures, the error's first line or what to install."""
    f = result.facts
    note = " ".join(str(f.note or "").split())
    if not result.ok:
        reason = f.install_hint or f.error or result.reason or ""
        install = " ".join(str(f.install_hint or "").split())
        return {
            "mark": "✗ failed" if result.status in ("failed", "crashed", "timeout") else status_words(result.status),
            "outcome": f"{status_words(result.status)}: {reason}{f' ({note})' if note else ''}".strip(),
            "error": first_line(str(f.error or result.reason or "")) if not install else "",
            "install": install,
            "note": note,
        }
    size = f.size_bytes
    works = f.works(result.ok)  # exported, reloaded fresh, same outputs: the record's own test
    cells = {
        "mark": "✓ works" if works else "✗ failed",
        "export_s": "–" if f.export_s is None else f"{float(f.export_s):.2f}",
        "size": "–" if size is None else size_text(float(size)),
        "reload": yes_no(f.reload_ok),
        "max_abs_diff": "–" if f.max_abs_diff is None else f"{float(f.max_abs_diff):.1e}",
        "needs_class": yes_no(f.needs_python_class),
        "error": first_line(str(f.error or "")),
        "install": "",
        "note": note,
    }
    if not works and not cells["error"]:
        cells["error"] = (
            "the reload failed"
            if f.reload_ok is False
            else f"outputs differ by {cells['max_abs_diff']} after the reload"
        )
    return cells


def size_text(size_bytes: float) -> str:
    return f"{size_bytes / 1024:,.0f} KB" if size_bytes >= 1024 else f"{size_bytes:.0f} bytes"


# --- what did not run, and how to measure it


@dataclass(frozen=True)
class NotRun:
    """A probe kind with no result in this run: why, and the command that measures it."""

    kind: str
    why: str
    command: str


@dataclass(frozen=True)
class VariantGap:
    """A variant whose probe of one kind gave no usable result at all, with the reason."""

    variant: str  # its label
    status: str  # in words
    reason: str


def not_run(evidence: Evidence | None, kind: str, run_dir: str) -> NotRun | None:
    """None when this kind has results; otherwise why not and what to run."""
    if evidence is not None and evidence.of_kind(kind):
        return None
    command = f"advisor advise --budget {MEASURES_EVERYTHING} --answers {run_dir}/answers.yaml"
    words = KIND_WORDS.get(kind, kind)
    if evidence is None:
        return NotRun(kind, "Nothing was measured: there is no evidence.json.", command)
    budget = evidence.settings.get("budget")
    planned = evidence.settings.get("kinds")  # recorded since the budgets gained kinds; older runs lack it
    if planned is not None and kind in planned:
        why = f"The {budget or 'chosen'} budget includes the {words} probe, but it left no result in this run."
    elif planned is not None:
        why = f"This run used the {budget} budget, which does not run the {words} probe."
    else:
        why = f"The {words} probe did not run in this run" + (f" ({budget} budget)." if budget else ".")
    return NotRun(kind, why, command)


def _ran(result: ProbeResult) -> bool:
    """A usable result, or one for a single case (a planted bug, an export path) of a framework that is
    installed: the probe itself ran. A framework that is not installed is one line, not a column of them."""
    return result.ok or (bool(result.case) and result.status != "not_installed")


def variant_gaps(results: Sequence[ProbeResult]) -> list[VariantGap]:
    """Variants whose probe of this kind did not run at all: one line each, not one per model."""
    order = list(VARIANTS)
    by_variant: dict[str, list[ProbeResult]] = {}
    for result in results:
        by_variant.setdefault(result.variant, []).append(result)
    gaps = []
    for variant in sorted(by_variant, key=lambda v: order.index(v) if v in order else len(order)):
        mine = by_variant[variant]
        if any(_ran(r) for r in mine):
            continue
        reasons = dict.fromkeys(f"{r.reason or 'no reason recorded'}" for r in mine)
        statuses = dict.fromkeys(status_words(r.status) for r in mine)
        gaps.append(VariantGap(variant_label(variant), ", ".join(statuses), "; ".join(reasons)))
    return gaps


def measured_variants(results: Sequence[ProbeResult]) -> list[str]:
    """Variant ids whose probe of this kind ran, in the tool's order of variants."""
    order = list(VARIANTS)
    ran = {r.variant for r in results if _ran(r)}
    return sorted(ran, key=lambda v: order.index(v) if v in order else len(order))


def shortened(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word with an ellipsis; a shorter text is kept whole."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
