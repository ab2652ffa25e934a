"""`advisor team`, `advisor compare` and `advisor advise --team-decision` through Typer's CliRunner."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from tests.conftest import FIXTURES, TESTS

runner = CliRunner()
TEAM = [str(p) for p in sorted((TESTS / "teams").glob("*.yaml"))]
A = str(FIXTURES / "run_quick" / "evidence.json")
B = str(FIXTURES / "machine_b" / "evidence.json")


@pytest.fixture(scope="module")
def team_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("team") / "decision"
    result = runner.invoke(app, ["team", *TEAM, "--evidence", A, "--evidence", B, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_team_writes_the_report_its_record_and_the_inputs_to_remake_it(team_dir):
    out, _ = team_dir
    assert sorted(p.name for p in out.iterdir()) == ["decision.md", "machines", "members", "team.html", "team.json"]
    assert sorted(p.name for p in (out / "members").iterdir()) == ["alice.yaml", "bob.yaml", "carol.yaml", "dave.yaml"]
    assert sorted(p.name for p in (out / "machines").iterdir()) == ["ci-runner-7.json", "vm.json"]
    record = json.loads((out / "team.json").read_text())
    assert record["format"] == "advisor-team/1"
    assert record["reproduce"].startswith("advisor team members/alice.yaml")


def test_the_team_writes_its_own_decision_record_in_markdown(team_dir):
    out, _ = team_dir
    record = json.loads((out / "team.json").read_text())["decision"]
    text = (out / "decision.md").read_text()
    for heading in ("## Context and problem statement", "## Decision drivers", "## Considered options"):
        assert heading in text
    assert "## Decision outcome" in text and "## How to confirm it" in text
    assert f"{record['margin']:.2f} points ahead of" in text
    assert "A team of 4: Alice would pick" in text


def test_team_prints_the_pick_its_robustness_and_the_report(team_dir):
    out, output = team_dir
    record = json.loads((out / "team.json").read_text())["decision"]
    assert "points ahead of" in output and "of ±30% weightings" in output
    assert f"{record['margin']:.2f} points" in output
    assert "2 of 4 members pick it on their own; scored on vm, same pick on 2 of 2 machines" in output
    assert f"Team report: {out / 'team.html'}" in output


def test_the_team_report_has_its_sections_in_reading_order_and_loads_nothing(team_dir):
    html = (team_dir[0] / "team.html").read_text()
    ids = ["decision", "how-combined", "what-would-change", "members", "splits", "criteria", "machines", "onboarding"]
    positions = [html.index(f'id="{section}"') for section in ids]
    assert positions == sorted(positions)
    assert "default-src 'none'" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "geometric mean" in html and "share of members who know" in html
    assert "Not measured: no export probe result" in html  # the quick budget runs no export probe
    assert "class RNN(nn.Module)" in html and "nn.Linear(64, 128), nn.ReLU()," in html  # its reference code, as text


def test_member_strings_are_escaped_in_the_team_report(write_answers, tmp_path):
    hostile = write_answers(
        'name: "<script>alert(1)</script>"\nproject_name: "<img src=x onerror=alert(2)>"\n', "x.yaml"
    )
    out = tmp_path / "team"
    result = runner.invoke(app, ["team", str(hostile), TEAM[0], "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "team.html").read_text()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_invalid_member_exits_2_naming_the_file_and_field_and_writes_nothing(write_answers, tmp_path):
    bad = write_answers("goal: guru\n", "alice.yaml")
    out = tmp_path / "team"
    result = runner.invoke(app, ["team", str(bad), *TEAM[1:], "--out", str(out)])
    assert result.exit_code == 2
    assert f"{bad}: 'goal' must be one of learn, prototype, research, product. Received: 'guru'" in result.output
    assert "the other 3 files are valid and nothing was written" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_several_invalid_inputs_are_all_reported_at_once(write_answers, tmp_path):
    bad = write_answers("goal: guru\n", "alice.yaml")
    broken = write_answers("{ not json", "laptop.json")
    result = runner.invoke(app, ["team", str(bad), *TEAM[1:], "--evidence", str(broken), "--out", str(tmp_path / "t")])
    assert result.exit_code == 2
    assert "2 inputs are invalid" in result.output
    assert "alice.yaml: 'goal'" in result.output and "laptop.json: evidence is not valid JSON" in result.output


def test_team_refuses_a_non_empty_folder_without_force(tmp_path):
    out = tmp_path / "team"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["team", *TEAM[:2], "--out", str(out)])
    assert result.exit_code == 2 and "--force" in result.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_compare_prints_each_machine_and_marks_missing_figures_and_versions():
    result = runner.invoke(app, ["compare", A, B], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "vm" in result.output and "ci-runner-7" in result.output
    assert "missing (not installed: tensorflow is not installed)" in result.output
    assert "Versions differ: torch: 2.13.0+cpu on vm, 2.14.0+cpu on ci-runner-7" in result.output


def test_compare_writes_a_page_when_asked(tmp_path):
    page = tmp_path / "machines.html"
    result = runner.invoke(app, ["compare", A, B, "--label", "laptop", "--label", "ci", "--out", str(page)])
    assert result.exit_code == 0, result.output
    assert page.exists() and (tmp_path / "machines.json").exists()
    assert json.loads((tmp_path / "machines.json").read_text())["machines"][0]["label"] == "laptop"


def test_compare_on_corrupt_evidence_exits_2_naming_the_file(write_answers):
    broken = write_answers("[]", "evidence.json")
    result = runner.invoke(app, ["compare", A, str(broken)])
    assert result.exit_code == 2
    assert "evidence.json: evidence must be a JSON object" in result.output


@pytest.fixture
def fake_installed(fake_worker, monkeypatch):
    import probes.runner

    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: None)
    return fake_worker


def test_a_member_joining_later_gets_an_onboarding_report_for_the_team_framework(fake_installed, team_dir, tmp_path):
    team, _ = team_dir
    chosen = json.loads((team / "team.json").read_text())["decision"]
    out = tmp_path / "erin"
    result = runner.invoke(
        app,
        [
            "advise",
            "--no-input",
            "--budget",
            "tiny",
            "--name",
            "Erin",
            "--known-frameworks",
            "keras",
            "--out",
            str(out),
            "--team-decision",
            str(team),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"Onboarding: {out / 'onboarding.html'}" in result.output
    assert (out / "report.html").exists()  # her own individual report, as always
    record = json.loads((out / "onboarding.json").read_text())
    assert record["team_decision"]["variant"] == chosen["variant"]
    assert record["onboarding"]["member"] == "Erin"
    assert "coming_from" in [s["concept"] for s in record["onboarding"]["steps"]]
    evidence = json.loads((out / "evidence.json").read_text())
    assert chosen["variant"] in evidence["settings"]["variants"]  # this machine measured the team's framework
    html = (out / "onboarding.html").read_text()
    assert f"Your team uses {chosen['label']}" in html and "vm (team)" in html


def test_advise_with_a_missing_team_folder_exits_2_before_measuring(fake_installed, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(
        app, ["advise", "--no-input", "--budget", "tiny", "--out", str(out), "--team-decision", str(tmp_path / "no")]
    )
    assert result.exit_code == 2
    assert "no such team folder" in result.output
    assert not out.exists() and not fake_installed.exists()


def test_the_team_folder_remakes_the_same_decision_with_its_reproduce_command(team_dir, monkeypatch, tmp_path):
    import shlex

    team, _ = team_dir
    record = json.loads((team / "team.json").read_text())
    args = shlex.split(record["reproduce"].replace("NEW_FOLDER", str(tmp_path / "again")))[1:]
    monkeypatch.chdir(team)
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    again = json.loads((tmp_path / "again" / "team.json").read_text())
    assert again["decision"] == record["decision"]
    assert again["weights"] == record["weights"]


def test_building_a_team_report_and_comparing_machines_import_no_framework(tmp_path):
    from tests.project.test_import_hygiene import imported_after

    code = (
        "from pathlib import Path\n"
        "from advisor.team_inputs import load_team\n"
        "from advisor.scoring.team import decide\n"
        "from advisor.teams import write_team_folder\n"
        f"members, machines = load_team([Path(p) for p in {TEAM!r}], [Path({A!r}), Path({B!r})])\n"
        f"write_team_folder(decide(members, machines), Path({str(tmp_path / 'team')!r}))\n"
    )
    assert imported_after(code) == set()


def test_force_replaces_an_earlier_team_decision_without_leaving_its_members(tmp_path):
    out = tmp_path / "team"
    assert runner.invoke(app, ["team", *TEAM, "--out", str(out)]).exit_code == 0
    result = runner.invoke(app, ["team", *TEAM[:2], "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "members").iterdir()) == ["alice.yaml", "bob.yaml"]
    assert len(json.loads((out / "team.json").read_text())["members"]) == 2


def test_compare_shows_strings_from_evidence_literally_never_as_terminal_markup(tmp_path):
    record = json.loads((FIXTURES / "run_quick" / "evidence.json").read_text())
    record["environment"]["hostname"] = "[/bold][red]evil"
    record["environment"]["cpu_model"] = "[link=http://x]cpu[/link]"
    hostile = tmp_path / "evidence.json"
    hostile.write_text(json.dumps(record))
    result = runner.invoke(app, ["compare", A, str(hostile)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "[link=http://x]cpu[/link]" in result.output


def test_the_team_report_names_only_weight_changes_answers_could_make(team_dir):
    from advisor.records.profile import load_criteria
    from advisor.scoring.robustness import weight_ranges

    out, _ = team_dir
    html = (out / "team.html").read_text()
    block = html.split('id="what-would-change"', 1)[1].split("</ul>", 1)[0]
    labels = {c.label: key for key, c in load_criteria().items()}
    shown = re.findall(r"Weighting <strong>([^<]+)</strong> [\d,]+% \w+ \((\d+)% of the weight instead of", block)
    assert shown or "No plausible weight change" in block
    for criterion, share in shown:
        low, high = weight_ranges()[labels[criterion]]
        assert 100 * low - 1 <= int(share) <= 100 * high + 1, criterion
