"""New content files (`missions new`) and new boards (`missions init`).

From answers (command-line flags, prompts, or an issue form) to a file that passes
`missions check`: answers are read leniently (a category by key, label or number; `2,5`
hours; `31/03/2027`), written as YAML that cannot be misread (every text double-quoted,
so `no` stays text and `: ` or quotes break nothing), then validated against the whole
board before anything is written. Files are created, never overwritten.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from generator.board import Board, Scope, check, in_scope, load_config
from generator.content import MAX_FILE_BYTES, SLUG_MAX, SLUG_RE, SourceFile, display_path
from generator.errors import ConfigError, ContentError, ExistsError, Problem
from generator.frontmatter import Document, read_document, read_yaml_file
from generator.model import PERIODS, REMOTE_MODES, SiteConfig, Term, Vocabulary
from generator.schema import schema_files
from generator.validate import ASSOCIATION_KEYS, MISSION_KEYS, url_problem, validate_config

Kind = Literal["mission", "association"]
FOLDERS: dict[Kind, str] = {"mission": "missions", "association": "associations"}


# --- YAML that reads back exactly ---------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Every text double-quoted (escapes for anything unusual), plain field names."""

    flow_leaves = True
    depth = 0

    def ignore_aliases(self, data: Any) -> bool:
        return True  # our reader refuses anchors and aliases: write values out in full


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _represent_str(dumper: _Dumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')


def _leaf(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode)


def _represent_dict(dumper: _Dumper, value: Mapping[str, Any]) -> yaml.Node:
    depth = dumper.depth
    dumper.depth += 1
    try:
        node = dumper.represent_mapping("tag:yaml.org,2002:map", list(value.items()))
    finally:
        dumper.depth = depth
    for key, _ in node.value:
        if _PLAIN_KEY.match(key.value) and key.value not in ("true", "false", "null"):
            key.style = None
    # The top level is always one field per line; small groups inside fit on one line.
    node.flow_style = dumper.flow_leaves and depth > 0 and all(_leaf(v) for _, v in node.value)
    return node


def _represent_list(dumper: _Dumper, value: Sequence[Any]) -> yaml.Node:
    node = dumper.represent_sequence("tag:yaml.org,2002:seq", list(value))
    node.flow_style = dumper.flow_leaves and all(_leaf(item) for item in node.value)
    return node


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


class _BlockDumper(_Dumper):
    flow_leaves = False


def dump_yaml(data: Mapping[str, Any], *, flow_leaves: bool = True) -> str:
    """YAML for `data`: texts double-quoted, short lists and groups on one line."""
    dumper = _Dumper if flow_leaves else _BlockDumper
    return str(yaml.dump(
        dict(data), Dumper=dumper, allow_unicode=True, sort_keys=False, width=1_000_000
    ))


def content_file(front_matter: Mapping[str, Any], body: str) -> str:
    """A content file: front matter between '---' lines, then the Markdown body."""
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return f"---\n{dump_yaml(front_matter)}---\n{body}\n"


# --- Reading answers ----------------------------------------------------------------------


def fold(text: str) -> str:
    """Text compared loosely: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def slugify(text: str) -> str:
    """A file name from a title: `Aide aux devoirs (Lyon)` -> `aide-aux-devoirs-lyon`."""
    folded = fold(text).replace("œ", "oe").replace("æ", "ae")
    words = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(words) > SLUG_MAX:
        words = words[:SLUG_MAX].rsplit("-", 1)[0]
    return words or "mission"


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`…: the first that no file uses yet."""
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


@dataclass(frozen=True)
class Choice:
    """A value people may pick by its key, its number in a list, or one of its labels."""

    key: str
    labels: tuple[str, ...]


def term_choices(terms: Sequence[Term]) -> tuple[Choice, ...]:
    return tuple(Choice(t.key, tuple(label for _, label in t.labels)) for t in terms)


def pick(text: str, choices: Sequence[Choice]) -> str:
    """The key `text` names (by key, number or label); the text itself when none does."""
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1].key
    wanted = fold(text)
    for choice in choices:
        if wanted in (fold(choice.key), *(fold(label) for label in choice.labels)):
            return choice.key
    return text


