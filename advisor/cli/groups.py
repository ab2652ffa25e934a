"""Options grouped two ways: under named headings in --help, and in groups several commands share.

A group is declared once, as the parameters of one function (Typer reads options from a signature,
so a group is written the way any command is); a command that takes the group lists it in its
command class, and gets the group's values back as that function's result (`group.of(ctx)`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import typer
import typer.main
from typer.core import TyperCommand

T = TypeVar("T")


class PanelCommand(TyperCommand):
    """A command whose --help lists its options in named groups ("Run options", "Answers"), as gh does.

    Typer draws its help panels only with Rich markup on, which would read the help texts' [brackets]
    as markup; this keeps plain help and groups the options by their `rich_help_panel`.
    """

    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                sections.setdefault("Arguments", []).append((record[0].split()[0], record[1]))
            else:
                sections.setdefault(getattr(param, "rich_help_panel", None) or "Options", []).append(record)
        for title, records in sections.items():
            with formatter.section(title):
                formatter.write_dl(records)


@dataclass(frozen=True)
class OptionGroup(Generic[T]):
    """Options several commands take, declared once as the parameters of one function.

    `declaration()` gives that function: Typer builds the options from its signature, as it does for
    a command, and the values a command was given for them come back as its result.
    """

    name: str
    declaration: Callable[[], Callable[..., T]]

    def parameters(self) -> list[Any]:
        holder = typer.Typer(add_completion=False)
        holder.command()(self.declaration())
        return list(typer.main.get_command(holder).params)

    def gather(self, values: dict[str, Any]) -> T:
        return self.declaration()(**values)

    def of(self, ctx: typer.Context) -> T:
        """This group's values in the running command (put there by GroupedCommand.invoke)."""
        return ctx.meta[self.name]


class GroupedCommand(PanelCommand):
    """A command that takes its own options and then those of `groups`, each group's values gathered into one.

    The groups' options are built when the command is first used, not when the app starts, so that
    `advisor --help` never reads knowledge/questions.yaml.
    """

    groups: ClassVar[tuple[OptionGroup[Any], ...]] = ()
    _grouped: dict[str, list[str]] | None = None  # each group's option names, once its options are added

    def get_params(self, ctx: Any) -> list[Any]:
        self._add_groups()
        return super().get_params(ctx)

    def invoke(self, ctx: Any) -> Any:
        names = self._add_groups()
        for group in self.groups:
            ctx.meta[group.name] = group.gather({name: ctx.params.pop(name) for name in names[group.name]})
        return super().invoke(ctx)

    def _add_groups(self) -> dict[str, list[str]]:
        """Add the groups' options to this command's (once); each group's option names."""
        if self._grouped is None:
            built = {group.name: group.parameters() for group in self.groups}
            self.params = [*self.params, *(param for params in built.values() for param in params)]
            self._grouped = {name: [param.name for param in params] for name, params in built.items()}
        return self._grouped
