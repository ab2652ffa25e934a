"""Debuggability, measured: plant a standard bug in a reference script, run it, and read what the user sees.

Each framework's debugging module (probes/<framework>/debugging.py) lists its standard bugs, each a
few edits of its own reference script in its idiom, and runs a short user script over the planted
copy of the reference; this module, which imports no framework, plants the bug and classifies
what happened: where the error surfaced (build, compile, first step, silently as NaN, or never),
the exception type, whether the message names the shapes (or dtypes) involved, how many traceback
frames are the user's code and how many the framework's, and whether the innermost user frame is
the planted line. "User code" is the planted reference file and the driver's user script (which
stands in for the user's own `main`); the harness frames around them are not counted.

A frame points at the planted line when it is the planted line itself, or a line that uses what
the planted line defines (`self.fc1(x)` for `self.fc1 = nn.Linear(63, 128)`): both name the
faulty layer. When a framework replaces the frames by a copy of the user's stack inside its
message (a traced function's quoted block, say), the innermost location quoted
there counts, and `pointed_by` says so.
"""

from __future__ import annotations

import ast
import importlib.util
import io
import math
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

# --- the standard bugs: each framework lists its own, as edits of its reference script


@dataclass(frozen=True)
class Edit:
    anchor: str  # the stripped text of exactly one line of the reference
    action: str  # replace | insert_after | insert_before
    lines: tuple[str, ...]  # new lines, indented like the anchor (relative indentation kept)
    within: str | None = None  # the top-level def or class the anchor must be inside
    planted: int | None = None  # index in `lines` of the planted line, if this edit has it


@dataclass(frozen=True)
class PlantedBug:
    id: str
    model: str
    title: str
    expect: str  # what shows the bug: error | nan | print
    edits: tuple[Edit, ...]
    shapes: tuple[tuple[str, ...], ...] = ()  # the message names the shapes if it has one of each group
    dtypes: tuple[tuple[str, ...], ...] = ()
    note: str = ""


PRINT_BUG = "print_in_forward"  # the print-and-counter case: counted, not raised
BUG_TITLES = {
    "wrong_input_size": "Wrong input size to a dense layer",
    "wrong_flatten": "Wrong flatten size in the CNN",
    "dtype_mismatch": "A float64 layer among float32 ones",
    "nan_custom_op": "A custom operation that makes NaN (log of ReLU outputs)",
    "print_in_forward": "A print and a counter inside forward() / call()",
}
INPUT_SHAPES = (("63",), ("64",))
FLATTEN_SHAPES = (("400", "16 * 5 * 5"), ("576", "6, 6, 16", "6x6x16", "(6, 6, 16)"))
DTYPES = (("float64", "double", "Double"), ("float32", "float", "Float"))
PRINT = 'print("PROBE-PRINT", tuple(x.shape))'


def bug(bug_id: str, model: str, expect: str, *edits: Edit, **extra: Any) -> PlantedBug:
    """A planted bug, titled from BUG_TITLES so every framework's version of it reads the same."""
    return PlantedBug(bug_id, model, BUG_TITLES[bug_id], expect, edits, **extra)


PRINT_MARKER = "PROBE-PRINT"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
QUOTED_FRAME = re.compile(r'File "([^"]+)", line (\d+)')
STEPS = 8
BATCH_SIZE = 16


class PlantError(ValueError):
    """A planted bug's anchor is missing or ambiguous in the reference source."""


@dataclass(frozen=True)
class Planted:
    bug: PlantedBug
    source: str
    planted_line: int  # 1-based row in `source`
    site_lines: frozenset[int]  # the planted line and the lines that use what it defines
    statement_lines: frozenset[int] = frozenset()  # every row of the statement holding the planted line

    @property
    def planted_text(self) -> str:
        return self.source.splitlines()[self.planted_line - 1].strip()


@dataclass
class Progress:
    """What the user script got through before it stopped: the phase, each step's loss, the model.

    Prints are counted from the start of training only (a framework may call the model once to build it).
    """

    phase: str = "start"  # build | compile | train
    losses: list[float] = field(default_factory=list)
    model: Any = None
    output: io.StringIO = field(default_factory=io.StringIO)
    train_output_at: int = 0

    def enter(self, phase: str) -> None:
        self.phase = phase
        if phase == "train":
            self.train_output_at = len(self.output.getvalue())

    def prints_in_training(self) -> int:
        text = self.output.getvalue()[self.train_output_at :] if self.phase == "train" else ""
        return sum(1 for line in text.splitlines() if line.startswith(PRINT_MARKER))


