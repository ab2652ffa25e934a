"""The claims stage: what the source articles claim (ledger.py) checked against the evidence (rules.py).

check(evidence) -> Verdicts        (verdicts.py: the record the scoring stage and the report read)
"""

from advisor.claims.rules import check
from advisor.records.verdicts import Verdict, Verdicts

__all__ = ["Verdict", "Verdicts", "check"]