def pick_many(text: str, choices: Sequence[Choice]) -> list[str]:
    """Keys from a comma-separated answer. Labels may contain commas themselves
    ("Bâtiment, industrie, logistique"), so the longest run of items that is a known
    label wins; an item nothing matches is kept as written, for validation to explain."""
    names = {fold(name): choice.key for choice in choices
             for name in (choice.key, *choice.labels)}
    items = [item.strip() for item in re.split(r"[,;]", text) if item.strip()]
    keys: list[str] = []
    start = 0
    while start < len(items):
        for end in range(len(items), start, -1):
            key = names.get(fold(", ".join(items[start:end])))
            if key is not None:
                keys.append(key)
                start = end
                break
        else:
            keys.append(pick(items[start], choices))
            start += 1
    return list(dict.fromkeys(keys))


_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:h|heures?|hours?)?\s*$", re.IGNORECASE)
_FRENCH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+$")


def number(text: str) -> float | int | str:
    """`2`, `2,5`, `2.5 h` as a number; anything else as given (validation explains)."""
    match = _NUMBER.match(text)
    if not match:
        return text.strip()
    value = float(match[1].replace(",", "."))
    return int(value) if value.is_integer() else value


def whole_number(text: str) -> int | str:
    return int(text) if text.strip().isdigit() else text.strip()


def date(text: str) -> dt.date | str:
    """`2027-03-31` or `31/03/2027` as a date; anything else as given."""
    text = text.strip()
    match = _FRENCH_DATE.match(text)
    try:
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        return dt.date.fromisoformat(text)
    except ValueError:
        return text


def apply_route(text: str, form_hosts: Sequence[str]) -> dict[str, str]:
    """An email address, a form endpoint on an allowed host, or an application page."""
    text = text.strip()
    if _EMAIL_LIKE.match(text) and "/" not in text:
        return {"email": text.removeprefix("mailto:")}
    try:
        host = (urlsplit(text).hostname or "").lower()
    except ValueError:
        host = ""
    return {"form" if host in form_hosts else "url": text}


@dataclass(frozen=True)
class BoardChoices:
    """What answers are matched against: the vocabulary, the associations, the settings."""

    config: SiteConfig
    vocabulary: Vocabulary
    associations: tuple[Choice, ...]  # slug + name
    missions: frozenset[str]  # slugs taken
    association_slugs: frozenset[str]


def board_choices(board: Board) -> BoardChoices:
    """The choices of a board whose settings are valid (other files may have problems)."""
    config, vocabulary = load_config(board)
    associations = []
    for source in board.sources:
        if source.kind == "association" and source.lang is None:
            assert source.text is not None  # read_board reads every file
            doc = read_document(source.path, source.text)
            name = doc.data.get("name") if isinstance(doc, Document) else None
            associations.append(Choice(source.slug, (name,) if isinstance(name, str) else ()))
    return BoardChoices(
        config, vocabulary, tuple(associations),
        frozenset(s.slug for s in board.sources if s.kind == "mission"),
        frozenset(s.slug for s in board.sources if s.kind == "association"),
    )


REMOTE_CHOICES = (
    Choice("full", ("Entièrement à distance", "Fully remote", "à distance", "remote")),
    Choice("possible", ("En partie à distance", "Partly remote", "hybride", "hybrid")),
    Choice("no", ("Sur place", "On site", "présentiel", "non")),
)
PER_CHOICES = (
    Choice("week", ("par semaine", "per week", "semaine")),
    Choice("month", ("par mois", "per month", "mois")),
    Choice("mission", ("au total (mission ponctuelle)", "in total (one-off mission)",
                       "au total", "in total", "ponctuelle")),
)
assert {c.key for c in REMOTE_CHOICES} == set(REMOTE_MODES)
assert tuple(c.key for c in PER_CHOICES) == PERIODS


def _given(answers: Mapping[str, str], key: str) -> str | None:
    value = answers.get(key)
    return value.strip() if value is not None and value.strip() else None


def _location(answers: Mapping[str, str]) -> dict[str, str] | None:
    location = {
        key: value for key in ("city", "postal_code", "region")
        if (value := _given(answers, key)) is not None
    }
    return location or None


