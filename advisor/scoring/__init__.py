"""The scoring stage: weights from the profile, scores from the evidence and the verdicts, one scorecard.

score(profile, evidence, verdicts) -> Scorecard        (scorecard.py: the record the report renders)
"""

from advisor.records.scorecard import Scorecard
from advisor.scoring.score import score

__all__ = ["Scorecard", "score"]
