"""`advisor claims`: every claim of the source articles, with its verdict from a run's evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advisor.cli.app import app, handle_errors


@app.command("claims")
@handle_errors
def claims(
    folder: Annotated[
        Path | None,
        typer.Argument(help="A run folder (or its evidence.json); without it, no evidence: nothing is measured."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")] = False,
) -> None:
    """List every claim from the source articles with its verdict from a run's evidence.

    Example: advisor claims advisor-runs/2026-11-23T10-15-02
    """
    import json

    from advisor.claims.listing import ledger_json, print_ledger
    from advisor.runs import checked_claims

    verdicts, origin = checked_claims(folder)
    if as_json:
        typer.echo(json.dumps(ledger_json(verdicts, origin), indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    print_ledger(Console(highlight=False), verdicts, origin)
