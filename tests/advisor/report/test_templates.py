"""Compiled templates kept between runs: reused when the source is the same, never unpickled, never fatal."""

from __future__ import annotations

import pickle
import sys

import pytest
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from advisor.report.templates import CODE_CACHE_FORMAT, TemplateCodeCache
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def bytecode_written(monkeypatch):
    """As an installed copy runs (some development machines set PYTHONDONTWRITEBYTECODE)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def environment(cache_folder) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(ROOT / "reports")), autoescape=True, bytecode_cache=TemplateCodeCache(cache_folder)
    )


def page(env: Environment) -> str:
    return env.get_template("_reference_code.html").render(
        reference={"framework": "PyTorch", "file": "f.py", "code": Markup(""), "start": "go"}
    )


def test_a_compiled_template_is_kept_and_used_again_without_compiling(tmp_path):
    first = page(environment(tmp_path))
    assert [f.read_bytes().startswith(CODE_CACHE_FORMAT.encode()) for f in tmp_path.glob("*.code")] == [True]
    again = environment(tmp_path)
    again.compile = lambda *args, **kwargs: pytest.fail("compiled again")
    assert page(again) == first


def test_kept_code_is_read_back_without_unpickling(tmp_path, monkeypatch):
    page(environment(tmp_path))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    again = environment(tmp_path)
    again.compile = lambda *args, **kwargs: pytest.fail("compiled again")
    page(again)


def test_a_kept_file_from_another_source_or_version_is_ignored_and_rewritten(tmp_path):
    first = page(environment(tmp_path))
    (kept,) = tmp_path.glob("*.code")
    kept.write_bytes(b"advisor-template-code/0 jinja 1.0 0000 stale\n" + b"not code")
    assert page(environment(tmp_path)) == first
    assert kept.read_bytes().startswith(CODE_CACHE_FORMAT.encode() + b" ")


def test_a_cache_folder_that_cannot_be_written_costs_only_the_speed(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    assert "PyTorch" in page(environment(blocker / "cache"))


def test_nothing_is_kept_where_python_is_told_to_write_no_bytecode(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    page(environment(tmp_path))
    assert list(tmp_path.iterdir()) == []
