"""Documents in, an immutable Site plus every problem out. Pure: no I/O here.

Each problem names the field, says what is wrong and how to fix it, and is located
at the line of the field (or of the file's first line when a field is missing).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from generator.content import SLUG_RE, SourceFile
from generator.errors import Problem
from generator.frontmatter import Document, Path, dotted, read_document
from generator.model import (
    PERIODS,
    REMOTE_MODES,
    ROUTE_KINDS,
    ApplyRoute,
    Association,
    Commitment,
    Location,
    Mission,
    Per,
    RemoteMode,
    Site,
    SiteConfig,
    Term,
    Vocabulary,
)

_T = TypeVar("_T")

SITE_KEYS = (
    "title", "description", "base_url", "languages", "country", "per_page", "form_hosts",
    "repository",
)
ASSOCIATION_KEYS = (
    "name", "summary", "website", "email", "logo", "logo_alt", "apply", "location", "rna",
    "social",
)
MISSION_KEYS = (
    "title", "association", "summary", "categories", "skills", "remote", "location",
    "commitment", "languages", "posted", "deadline", "start", "end", "places", "apply",
    "image", "image_alt", "open_to_minors", "accessible", "draft", "extra",
)
LOCATION_KEYS = ("city", "postal_code", "region", "country")
COMMITMENT_KEYS = ("hours", "per")

CATEGORY_KEYS = (
    "animaux", "autre", "batiment-industrie-logistique", "benevolat-competences",
    "communication", "culture-loisirs", "education", "emploi", "environnement",
    "gestion-finance-droit", "humanitaire", "memoire-et-citoyennete", "numerique",
    "prevention-protection", "recherche", "sante", "service-public-defense-securite", "sport",
    "solidarite-insertion", "vivre-ensemble",
)

_LANG_RE = re.compile(r"^[a-z]{2}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_RNA_RE = re.compile(r"^W\d{9}$")
_KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HOST_RE = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$|^localhost$|^127\.0\.0\.1$"
)
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9_+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_LOOPBACK = ("127.0.0.1", "localhost")
_APPLY_EXAMPLE = "{email: contact@association.org}"
# Words YAML 1.1 (and many tutorials) treat as booleans; in YAML 1.2 they are text.
_YAML11_BOOLEANS = ("yes", "no", "on", "off", "y", "n")
# Characters that are invisible or reorder text: in a name or title they can make
# two different things look the same, or hide what a link says.
_INVISIBLE = set(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u00ad"
)


def visible(value: str) -> str:
    """A key quoted in a message, with the characters beyond Latin-1 written \\uXXXX, so
    that a Cyrillic e (U+0435) or a zero-width space in a name is seen, not hidden."""
    return "".join(ch if " " <= ch <= "\xff" else f"\\u{ord(ch):04x}" for ch in value)


def closest(value: str, choices: Sequence[str]) -> str | None:
    """The choice that `value` most likely misspells, if any."""
    same_case = [choice for choice in choices if choice.lower() == value.lower()]
    if same_case:
        return same_case[0]
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(value: str, choices: Sequence[str]) -> str:
    close = closest(value, choices)
    return f" (did you mean '{close}'?)" if close else ""


_PLURALS = {"category": "categories"}


def _plural(noun: str, count: int = 2) -> str:
    return noun if count == 1 else _PLURALS.get(noun, noun + "s")


class Fields:
    """Typed access to one document's fields; every problem is collected, none raised."""

    def __init__(self, doc: Document, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems

    def fail(self, key_path: Path, message: str) -> None:
        if self.doc.owns(key_path):
            self.problems.append(self.doc.problem(key_path, f"{dotted(key_path)}: {message}"))

    def get(self, key_path: Path) -> Any:
        value: Any = self.doc.data
        for part in key_path:
            if isinstance(value, Mapping) and isinstance(part, str):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                return None
        return value

    def present(self, key_path: Path) -> bool:
        parent: Any = self.get(key_path[:-1]) if key_path[:-1] else self.doc.data
        return isinstance(parent, Mapping) and parent.get(key_path[-1]) is not None

    def only_keys(self, key_path: Path, known: Sequence[str]) -> None:
        mapping = self.get(key_path) if key_path else self.doc.data
        if not isinstance(mapping, Mapping):
            return
        for key in mapping:
            if key not in known:
                close = closest(key, known)
                self.fail(
                    (*key_path, key),
                    f"unknown field (did you mean '{close}'?)" if close
                    else f"unknown field (known fields: {', '.join(known)})",
                )

    def _missing(self, key_path: Path, example: str) -> None:
        name = key_path[-1]
        parent = self.get(key_path[:-1]) if key_path[:-1] else self.doc.data
        if isinstance(parent, Mapping) and name in parent:  # `name:` with nothing after it
            self.fail(key_path, f"no value given (write it after '{name}:', such as {name}: "
                      f"{example})")
        elif key_path[:-1]:
            self.fail(key_path, f"required field is missing (add '{name}: {example}')")
        elif self.doc.owns(key_path):
            self.problems.append(
                Problem(
                    self.doc.path, 1, 1,
                    f"{name}: required field is missing (add a line '{name}: {example}')",
                )
            )

    def _type_error(
        self, key_path: Path, expected: str, value: Any, example: str | None = None
    ) -> None:
        source = self.doc.scalars.get(key_path)
        name = key_path[-1]
        if expected == "text" and source is not None and not isinstance(value, str):
            if isinstance(value, bool):
                found = f"{source}, which YAML reads as true/false"
            elif isinstance(value, dt.date):
                found = f"the date {source}"
            else:
                found = f"the number {source}"
            quoted = f'{name}: "{source}"' if isinstance(name, str) else f'- "{source}"'
            self.fail(key_path, f"expected text but found {found} (put it in quotes: {quoted})")
            return
        found = {
            bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "a group of fields", dt.date: "a date",
        }.get(type(value), type(value).__name__)
        if example is None:
            example = '"..."' if expected == "text" else "..."
        self.fail(
            key_path, f"expected {expected} but found {found} (write it as {name}: {example})"
        )

    def text(
        self,
        key_path: Path,
        *,
        required: bool = False,
        min_len: int = 1,
        max_len: int = 200,
        example: str = '"..."',
    ) -> str | None:
        value = self.get(key_path)
        if value is None:
            if required:
                self._missing(key_path, example)
            return None
        if not isinstance(value, str):
            self._type_error(key_path, "text", value, example)
            return None
        value = value.strip()
        bad = next((ch for ch in value if ch in _INVISIBLE), None)
        if bad is not None:
            self.fail(
                key_path,
                f"contains the invisible character U+{ord(bad):04X} "
                f"({unicodedata.name(bad, 'control')}) (retype the text without it)",
            )
            return None
        control = next((ch for ch in value if unicodedata.category(ch) == "Cc"), None)
        if control is not None:
            self.fail(
                key_path,
                f"contains the control character U+{ord(control):04X} (remove it)",
            )
            return None
        if len(value) < min_len:
            self.fail(
                key_path,
                f"too short: {len(value)} character{'' if len(value) == 1 else 's'} "
                f"(write at least {min_len})",
            )
            return None
        if len(value) > max_len:
            self.fail(key_path, f"too long: {len(value)} characters (shorten it to {max_len} "
                      "at most)")
            return None
        return value

    def boolean(self, key_path: Path) -> bool | None:
        value = self.get(key_path)
        if value is None:
            return None
        if not isinstance(value, bool):
            source = self.doc.scalars.get(key_path)
            if isinstance(source, str) and source.lower() in _YAML11_BOOLEANS:
                hint = f"YAML 1.2 reads {source} as text: write true or false"
            else:
                hint = "write true or false"
            self.fail(
                key_path, f"expected true or false, found {self._shown(key_path, value)} ({hint})"
            )
            return None
        return value

    def _shown(self, key_path: Path, value: Any) -> str:
        source = self.doc.scalars.get(key_path)
        if source is not None:
            return repr(source)
        if isinstance(value, list):
            return "a list"
        if isinstance(value, Mapping):
            return "a group of fields"
        return repr(value)

    def integer(self, key_path: Path, *, minimum: int, required: bool = False) -> int | None:
        value = self.get(key_path)
        if value is None:
            if required:
                self._missing(key_path, str(minimum))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(
                key_path,
                f"expected a whole number, found {self._shown(key_path, value)} (write digits "
                f"only, such as {key_path[-1]}: {max(minimum, 2)})",
            )
            return None
        if value < minimum:
            self.fail(
                key_path,
                f"must be at least {minimum}, found {value} (write a whole number from "
                f"{minimum} up)",
            )
            return None
        return value

    def positive_number(self, key_path: Path, *, required: bool = False) -> float | None:
        value = self.get(key_path)
        example = f"{key_path[-1]}: 2"
        if value is None:
            if required:
                self._missing(key_path, "2")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(
                key_path,
                f"expected a number, found {self._shown(key_path, value)} (write digits, "
                f"such as {example})",
            )
            return None
        if not math.isfinite(value):
            self.fail(
                key_path,
                f"expected an ordinary number, found {self._shown(key_path, value)} (write "
                f"digits, such as {example})",
            )
            return None
        if value <= 0:
            self.fail(
                key_path,
                f"must be greater than 0, found {self.doc.scalars.get(key_path, value)} (write "
                f"a positive number, such as {example})",
            )
            return None
        return float(value)

    def date(self, key_path: Path, *, required: bool = False) -> dt.date | None:
        value = self.get(key_path)
        if value is None:
            if required:
                self._missing(key_path, "2026-01-31")
            return None
        if not isinstance(value, dt.date):
            self.fail(
                key_path,
                f"expected a date, found {self._shown(key_path, value)} (write it YYYY-MM-DD, "
                f"such as {key_path[-1]}: 2026-01-31)",
            )
            return None
        return value

    def choice(
        self, key_path: Path, choices: Sequence[str], *, required: bool = False
    ) -> str | None:
        value = self.text(key_path, required=required, example=choices[0])
        if value is None:
            return None
        if value not in choices:
            close = closest(value, choices)
            self.fail(
                key_path,
                f"'{value}' is not allowed (use one of: {', '.join(choices)}"
                + (f"; did you mean '{close}'?)" if close else ")"),
            )
            return None
        return sys.intern(value)  # one string for all missions (_Context.shared)

    def text_list(self, key_path: Path) -> list[tuple[Path, str]] | None:
        value = self.get(key_path)
        if value is None:
            return None
        if isinstance(value, str):
            return [(key_path, value.strip())]
        if not isinstance(value, list):
            self.fail(
                key_path,
                f"expected a list, found {self._shown(key_path, value)} (write it as "
                f"{key_path[-1]}: [a, b])",
            )
            return None
        items = []
        for index, item in enumerate(value):
            item_path = (*key_path, index)
            if not isinstance(item, str):
                self._type_error(item_path, "text", item)
                continue
            items.append((item_path, item.strip()))
        return items

    def terms(
        self,
        key_path: Path,
        known: Sequence[str],
        noun: str,
        *,
        hint: str,
        required: bool = False,
        min_items: int = 0,
        max_items: int = 100,
    ) -> tuple[str, ...]:
        items = self.text_list(key_path)
        if items is None:
            if required:
                self._missing(key_path, f"[{known[0]}]" if known else "[...]")
            return ()
        keys: list[str] = []
        for item_path, key in items:
            if key not in known:
                close = closest(key, known)
                self.fail(
                    item_path,
                    f"unknown {noun} '{visible(key)}' "
                    + (f"(did you mean '{close}'?)" if close else f"({hint})"),
                )
            elif key in keys:
                self.fail(item_path, f"'{key}' is listed twice (keep only one)")
            else:
                keys.append(sys.intern(key))  # one string for all missions (_Context.shared)
        if len(items) > max_items:
            self.fail(
                key_path,
                f"too many {_plural(noun)}: {len(items)} (keep the {max_items} that fit best)"
                if max_items > 1 else f"too many {_plural(noun)}: {len(items)} (keep one)",
            )
        elif len(items) < min_items:
            self.fail(
                key_path,
                f"give at least {min_items} {_plural(noun, min_items)} (such as "
                f"{key_path[-1]}: [{known[0] if known else '...'}])",
            )
        return tuple(keys)

    def https_url(self, key_path: Path, *, required: bool = False) -> str | None:
        value = self.text(key_path, required=required, max_len=2000, example='"https://..."')
        if value is None:
            return None
        problem = url_problem(value)
        if problem:
            self.fail(key_path, problem)
            return None
        return value

    def email(self, key_path: Path) -> str | None:
        value = self.text(key_path, max_len=254, example="contact@association.org")
        if value is None:
            return None
        if not _EMAIL_RE.match(value) or ".." in value:
            self.fail(
                key_path,
                f"'{visible(value)}' is not a valid email address (write only the address, "
                "such as contact@association.org)",
            )
            return None
        return value

    def mapping(
        self,
        key_path: Path,
        known: Sequence[str],
        *,
        example: str,
        required: bool = False,
    ) -> bool:
        value = self.get(key_path)
        if value is None:
            if required:
                self._missing(key_path, example)
            return False
        if not isinstance(value, Mapping):
            self._type_error(key_path, "a group of fields", value, example)
            return False
        self.only_keys(key_path, known)
        return True


def url_problem(value: str, *, allow_loopback_http: bool = False) -> str | None:
    """Why a URL is not an acceptable absolute https link, or None when it is fine."""
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in value):
        return "a URL cannot contain spaces or control characters (write spaces as %20)"
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        return (
            f"'{visible(value)}' is not a valid URL (copy the address from the browser's "
            "address bar)"
        )
    scheme_ok = parts.scheme == "https" or (
        allow_loopback_http and parts.scheme == "http" and host in _LOOPBACK
    )
    if not scheme_ok:
        return (
            f"'{visible(value)}' must start with https:// (other kinds of links are not "
            "allowed)"
        )
    if parts.username is not None or parts.password is not None:
        return "a URL must not contain a user name or password (remove the part before '@')"
    if not _HOST_RE.match(host):
        return (
            f"'{visible(value)}' has no valid host name (write a full address, such as "
            "https://example.org/page)"
        )
    return None


