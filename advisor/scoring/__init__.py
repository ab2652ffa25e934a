"""The scoring stage: weights from the profile, scores from the evidence and the verdicts, one scorecard.

score(profile, evidence, verdicts) -> Scorecard        (scorecard.py: the record the report renders)

For a team and its machines: team.py (one decision from many members, scored on each machine),
onboarding.py (each member's path into the chosen framework), compare.py (machines side by side).
"""

from advisor.records.scorecard import Scorecard
from advisor.scoring.score import score

__all__ = ["Scorecard", "score"]
