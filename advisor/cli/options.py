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
from advisor.own_model import ModelOptions

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


# --- the user's own model: probe, advise and team take these, as one group

MODEL_PANEL = "Your model"

ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        metavar="PATH",
        help="Also measure your own model: a Keras file (model.keras), measured on every Keras backend installed, or"
        " FILE.py:FUNCTION returning a PyTorch nn.Module, measured eager and with torch.compile, channels_last and"
        " fused Adam. Its training, inference, memory and deployment routes lead the report.",
        rich_help_panel=MODEL_PANEL,
    ),
]
ModelInputOpt = Annotated[
    str | None,
    typer.Option(
        "--model-input",
        metavar="SHAPE[:DTYPE]",
        help="One sample's input shape (and dtype), when the model does not say: 3x32x32, 128:int64."
        "  [default: read from the model]",
        rich_help_panel=MODEL_PANEL,
    ),
]
ModelLossOpt = Annotated[
    str | None,
    typer.Option(
        "--model-loss",
        metavar="[auto|classification|regression|sum]",
        help="The generic loss it trains with: integer labels, a target of the output's shape, or the outputs' sum."
        "  [default: auto, from the outputs]",
        rich_help_panel=MODEL_PANEL,
    ),
]
ModelBatchOpt = Annotated[
    int | None,
    typer.Option(
        "--model-batch",
        metavar="N",
        help="Your batch size, for training and for the batch inference.  [default: the budget's]",
        rich_help_panel=MODEL_PANEL,
    ),
]
ModelCodeOpt = Annotated[
    Path | None,
    typer.Option(
        "--model-code",
        metavar="FILE.py",
        help="A .py file that registers the custom layers of a .keras file, imported before it is loaded.",
        rich_help_panel=MODEL_PANEL,
    ),
]
UnsafeModelOpt = Annotated[
    bool,
    typer.Option(
        "--unsafe-model",
        help="Load a .keras file with safe_mode=False: a Lambda layer then runs Python code stored in the file."
        " Only for a file you trust.",
        rich_help_panel=MODEL_PANEL,
    ),
]


def model_options(
    model: ModelOpt = None,
    model_input: ModelInputOpt = None,
    model_loss: ModelLossOpt = None,
    model_batch: ModelBatchOpt = None,
    model_code: ModelCodeOpt = None,
    unsafe_model: UnsafeModelOpt = False,
) -> ModelOptions:
    """The user's own model, as given; checked when the command runs (ModelOptions.user_model)."""
    return ModelOptions(model, model_input, model_loss, model_batch, model_code, unsafe_model)


MODEL = OptionGroup("model", lambda: model_options)
