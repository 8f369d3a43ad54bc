"""A board as read from disk, checked whole or for a few files, with files added in memory.

`missions check FILE…` (pull requests touching a few files), `missions new` and
`missions from-issue` (a file about to be written) all validate against the whole board
but answer for some files only. Reading happens in `read_board` (the I/O edge);
everything else here is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.content import SourceFile, display_path, find_sources, read_text_file
from generator.errors import ConfigError, ContentError, Problem
from generator.frontmatter import Document, read_document, read_yaml_file
from generator.model import Site, SiteConfig, Vocabulary
from generator.validate import Inputs, validate, validate_config

CONFIG_FILES = ("site.yaml", "vocabulary.yaml")


@dataclass(frozen=True)
class Board:
    """Every file of a board, read but not validated."""

    content: Path
    site: Document | None
    vocabulary: Document | None
    sources: tuple[SourceFile, ...]
    problems: tuple[Problem, ...]  # problems met while reading (names, bytes, YAML of config)

    @property
    def languages(self) -> tuple[str, ...]:
        languages = self.site.data.get("languages") if self.site else None
        if isinstance(languages, list) and languages and all(isinstance(x, str) for x in languages):
            return tuple(languages)
        return ("fr",)

    def source_path(self, kind: str, slug: str) -> str:
        """How the default-language file of `slug` is shown in problems."""
        folder = "missions" if kind == "mission" else "associations"
        return display_path(self.content / folder / f"{slug}.md")


def read_config(path: Path) -> Document | list[Problem]:
    """site.yaml or vocabulary.yaml read as YAML; a missing or unreadable file is a problem."""
    shown = display_path(path)
    if not path.exists():
        return [Problem(shown, 1, 1, f"{path.name} is missing from the content folder")]
    text = read_text_file(path, shown)
    if isinstance(text, Problem):
        return [text]
    return read_yaml_file(shown, text)


def read_board(content: Path) -> Board:
    """Read site.yaml, vocabulary.yaml and every content file; problems are collected."""
    if not content.is_dir():
        raise ConfigError(f"content folder not found: {display_path(content)}")
    problems: list[Problem] = []
    documents: list[Document | None] = []
    for name in CONFIG_FILES:
        doc = read_config(content / name)
        if isinstance(doc, list):
            problems.extend(doc)
            documents.append(None)
        else:
            documents.append(doc)
    site, vocabulary = documents
    board = Board(content, site, vocabulary, (), ())
    sources, source_problems = find_sources(content, board.languages)
    return Board(content, site, vocabulary, tuple(sources), (*problems, *source_problems))


def check(board: Board, added: Sequence[SourceFile] = ()) -> tuple[Site | None, list[Problem]]:
    """Validate the board, with `added` files as if they were on disk. Pure."""
    problems = list(board.problems)
    if board.site is None or board.vocabulary is None:
        return None, sorted(set(problems))
    site, found = validate(Inputs(board.site, board.vocabulary, (*board.sources, *added)))
    problems.extend(found)
    if problems:
        return None, sorted(set(problems))
    return site, []


@dataclass(frozen=True)
class Scope:
    """The files a change answers for; `everything` when it touches the board settings."""

    paths: frozenset[str]
    everything: bool = False


def _kind_and_slug(board: Board, path: Path) -> tuple[str, str] | None:
    """('mission', slug) for content/missions/slug[.lang].md, and so on; None for config."""
    resolved = path.resolve()
    content = board.content.resolve()
    if resolved.parent == content and resolved.name in CONFIG_FILES:
        return None
    for kind, folder in (("mission", "missions"), ("association", "associations")):
        if resolved.parent == content / folder and path.name.endswith(".md"):
            return kind, path.name.split(".", 1)[0]
    raise ConfigError(
        f"{display_path(path)} is not a file of the board {display_path(board.content)} "
        "(give missions/*.md, associations/*.md, site.yaml or vocabulary.yaml)"
    )


def scope(board: Board, files: Iterable[Path]) -> Scope:
    """The files whose problems a change to `files` is answerable for.

    A file answers for itself and its other language versions (a translation without its
    default file is a problem of the translation); an association also answers for the
    missions that name it (removing it, or its default way to apply, breaks them).
    """
    paths: set[str] = set()
    changed: set[tuple[str, str]] = set()
    for path in files:
        named = _kind_and_slug(board, path)
        if named is None:
            return Scope(frozenset(), everything=True)
        paths.add(display_path(path))
        changed.add(named)
    associations = {slug for kind, slug in changed if kind == "association"}
    for source in board.sources:
        if (source.kind, source.slug) in changed:
            paths.add(source.path)
    if associations:
        referring = {
            source.slug for source in board.sources
            if source.kind == "mission" and _association_of(source) in associations
        }
        paths.update(
            s.path for s in board.sources if s.kind == "mission" and s.slug in referring
        )
    return Scope(frozenset(paths))


def _association_of(source: SourceFile) -> object:
    assert source.text is not None  # read_board reads every file
    doc = read_document(source.path, source.text)
    return doc.data.get("association") if isinstance(doc, Document) else None


def _is_content_file(board: Board, shown: str) -> bool:
    parent = str(Path(shown).parent)
    return parent in (
        display_path(board.content / "missions"), display_path(board.content / "associations")
    )


def in_scope(board: Board, problems: Sequence[Problem], within: Scope) -> list[Problem]:
    """The problems `within` answers for, plus board-level ones (settings, folders)."""
    return [
        p for p in problems
        if within.everything or p.path in within.paths or not _is_content_file(board, p.path)
    ]


@dataclass(frozen=True)
class FileCheck:
    problems: tuple[Problem, ...]  # those of the given files and the board-level ones
    elsewhere: int  # problems of other files, not shown
    removed: tuple[str, ...]  # given files that do not exist (checked as deleted)


def check_files(board: Board, files: Sequence[Path]) -> FileCheck:
    """Check the whole board, keeping the problems the given files answer for."""
    within = scope(board, files)
    _, problems = check(board)
    shown = in_scope(board, problems, within)
    removed = tuple(display_path(f) for f in files if not f.exists())
    return FileCheck(tuple(shown), len(problems) - len(shown), removed)


def default_language(content: Path) -> str:
    """The board's default language (languages[0] of site.yaml), or 'en' when unreadable."""
    path = content / "site.yaml"
    if not path.is_file():
        return "en"
    text = read_text_file(path, display_path(path))
    if isinstance(text, Problem):
        return "en"
    doc = read_yaml_file(display_path(path), text)
    if isinstance(doc, list):
        return "en"
    languages = doc.data.get("languages")
    if isinstance(languages, list) and languages and isinstance(languages[0], str):
        return languages[0]
    return "en"


def load_config(board: Board) -> tuple[SiteConfig, Vocabulary]:
    """The board's settings and vocabulary; ContentError when they have problems."""
    if board.site is None or board.vocabulary is None:
        raise ContentError([p for p in board.problems if Path(p.path).name in CONFIG_FILES])
    config, vocabulary, problems = validate_config(board.site, board.vocabulary)
    if problems or config is None or vocabulary is None:
        raise ContentError(problems)
    return config, vocabulary
