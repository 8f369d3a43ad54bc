"""Fingerprints: a short digest of everything an output file is made from. Pure.

Two builds that give a file the same fingerprint write the same bytes into it, so a build
renders and writes only the files whose fingerprint changed (see build.py). A fingerprint
is made of:

- the build key: the generator's code and the libraries that shape the output, the
  settings (site.yaml, vocabulary.yaml), every file of the theme, the build options
  (base URL, drafts; the date only for a theme whose templates show `today`). Changing
  any of them changes every fingerprint. The date otherwise reaches a page through its
  planned fields (which missions are closed, which are listed), and the few files that
  show it (search pages, empty feeds, missions.xml) take it in themselves;
- what the file shows: a page's planned fields (plan.Page), in which each mission and
  association stands for the digest of the content files it was made from (its own
  file, its default-language file, the association of a mission in every language,
  whose name and apply route cards and pages show).

A template reaching for something else than its page, the settings and these objects
would make the fingerprints wrong: the test suite compares cached builds with clean ones.
"""

from __future__ import annotations

import copy as copy_module
import dataclasses
import datetime as dt
import hashlib
import os
import pickle
import sys
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from generator.model import Association, Mission, Site
from generator.plan import Page, Pagination

Dependencies = tuple[tuple[str, bytes], ...]

_SIZE = 16


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_SIZE).digest()


def text_digest(text: str) -> bytes:
    return digest(text.encode("utf-8", "surrogatepass"))


def files_digest(paths: Iterable[tuple[str, bytes]]) -> bytes:
    """Digest of named contents, in the given order."""
    hasher = hashlib.blake2b(digest_size=_SIZE)
    for name, data in paths:
        hasher.update(len(name).to_bytes(4, "big") + name.encode("utf-8", "surrogatepass"))
        hasher.update(len(data).to_bytes(8, "big") + data)
    return hasher.digest()


def tree_digest(root: Path) -> bytes:
    """Digest of every file under `root`, with its relative path."""
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                found.append((os.path.relpath(path, root), handle.read()))
    return files_digest(sorted(found))


def dependencies(made: Association | Mission, default_language: str,
                 digests: Mapping[str, bytes]) -> Dependencies:
    """The content files an object is made from, with their digests: itself, its
    default-language file when it is a translation, and a mission's association file."""
    folder = os.path.dirname(made.source)
    paths = [made.source]
    if made.lang != default_language:
        paths.append(os.path.join(folder, f"{made.slug}.md"))
    if isinstance(made, Mission):
        # One string for the missions of an association, pickled once per cache bucket.
        paths.append(sys.intern(os.path.join(os.path.dirname(folder), "associations",
                                             f"{made.association}.md")))
    return tuple((path, digests.get(path, b"")) for path in paths)


