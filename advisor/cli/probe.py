"""`advisor probe`: only measure, into a new run folder or added to one of this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advisor.cli.app import EXIT_NOTHING_MEASURED, app, handle_errors
from advisor.cli.groups import GroupedCommand
from advisor.cli.measuring import interruption_reported, progress_shown
from advisor.cli.options import MEASURING, RUN_PANEL
from advisor.errors import AdvisorError


class ProbeCommand(GroupedCommand):
    groups = (MEASURING,)


@app.command("probe", cls=ProbeCommand)
@handle_errors
def probe(
    ctx: typer.Context,
    add_to: Annotated[
        Path | None,
        typer.Option(
            "--add-to",
            metavar="FOLDER",
            help="Add what this budget measures to a run folder of this machine (then: advisor report FOLDER).",
            rich_help_panel=RUN_PANEL,
        ),
    ] = None,
) -> None:
    """Only measure: run the probes and write evidence.json.

    Example: advisor probe --budget standard --out runs/laptop

    The scale probe beside it, in the same report: advisor probe --budget scale --add-to runs/laptop
    """
    from advisor.fileio import default_run_dir
    from advisor.runs import probe as run_probe
    from advisor.runs import probe_into

    measuring = MEASURING.of(ctx)
    if add_to is not None and measuring.out is not None:
        raise AdvisorError("options --add-to and --out: give one (--add-to adds to a folder, --out makes a new one)")
    plan = measuring.plan()
    folder = add_to or measuring.out or default_run_dir()
    with interruption_reported(folder, advise=False), progress_shown(plan) as progress:
        if add_to is not None:
            evidence = probe_into(add_to, plan, progress=progress)
        else:
            evidence = run_probe(folder, plan, force=measuring.force, progress=progress)
    probes = evidence.probes()
    measured = sum(1 for r in probes if r.ok)
    typer.echo(f"Measured {measured} of {len(probes)} probes in {evidence.wall_s:.1f} s.")
    typer.echo(f"Evidence: {(folder / 'evidence.json').resolve()}")
    if add_to is not None:
        typer.echo(f"Render the report with both runs: advisor report {add_to}")
    if not measured:
        typer.echo("Nothing was measured: evidence.json says why for each probe.", err=True)
        raise typer.Exit(EXIT_NOTHING_MEASURED)
