"""The claims ledger: what the five source articles claim, read from knowledge/claims.yaml.

The ledger is data a reviewer can edit; this module only reads and checks it, so a typo in a
framework name or a release id fails loudly at load time instead of silently scoring nothing.
Verdicts (advisor/claims/rules.py) and literature scores (advisor/scoring/literature.py) build on it;
the report shows it. A record type of the knowledge, so it lives with the records (advisor/records/).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import knowledge

FRAMEWORKS = ("pytorch", "keras", "tensorflow")
AUDIENCES = {
    "beginner": "beginners",
    "researcher": "researchers",
    "production": "production teams",
    "all": "everyone",
}
FRAMEWORK_LABELS = {"pytorch": "PyTorch", "keras": "Keras", "tensorflow": "TensorFlow"}
# Parameters each test rule needs (beyond probe, figure, rule); advisor/claims/rules.py implements them.
RULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "better": ("pairs",),
    "similar": ("pairs",),
    "fewer": ("pairs",),
    "more_often": ("pairs", "cases"),
    "prints_every_step": ("variants", "cases"),
    "exports": ("variants", "cases"),
    "fact_is": ("checks",),
    "runs": ("variants",),
}
PROBE_KINDS = ("speed", "ease", "debugging", "export", "scale")
TIMED_PROBES = ("speed", "scale")  # their tests read a metric (probes.evidence METRICS), the others a fact
DEPLOYMENT_TARGETS = ("server", "mobile", "browser", "edge")


@dataclass(frozen=True)
class Source:
    """One of the articles in shared/seeds, with the date as its text gives it."""

    id: str
    file: str
    title: str
    date: str
    short: str = ""


@dataclass(frozen=True)
class Release:
    """A release that changed what some claims describe."""

    id: str
    version: str
    date: str
    change: str


@dataclass(frozen=True)
class ClaimTest:
    """The probe and figure that can check a claim, and the verdict rule with its parameters."""

    probe: str
    figure: str
    rule: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"probe": self.probe, "figure": self.figure, "rule": self.rule, **dict(self.params)}


@dataclass(frozen=True)
class Claim:
    id: str
    sources: tuple[str, ...]
    criterion: str
    favours: tuple[str, ...]
    against: tuple[str, ...]
    audience: tuple[str, ...]
    text: str
    as_of: str | None = None
    changed_since: tuple[str, ...] = ()
    superseded: bool = False
    now: str | None = None
    disagrees_with: tuple[str, ...] = ()
    test: ClaimTest | None = None
    alike: tuple[str, ...] = ()  # frameworks the claim puts on a par
    targets: tuple[str, ...] = ()  # deployment targets a deployment claim is about ((): any)

    @property
    def measurable(self) -> bool:
        return self.test is not None

    def stance(self, framework: str) -> int:
        """+1 when the claim speaks for the framework, -1 against, 0 when it does not take a side."""
        return 1 if framework in self.favours else -1 if framework in self.against else 0


@dataclass(frozen=True)
class Ledger:
    claims: tuple[Claim, ...]
    sources: Mapping[str, Source]
    releases: Mapping[str, Release]

    def claim(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        raise KeyError(claim_id)

    def per_source(self) -> dict[str, int]:
        """How many claims cite each source."""
        counts = {source: 0 for source in self.sources}
        for claim in self.claims:
            for source in claim.sources:
                counts[source] += 1
        return counts


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _check(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ValueError(f"knowledge/claims.yaml: {where}: {message}")


def _parse_test(raw: Mapping[str, Any], where: str) -> ClaimTest:
    _check(isinstance(raw, Mapping), where, "'test' must be a mapping")
    rule = raw.get("rule")
    _check(rule in RULE_PARAMETERS, where, f"test rule must be one of {', '.join(RULE_PARAMETERS)}. Received: {rule!r}")
    _check(raw.get("probe") in PROBE_KINDS, where, f"test probe must be one of {', '.join(PROBE_KINDS)}")
    _check(isinstance(raw.get("figure"), str), where, "test needs a 'figure' (a metric or fact name)")
    for name in RULE_PARAMETERS[rule]:
        _check(bool(raw.get(name)), where, f"test rule {rule} needs '{name}'")
    from probes.variants import VARIANTS

    variants = [v for pair in raw.get("pairs") or [] for v in pair] + list(raw.get("variants") or [])
    variants += [check.get("variant") for check in raw.get("checks") or []]
    for variant in variants:
        _check(variant in VARIANTS, where, f"unknown variant {variant!r} in test")
    _check_figures(raw, where)
    params = {k: v for k, v in raw.items() if k not in ("probe", "figure", "rule")}
    return ClaimTest(probe=raw["probe"], figure=raw["figure"], rule=rule, params=params)


def _check_figures(raw: Mapping[str, Any], where: str) -> None:
    """A test reads a metric (speed, scale) or a fact (the other kinds) that the probes record by that name."""
    from probes.evidence import METRICS
    from probes.facts import facts_class

    probe, figure = raw["probe"], raw["figure"]
    known = set(METRICS) if probe in TIMED_PROBES else set(facts_class(probe)().names())
    names = [figure, *(check.get("fact") for check in raw.get("checks") or [])]
    for name in names:
        _check(
            name in known, where, f"the {probe} probe records no {name!r}. Expected one of: {', '.join(sorted(known))}"
        )


def _parse_claim(
    raw: Mapping[str, Any],
    ledger_ids: set[str],
    sources: Mapping[str, Source],
    releases: Mapping[str, Release],
    criteria: set[str],
) -> Claim:
    where = f"claim {raw.get('id')!r}"
    _check(isinstance(raw.get("id"), str) and raw["id"] not in ledger_ids, where, "needs a unique 'id'")
    claim = Claim(
        id=raw["id"],
        sources=_tuple(raw.get("sources")),
        criterion=str(raw.get("criterion")),
        favours=_tuple(raw.get("favours")),
        against=_tuple(raw.get("against")),
        audience=_tuple(raw.get("audience")),
        text=" ".join(str(raw.get("claim") or "").split()),
        as_of=str(raw["as_of"]) if raw.get("as_of") is not None else None,
        changed_since=_tuple(raw.get("changed_since")),
        superseded=bool(raw.get("superseded", False)),
        now=" ".join(str(raw["now"]).split()) if raw.get("now") else None,
        disagrees_with=_tuple(raw.get("disagrees_with")),
        test=_parse_test(raw["test"], where) if raw.get("test") is not None else None,
        alike=_tuple(raw.get("alike")),
        targets=_tuple(raw.get("targets")),
    )
    _check(bool(claim.sources), where, "needs at least one source")
    for source in claim.sources:
        _check(source in sources, where, f"unknown source {source!r}")
    _check(claim.criterion in criteria, where, f"unknown criterion {claim.criterion!r}")
    for framework in claim.favours + claim.against + claim.alike:
        _check(framework in FRAMEWORKS, where, f"frameworks must be one of {', '.join(FRAMEWORKS)}")
    _check(not set(claim.favours) & set(claim.against), where, "a framework cannot be both favoured and against")
    _check(bool(claim.audience) and all(a in AUDIENCES for a in claim.audience), where, "bad 'audience'")
    _check(len(claim.text) >= 20, where, "needs a 'claim' paraphrase")
    _check(all(t in DEPLOYMENT_TARGETS for t in claim.targets), where, f"targets must be in {DEPLOYMENT_TARGETS}")
    for release in claim.changed_since:
        _check(release in releases, where, f"unknown release {release!r} (see knowledge/releases.yaml)")
    if claim.superseded:
        _check(bool(claim.changed_since) and bool(claim.now), where, "a superseded claim needs changed_since and now")
    return claim


def ledger_digest() -> str:
    """What the ledger was, for records made from it (advisor/records/digests.py)."""
    from advisor.records.digests import knowledge_digest

    return knowledge_digest("claims", "sources", "releases", "weights")


@cache
def load_ledger() -> Ledger:
    """Read and check the ledger, its sources and the releases it cites."""
    from advisor.records.profile import load_criteria

    sources = {
        key: Source(
            id=key, file=entry["file"], title=entry["title"], date=str(entry["date"]), short=entry.get("short", key)
        )
        for key, entry in knowledge.load("sources")["sources"].items()
    }
    releases = {
        key: Release(
            id=key, version=entry["version"], date=str(entry["date"]), change=" ".join(entry["change"].split())
        )
        for key, entry in knowledge.load("releases")["releases"].items()
    }
    criteria = set(load_criteria())
    claims: list[Claim] = []
    for raw in knowledge.load("claims")["claims"]:
        claims.append(_parse_claim(raw, {c.id for c in claims}, sources, releases, criteria))
    ids = {claim.id for claim in claims}
    for claim in claims:
        for other in claim.disagrees_with:
            _check(other in ids, f"claim {claim.id!r}", f"disagrees_with names unknown claim {other!r}")
    return Ledger(claims=tuple(claims), sources=sources, releases=releases)


def source_label(source: Source) -> str:
    """A short citation: the title without its parenthesised publisher note, and the date."""
    title = source.title.split(" (")[0].strip('"')
    return f"{title} ({source.id}, {source.date})"


def favours_text(claim: Claim) -> str:
    """'PyTorch over Keras', 'Keras', 'against TensorFlow', or 'no side'."""
    pro = " and ".join(FRAMEWORK_LABELS[f] for f in claim.favours)
    con = " and ".join(FRAMEWORK_LABELS[f] for f in claim.against)
    if pro and con:
        return f"{pro} over {con}"
    if pro:
        return pro
    if con:
        return f"against {con}"
    return "no side"


def audience_text(claim: Claim) -> str:
    return ", ".join(AUDIENCES[a] for a in claim.audience)
