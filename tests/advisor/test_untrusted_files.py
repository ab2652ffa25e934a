"""Nothing the tool reads back is unpickled: records are JSON and YAML read safely.

Exported models are reloaded only by the export probes, inside their own child, from artifacts
they wrote into a temporary folder they delete. Everything else is scanned for unsafe loaders.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT

UNSAFE = re.compile(
    r"\bpickle\.loads?\(|\bcloudpickle\b|\bdill\b|\bjoblib\.load\(|\btorch\.load\(|allow_pickle\s*=\s*True"
    r"|\byaml\.load\((?!.*Loader=yaml\.SafeLoader)|\byaml\.unsafe_load\(|\bmarshal\.loads?\(|(?<![.\w])eval\(|(?<![.\w])exec\("
)


def python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in (ROOT / folder).rglob("*.py")]


def is_export_probe(path: Path) -> bool:
    """A framework's export module or the reload process: the only code that loads model files."""
    return path.name in ("export.py", "reload.py") and path.parent.parent.name == "probes"


def test_no_unsafe_loader_in_the_tool():
    offenders = []
    for path in python_files("advisor", "probes", "knowledge", "reports"):
        if is_export_probe(path):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if UNSAFE.search(line) and "noqa: untrusted-ok" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_export_probes_reload_only_their_own_artifacts_from_a_temporary_folder():
    for path in python_files("probes"):
        if not is_export_probe(path):
            continue
        source = path.read_text(encoding="utf-8")
        if UNSAFE.search(source):
            assert "TemporaryDirectory" in source or "mkdtemp" in source, path


def test_records_are_read_as_json_and_answers_with_safe_yaml():
    answers = (ROOT / "advisor" / "questionnaire" / "questions.py").read_text()
    assert "yaml.safe_load" in answers and "yaml.load(" not in answers
    fileio = (ROOT / "advisor" / "fileio.py").read_text()
    assert "json.loads" in fileio
