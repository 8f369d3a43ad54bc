"""Find and read content files: the input edge of the pipeline.

Everything that can be wrong with a file as a file (a symlink, its size, its
encoding, its name) is reported here as a Problem, so that validation only sees text.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from generator.errors import Problem

MAX_FILE_BYTES = 256 * 1024
SLUG_MAX = 80
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NAME_RE = re.compile(r"^(?P<slug>[^.]*)(?:\.(?P<lang>[a-z]{2}))?\.md$")

Kind = Literal["mission", "association"]
KIND_DIRS: tuple[tuple[Kind, str], ...] = (("association", "associations"), ("mission", "missions"))


@dataclass(frozen=True)
class SourceFile:
    """A content file's text and what its name says (kind, slug, language)."""

    kind: Kind
    path: str  # as shown to people, e.g. content/missions/x.md
    slug: str
    lang: str | None  # None: the default language
    text: str


def display_path(path: Path) -> str:
    """A path as people should read it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text_file(path: Path, shown: str) -> str | Problem:
    """Read one UTF-8 file, refusing symlinks, oversized files, bad bytes and NULs."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return Problem(shown, 1, 1, f"cannot read the file: {exc.strerror}")
    if stat.S_ISLNK(info.st_mode):
        return Problem(shown, 1, 1, "symbolic links are not allowed: commit the file itself")
    if not stat.S_ISREG(info.st_mode):
        return Problem(shown, 1, 1, "not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        return Problem(
            shown,
            1,
            1,
            f"the file is {info.st_size // 1024} KB; the limit is {MAX_FILE_BYTES // 1024} KB "
            "(shorten the text, or link to a longer document)",
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        return Problem(
            shown, line, col, "the file is not valid UTF-8: save it with the UTF-8 encoding"
        )
    nul = data.find(b"\0")
    if nul >= 0:
        line, col = _position(data, nul)
        return Problem(shown, line, col, "the file contains a NUL character: remove it")
    return text


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def find_sources(
    content: Path, languages: tuple[str, ...]
) -> tuple[list[SourceFile], list[Problem]]:
    """Read every mission and association file; problems with names or bytes are collected."""
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for kind, folder in KIND_DIRS:
        directory = content / folder
        if not directory.is_dir():
            problems.append(
                Problem(display_path(directory), 1, 1, f"the folder '{folder}' is missing")
            )
            continue
        claimed: dict[tuple[str, str | None], str] = {}
        for path in sorted(directory.iterdir()):
            if path.name.startswith(".") or not path.name.lower().endswith(".md"):
                continue
            shown = display_path(path)
            named = _parse_name(path.name, languages, shown)
            if isinstance(named, Problem):
                problems.append(named)
                continue
            slug, lang = named
            # Two files whose URLs differ only by case collide on case-insensitive
            # file systems (and confuse people): refuse the second one.
            other = claimed.get((slug.lower(), lang))
            if other is not None:
                problems.append(
                    Problem(shown, 1, 1, f"this file maps to the same page as {other}: rename one")
                )
                continue
            claimed[(slug.lower(), lang)] = shown
            text = read_text_file(path, shown)
            if isinstance(text, Problem):
                problems.append(text)
                continue
            sources.append(SourceFile(kind, shown, slug, lang, text))
    return sources, problems


def _parse_name(
    name: str, languages: tuple[str, ...], shown: str
) -> tuple[str, str | None] | Problem:
    if not name.endswith(".md"):
        return Problem(shown, 1, 1, "content files must end with '.md' in lower case")
    match = _NAME_RE.match(name)
    slug = match["slug"] if match else name[: -len(".md")]
    lang = match["lang"] if match else None
    if not SLUG_RE.match(slug) or len(slug) > SLUG_MAX:
        return Problem(
            shown,
            1,
            1,
            f"invalid file name {name!r}: use lowercase letters a-z, digits and single "
            f"hyphens, at most {SLUG_MAX} characters, then '.md' (for example "
            "'traduction-anglais.md')",
        )
    if lang is not None:
        if lang not in languages:
            return Problem(
                shown, 1, 1, f"unknown language '{lang}' in the file name; site languages are "
                + ", ".join(languages)
            )
        if lang == languages[0]:
            return Problem(
                shown, 1, 1, f"'{lang}' is the default language: name the file '{slug}.md'"
            )
    return slug, lang