def bug_by_id(bugs: Sequence[PlantedBug], bug_id: str) -> PlantedBug:
    for planted in bugs:
        if planted.id == bug_id:
            return planted
    raise KeyError(f"no planted bug {bug_id!r}")


def debugging_cases(
    bugs: Sequence[PlantedBug], models: Sequence[str], print_modes: Sequence[str]
) -> list[tuple[str, str]]:
    """(model, case) pairs: each bug once in the framework's default mode, the print once per mode."""
    cases = []
    for bug in bugs:
        if bug.model not in models:
            continue
        if bug.expect == "print":
            cases.extend((bug.model, f"{bug.id}_{mode}") for mode in print_modes)
        else:
            cases.append((bug.model, bug.id))
    return cases


@dataclass(frozen=True)
class PlantedCase:
    """What one debugging case runs: the bug, the mode (eager or traced), the planted source and the data."""

    bug: PlantedBug
    mode: str | None
    planted: Planted
    x: Any
    y: Any


def planted_case(bugs: Sequence[PlantedBug], reference: Path, case: str, seed: int) -> PlantedCase:
    """Plant the case's bug into the framework's reference script and make the data its user script trains on."""
    from probes.specs import make_data

    bug_id, mode = split_case(case)
    bug = bug_by_id(bugs, bug_id)
    planted = plant(reference.read_text(encoding="utf-8"), bug)
    x, y = make_data(bug.model, STEPS * BATCH_SIZE, seed)
    return PlantedCase(bug, mode, planted, x, y)


def split_case(case: str) -> tuple[str, str]:
    """('print_in_forward', 'eager') for 'print_in_forward_eager'; (case, 'default') otherwise."""
    for mode in ("eager", "traced"):
        if case.endswith("_" + mode):
            return case[: -len(mode) - 1], mode
    return case, "default"


# --- planting


def plant(source: str, bug: PlantedBug) -> Planted:
    """Apply the bug's edits to `source`; return the new source, the planted line and its use sites."""
    lines = source.splitlines()
    planted_marker: tuple[int, int] | None = None  # (index of the edit's first new line, offset)
    # Apply edits bottom-up so earlier rows keep their numbers; record the planted row afterwards.
    located = sorted(((_find_anchor(source, lines, edit), edit) for edit in bug.edits), key=lambda p: -p[0])
    inserted_before: list[tuple[int, int]] = []  # (row index, lines added) of edits above others
    for index, edit in located:
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        new = [indent + line if line else "" for line in edit.lines]
        if edit.action == "replace":
            lines[index : index + 1] = new
            first, added = index, len(new) - 1
        elif edit.action == "insert_after":
            lines[index + 1 : index + 1] = new
            first, added = index + 1, len(new)
        elif edit.action == "insert_before":
            lines[index:index] = new
            first, added = index, len(new)
        else:
            raise PlantError(f"unknown edit action {edit.action!r}")
        inserted_before.append((first, added))
        if edit.planted is not None:
            planted_marker = (first, edit.planted)
    if planted_marker is None:
        raise PlantError(f"planted bug {bug.id} marks no planted line")
    first, offset = planted_marker
    shift = sum(added for row, added in inserted_before if row < first)
    planted_line = first + shift + offset + 1
    new_source = "\n".join(lines) + "\n"
    sites = frozenset(_use_sites(new_source, planted_line))
    return Planted(bug, new_source, planted_line, sites, frozenset(_statement_rows(new_source, planted_line)))


def _statement_rows(source: str, row: int) -> set[int]:
    """The rows of the innermost simple statement holding `row` (a 9-row `return keras.Sequential([...])`)."""
    best: tuple[int, int] = (row, row)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt) and not hasattr(node, "body") and node.lineno <= row <= node.end_lineno:
            if best == (row, row) or node.end_lineno - node.lineno < best[1] - best[0]:
                best = (node.lineno, node.end_lineno)
    return set(range(best[0], best[1] + 1))


