"""The CLI process never imports a framework: they load only inside probe children."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, run_here_env

FRAMEWORKS = ("torch", "tensorflow", "keras", "jax")


def imported_after(code: str) -> set[str]:
    check = code + f"\nimport sys\nprint(','.join(m for m in {FRAMEWORKS!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=ROOT, env=run_here_env()
    )
    return {name for name in done.stdout.strip().split(",") if name}


def test_importing_the_cli_imports_no_framework():
    assert imported_after("import advisor.cli") == set()


def test_rerendering_a_report_imports_no_framework(saved_run):
    code = f"from advisor.runs import rerender; rerender({str(saved_run)!r})"
    assert imported_after(code) == set()


def test_help_answers_without_a_framework():
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "--help"], capture_output=True, text=True, cwd=ROOT, env=run_here_env()
    )
    assert done.returncode == 0 and "advise" in done.stdout


def test_help_imports_the_cli_alone():
    """`advisor --help` stays instant: it reads no knowledge and loads no command's libraries."""
    code = (
        "import sys\nfrom advisor.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} | {m for m in sys.modules if '.' in m})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=run_here_env()
    )
    loaded = set(done.stdout.strip().splitlines()[-1].split(","))
    heavy = {"yaml", "jinja2", "rich", "numpy", "pandas", "pydantic", "knowledge", "probes", "advisor.questionnaire"}
    assert loaded & heavy == set()


def test_probes_import_nothing_from_advisor():
    """probes/ stands alone: a machine that only measures needs no scoring or report code."""
    import ast

    offenders = []
    for path in sorted((ROOT / "probes").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "advisor"]
    assert offenders == []


def test_every_framework_folder_implements_the_probe_contract():
    from probes.contract import KINDS, FrameworkProbe, framework_probe
    from probes.variants import VARIANTS

    for name in sorted({v.framework for v in VARIANTS.values()}):
        probe = framework_probe(name)
        assert isinstance(probe, FrameworkProbe) and probe.name == name
        assert set(probe.kinds) <= set(KINDS) and probe.reference_path().is_file()
        for kind in set(probe.kinds) - {"ease"}:  # ease reads the reference itself
            module = probe.kind_module(kind)
            assert callable(module.measure) and (kind == "speed" or callable(module.cases)), (name, kind)


def test_the_generic_probe_kinds_name_no_framework():
    """probes/kinds/ measures every framework the same way: framework names live in the framework folders.

    Docstrings and comments may give examples; code (names, imports, strings) may not.
    """
    import ast
    import re

    framework = re.compile(r"\b(torch|keras|tensorflow|tf|jax)\b")
    offenders = []
    for path in sorted((ROOT / "probes" / "kinds").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            text = None
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                text = node.value
            elif isinstance(node, ast.Name):
                text = node.id
            elif isinstance(node, ast.alias):
                text = node.name
            if text and framework.search(text):
                offenders.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}: {text[:60]!r}")
    assert offenders == []
