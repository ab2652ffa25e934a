"""What advise and probe share around measuring: the plan from the options, the progress bar, Ctrl-C.

The progress bar is closed in one place (`progress_shown`), before anything else is printed; an
interruption is turned into its message and exit code by `interruption_reported`, outside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from advisor.cli.app import interrupted_exit_code
from advisor.errors import AdvisorError

if TYPE_CHECKING:  # for annotations only: these load when a command runs, never at startup
    from rich.console import Console

    from advisor.progress import ProgressDisplay
    from probes.runner import ProbePlan


@dataclass(frozen=True)
class Measuring:
    """The measuring options as given: what to measure, with what, and where to write it."""

    out: Path | None
    force: bool
    budget: str
    variants: tuple[str, ...]  # empty: the budget's
    threads: int | None
    device: str
    child_timeout: float | None

    def plan(self) -> ProbePlan:
        """The probe plan these options ask for, or one line saying which option is wrong."""
        from probes.budgets import get_budget
        from probes.runner import make_plan

        if self.device not in ("auto", "cpu"):
            raise AdvisorError(f"option --device must be one of auto, cpu. Received: {self.device!r}")
        try:
            chosen = get_budget(self.budget)
            if self.child_timeout is not None:
                chosen = replace(chosen, child_timeout_s=self.child_timeout)
            return make_plan(chosen, variants=list(self.variants) or None, threads=self.threads, device=self.device)
        except ValueError as error:  # probes/ says what is wrong; the edge makes it one line and exit 2
            raise AdvisorError(str(error)) from None


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@contextmanager
def progress_shown(plan: ProbePlan) -> Iterator[ProgressDisplay]:
    """The progress display while the probes run, after saying what would keep the GPU unused; closed on any exit."""
    from rich.text import Text

    from advisor.progress import ProgressDisplay
    from probes.environment import cuda_readiness

    console = stderr_console()
    if plan.device != "cpu":
        for problem in cuda_readiness():
            console.print(Text(f"warning: {problem}", style="yellow"), highlight=False)
    progress = ProgressDisplay(console, plan)
    try:
        yield progress
    finally:
        progress.close()


@contextmanager
def interruption_reported(folder: Path, *, advise: bool) -> Iterator[None]:
    """Ctrl-C or SIGTERM during the probes: say what was kept and how to go on, then exit 130 or 143."""
    from probes.runner import ProbesInterrupted

    try:
        yield
    except ProbesInterrupted as interrupted:
        lines = [f"\nInterrupted. What was measured so far is kept in {folder} (evidence.json, marked incomplete)."]
        if advise:
            lines.append(f"Re-render with: advisor report {folder}")
            lines.append(f"Measure again: advisor advise --answers {folder / 'answers.yaml'} --out NEW_FOLDER")
        else:
            lines.append("Measure again: advisor probe --out NEW_FOLDER")
        typer.echo("\n".join(lines), err=True)
        raise typer.Exit(interrupted_exit_code(interrupted.interrupt)) from None
