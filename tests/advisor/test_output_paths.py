"""Output paths: unwritable, existing, exotic or full - a clear error and never a partial file."""

from __future__ import annotations

import errno
import json
import os

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.errors import OutputError
from advisor.fileio import write_json_atomic, write_text_atomic
from advisor.runs import RUN_RECORDS, prepare_run_folder

runner = CliRunner()


@pytest.fixture
def fake_installed(fake_worker, monkeypatch):
    import probes.runner

    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: None)
    return fake_worker


def advise(out, *extra):
    return runner.invoke(app, ["advise", "--no-input", "--budget", "tiny", "--out", str(out), *extra])


def test_a_path_with_spaces_and_unicode_works(fake_installed, tmp_path):
    out = tmp_path / "my runs" / "ünïcødé ✓ 日本"
    result = advise(out)
    assert result.exit_code == 0, result.output
    assert (out / "report.html").exists()


def test_an_unwritable_folder_is_refused_before_anything_is_measured(fake_installed, tmp_path, monkeypatch):
    import advisor.fileio

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(advisor.fileio.tempfile, "mkstemp", refuse)  # as a read-only folder answers, even to root
    result = advise(tmp_path / "run")
    assert result.exit_code == 2
    assert "cannot write into the output folder (Permission denied)" in result.output
    assert not fake_installed.exists()  # no probe ran


def test_a_folder_under_a_file_is_refused(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    result = advise(blocker / "run")
    assert result.exit_code == 2
    assert "cannot create the output folder" in result.output


def test_an_existing_file_as_output_is_refused(tmp_path):
    target = tmp_path / "report"
    target.write_text("x")
    result = advise(target)
    assert result.exit_code == 2 and "exists and is not a folder" in result.output


def test_force_replaces_an_earlier_run_and_keeps_foreign_files(fake_installed, tmp_path):
    out = tmp_path / "run"
    assert advise(out).exit_code == 0
    (out / "notes.txt").write_text("mine")
    old = json.loads((out / "evidence.json").read_text())["created_at"]
    assert advise(out).exit_code == 2  # refused without --force
    assert advise(out, "--force").exit_code == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert json.loads((out / "evidence.json").read_text())["created_at"] >= old


def test_probe_with_force_over_an_advice_run_leaves_none_of_its_records(fake_installed, tmp_path):
    out = tmp_path / "run"
    assert advise(out).exit_code == 0
    written = {p.name for p in out.iterdir()}
    assert written <= set(RUN_RECORDS.values()) and "verdicts.json" in written  # every record is on the one list
    (out / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["probe", "--budget", "tiny", "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["evidence.json", "notes.txt"]


def test_force_removes_every_kind_of_record_a_run_writes(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    for name in RUN_RECORDS.values():
        (out / name).write_text("from the earlier run")
    prepare_run_folder(out, force=True)
    assert list(out.iterdir()) == []


def test_a_full_disk_leaves_no_partial_file(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "evidence.json"
    with pytest.raises(OutputError, match="could not write \\(disk full\\)"):
        write_json_atomic(target, {"big": "x" * 10000})
    assert list(tmp_path.iterdir()) == []


def test_an_earlier_complete_file_survives_a_failed_rewrite(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    write_text_atomic(target, "complete")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError):
        write_text_atomic(target, "half")
    assert target.read_text() == "complete"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_full_disk_during_advise_is_one_clear_line(fake_installed, tmp_path, monkeypatch):
    import advisor.fileio

    real_fsync = os.fsync
    calls = {"n": 0}

    def fills_up(fd):
        calls["n"] += 1
        if calls["n"] > 2:  # answers and profile fit; the evidence does not
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(advisor.fileio.os, "fsync", fills_up)
    out = tmp_path / "run"
    result = advise(out)
    assert result.exit_code == 2
    assert "evidence.json: could not write (disk full)" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["answers.yaml", "profile.json"]


def test_report_never_shows_verdicts_or_scores_made_from_other_evidence(fake_installed, tmp_path):
    from advisor.records.digests import evidence_digest
    from advisor.runs import load_evidence
    from tests.conftest import FIXTURES

    out = tmp_path / "run"
    assert advise(out).exit_code == 0
    (out / "evidence.json").write_text((FIXTURES / "run_quick" / "evidence.json").read_text())  # another run's
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    assert "verdicts.json: made from other evidence" in result.output
    assert "scorecard.json: made from other records" in result.output
    fresh = evidence_digest(load_evidence(out / "evidence.json"))
    assert json.loads((out / "verdicts.json").read_text())["evidence_digest"] == fresh
    assert json.loads((out / "scorecard.json").read_text())["inputs"]["evidence"] == fresh
    again = runner.invoke(app, ["report", str(out)])
    assert "note:" not in again.output  # fresh records are read back, not made again