@dataclass(frozen=True)
class Inputs:
    """What validation needs: the two config documents and every content file's text."""

    site: Document
    vocabulary: Document
    sources: tuple[SourceFile, ...]


def validate_config(site: Document, vocabulary: Document) -> tuple[
    SiteConfig | None, Vocabulary | None, list[Problem]
]:
    problems: list[Problem] = []
    fields = Fields(site, problems)
    fields.only_keys((), SITE_KEYS)
    title = fields.text(("title",), required=True, max_len=80)
    description = fields.text(("description",), required=True, max_len=300)
    base_url = fields.text(("base_url",), required=True, max_len=500)
    if base_url is not None:
        # Plain http is accepted for the base URL (previews on a local network); the rest
        # of the address is checked as for any link.
        as_https = "https://" + base_url[len("http://") :] if base_url.startswith(
            "http://"
        ) else base_url
        problem = url_problem(as_https)
        if problem:
            fields.fail(("base_url",), problem)
            base_url = None
        elif not base_url.endswith("/"):
            base_url += "/"
    items = fields.text_list(("languages",))
    if items is None and not fields.present(("languages",)):
        fields._missing(("languages",), "[fr, en]")
    elif fields.get(("languages",)) == []:
        fields.fail(("languages",), "give at least one language (such as languages: [fr, en])")
    languages_given: list[str] = []
    for item_path, lang in items or []:
        if not _LANG_RE.match(lang):
            fields.fail(item_path, f"'{lang}' is not a two-letter language code (such as fr or en)")
        elif lang in languages_given:
            fields.fail(item_path, f"'{lang}' is listed twice (keep only one)")
        else:
            languages_given.append(lang)
    languages = tuple(languages_given)
    country = fields.text(("country",), required=True, example="FR")
    if country is not None and not _COUNTRY_RE.match(country):
        fields.fail(
            ("country",),
            f"'{country}' is not a two-letter country code (write it in capitals, such as FR)",
        )
    per_page = fields.integer(("per_page",), minimum=1, required=True)
    hosts: list[str] = []
    for item_path, host in fields.text_list(("form_hosts",)) or []:
        if not _HOST_RE.match(host):
            fields.fail(
                item_path,
                f"'{host}' is not a host name (write only the host, such as formspree.io)",
            )
        else:
            hosts.append(host)
    repository = fields.https_url(("repository",))

    vocab = _validate_vocabulary(vocabulary, languages, problems)
    if problems or not languages or None in (title, description, base_url, country, per_page):
        return None, vocab, problems
    config = SiteConfig(
        title=cast(str, title),
        description=cast(str, description),
        base_url=cast(str, base_url),
        languages=languages,
        country=cast(str, country),
        per_page=cast(int, per_page),
        form_hosts=tuple(hosts),
        repository=repository.rstrip("/") if repository else None,
    )
    return config, vocab, problems


