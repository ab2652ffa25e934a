"""A team's decision: combined weights, members' picks, what splits them, several machines, faults."""

from __future__ import annotations

import json
import math
import shutil

import pytest

from advisor.scoring.team import decide, geometric_mean_weights
from advisor.team_inputs import TeamInputError, load_team
from tests.conftest import FIXTURES, TESTS

TEAM = sorted((TESTS / "teams").glob("*.yaml"))
MACHINE_A = FIXTURES / "run_quick" / "evidence.json"
MACHINE_B = FIXTURES / "machine_b" / "evidence.json"


@pytest.fixture(scope="module")
def four():
    members, machines = load_team(TEAM, [MACHINE_A, MACHINE_B])
    return decide(members, machines)


def test_the_test_team_has_four_members_with_four_different_priorities():
    members, _ = load_team(TEAM)
    assert len(members) == 4
    assert len({m.answers.priority for m in members}) == 4


def test_team_weights_are_the_renormalised_geometric_mean_of_members_weights():
    a = {"x": 0.5, "y": 0.5}
    b = {"x": 0.1, "y": 0.9}
    team = geometric_mean_weights([a, b])
    gx, gy = math.sqrt(0.05), math.sqrt(0.45)
    assert team["x"] == pytest.approx(gx / (gx + gy))
    assert sum(team.values()) == pytest.approx(1)


def test_the_team_ratio_of_two_criteria_is_the_geometric_mean_of_members_ratios():
    members = [{"x": 0.2, "y": 0.8, "z": 0.0001}, {"x": 0.6, "y": 0.3, "z": 0.1}, {"x": 0.1, "y": 0.1, "z": 0.8}]
    team = geometric_mean_weights(members)
    ratios = [m["x"] / m["y"] for m in members]
    assert team["x"] / team["y"] == pytest.approx(math.prod(ratios) ** (1 / 3))


def test_the_scale_of_one_members_weights_does_not_change_the_team_weights():
    members = [{"x": 0.2, "y": 0.8}, {"x": 0.7, "y": 0.3}]
    rescaled = [{k: 5 * v for k, v in members[0].items()}, members[1]]
    assert geometric_mean_weights(rescaled) == pytest.approx(geometric_mean_weights(members))


def test_the_team_weights_are_the_geometric_mean_of_the_four_members(four):
    vectors = [m.profile.weight_vector() for m in four.members]
    assert dict(four.weights) == pytest.approx(geometric_mean_weights(vectors))
    assert four.scorecard.weights == pytest.approx(dict(four.weights))


def test_team_familiarity_is_the_share_of_members_who_know_each_framework(four):
    familiarity = four.scorecard.scores["familiarity"]
    # Bob and Dave know PyTorch; Carol knows Keras and TensorFlow; Alice knows none.
    assert familiarity["torch"].score == pytest.approx(5.0)
    assert familiarity["keras-tensorflow"].score == pytest.approx(2.5)
    assert "2 of 4" in familiarity["torch"].basis and "Bob" in familiarity["torch"].basis


def test_each_member_keeps_their_own_pick_and_the_dissenter_is_named(four):
    picks = {m.name: four.member_pick(i).leader for i, m in enumerate(four.members)}
    assert picks["Bob"] == "torch"  # a researcher who values debugging
    assert picks["Carol"] == "keras-tensorflow"  # ships to phones, knows Keras
    assert picks["Alice"] == "keras-tensorflow"  # a newcomer who wants results with little code
    assert len({camp[0] for camp in four.camps}) == len(four.camps) >= 2
    assert any(leader == "keras-tensorflow" and "Carol" in names for leader, names in four.camps)


def test_the_pulls_of_the_criteria_add_up_to_the_gap_between_the_camps(four):
    (a, camp_a), (b, camp_b) = four.camps[0], four.camps[1]
    index = {m.name: i for i, m in enumerate(four.members)}

    def preference(name):
        card = four.member_pick(index[name])
        return card.totals[a] - card.totals[b]

    gap = sum(map(preference, camp_a)) / len(camp_a) - sum(map(preference, camp_b)) / len(camp_b)
    assert sum(s.pull for s in four.splits) == pytest.approx(gap)
    assert four.splits[0].pull >= four.splits[-1].pull


def test_deployment_splits_the_team_as_carol_weighs_it_most(four):
    assert "Carol" in four.camps[1][1]
    deployment = next(s for s in four.splits if s.criterion == "deployment")
    assert deployment.pull > 0
    assert deployment.weight_b > deployment.weight_a


def test_the_team_pick_comes_with_its_robustness(four):
    card = four.scorecard
    assert card.margin > 0
    assert 0 <= card.kept_under_perturbation <= 1
    assert set(four.without) == {"Alice", "Bob", "Carol", "Dave"}
    assert four.arithmetic_leader in card.candidates


