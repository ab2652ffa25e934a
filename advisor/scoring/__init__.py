"""The scoring stage: weights from the profile, scores from the evidence and the verdicts, one scorecard.

score(profile, evidence, verdicts) -> Scorecard        (scorecard.py: the record the report renders)
"""

from advisor.scoring.score import score
from advisor.scoring.scorecard import Scorecard

__all__ = ["Scorecard", "score"]
