"""What advise and report print when a run is scored: the headline, the caveats, the table, the files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from advisor.cli.app import EXIT_NOTHING_MEASURED

if TYPE_CHECKING:  # for annotations only: loads when a command runs, never at startup
    from advisor.runs import AdviceRun


def print_outcome(run: AdviceRun, *, open_report: bool = False) -> None:
    """The terminal's summary: the headline, what the evidence cannot carry, where the report is."""
    from advisor.report.terminal import score_table

    card = run.scorecard
    typer.echo(_headline(run))
    for caveat in card.caveats:
        typer.echo(f"  ! {caveat.text}")
    typer.echo("")
    for line in score_table(card):
        typer.echo(line)
    typer.echo("")
    missing = [r for r in run.evidence.probes() if not r.ok] if run.evidence else []
    if missing:
        typer.echo(f"Not measured: {len(missing)} probe(s); the report says which and why.")
    report = run.folder.report.resolve()
    typer.echo(f"Report: {report}")
    typer.echo(f"        {report.as_uri()}")
    typer.echo(f"Decision record (Markdown): {report.parent / 'decision.md'}")
    typer.echo(f"Replay these answers: advisor advise --answers {run.folder.answers.resolve()}")
    if open_report:
        typer.echo(_open_in_browser(report))


def _headline(run: AdviceRun) -> str:
    from probes.variants import label

    card = run.scorecard
    runner_up = label(card.ranking[1]) if len(card.ranking) > 1 else "none"
    if card.confidence == "provisional":
        return f"Provisional: {label(card.leader)} leads {runner_up} by {card.margin:.2f} points of 10"
    if card.near_tie:
        return f"Near tie: {label(card.leader)} and {runner_up} ({card.margin:.2f} points apart of 10)"
    return (
        f"Recommendation: {label(card.leader)}, {card.margin:.2f} points ahead of {runner_up}; "
        f"first in {card.kept_under_perturbation:.0%} of ±30% weightings"
    )


def exit_if_nothing_measured(run: AdviceRun) -> None:
    """Exit 3 when the report rests on the articles alone, so that scripts can tell."""
    if not (run.evidence and any(r.ok for r in run.evidence.probes())):
        raise typer.Exit(EXIT_NOTHING_MEASURED)


def _open_in_browser(path: Path) -> str:
    """Open the report where there is a display; otherwise say so (a server has none)."""
    import os
    import webbrowser

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "--open: no display here; open the file:// address above in a browser."
    try:
        opened = webbrowser.open(path.as_uri())
    except webbrowser.Error:
        opened = False
    return "Opened the report in your browser." if opened else "--open: no browser found; open the address above."