def _validate_vocabulary(
    doc: Document, languages: tuple[str, ...], problems: list[Problem]
) -> Vocabulary | None:
    fields = Fields(doc, problems)
    fields.only_keys((), ("categories", "skills"))
    groups: dict[str, tuple[Term, ...]] = {}
    for group in ("categories", "skills"):
        mapping = fields.get((group,))
        if not isinstance(mapping, Mapping) or not mapping:
            fields.fail((group,), "expected keys with labels, such as 'numerique: {fr: ..., en: ...}'")
            groups[group] = ()
            continue
        terms: list[Term] = []
        for key, labels in mapping.items():
            if not _KEY_RE.match(key):
                fields.fail((group, key), "keys use lowercase letters, digits and hyphens")
                continue
            if group == "categories" and key not in CATEGORY_KEYS:
                fields.fail(
                    (group, key),
                    "categories must be domain keys of the national mission feed"
                    + did_you_mean(key, CATEGORY_KEYS),
                )
                continue
            if not isinstance(labels, Mapping):
                fields.fail((group, key), "expected labels per language, such as {fr: ..., en: ...}")
                continue
            pairs = []
            for lang in languages:
                label = fields.text((group, key, lang), required=True, max_len=80)
                if label is not None:
                    pairs.append((lang, label))
            terms.append(Term(key, tuple(pairs)))
        groups[group] = tuple(terms)
    return Vocabulary(groups["categories"], groups["skills"])


