"""The knowledge base: questions, criteria, weighting rules, sources and claims, kept as YAML data.

Reviewers change these files without touching Python; code reads them only through `load`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """Parse knowledge/<name>.yaml (cached: the files do not change during a run)."""
    import yaml

    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"knowledge/{name}.yaml must hold a mapping at the top level")
    return data
