"""Ease of use, counted from the reference scripts' own source with ast and tokenize (no framework import).

What counts as "model" and "training loop" follows the contract the reference scripts share with
the speed probes (the function names they call): `build_model` and what it uses is the model;
`compile_model`, `train_epoch`, `make_train_step` and the training statements of `main` are the
training loop; `to_tensors`, `make_loader`, `make_dataset` feed data; `evaluate` evaluates. A
statement of `main` takes its role from the functions it calls (see `_main_role`), and a helper
defined in the file takes the role of the first code that uses it. Counts are per model: code that
only another model uses (its class, its branch of `build_model`, its helpers) is left out.

Counted:
  logical lines   tokenize's NEWLINE tokens (one per statement or clause header), docstrings excluded
  api_calls       distinct callables of the framework's packages called (resolved through the
                  file's imports, so `nn.Linear` counts as its full name) plus distinct methods
                  called on objects other than `self`: the framework vocabulary a user has to know
  device lines    statements that choose or move to a device: the framework's device calls,
                  .to(...), .cuda(), .cpu(), a device= argument
Which packages and device calls are the framework's is said by its folder (a Vocabulary: the
`api_packages` and `device_apis` of probes/<framework>/__init__.py), so this module names none.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROLE_OF_FUNCTION = {
    "build_model": "model",
    "to_tensors": "data",
    "make_loader": "data",
    "make_dataset": "data",
    "digits_split": "data",
    "compile_model": "training",
    "train_epoch": "training",
    "make_train_step": "training",
    "evaluate": "evaluation",
}
EVALUATION_METHODS = frozenset({"evaluate", "predict"})
DEVICE_METHODS = frozenset({"to", "cuda", "cpu"})
# Methods of Python's own containers and strings: not framework vocabulary.
PYTHON_METHODS = frozenset({"append", "extend", "items", "keys", "values", "get", "format", "join", "split", "update"})
ROLES = ("model", "training", "data", "evaluation", "setup", "other")


class ReferenceError_(ValueError):
    """The reference source does not define the requested model."""


@dataclass(frozen=True)
class EaseCounts:
    """What a user writes for one model in one framework, counted from the reference script."""

    model: str
    model_lines: int
    train_lines: int
    total_lines: int
    api_calls: int
    device_statements: int
    train_api_calls: int = 0  # the distinct API calls of the training loop alone
    api_names: tuple[str, ...] = ()
    line_roles: Mapping[int, str] = field(default_factory=dict)  # source row -> role, counted rows only

    def physical_lines(self, role: str | None = None) -> int:
        """Source rows of the counted statements (a 9-row Sequential([...]) is 9 here, 1 logical line)."""
        return sum(1 for r in self.line_roles.values() if role is None or r == role)

    def facts(self) -> dict[str, Any]:
        return {
            "model_lines": self.model_lines,
            "train_lines": self.train_lines,
            "total_lines": self.total_lines,
            "api_calls": self.api_calls,
            "train_api_calls": self.train_api_calls,
            "device_statements": self.device_statements,
            "model_physical_lines": self.physical_lines("model"),
            "train_physical_lines": self.physical_lines("training"),
            "total_physical_lines": self.physical_lines(),
            "api_names": list(self.api_names),
        }


@dataclass(frozen=True)
class Vocabulary:
    """What counts as the framework in its reference script: each framework folder says (probes/contract.py)."""

    packages: frozenset[str]  # top-level packages whose callables are the framework's API (torch, keras, ...)
    device_apis: tuple[str, ...] = ()  # qualified call prefixes that choose or move to a device (torch.device)


def count_source(source: str, model: str, known_models: Iterable[str], vocabulary: Vocabulary) -> EaseCounts:
    """Count one model's code in a reference script; raises ValueError if the script lacks the model."""
    tree = ast.parse(source)
    aliases = _import_aliases(tree)
    roles = _RoleMap(tree, model, set(known_models), lambda s: _is_device_statement(s, aliases, vocabulary))
    logical = _logical_lines(source, _docstring_rows(tree))
    counted = [(start, end) for start, end in logical if not roles.excluded(start)]
    role_rows = {start: roles.role(start) for start, _ in counted}
    statements = [s for s in _statements(tree) if not roles.excluded(s.lineno)]
    own_methods = {
        item.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for item in node.body
        if isinstance(item, ast.FunctionDef)
    }

    def vocabulary_of(chosen: list[ast.stmt]) -> list[str]:
        return sorted(
            name
            for name in {n for s in chosen for n in _api_names(s, aliases, vocabulary.packages)}
            if name.lstrip(".") not in own_methods | PYTHON_METHODS or not name.startswith(".")
        )

    api_names = vocabulary_of(statements)
    train_api = vocabulary_of([s for s in statements if roles.role(s.lineno) == "training"])
    device = sum(1 for s in statements if _is_device_statement(s, aliases, vocabulary))
    return EaseCounts(
        model=model,
        model_lines=sum(1 for r in role_rows.values() if r == "model"),
        train_lines=sum(1 for r in role_rows.values() if r == "training"),
        total_lines=len(counted),
        api_calls=len(api_names),
        train_api_calls=len(train_api),
        device_statements=device,
        api_names=tuple(api_names),
        line_roles={row: role_rows[start] for start, end in counted for row in range(start, end + 1)},
    )