def validate(
    inputs: Inputs, reused: Mapping[str, Association | Mission] | None = None
) -> tuple[Site | None, list[Problem]]:
    """Check every file against the content contract; return the Site only when clean.

    `reused` gives, by file path, objects an earlier build made from files that did not
    change since (nor the files they were made with): they are taken as they are, and
    only the other files are parsed and checked.
    """
    reused = reused or {}
    config, vocabulary, problems = validate_config(inputs.site, inputs.vocabulary)
    if config is None or vocabulary is None:
        return None, problems
    documents: dict[tuple[str, str, str], Document] = {}
    unreadable: set[tuple[str, str, str]] = set()
    kept: dict[tuple[str, str, str], Association | Mission] = {}
    by_key: dict[tuple[str, str, str], SourceFile] = {}
    for source in inputs.sources:
        key = (source.kind, source.slug, source.lang or config.default_language)
        by_key[key] = source
        if source.path in reused:
            kept[key] = reused[source.path]
            continue
        assert source.text is not None, f"{source.path} was not read"  # the caller's duty
        read = read_document(source.path, source.text)
        if isinstance(read, list):
            problems.extend(read)
            unreadable.add(key)
            continue
        documents[key] = read
    # A translation checked again is merged with its default-language file, even when
    # that file itself is reused.
    bases: dict[tuple[str, str, str], Document] = {}
    for kind, slug, lang in documents:
        base = (kind, slug, config.default_language)
        if base in kept and base not in bases:
            text = by_key[base].text
            assert text is not None, f"{by_key[base].path} was not read"
            read = read_document(by_key[base].path, text)
            if isinstance(read, Document):
                bases[base] = read
    context = _Context(config, vocabulary, problems, unreadable, bases)
    associations = sorted(
        [*context.associations(documents),
         *(a for a in kept.values() if isinstance(a, Association))],
        key=lambda a: (a.slug, a.lang),
    )
    defaults = {a.slug: a for a in associations if a.lang == config.default_language}
    # Associations whose file exists but has problems of its own (reported there).
    files = {slug for kind, slug, _ in (*documents, *unreadable, *kept) if kind == "association"}
    missions = sorted(
        [*context.missions(documents, defaults, files),
         *(m for m in kept.values() if isinstance(m, Mission))],
        key=lambda m: (m.slug, m.lang),
    )
    if problems:
        return None, problems
    return Site(config, vocabulary, tuple(associations), tuple(missions)), []


