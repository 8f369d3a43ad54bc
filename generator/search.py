"""Search: the facet index for browsing by filters (pure) and the Pagefind step (I/O edge).

The search page (themes/default/static/search.js) answers from two sources:
- with no words, our own facet index: search/facets.json per language (per filter value
  the numbers of its missions) and the cards in chunks of CHUNK missions. Ticking filters
  downloads ~60 KB for 10,000 missions, where Pagefind's empty search would fetch its
  whole index (~4.8 MB);
- with words, Pagefind: it finds, filters and sorts the open mission pages, and gives the
  counts of the filter groups that are open on the page.
Both apply the same rules (OR inside a group, AND across groups; a value's count is what
ticking it would show) to the same data: the mission template marks each page with
`Wording.record` and the facet index is made from the same records.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import subprocess
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from generator.errors import BuildError
from generator.model import Commitment, Mission, Site
from generator.plan import open_missions

# Filter groups, in the order the search page shows them. Each is also a Pagefind filter
# name and a query-string parameter of the search page.
GROUPS = ("category", "skill", "remote", "commitment", "language", "association", "region")

# Commitment bands, by hours a week. A month counts 4.33 weeks; hours given for the whole
# mission make it one-off, however many they are.
BANDS = ("one-off", "under-2h", "2-5h", "over-5h")
WEEKS_PER_MONTH = 4.33

# Where the Pagefind bundle goes, under the site root. One bundle serves every language:
# Pagefind keeps an index per <html lang> in it, and pagefind.js loads the one of the page.
BUNDLE = "pagefind"

# Missions per card chunk. A page of results shows 12 cards. With rare filters, or sorted
# by deadline, they are scattered over the board and each may need a chunk of its own:
# 50 cards (~3-5 KB gzipped) keeps that page under ~50 KB; common results in the default
# order (newest first, the order of the numbers) fit in a few neighbouring chunks.
CHUNK = 50

# Digits of the packed number lists (see `pack`): 5 bits of value and 1 bit saying that
# more digits follow. Safe in URLs and in JSON strings, so never escaped.
DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def band(commitment: Commitment) -> str:
    """The commitment band of a mission (one of BANDS)."""
    if commitment.per == "mission":
        return "one-off"
    weekly = commitment.hours / WEEKS_PER_MONTH if commitment.per == "month" else commitment.hours
    if weekly < 2:
        return "under-2h"
    return "2-5h" if weekly <= 5 else "over-5h"


@functools.lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """A URL key for a free-text value (a region name): ascii, lowercase, dashes. Kept:
    a board has a few dozen regions, each slugified once per open mission by the search
    page (a third of its time)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())


@dataclass(frozen=True)
class FacetValue:
    group: str  # one of GROUPS
    key: str  # query-string value: a vocabulary key, no/possible/full, a slug...
    label: str  # what the page shows, in its language; also Pagefind's filter value


@dataclass(frozen=True)
class FacetGroup:
    key: str
    label: str
    values: tuple[tuple[str, str], ...]  # (key, label) of the values open missions have


@dataclass(frozen=True)
class Card:
    """What a result card shows, worded like partials/card.html in the page's language,
    so search.js never formats a date, a plural or a place itself."""

    slug: str
    title: str
    association: str  # key: the name is the label of the association filter value
    summary: str
    time: str
    where: str
    deadline: str
    places: str  # "" when the mission gives no number of places
    categories: tuple[str, ...]  # keys: labels are those of the category filter values
    remote: bool  # fully remote: the card gets the card-remote class and screen icon

    def row(self) -> list[object]:
        # A list, not an object: field names would be a third of a chunk. search.js
        # reads the fields in this order.
        return [self.slug, self.title, self.association, self.summary, self.time,
                self.where, self.deadline, self.places, list(self.categories),
                1 if self.remote else 0]


@dataclass(frozen=True)
class Record:
    """Everything search knows about one open mission in one language."""

    facets: tuple[FacetValue, ...]
    card: Card
    deadline: dt.date | None
    posted: dt.date

    @property
    def deadline_sort(self) -> str:
        # Pagefind sorts ISO dates as text; no deadline closes last.
        return (self.deadline or dt.date.max).isoformat()

    @property
    def card_json(self) -> str:
        return _json(self.card.row())