def mission_front_matter(
    answers: Mapping[str, str], choices: BoardChoices, today: dt.date
) -> dict[str, Any]:
    """Front matter of a new mission, fields in the documented order. Values that cannot be
    read (hours: "beaucoup") are kept as given: validation then says what to write."""
    vocabulary = choices.vocabulary
    data: dict[str, Any] = {}
    for key in ("title", "association", "summary"):
        if (value := _given(answers, key)) is not None:
            data[key] = pick(value, choices.associations) if key == "association" else value
    for key, terms in (("categories", vocabulary.categories), ("skills", vocabulary.skills)):
        if (value := _given(answers, key)) is not None:
            data[key] = pick_many(value, term_choices(terms))
    if (value := _given(answers, "remote")) is not None:
        data["remote"] = pick(value, REMOTE_CHOICES)
    if (location := _location(answers)) is not None and data.get("remote") != "full":
        data["location"] = location
    hours, per = _given(answers, "hours"), _given(answers, "per")
    if hours is not None or per is not None:
        data["commitment"] = {
            **({"hours": number(hours)} if hours is not None else {}),
            **({"per": pick(per, PER_CHOICES)} if per is not None else {}),
        }
    if (value := _given(answers, "languages")) is not None:
        data["languages"] = [part.strip().lower() for part in re.split(r"[,;\s]+", value)
                             if part.strip()]
    posted = _given(answers, "posted")
    data["posted"] = date(posted) if posted is not None else today
    if (value := _given(answers, "deadline")) is not None:
        data["deadline"] = date(value)
    if (value := _given(answers, "places")) is not None:
        data["places"] = whole_number(value)
    if (value := _given(answers, "apply")) is not None:
        data["apply"] = apply_route(value, choices.config.form_hosts)
    assert set(data) <= set(MISSION_KEYS)
    return data