# --- lines


def _logical_lines(source: str, skip_rows: set[int]) -> list[tuple[int, int]]:
    """(first row, last row) of every logical line, docstrings left out."""
    lines, start = [], None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING):
            continue
        if token.type == tokenize.NEWLINE:
            if start is not None and start not in skip_rows:
                lines.append((start, token.start[0]))
            start = None
        elif start is None and token.type != tokenize.ENDMARKER:
            start = token.start[0]
    return lines


def _docstring_rows(tree: ast.Module) -> set[int]:
    rows: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                rows.update(range(first.lineno, first.end_lineno + 1))
    return rows


def _statements(tree: ast.Module) -> list[ast.stmt]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]


# --- roles


def span(node: ast.AST) -> range:
    """The source rows of a statement, its decorators included (a decorated def's lineno is its `def` line)."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
    return range(first, node.end_lineno + 1)


class _RoleMap:
    """Which role each source row plays for one model, and which rows belong only to other models."""

    def __init__(
        self, tree: ast.Module, model: str, known_models: set[str], is_device_statement: Callable[[ast.stmt], bool]
    ):
        self.rows: dict[int, str] = {}
        self.exclusive: set[int] = set()
        defs = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        build = defs.get("build_model")
        if build is None:
            raise ReferenceError_("the reference defines no build_model()")
        branches, shared_rows = _model_branches(build, known_models | {model})
        if model not in branches:
            raise ReferenceError_(f"build_model() has no {model!r} model")
        mine_roots = _names_used(branches[model])
        other_roots = {n for m, nodes in branches.items() if m != model for n in _names_used(nodes)}
        for m, nodes in branches.items():
            if m != model and nodes is not branches[model]:
                for node in nodes:
                    self.exclusive.update(range(node.lineno, node.end_lineno + 1))
        self.exclusive -= shared_rows
        self.exclusive -= {row for node in branches[model] for row in range(node.lineno, node.end_lineno + 1)}
        for node in tree.body:
            self._mark(node, "other")
        self._mark(build, "model")
        role_of_def: dict[str, str] = {}
        for name in defs:
            if name in ROLE_OF_FUNCTION:
                role_of_def[name] = ROLE_OF_FUNCTION[name]
        main = defs.get("main")
        if main is not None:
            for statement in main.body:
                role = _main_role(statement, is_device_statement)
                self._mark(statement, role)
                for used in _names_used([statement]):
                    role_of_def.setdefault(used, role)
        mine = _reachable(mine_roots, defs)
        others = _reachable(other_roots, defs) - mine
        for name in mine:
            role_of_def[name] = "model"
        for name in others:
            self.exclusive.update(span(defs[name]))
        # Helpers used by a function with a role take that role (e.g. the hand-written Adam: training).
        for name in list(role_of_def):
            for used in _reachable({name}, defs):
                role_of_def.setdefault(used, role_of_def[name])
        for name, role in role_of_def.items():
            if name in defs and name not in others and name != "main":
                self._mark(defs[name], role)
        if main is not None:
            self.rows[main.lineno] = "setup"  # the def line of main is glue, not a role of its own
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self._mark(node, "setup")

    def _mark(self, node: ast.AST, role: str) -> None:
        for row in span(node):
            self.rows[row] = role

    def role(self, row: int) -> str:
        return self.rows.get(row, "other")

    def excluded(self, row: int) -> bool:
        return row in self.exclusive


def _model_branches(build: ast.FunctionDef, known: set[str]) -> tuple[dict[str, list[ast.AST]], set[int]]:
    """Per model, the code of build_model that builds it: a dict entry, an `if name == ...` branch,
    or the fall-through that builds every model no branch names. Also the rows shared by all."""
    branches: dict[str, list[ast.AST]] = {}
    fallthrough: list[ast.AST] = []
    shared: set[int] = {build.lineno}
    for statement in build.body:
        named = _branch_model(statement)
        if named is not None:
            branches.setdefault(named, []).append(statement)  # a one-model script needs no `if` either
            continue
        entries = _dict_entries(statement)
        if entries:
            for key, value in entries.items():
                branches.setdefault(key, []).append(value)
            shared.update(range(statement.lineno, statement.end_lineno + 1))
            continue
        fallthrough.append(statement)
    if fallthrough:
        unnamed = [m for m in sorted(known) if m not in branches]
        for m in unnamed:
            branches[m] = fallthrough
        if not unnamed:  # nothing else to build: the fall-through is shared (e.g. a raise)
            for node in fallthrough:
                shared.update(range(node.lineno, node.end_lineno + 1))
    return branches, shared


def _branch_model(statement: ast.stmt) -> str | None:
    """'mlp' for `if name == "mlp":` (either side of ==), else None."""
    if not isinstance(statement, ast.If) or statement.orelse:
        return None
    test = statement.test
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
        for side in (test.left, test.comparators[0]):
            if isinstance(side, ast.Constant) and isinstance(side.value, str):
                return side.value
    return None


def _dict_entries(statement: ast.stmt) -> dict[str, ast.AST]:
    """{'mlp': <MLP node>, ...} for a statement that dispatches through a dict literal."""
    for node in ast.walk(statement):
        if (
            isinstance(node, ast.Dict)
            and node.keys
            and all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys)
        ):
            return {k.value: v for k, v in zip(node.keys, node.values, strict=True)}  # type: ignore[union-attr]
    return {}


def _names_used(nodes: Iterable[ast.AST]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def _reachable(roots: set[str], defs: Mapping[str, ast.AST]) -> set[str]:
    seen: set[str] = set()
    todo = [r for r in roots if r in defs]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(n for n in _names_used([defs[name]]) if n in defs and n not in seen)
    return seen


def _called_names(node: ast.AST) -> set[str]:
    """Bare and attribute names of everything called in `node` (`fit` for model.fit(...))."""
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            if isinstance(call.func, ast.Name):
                names.add(call.func.id)
            elif isinstance(call.func, ast.Attribute):
                names.add(call.func.attr)
    return names


def _main_role(statement: ast.stmt, is_device_statement: Callable[[ast.stmt], bool]) -> str:
    """The role of one statement of main(): loops train; otherwise the functions it calls decide."""
    called = _called_names(statement)
    if isinstance(statement, (ast.For, ast.While)):
        return "training"
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return "data"
    if "build_model" in called:
        return "model"
    if called & ({"evaluate", "print"} | EVALUATION_METHODS):
        return "evaluation"
    if any(ROLE_OF_FUNCTION.get(name) == "data" for name in called):
        return "data"
    if any(ROLE_OF_FUNCTION.get(name) == "training" for name in called) or "fit" in called:
        return "training"
    if is_device_statement(statement):
        return "setup"
    return "training"  # optimiser, loss function and the like: set-up for training


# --- framework vocabulary


def _import_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> fully qualified module or object, for every import in the file."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _dotted(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    return None


def _qualified(node: ast.AST, aliases: Mapping[str, str], packages: frozenset[str]) -> str | None:
    """'torch.nn.Linear' for nn.Linear when `from torch import nn`; None if not a name of the framework's packages."""
    parts = _dotted(node)
    if not parts or parts[0] not in aliases:
        return None
    name = ".".join([aliases[parts[0]], *parts[1:]])
    return name if name.split(".")[0] in packages else None


