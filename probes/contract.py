"""The contract every framework folder under probes/ implements: one Protocol per probe kind, and how a folder is found.

A framework folder (probes/pytorch/, probes/keras/, probes/tensorflow/) holds its reference script
(`reference.py`, the code users would write and the report shows), and one module per probe kind
it measures (`speed.py`, `debugging.py`, `export.py`, `scale.py`, and `own_model.py`, `own_export.py` for
the user's own model), each written in that framework's idiom and each implementing its kind's Protocol
below (SpeedProbe, DebuggingProbe, ExportProbe, ScaleProbe, OwnModelProbe, OwnExportProbe; the folder
itself is the EaseProbe). Its `__init__.py` exposes `PROBE`, an object with
the methods of FrameworkProbe. The generic probe kinds (probes/kinds/) hold the measuring protocol
and no framework's names; they, the runner and the worker reach a framework's code only through
this contract (`framework_probe(name).implementation(kind)`), never by a name they compose.

Like Keras's backends, each folder has the same names; a kind a framework cannot measure is left
out of its `kinds`, and the runner records it as skipped with that reason, never a silent fallback.
Code two folders share (Keras on TensorFlow and TensorFlow) lives in probes/common/, imported by
both, never in one of the two folders. Nothing here imports a framework: the parent reads `cases`
before any child starts.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from probes.user_model import OWN_KINDS
from probes.variants import Variant

if TYPE_CHECKING:
    import numpy as np

    from probes.kinds.debugging import PlantedBug

KINDS = ("speed", "ease", "debugging", "export", "scale", "own_model", "own_export")
PER_MODEL_KINDS = ("speed", "ease")  # one case per model; the others name their cases (a bug, an export path)
FRAMEWORK_FREE_KINDS = ("ease",)  # read source: the child never imports the framework
FOLDER_KINDS = ("ease",)  # implemented by the folder itself (PROBE), not by a module of its own
# Kinds whose cases file memory figures (peak RSS, training memory): only their children collect garbage and
# reset the peak mark before each case. With TensorFlow loaded a collection takes about 0.2 s, which a
# debugging child's twelve cases paid for figures nobody reads.
MEMORY_KINDS = ("speed", "own_model", "scale")
ACCURACY_CASE = "accuracy"  # the speed probe's case for it; the runner files its figures with the model's speed


# --- one Protocol per probe kind: what a framework's module of that kind defines


@runtime_checkable
class SpeedProbe(Protocol):
    """probes/<framework>/speed.py: its TrainingSession timed by probes/kinds/speed.py, and its accuracy check."""

    def measure(self, model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
        """Time one model in this process (case ""), or run the reference's main on digits (ACCURACY_CASE)."""
        ...


@runtime_checkable
class EaseProbe(Protocol):
    """The framework folder itself: probes/kinds/ease.py counts its reference's source with its vocabulary."""

    api_packages: frozenset[str]  # what the ease probe counts as this framework's API
    device_apis: tuple[str, ...]  # calls that choose or move to a device

    def reference_path(self) -> Path: ...