class Fingerprints:
    """Fingerprints of a build's outputs (build key + what each output shows)."""

    def __init__(self, build_key: bytes, site: Site, deps: Mapping[str, Dependencies],
                 cards: Mapping[str, bytes], today: dt.date) -> None:
        self.build_key = build_key
        self.site = site
        self.today = today  # the build key leaves it out unless the theme shows it
        # An association counts for every language of its slug: a card in English shows
        # the English name. Pages other than its own show its fields, not its text.
        default = site.config.default_language
        full: dict[str, list[bytes]] = {}
        fields: dict[str, list[bytes]] = {}
        for association in site.associations:
            full.setdefault(association.slug, []).append(_joined(deps[association.source]))
            fields.setdefault(association.slug, []).append(cards[association.source])
        self._association_pages = {slug: digest(b"".join(parts)) for slug, parts in full.items()}
        self._associations = {slug: digest(b"".join(parts)) for slug, parts in fields.items()}
        self._default = default
        # A mission's own page shows its text; a list of missions (Page.missions) shows
        # their cards: fields only, so that editing a text leaves listings alone.
        self._missions = {(m.slug, m.lang): self._mission(m, deps, cards) for m in site.missions}
        self._cards = {
            (m.slug, m.lang): digest(cards[m.source] + self._inherited(m, cards)
                                     + self._associations.get(m.association, b""))
            for m in site.missions
        }

    def _inherited(self, m: Mission, cards: Mapping[str, bytes]) -> bytes:
        # A translation takes the fields it leaves out from the default-language file.
        return cards.get(_base(m.source, m.slug), b"") if m.lang != self._default else b""

    def _mission(self, m: Mission, deps: Mapping[str, Dependencies],
                 cards: Mapping[str, bytes]) -> bytes:
        return digest(deps[m.source][0][1] + self._inherited(m, cards)
                      + self._associations.get(m.association, b""))

    def with_texts(self, site: Site, deps: Mapping[str, Dependencies],
                   cards: Mapping[str, bytes], changed: Collection[str]) -> Fingerprints:
        """These fingerprints for `site`, whose objects show the same cards as those they
        were made for; only the objects made from the `changed` files may differ, by
        their text (plan.with_objects: what missions serve does after a text edit)."""
        copy = copy_module.copy(self)
        copy.site = site
        copy._missions = dict(self._missions)
        copy._association_pages = dict(self._association_pages)
        for m in site.missions:
            if m.source in changed:
                copy._missions[(m.slug, m.lang)] = self._mission(m, deps, cards)
        slugs = {a.slug for a in site.associations if a.source in changed}
        for slug in slugs:
            copy._association_pages[slug] = digest(b"".join(
                _joined(deps[a.source]) for a in site.associations if a.slug == slug))
        return copy

    def missions(self, missions: Iterable[Mission]) -> bytes:
        """Of a list of missions with their texts (feeds): their digests joined, rather
        than of() walking them one by one (a tenth of a second a build at 10,000)."""
        return digest(b"".join(self.mission_prints(missions)))

    def mission_prints(self, missions: Iterable[Mission]) -> list[bytes]:
        """The fingerprint of each mission (text, card, association), in order."""
        prints = self._missions
        return [prints[(m.slug, m.lang)] for m in missions]

    def differing(self, other: Fingerprints
                  ) -> tuple[frozenset[tuple[str, str]], frozenset[str],
                             frozenset[tuple[str, str]], frozenset[str]]:
        """What these fingerprints take otherwise than `other` (of the same files): the
        missions (slug, lang) and associations (slug) whose card differs, which page()
        takes for every page holding them; then of the others, those whose text differs
        (or, for a mission, what its page shows of its association), which only their
        own pages show. page() differs for no other page, but the search pages when a
        card differs."""
        cards = frozenset(key for key, value in self._cards.items()
                          if other._cards.get(key) != value)
        texts = frozenset(key for key, value in self._missions.items()
                          if key not in cards and other._missions.get(key) != value)
        fields = frozenset(slug for slug, value in self._associations.items()
                           if other._associations.get(slug) != value)
        pages = frozenset(slug for slug, value in self._association_pages.items()
                          if slug not in fields
                          and other._association_pages.get(slug) != value)
        return cards, fields, texts, pages

    def association(self, association: Association) -> bytes:
        return self._associations[association.slug]

    def national_item(self, mission: Mission) -> bytes:
        """The key of the mission's missions.xml item: this build's prefix for them, then
        the mission's fingerprint, joined rather than digested again (10,000 of them a
        rebuild, to tell the items that changed)."""
        return self._national + self._missions[(mission.slug, mission.lang)]

    def national_items(self, missions: Iterable[Mission]) -> tuple[bytes, ...]:
        return self.national_keys(self.mission_prints(missions))

    def national_keys(self, mission_prints: Iterable[bytes]) -> tuple[bytes, ...]:
        """national_item() of the missions of these mission_prints()."""
        prefix = self._national
        return tuple(prefix + one for one in mission_prints)

    @property
    def _national(self) -> bytes:
        return digest(self.build_key + b"\0national item\0")

    def of(self, *parts: object) -> bytes:
        """Fingerprint of an output made from `parts` (strings, numbers, model objects,
        and tuples or dataclasses of them)."""
        hasher = hashlib.blake2b(self.build_key, digest_size=_SIZE)
        for part in parts:
            self._feed(hasher, part)
        return hasher.digest()

    # Every field of plan.Page, each used below (a test checks the list is complete).
    PAGE_FIELDS = frozenset({
        "kind", "template", "lang", "route", "output", "url", "alternates", "noindex",
        "missions", "mission", "association", "associations", "term", "pagination",
        "terms", "association_counts", "closed", "feeds",
    })

    def page(self, page: Page) -> bytes:
        # Field by field rather than through _feed: there is one page per mission, and
        # this runs for every page of every build.
        parts: list[object] = [
            page.kind, page.template, page.lang, page.route, page.output, page.url,
            page.noindex, page.closed,
            tuple((a.lang, a.url) for a in page.alternates),
            page.association_counts,
            tuple((c.kind, c.term.key, c.count) for c in page.terms),  # labels: settings
            page.term.key if page.term is not None else None,
            (page.feeds.atom, page.feeds.json) if page.feeds is not None else None,
        ]
        if page.pagination is not None:
            pagination = page.pagination
            # Its URLs follow from the first one and the total.
            parts.append((pagination.number, pagination.total, pagination.count,
                          pagination.urls[:1]))
        data = [self.build_key, repr(parts).encode("utf-8", "surrogatepass")]
        if page.mission is not None:
            data.append(b"M" + self._missions[(page.mission.slug, page.mission.lang)])
        if page.association is not None:
            data.append(b"A" + self._associations[page.association.slug])
            if page.kind == "association":  # its own page shows its text too
                data.append(self._association_pages[page.association.slug])
        if page.associations:
            data.append(b"As" + b"".join(self._associations[a.slug] + a.lang.encode()
                                         for a in page.associations))
        if page.missions:  # listed: their cards, not their texts
            data.append(b"L" + b"".join(self._cards[(m.slug, m.lang)] for m in page.missions))
        if page.kind == "search":
            # The search page counts and lists the filter values of every open mission:
            # which are open depends on the date.
            data.append(b"S" + self.today.isoformat().encode() + b"".join(
                self._cards[(m.slug, m.lang)] for m in self.site.missions
                if m.lang == page.lang))
        return digest(b"\0".join(data))

    def _feed(self, hasher: Any, value: object) -> None:
        if isinstance(value, Mission):
            hasher.update(b"M" + self._missions[(value.slug, value.lang)])
        elif isinstance(value, Association):
            hasher.update(b"A" + self._associations[value.slug] + value.lang.encode())
        elif isinstance(value, tuple):
            hasher.update(b"(%d" % len(value))
            for item in value:
                self._feed(hasher, item)
            hasher.update(b")")
        elif isinstance(value, Pagination):
            # Its URLs follow from the first one and the total, which the key covers.
            hasher.update(repr((value.number, value.total, value.count,
                                value.urls[:1])).encode())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            hasher.update(b"{" + type(value).__name__.encode())
            for item in dataclasses.fields(value):
                self._feed(hasher, getattr(value, item.name))
            hasher.update(b"}")
        elif value is None or isinstance(value, (str, int, float, bool, dt.date)):
            hasher.update(repr(value).encode("utf-8", "surrogatepass") + b"\0")
        else:  # pragma: no cover - a new kind of field must be taught here
            raise TypeError(f"cannot fingerprint {type(value).__name__}")


def card_digest(made: Association | Mission) -> bytes:
    """Digest of what listings show of an object: every field but the text, which only its
    own page (and the feeds) show. Editing a text then leaves listings alone."""
    values = tuple(getattr(made, f.name) for f in dataclasses.fields(made)
                   if f.name not in ("body", "body_line"))
    # pickle rather than repr: several times faster, and as stable for the same values
    # (at worst a digest differs for equal values, which only renders a page again).
    return digest(pickle.dumps(values, protocol=5))


def _base(source: str, slug: str) -> str:
    return os.path.join(os.path.dirname(source), f"{slug}.md")


def _joined(deps: Dependencies) -> bytes:
    return b"".join(d for _, d in deps)
