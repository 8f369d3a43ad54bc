"""Plan every page of the site: which file, which template, which model objects. Pure."""

from __future__ import annotations

import abc
import datetime as dt
import math
import operator
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from generator.model import Association, Mission, Site, Term


@dataclass(frozen=True)
class Urls:
    """Every URL the site makes, under the base URL's path and the language prefix."""

    base_url: str  # absolute, ends with "/"
    default_language: str

    @property
    def base_path(self) -> str:
        return "/" + self.base_url.split("://", 1)[1].split("/", 1)[1]

    def prefix(self, lang: str) -> str:
        return "" if lang == self.default_language else f"{lang}/"

    def path(self, lang: str, route: str = "") -> str:
        """Root-relative URL of a route ("missions/x/") in a language."""
        return self.base_path + self.prefix(lang) + route

    def absolute(self, lang: str, route: str = "") -> str:
        return self.base_url + self.prefix(lang) + route

    def asset(self, name: str) -> str:
        return self.base_path + "static/" + name

    def asset_url(self, name: str) -> str:
        """Absolute URL of a theme asset, for other sites (og:image) that need one."""
        return self.base_url + "static/" + name

    def site_file(self, name: str) -> str:
        """Absolute URL of a file at the root of the site (sitemap.xml, missions.xml)."""
        return self.base_url + name

    def output(self, lang: str, route: str) -> str:
        """File written for a route: directories get an index.html."""
        relative = self.prefix(lang) + route
        return relative + "index.html" if relative == "" or relative.endswith("/") else relative


@dataclass(frozen=True)
class Alternate:
    lang: str
    url: str  # absolute


FEED_ATOM = "feed.xml"
FEED_JSON = "feed.json"


@dataclass(frozen=True)
class FeedLinks:
    """The Atom and JSON feeds of a listing, which sit in the listing's folder."""

    atom: str  # absolute
    json: str  # absolute


