"""The immutable model the rest of the pipeline works on. No I/O here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

RemoteMode = Literal["no", "possible", "full"]
Per = Literal["week", "month", "mission"]
RouteKind = Literal["email", "form", "url"]

REMOTE_MODES: tuple[RemoteMode, ...] = ("no", "possible", "full")
PERIODS: tuple[Per, ...] = ("week", "month", "mission")
ROUTE_KINDS: tuple[RouteKind, ...] = ("email", "form", "url")


@dataclass(frozen=True)
class Term:
    """A category or a skill: a stable key and a label per language."""

    key: str
    labels: tuple[tuple[str, str], ...]

    def label(self, lang: str) -> str:
        for code, text in self.labels:
            if code == lang:
                return text
        return self.labels[0][1]


@dataclass(frozen=True)
class Vocabulary:
    categories: tuple[Term, ...]
    skills: tuple[Term, ...]

    def category(self, key: str) -> Term:
        return self._by_key[("category", key)]

    def skill(self, key: str) -> Term:
        return self._by_key[("skill", key)]

    @cached_property
    def _by_key(self) -> dict[tuple[str, str], Term]:
        # Looked up for every card of every listing: a scan of the terms each time was a
        # third of the search page.
        return {**{("category", t.key): t for t in self.categories},
                **{("skill", t.key): t for t in self.skills}}


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str  # absolute, always ends with "/"
    languages: tuple[str, ...]
    country: str
    per_page: int
    form_hosts: tuple[str, ...]
    repository: str | None = None

    @property
    def default_language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True)
class Location:
    city: str
    postal_code: str | None
    region: str | None
    country: str


@dataclass(frozen=True)
class Commitment:
    hours: float
    per: Per


@dataclass(frozen=True)
class ApplyRoute:
    kind: RouteKind
    target: str  # an https URL for form/url, a bare address for email


@dataclass(frozen=True)
class Association:
    slug: str
    lang: str
    source: str
    name: str
    summary: str
    body: str  # Markdown source; rendered by the theme step
    body_line: int
    website: str | None = None
    email: str | None = None
    logo: str | None = None
    logo_alt: str | None = None
    apply: ApplyRoute | None = None
    location: Location | None = None
    rna: str | None = None
    social: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mission:
    """One language version of a mission; versions of one mission share the slug."""

    slug: str
    lang: str
    source: str
    title: str
    association: str
    summary: str
    categories: tuple[str, ...]
    skills: tuple[str, ...]
    remote: RemoteMode
    location: Location | None
    commitment: Commitment
    languages: tuple[str, ...]
    posted: dt.date
    apply: ApplyRoute  # already resolved: the mission's own, else its association's
    body: str
    body_line: int
    deadline: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    places: int | None = None
    image: str | None = None
    image_alt: str | None = None
    open_to_minors: bool | None = None
    accessible: bool | None = None
    draft: bool = False
    extra: tuple[tuple[str, object], ...] = field(default=())

    def is_closed(self, today: dt.date) -> bool:
        return self.deadline is not None and self.deadline < today


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    vocabulary: Vocabulary
    associations: tuple[Association, ...]  # every language version
    missions: tuple[Mission, ...]  # every language version, drafts included

    @cached_property
    def _associations_by_key(self) -> dict[tuple[str, str], Association]:
        # Derived once from the immutable tuple: lookups happen for every card rendered.
        return {(a.slug, a.lang): a for a in self.associations}

    @cached_property
    def _languages_by_slug(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for mission in self.missions:
            found.setdefault(mission.slug, []).append(mission.lang)
        order = self.config.languages
        return {slug: tuple(sorted(langs, key=order.index)) for slug, langs in found.items()}

    def association(self, slug: str, lang: str) -> Association:
        """The association in `lang`, falling back to its default-language version."""
        index = self._associations_by_key
        found = index.get((slug, lang)) or index.get((slug, self.config.default_language))
        if found is None:
            raise KeyError(slug)
        return found

    def mission_languages(self, slug: str) -> tuple[str, ...]:
        """Languages in which a mission has a version, in site order."""
        return self._languages_by_slug.get(slug, ())
