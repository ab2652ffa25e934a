"""The questionnaire stage: questions (knowledge/questions.yaml) asked or read, answers validated, weights derived.

collect_answers(...) -> Answers -> build_profile(answers) -> Profile   (the records: advisor/records/)
"""

from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.records.answers import Answers, load_questions
from advisor.records.profile import Profile, load_criteria

__all__ = ["Answers", "Profile", "build_profile", "collect_answers", "load_criteria", "load_questions"]