@dataclass(frozen=True)
class Wording:
    """Search data worded in one language with the helpers partials/card.html uses,
    handed over by the renderer so that search reads exactly like the listings."""

    site: Site
    lang: str
    today: dt.date
    t: Callable[..., str]
    date: Callable[..., str]
    commitment: Callable[[Commitment], str]
    where: Callable[[Mission], str]
    language_name: Callable[..., str]
    # indexed_missions(site, lang, today) when the caller has them at hand (the plan).
    indexed: tuple[Mission, ...] | None = None

    def missions(self) -> tuple[Mission, ...]:
        if self.indexed is not None:
            return self.indexed
        return indexed_missions(self.site, self.lang, self.today)

    def record(self, mission: Mission) -> Record:
        t = self.t
        association = self.site.association(mission.association, self.lang)
        card = Card(
            slug=mission.slug,
            title=mission.title,
            association=association.slug,
            summary=mission.summary,
            time=self.commitment(mission.commitment),
            where=self.where(mission),
            deadline=(t("deadline_on", date=self.date(mission.deadline, "medium"))
                      if mission.deadline else t("no_deadline")),
            places=t("places", mission.places) if mission.places else "",
            categories=mission.categories,
            remote=mission.remote == "full",
        )
        return Record(self.facets(mission), card, mission.deadline, mission.posted)

    def facets(self, mission: Mission) -> tuple[FacetValue, ...]:
        """The filter values of a mission: what `groups` needs of it, without its card
        (formatting cards took nine tenths of the search page: 1.6 s at 10,000 missions)."""
        return tuple(FacetValue(group, key, self._label(group, key, mission))
                     for group, key in self._facet_keys(mission))

    def _facet_keys(self, mission: Mission) -> Iterator[tuple[str, str]]:
        """(group, key) of each filter value of a mission, in the order of `facets`."""
        for key in mission.categories:
            yield "category", key
        for key in mission.skills:
            yield "skill", key
        yield "remote", mission.remote
        yield "commitment", band(mission.commitment)
        for code in mission.languages:
            yield "language", code
        yield "association", mission.association
        # Where a mission takes place; one done fully remotely takes place nowhere.
        region = mission.location.region if mission.location else None
        if region and mission.remote != "full":
            yield "region", slugify(region) or hashlib.sha256(region.encode()).hexdigest()[:8]

    def _label(self, group: str, key: str, mission: Mission) -> str:
        """What the page shows for the value `key` of `group` that `mission` has."""
        vocabulary, lang, t = self.site.vocabulary, self.lang, self.t
        if group == "category":
            return vocabulary.category(key).label(lang)
        if group == "skill":
            return vocabulary.skill(key).label(lang)
        if group == "remote":
            return t(f"remote_{key}")
        if group == "commitment":
            return t(f"search_band_{key.replace('-', '_')}")
        if group == "language":
            return self.language_name(key)
        if group == "association":
            return self.site.association(key, lang).name
        assert mission.location is not None and mission.location.region  # a region's key
        return mission.location.region

    def groups(self, records: Sequence[Record] | None = None) -> tuple[FacetGroup, ...]:
        """The filter groups and values of the search page: the values open missions have,
        in the order people expect (see `_ordered`)."""
        labels: dict[str, dict[str, str]] = {g: {} for g in GROUPS}
        if records is not None:
            for record in records:
                for facet in record.facets:
                    labels[facet.group].setdefault(facet.key, facet.label)
        else:
            # Each value labelled once, by the first mission having it, as `facets` would
            # label it: the search page of every build needs only the distinct values
            # (0.17 s a language at 10,000 missions through `facets`).
            for mission in self.missions():
                for group, key in self._facet_keys(mission):
                    found = labels[group]
                    if key not in found:
                        found[key] = self._label(group, key, mission)
        return tuple(
            FacetGroup(group, self.t(f"search_group_{group}"),
                       tuple((key, labels[group][key]) for key in _ordered(group, labels[group],
                                                                         self.site)))
            for group in GROUPS
        )

    def groups_data(self) -> list[object]:
        """The groups as search.js reads them from the search page."""
        return [[g.key, g.label, [list(v) for v in g.values]] for g in self.groups()]