def test_the_decision_is_the_primary_machines_and_every_machine_is_scored(four):
    assert [ms.label for ms in four.per_machine] == ["vm", "ci-runner-7"]
    assert four.primary.label == "vm"
    # Keras on PyTorch was measured only on the second machine, so only its scorecard has it.
    assert "keras-torch" not in four.per_machine[0].scorecard.candidates
    assert "keras-torch" in four.per_machine[1].scorecard.candidates


def test_measured_team_scores_name_the_machine_they_came_from(four):
    speed = four.scorecard.scores["training_speed"]["torch"]
    assert speed.source == "measured" and speed.basis.startswith("on vm:")
    second = four.per_machine[1].scorecard.scores["training_speed"]["torch"]
    assert second.basis.startswith("on ci-runner-7:")


def test_without_evidence_the_team_is_scored_from_the_articles_and_answers():
    members, machines = load_team(TEAM)
    decision = decide(members, machines)
    assert machines == [] and decision.primary.label is None
    sources = {s.source for per in decision.scorecard.scores.values() for s in per.values()}
    assert sources == {"literature", "answers"}


def test_answers_about_the_project_that_differ_are_listed(four):
    keys = {key for key, _, _ in four.differing_answers}
    assert {"goal", "deployment_target", "priority"} <= keys
    assert "python_experience" not in keys  # about the person, not the project


def test_the_team_record_is_json_with_the_pick_and_its_robustness(four):
    record = json.loads(json.dumps(four.to_json(), allow_nan=False))
    assert record["decision"]["variant"] == four.leader
    assert record["decision"]["kept_first"] == pytest.approx(four.scorecard.kept_under_perturbation, abs=1e-4)
    assert [m["name"] for m in record["members"]] == ["Alice", "Bob", "Carol", "Dave"]


def test_every_invalid_member_is_named_with_its_field_in_one_error(tmp_path):
    bad_goal = tmp_path / "alice.yaml"
    bad_goal.write_text("goal: guru\n")
    bad_list = tmp_path / "bob.json"
    bad_list.write_text('{"known_frameworks": ["cobol"]}')
    with pytest.raises(TeamInputError) as caught:
        load_team([bad_goal, TEAM[2], bad_list, tmp_path / "nobody.yaml"])
    message = str(caught.value)
    assert "3 inputs are invalid; nothing was written" in message
    assert f"{bad_goal}: 'goal' must be one of learn, prototype, research, product. Received: 'guru'" in message
    assert f"{bad_list}: 'known_frameworks' must be a list of" in message
    assert "nobody.yaml: answers file not found" in message
    assert "carol" not in message


def test_one_invalid_member_is_one_line_saying_the_rest_are_valid(tmp_path):
    bad = tmp_path / "dave.yaml"
    bad.write_text("priority: everything\n")
    with pytest.raises(TeamInputError) as caught:
        load_team([*TEAM[:3], bad])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{bad}: 'priority' must be one of")
    assert "the other 3 files are valid and nothing was written" in message


def test_a_team_needs_two_members():
    with pytest.raises(TeamInputError, match="at least two members. Received: 1"):
        load_team(TEAM[:1])


def test_a_run_folder_member_brings_its_answers_and_its_machine(tmp_path):
    folder = tmp_path / "erin"
    shutil.copytree(FIXTURES / "run_quick", folder)
    members, machines = load_team([TEAM[0], folder], [MACHINE_B])
    assert [m.name for m in members] == ["Alice", "erin"]
    assert members[1].answers_file.endswith("answers.yaml")
    assert [m.label for m in machines] == ["ci-runner-7", "vm"]  # --evidence first: it is the primary
    assert machines[1].brought_by == "erin"


def test_machines_with_the_same_hostname_get_distinct_labels(tmp_path):
    copy = tmp_path / "evidence.json"
    shutil.copy(MACHINE_A, copy)
    _, machines = load_team(TEAM[:2], [MACHINE_A, copy])
    assert [m.label for m in machines] == ["vm #1", "vm #2"]


def test_labels_name_the_machines_in_order():
    _, machines = load_team(TEAM[:2], [MACHINE_A, MACHINE_B], ["laptop", "ci"])
    assert [m.label for m in machines] == ["laptop", "ci"]


def test_a_team_score_whose_figures_differ_by_member_keeps_each_members_figures():
    members, machines = load_team(TEAM, [FIXTURES / "run_standard" / "evidence.json"])
    deployment = decide(members, machines).scorecard.scores["deployment"]["torch"]
    assert deployment.source == "measured"
    per_member = deployment.figures["members"]  # each member weighs the export paths by their own target
    assert set(per_member) == {m.name for m in members}
    assert {f["target"] for f in per_member.values()} == {m.answers.values["deployment_target"] for m in members}