def _find_anchor(source: str, lines: list[str], edit: Edit) -> int:
    rows = range(len(lines))
    if edit.within:
        span = _definition_span(source, edit.within)
        if span is None:
            raise PlantError(f"no top-level {edit.within!r} in the reference (anchor {edit.anchor!r})")
        rows = range(span[0] - 1, span[1])
    found = [i for i in rows if lines[i].strip() == edit.anchor]
    if len(found) != 1:
        where = f" inside {edit.within}" if edit.within else ""
        raise PlantError(f"anchor {edit.anchor!r} found {len(found)} times{where} in the reference; expected once")
    return found[0]


def _definition_span(source: str, name: str) -> tuple[int, int] | None:
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return node.lineno, node.end_lineno
    return None


def _use_sites(source: str, planted_line: int) -> set[int]:
    """The planted row, plus rows that read an attribute of self the planted statement assigns."""
    tree = ast.parse(source)
    assigned: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and node.lineno <= planted_line <= node.end_lineno:
            for target in node.targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) and part.value.id == "self":
                        assigned.add(part.attr)
    sites = {planted_line}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Load)
            and node.attr in assigned
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            sites.add(node.lineno)
    return sites


def load_planted(planted: Planted, folder: Path, file_name: str) -> ModuleType:
    """Write the planted source under the reference's own file name and import it from there."""
    path = folder / file_name
    path.write_text(planted.source, encoding="utf-8")
    name = f"planted_{planted.bug.id}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --- observing


@dataclass(frozen=True)
class Frame:
    filename: str
    lineno: int
    name: str


def frames_of(tb: TracebackType | None) -> list[Frame]:
    return [Frame(f.filename, f.lineno or 0, f.name) for f in traceback.extract_tb(tb)]


def observe(
    run: Callable[[Progress], None],
    planted: Planted,
    user_file: str,
    user_functions: frozenset[tuple[str, str]],
    predict: Callable[[Any], Any] | None = None,
    effect: Callable[[Any], str | None] | None = None,
    wrappers: Sequence[MessageWrapper] = (),
) -> dict[str, Any]:
    """Run the user script over the planted module and classify what the user would see.

    `predict(model)` gives the trained model's outputs on a batch (an array), to tell a model that
    silently collapsed to one output for every input from one that trained. `effect(model)` reads
    the planted change off a model that raised nothing (e.g. "the Dense layer's weights are
    float64"), to show that the bug was planted and the framework absorbed it.
    """
    progress = Progress()
    error: BaseException | None = None
    with redirect_stdout(progress.output):
        try:
            run(progress)
        except Exception as exc:  # noqa: BLE001 - the planted bug's error is the finding
            error = exc
    frames = frames_of(error.__traceback__) if error is not None else []
    outputs = None
    seen_effect = None
    if error is None and progress.model is not None:
        with redirect_stdout(io.StringIO()):
            outputs = predict(progress.model) if predict is not None else None
            seen_effect = effect(progress.model) if effect is not None else None
    facts = classify(planted, progress, error, frames, user_file, user_functions, outputs, wrappers)
    if seen_effect:
        facts.update(absorbed=True, planted_effect=seen_effect, detected=True)
    return facts


def classify(
    planted: Planted,
    progress: Progress,
    error: BaseException | None,
    frames: Sequence[Frame],
    user_file: str,
    user_functions: frozenset[tuple[str, str]],
    outputs: Any = None,
    wrappers: Sequence[MessageWrapper] = (),
) -> dict[str, Any]:
    """The debugging facts of one planted bug (the contract's names), from what the run left behind."""
    bug = planted.bug
    steps_done = len(progress.losses)
    facts: dict[str, Any] = {
        "bug": bug.title,
        "planted_line": planted.planted_line,
        "planted_text": planted.planted_text,
        "steps": steps_done,
        "print_count": progress.prints_in_training() if bug.expect == "print" else None,
    }
    if error is not None:
        message = ANSI.sub("", str(error))
        user, framework, innermost = count_frames(frames, user_file, user_functions)
        quoted = _quoted_user_frame(message, user_file)
        pointed_by = None
        in_statement = innermost is not None and innermost.filename == user_file
        in_statement = in_statement and innermost.lineno in planted.statement_lines | planted.site_lines
        if innermost is not None and innermost.lineno in planted.site_lines and innermost.filename == user_file:
            pointed_by = "traceback"
        elif quoted is not None and quoted in planted.site_lines:
            pointed_by = "message"
        facts.update(
            surfaced_at=_phase(progress),
            exception_type=type(error).__name__,
            error=headline(message, wrappers),
            message_excerpt=" ".join(message.split())[:400],
            names_shapes=mentions(message, bug.shapes) if bug.shapes else None,
            names_dtypes=mentions(message, bug.dtypes) if bug.dtypes else None,
            user_frames=user,
            framework_frames=framework,
            innermost_user_frame=_where(innermost, user_file),
            points_at_planted_line=pointed_by is not None,
            points_at_planted_statement=in_statement or pointed_by is not None,
            pointed_by=pointed_by,
        )
    else:
        nan_steps = [i for i, loss in enumerate(progress.losses, start=1) if not math.isfinite(loss)]
        collapsed = outputs_collapsed(outputs)
        silent = bug.expect != "print"  # nothing pointed at a bug that only showed as NaN or not at all
        nonfinite_outputs = outputs is not None and collapsed is None
        surfaced = "silent_nan" if nan_steps or nonfinite_outputs else "none"
        if surfaced == "none" and collapsed and bug.expect == "nan":
            surfaced = "silent_wrong"  # no NaN to see, but the model answers the same for every input
        facts.update(
            surfaced_at=surfaced,
            outputs_collapsed=collapsed,
            exception_type=None,
            error=None,
            names_shapes=None,
            user_frames=0 if silent else None,
            framework_frames=0 if silent else None,
            points_at_planted_line=False if silent else None,
            first_nan_step=nan_steps[0] if nan_steps else None,
        )
    facts["detected"] = detected(bug.expect, facts)
    return facts


