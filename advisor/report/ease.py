"""The ease-of-use section's view: how much code each framework needs per model, and that code itself.

The figures come from the ease probe (probes/kinds/ease.py), which counts the reference scripts' own
source. A count alone invites doubt ("which lines?"), so the section also shows each reference
script, read from the package at render time, with every counted line tagged by its role (model,
training loop, data, ...) as the probe recorded it. Which frameworks need the fewest lines, which
script each result counted and whether that script changed since, scoring found
(advisor/scoring/ease.py); a changed script is shown untagged, and the section says that the counts
are of the file as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from advisor.records.findings import CountedScript, EaseFindings, FewestLines
from advisor.records.scripts import reference_code
from advisor.report.findings import (
    NotRun,
    VariantGap,
    measured_variants,
    not_run,
    status_words,
    value_or,
    variant_gaps,
)
from advisor.report.speed import model_name
from probes.evidence import Evidence, ProbeResult
from probes.specs import MODELS
from probes.variants import label as variant_label

# The tag a counted line carries, and its meaning in the legend.
ROLE_TAGS = {
    "model": ("model", "the model, shared by every model of the script"),
    "training": ("train", "the training loop: compile, loss, optimizer, steps"),
    "data": ("data", "feeding the data"),
    "evaluation": ("eval", "evaluation"),
    "setup": ("setup", "imports, seeds, device choice"),
    "other": ("other", "the script's entry point"),
}
MODEL_TAGS = {"mlp": "MLP", "cnn": "CNN", "rnn": "LSTM", "transformer": "Trans"}  # at most 7 characters with "+"
COLUMNS = ("model", "train", "total", "api", "device")


@dataclass(frozen=True)
class EaseRow:
    variant: str
    status: str  # "ok", or why not
    reason: str | None
    logical: dict[str, str] = field(default_factory=dict)  # COLUMNS -> figure
    physical: dict[str, str] = field(default_factory=dict)  # model/train/total -> source rows; "" if not recorded


@dataclass(frozen=True)
class EaseTable:
    model: str
    title: str
    rows: tuple[EaseRow, ...]
    sentence: str  # fewest and most lines in total


@dataclass(frozen=True)
class CodeLine:
    number: int
    text: str
    role: str  # a key of ROLE_TAGS, or "" for a line that is not counted
    tag: str  # what the line's margin says: the role's tag, or the models it counts for
    others: tuple[str, ...] = ()  # set when the line is only other models' code: those models


@dataclass(frozen=True)
class CodeRun:
    """Consecutive lines with the same role and tag: drawn as one block with its tag once, which keeps
    the page small (a span per line cost about 30 bytes a line) and reads as the section it is."""

    role: str
    tag: str
    text: str  # the lines joined by newlines; an empty line is a space, so a block never collapses
    first: int  # its first line's number
    last: int
    elided: bool = False  # a long stretch counted for no model of this run: one row saying so


ELIDED_FROM = 8  # uncounted rows in a row (after the file's opening docstring) shown as one row instead


@dataclass(frozen=True)
class CodeFile:
    frameworks: str  # the variants that run this script
    path: str  # probes/<framework>/reference.py
    counted: int  # rows counted for at least one model
    total: int  # rows in the file
    lines: tuple[CodeLine, ...]
    note: str = ""  # set when the script changed since the run measured it

    @cached_property  # the template reads it twice: for the code and for the gutter
    def runs(self) -> tuple[CodeRun, ...]:
        """The file as blocks of one role each. Shown as one row each, naming their line numbers: the
        code only of models other than the reader's (`others`), and a long uncounted stretch after the
        opening docstring (another model's code, on a budget that did not measure it). Every line
        counted for the models shown is there, and the file itself is in the repository."""
        runs: list[CodeRun] = []
        hidden: dict[int, set[str]] = {}  # index of an elided run -> the models it holds
        for line in self.lines:
            text = line.text or " "
            if line.others or (not line.text.strip() and runs and runs[-1].elided and not line.role):
                if runs and runs[-1].elided:
                    runs[-1] = replace(runs[-1], last=line.number)
                else:
                    runs.append(CodeRun("", "", "", line.number, line.number, elided=True))
                hidden.setdefault(len(runs) - 1, set()).update(line.others)
            elif runs and not runs[-1].elided and (runs[-1].role, runs[-1].tag) == (line.role, line.tag):
                runs[-1] = replace(runs[-1], text=runs[-1].text + "\n" + text, last=line.number)
            else:
                runs.append(CodeRun(line.role, line.tag, text, line.number, line.number))
        shown = []
        for index, run in enumerate(runs):
            if run.elided:
                names = [model_name(m) for m in MODELS if m in hidden.get(index, ())]
                run = replace(run, text=f"⋯ rows {run.first}–{run.last}: the code of the {_names(names)} only")
            elif index > 0 and not run.role and run.last - run.first + 1 >= ELIDED_FROM and self.counted:
                run = replace(run, elided=True, text=f"⋯ rows {run.first}–{run.last}: counted for no model of this run")
            shown.append(run)
        return tuple(shown)

    @property
    def numbers(self) -> str:
        """The gutter: every shown line's number, one per row; an elided stretch is one row, "⋮"."""
        return "\n".join(
            "⋮" if run.elided else "\n".join(str(n) for n in range(run.first, run.last + 1)) for run in self.runs
        )


@dataclass(frozen=True)
class EaseView:
    tables: tuple[EaseTable, ...]
    code: tuple[CodeFile, ...]
    legend: tuple[tuple[str, str], ...]
    gaps: tuple[VariantGap, ...] = ()
    not_run: NotRun | None = None
    focus: str = ""  # the models like the reader's data, whose code is shown whole: "the CNN"


def _figure(value: int | None, missing: str = "–") -> str:
    return str(value_or(value, missing))


def ease_row(result: ProbeResult) -> EaseRow:
    label = variant_label(result.variant)
    if not result.ok:
        return EaseRow(label, status_words(result.status), result.reason or "no reason recorded")
    f = result.facts
    logical = {
        "model": _figure(f.model_lines),
        "train": _figure(f.train_lines),
        "total": _figure(f.total_lines),
        "api": _figure(f.api_calls),
        "device": _figure(f.device_statements),
    }
    physical = {
        "model": _figure(f.model_physical_lines, ""),
        "train": _figure(f.train_physical_lines, ""),
        "total": _figure(f.total_physical_lines, ""),
    }
    return EaseRow(label, "ok", None, logical, physical)


def _names(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def fewest_sentence(fewest: FewestLines | None) -> str:
    """Which frameworks need the fewest logical lines in total for a model, and which the most."""
    if fewest is None:
        return ""
    model = model_name(fewest.model)
    if fewest.low == fewest.high:
        return f"Every framework needs {fewest.low} logical lines in total for the {model}."
    names = _names([variant_label(v) for v in fewest.fewest])
    most = _names([variant_label(v) for v in fewest.most])
    return (
        f"For the {model}, {names} need{'s' if ' and ' not in names else ''} the fewest logical lines "
        f"in total ({fewest.low}); {most} the most ({fewest.high})."
    )


def _roles_by_row(results: list[ProbeResult]) -> dict[int, dict[str, str]]:
    """row -> {model: role}, as the ease probe recorded them (the report never counts code itself)."""
    rows: dict[int, dict[str, str]] = {}
    for result in results:
        for first, last, role in result.facts.role_runs or ():
            for row in range(int(first), int(last) + 1):
                rows.setdefault(row, {})[result.model] = str(role)
    return rows


def code_file(
    file_name: str, results: list[ProbeResult], focus: frozenset[str] = frozenset(), changed: bool = False
) -> CodeFile:
    """One reference script, every line, the counted ones tagged with their role or their models. With a
    `focus` (the models like the reader's data), a line counted only for other models is marked as theirs,
    and the page shows such stretches as one row: the code the reader's own model needs, in full. A script
    `changed` since the results counted it is shown untagged: their roles are rows of another file."""
    source = reference_code(file_name)
    roles = {} if changed else _roles_by_row(results)
    every_model = {r.model for r in results}
    lines = []
    for number, text in enumerate(source.splitlines(), start=1):
        models = roles.get(number, {})
        role = next(iter(models.values()), "")
        tag = ROLE_TAGS.get(role, (role, ""))[0] if role else ""
        others: tuple[str, ...] = ()
        if role == "model" and set(models) != every_model:
            tag = "+".join(MODEL_TAGS.get(m, m) for m in MODELS if m in models)
            if focus & every_model and not focus & set(models):
                others = tuple(m for m in MODELS if m in models)
        lines.append(CodeLine(number, text, role, tag, others))
    note = ""
    if changed:
        note = (
            f"{file_name} has changed since this run counted it: the file below is the current one, untagged; "
            "the counts in the tables are of the file as it was when measured."
        )
    frameworks = _names(list(dict.fromkeys(variant_label(r.variant) for r in results)))
    counted = sum(1 for line in lines if line.role)
    return CodeFile(frameworks, file_name, counted, len(lines), tuple(lines), note)


def _code_file_or_none(script: CountedScript, results: list[ProbeResult], focus: frozenset[str]) -> CodeFile | None:
    """The script as the results counted it, or None when this installation has no such file (evidence from
    another version)."""
    counted_by = set(script.counted_by)
    mine = [r for r in results if r.ok and (r.variant, r.model) in counted_by]
    try:
        return code_file(script.path, mine, focus, script.changed)
    except (FileNotFoundError, ValueError, SyntaxError):
        return None


def build_ease_view(
    evidence: Evidence | None, ease: EaseFindings, run_dir: str = "RUN_DIR", data_kind: str | None = None
) -> EaseView:
    """A table per model of the ease counts, and the reference scripts they were counted from: with a
    `data_kind`, the code of the models like that data (probes/specs.py), the other models' folded."""
    missing = not_run(evidence, "ease", run_dir)
    results = evidence.of_kind("ease") if evidence is not None else []
    variants = measured_variants(results)
    models = [m for m in (evidence.settings.get("models") or MODELS) if any(r.model == m for r in results)]
    models += [m for m in dict.fromkeys(r.model for r in results) if m not in models]
    tables = []
    for model in models:
        mine = [r for v in variants for r in results if r.variant == v and r.model == model]
        if mine:
            spec = MODELS.get(model)
            title = spec.title if spec else model
            tables.append(
                EaseTable(model, title, tuple(ease_row(r) for r in mine), fewest_sentence(ease.fewest_of(model)))
            )
    focus = frozenset(m for m, spec in MODELS.items() if data_kind and data_kind in spec.data_kinds)
    code = tuple(shown for script in ease.scripts if (shown := _code_file_or_none(script, results, focus)))
    legend = tuple((tag, meaning) for tag, meaning in ROLE_TAGS.values()) + (
        (
            "/".join(MODEL_TAGS.values()),
            "code of one model (MLP, CNN, LSTM, transformer), counted only for the models named",
        ),
    )
    names = [model_name(m) for m in MODELS if m in focus]
    focus_words = f"the {_names(names)}" if names and any(r.model not in focus for r in results) else ""
    return EaseView(tuple(tables), code, legend, tuple(variant_gaps(results)), missing, focus_words)
