"""Teams and many machines: one decision for a team, an onboarding path per member, evidence side by side.

- `inputs`: members (answers files or run folders) and machines (evidence files), validated together
- `decision`: combined weights, the team's scorecard per machine, members' picks, what splits them
- `onboarding`: what each member learns first for the chosen framework (knowledge/onboarding.yaml)
- `compare`: evidence from several machines side by side (pandas), as a terminal table or a page
- `pages`: view models of the team report and the onboarding page (compare builds its own)
- `folders`: the team folder (team.html, team.json, members/, machines/) and a joiner's onboarding page


Nothing here imports a framework; pandas and numpy load only when a command runs.
"""
