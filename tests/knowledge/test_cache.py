"""The parsed-knowledge cache: read only when made from the very files installed, never unpickled, never fatal."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from importlib import resources

import pytest
import yaml

import knowledge
from tests.conftest import FIXTURES, ROOT, run_here_env


@pytest.fixture
def fresh_knowledge(monkeypatch, tmp_path):
    """knowledge loaded anew, with its cache in `tmp_path/cache`; the session's own loads are kept apart."""
    monkeypatch.setenv(knowledge.CACHE_ENV, str(tmp_path / "cache"))
    knowledge.load.cache_clear()
    knowledge._all_files.cache_clear()
    yield tmp_path / "cache"
    knowledge.load.cache_clear()
    knowledge._all_files.cache_clear()


def reload(name: str) -> dict:
    knowledge.load.cache_clear()
    knowledge._all_files.cache_clear()
    return knowledge.load(name)


def yaml_files() -> dict[str, dict]:
    folder = resources.files("knowledge")
    return {
        e.name[:-5]: yaml.safe_load(e.read_text(encoding="utf-8")) for e in folder.iterdir() if e.name.endswith(".yaml")
    }


def test_knowledge_read_back_from_the_cache_is_the_yaml_itself(fresh_knowledge):
    knowledge.load("questions")
    (cache,) = fresh_knowledge.glob("knowledge-*.json")
    assert json.loads(cache.read_text())["files"] == yaml_files()
    assert {name: reload(name) for name in yaml_files()} == yaml_files()


def test_a_cache_made_from_other_knowledge_files_is_ignored_and_rewritten(fresh_knowledge):
    knowledge.load("questions")
    (cache,) = fresh_knowledge.glob("knowledge-*.json")
    stale = json.loads(cache.read_text())
    stale["digest"] = "0" * 32
    stale["files"]["questions"] = {"questions": []}
    cache.write_text(json.dumps(stale))
    assert reload("questions") == yaml_files()["questions"]
    assert json.loads(cache.read_text())["files"]["questions"] == yaml_files()["questions"]


def test_a_cache_that_is_not_json_is_never_unpickled_but_parsed_again(fresh_knowledge, monkeypatch):
    knowledge.load("questions")
    (cache,) = fresh_knowledge.glob("knowledge-*.json")
    cache.write_bytes(pickle.dumps({"files": {}}))
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    assert reload("weights") == yaml_files()["weights"]
    assert json.loads(cache.read_text())["format"] == knowledge.CACHE_FORMAT


def test_a_cache_folder_that_cannot_be_written_costs_only_the_speed(fresh_knowledge, monkeypatch, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(knowledge.CACHE_ENV, str(blocker / "cache"))
    assert reload("questions") == yaml_files()["questions"]


def test_a_report_renders_where_no_cache_can_be_written(tmp_path):
    run = tmp_path / "run"
    shutil.copytree(FIXTURES / "run_quick", run)
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    env = run_here_env() | {knowledge.CACHE_ENV: str(blocker / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "report", str(run)], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr
    assert (run / "report.html").is_file()


def test_an_empty_cache_setting_turns_caching_off(monkeypatch):
    monkeypatch.setenv(knowledge.CACHE_ENV, "")
    assert knowledge.cache_dir() is None