def feed_links(urls: Urls, lang: str, folder: str) -> FeedLinks:
    """`folder` is the route of the listing's first page: "", "categories/numerique/", ..."""
    return FeedLinks(
        urls.absolute(lang, folder + FEED_ATOM),
        urls.absolute(lang, folder + FEED_JSON),
    )


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int
    urls: tuple[str, ...]  # root-relative URL of every page, in order
    count: int  # missions over all pages

    @property
    def previous(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.urls[self.number] if self.number < self.total else None

    @property
    def window(self) -> tuple[int | None, ...]:
        """Page numbers to link: first, last, two around the current; None for a gap."""
        shown = sorted({1, self.total, *range(self.number - 2, self.number + 3)})
        result: list[int | None] = []
        for n in (n for n in shown if 1 <= n <= self.total):
            previous = result[-1] if result else None
            if previous is not None and n - previous == 2:
                result.append(previous + 1)  # an ellipsis would hide a single page
            elif previous is not None and n - previous > 2:
                result.append(None)
            result.append(n)
        return tuple(result)


@dataclass(frozen=True)
class TermCount:
    kind: str  # "category" | "skill"
    term: Term
    count: int


@dataclass(frozen=True)
class Page:
    """One output file and everything its template needs."""

    kind: str  # home | listing | category | skill | mission | association | ...
    template: str
    lang: str
    route: str
    output: str
    url: str  # absolute, canonical
    alternates: tuple[Alternate, ...]
    noindex: bool = False
    missions: tuple[Mission, ...] = ()
    mission: Mission | None = None
    association: Association | None = None
    associations: tuple[Association, ...] = ()
    term: Term | None = None
    pagination: Pagination | None = None
    terms: tuple[TermCount, ...] = ()
    association_counts: tuple[int, ...] = ()  # open missions of each of `associations`
    closed: bool = False
    feeds: FeedLinks | None = None  # on listings that have feeds of their own


class LazyPages(Sequence[Page]):
    """Pages made when first asked for, whose output and kind are known without them: a
    plan kept on disk by an earlier build (build.Planned). A rebuild after an edit then
    makes the few pages it renders or fingerprints again, not all 13,887 at 10,000
    missions (50 ms and 20 MB of memory of a rebuild of under a second)."""

    outputs: tuple[str, ...]  # Page.output of each page, in order
    kinds: tuple[str, ...]  # Page.kind of each page

    @abc.abstractmethod
    def with_objects(self, new: Mapping[str, Association | Mission]) -> LazyPages:
        """These pages with the objects of `new` (by source file) in place of theirs."""


def page_outputs(pages: Sequence[Page]) -> tuple[str, ...]:
    """The output of each page, without making the pages of a LazyPages."""
    return pages.outputs if isinstance(pages, LazyPages) else tuple(p.output for p in pages)


def page_kinds(pages: Sequence[Page]) -> tuple[str, ...]:
    return pages.kinds if isinstance(pages, LazyPages) else tuple(p.kind for p in pages)


@dataclass(frozen=True)
class Plan:
    pages: Sequence[Page]  # a tuple, or LazyPages for a plan kept on disk
    urls: Urls
    today: dt.date
    drafts: bool = False  # whether drafts are listed (and so in the feeds)
    # open_missions() of each language, drafts as the build lists them, then without.
    listed: Mapping[str, tuple[Mission, ...]] = field(default_factory=dict)
    public: Mapping[str, tuple[Mission, ...]] = field(default_factory=dict)

    def open_missions(self, lang: str, *, drafts: bool) -> tuple[Mission, ...]:
        """What open_missions() gives, worked out once by plan()."""
        return self.listed[lang] if drafts == self.drafts else self.public[lang]


def open_missions(site: Site, lang: str, today: dt.date, drafts: bool) -> tuple[Mission, ...]:
    """Missions listed in a language: not closed, not drafts (unless asked), newest first."""
    missions = [m for m in site.missions if is_open(m, lang, today, drafts=drafts)]
    missions.sort(key=lambda m: (-m.posted.toordinal(), m.slug))
    return tuple(missions)


def is_open(mission: Mission, lang: str, today: dt.date, *, drafts: bool) -> bool:
    """Whether open_missions(site, lang, today, drafts) lists `mission`."""
    return (mission.lang == lang and not mission.is_closed(today)
            and (drafts or not mission.draft))


def plan(site: Site, today: dt.date, *, drafts: bool = False, base_url: str | None = None) -> Plan:
    config = site.config
    urls = Urls(base_url or config.base_url, config.default_language)
    languages = config.languages
    pages: list[Page] = []
    listed_by_lang: dict[str, tuple[Mission, ...]] = {}

    def everywhere(route: str) -> tuple[Alternate, ...]:
        return tuple(Alternate(lang, urls.absolute(lang, route)) for lang in languages)

    def page(lang: str, route: str, **fields: object) -> Page:
        alternates = fields.pop("alternates", None) or everywhere(route)
        return Page(
            lang=lang,
            route=route,
            output=urls.output(lang, route),
            url=urls.absolute(lang, route),
            alternates=alternates,  # type: ignore[arg-type]
            **fields,  # type: ignore[arg-type]
        )

    for lang in languages:
        listed = listed_by_lang[lang] = open_missions(site, lang, today, drafts)
        all_versions = [m for m in site.missions if m.lang == lang and (drafts or not m.draft)]
        associations = tuple(
            sorted(
                (site.association(a.slug, lang) for a in site.associations
                 if a.lang == config.default_language),
                key=lambda a: a.name.casefold(),
            )
        )
        category_counts = _counts(site.vocabulary.categories, "category", listed,
                                  lambda m: m.categories)
        skill_counts = _counts(site.vocabulary.skills, "skill", listed, lambda m: m.skills)

        site_feeds = feed_links(urls, lang, "")
        pages.append(page(lang, "", kind="home", template="home.html", missions=listed,
                          associations=associations,
                          terms=category_counts + skill_counts, feeds=site_feeds))
        pages.extend(_paginate(page, urls, lang, "missions/", "listing", listed, config.per_page,
                               feeds=site_feeds))
        pages.append(page(lang, "categories/", kind="categories", template="terms.html",
                          terms=category_counts))
        pages.append(page(lang, "skills/", kind="skills", template="terms.html",
                          terms=skill_counts))
        # Group once: scanning every mission for each term or association is quadratic.
        by_term = _group(listed, lambda m: [("category", k) for k in m.categories]
                         + [("skill", k) for k in m.skills])
        by_association = _group(listed, lambda m: [m.association])
        for counted in category_counts + skill_counts:
            folder = "categories" if counted.kind == "category" else "skills"
            selected = by_term.get((counted.kind, counted.term.key), ())
            route = f"{folder}/{counted.term.key}/"
            pages.extend(
                _paginate(page, urls, lang, route, counted.kind, selected,
                          config.per_page, term=counted.term,
                          feeds=feed_links(urls, lang, route))
            )
        pages.append(page(lang, "associations/", kind="associations",
                          template="associations.html", associations=associations,
                          association_counts=tuple(
                              len(by_association.get(a.slug, ())) for a in associations)))
        for association in associations:
            pages.append(page(
                lang, f"associations/{association.slug}/", kind="association",
                template="association.html", association=association,
                missions=by_association.get(association.slug, ()),
            ))
        for mission in all_versions:
            closed = mission.is_closed(today)
            versions = tuple(
                Alternate(other, urls.absolute(other, f"missions/{mission.slug}/"))
                for other in site.mission_languages(mission.slug)
            )
            pages.append(page(
                lang, f"missions/{mission.slug}/", kind="mission", template="mission.html",
                mission=mission, association=site.association(mission.association, lang),
                alternates=versions, noindex=closed or mission.draft, closed=closed,
            ))
        pages.append(page(lang, "search/", kind="search", template="search.html",
                          terms=category_counts + skill_counts))
        pages.append(page(lang, "404.html", kind="not_found", template="404.html",
                          noindex=True))
    # A translation link must lead somewhere: page 3 of a listing may exist in one
    # language only, and a mission may have no English version.
    existing = {p.url for p in pages}
    pages = [
        p if all(a.url in existing for a in p.alternates)
        else replace(p, alternates=tuple(a for a in p.alternates if a.url in existing))
        for p in pages
    ]
    public = listed_by_lang if not drafts else {
        lang: tuple(m for m in missions if not m.draft) for lang, missions in listed_by_lang.items()
    }
    return Plan(tuple(pages), urls, today, drafts, listed_by_lang, public)


def _counts(
    terms: Sequence[Term],
    kind: str,
    missions: Sequence[Mission],
    keys: Callable[[Mission], tuple[str, ...]],
) -> tuple[TermCount, ...]:
    counts: dict[str, int] = {}
    for mission in missions:
        for key in keys(mission):
            counts[key] = counts.get(key, 0) + 1
    return tuple(TermCount(kind, term, counts.get(term.key, 0)) for term in terms)


def _group(
    missions: Sequence[Mission], keys: Callable[[Mission], Sequence[Hashable]]
) -> dict[Hashable, tuple[Mission, ...]]:
    """Missions under each of their keys, in the order given (newest first)."""
    groups: dict[Hashable, list[Mission]] = {}
    for mission in missions:
        for key in keys(mission):
            groups.setdefault(key, []).append(mission)
    return {key: tuple(group) for key, group in groups.items()}


def _paginate(
    page: Callable[..., Page],
    urls: Urls,
    lang: str,
    route: str,
    kind: str,
    missions: tuple[Mission, ...],
    per_page: int,
    *,
    term: Term | None = None,
    feeds: FeedLinks | None = None,
) -> list[Page]:
    total = max(1, math.ceil(len(missions) / per_page))
    routes = [route] + [f"{route}page/{n}/" for n in range(2, total + 1)]
    paths = tuple(urls.path(lang, r) for r in routes)
    return [
        page(
            lang, r, kind=kind, template="listing.html", term=term, feeds=feeds,
            missions=missions[(n - 1) * per_page : n * per_page],
            pagination=Pagination(n, total, paths, len(missions)),
        )
        for n, r in enumerate(routes, start=1)
    ]


_source = operator.attrgetter("source")


def planned_fields(made: Association | Mission) -> tuple[object, ...]:
    """What plan() reads of a mission or association. Of a board with the same files,
    objects with the same planned fields are planned alike whatever else changed (a
    title, a place): with_objects then gives what plan() would (a test checks every
    other field)."""
    if isinstance(made, Mission):
        return (made.slug, made.lang, made.deadline, made.draft, made.posted,
                made.categories, made.skills, made.association)
    return (made.slug, made.lang, made.name)  # listed by name


def holders(site_plan: Plan) -> dict[str, tuple[int, ...]]:
    """Where each mission and association is in the plan: the positions in
    site_plan.pages of the pages holding it, by source file (for with_objects)."""
    found: dict[str, list[int]] = {}
    for index, page in enumerate(site_plan.pages):
        held = [*page.missions, *page.associations]
        if page.mission is not None:
            held.append(page.mission)
        if page.association is not None:
            held.append(page.association)
        for source in set(map(_source, held)):
            found.setdefault(source, []).append(index)
    return {source: tuple(indexes) for source, indexes in found.items()}


def with_objects(site_plan: Plan, new: Mapping[str, Association | Mission],
                 where: Mapping[str, Sequence[int]]) -> Plan:
    """The same plan with the missions and associations of `new` (by source file) in
    place of their earlier versions; `where` is holders(site_plan), which holds for the
    plan returned too (the pages keep their places).

    For a board with the same files, whose objects all have the same planned_fields as
    when `site_plan` was made: plan() would give the same pages, but for these objects
    (after an edit of a text or a title: 0.4 s saved at 10,000 missions)."""
    pages: Sequence[Page]
    if isinstance(site_plan.pages, LazyPages):
        pages = site_plan.pages.with_objects(new)
    else:
        swapped = list(site_plan.pages)
        for index in sorted({i for source in new for i in where.get(source, ())}):
            swapped[index] = _swap_objects(swapped[index], new)
        pages = tuple(swapped)
    return replace(
        site_plan, pages=pages,
        listed={lang: _swapped(m, new) for lang, m in site_plan.listed.items()},
        public={lang: _swapped(m, new) for lang, m in site_plan.public.items()},
    )


def _swap_objects(page: Page, new: Mapping[str, Association | Mission]) -> Page:
    """`page` with the objects of `new` (by source file) in place of its own."""

    def one(value: Any) -> Any:
        return new.get(value.source, value) if value is not None else None

    return replace(page, mission=one(page.mission), association=one(page.association),
                   missions=_swapped(page.missions, new),
                   associations=_swapped(page.associations, new))


def _swapped(objects: tuple[Any, ...], new: Mapping[str, Association | Mission]
             ) -> tuple[Any, ...]:
    if new.keys().isdisjoint(map(_source, objects)):  # a loop in C: 10,000 cards
        return objects
    return tuple(new.get(o.source, o) for o in objects)
