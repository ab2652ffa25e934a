"""One exception hierarchy for everything a user can fix; the CLI turns it into one line and exit 2."""

from __future__ import annotations


class AdvisorError(Exception):
    """A problem the user can fix (bad input, unusable output path); never a bug in the tool."""

    exit_code = 2


class AnswersError(AdvisorError):
    """An answers file or flag holds an unknown key, a wrong type or a value out of range."""


class RecordError(AdvisorError):
    """A saved record (profile, evidence, scorecard) is missing, corrupt or from another schema."""


class OutputError(AdvisorError):
    """The output folder cannot be used: exists already, not writable, disk full."""
