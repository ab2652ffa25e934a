"""The Typer app every command registers on, its exit codes, and the edge where errors become one line.

This module imports no framework and nothing heavy, so `advisor --help` is instant; each command
imports what it needs when it runs.
"""

from __future__ import annotations

import functools
import signal
from collections.abc import Callable
from typing import Annotated, Any

import typer

from advisor.errors import AdvisorError

app = typer.Typer(
    name="advisor",
    help="Which deep-learning framework to pick (PyTorch, Keras, TensorFlow), with evidence measured on this machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_NOTHING_MEASURED = 3  # the run finished but measured nothing: its report rests on the articles alone
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C but ending with exit code 143."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def interrupted_exit_code(interrupt: BaseException) -> int:
    return EXIT_TERMINATED if isinstance(interrupt, Terminated) else EXIT_INTERRUPTED


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn user-fixable errors into one line and exit 2, and Ctrl-C into exit 130, no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AdvisorError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt as interrupt:
            typer.echo("\nCancelled; nothing was written.", err=True)
            raise typer.Exit(interrupted_exit_code(interrupt)) from None

    return wrapper


def version_callback(value: bool) -> None:
    if value:
        from advisor import __version__

        typer.echo(f"framework-advisor {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Which deep-learning framework to pick, with evidence measured on this machine."""


def main() -> None:
    """Console-script entry: SIGTERM ends a run the way Ctrl-C does (records kept, exit 143)."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    app()