def indexed_missions(site: Site, lang: str, today: dt.date) -> tuple[Mission, ...]:
    """The missions search knows in a language, newest first: the open ones, never drafts
    (a --drafts preview lists drafts, but search shows what the public board will)."""
    return open_missions(site, lang, today, drafts=False)


def _ordered(group: str, labels: dict[str, str], site: Site) -> list[str]:
    """Vocabulary order for categories and skills, the natural order for remote modes and
    bands, alphabetical order of the labels for the rest."""
    if group in ("category", "skill"):
        terms = site.vocabulary.categories if group == "category" else site.vocabulary.skills
        order = [t.key for t in terms]
    elif group == "remote":
        order = ["no", "possible", "full"]
    elif group == "commitment":
        order = list(BANDS)
    else:
        order = sorted(labels, key=lambda key: (labels[key].casefold(), key))
    return [key for key in order if key in labels]


# ---------------------------------------------------------------------------------------
# The facet index (pure)


def pack(numbers: Sequence[int]) -> str:
    """Increasing numbers as a short string: each gap, 5 bits a digit, low digits first.

    The gaps of a common value are small and take one digit, so 10,000 missions with
    about nine values each pack in ~110 KB, ~55 KB gzipped.
    """
    digits = []
    previous = -1
    for number in numbers:
        gap = number - previous
        if gap <= 0:
            raise ValueError("pack() needs strictly increasing numbers")
        previous = number
        while gap >= 32:
            digits.append(DIGITS[32 | (gap & 31)])
            gap >>= 5
        digits.append(DIGITS[gap])
    return "".join(digits)


def unpack(text: str) -> list[int]:
    """The inverse of `pack`; search.js has the same loop."""
    numbers = []
    previous = -1
    gap = shift = 0
    for char in text:
        digit = DIGITS.index(char)
        gap |= (digit & 31) << shift
        if digit & 32:
            shift += 5
            continue
        previous += gap
        numbers.append(previous)
        gap = shift = 0
    return numbers


