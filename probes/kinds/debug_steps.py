"""What a user does next when a planted bug did not say what went wrong, and how far each step gets them.

The debugging probe (probes/kinds/debugging.py) runs each planted bug the way the framework runs by
default. When that run neither raised nor warned with a message that names the cause (or points at
the planted statement), a user tries, in this order of effort:

1. the framework's own detector, one switch: `torch.autograd.set_detect_anomaly(True)`,
   `tf.debugging.enable_check_numerics()`, JAX's `jax_debug_nans` (Keras turns on its backend's);
2. a print of the model's outputs inside the model's code (in `forward`, in `call`, in the traced
   function): in an eager framework it prints the values at every step; in a traced one it prints
   a symbolic tensor once, while tracing;
3. where the framework traces by default, the same print after its eager switch (Keras's
   `run_eagerly=True`, TensorFlow's `tf.config.run_functions_eagerly(True)`), one more step.

Each framework's debugging module runs a stage when asked (`Stage` -> the facts of that run, as
`observe` classifies them); this module, which imports no framework, decides which stages to run,
whether each found the bug, and how many steps the user needed: 0 when the default run said it, 1
for the detector or a print in the default mode, 2 for the print after the eager switch, None when
none of them found it. A detector that finds nothing, or a print that shows nothing of the bug, is
recorded as such: that is what the user would have seen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from probes.kinds.debugging import REVEALS, PlantedBug, cause_pattern

STAGES = ("default", "detector", "print", "print_eager")
STEPS = {"default": 0, "detector": 1, "print": 1, "print_eager": 2}
REPORT_CHARS = 200
RunStage = Callable[[str], dict[str, Any]]  # a stage's name -> the facts of that run (debugging.observe)


def prevented_facts(bug: PlantedBug) -> dict[str, Any]:
    """The record of a bug this framework's idiom cannot make: nothing was planted or run."""
    return {
        "bug": bug.title,
        "planted_text": None,
        "surfaced_at": "prevented",
        "prevented": True,
        "prevented_why": bug.prevented,
        "found_by": "prevented",
        "steps_to_find": 0,
        "detected": False,
    }


def found_by_default(facts: Mapping[str, Any]) -> bool:
    """The default run told the user what went wrong: its error or a warning names the cause (or the
    shapes or dtypes), or its traceback points at the planted statement."""
    named = facts.get("names_cause") or facts.get("names_shapes") or facts.get("names_dtypes")
    return bool(named or facts.get("points_at_planted_statement"))


def found_by_detector(facts: Mapping[str, Any], default: Mapping[str, Any]) -> bool:
    """The detector raised where the default run did not, and its report names the cause or the place."""
    raised_now = facts.get("exception_type") is not None and default.get("exception_type") is None
    return raised_now and found_by_default(facts)


def climb(run: RunStage, bug: PlantedBug, traced_by_default: bool, switches: Mapping[str, str], full: bool) -> dict:
    """Run the default stage, then the next steps a user takes until one finds the bug; the default's facts
    with each stage's outcome added (`switches`: what the detector and the eager switch are, in words).

    `full` False (a budget that measures the default run only) stops after the default stage; the print
    case (a print and a counter in the model: counted, not a bug to find) runs its default stage alone.
    """
    facts = run("default")
    if bug.expect == "print":
        return facts
    if found_by_default(facts):
        return facts | {"found_by": "default", "steps_to_find": 0}
    if facts.get("absorbed"):
        return facts | {"found_by": None, "next_steps": "nothing to find: the framework made the mistake harmless"}
    if not full:
        return facts | {"found_by": None, "next_steps": "not run in this budget (--budget thorough runs them)"}
    detector = run("detector")
    facts.update(
        detector=switches.get("detector"),
        detector_found=found_by_detector(detector, facts),
        detector_error=report_line(bug, detector),
        detector_surfaced_at=detector.get("surfaced_at"),
    )
    printing = printed_stages(bug, traced_by_default)
    for stage in printing:
        printed = run(stage)
        seen = bool(printed.get("print_reveals"))
        key = "print_found" if stage == "print" else "print_eager_found"
        facts[key] = seen
        facts["print_excerpt" if stage == "print" else "print_eager_excerpt"] = printed.get("print_excerpt")
        if stage == "print":
            facts["print_mode"] = switches.get("default_mode")
        else:
            facts["eager_switch"] = switches.get("eager")
        if seen:
            break
    if not printing:
        facts["print_found"] = False
        facts["print_excerpt"] = "not run: a print of the model's outputs shows nothing of this bug"
    found = next((stage for stage in STAGES[1:] if facts.get(f"{stage}_found")), None)
    return facts | {"found_by": found or "none", "steps_to_find": STEPS[found] if found else None}


def report_line(bug: PlantedBug, facts: Mapping[str, Any]) -> str | None:
    """What a run raised, in a line: the part of its message that names the cause when one does (a
    detector's report often opens with a wrapper line such as "Graph execution error:"), else its headline."""
    message = str(facts.get("message_excerpt") or "")
    pattern = cause_pattern(bug.cause)
    found = pattern.search(message) if pattern is not None else None
    if found is None:
        return facts.get("error")
    sentence = message.rfind(". ", 0, found.start())  # from the start of the sentence that names it, at most
    start = max(sentence + 2 if sentence >= 0 else 0, found.start() - REPORT_CHARS // 2)  # half a line back
    return ("…" if start else "") + message[start : start + REPORT_CHARS].strip()


def printed_stages(bug: PlantedBug, traced_by_default: bool) -> tuple[str, ...]:
    """The print stages worth running: none when a print of the outputs cannot show the bug (REVEALS)."""
    if bug.id not in REVEALS:
        return ()
    return ("print", "print_eager") if traced_by_default else ("print",)


def ladder_wanted(settings: Mapping[str, Any]) -> bool:
    """Whether this run's budget measures the steps after the default run (probes/budgets.py)."""
    from probes.budgets import BUDGETS

    budget = BUDGETS.get(str(settings.get("budget")))
    return budget is None or budget.debugging_steps