def detected(expect: str, facts: dict[str, Any]) -> bool:
    """Whether the planted bug took effect: an error, a NaN or collapsed model, a print that ran."""
    if expect == "print":
        return bool(facts.get("print_count"))
    if expect == "nan":
        return facts["surfaced_at"] in ("silent_nan", "silent_wrong") or facts.get("exception_type") is not None
    return facts.get("exception_type") is not None


def outputs_collapsed(outputs: Any) -> bool | None:
    """True if every row of the outputs is the same (finite) vector; None if any is not finite."""
    if outputs is None:
        return False
    import numpy as np

    values = np.asarray(outputs, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        return None
    return bool(values.shape[0] > 1 and np.all(np.ptp(values, axis=0) < 1e-6))


def count_frames(
    frames: Sequence[Frame], user_file: str, user_functions: frozenset[tuple[str, str]]
) -> tuple[int, int, Frame | None]:
    """(user frames, framework frames, innermost user frame), counted from the first user frame on."""

    def is_user(frame: Frame) -> bool:
        return frame.filename == user_file or (frame.filename, frame.name) in user_functions

    first = next((i for i, f in enumerate(frames) if is_user(f)), None)
    if first is None:
        return 0, len(frames), None
    shown = frames[first:]
    users = [f for f in shown if is_user(f)]
    return len(users), len(shown) - len(users), users[-1]


def _quoted_user_frame(message: str, user_file: str) -> int | None:
    rows = [int(line) for path, line in QUOTED_FRAME.findall(message) if path == user_file]
    return rows[-1] if rows else None


def _phase(progress: Progress) -> str:
    if progress.phase in ("build", "compile"):
        return progress.phase
    return "first_step" if not progress.losses else "later_step"


def _where(frame: Frame | None, user_file: str) -> str | None:
    if frame is None:
        return None
    where = Path(frame.filename).name if frame.filename == user_file else "user script"
    return f"{where}:{frame.lineno} in {frame.name}"


def mentions(message: str, groups: Sequence[Sequence[str]]) -> bool:
    """True if the message holds at least one token of every group (e.g. both sizes of a mismatch)."""
    return all(any(token in message for token in group) for group in groups)


@dataclass(frozen=True)
class MessageWrapper:
    """A framework's wrapper around an error message: its opening line, and where the error itself is.

    Each framework's debugging module lists its own (a traced function that quotes the user's
    frames and ends with the error: "last"; a layer call that names itself first: "next").
    """

    opening: re.Pattern[str]
    error_line: str  # "last" | "next"


def headline(message: str, wrappers: Sequence[MessageWrapper] = ()) -> str:
    """The line of an error message that says what went wrong, past the framework's wrapper lines.

    Any other message: its first line.
    """
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return ""
    for wrapper in wrappers:
        if wrapper.opening.match(lines[0]):
            if wrapper.error_line == "last":
                return lines[-1][:200]
            if len(lines) > 1:
                return lines[1][:200]
    return lines[0][:200]