def association_front_matter(
    answers: Mapping[str, str], choices: BoardChoices
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("name", "summary", "website", "email"):
        if (value := _given(answers, key)) is not None:
            data[key] = value
    if (value := _given(answers, "apply")) is not None:
        data["apply"] = apply_route(value, choices.config.form_hosts)
    if (location := _location(answers)) is not None:
        data["location"] = location
    if (value := _given(answers, "rna")) is not None:
        data["rna"] = value.upper().replace(" ", "")
    assert set(data) <= set(ASSOCIATION_KEYS)
    return data


BODIES: dict[Kind, dict[str, str]] = {
    "mission": {
        "fr": "## La mission\n\nDécrivez ce que fera la personne bénévole, avec qui, et "
              "comment.\n\n## Profil recherché\n\n- …\n\n## Ce que nous offrons\n\n- …\n",
        "en": "## The mission\n\nDescribe what the volunteer will do, with whom, and "
              "how.\n\n## Who we are looking for\n\n- …\n\n## What we offer\n\n- …\n",
    },
    "association": {
        "fr": "Présentez votre association : ce qu'elle fait, pour qui, et où.\n",
        "en": "Introduce your association: what it does, for whom, and where.\n",
    },
}


# --- Questions asked when flags are missing -------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (key, label) shown as a numbered list


_TEXTS: dict[str, dict[str, str]] = {
    "title": {"fr": "Titre de la mission (3 à 120 caractères)",
              "en": "Title of the mission (3 to 120 characters)"},
    "association": {"fr": "Association (numéro ou identifiant)",
                    "en": "Association (number or slug)"},
    "summary": {"fr": "Résumé en une phrase (10 à 200 caractères)",
                "en": "Summary in one sentence (10 to 200 characters)"},
    "categories": {"fr": "Catégories : 1 à 3 numéros ou clés, séparés par des virgules",
                   "en": "Categories: 1 to 3 numbers or keys, separated by commas"},
    "skills": {"fr": "Compétences : numéros ou clés, séparés par des virgules (facultatif)",
               "en": "Skills: numbers or keys, separated by commas (optional)"},
    "remote": {"fr": "À distance ?", "en": "Remote?"},
    "city": {"fr": "Ville (vide si entièrement à distance)",
             "en": "City (empty when fully remote)"},
    "postal_code": {"fr": "Code postal (facultatif)", "en": "Postal code (optional)"},
    "hours": {"fr": "Nombre d'heures", "en": "Number of hours"},
    "per": {"fr": "Ces heures sont", "en": "These hours are"},
    "deadline": {"fr": "Date limite AAAA-MM-JJ (facultatif)",
                 "en": "Deadline YYYY-MM-DD (optional)"},
    "apply_mission": {"fr": "Pour candidater : e-mail ou lien https (vide : comme "
                            "l'association)",
                      "en": "To apply: email or https link (empty: as the association)"},
    "name": {"fr": "Nom de l'association", "en": "Name of the association"},
    "summary_association": {"fr": "Présentation en une phrase (10 à 200 caractères)",
                            "en": "One-sentence presentation (10 to 200 characters)"},
    "website": {"fr": "Site web https (facultatif)", "en": "Website, https (optional)"},
    "email": {"fr": "E-mail de contact (facultatif)", "en": "Contact email (optional)"},
    "apply_association": {"fr": "Pour candidater aux missions : e-mail ou lien https "
                                "(facultatif)",
                          "en": "To apply to its missions: email or https link (optional)"},
    "city_association": {"fr": "Ville (facultatif)", "en": "City (optional)"},
}


def _text(key: str, lang: str) -> str:
    return _TEXTS[key].get(lang, _TEXTS[key]["en"])


def _label_in(choice: Choice, lang: str) -> str:
    # REMOTE_CHOICES and PER_CHOICES list the French label first, then the English one.
    if not choice.labels:
        return choice.key
    return choice.labels[1] if lang == "en" and len(choice.labels) > 1 else choice.labels[0]


def mission_questions(choices: BoardChoices, lang: str) -> tuple[Question, ...]:
    vocabulary = choices.vocabulary
    return (
        Question("title", _text("title", lang)),
        Question("association", _text("association", lang), choices=tuple(
            (c.key, c.labels[0] if c.labels else c.key) for c in choices.associations)),
        Question("summary", _text("summary", lang)),
        Question("categories", _text("categories", lang),
                 choices=tuple((t.key, t.label(lang)) for t in vocabulary.categories)),
        Question("skills", _text("skills", lang), required=False,
                 choices=tuple((t.key, t.label(lang)) for t in vocabulary.skills)),
        Question("remote", _text("remote", lang),
                 choices=tuple((c.key, _label_in(c, lang)) for c in REMOTE_CHOICES)),
        Question("city", _text("city", lang), required=False),
        Question("postal_code", _text("postal_code", lang), required=False),
        Question("hours", _text("hours", lang)),
        Question("per", _text("per", lang),
                 choices=tuple((c.key, _label_in(c, lang)) for c in PER_CHOICES)),
        Question("deadline", _text("deadline", lang), required=False),
        Question("apply", _text("apply_mission", lang), required=False),
    )


def association_questions(lang: str) -> tuple[Question, ...]:
    return (
        Question("name", _text("name", lang)),
        Question("summary", _text("summary_association", lang)),
        Question("website", _text("website", lang), required=False),
        Question("email", _text("email", lang), required=False),
        Question("apply", _text("apply_association", lang), required=False),
        Question("city", _text("city_association", lang), required=False),
    )


# --- New files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewFile:
    """A content file about to be created, and the problems it would have on the board."""

    path: Path
    text: str
    problems: tuple[Problem, ...] = field(default=())


def _validated(board: Board, kind: Kind, slug: str, text: str) -> NewFile:
    if not SLUG_RE.match(slug) or len(slug) > SLUG_MAX:
        raise ConfigError(
            f"'{slug}' cannot be a file name: use lowercase letters a-z, digits and single "
            f"hyphens, at most {SLUG_MAX} characters"
        )
    path = board.content / FOLDERS[kind] / f"{slug}.md"
    shown = display_path(path)
    if path.exists() or shown in {s.path for s in board.sources}:
        raise ExistsError(f"{shown} already exists: nothing was written (choose another slug)")
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:  # what content.read_text_file would refuse on disk
        return NewFile(path, text, (Problem(
            shown, 1, 1,
            f"the file is {size // 1024} KB; the limit is {MAX_FILE_BYTES // 1024} KB "
            "(shorten the text, or link to a longer document)",
        ),))
    source = SourceFile(kind, shown, slug, None, text)
    _, problems = check(board, [source])
    return NewFile(path, text, tuple(in_scope(board, problems, Scope(frozenset({shown})))))


def _body(kind: Kind, config: SiteConfig) -> str:
    """A text to replace, in the language of the file: the board's default language."""
    return BODIES[kind].get(config.default_language, BODIES[kind]["en"])


def new_mission(
    board: Board, answers: Mapping[str, str], today: dt.date, *, slug: str | None = None,
    body: str | None = None,
) -> NewFile:
    """A mission file from answers, validated against the board (nothing is written)."""
    choices = board_choices(board)
    data = mission_front_matter(answers, choices, today)
    chosen = slug or unique_slug(slugify(str(data.get("title", "mission"))),
                                 set(choices.missions))
    return _validated(board, "mission", chosen,
                      content_file(data, body or _body("mission", choices.config)))


def new_association(
    board: Board, answers: Mapping[str, str], *, slug: str | None = None,
    body: str | None = None,
) -> NewFile:
    """An association file from answers, validated against the board."""
    choices = board_choices(board)
    data = association_front_matter(answers, choices)
    chosen = slug or unique_slug(slugify(str(data.get("name", "association"))),
                                 set(choices.association_slugs))
    return _validated(board, "association", chosen,
                      content_file(data, body or _body("association", choices.config)))


def create(new: NewFile) -> None:
    """Write a new file; refuses to replace one that appeared meanwhile."""
    if new.problems:
        raise ContentError(new.problems)
    new.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with new.path.open("x", encoding="utf-8", newline="\n") as stream:
            stream.write(new.text)
    except FileExistsError:
        raise ExistsError(
            f"{display_path(new.path)} already exists: nothing was written"
        ) from None


# --- A new board ----------------------------------------------------------------------------

SKELETON = "skeleton"
# Pinned actions: full commit SHAs of the releases named in the comments.
ACTIONS = {
    "checkout": "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
    "setup_python": "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0",
    "configure_pages":
        "actions/configure-pages@983d7736d9b0ae728b81ab479565c72886d7745b # v5.0.0",
    "upload_pages_artifact":
        "actions/upload-pages-artifact@56afc609e74202658d3ffba0e8f6dda462b719fa # v3.0.1",
    "deploy_pages": "actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e # v4.0.5",
}
GENERATOR_REPOSITORY = "https://github.com/example/missions"
PYTHON_VERSION = "3.12"


@dataclass(frozen=True)
class InitOptions:
    title: str = "Missions bénévoles"
    description: str = "Des missions de bénévolat proposées par les associations du réseau."
    repository: str | None = None  # https://github.com/org/board
    base_url: str | None = None  # default: the GitHub Pages address of `repository`
    generator: str | None = None  # a pip requirement; default: this version from git
    maintainers: tuple[str, ...] = ()  # @name or @org/team; default: the repository owner


def _github_owner_and_name(repository: str | None) -> tuple[str, str] | None:
    if not repository:
        return None
    parts = urlsplit(repository)
    segments = [s for s in parts.path.split("/") if s]
    if parts.hostname != "github.com" or len(segments) != 2:
        return None
    return segments[0], segments[1].removesuffix(".git")


def pages_url(repository: str | None) -> str:
    """Where GitHub Pages serves a project repository, without a custom domain."""
    named = _github_owner_and_name(repository)
    if named is None:
        return "https://example.github.io/missions/"
    owner, name = named
    if name.lower() == f"{owner.lower()}.github.io":
        return f"https://{name.lower()}/"
    return f"https://{owner.lower()}.github.io/{name}/"


def generator_requirement(version: str) -> str:
    return f"missions-generator @ git+{GENERATOR_REPOSITORY}@v{version}"


def _skeleton_files() -> dict[str, str]:
    root = resources.files("generator").joinpath(SKELETON)
    files: dict[str, str] = {}

    def walk(node: Any, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, name + "/")
            elif child.name != "__init__.py":
                files[name] = child.read_text(encoding="utf-8")

    walk(root, "")
    return files


def _dotted_name(name: str) -> str:
    """Package data cannot hold hidden files reliably: `github/` stands for `.github/`."""
    first, _, rest = name.partition("/")
    if first in ("github", "gitignore"):
        first = "." + first
    return f"{first}/{rest}" if rest else first


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill `@@name@@` markers; every marker must be known."""
    def fill(match: re.Match[str]) -> str:
        if match[1] not in values:
            raise AssertionError(f"unknown marker {match[0]}")
        return values[match[1]]

    return re.sub(r"@@([a-z_]+)@@", fill, text)


def github_files(
    vocabulary: Vocabulary, config: SiteConfig, *, install: str, maintainers: Sequence[str]
) -> dict[str, str]:
    """The .github/ folder of a board (path -> text). `install` is the shell command that
    installs the generator (this repository, whose example board is content/, installs
    itself with `pip install .`)."""
    from generator.issueform import issue_form_yaml  # issueform builds on this module

    values = {
        **{f"action_{key}": value for key, value in ACTIONS.items()},
        "install": install,
        "python_version": PYTHON_VERSION,
    }
    owners = " ".join(maintainers)
    files = {}
    for name, text in _skeleton_files().items():
        if not name.startswith("github/"):
            continue
        if name == "github/CODEOWNERS":
            text = _codeowners(text, owners)
        files[_dotted_name(name)] = render(text, values)
    files[".github/ISSUE_TEMPLATE/mission.yml"] = issue_form_yaml(vocabulary, config)
    return files


def _codeowners(template: str, owners: str) -> str:
    if owners:
        return template.replace("# *  @@owners@@", f"*  {owners}").replace(
            "# /.github/  @@owners@@", f"/.github/  {owners}"
        )
    return template.replace("@@owners@@", "@your-github-name")


def board_files(options: InitOptions, version: str, today: dt.date) -> dict[str, str]:
    """Every file of a new board (path relative to the board -> text). Pure."""
    named = _github_owner_and_name(options.repository)
    maintainers = options.maintainers or ((f"@{named[0]}",) if named else ())
    base_url = options.base_url or pages_url(options.repository)
    site: dict[str, Any] = {
        "title": options.title,
        "description": options.description,
        "base_url": base_url,
        "languages": ["fr", "en"],
        "country": "FR",
        "per_page": 12,
        "form_hosts": ["formspree.io", "usebasin.com", "getform.io"],
    }
    if options.repository:
        site["repository"] = options.repository
    skeleton = _skeleton_files()
    files: dict[str, str] = {
        "content/site.yaml": skeleton["site-header.yaml"] + dump_yaml(site),
        "content/vocabulary.yaml": skeleton["content/vocabulary.yaml"],
        "content/associations/mon-association.md": content_file(
            {"name": "Mon association",
             "summary": "Une phrase qui dit ce que fait l'association.",
             "website": "https://example.org",
             "apply": {"email": "benevoles@example.org"},
             "location": {"city": "Lyon", "postal_code": "69001"}},
            BODIES["association"]["fr"],
        ),
        "content/missions/premiere-mission.md": content_file(
            {"title": "Notre première mission bénévole",
             "association": "mon-association",
             "summary": "Une phrase qui donne envie : ce que fera la personne bénévole.",
             "categories": ["solidarite-insertion"],
             "skills": ["redaction"],
             "remote": "full",
             "commitment": {"hours": 2, "per": "week"},
             "languages": ["fr"],
             "posted": today,
             "deadline": today + dt.timedelta(days=90)},
            BODIES["mission"]["fr"],
        ),
        "requirements.txt": render(
            skeleton["requirements.txt"],
            {"generator": options.generator or generator_requirement(version)},
        ),
        "README.md": render(skeleton["README.md"], {
            "title": options.title, "base_url": base_url,
            "generator_docs": f"{GENERATOR_REPOSITORY}/blob/main/docs/maintainers.md",
        }),
        "CONTRIBUTING.md": skeleton["CONTRIBUTING.md"],
        ".gitignore": skeleton["gitignore"],
    }
    config, vocabulary = _config_from(files["content/site.yaml"],
                                      files["content/vocabulary.yaml"])
    files.update(github_files(vocabulary, config,
                              install="python -m pip install -r requirements.txt",
                              maintainers=maintainers))
    files.update({f"schema/{name}": text
                  for name, text in schema_files(config, vocabulary).items()})
    return files


def _config_from(site_text: str, vocabulary_text: str) -> tuple[SiteConfig, Vocabulary]:
    site = read_yaml_file("content/site.yaml", site_text)
    vocabulary = read_yaml_file("content/vocabulary.yaml", vocabulary_text)
    if isinstance(site, list) or isinstance(vocabulary, list):
        raise ContentError([*(site if isinstance(site, list) else []),
                            *(vocabulary if isinstance(vocabulary, list) else [])])
    config, vocab, problems = validate_config(site, vocabulary)
    if problems or config is None or vocab is None:
        raise ContentError(problems)
    return config, vocab


def init_board(target: Path, files: Mapping[str, str]) -> None:
    """Create the board in `target`, which must not exist or be empty."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExistsError(f"{display_path(target)} exists and is not empty: nothing was written")
    for name, text in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)


def check_options(options: InitOptions) -> None:
    """Refuse options that would make a board that does not pass `missions check`."""
    for name, value in (("--repository", options.repository), ("--base-url", options.base_url)):
        if value is not None and (problem := url_problem(value)):
            raise ConfigError(f"{name}: {problem}")
    for owner in options.maintainers:
        if not re.fullmatch(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*)(?:/[A-Za-z0-9_.-]+)?", owner):
            raise ConfigError(f"--maintainer: '{owner}' is not a GitHub @name or @org/team")
