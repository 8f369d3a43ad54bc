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
        # One problem per line: a line break quoted from content must not start another
        # (a CI log would read a line starting with `::` as a workflow command), and a
        # terminal escape or a direction override quoted from content must not act on
        # the screen of whoever reads the problems.
        path, message = self.path.translate(_SHOWN), self.message.translate(_SHOWN)
        return f"{path}:{self.line}:{self.col}: {message}"


# Characters shown as escapes in problems: C0 and C1 controls, DEL, and the characters
# that are invisible or reorder text (U+2028 and U+2029 end lines in some viewers).
_SHOWN = {
    code: {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(chr(code), f"\\u{code:04x}")
    for code in (
        *range(0x20), *range(0x7F, 0xA0), 0x061C, 0x200B, 0x200C, 0x200D, 0x200E,
        0x200F, *range(0x2028, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x206A),
        0xFEFF,
    )
}


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
