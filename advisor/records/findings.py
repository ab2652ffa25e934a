"""What the scoring stage found besides the scores, typed, so that the report only words it.

The report shows more than each framework's score: which claims moved a score and which way, each
speed comparison with its interval, where every export route stands for the user's deployment
target, the planted bugs in the order the debugging probe plants them, the batch curves and where
each one's fixed cost stops dominating, which framework needs the fewest lines per model, and the
reference scripts the ease probe counted, with whether each is still the one installed. Scoring works these out
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
    negligible: bool = False  # the ratio is below the minimum effect size (probes/stats.py MIN_EFFECT)
    overtakes: tuple[str, ...] = ()  # an option: the frameworks its default trails and it outruns (the lead changes)
    # An option: the scorecard's first place when the option's figures stand in for its default's (what a
    # user of that framework who sets it would be told to pick), and the first place without it.
    pick_with: str | None = None
    pick_without: str | None = None
    # ... and the article claims whose verdict it changes: (claim id, verdict without it, verdict with it).
    verdicts_changed: tuple[tuple[str, str, str], ...] = ()

    @property
    def within_noise(self) -> bool:
        """The interval does not exclude 1: the data cannot tell the two apart."""
        return self.low <= 1.0 <= self.high

    @property
    def about_the_same(self) -> bool:
        """Within noise, or a gap below the minimum effect size however tight its interval (probes/stats.py)."""
        return self.within_noise or self.negligible

    @property
    def like_for_like(self) -> bool:
        """False only when both recorded their devices and these differ."""
        a, b = self.devices
        return a is None or b is None or a == b

    def to_json(self) -> dict[str, Any]:
        shown = {
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
        if self.negligible:  # written only when set: the report embeds every comparison (its size bound)
            shown["negligible"] = True
        if self.overtakes:
            shown["overtakes"] = list(self.overtakes)
        if self.pick_with is not None:
            shown["pick_with"], shown["pick_without"] = self.pick_with, self.pick_without
        if self.verdicts_changed:
            shown["verdicts_changed"] = [list(change) for change in self.verdicts_changed]
        return shown

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
            bool(data.get("negligible", False)),
            tuple(str(v) for v in data.get("overtakes") or ()),
            data.get("pick_with"),
            data.get("pick_without"),
            tuple((str(c), str(was), str(now)) for c, was, now in data.get("verdicts_changed") or ()),
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
class Regime:
    """The regime one speed result is in (probes/peak.py): "overhead-bound", "mixed" or "compute-bound", from
    its share of the machine's matmul peak."""

    variant: str
    model: str
    regime: str
    peak_share: float

    def to_json(self) -> list[Any]:
        return [self.variant, self.model, self.regime, self.peak_share]

    @classmethod
    def from_json(cls, data: Any) -> Regime:
        variant, model, regime, share = data
        return cls(str(variant), str(model), str(regime), float(share))


