"""The variants a run can measure: a framework, or Keras 3 on one of its backends, or a named option.

A variant is one row of VARIANTS: which framework folder under probes/ runs it (each implements
the probe contract, probes/contract.py), the modules it needs, the environment its child starts
with (KERAS_BACKEND picks a Keras backend before anything imports keras) and the options passed to
its probes (`compile`: torch.compile; the experts' settings: `channels_last`, `fused_adam`,
`steps_per_execution`; `as_written`: the reference's own input pipeline timed). A variant with
`option_of` is a switch a user of another variant can flip ("PyTorch with torch.compile" beside
"PyTorch"): it is measured and shown beside that variant, never ranked as a framework to pick.
Adding a variant is a row here, and a folder under probes/ when its framework has none yet.

Whether a variant is installed is read from the import system without importing anything.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Variant:
    """A way to train a model: a framework, Keras 3 on one of its backends, or a named option of one."""

    id: str
    label: str
    family: str  # what a user "knows": pytorch, keras, tensorflow or jax
    framework: str  # the folder under probes/ that measures it: pytorch, keras or tensorflow
    requires: tuple[str, ...]  # top-level modules that must be importable
    env: Mapping[str, str] = field(default_factory=dict)  # set before the child imports anything
    options: Mapping[str, Any] = field(default_factory=dict)  # handed to the framework's probes
    kinds: tuple[str, ...] | None = None  # the probe kinds it runs; None: every kind its framework has
    optional: bool = False  # an extra the default install leaves out
    option_of: str | None = None  # a named option of this variant: shown beside it, never a candidate
    on_request: bool = False  # measured only when named (--variant) or by a check that names it
    own_accuracy_check: bool = False  # an option that changes the numerics gets its own accuracy check
    why: str = ""  # an option: what it changes, and why an expert of that framework sets it
    # An option: the regime of models where it is a lever, "realistic" (compute-bound workloads: a layout,
    # a fused kernel) or "overhead" (short steps: fewer calls per batch). A budget that measures options on
    # their own regime (probes/budgets.py options_on_their_regime) times it there only.
    lever_on: str = "realistic"

    @property
    def backend(self) -> str | None:
        """The Keras backend this variant selects, if it is Keras."""
        return self.env.get("KERAS_BACKEND")

    @property
    def candidate(self) -> bool:
        """Whether the scorecard ranks it as a framework to pick (a named option is not)."""
        return self.option_of is None

    def request(self) -> dict[str, Any]:
        """What a child needs to know of its variant (sent in the worker's request)."""
        return {"id": self.id, "framework": self.framework, "backend": self.backend, "options": dict(self.options)}


# Keras's lever for models whose steps are short beside its per-batch overhead: batches per call of the
# compiled train function (its guides show 32 and more; 16 keeps a timed window a few executions long).
STEPS_PER_EXECUTION = 16

VARIANTS: dict[str, Variant] = {
    v.id: v
    for v in (
        Variant("torch", "PyTorch", "pytorch", "pytorch", ("torch",)),
        Variant(
            "keras-tensorflow", "Keras 3 on TensorFlow", "keras", "keras", ("keras", "tensorflow"),
            env={"KERAS_BACKEND": "tensorflow"},
        ),
        Variant("tensorflow", "TensorFlow (low-level)", "tensorflow", "tensorflow", ("tensorflow",)),
        Variant(
            "keras-torch", "Keras 3 on PyTorch", "keras", "keras", ("keras", "torch"), env={"KERAS_BACKEND": "torch"}
        ),
        Variant(
            "keras-jax", "Keras 3 on JAX", "keras", "keras", ("keras", "jax"), env={"KERAS_BACKEND": "jax"},
        ),
        # Named options: the switch a user of that variant flips, measured beside it. Each process
        # compiles from cold (no inductor cache carried over from an earlier process or run), so the
        # first step shows what a first compile costs.
        Variant(
            "torch-compile", "PyTorch with torch.compile", "pytorch", "pytorch", ("torch",),
            env={"TORCHINDUCTOR_FX_GRAPH_CACHE": "0", "TORCHINDUCTOR_AUTOGRAD_CACHE": "0"},
            options={"compile": "inductor"}, kinds=("speed",), option_of="torch",
        ),
        Variant(
            "keras-tensorflow-xla", "Keras 3 on TensorFlow with XLA", "keras", "keras", ("keras", "tensorflow"),
            env={"KERAS_BACKEND": "tensorflow"}, options={"jit_compile": True}, kinds=("speed",),
            option_of="keras-tensorflow",
        ),
        Variant(
            "tensorflow-xla", "TensorFlow (low-level) with XLA", "tensorflow", "tensorflow", ("tensorflow",),
            options={"jit_compile": True}, kinds=("speed",), option_of="tensorflow",
        ),
        # The experts' settings (issue 25): what a regular developer of that framework reaches in about half
        # an hour of tuning (keras-team/tf-keras#637's measure), each beside its default, never ranked.
        Variant(
            "torch-expert", "PyTorch with channels_last and fused Adam", "pytorch", "pytorch", ("torch",),
            options={"channels_last": True, "fused_adam": True}, kinds=("speed",), option_of="torch",
            why="PyTorch's default NCHW layout makes oneDNN reorder each activation into its blocked layout and"
            " back around every convolution, forward and backward; channels_last keeps activations NHWC, which"
            " oneDNN convolves as they are, leaving only the weights to reorder (ONEDNN_VERBOSE and torch.profiler:"
            " benchmarks/torch_layout.py). Fused Adam updates every parameter in one kernel instead of a loop of"
            " small operations per parameter",
        ),
        Variant(
            "keras-tensorflow-spe", f"Keras 3 on TensorFlow with steps_per_execution={STEPS_PER_EXECUTION}",
            "keras", "keras", ("keras", "tensorflow"), env={"KERAS_BACKEND": "tensorflow"},
            options={"steps_per_execution": STEPS_PER_EXECUTION}, kinds=("speed",), option_of="keras-tensorflow",
            lever_on="overhead",
            why=f"fit() runs {STEPS_PER_EXECUTION} batches per call of its compiled train function, so its per-batch"
            " overhead is paid once per call: the lever Keras's guides give for small models",
        ),
        Variant(
            "tensorflow-onednn-off", "TensorFlow (low-level) with oneDNN off", "tensorflow", "tensorflow",
            ("tensorflow",), env={"TF_ENABLE_ONEDNN_OPTS": "0"}, kinds=("speed",), option_of="tensorflow",
            why="TensorFlow has run oneDNN's kernels and graph rewrites on x86 since 2.9; off, its Eigen kernels run:"
            " what oneDNN gives on this CPU",
        ),
        # "As the reference is written": each framework's own input pipeline (and Keras's accuracy metric)
        # inside the clock, where the defaults time the step alone on batches made before it.
        Variant(
            "torch-as-written", "PyTorch as written (DataLoader in the clock)", "pytorch", "pytorch", ("torch",),
            options={"as_written": True}, kinds=("speed",), option_of="torch", on_request=True,
        ),
        Variant(
            "keras-tensorflow-as-written", "Keras 3 on TensorFlow as written (fit() with its metric)", "keras",
            "keras", ("keras", "tensorflow"), env={"KERAS_BACKEND": "tensorflow"}, options={"as_written": True},
            kinds=("speed",), option_of="keras-tensorflow", on_request=True,
        ),
        Variant(
            "tensorflow-as-written", "TensorFlow (low-level) as written (tf.data in the clock)", "tensorflow",
            "tensorflow", ("tensorflow",), options={"as_written": True}, kinds=("speed",), option_of="tensorflow",
            on_request=True,
        ),
        # Mixed precision (probes/precision.py): its own mode, on request, with its own accuracy check.
        Variant(
            "torch-amp", "PyTorch with mixed precision (autocast)", "pytorch", "pytorch", ("torch",),
            options={"mixed_precision": True}, kinds=("speed",), option_of="torch", on_request=True,
            own_accuracy_check=True,
        ),
        Variant(
            "keras-tensorflow-mixed", "Keras 3 on TensorFlow with mixed precision", "keras", "keras",
            ("keras", "tensorflow"), env={"KERAS_BACKEND": "tensorflow"}, options={"mixed_precision": True},
            kinds=("speed",), option_of="keras-tensorflow", on_request=True, own_accuracy_check=True,
        ),
    )
}  # fmt: skip


def missing_requirement(variant: Variant) -> str | None:
    """Why a variant cannot run here (a module not installed), or None; imports nothing."""
    for module in variant.requires:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return f"{module} is not installed"
    return None


def label(variant_id: str) -> str:
    variant = VARIANTS.get(variant_id)
    return variant.label if variant else variant_id
