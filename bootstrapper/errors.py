"""One error base class and the exit codes every command shares.

Library code raises; only the CLI prints. Each error carries one human line that says
what was wrong, where, and what to do.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1  # lint findings, or a render refused (its output failed validation, too big)
EXIT_USAGE = 2  # bad usage, bad profile or query, unreadable path


class BootstrapperError(Exception):
    """Base class: `str(err)` is the one line shown to the user."""

    exit_code = EXIT_USAGE


class ProfileError(BootstrapperError):
    """A profile, option or query value is invalid. `field` names it (dotted)."""

    def __init__(self, field: str, message: str, where: str = "") -> None:
        self.field, self.message = field, message
        super().__init__(f"{where}: {field}: {message}" if where else f"{field}: {message}")

    def at(self, where: str) -> ProfileError:
        """The same error, located (`profile.yaml:3`)."""
        return ProfileError(self.field, self.message, where)


class InputError(BootstrapperError):
    """A file could not be read or parsed (profile, template, part)."""


class TemplateError(BootstrapperError):
    """A template is missing, has a syntax error or uses an undefined variable."""


class RefusedError(BootstrapperError):
    """The output was produced but refused: it failed validation or is over a limit."""

    exit_code = EXIT_FINDINGS

    def __init__(self, message: str, findings: list | None = None) -> None:
        self.findings = list(findings or [])
        super().__init__(message)
