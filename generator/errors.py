"""One error family. Each error knows its exit code; the CLI catches them once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, located in a file (1-based line and column)."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        # One problem per line: a line break quoted from content must not start another.
        message = self.message.replace("\r", "\\r").replace("\n", "\\n")
        return f"{self.path}:{self.line}:{self.col}: {message}"


class GeneratorError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code = 1


class ContentError(GeneratorError):
    """The content has problems; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(set(problems)))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found in the content")


class ConfigError(GeneratorError):
    """A command-line option or environment problem that is not about content."""

    exit_code = 2


class BuildError(GeneratorError):
    """The build could not be completed (theme error, I/O failure)."""


class ExistsError(GeneratorError):
    """A file or folder to be created is already there; nothing was overwritten."""
