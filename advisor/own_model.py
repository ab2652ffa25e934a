"""The command line's options for the user's own model, and the one function that checks them.

`--model PATH` and its companions are declared once here and taken by `probe`, `advise` and `team`;
`model_from_options` turns them into the plan's UserModel (probes/user_model.py), refusing what it
cannot measure with one line and exit code 2 before anything runs. Nothing here opens the model:
the user's code runs only in probe children.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from advisor.errors import AdvisorError

if TYPE_CHECKING:
    from probes.user_model import UserModel

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
        help="One sample's input shape (and dtype), when the model does not say: 3x32x32, 128:int64.",
        show_default="read from the model",
        rich_help_panel=MODEL_PANEL,
    ),
]
ModelLossOpt = Annotated[
    str | None,
    typer.Option(
        "--model-loss",
        metavar="[auto|classification|regression|sum]",
        help="The generic loss it trains with: integer labels, a target of the output's shape, or the outputs' sum.",
        show_default="auto: from the outputs",
        rich_help_panel=MODEL_PANEL,
    ),
]
ModelBatchOpt = Annotated[
    int | None,
    typer.Option(
        "--model-batch",
        metavar="N",
        help="Your batch size, for training and for the batch inference.",
        show_default="the budget's",
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


def model_from_options(
    model: str | None,
    model_input: str | None = None,
    model_loss: str | None = None,
    model_batch: int | None = None,
    model_code: Path | None = None,
    unsafe_model: bool = False,
) -> UserModel | None:
    """The user's model as the plan takes it, or None without --model; AdvisorError (exit 2) for what is refused."""
    from probes.user_model import user_model

    if model is None:
        given = [flag for flag, value in _companions(model_input, model_loss, model_batch, model_code, unsafe_model)]
        if given:
            raise AdvisorError(f"option {given[0]} describes your model: give it with --model PATH")
        return None
    code = str(model_code) if model_code is not None else None
    try:
        return user_model(model, model_input, model_loss, model_batch, code, unsafe_model)
    except ValueError as error:
        raise AdvisorError(str(error)) from None


def _companions(*values: object) -> list[tuple[str, object]]:
    flags = ("--model-input", "--model-loss", "--model-batch", "--model-code", "--unsafe-model")
    return [(flag, value) for flag, value in zip(flags, values, strict=True) if value not in (None, False)]


def with_model_measured(model: UserModel, machines: list[Any], progress: Any = None) -> list[Any]:
    """The team's machines with the user's model measured here (quick budget) and joined to this machine's
    evidence; with no evidence given, this machine's model figures become the team's only machine.

    Measuring happens after every member and evidence file was read, so a bad input costs no measuring;
    a model measured here never joins another machine's evidence (AdvisorError, exit 2, before measuring).
    """
    from dataclasses import replace

    from advisor.team.inputs import Machine
    from probes.budgets import get_budget
    from probes.environment import collect_environment
    from probes.evidence import added_to, same_machine
    from probes.plan import make_plan
    from probes.runner import run_probes

    here = collect_environment()
    match = next((i for i, m in enumerate(machines) if same_machine(m.evidence.environment, here)), None)
    if machines and match is None:
        raise AdvisorError(
            "option --model: your model is measured on this machine, and no --evidence file is from it: run"
            " advisor probe --model PATH --add-to FOLDER where that evidence was measured, and pass FOLDER instead"
        )
    measured = run_probes(make_plan(get_budget("quick"), model=model, only_model=True), progress)
    if match is None:
        return [Machine(str(here.get("hostname") or "this machine"), "measured now (--model)", measured)]
    joined = added_to(machines[match].evidence, measured)
    return [replace(m, evidence=joined) if i == match else m for i, m in enumerate(machines)]