@dataclass(frozen=True)
class SpeedFindings:
    """Every speed comparison worth a sentence, the device behind each speed result and its regime."""

    comparisons: tuple[SpeedComparison, ...] = ()  # per model: the frameworks against the fastest, then the options
    devices: tuple[DeviceUse, ...] = ()  # in the evidence's order
    regimes: tuple[Regime, ...] = ()  # each result with a utilisation, in the evidence's order

    def device(self, variant: str, model: str, case: str = "") -> str | None:
        return next((d.device for d in self.devices if (d.variant, d.model, d.case) == (variant, model, case)), None)

    def regime(self, variant: str, model: str) -> Regime | None:
        return next((r for r in self.regimes if (r.variant, r.model) == (variant, model)), None)

    def of_model(self, model: str) -> tuple[SpeedComparison, ...]:
        return tuple(c for c in self.comparisons if c.model == model)

    def to_json(self) -> dict[str, Any]:
        return {
            "comparisons": [c.to_json() for c in self.comparisons],
            "devices": [d.to_json() for d in self.devices],
            "regimes": [r.to_json() for r in self.regimes],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SpeedFindings:
        return cls(
            tuple(SpeedComparison.from_json(c) for c in data.get("comparisons") or ()),
            tuple(DeviceUse.from_json(d) for d in data.get("devices") or ()),
            tuple(Regime.from_json(r) for r in data.get("regimes") or ()),
        )


ROUTE_STATUSES = ("works", "python_only", "not_tried", "failed")
DEPLOYED_MODEL = "cnn"  # the model the routes are credited for; other models' exports are findings beside it


def short_label(label: str) -> str:
    """An export path's short name: 'TorchScript' for 'TorchScript (torch.jit.script)'."""
    return label.split(" (")[0].split(", ")[0]


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
    call_ms: float | None = None  # a call on the probe's batch in that runtime (else in the file's own runtime)
    slowdown: float | None = None  # set when it works but is many times slower than the fastest route: how many

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
            "call_ms": self.call_ms,
            "slowdown": self.slowdown,
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
            _optional_float(data.get("call_ms")),
            _optional_float(data.get("slowdown")),
        )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class DeploymentFindings:
    """The user's deployment target, what each export path weighs for it, and every variant's routes to it."""

    target: str = "none"
    in_runtime: bool = False  # a browser, mobile or edge target: a route counts once it ran in the target's runtime
    weights: Mapping[str, float] = field(default_factory=dict)  # path -> its weight for the target
    routes: tuple[Route, ...] = ()  # per variant whose export probe ran, per path it offers or ran
    # budget -> the models its export probe exports (probes/budgets.py): the report says which budget measures what
    exported_models: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def route(self, variant: str, path: str) -> Route | None:
        return next((r for r in self.routes if (r.variant, r.path) == (variant, path)), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "in_runtime": self.in_runtime,
            "weights": dict(self.weights),
            "routes": [r.to_json() for r in self.routes],
            "exported_models": {budget: list(models) for budget, models in self.exported_models.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeploymentFindings:
        return cls(
            str(data["target"]),
            bool(data["in_runtime"]),
            {str(k): float(v) for k, v in data["weights"].items()},
            tuple(Route.from_json(r) for r in data.get("routes") or ()),
            {str(b): tuple(str(m) for m in models) for b, models in (data.get("exported_models") or {}).items()},
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
    regime: str  # overhead-bound | mixed | compute-bound (probes/peak.py, as for the reference models)

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
class BatchPoint:
    """One point of a framework's batch curve: its training throughput at one batch size, over processes."""

    variant: str
    model: str
    batch: int
    median: float  # samples/s
    q1: float
    q3: float
    n: int  # processes

    def to_json(self) -> list[Any]:
        return [self.variant, self.model, self.batch, self.median, self.q1, self.q3, self.n]

    @classmethod
    def from_json(cls, data: Any) -> BatchPoint:
        variant, model, batch, median, q1, q3, n = data
        return cls(str(variant), str(model), int(batch), float(median), float(q1), float(q3), int(n))


@dataclass(frozen=True)
class Knee:
    """Where a framework's fixed cost per step stops dominating on one model: the smallest batch that
    reaches `share` of its best throughput."""

    variant: str
    model: str
    smallest: int  # the curve's smallest batch
    best: int  # the batch of its best throughput
    best_samples_per_s: float
    knee: int
    rise: float  # best throughput over the smallest batch's
    share: float

    def to_json(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "model": self.model,
            "smallest": self.smallest,
            "best": self.best,
            "best_samples_per_s": self.best_samples_per_s,
            "knee": self.knee,
            "rise": self.rise,
            "share": self.share,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Knee:
        return cls(
            str(data["variant"]),
            str(data["model"]),
            int(data["smallest"]),
            int(data["best"]),
            float(data["best_samples_per_s"]),
            int(data["knee"]),
            float(data["rise"]),
            float(data["share"]),
        )


@dataclass(frozen=True)
class ScaleFindings:
    """The scale probe's batch curves (its batch-N cases, read once), and the knee of each curve."""

    curve: tuple[BatchPoint, ...] = ()  # per model, per framework in the evidence's order, batches ascending
    knees: tuple[Knee, ...] = ()  # per framework with two points or more on a model's curve

    def of_model(self, model: str) -> tuple[tuple[BatchPoint, ...], tuple[Knee, ...]]:
        return tuple(p for p in self.curve if p.model == model), tuple(k for k in self.knees if k.model == model)

    def point(self, variant: str, model: str, batch: int) -> BatchPoint | None:
        return next((p for p in self.curve if (p.variant, p.model, p.batch) == (variant, model, batch)), None)

    def to_json(self) -> dict[str, Any]:
        return {"curve": [p.to_json() for p in self.curve], "knees": [k.to_json() for k in self.knees]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScaleFindings:
        return cls(
            tuple(BatchPoint.from_json(p) for p in data.get("curve") or ()),
            tuple(Knee.from_json(k) for k in data.get("knees") or ()),
        )


@dataclass(frozen=True)
class FewestLines:
    """Which frameworks need the fewest logical lines in total for one model, and which the most."""

    model: str
    fewest: tuple[str, ...]  # variants, in the tool's order of variants
    low: int
    most: tuple[str, ...]
    high: int

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "fewest": list(self.fewest),
            "low": self.low,
            "most": list(self.most),
            "high": self.high,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FewestLines:
        return cls(
            str(data["model"]),
            tuple(str(v) for v in data["fewest"]),
            int(data["low"]),
            tuple(str(v) for v in data["most"]),
            int(data["high"]),
        )


@dataclass(frozen=True)
class CountedScript:
    """A reference script the ease probe counted, the results that counted it, and whether this
    installation's copy is still the one counted (advisor/records/scripts.py)."""

    path: str  # probes/<framework>/reference.py
    counted_by: tuple[tuple[str, str], ...]  # (variant, model) of each ease result, in the evidence's order
    changed: bool  # the installed file differs from every digest the results recorded

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "counted_by": [list(c) for c in self.counted_by], "changed": self.changed}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CountedScript:
        counted_by = tuple((str(variant), str(model)) for variant, model in data["counted_by"])
        return cls(str(data["path"]), counted_by, bool(data["changed"]))


@dataclass(frozen=True)
class EaseFindings:
    """The ease probe's counts compared per model, and the reference scripts they were counted from."""

    fewest: tuple[FewestLines, ...] = ()  # per model where two frameworks or more recorded a total
    scripts: tuple[CountedScript, ...] = ()

    def fewest_of(self, model: str) -> FewestLines | None:
        return next((f for f in self.fewest if f.model == model), None)

    def to_json(self) -> dict[str, Any]:
        return {"fewest": [f.to_json() for f in self.fewest], "scripts": [c.to_json() for c in self.scripts]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EaseFindings:
        return cls(
            tuple(FewestLines.from_json(f) for f in data.get("fewest") or ()),
            tuple(CountedScript.from_json(c) for c in data.get("scripts") or ()),
        )


@dataclass(frozen=True)
class Findings:
    """What scoring found in the evidence besides the scores (each score's claims are on the score itself)."""

    speed: SpeedFindings = field(default_factory=SpeedFindings)
    deployment: DeploymentFindings = field(default_factory=DeploymentFindings)
    planted: tuple[PlantedCase, ...] = ()
    scale: ScaleFindings = field(default_factory=ScaleFindings)
    ease: EaseFindings = field(default_factory=EaseFindings)
    own_model: OwnModelFindings | None = None  # the user's own model, when the run measured one

    def planted_case(self, case: str) -> PlantedCase | None:
        return next((p for p in self.planted if p.case == case), None)

    def to_json(self) -> dict[str, Any]:
        found = {
            "speed": self.speed.to_json(),
            "deployment": self.deployment.to_json(),
            "planted": [p.to_json() for p in self.planted],
            "scale": self.scale.to_json(),
            "ease": self.ease.to_json(),
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
            ScaleFindings.from_json(data["scale"]),
            EaseFindings.from_json(data["ease"]),
            OwnModelFindings.from_json(data["own_model"]) if data.get("own_model") else None,
        )
