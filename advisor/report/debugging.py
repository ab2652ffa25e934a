"""The debugging section's view: what a user sees of each planted bug, framework beside framework.

The debugging probe (probes/kinds/debugging.py) plants the same standard bugs in every framework's
reference script and records where each surfaced, the exception, whether its message names the
shapes, how many traceback frames were the user's, and whether the innermost user frame is the
planted line. Rows are bugs and column groups are frameworks, so a reader compares one bug across
frameworks along a row; the cells use the onboarding page's words (advisor/report/findings.py). Above the
table, one sentence per framework sums it up.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.records.findings import PlantedCase
from advisor.report.findings import (
    NO,
    NotRun,
    VariantGap,
    debugging_cells,
    mark,
    measured_variants,
    not_run,
    shortened,
    status_words,
    value_or,
    variant_gaps,
    yes_no,
)
from probes.evidence import Evidence, ProbeResult
from probes.variants import label as variant_label

MODE_WORDS = {"eager": "eager", "traced": "traced / compiled", "default": ""}

MESSAGE_CHARS = 150  # of each error message on the page; evidence.json holds up to 400 of it


@dataclass(frozen=True)
class DebugCell:
    """What one framework showed of one planted bug; `outcome` is set instead when it was not measured."""

    variant: str  # its label, for the phone layout's cell labels
    outcome: str = ""  # why there is no result ("not measured: crashed: ...")
    prints: str = ""  # a print case: "printed 8 times in 8 steps", in one cell for the whole group
    surfaced: str = ""  # in a word or two: build, compile, first step, silent NaN, never
    exception: str = ""  # "" when nothing was raised
    message: tuple[str, ...] = ()  # whether the message names the shapes (or dtypes), the traceback's frames
    points: str = ""  # ✓ yes / ✗ no / –
    points_detail: str = ""  # "the statement that holds it", when the line was missed but its statement was not
    pointed: bool | None = None  # for the mark's style only: the words carry the meaning
    innermost: str = ""  # the innermost frame of the user's code
    mode: str = ""  # how the framework ran it, as the probe recorded


@dataclass(frozen=True)
class DebugRow:
    case: str
    bug: str  # the bug's title
    mode: str  # "eager", "traced / compiled" for the print case; "" for the framework's default
    cells: tuple[DebugCell, ...]  # one per variant, in DebuggingView.variants order


@dataclass(frozen=True)
class DebugVariant:
    label: str
    summary: str  # one sentence
    default_mode: str  # how the bugs other than the print ran


@dataclass(frozen=True)
class Message:
    variant: str
    bug: str
    exception: str
    text: str


@dataclass(frozen=True)
class DebuggingView:
    variants: tuple[DebugVariant, ...]
    rows: tuple[DebugRow, ...]
    messages: tuple[Message, ...]  # what each error said, as the user saw it (its first MESSAGE_CHARS)
    notes: tuple[str, ...]  # what the probe noticed besides (a bug a framework absorbed, ...)
    gaps: tuple[VariantGap, ...] = ()
    not_run: NotRun | None = None
    message_chars: int = MESSAGE_CHARS  # how much of each message the page shows, as its summary says


class Planted:
    """The planted-bug cases of the scorecard's findings, looked up by a result's case."""

    def __init__(self, cases: tuple[PlantedCase, ...]):
        self.cases = {p.case: p for p in cases}
        self.order = {p.case: index for index, p in enumerate(cases)}

    def case(self, case: str) -> PlantedCase:
        """A case by its id; one the scorecard does not list (evidence added since) as a bug of its own."""
        return self.cases.get(case) or PlantedCase(case, case, "default", None, False)

    def of(self, result: ProbeResult) -> PlantedCase:
        return self.case(result.case)

    def position(self, case: str) -> int:
        return self.order.get(case, len(self.order))

    def sorted(self, results: list[ProbeResult]) -> list[ProbeResult]:
        """In the order the debugging probe plants its bugs."""
        return sorted(results, key=lambda r: self.position(r.case))

    def title(self, result: ProbeResult) -> str:
        """The bug's title as this result recorded it, else as the probe names the bug, else its case."""
        return str(result.facts.bug or self.of(result).title or result.case)