@dataclass
class _Context:
    config: SiteConfig
    vocabulary: Vocabulary
    problems: list[Problem]
    unreadable: set[tuple[str, str, str]]
    bases: Mapping[tuple[str, str, str], Document] = field(default_factory=dict)
    # Equal locations and commitments made one object, as the short strings missions share
    # are interned (categories, skills, modes): the cache pickles each object once per
    # bucket rather than once per mission, and a rebuild unpickles a fifth faster.
    shared: dict[str, object] = field(default_factory=dict)

    def _shared(self, value: _T) -> _T:
        # By repr, not equality: hours 2 and 2.0 are equal, but not shown alike.
        return cast(_T, self.shared.setdefault(repr(value), value))

    def associations(self, documents: Mapping[tuple[str, str, str], Document]) -> list[Association]:
        result = []
        for (kind, slug, lang), doc in sorted(documents.items()):
            if kind != "association":
                continue
            merged = self._merged(documents, kind, slug, lang, doc, ("name", "summary"))
            if merged is None:
                continue
            association = self._association(slug, lang, merged)
            if association is not None:
                result.append(association)
        return result

    def missions(
        self,
        documents: Mapping[tuple[str, str, str], Document],
        associations: Mapping[str, Association],
        association_files: set[str],
    ) -> list[Mission]:
        result = []
        for (kind, slug, lang), doc in sorted(documents.items()):
            if kind != "mission":
                continue
            merged = self._merged(documents, kind, slug, lang, doc, ("title", "summary"))
            if merged is None:
                continue
            mission = self._mission(slug, lang, merged, associations, association_files)
            if mission is not None:
                result.append(mission)
        return result

    def _merged(
        self,
        documents: Mapping[tuple[str, str, str], Document],
        kind: str,
        slug: str,
        lang: str,
        doc: Document,
        required: tuple[str, ...],
    ) -> Document | None:
        """A translation's document with the fields it omits taken from the default file."""
        default_lang = self.config.default_language
        if lang == default_lang:
            return doc
        base = documents.get((kind, slug, default_lang)) or self.bases.get(
            (kind, slug, default_lang))
        if base is None:
            if (kind, slug, default_lang) not in self.unreadable:  # else reported there
                self.problems.append(
                    Problem(
                        doc.path, 1, 1,
                        f"this translation has no default-language file (add {slug}.md "
                        f"beside it, or rename this file {slug}.md)",
                    )
                )
            return None
        for key in required:
            if key not in doc.data:
                Fields(doc, self.problems)._missing((key,), '"..."')
        data = {**base.data, **doc.data}
        positions = {
            **{k: v for k, v in base.positions.items() if k and k[0] not in doc.data},
            **{k: v for k, v in doc.positions.items()},
        }
        scalars = {
            **{k: v for k, v in base.scalars.items() if k and k[0] not in doc.data},
            **doc.scalars,
        }
        # Problems in inherited fields are the default file's and are reported there:
        # own_keys keeps only those of the translation's own fields under its path.
        return Document(
            doc.path, data, positions, doc.body, doc.body_line, scalars,
            own_keys=frozenset(doc.data),
        )

    def _location(self, fields: Fields, required: bool) -> Location | None:
        if not fields.mapping(
            ("location",), LOCATION_KEYS, required=required, example="{city: Lyon}"
        ):
            return None
        city = fields.text(("location", "city"), required=True, max_len=100, example="Lyon")
        postal = fields.text(("location", "postal_code"), max_len=12)
        region = fields.text(("location", "region"), max_len=100)
        country = fields.text(("location", "country"), max_len=2, example="FR")
        if country is not None and not _COUNTRY_RE.match(country):
            fields.fail(
                ("location", "country"),
                f"'{country}' is not a two-letter country code (write it in capitals, "
                "such as FR)",
            )
            return None
        if city is None:
            return None
        return self._shared(Location(city, postal, region, country or self.config.country))

    def _apply(self, fields: Fields) -> ApplyRoute | None:
        if not fields.mapping(("apply",), ROUTE_KINDS, example=_APPLY_EXAMPLE):
            return None
        given = [kind for kind in ROUTE_KINDS if fields.present(("apply", kind))]
        if not given:
            fields.fail(
                ("apply",),
                f"no way to apply is given (write one of email, form or url, such as "
                f"apply: {_APPLY_EXAMPLE})",
            )
            return None
        if len(given) > 1:
            fields.fail(
                ("apply",),
                f"give only one of email, form or url, not {' and '.join(given)} (keep the "
                "one volunteers should use)",
            )
            return None
        kind = given[0]
        key_path: Path = ("apply", kind)
        if kind == "email":
            email = fields.email(key_path)
            return ApplyRoute("email", email) if email else None
        value = fields.text(key_path, max_len=2000, example='"https://..."')
        if value is None:
            return None
        loopback = kind == "form" and any(h in _LOOPBACK for h in self.config.form_hosts)
        problem = url_problem(value, allow_loopback_http=loopback)
        if problem:
            fields.fail(key_path, problem)
            return None
        if kind == "form":
            host = (urlsplit(value).hostname or "").lower()
            if host not in self.config.form_hosts:
                allowed = ", ".join(self.config.form_hosts) or "none"
                fields.fail(
                    key_path,
                    f"the form host '{host}' is not allowed (use a form on one of the "
                    f"form_hosts of site.yaml: {allowed}; or give the link as url:)",
                )
                return None
        return ApplyRoute(kind, value)

    def _image(self, fields: Fields, image_key: str, alt_key: str) -> tuple[str | None, str | None]:
        image = fields.https_url((image_key,))
        alt = fields.text((alt_key,), max_len=300)
        if fields.present((image_key,)) and not fields.present((alt_key,)):
            fields.fail(
                (image_key,),
                f"an image needs a text alternative (add '{alt_key}: \"what the image "
                "shows\"')",
            )
        return image, alt

    def _association(self, slug: str, lang: str, doc: Document) -> Association | None:
        before = len(self.problems)
        fields = Fields(doc, self.problems)
        fields.only_keys((), ASSOCIATION_KEYS)
        name = fields.text(("name",), required=True, min_len=2, max_len=120)
        summary = fields.text(("summary",), required=True, min_len=10, max_len=200)
        website = fields.https_url(("website",))
        email = fields.email(("email",))
        logo, logo_alt = self._image(fields, "logo", "logo_alt")
        apply = self._apply(fields)
        location = self._location(fields, required=False)
        rna = fields.text(("rna",), max_len=10)
        if rna is not None and not _RNA_RE.match(rna):
            fields.fail(
                ("rna",),
                f"'{rna}' is not an RNA number (write W followed by 9 digits, such as "
                "W751234567)",
            )
        social = tuple(
            url
            for item_path, _ in fields.text_list(("social",)) or []
            if (url := fields.https_url(item_path)) is not None
        )
        if len(self.problems) > before or name is None or summary is None:
            return None
        return Association(
            slug=slug, lang=lang, source=doc.path, name=name, summary=summary,
            body=doc.body, body_line=doc.body_line, website=website, email=email, logo=logo,
            logo_alt=logo_alt, apply=apply, location=location, rna=rna, social=social,
        )

    def _mission(
        self,
        slug: str,
        lang: str,
        doc: Document,
        associations: Mapping[str, Association],
        association_files: set[str],
    ) -> Mission | None:
        before = len(self.problems)
        fields = Fields(doc, self.problems)
        fields.only_keys((), MISSION_KEYS)
        title = fields.text(("title",), required=True, min_len=3, max_len=120)
        association_slug = fields.text(("association",), required=True, example="my-association")
        association = None
        if association_slug is not None:
            association = associations.get(association_slug)
            # An association file with problems of its own is reported there, not here.
            if association is None and association_slug not in association_files:
                close = closest(association_slug, sorted(associations))
                if close:
                    hint = f"(did you mean '{close}'?)"
                elif SLUG_RE.match(association_slug):
                    hint = f"(add content/associations/{association_slug}.md or fix the name)"
                else:  # a path, a URL: no file could be named so
                    example = min(associations, default="my-association")
                    hint = (
                        "(give the name of a file of content/associations/ without '.md', "
                        f"such as {example})"
                    )
                fields.fail(
                    ("association",),
                    f"unknown association '{visible(association_slug)}' {hint}",
                )
        summary = fields.text(("summary",), required=True, min_len=10, max_len=200)
        categories = fields.terms(
            ("categories",), [t.key for t in self.vocabulary.categories], "category",
            hint="use a category key of vocabulary.yaml", required=True, min_items=1,
            max_items=3,
        )
        skills = fields.terms(
            ("skills",), [t.key for t in self.vocabulary.skills], "skill",
            hint="use a skill key of vocabulary.yaml", max_items=8,
        )
        remote = fields.choice(("remote",), REMOTE_MODES, required=True)
        location = self._location(fields, required=remote in ("no", "possible"))
        commitment = None
        if fields.mapping(
            ("commitment",), COMMITMENT_KEYS, required=True, example="{hours: 2, per: week}"
        ):
            hours = fields.positive_number(("commitment", "hours"), required=True)
            per = fields.choice(("commitment", "per"), PERIODS, required=True)
            if hours is not None and per is not None:
                commitment = self._shared(Commitment(hours, cast(Per, per)))
        languages = fields.terms(
            ("languages",), _ISO_639_1, "language code",
            hint="use a two-letter ISO 639-1 code, such as fr or en", max_items=10,
        ) or (self.config.default_language,)
        posted = fields.date(("posted",), required=True)
        deadline = fields.date(("deadline",))
        if posted and deadline and deadline < posted:
            fields.fail(
                ("deadline",),
                f"{deadline} is before the posting date {posted} (the deadline must be on or "
                "after posted)",
            )
        start = fields.date(("start",))
        end = fields.date(("end",))
        if start and end and end < start:
            fields.fail(
                ("end",),
                f"{end} is before the start {start} (the end must be on or after start)",
            )
        places = fields.integer(("places",), minimum=1)
        own_apply = self._apply(fields)
        apply = own_apply or (association.apply if association else None)
        if (
            apply is None
            and association is not None
            and not fields.present(("apply",))
            and (doc.owns(("apply",)) or doc.owns(("association",)))
        ):
            self.problems.append(Problem(
                doc.path, 1, 1,
                f"apply: no way to apply is given, here or in content/associations/"
                f"{association.slug}.md (add 'apply: {_APPLY_EXAMPLE}', or a form: or url: "
                "instead of email:, to one of the two files)",
            ))
        image, image_alt = self._image(fields, "image", "image_alt")
        open_to_minors = fields.boolean(("open_to_minors",))
        accessible = fields.boolean(("accessible",))
        draft = fields.boolean(("draft",)) or False
        extra = fields.get(("extra",))
        if extra is not None and not isinstance(extra, Mapping):
            fields.fail(
                ("extra",),
                f"expected a group of fields, found {fields._shown(('extra',), extra)} "
                "(write it as extra: {name: value})",
            )
        if (
            len(self.problems) > before
            or None in (title, summary, remote, commitment, posted, apply, association)
            or not categories
        ):
            return None
        return Mission(
            slug=slug, lang=lang, source=doc.path, title=cast(str, title),
            association=cast(Association, association).slug, summary=cast(str, summary),
            categories=categories, skills=skills, remote=cast(RemoteMode, remote),
            location=location, commitment=cast(Commitment, commitment), languages=languages,
            posted=cast(dt.date, posted), apply=cast(ApplyRoute, apply), body=doc.body,
            body_line=doc.body_line, deadline=deadline, start=start, end=end, places=places,
            image=image, image_alt=image_alt, open_to_minors=open_to_minors,
            accessible=accessible, draft=draft,
            extra=tuple(sorted((str(k), v) for k, v in (extra or {}).items())),
        )


_ISO_639_1 = (
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg",
    "bh", "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv",
    "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi",
    "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr",
    "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja",
    "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw",
    "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml",
    "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv",
    "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro",
    "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr",
    "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr",
    "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi",
    "yo", "za", "zh", "zu",
)
ISO_639_1: tuple[str, ...] = _ISO_639_1
