"""The user's own model as the command line gives it, and the one function that checks it.

`--model PATH` and its companions are declared once (advisor/cli/options.py, the MODEL group) and
taken by `probe`, `advise` and `team`; `model_from_options` turns them into the plan's UserModel
(probes/user_model.py), refusing what it cannot measure with one line and exit code 2 before anything
runs. Nothing here opens the model: the user's code runs only in probe children.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import AdvisorError

if TYPE_CHECKING:
    from advisor.records.team import Machine
    from probes.plan import ProbePlan
    from probes.user_model import UserModel


@dataclass(frozen=True)
class ModelOptions:
    """--model and its companions as given (advisor/cli/options.py declares them); `user_model()` checks them."""

    model: str | None = None
    model_input: str | None = None
    model_loss: str | None = None
    model_batch: int | None = None
    model_code: Path | None = None
    unsafe_model: bool = False

    def user_model(self) -> UserModel | None:
        """The user's model as the plan takes it, or None without --model; AdvisorError (exit 2) for what is refused."""
        return model_from_options(
            self.model, self.model_input, self.model_loss, self.model_batch, self.model_code, self.unsafe_model
        )


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


def model_plan(model: UserModel) -> ProbePlan:
    """What `advisor team --model` measures here: the user's model alone, at the quick budget."""
    from probes.budgets import get_budget
    from probes.plan import make_plan

    return make_plan(get_budget("quick"), model=model, only_model=True)


def with_model_measured(plan: ProbePlan, machines: list[Machine], progress: Any = None) -> list[Machine]:
    """The team's machines with the user's model measured here (`plan`, from model_plan) and joined to this
    machine's evidence; with no evidence given, this machine's model figures become the team's only machine.

    Measuring happens after every member and evidence file was read, so a bad input costs no measuring;
    a model measured here never joins another machine's evidence (AdvisorError, exit 2, before measuring).
    """
    from dataclasses import replace

    from advisor.records.team import Machine
    from probes.environment import collect_environment
    from probes.evidence import added_to, same_machine
    from probes.runner import run_probes

    here = collect_environment()
    match = next((i for i, m in enumerate(machines) if same_machine(m.evidence.environment, here)), None)
    if machines and match is None:
        raise AdvisorError(
            "option --model: your model is measured on this machine, and no --evidence file is from it: run"
            " advisor probe --model PATH --add-to FOLDER where that evidence was measured, and pass FOLDER instead"
        )
    measured = run_probes(plan, progress)
    if match is None:
        return [Machine(str(here.get("hostname") or "this machine"), "measured now (--model)", measured)]
    joined = added_to(machines[match].evidence, measured)
    return [replace(m, evidence=joined) if i == match else m for i, m in enumerate(machines)]