def _cell(variant: str, result: ProbeResult | None, planted: Planted) -> DebugCell:
    label = variant_label(variant)
    if result is None:
        return DebugCell(label, outcome="not measured for this framework")
    cells = debugging_cells(result)
    if not result.ok:
        return DebugCell(label, outcome=f"not measured: {cells['outcome']}")
    mode = str(result.facts.mode or "")
    if planted.of(result).printed:
        count, steps = result.facts.print_count, value_or(result.facts.steps, "?")
        prints = "no print count recorded" if count is None else f"printed {_times(int(count))} in {steps} steps"
        return DebugCell(label, prints=prints, mode=mode)
    f = result.facts
    raised = f.exception_type is not None
    message = []
    if f.names_shapes is not None:
        message.append(f"names the shapes: {yes_no(f.names_shapes)}")
    elif f.names_dtypes is not None:
        message.append(f"names the dtypes: {yes_no(f.names_dtypes)}")
    if cells["frames"] != "–":
        message.append(f"frames: {cells['frames']}")
    return DebugCell(
        label,
        surfaced=cells["surfaced_short"],
        exception=cells["exception"] if raised else "",
        message=tuple(message) or ("–",),
        points=mark(f.points_at_planted_line) if raised else "–",
        points_detail=cells["points_at_line"].removeprefix(f"{NO}: ") if ":" in cells["points_at_line"] else "",
        pointed=bool(result.facts.points_at_planted_line) if raised else None,
        innermost=cells["innermost"],
        mode=mode,
    )


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def summary_sentence(variant: str, results: list[ProbeResult], planted: Planted) -> str:
    """One sentence: how often the framework pointed at the planted line, raised, stayed silent, printed."""
    label = variant_label(variant)
    bugs = [r for r in results if not planted.of(r).printed]
    measured = [r for r in bugs if r.ok]
    parts = []
    if measured:
        pointed = sum(1 for r in measured if r.facts.points_at_planted_line)
        raised = sum(1 for r in measured if r.facts.exception_type)
        n = len(measured)
        parts.append(f"{label} pointed at the planted line in {pointed} of {n} bug{'s' if n != 1 else ''}")
        silent = n - raised
        parts.append(
            f"{raised} raised an error"
            + (f" and {silent} passed without one (NaN, or no effect seen)" if silent else "")
        )
    else:
        parts.append(f"{label}: no planted bug was measured")
    failed = [r for r in bugs if not r.ok]
    if failed:
        parts.append(f"{len(failed)} not measured ({', '.join(dict.fromkeys(status_words(r.status) for r in failed))})")
    prints = sorted((r for r in results if r.ok and planted.of(r).printed), key=lambda r: r.case)
    counted = [r for r in prints if r.facts.print_count is not None]
    if counted:
        runs = [
            (_times(int(r.facts.print_count)), MODE_WORDS.get(planted.of(r).mode) or "in its default mode")
            for r in counted
        ]
        said = f"{runs[0][0]} in {value_or(counted[0].facts.steps, '?')} steps {runs[0][1]}"
        said += "".join(f" and {times} {mode}" for times, mode in runs[1:])
        parts.append(f"a print in forward ran {said}")
    return "; ".join(parts) + "."


def _default_mode(results: list[ProbeResult], planted: Planted) -> str:
    for result in planted.sorted(results):
        if planted.of(result).mode == "default" and result.facts.mode:
            return str(result.facts.mode)
    return ""


def _notes(results: list[ProbeResult], planted: Planted) -> list[str]:
    """What the probe noticed besides the table's facts; one line for the frameworks that share it."""
    said_by: dict[tuple[str, str], list[str]] = {}
    for result in planted.sorted(results):
        f = result.facts
        said = [str(value) for value in (f.note, f.planted_effect) if value]
        if f.absorbed:
            said.insert(0, "no error: the framework absorbed the bug")
        if said:
            title = planted.title(result)
            said_by.setdefault((title, "; ".join(said)), []).append(variant_label(result.variant))
    return [f"{_names(list(dict.fromkeys(labels)))}, {title}: {text}" for (title, text), labels in said_by.items()]


def _names(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def build_debugging_view(
    evidence: Evidence | None, cases: tuple[PlantedCase, ...] = (), run_dir: str = "RUN_DIR"
) -> DebuggingView:
    """The planted-bug table of this run, or, when no debugging probe ran, why not and what to run; `cases`
    are the scorecard's planted cases (advisor/records/findings.py), which give each case's bug, mode and order."""
    missing = not_run(evidence, "debugging", run_dir)
    results = evidence.of_kind("debugging") if evidence is not None else []
    variants = measured_variants(results)
    cased = [r for r in results if r.case and r.variant in variants]
    planted = Planted(cases)
    by_key = {(r.variant, r.case): r for r in cased}
    rows = []
    for case in map(planted.case, sorted(dict.fromkeys(r.case for r in cased), key=planted.position)):
        found = [r for r in cased if r.case == case.case]
        title = next((str(r.facts.bug) for r in found if r.facts.bug), case.title or case.bug)
        cells = tuple(_cell(v, by_key.get((v, case.case)), planted) for v in variants)
        rows.append(DebugRow(case.case, title, MODE_WORDS.get(case.mode, case.mode), cells))
    summaries = []
    messages = []
    for variant in variants:
        mine = [r for r in cased if r.variant == variant]
        summary = summary_sentence(variant, mine, planted)
        summaries.append(DebugVariant(variant_label(variant), summary, _default_mode(mine, planted)))
        for result in planted.sorted(mine):
            cells = debugging_cells(result)
            if result.ok and cells.get("message"):
                text = shortened(str(cells["message"]), MESSAGE_CHARS)
                messages.append(Message(variant_label(variant), planted.title(result), cells["exception"], text))
    notes = _notes(cased, planted)
    return DebuggingView(
        tuple(summaries), tuple(rows), tuple(messages), tuple(notes), tuple(variant_gaps(results)), missing
    )
