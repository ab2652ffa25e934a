"""The probes' progress at a terminal: a Rich progress bar, or one plain line per child in a log.

At a terminal the bar shows probes done of the total, the elapsed time, an estimate of the time
left and what runs now (framework, probe kind, models). The estimate starts from this machine's own:
the run's schedule at its measured matmul peak (probes/eta.py, sent with the "plan" event; the
budget's `typical_s` until then), and follows the run's own pace once children have finished.
Without a terminal (CI, a pipe) each child is one line, so a log stays readable. Everything shown
comes from our own probes, but their reasons can quote a framework's output, so it is printed as
text, never as markup.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from probes.runner import ProbePlan, ProgressEvent


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


# The user's model's kinds in words (its one "model" is the user's, so it is not listed).
KIND_WORDS = {"own_model": "your model", "own_export": "your model's deployment routes"}


class ProgressDisplay:
    """Called with each ProgressEvent of a run; `close()` (also on Ctrl-C) leaves the terminal clean."""

    def __init__(self, console: Console, plan: ProbePlan | None = None):
        self.console = console
        self.typical_s = plan.budget.typical_s if plan is not None else None
        self.total = 0
        self.done = 0
        self.running: dict[tuple[str, str, int], str] = {}  # (variant, kind, round) -> what it measures
        self.started = time.monotonic()
        self.progress: Any = None
        self.task: Any = None

    # --- what the bar says

    def remaining_s(self) -> float | None:
        """Seconds left: from the budget's typical time at first, then from this run's own pace."""
        elapsed = time.monotonic() - self.started
        if self.done and self.total:
            return elapsed / self.done * (self.total - self.done)
        if self.typical_s:
            return max(0.0, self.typical_s - elapsed)
        return None

    def status_text(self) -> str:
        left = self.remaining_s()
        finished = self.total and self.done >= self.total
        now = "; ".join(self.running.values()) or ("all probes done" if finished else "starting")
        estimate = f" · about {_clock(left)} left" if left is not None else ""
        return f"{now}{estimate}"

    # --- events

    def __call__(self, event: ProgressEvent) -> None:
        from probes.variants import label

        name = label(event.variant) if event.variant else ""
        if event.event == "plan":
            self.total = event.total
            self.typical_s = event.eta_s or self.typical_s  # this machine's estimate, from its measured peak
            self.started = time.monotonic()
            if self.console.is_terminal and self.total:
                self._start_bar()
            return
        if event.event == "skip":
            self._line(f"  skipped {name}: {event.detail}")
            return
        key = (event.variant, event.kind, event.round)
        kind_words = KIND_WORDS.get(event.kind, event.kind)
        if event.event == "start":
            models = ", ".join(m for m in event.models if event.kind not in KIND_WORDS)
            what = f"{name} {kind_words}" + (f" ({models})" if models else "")
            if event.kind in ("speed", "own_model"):
                what += f", round {event.round}/{event.rounds}"
            self.running[key] = what
            if self.progress is None:
                self._line(f"Measuring {what}…")
        elif event.event == "finish":
            self.running.pop(key, None)
            self.done += 1
            kind = "" if event.kind == "speed" else f" ({kind_words})"
            self._line(f"  [{self.done}/{self.total}] {name}{kind}, round {event.round}/{event.rounds}: {event.detail}")
        self._refresh()

    def _start_bar(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("Measuring"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[status]}", markup=False),
            console=self.console,
            transient=False,
        )
        self.task = self.progress.add_task("probes", total=self.total, status=self.status_text())
        self.progress.start()

    def _refresh(self) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=self.done, status=self.status_text())

    def _line(self, text: str) -> None:
        self.console.print(Text(text), highlight=False)

    def close(self) -> None:
        """Stop the bar (idempotent): after Ctrl-C the cursor and the line are back to normal."""
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
