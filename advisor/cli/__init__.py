"""The `advisor` command line: thin commands over advisor.runs and advisor.teams, errors as one line and exit 2.

- `app`: the Typer app, exit codes, the error edge, `main`
- `groups`, `options`: help headings, and the options several commands share, each declared once
- `measuring`, `outcome`: what the commands that measure, and those that score, have in common
- `advise`, `probe`, `report`, `claims`, `team`: one module per command group, each registering on `app`

Nothing here imports a framework, and `advisor --help` imports no command's libraries.
"""

# Each module registers its commands on `app`; --help lists them in this order.
from advisor.cli import advise, probe, report, claims, team  # noqa: F401, I001
from advisor.cli.app import EXIT_NOTHING_MEASURED, app, main

__all__ = ["EXIT_NOTHING_MEASURED", "app", "main"]
