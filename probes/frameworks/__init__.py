"""The framework variants we can measure, and whether each is installed (without importing it)."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Variant:
    """A way to train a model: a framework, or Keras 3 on one of its backends."""

    id: str
    label: str
    family: str  # what a user "knows": pytorch, keras, tensorflow or jax
    probe_module: str  # runs in the child: measures this variant
    requires: tuple[str, ...]  # top-level modules that must be importable
    env: Mapping[str, str] = field(default_factory=dict)  # set before the child imports anything
    optional: bool = False  # an extra the default install leaves out


VARIANTS: dict[str, Variant] = {
    v.id: v
    for v in (
        Variant("torch", "PyTorch", "pytorch", "probes.frameworks.torch_probe", ("torch",)),
        Variant(
            "keras-tensorflow",
            "Keras 3 on TensorFlow",
            "keras",
            "probes.frameworks.keras_probe",
            ("keras", "tensorflow"),
            {"KERAS_BACKEND": "tensorflow"},
        ),
        Variant(
            "tensorflow",
            "TensorFlow (low-level)",
            "tensorflow",
            "probes.frameworks.tensorflow_probe",
            ("tensorflow",),
        ),
        Variant(
            "keras-torch",
            "Keras 3 on PyTorch",
            "keras",
            "probes.frameworks.keras_probe",
            ("keras", "torch"),
            {"KERAS_BACKEND": "torch"},
        ),
        Variant(
            "keras-jax",
            "Keras 3 on JAX",
            "keras",
            "probes.frameworks.keras_probe",
            ("keras", "jax"),
            {"KERAS_BACKEND": "jax"},
            optional=True,
        ),
    )
}


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
