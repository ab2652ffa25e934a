"""`advisor report`: re-render a run folder's report from its records, or score it with other answers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advisor.cli.app import app, handle_errors
from advisor.cli.groups import PanelCommand
from advisor.cli.options import ForceOpt, OpenOpt
from advisor.cli.outcome import exit_if_nothing_measured, print_outcome
from advisor.errors import AdvisorError


@app.command("report", cls=PanelCommand)
@handle_errors
def report(
    folder: Annotated[Path, typer.Argument(help="A run folder written by advise or probe (or its evidence.json).")],
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FILE",
            help="Score with these answers instead of the folder's own; written to --out, never over the folder's.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help="With --answers: the folder for that scoring.  [default: FOLDER-<answers file name> beside the run]",
        ),
    ] = None,
    force: ForceOpt = False,
    open_report: OpenOpt = False,
) -> None:
    """Re-render report.html (and scorecard.json) from a run folder's records; measures nothing.

    Example: advisor report advisor-runs/2026-11-23T10-15-02

    Someone else's advice on the same evidence: advisor report advisor-runs/2026-11-23T10-15-02 --answers carol.yaml
    """
    from advisor.questionnaire.questions import collect_answers, read_answers_file
    from advisor.runs import rerender, rescore_into, run_folder_of

    folder = run_folder_of(folder)
    if answers is not None:
        other = collect_answers(file_values=read_answers_file(answers), file_origin=str(answers), use_defaults=True)
        target = out or folder.with_name(f"{folder.name}-{answers.stem}")
        run = rescore_into(folder, other, target, force=force)
    elif out is not None:
        raise AdvisorError("option --out is for --answers: without it, the report is re-rendered in its own folder")
    else:
        run = rerender(folder)
    for note in run.remade:
        typer.echo(f"note: {note}", err=True)
    print_outcome(run, open_report=open_report)
    exit_if_nothing_measured(run)
