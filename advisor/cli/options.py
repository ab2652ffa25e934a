"""Options more than one command takes, each declared once here.

Defaults that are sentences ("a new folder in ./advisor-runs") are written into the help text in
the same [default: ...] form Typer gives a value, so every default reads alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advisor.cli.groups import OptionGroup
from advisor.cli.measuring import Measuring

RUN_PANEL = "Run options"

ForceOpt = Annotated[
    bool, typer.Option("--force", help="Write into --out even if it holds files already.", rich_help_panel=RUN_PANEL)
]
OpenOpt = Annotated[
    bool,
    typer.Option(
        "--open", help="Open the report in the default browser when there is a display.", rich_help_panel=RUN_PANEL
    ),
]
LabelOpt = Annotated[
    list[str] | None,
    typer.Option("--label", help="A name for each evidence file's machine, in order (default: its hostname)."),
]

# --- the measuring options: advise and probe take them all, as one group

BudgetOpt = Annotated[
    str,
    typer.Option(
        "--budget",
        metavar="[tiny|quick|standard|thorough|scale]",
        help="How long to measure: tiny is a smoke test, quick under a minute, standard a few minutes;"
        " scale measures batch sizes, data from disk and data-parallel processes.",
        rich_help_panel=RUN_PANEL,
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="FOLDER",
        help="Folder for the records and report.  [default: a new folder in ./advisor-runs]",
        rich_help_panel=RUN_PANEL,
    ),
]
VariantOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--variant",
        metavar="VARIANT",
        help="Measure only this variant (repeatable): torch, keras-tensorflow, tensorflow, keras-torch, keras-jax; "
        "named options: torch-compile, keras-tensorflow-xla, tensorflow-xla; experts' settings: torch-expert, "
        "keras-tensorflow-spe, tensorflow-onednn-off; on request: torch-amp, keras-tensorflow-mixed "
        "(mixed precision), torch-as-written, keras-tensorflow-as-written, tensorflow-as-written (each "
        "reference's own input pipeline timed).  [default: the budget's]",
        rich_help_panel=RUN_PANEL,
    ),
]
ThreadsOpt = Annotated[
    int | None,
    typer.Option(
        "--threads",
        min=1,
        metavar="N",
        help="CPU threads for every framework.  [default: the cores this process may use]",
        rich_help_panel=RUN_PANEL,
    ),
]
DeviceOpt = Annotated[
    str,
    typer.Option("--device", metavar="[auto|cpu]", help="auto: a GPU when one is found.", rich_help_panel=RUN_PANEL),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--child-timeout",
        min=1,
        metavar="SECONDS",
        help="Seconds before a probe child is killed.  [default: the budget's]",
        rich_help_panel=RUN_PANEL,
    ),
]


def measuring_options(
    out: OutOpt = None,
    force: ForceOpt = False,
    budget: BudgetOpt = "quick",
    variant: VariantOpt = None,
    threads: ThreadsOpt = None,
    device: DeviceOpt = "auto",
    child_timeout: TimeoutOpt = None,
) -> Measuring:
    """What to measure and where to write it: the options of every command that measures."""
    return Measuring(out, force, budget, tuple(variant or ()), threads, device, child_timeout)


MEASURING = OptionGroup("measuring", lambda: measuring_options)
