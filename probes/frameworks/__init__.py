"""The framework variants we can measure, and whether each is installed (without importing it).

A variant maps each kind of probe to a module. Every probe module follows one small contract,
and imports its framework only inside its functions, so the runner can read `cases` cheaply:

    cases(models) -> list of (model, case)     what this module measures ("" when one per model)
    import_framework() -> {package: version}    the import, timed by the worker
    configure_threads(n) -> dict                the same thread count for every framework
    device_info(preference) -> dict             which device it will use
    measure(model, case, settings) -> {"samples": {metric: [floats]}, "facts": {...}}
"""

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
    probes: Mapping[str, str]  # probe kind (speed, debugging, export, ...) -> module run in the child
    requires: tuple[str, ...]  # top-level modules that must be importable
    env: Mapping[str, str] = field(default_factory=dict)  # set before the child imports anything
    optional: bool = False  # an extra the default install leaves out


VARIANTS: dict[str, Variant] = {
    v.id: v
    for v in (
        Variant(
            "torch",
            "PyTorch",
            "pytorch",
            {
                "speed": "probes.frameworks.torch_probe",
                "ease": "probes.frameworks.torch_ease",
                "debugging": "probes.frameworks.torch_debugging",
                "export": "probes.frameworks.torch_export",
            },
            ("torch",),
        ),
        Variant(
            "keras-tensorflow",
            "Keras 3 on TensorFlow",
            "keras",
            {
                "speed": "probes.frameworks.keras_probe",
                "ease": "probes.frameworks.keras_ease",
                "debugging": "probes.frameworks.keras_debugging",
                "export": "probes.frameworks.keras_export",
            },
            ("keras", "tensorflow"),
            {"KERAS_BACKEND": "tensorflow"},
        ),
        Variant(
            "tensorflow",
            "TensorFlow (low-level)",
            "tensorflow",
            {
                "speed": "probes.frameworks.tensorflow_probe",
                "ease": "probes.frameworks.tensorflow_ease",
                "debugging": "probes.frameworks.tensorflow_debugging",
                "export": "probes.frameworks.tensorflow_export",
            },
            ("tensorflow",),
        ),
        Variant(
            "keras-torch",
            "Keras 3 on PyTorch",
            "keras",
            {
                "speed": "probes.frameworks.keras_probe",
                "ease": "probes.frameworks.keras_ease",
                "debugging": "probes.frameworks.keras_debugging",
                "export": "probes.frameworks.keras_torch_export",
            },
            ("keras", "torch"),
            {"KERAS_BACKEND": "torch"},
        ),
        Variant(
            "keras-jax",
            "Keras 3 on JAX",
            "keras",
            {"speed": "probes.frameworks.keras_probe", "ease": "probes.frameworks.keras_ease"},
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
