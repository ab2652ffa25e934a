"""The questionnaire stage: questions (knowledge/questions.yaml) asked or read, answers validated, weights derived.

collect_answers(...) -> Answers -> build_profile(answers) -> Profile   (profile.py: the first record)
"""

from advisor.questionnaire.profile import Profile, build_profile, load_criteria
from advisor.questionnaire.questions import Answers, collect_answers, load_questions

__all__ = ["Answers", "Profile", "build_profile", "collect_answers", "load_criteria", "load_questions"]
