"""The one contract every framework folder under probes/ implements, and how a folder is found.

A framework folder (probes/pytorch/, probes/keras/, probes/tensorflow/) holds its reference script
(`reference.py`, the code users would write and the report shows), and one module per probe kind
it measures (`speed.py`, `debugging.py`, `export.py`), each written in that framework's idiom.
Its `__init__.py` exposes `PROBE`, an object with the methods of FrameworkProbe. The generic probe
kinds (probes/kinds/) hold the measuring protocol and no framework's names; the runner and the
worker know frameworks only through this contract.

Like Keras's backends, each folder has the same names; a kind a framework cannot measure is left
out of its `kinds`, and the runner records it as skipped with that reason, never a silent fallback.
Nothing here imports a framework: the parent reads `cases` before any child starts.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, runtime_checkable

from probes.variants import Variant

KINDS = ("speed", "ease", "debugging", "export", "scale")
PER_MODEL_KINDS = ("speed", "ease")  # one case per model; the others name their cases (a bug, an export path)
FRAMEWORK_FREE_KINDS = ("ease",)  # read source: the child never imports the framework


@runtime_checkable
class FrameworkProbe(Protocol):
    """What the worker calls; `measure` returns {"status"?, "reason"?, "samples": {...}, "facts": {...}}."""

    name: str  # the folder's name under probes/
    kinds: tuple[str, ...]  # the probe kinds this framework implements

    def reference_path(self) -> Path:
        """The framework's reference script, the code a user of it would write."""
        ...

    def cases(self, kind: str, models: Sequence[str], variant: Variant) -> list[tuple[str, str]]:
        """The (model, case) pairs this kind measures for `variant`; imports no framework."""
        ...

    def import_framework(self, variant: Mapping[str, Any]) -> dict[str, str]:
        """Import the framework (the worker times it); return {package: version}."""
        ...

    def configure_threads(self, n: int) -> dict[str, Any]:
        """Give the framework n CPU threads, as every other framework gets; return what it set."""
        ...

    def device_info(self, preference: str) -> dict[str, Any]:
        """Which device it will use ("used"), given "auto" or "cpu", and what it saw."""
        ...

    def measure(
        self, kind: str, model: str, case: str, settings: Mapping[str, Any], variant: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Measure one case of one kind; raise on failure (the worker records the exception)."""
        ...


class FrameworkFolder:
    """The shared half of FrameworkProbe: find the folder's kind modules and dispatch to them.

    A kind module (probes/<name>/<kind>.py) defines `measure(model, case, settings, variant)` and,
    for kinds with named cases, `cases(models, variant)`; ease needs no module (the reference's
    source is counted by probes/kinds/ease.py).
    """

    name = ""
    kinds: tuple[str, ...] = ()
    api_packages: frozenset[str] = frozenset()  # what the ease probe counts as this framework's API
    device_apis: tuple[str, ...] = ()  # calls that choose or move to a device, as the ease probe counts them

    def reference_path(self) -> Path:
        return Path(__file__).resolve().parent / self.name / "reference.py"

    def kind_module(self, kind: str) -> ModuleType:
        if kind not in self.kinds:
            raise NotImplementedError(f"{self.name} has no {kind} probe")
        return importlib.import_module(f"probes.{self.name}.{kind}")

    def cases(self, kind: str, models: Sequence[str], variant: Variant) -> list[tuple[str, str]]:
        if kind in PER_MODEL_KINDS:
            return [(model, "") for model in models]
        return [(str(m), str(c)) for m, c in self.kind_module(kind).cases(list(models), variant)]

    def measure(
        self, kind: str, model: str, case: str, settings: Mapping[str, Any], variant: Mapping[str, Any]
    ) -> dict[str, Any]:
        if kind == "ease":
            from probes.kinds.ease import Vocabulary, measure_reference

            return measure_reference(self.reference_path(), model, Vocabulary(self.api_packages, self.device_apis))
        return self.kind_module(kind).measure(model, case, settings, variant)


@cache
def framework_probe(name: str) -> FrameworkProbe:
    """The PROBE of probes/<name>/; imports the folder's __init__ (which imports no framework)."""
    module = importlib.import_module(f"probes.{name}")
    probe = module.PROBE
    if not isinstance(probe, FrameworkProbe):
        raise TypeError(f"probes/{name}/__init__.py: PROBE does not implement probes.contract.FrameworkProbe")
    return probe


def variant_kinds(variant: Variant) -> tuple[str, ...]:
    """The kinds a variant runs: its own list, or every kind its framework implements."""
    implemented = framework_probe(variant.framework).kinds
    return tuple(k for k in (variant.kinds or KINDS) if k in implemented)
