"""The probe contract: every kind a framework folder lists is implemented to that kind's Protocol, and
folders share code through probes/common/, never by importing each other (probes/contract.py)."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Mapping
from types import SimpleNamespace

import pytest

from probes.contract import KIND_PROTOCOLS, KINDS, framework_probe, protocol_members
from probes.kinds.debugging import PlantedBug
from probes.variants import VARIANTS
from tests.conftest import ROOT

FRAMEWORKS = sorted({v.framework for v in VARIANTS.values()})


def shape(function) -> tuple:
    """A function's parameters and return type as written (a Protocol method's `self` left out)."""

    def written(annotation) -> str:
        return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)

    signature = inspect.signature(function)
    parameters = [(p.name, written(p.annotation)) for p in signature.parameters.values() if p.name != "self"]
    return tuple(parameters), written(signature.return_annotation)


def test_every_probe_kind_has_its_protocol():
    assert set(KIND_PROTOCOLS) == set(KINDS)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_each_kind_a_framework_lists_implements_that_kinds_protocol(framework):
    probe = framework_probe(framework)
    for kind in probe.kinds:
        assert isinstance(probe.implementation(kind), KIND_PROTOCOLS[kind]), (framework, kind)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_each_kind_function_takes_what_its_protocol_says(framework):
    probe = framework_probe(framework)
    for kind in probe.kinds:
        protocol, implementation = KIND_PROTOCOLS[kind], probe.implementation(kind)
        for name in protocol_members(protocol):
            if inspect.isfunction(wanted := getattr(protocol, name, None)):
                assert shape(getattr(implementation, name)) == shape(wanted), (framework, kind, name)


@pytest.mark.parametrize("framework", [f for f in FRAMEWORKS if "export" in framework_probe(f).kinds])
def test_each_export_module_names_how_the_reload_process_opens_its_files(framework):
    export = framework_probe(framework).implementation("export")
    assert export.LOADERS and all(callable(load) for load in export.LOADERS.values())
    assert all(isinstance(runtime, str) and callable(open_) for runtime, open_ in export.OPENERS.values())
    assert isinstance(export.RELOAD_CHECKS, Mapping) and all(callable(c) for c in export.RELOAD_CHECKS.values())


@pytest.mark.parametrize("framework", [f for f in FRAMEWORKS if "debugging" in framework_probe(f).kinds])
def test_each_debugging_module_lists_the_bugs_it_plants(framework):
    bugs = framework_probe(framework).implementation("debugging").BUGS
    assert bugs and all(isinstance(bug, PlantedBug) for bug in bugs)


def test_a_kind_module_that_lacks_part_of_its_protocol_is_refused_naming_what_is_missing(monkeypatch):
    probe = type(framework_probe("pytorch"))()
    monkeypatch.setattr(probe, "kind_module", lambda kind: SimpleNamespace(measure=print, cases=print))
    with pytest.raises(TypeError, match=r"probes/pytorch/export.py must implement probes.contract.ExportProbe: "
                       r"expected LOADERS, OPENERS, RELOAD_CHECKS, cases, measure. "
                       r"Received: no LOADERS, OPENERS, RELOAD_CHECKS$"):  # fmt: skip
        probe.implementation("export")


def test_a_kind_the_framework_does_not_list_is_not_implemented():
    probe = framework_probe("pytorch")
    with pytest.raises(NotImplementedError, match="pytorch has no telepathy probe"):
        probe.implementation("telepathy")


def imported_modules(path) -> set[str]:
    """Every module a file imports, at any depth (inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_framework_folder_imports_no_other_framework_folder(framework):
    """Keras on TensorFlow shares TensorFlow's runtime through probes/common/, as Keras's backends share
    keras/src/backend/common/: a folder that imported another's would tie the two together."""
    others = {f"probes.{f}" for f in FRAMEWORKS if f != framework}
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "probes" / framework).glob("*.py"))
        for name in sorted(imported_modules(path))
        if any(name == other or name.startswith(other + ".") for other in others)
    ]
    assert offenders == []


def test_the_probe_kinds_compose_no_framework_module_name():
    """probes/kinds/ reaches a framework's code through the contract (framework_probe(name).implementation),
    never by building a module name such as f"probes.{framework}.export"."""
    offenders = []
    for path in sorted((ROOT / "probes" / "kinds").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                if str(node.values[0].value).startswith("probes."):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