def facet_index(wording: Wording, folder: str) -> dict[str, bytes]:
    """The facet index of one language, by path under the site root, in `folder`
    (search/, en/search/...):

    - facets.json: for each filter value, the numbers of its missions;
    - cards-N.json: the cards of missions N*CHUNK to (N+1)*CHUNK-1;
    - deadlines.json: the deadline of each mission, to sort by deadline with no words.

    Missions are numbered newest first, the order of a browse, so its first results sit
    in the first chunks. Values are found by key, not position, so a search page a
    browser kept in its cache still reads a newer facets.json; the cards and deadlines
    are fetched with its version, so the files of two builds are never mixed.
    """
    records = [wording.record(m) for m in wording.missions()]
    numbers: dict[str, dict[str, list[int]]] = {g: {} for g in GROUPS}
    for number, record in enumerate(records):
        for facet in record.facets:
            numbers[facet.group].setdefault(facet.key, []).append(number)
    rows = [record.card.row() for record in records]
    chunks = [_json(rows[i : i + CHUNK]).encode() for i in range(0, len(rows), CHUNK)]
    # Days after the earliest deadline, two digits a mission; the largest is "none".
    deadlines = [r.deadline for r in records]
    first = min((d for d in deadlines if d), default=wording.today)
    none = len(DIGITS) ** 2 - 1
    days = [min((d - first).days, none - 1) if d else none for d in deadlines]
    deadline_file = _json({"first": first.isoformat(),
                           "days": "".join(DIGITS[d // 64] + DIGITS[d % 64] for d in days)})
    facets = {
        "missions": len(records),
        "chunk": CHUNK,
        "groups": {
            group: {key: pack(numbers[group][key]) for key in sorted(numbers[group])}
            for group in GROUPS
        },
    }
    digest = hashlib.sha256(_json(facets).encode())
    for part in (*chunks, deadline_file.encode()):
        digest.update(part)
    made = [_json({"version": digest.hexdigest()[:12], **facets}).encode(),
            deadline_file.encode(), *chunks]
    return dict(zip(facet_names(folder, len(records)), made, strict=True))


def facet_names(folder: str, missions: int) -> list[str]:
    """The files of a facet index of `missions` missions (facet_index makes them), known
    without making them: a build that finds them unchanged does not."""
    chunks = (missions + CHUNK - 1) // CHUNK
    return [folder + "facets.json", folder + "deadlines.json",
            *(f"{folder}cards-{index}.json" for index in range(chunks))]


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------
# The index step (I/O edge): Pagefind over the staging folder, then the facet files


_BODY = b"data-pagefind-body"
# What Pagefind takes from anywhere in a page, not only from the elements marked
# data-pagefind-body: filters, metadata and sorts (attributes named data-pagefind-…), and
# the default title and image (the first <h1> and <img>). Tried with Pagefind 1.5.2.
_READ_ANYWHERE = (b"data-pagefind-", re.compile(rb"<(?:h1|img)"))  # one regex: 50 µs a page
# Elements whose text is not markup, and how they end: a "<tag" in their text is no tag.
_RAW_TEXT = re.compile(
    rb"<(!--|script|style|textarea|title|xmp|iframe|noscript|noembed|noframes|plaintext)")
_RAW_TEXT_END = {b"!--": b"-->", b"plaintext": b"\0"}  # else </name; plaintext never ends
_START_TAG = re.compile(rb"<([a-z][a-z0-9-]*)[\s/>]")  # lower case: else kept whole
_HTML_TAG = re.compile(rb"<html(?:\s[^<>]*)?>")
_VOID = frozenset(b"area base br col embed hr img input link meta source track wbr".split())


def index_copy(page: bytes) -> bytes | None:
    """What Pagefind needs of a mission page: None when it has no data-pagefind-body
    element (Pagefind leaves such pages out once another page has one), else the page
    reduced to its <html> tag and that element when nothing else in it can change the
    index, else the page as it is.

    Pagefind parses every element of the pages it reads; the head, header, navigation,
    footer (and on our mission pages the JSON-LD) are half of a page's bytes and most of
    its elements, and the closed missions' pages a tenth of the pages. Indexing copies
    without them takes 2.4 s less of Pagefind's 19 at 10,000 missions, for the same
    records (tests/test_search.py compares them with those of the whole pages).

    The element is found by its tag name, counting the nested ones of the same name:
    sure in markup that is escaped. Any doubt (two marked elements, a "<" in a comment, a
    script or another element whose text is not markup, an <html>, <head> or <body>
    marked, a void element, no end tag, Pagefind's attributes, an <h1> or an <img>
    outside the element) keeps the page whole: a page whole is never wrong.
    """
    at = page.find(_BODY)
    if at < 0:
        return None
    if page.find(_BODY, at + len(_BODY)) >= 0:
        return page
    start = page.rfind(b"<", 0, at)
    tag = _START_TAG.match(page, start)
    if tag is None or b">" in page[start:at] or tag[1] in _VOID or tag[1] in (
            b"html", b"head", b"body"):
        return page
    lower = page.lower()  # one copy, searched by position (6 µs; slices cost more)
    end = _end_of_element(lower, start, tag[1])
    html = _HTML_TAG.search(page, 0, start)
    if (end is None or html is None or _tags_in_raw_text(lower, start, end)
            or _read_anywhere(lower, 0, start) or _read_anywhere(lower, end, len(lower))):
        return page
    return b"<!doctype html>" + html[0] + b"<body>" + page[start:end] + b"</body></html>"


def _read_anywhere(lower: bytes, start: int, end: int) -> bool:
    attributes, tags = _READ_ANYWHERE
    return lower.find(attributes, start, end) >= 0 or tags.search(lower, start, end) is not None


def _tags_in_raw_text(lower: bytes, start: int, end: int) -> bool:
    """Whether some text that is not markup between `start` and `end` holds a "<": the
    elements nested in the marked one might then be counted wrong. An empty
    <script src=…></script> (the apply form's) holds none."""
    for found in _RAW_TEXT.finditer(lower, start, end):
        closer = _RAW_TEXT_END.get(found[1], b"</" + found[1])
        closed = lower.find(closer, found.end(), end)
        if closed < 0 or b"<" in lower[found.end():closed]:
            return True
    return False


def _end_of_element(lower: bytes, start: int, name: bytes) -> int | None:
    """Where the element whose start tag begins at `start` ends (after its end tag)."""
    opening = re.compile(b"<" + name + rb"[\s/>]|</" + name + rb"\s*>")
    depth = 0
    for found in opening.finditer(lower, start):
        depth += -1 if found[0].startswith(b"</") else 1
        if depth == 0:
            return found.end()
    return None


def start_pagefind(site: Path, expected: int, bundle: Path,
                   prefixes: Sequence[str] = ("",)) -> Indexing:
    """Start indexing `site` into the folder `bundle` (site/pagefind/ once in place) with
    the binary of the pagefind-bin package, and return at once: the caller goes on with
    other work while Pagefind runs, then calls what is returned to wait for it.

    Were no page marked data-pagefind-body, Pagefind would index every page: a board
    with nothing open (`expected` 0) gets no bundle, and search.js never asks for one.
    The command line rather than the Python API: the API answers each call after a
    0.1 s poll and hangs on get_files(), while the binary indexes the folder in one go and
    says how it went with its exit status. It runs in the site folder with no PAGEFIND_*
    variables, so that no stray pagefind.yml or environment changes the index.
    """
    from pagefind_bin import get_executable  # type: ignore[import-untyped]

    try:
        executable = get_executable()
    except FileNotFoundError as error:
        raise BuildError(
            f"the Pagefind binary is missing ({error}): reinstall the project "
            "(pip install -e .), or build with --no-search"
        ) from None
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    if not expected:
        return Indexing(None, None, bundle, expected)
    # Only mission pages carry data-pagefind-body: Pagefind need not read the others.
    pages = ",".join(f"{prefix}missions/*/index.html" for prefix in prefixes)
    command = [str(executable), "--site", ".", "--output-path", str(bundle.resolve()),
               "--glob", "{" + pages + "}", "--quiet"]
    # Its output goes to a file: a pipe nobody reads until the end could fill and stall it.
    output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Indexing, after Pagefind
    try:
        process = subprocess.Popen(command, cwd=site, env=environment, stdout=output,
                                   stderr=subprocess.STDOUT)
    except OSError as error:
        output.close()
        raise BuildError(f"Pagefind could not run: {error}") from error
    return Indexing(process, output, bundle, expected)


class Indexing:
    """A Pagefind run under way. Calling it waits for Pagefind, checks what it made and
    returns the number of files of the bundle; `stop` kills it. One or the other must be
    done on every path (the process is reaped, its output file closed)."""

    def __init__(self, process: subprocess.Popen[bytes] | None, output: IO[bytes] | None,
                 bundle: Path, expected: int) -> None:
        self.process, self.output, self.bundle, self.expected = process, output, bundle, expected
        self.started = process is not None  # False: nothing to index, Pagefind not run
        self.since = time.perf_counter()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        self._reap()

    def _reap(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        try:
            process.wait()
        finally:
            if self.output is not None:
                self.output.close()

    def __call__(self) -> int:
        if self.process is None:
            return 0
        output = self.output
        assert output is not None
        try:
            returncode = self.process.wait(timeout=3600)
        except subprocess.TimeoutExpired as error:
            self.stop()
            raise BuildError(f"Pagefind could not run: {error}") from error
        output.seek(0)
        said = output.read().decode("utf-8", "replace").strip()
        self._reap()
        if returncode != 0:
            raise BuildError(f"Pagefind failed (exit status {returncode}): {said[-2000:]}")
        bundle, expected = self.bundle, self.expected
        # One fragment per indexed page: anything else means the theme marks the wrong pages.
        indexed = sum(1 for _ in (bundle / "fragment").glob("*.pf_fragment"))
        if indexed != expected:
            raise BuildError(
                f"Pagefind indexed {indexed} pages but {expected} missions are open: the "
                "theme's mission.html must mark the content of open missions, and only "
                "theirs, with data-pagefind-body"
            )
        return sum(1 for path in bundle.rglob("*") if path.is_file())
