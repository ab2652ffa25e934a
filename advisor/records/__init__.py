"""The records the stages hand each other, and what each was made from; the report imports nothing else.

    answers.py    Question, Answers (a field per question)          questionnaire -> profile.json
    profile.py    Profile, Criterion, Weight, FiredRule
    ledger.py     the claims ledger (knowledge/claims.yaml, read and checked)
    facts.py      the dated facts since the articles (knowledge/facts.yaml)
    verdicts.py   Verdicts, Verdict, Finding                        claims -> verdicts.json
    findings.py   what scoring found: claims with their effect, comparisons, routes, flips
    scorecard.py  Scorecard, CriterionScore, and the parts it is made of      scoring -> scorecard.json
    team.py       Member, Machine, TeamDecision and its parts            team scoring -> team.json
    compare.py    Comparison: machines side by side                      machine comparison -> compare page
    onboarding.py OnboardingPath: a member's steps and findings          onboarding plan -> team and joiner pages
    digests.py    the digests that tell a stale record from a fresh one

The evidence record is probes.evidence's (probes/ imports nothing from advisor/).
"""
