"""A member's onboarding path into the team's framework, as scoring planned it (advisor/scoring/onboarding.py).

The steps come from knowledge/onboarding.yaml, picked by the member's answers; the findings are the
chosen framework's own debugging and export probe results, kept as the evidence recorded them. The
team pages and a joiner's page (advisor/report/onboarding.py) put them in the words the report's
debugging and deployment sections use.
"""

from __future__ import annotations

from dataclasses import dataclass

from probes.evidence import ProbeResult
from probes.variants import label as variant_label


@dataclass(frozen=True)
class Step:
    concept: str
    label: str
    why: str
    because: tuple[str, ...]  # which of the member's answers put it on their path
    how: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(frozen=True)
class Findings:
    """One probe kind's results for the chosen framework, from the first machine that has any."""

    kind: str  # debugging | export
    relevant: bool  # does this member's role call for it
    machine: str | None  # where it was measured; None when not measured anywhere
    rows: tuple[ProbeResult, ...]  # the results that matter to the member's role (all of them if none does)
    measured: int = 0  # how many results of this kind the machine has for the framework
    searched: tuple[str, ...] = ()  # the machines looked at, in order


@dataclass(frozen=True)
class OnboardingPath:
    member: str
    variant: str
    family: str
    knows_chosen: bool
    roles: tuple[str, ...]
    steps: tuple[Step, ...]
    start: str
    reference_file: str
    debugging: Findings
    export: Findings

    @property
    def framework(self) -> str:
        return variant_label(self.variant)