def _own_nodes(statement: ast.stmt) -> list[ast.AST]:
    """The parts of a statement that are its own: a compound statement's header, not its body."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [*statement.decorator_list, statement.args]
    if isinstance(statement, ast.ClassDef):
        return [*statement.decorator_list, *statement.bases]
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return [statement.target, statement.iter]
    if isinstance(statement, (ast.While, ast.If)):
        return [statement.test]
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return list(statement.items)
    if isinstance(statement, ast.Try):
        return []
    return [statement]


def _api_names(statement: ast.stmt, aliases: Mapping[str, str], packages: frozenset[str]) -> set[str]:
    names = set()
    own = _own_nodes(statement)
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        for decorator in statement.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if qualified := _qualified(target, aliases, packages):
                names.add(qualified)
    for part in own:
        for node in ast.walk(part):
            if not isinstance(node, ast.Call):
                continue
            qualified = _qualified(node.func, aliases, packages)
            if qualified:
                names.add(qualified)
            elif isinstance(node.func, ast.Attribute) and _is_method_on_object(node.func, aliases):
                names.add("." + node.func.attr)
    return names


def _is_method_on_object(func: ast.Attribute, aliases: Mapping[str, str]) -> bool:
    """A method called on a value (a tensor, a model, an optimiser), not on self or a module."""
    if func.attr.startswith("__"):
        return False
    receiver = func.value
    if isinstance(receiver, ast.Name) and receiver.id == "self":
        return False  # self.fc1(x): the user's own layer
    if isinstance(receiver, ast.Constant):
        return False
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super":
        return False
    parts = _dotted(receiver)
    return not (parts and parts[0] in aliases)  # np.ones, a non-framework module's function


def _is_device_statement(statement: ast.stmt, aliases: Mapping[str, str], vocabulary: Vocabulary) -> bool:
    for part in _own_nodes(statement):
        for node in ast.walk(part):
            if not isinstance(node, ast.Call):
                continue
            qualified = _qualified(node.func, aliases, vocabulary.packages) or ".".join(_dotted(node.func) or [])
            if any(qualified.startswith(api) for api in vocabulary.device_apis):
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr in DEVICE_METHODS:
                if node.func.attr != "to" or _moves_to_device(node):
                    return True
            if any(keyword.arg == "device" for keyword in node.keywords):
                return True
    return False


def _moves_to_device(call: ast.Call) -> bool:
    """x.to(device) or x.to("cuda"), not x.to(torch.float16)."""
    for arg in [*call.args, *(k.value for k in call.keywords if k.arg in (None, "device"))]:
        text = ast.unparse(arg)
        if "device" in text or "cuda" in text or "cpu" in text:
            return True
    return False


# --- the ease probe: what the worker records for one model of one framework's reference (no import)


def role_runs(counts: EaseCounts) -> list[list[Any]]:
    """[[first row, last row, role], ...]: the counted rows by role, compact enough for the evidence."""
    runs: list[list[Any]] = []
    for row in sorted(counts.line_roles):
        role = counts.line_roles[row]
        if runs and runs[-1][2] == role and runs[-1][1] == row - 1:
            runs[-1][1] = row
        else:
            runs.append([row, row, role])
    return runs


def measure_reference(path: Path, model: str, vocabulary: Vocabulary) -> dict[str, Any]:
    """The ease facts of one model in one reference script, with what the report needs to show it."""
    import hashlib

    from probes.specs import MODELS

    source = path.read_text(encoding="utf-8")
    counts = count_source(source, model, MODELS, vocabulary)
    facts = counts.facts()
    root = Path(__file__).resolve().parents[2]
    facts.update(
        reference_file=path.resolve().relative_to(root).as_posix(),
        source_sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
        role_runs=role_runs(counts),
        counted_with="ast + tokenize (probes/kinds/ease.py)",
    )
    return {"facts": facts}
