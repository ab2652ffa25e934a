"""What the scoring stage found besides the scores, typed, so that the report only words it.

The report shows more than each framework's score: which claims moved a score and which way, each
speed comparison with its interval, where every export route stands for the user's deployment
target, and the planted bugs in the order the debugging probe plants them. Scoring works these out
once from the evidence (advisor/scoring/) and the scorecard stores them (advisor/records/scorecard.py);
the report reads them and computes none of them again. The user's own model (--model) has findings of
its own: its backends or options compared, the regime each ran in, its routes credited for the target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ClaimEffect:
    """A claim of the ledger, or a dated fact ("fact:<id>"), behind a score, and how it moved it."""

    claim: str
    effect: float  # the signed weight it carried: + for the framework, - against; 0: it put it on a par with others

    def to_json(self) -> list[Any]:
        return [self.claim, self.effect]

    @classmethod
    def from_json(cls, data: Any) -> ClaimEffect:
        claim, effect = data
        return cls(str(claim), float(effect))


@dataclass(frozen=True)
class SpeedComparison:
    """One framework's training throughput over another's on one model, with the 95% interval from the
    spread between their processes (probes.evidence.process_interval)."""

    model: str
    a: str  # the faster framework (or a named option, such as torch.compile)
    b: str  # ... the slower one (or the default the option changes)
    ratio: float
    low: float
    high: float
    processes: tuple[int, int]  # process figures a side
    devices: tuple[str | None, str | None]  # "gpu", "cpu", or None: not recorded (probes/devices.py)
    option: bool = False  # `a` is a named option of `b`: what one switch gives, not two frameworks

    @property
    def within_noise(self) -> bool:
        """The interval does not exclude 1: the data cannot tell the two apart."""
        return self.low <= 1.0 <= self.high

    @property
    def like_for_like(self) -> bool:
        """False only when both recorded their devices and these differ."""
        a, b = self.devices
        return a is None or b is None or a == b

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "a": self.a,
            "b": self.b,
            "ratio": self.ratio,
            "low": self.low,
            "high": self.high,
            "processes": list(self.processes),
            "devices": list(self.devices),
            "option": self.option,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SpeedComparison:
        n_a, n_b = data["processes"]
        device_a, device_b = data["devices"]
        return cls(
            str(data["model"]),
            str(data["a"]),
            str(data["b"]),
            float(data["ratio"]),
            float(data["low"]),
            float(data["high"]),
            (int(n_a), int(n_b)),
            (device_a, device_b),
            bool(data["option"]),
        )


@dataclass(frozen=True)
class DeviceUse:
    """The device one usable speed result ran on: "gpu", "cpu", or None when it did not record one."""

    variant: str
    model: str
    case: str
    device: str | None

    def to_json(self) -> list[Any]:
        return [self.variant, self.model, self.case, self.device]

    @classmethod
    def from_json(cls, data: Any) -> DeviceUse:
        variant, model, case, device = data
        return cls(str(variant), str(model), str(case), device)


@dataclass(frozen=True)
class SpeedFindings:
    """Every speed comparison worth a sentence, and the device behind each speed result."""

    comparisons: tuple[SpeedComparison, ...] = ()  # per model: the frameworks against the fastest, then the options
    devices: tuple[DeviceUse, ...] = ()  # in the evidence's order

    def device(self, variant: str, model: str, case: str = "") -> str | None:
        return next((d.device for d in self.devices if (d.variant, d.model, d.case) == (variant, model, case)), None)

    def of_model(self, model: str) -> tuple[SpeedComparison, ...]:
        return tuple(c for c in self.comparisons if c.model == model)

    def to_json(self) -> dict[str, Any]:
        return {
            "comparisons": [c.to_json() for c in self.comparisons],
            "devices": [d.to_json() for d in self.devices],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SpeedFindings:
        return cls(
            tuple(SpeedComparison.from_json(c) for c in data.get("comparisons") or ()),
            tuple(DeviceUse.from_json(d) for d in data.get("devices") or ()),
        )


ROUTE_STATUSES = ("works", "python_only", "not_tried", "failed")


@dataclass(frozen=True)
class Route:
    """One export path a variant offers, credited for the user's deployment target."""

    variant: str
    path: str
    label: str  # its short name: "TorchScript"
    weight: float  # what the path weighs for the target (knowledge/export_paths.yaml)
    status: str  # works | python_only (reloaded in Python, not run in the target's runtime) | not_tried | failed
    credit: float  # the share of the weight it earned
    why: str  # for all but "works": why not, or what to install
    runtime: str | None = None  # the runtime the target ships it in, for a browser, mobile or edge target

    def to_json(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "path": self.path,
            "label": self.label,
            "weight": self.weight,
            "status": self.status,
            "credit": self.credit,
            "why": self.why,
            "runtime": self.runtime,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Route:
        status = str(data["status"])
        if status not in ROUTE_STATUSES:
            raise ValueError(f"route status must be one of {', '.join(ROUTE_STATUSES)}. Received: {status!r}")
        runtime = data.get("runtime")
        return cls(
            str(data["variant"]),
            str(data["path"]),
            str(data["label"]),
            float(data["weight"]),
            status,
            float(data["credit"]),
            str(data["why"]),
            str(runtime) if runtime is not None else None,
        )


@dataclass(frozen=True)
class DeploymentFindings:
    """The user's deployment target, what each export path weighs for it, and every variant's routes to it."""

    target: str = "none"
    in_runtime: bool = False  # a browser, mobile or edge target: a route counts once it ran in the target's runtime
    weights: Mapping[str, float] = field(default_factory=dict)  # path -> its weight for the target
    routes: tuple[Route, ...] = ()  # per variant whose export probe ran, per path it offers or ran

    def route(self, variant: str, path: str) -> Route | None:
        return next((r for r in self.routes if (r.variant, r.path) == (variant, path)), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "in_runtime": self.in_runtime,
            "weights": dict(self.weights),
            "routes": [r.to_json() for r in self.routes],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeploymentFindings:
        return cls(
            str(data["target"]),
            bool(data["in_runtime"]),
            {str(k): float(v) for k, v in data["weights"].items()},
            tuple(Route.from_json(r) for r in data.get("routes") or ()),
        )


@dataclass(frozen=True)
class PlantedCase:
    """One planted-bug case of the debugging probe (probes/kinds/debugging.py), in the order it plants them."""

    case: str  # "print_in_forward_eager"
    bug: str  # "print_in_forward"
    mode: str  # default | eager | traced
    title: str | None  # the bug's title as the probe names it; None for a bug this version does not know
    printed: bool  # the print-and-counter case: counted, not raised

    def to_json(self) -> dict[str, Any]:
        return {"case": self.case, "bug": self.bug, "mode": self.mode, "title": self.title, "printed": self.printed}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlantedCase:
        title = data.get("title")
        return cls(
            str(data["case"]),
            str(data["bug"]),
            str(data["mode"]),
            str(title) if title is not None else None,
            bool(data["printed"]),
        )


# --- the user's own model (--model): scoring compares its backends or options, names the regime each ran in,
# credits its deployment routes for the target as the reference routes are, and says which scores it entered
# (advisor/scoring/own_model.py)


@dataclass(frozen=True)
class OwnComparison:
    """One way of training the user's model against another: the ratio of their throughputs with its interval."""

    a: str  # variant of the faster
    a_case: str  # its case: "fit" (Keras), "eager", "compile", "channels_last", "fused_adam" (PyTorch)
    b: str
    b_case: str
    ratio: float
    low: float
    high: float
    processes: tuple[int, int]
    option: bool  # a named option against the default of the same framework, never two frameworks

    @property
    def within_noise(self) -> bool:
        return self.low <= 1.0 <= self.high

    def to_json(self) -> dict[str, Any]:
        return {
            "a": [self.a, self.a_case],
            "b": [self.b, self.b_case],
            "ratio": self.ratio,
            "low": self.low,
            "high": self.high,
            "processes": list(self.processes),
            "option": self.option,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OwnComparison:
        (a, a_case), (b, b_case) = data["a"], data["b"]
        n_a, n_b = data["processes"]
        return cls(
            str(a),
            str(a_case),
            str(b),
            str(b_case),
            float(data["ratio"]),
            float(data["low"]),
            float(data["high"]),
            (int(n_a), int(n_b)),
            bool(data["option"]),
        )


@dataclass(frozen=True)
class OwnRegime:
    """Where one way of training the model spends its time: its median share of the machine's matmul peak."""

    variant: str
    case: str
    utilisation: float
    regime: str  # overhead-bound | mixed | compute-bound (advisor/scoring/own_model.py REGIMES)

    def to_json(self) -> list[Any]:
        return [self.variant, self.case, self.utilisation, self.regime]

    @classmethod
    def from_json(cls, data: Any) -> OwnRegime:
        variant, case, utilisation, regime = data
        return cls(str(variant), str(case), float(utilisation), str(regime))


@dataclass(frozen=True)
class OwnModelFindings:
    """The user's model: its comparisons, regimes and routes, and what the scores made of it."""

    source: str  # as the user named it
    kind: str  # keras | pytorch
    comparisons: tuple[OwnComparison, ...] = ()  # the fastest against each other variant, then options
    regimes: tuple[OwnRegime, ...] = ()
    routes: tuple[Route, ...] = ()  # its deployment routes, credited for the target
    target: str = "none"
    scored: tuple[str, ...] = ()  # the criteria whose scores it entered
    not_scored: str = ""  # why it entered none, when it did not
    share: float = 0.0  # what it counts for in a score it entered, beside the reference models

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "comparisons": [c.to_json() for c in self.comparisons],
            "regimes": [r.to_json() for r in self.regimes],
            "routes": [r.to_json() for r in self.routes],
            "target": self.target,
            "scored": list(self.scored),
            "not_scored": self.not_scored,
            "share": self.share,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OwnModelFindings:
        return cls(
            str(data["source"]),
            str(data["kind"]),
            tuple(OwnComparison.from_json(c) for c in data.get("comparisons") or ()),
            tuple(OwnRegime.from_json(r) for r in data.get("regimes") or ()),
            tuple(Route.from_json(r) for r in data.get("routes") or ()),
            str(data.get("target") or "none"),
            tuple(str(c) for c in data.get("scored") or ()),
            str(data.get("not_scored") or ""),
            float(data.get("share") or 0.0),
        )


@dataclass(frozen=True)
class Findings:
    """What scoring found in the evidence besides the scores (each score's claims are on the score itself)."""

    speed: SpeedFindings = field(default_factory=SpeedFindings)
    deployment: DeploymentFindings = field(default_factory=DeploymentFindings)
    planted: tuple[PlantedCase, ...] = ()
    own_model: OwnModelFindings | None = None  # the user's own model, when the run measured one

    def planted_case(self, case: str) -> PlantedCase | None:
        return next((p for p in self.planted if p.case == case), None)

    def to_json(self) -> dict[str, Any]:
        found = {
            "speed": self.speed.to_json(),
            "deployment": self.deployment.to_json(),
            "planted": [p.to_json() for p in self.planted],
        }
        if self.own_model is not None:
            found["own_model"] = self.own_model.to_json()
        return found

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Findings:
        return cls(
            SpeedFindings.from_json(data["speed"]),
            DeploymentFindings.from_json(data["deployment"]),
            tuple(PlantedCase.from_json(p) for p in data.get("planted") or ()),
            OwnModelFindings.from_json(data["own_model"]) if data.get("own_model") else None,
        )
