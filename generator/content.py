"""Find and read content files: the input edge of the pipeline.

Everything that can be wrong with a file as a file (a symlink, its size, its
encoding, its name) is reported here as a Problem, so that validation only sees text.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Mapping
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
    text: str | None  # None: not read, the caller knew the file unchanged (find_sources)
    stat: str = ""  # what changes when the file does (size, times, inode)

    @classmethod
    def unread(cls, kind: Kind, path: str, slug: str, lang: str | None, stat: str
               ) -> SourceFile:
        """A file not read (text None). Made without __init__, which sets each field in
        turn through object.__setattr__: half the time of a rebuild's 11,479 files."""
        made = object.__new__(cls)
        made.__dict__.update(kind=kind, path=path, slug=slug, lang=lang, text=None,
                             stat=stat)
        return made


def display_path(path: Path) -> str:
    """A path as people should read it: relative to the working directory when inside it."""
    # Only the folder is resolved: a symbolic link must be shown as itself, not its target.
    try:
        return str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text_file(path: str | Path, shown: str) -> str | Problem:
    """Read one UTF-8 file, refusing symlinks, oversized files, bad bytes and NULs."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return Problem(shown, 1, 1, f"cannot read the file: {exc.strerror} (check its permissions)")
    if stat.S_ISLNK(info.st_mode):
        return Problem(
            shown, 1, 1, "symbolic links are not allowed (replace the link by the file itself)"
        )
    if not stat.S_ISREG(info.st_mode):
        return Problem(shown, 1, 1, "not a regular file (content files must be plain text files)")
    if info.st_size > MAX_FILE_BYTES:
        size_kb = -(-info.st_size // 1024)  # rounded up: 256 KB and 1 byte is over the limit
        return Problem(
            shown,
            1,
            1,
            f"the file is too big: {size_kb} KB, the limit is {MAX_FILE_BYTES // 1024} KB "
            "(shorten the text, or link to a longer document)",
        )
    try:
        # O_NOFOLLOW: a file swapped for a link after the check above is refused all the same.
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb") as file:
            data = file.read()
    except OSError as exc:
        return Problem(shown, 1, 1, f"cannot read the file: {exc.strerror} (check its permissions)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        return Problem(
            shown,
            line,
            col,
            f"the file is not valid UTF-8: byte 0x{data[exc.start]:02X} here (save the file "
            "with the UTF-8 encoding)",
        )
    nul = data.find(b"\0")
    if nul >= 0:
        line, col = _position(data, nul)
        return Problem(shown, line, col, "the file contains a NUL character (remove it)")
    return text


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters, as editors count them) of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    if line_start == 0 and data.startswith(b"\xef\xbb\xbf"):
        line_start = 3  # the BOM is invisible in editors
    # The bytes before the offset are valid UTF-8: the offset is the first bad byte.
    before = data[line_start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(before) + 1


def stat_key(info: os.stat_result) -> str:
    return f"{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"


def _content_names(directory: Path) -> list[str]:
    # Hidden files are not content (.DS_Store, editors' .#x.md locks), but a name such
    # as `.md` or `..md` is meant as one and is reported as an invalid name.
    # Names, not Path objects: pathlib's overhead is most of the time on 10,000 files.
    return sorted(
        name for name in os.listdir(directory)
        if name.lower().endswith(".md") and not name.startswith(".#")
    )


def stat_keys(content: Path) -> dict[str, dict[str, str]]:
    """The names of the content files find_sources would look at, in its order, with the
    stat key of each, by folder (what find_sources takes as `stats`, worked out beside
    it by another process)."""
    keys: dict[str, dict[str, str]] = {}
    for _, folder in KIND_DIRS:
        directory = content / folder
        if directory.is_symlink() or not directory.is_dir():
            continue
        folder_path = os.path.join(directory, "")
        found = keys[folder_path] = {}
        for name in _content_names(directory):
            try:
                found[name] = stat_key(os.lstat(folder_path + name))
            except OSError:
                found[name] = ""  # looked at again, and reported, by find_sources
    return keys


def find_sources(
    content: Path, languages: tuple[str, ...],
    unchanged: Callable[[str, str], bool] | None = None,
    stats: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[list[SourceFile], list[Problem]]:
    """Read every mission and association file; problems with names or bytes are collected.
    Files for which `unchanged(path, stat_key)` holds are not read (text None): a build
    cache knows them, and they passed every check when it read them. `stats`: what
    stat_keys(content) found a moment before, taken for what the folders hold."""
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for kind, folder in KIND_DIRS:
        directory = content / folder
        if directory.is_symlink():
            # A linked folder would publish whatever it points to, anywhere on the disk.
            problems.append(
                Problem(
                    display_path(directory), 1, 1,
                    f"the folder '{folder}' is a symbolic link (replace the link by the "
                    "folder itself)",
                )
            )
            continue
        if not directory.is_dir():
            problems.append(
                Problem(
                    display_path(directory), 1, 1,
                    f"the folder '{folder}' is missing (create it beside site.yaml)",
                )
            )
            continue
        # Shown as display_path(path) would, without resolving the folder once per file.
        # Joined by hand: os.path.join costs more than the lstat below, twice per file.
        shown_folder = os.path.join(display_path(directory), "")
        folder_path = os.path.join(directory, "")
        seen = stats.get(folder_path) if stats is not None else None
        file_names = list(seen) if seen is not None else _content_names(directory)
        names = set(file_names)
        for name in file_names:
            shown = shown_folder + name
            # Two files whose names differ only by case collide on case-insensitive file
            # systems (macOS, Windows) and confuse people: refuse the one not in lowercase.
            lower = name.lower()
            if lower != name and lower in names:
                problems.append(
                    Problem(
                        shown, 1, 1,
                        f"this file name differs only by case from {lower} (keep one of the "
                        "two files, named in lowercase)",
                    )
                )
                continue
            path = folder_path + name
            key = ""
            if unchanged is not None:
                key = seen.get(name, "") if seen is not None else ""
                try:
                    key = key or stat_key(os.lstat(path))
                except OSError:
                    key = ""
                if key and unchanged(shown, key):
                    # Its name passed _parse_name when it was read, for the same languages
                    # (site.yaml is part of the key the cache is trusted for): slug.md or
                    # slug.xx.md, split without the checks (11,479 names at 10,000 missions).
                    base, _, code = name[:-3].partition(".")
                    sources.append(SourceFile.unread(kind, shown, base,
                                                     sys.intern(code) if code else None, key))
                    continue
            named = _parse_name(name, languages, shown)
            if isinstance(named, Problem):
                problems.append(named)
                continue
            slug, lang = named
            text = read_text_file(path, shown)
            if isinstance(text, Problem):
                problems.append(text)
                continue
            # Taken before reading: a file changed in between is read again next time.
            sources.append(SourceFile(kind, shown, slug, lang, text, key))
    return sources, problems


def _parse_name(
    name: str, languages: tuple[str, ...], shown: str
) -> tuple[str, str | None] | Problem:
    if not name.endswith(".md"):
        return Problem(
            shown, 1, 1, f"content files must end with '.md' in lower case (rename it "
            f"{name[:-3]}.md)"
        )
    match = _NAME_RE.match(name)
    slug = match["slug"] if match else name[: -len(".md")]
    lang = match["lang"] if match else None
    if not SLUG_RE.match(slug) or len(slug) > SLUG_MAX:
        suggestion = _slugify(slug)
        return Problem(
            shown,
            1,
            1,
            f"invalid file name {name!r} (use lowercase letters a-z, digits and single "
            f"hyphens, at most {SLUG_MAX} characters, then '.md'"
            + (f", such as '{suggestion}.md')" if suggestion else ")"),
        )
    # No languages: site.yaml's list is itself broken and reported there; judging
    # file names against a guess would only add noise.
    if lang is not None and languages:
        if lang not in languages:
            return Problem(
                shown, 1, 1, f"unknown language '{lang}' in the file name (the site languages "
                f"are {', '.join(languages)})"
            )
        if lang == languages[0]:
            return Problem(
                shown, 1, 1, f"'{lang}' is the default language (name the file '{slug}.md')"
            )
    return slug, sys.intern(lang) if lang is not None else None  # shared by many files


def _slugify(name: str) -> str:
    """A valid slug close to `name` (accents dropped, other characters turned to hyphens)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:SLUG_MAX].rstrip("-")
    return slug if SLUG_RE.match(slug) else ""