@runtime_checkable
class CaseProbe(Protocol):
    """A kind whose cases each framework names itself (a planted bug, an export path, a batch size)."""

    def cases(self, models: list[str], variant: Variant) -> list[tuple[str, str]]:
        """The (model, case) pairs it measures for `variant`; imports no framework."""
        ...

    def measure(self, model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
        """Measure one case in this process: {"status"?, "reason"?, "samples": {...}, "facts": {...}}."""
        ...


@runtime_checkable
class DebuggingProbe(CaseProbe, Protocol):
    """probes/<framework>/debugging.py: the standard bugs planted in its reference (probes/kinds/debugging.py)."""

    BUGS: Sequence[PlantedBug]


@runtime_checkable
class ReloadProbe(Protocol):
    """The framework's half of the fresh reload process (probes/kinds/reload.py), in its export module."""

    LOADERS: Mapping[str, Callable[[str, np.ndarray], np.ndarray]]  # its own formats: (artifact, batch) -> outputs
    OPENERS: Mapping[str, tuple[str, Callable[[str], Callable[[np.ndarray], np.ndarray]]]]  # runtimes only it feeds
    RELOAD_CHECKS: Mapping[str, Callable[[str], dict[str, Any]]]  # what its default load does first (torch.load)


@runtime_checkable
class ExportProbe(CaseProbe, ReloadProbe, Protocol):
    """probes/<framework>/export.py: its deployment paths (probes/kinds/export.py), and their reloading."""


@runtime_checkable
class ScaleProbe(CaseProbe, Protocol):
    """probes/<framework>/scale.py: batch curves, its input pipeline over shards, its distributed engine's ranks."""

    def rank_env(self, rank: int, world: int, ports: list[int]) -> dict[str, str | None]:
        """The variables its engine reads to find its peers (None: unset in the rank)."""
        ...

    def rank_main(self, request: dict[str, Any]) -> dict[str, Any]:
        """One rank's training, timed (probes/kinds/scale.py starts each in a process of its own)."""
        ...


@runtime_checkable
class OwnModelProbe(CaseProbe, Protocol):
    """probes/<framework>/own_model.py: the user's model (probes/user_model.py) loaded and trained in its idiom,
    one case per named option (OPTIONS: case -> what it switches on), timed by probes/kinds/own_model.py."""

    OPTIONS: Mapping[str, str]


@runtime_checkable
class OwnExportProbe(CaseProbe, Protocol):
    """probes/<framework>/own_export.py: the user's model through the deployment routes (ROUTES, per Keras
    backend where they differ) with its export module's code for each path."""

    ROUTES: Mapping[str, Sequence[str]]  # "" (or the Keras backend) -> the export paths it can take


KIND_PROTOCOLS: dict[str, type] = {
    "speed": SpeedProbe,
    "ease": EaseProbe,
    "debugging": DebuggingProbe,
    "export": ExportProbe,
    "scale": ScaleProbe,
    "own_model": OwnModelProbe,
    "own_export": OwnExportProbe,
}


def protocol_members(protocol: type) -> tuple[str, ...]:
    """The names a Protocol asks for, its bases' included."""
    names: set[str] = set()
    for base in protocol.__mro__:
        if getattr(base, "_is_protocol", False):
            names |= {n for n in (*vars(base), *getattr(base, "__annotations__", {})) if not n.startswith("_")}
    return tuple(sorted(names))


# --- the framework folder: PROBE


@runtime_checkable
class FrameworkProbe(Protocol):
    """What the worker calls; `measure` returns {"status"?, "reason"?, "samples": {...}, "facts": {...}}."""

    name: str  # the folder's name under probes/
    kinds: tuple[str, ...]  # the probe kinds this framework implements

    def reference_path(self) -> Path:
        """The framework's reference script, the code a user of it would write."""
        ...

    def implementation(self, kind: str) -> Any:
        """What implements `kind` here, checked against KIND_PROTOCOLS[kind]; NotImplementedError if none."""
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
    """The shared half of FrameworkProbe: find the folder's kind modules, check them, and dispatch to them.

    A kind module (probes/<name>/<kind>.py) implements its kind's Protocol (KIND_PROTOCOLS); ease
    needs no module: the folder is its EaseProbe (the reference's source is counted by
    probes/kinds/ease.py).
    """

    name = ""
    kinds: tuple[str, ...] = ()
    api_packages: frozenset[str] = frozenset()  # what the ease probe counts as this framework's API
    device_apis: tuple[str, ...] = ()  # calls that choose or move to a device, as the ease probe counts them

    def reference_path(self) -> Path:
        return Path(__file__).resolve().parent / self.name / "reference.py"

    def kind_module(self, kind: str) -> ModuleType:
        """probes/<name>/<kind>.py, the one place a framework's module is found by its name."""
        if kind not in self.kinds:
            raise NotImplementedError(f"{self.name} has no {kind} probe")
        return importlib.import_module(f"probes.{self.name}.{kind}")

    def implementation(self, kind: str) -> Any:
        found = self if kind in FOLDER_KINDS else self.kind_module(kind)
        protocol = KIND_PROTOCOLS[kind]
        if not isinstance(found, protocol):
            where = f"probes/{self.name}/" + ("__init__.py: PROBE" if found is self else f"{kind}.py")
            wanted = protocol_members(protocol)
            lacking = [name for name in wanted if not hasattr(found, name)]
            raise TypeError(
                f"{where} must implement probes.contract.{protocol.__name__}: expected {', '.join(wanted)}."
                f" Received: no {', '.join(lacking)}"
            )
        return found

    def cases(self, kind: str, models: Sequence[str], variant: Variant) -> list[tuple[str, str]]:
        if kind in PER_MODEL_KINDS:
            return [(model, "") for model in models]
        probe: CaseProbe = self.implementation(kind)
        return [(str(m), str(c)) for m, c in probe.cases(list(models), variant)]

    def measure(
        self, kind: str, model: str, case: str, settings: Mapping[str, Any], variant: Mapping[str, Any]
    ) -> dict[str, Any]:
        if kind == "ease":
            from probes.kinds.ease import Vocabulary, measure_reference

            return measure_reference(self.reference_path(), model, Vocabulary(self.api_packages, self.device_apis))
        return self.implementation(kind).measure(model, case, settings, variant)


@cache
def framework_probe(name: str) -> FrameworkProbe:
    """The PROBE of probes/<name>/; imports the folder's __init__ (which imports no framework)."""
    module = importlib.import_module(f"probes.{name}")
    probe = module.PROBE
    if not isinstance(probe, FrameworkProbe):
        raise TypeError(f"probes/{name}/__init__.py: PROBE does not implement probes.contract.FrameworkProbe")
    return probe


def speed_probe(framework: str) -> SpeedProbe:
    return framework_probe(framework).implementation("speed")


def export_probe(framework: str) -> ExportProbe:
    return framework_probe(framework).implementation("export")


def scale_probe(framework: str) -> ScaleProbe:
    return framework_probe(framework).implementation("scale")


def variant_kinds(variant: Variant, own_model: bool = False) -> tuple[str, ...]:
    """The kinds a variant runs: its own list, or every kind its framework implements; the user's model's
    kinds (probes/user_model.py OWN_KINDS) only with `own_model`, since they measure nothing else."""
    implemented = framework_probe(variant.framework).kinds
    return tuple(k for k in (variant.kinds or KINDS) if k in implemented and (own_model or k not in OWN_KINDS))
