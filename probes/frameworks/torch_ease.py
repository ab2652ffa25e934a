"""Ease of use of PyTorch: counted from its reference script's source, importing no framework."""

from __future__ import annotations

from typing import Any

from probes import ease
from probes.specs import MODELS

REFERENCE = "torch_reference.py"


def cases(models: list[str]) -> list[tuple[str, str]]:
    return [(model, "") for model in models]


def import_framework() -> dict[str, str]:
    return {}  # reading source needs no framework: this child stays light


def configure_threads(n: int) -> dict[str, Any]:
    return {}


def device_info(preference: str) -> dict[str, Any]:
    return {"used": "none (source analysis)"}


def measure(model: str, case: str, settings: dict[str, Any]) -> dict[str, Any]:
    return ease.measure_reference(REFERENCE, model, MODELS)
