"""What other systems read: Atom and JSON feeds, the national mission feed, the sitemap,
robots.txt, schema.org JobPosting data and the share card (Open Graph). Pure.

Every piece of content text comes from strangers' pull requests, so XML is built with
ElementTree (which escapes text and attributes) and JSON with json.dumps; nothing here
pastes content into markup by hand.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import json
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape, unescape
from typing import Protocol

from babel.core import get_global
from babel.numbers import format_decimal

from generator.model import Association, Commitment, Mission, Site, Term
from generator.plan import (
    Page,
    Plan,
    Urls,
    feed_links,
)

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
NATIONAL_FEED = "missions.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
SHARE_IMAGE = "share.png"
SHARE_IMAGE_SIZE = (1200, 630)

# Pages that are not worth a search engine's time even though they are not noindex.
_NOT_IN_SITEMAP = frozenset({"search", "not_found"})

# Characters XML 1.0 cannot carry at all, even escaped; a stray one would make a whole
# feed unreadable, so they are dropped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

RenderMarkdown = Callable[[str], str]

# A link or image target in a text's HTML with no scheme and no host: relative to the
# mission page, where it works, but not in a feed reader, an aggregator or a search
# engine's copy of the text, which have no page to resolve it against. The HTML is
# markdown-it's (raw HTML off): `<` only opens its own tags, and `"` in an attribute
# value is always escaped.
_RELATIVE_TARGET = re.compile(r'(<a href="|<img src=")(?![^"/?#]*:|//)([^"]*)"')


def absolute_links(html: str, page_url: str) -> str:
    """A text's HTML with its relative links and images resolved against its page's
    absolute URL, for copies of the text read away from the page."""
    def absolute(match: re.Match[str]) -> str:
        url = urllib.parse.urljoin(page_url, unescape(match[2]))
        escaped = escape(url, quote=False).replace('"', "&quot;")  # as markdown-it does
        return f'{match[1]}{escaped}"'

    return _RELATIVE_TARGET.sub(absolute, html)


# A feed carries the newest missions of its listing, not all of them: readers poll feeds
# often and only show what is new, and a national board's feeds with every mission in full
# text would weigh hundreds of megabytes (the listing pages and missions.xml stay complete).
FEED_ITEMS = 50


class Strings(Protocol):
    """The theme's UI strings in one language (render.Translator)."""

    def __call__(self, key: str, count: int | None = None, /, **params: object) -> str: ...


@dataclass(frozen=True)
class Feed:
    """One listing's feed in one language: where it lives and what it holds."""

    lang: str
    folder: str  # "", "categories/<key>/" or "skills/<key>/"
    title: str
    page_url: str  # absolute URL of the listing the feed follows
    atom_url: str
    json_url: str
    missions: tuple[Mission, ...]  # open, newest first, at most FEED_ITEMS


@dataclass(frozen=True)
class ShareCard:
    """What Open Graph and Twitter cards show of a page."""

    title: str
    description: str
    url: str
    type: str  # "website" | "article"
    image: str  # absolute
    image_alt: str
    image_size: tuple[int, int] | None  # known only for the theme's own image
    large: bool  # summary_large_image, or a plain summary card for a square logo
    locale: str
    alternate_locales: tuple[str, ...]


# ---------------------------------------------------------------------------------------
# Feeds of the listings (build.py writes each file; see _Outputs)


def feed_title(site: Site, t: Strings, lang: str, kind: str | None, term: Term | None) -> str:
    """The title of a listing's feed, also used by the page's <link rel="alternate">."""
    title = site.config.title
    if term is None:
        return title
    key = "category_heading" if kind == "category" else "skill_heading"
    return f"{t(key, label=term.label(lang))} – {title}"


def feeds(site: Site, plan: Plan, strings: Mapping[str, Strings]) -> list[Feed]:
    """Every feed: in each language, the site-wide one, then one per category and skill
    (a term without open missions still gets its feed, empty)."""
    urls = plan.urls
    result = []
    for lang in site.config.languages:
        t = strings[lang]
        listed = plan.open_missions(lang, drafts=plan.drafts)
        groups: list[tuple[str, str | None, Term | None, tuple[Mission, ...]]] = [
            ("", None, None, listed)
        ]
        # Grouped in one pass: filtering every mission for each term is quadratic.
        by_term: dict[tuple[str, str], list[Mission]] = {}
        for mission in listed:
            for key in mission.categories:
                by_term.setdefault(("category", key), []).append(mission)
            for key in mission.skills:
                by_term.setdefault(("skill", key), []).append(mission)
        for category in site.vocabulary.categories:
            selected = tuple(by_term.get(("category", category.key), ()))
            groups.append((f"categories/{category.key}/", "category", category, selected))
        for skill in site.vocabulary.skills:
            selected = tuple(by_term.get(("skill", skill.key), ()))
            groups.append((f"skills/{skill.key}/", "skill", skill, selected))
        for folder, kind, term, missions in groups:
            links = feed_links(urls, lang, folder)
            result.append(Feed(
                lang=lang,
                folder=folder,
                title=feed_title(site, t, lang, kind, term),
                page_url=urls.absolute(lang, folder),
                atom_url=links.atom,
                json_url=links.json,
                missions=missions[:FEED_ITEMS],
            ))
    return result


# ---------------------------------------------------------------------------------------
# Atom (RFC 4287) and JSON Feed 1.1


def atom_feed(site: Site, plan: Plan, feed: Feed, html: RenderMarkdown) -> bytes:
    urls = plan.urls
    # The namespace is written as a plain attribute so that the output reads
    # <feed xmlns="..."> without registering prefixes in ElementTree's global table.
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": feed.lang})
    _text(root, "id", feed.atom_url)
    _text(root, "title", feed.title)
    _text(root, "subtitle", site.config.description)
    _text(root, "updated", _rfc3339(_updated(feed.missions, plan.today)))
    ET.SubElement(root, "link", {"rel": "self", "type": "application/atom+xml",
                                 "href": feed.atom_url})
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html",
                                 "href": feed.page_url})
    author = ET.SubElement(root, "author")
    _text(author, "name", site.config.title)
    _text(author, "uri", urls.absolute(feed.lang))
    _text(root, "generator", "missions-generator")
    for mission in feed.missions:
        association = site.association(mission.association, feed.lang)
        entry = ET.SubElement(root, "entry")
        url = mission_url(urls, mission)
        _text(entry, "id", url)
        _text(entry, "title", mission.title)
        _text(entry, "published", _rfc3339(mission.posted))
        _text(entry, "updated", _rfc3339(mission.posted))
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": url})
        entry_author = ET.SubElement(entry, "author")
        _text(entry_author, "name", association.name)
        _text(entry_author, "uri", association_url(urls, association, feed.lang))
        for key in mission.categories:
            ET.SubElement(entry, "category", {
                "term": key, "label": _clean(site.vocabulary.category(key).label(feed.lang)),
            })
        _text(entry, "summary", mission.summary, type="text")
        _text(entry, "content", absolute_links(html(mission.body), url), type="html")
    return _xml(root)


def json_feed(site: Site, plan: Plan, feed: Feed, html: RenderMarkdown) -> bytes:
    urls = plan.urls
    items = []
    for mission in feed.missions:
        association = site.association(mission.association, feed.lang)
        url = mission_url(urls, mission)
        item: dict[str, object] = {
            "id": url,
            "url": url,
            "title": mission.title,
            "summary": mission.summary,
            "content_html": absolute_links(html(mission.body), url),
            "date_published": _rfc3339(mission.posted),
            "authors": [{"name": association.name,
                         "url": association_url(urls, association, feed.lang)}],
            "tags": [site.vocabulary.category(k).label(feed.lang) for k in mission.categories],
            "language": mission.lang,
        }
        if mission.image:
            item["image"] = mission.image
        items.append(item)
    document = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.page_url,
        "feed_url": feed.json_url,
        "description": site.config.description,
        "language": feed.lang,
        "authors": [{"name": site.config.title, "url": urls.absolute(feed.lang)}],
        "items": items,
    }
    # Compact: indenting takes json's pure-Python encoder, five times slower (a fifth of
    # the feeds' time at 10,000 missions), for readers that are programs.
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
            ).encode("utf-8")


# ---------------------------------------------------------------------------------------
# The national mission feed (API Engagement XML import format)


def national_feed(
    site: Site, plan: Plan, html: RenderMarkdown, t: Strings,
    item: Callable[[Mission], str] | None = None,
) -> bytes:
    """missions.xml: open missions of the default language in the XML format the French
    national mission API imports. Drafts never go there, even in a drafts build: it is
    read by a third party, not by people previewing the board.

    Each <mission> is serialised on its own (`national_item`), so that a build can reuse
    the items of missions that did not change: `item`, when given, returns the same text
    as national_item, from a cache."""
    make = item or (lambda mission: national_item(site, plan.urls, html, t, mission))
    missions = plan.open_missions(site.config.default_language, drafts=False)
    parts = [national_head(site, plan)]
    for mission in missions:
        parts.append(NATIONAL_ITEM_START)
        parts.append(make(mission))
    parts.append(NATIONAL_END)
    return "".join(parts).encode("utf-8")


# The file is the head, then each item after NATIONAL_ITEM_START, then NATIONAL_END.
NATIONAL_ITEM_START = "\n  "
NATIONAL_END = "\n</source>\n"


def national_head(site: Site, plan: Plan) -> str:
    """What missions.xml holds before its first item."""
    root = ET.Element("source")
    _text(root, "publisher", site.config.title)
    _text(root, "publisherurl", plan.urls.base_url)
    _text(root, "lastBuildDate", _rfc822(plan.today))
    head = _serialized(root).removesuffix("</source>")
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + head.rstrip("\n")


def national_item(site: Site, urls: Urls, html: RenderMarkdown, t: Strings,
                  mission: Mission) -> str:
    """One <mission> of missions.xml, indented for its place in the file. Written as
    text (_fields) rather than through ElementTree: one is made for every open mission
    of every build, a tenth of the rendering workers' time that way."""
    lang = site.config.default_language
    association = site.association(mission.association, lang)
    item: list[_Field] = []
    _field(item, "clientId", mission.slug)
    _field(item, "title", mission.title)
    _field(item, "description", absolute_links(html(mission.body), mission_url(urls, mission)))
    _field(item, "applicationUrl", application_url(urls, mission))
    _field(item, "postedAt", _iso_instant(mission.posted))
    if mission.start:
        _field(item, "startAt", _iso_instant(mission.start))
    if mission.end:
        _field(item, "endAt", _iso_instant(mission.end))
    _field(item, "domain", mission.categories[0])
    if mission.skills:
        labels = (site.vocabulary.skill(k).label(lang) for k in mission.skills)
        # The API splits tags on commas, so a comma inside one label would split it.
        _field(item, "tags", ",".join(label.replace(",", " ") for label in labels))
    _field(item, "remote", mission.remote)
    if mission.places:
        _field(item, "places", str(mission.places))
    _field(item, "schedule", commitment_text(t, lang, mission.commitment))
    if mission.open_to_minors is not None:
        _field(item, "openToMinors", "yes" if mission.open_to_minors else "no")
    if mission.accessible is not None:
        _field(item, "reducedMobilityAccessible", "yes" if mission.accessible else "no")
    if mission.image:
        _field(item, "image", mission.image)
    if mission.location is not None:
        location = mission.location
        address: list[_Field] = []
        if location.postal_code:
            _field(address, "postalCode", location.postal_code)
        _field(address, "city", location.city)
        if location.region:
            _field(address, "region", location.region)
        _field(address, "country", location.country)
        item.append(("addresses", [("address", address)]))
    _field(item, "organizationName", association.name)
    _field(item, "organizationClientId", association.slug)
    _field(item, "organizationUrl",
           association.website or association_url(urls, association, lang))
    if association.rna:
        _field(item, "organizationRNA", association.rna)
    _field(item, "organizationDescription", association.summary)
    if association.logo:
        _field(item, "organizationLogo", association.logo)
    return _fields("mission", item, "\n  ")


def application_url(urls: Urls, mission: Mission) -> str:
    """Where a volunteer applies: the association's own page when the route is a URL,
    else the apply section of the mission page (form or e-mail, built there)."""
    if mission.apply.kind == "url":
        return mission.apply.target
    return mission_url(urls, mission) + "#apply"


def commitment_text(t: Strings, lang: str, commitment: Commitment) -> str:
    return t(f"commitment_{commitment.per}", hours=_decimal(commitment.hours, lang))


@functools.lru_cache(maxsize=1024)
def _decimal(value: float, lang: str) -> str:
    # Pure, and slow next to the rest of an item: a board repeats a few durations.
    return format_decimal(value, locale=lang)


# ---------------------------------------------------------------------------------------
# sitemap.xml and robots.txt


SitemapEntry = tuple[str, str, tuple[tuple[str, str], ...]]  # loc, lastmod, alternates


def sitemap_entries(site: Site, plan: Plan) -> tuple[SitemapEntry, ...]:
    """Every indexable page: no closed mission, no draft, no 404, no search page; each
    with its translations as hreflang alternates."""
    listed = [p for p in plan.pages if not p.noindex and p.kind not in _NOT_IN_SITEMAP]
    indexable = {p.url for p in listed}
    newest = {
        lang: _newest(plan.open_missions(lang, drafts=False))
        for lang in site.config.languages
    }
    entries = []
    for page in listed:
        lastmod = _lastmod(page) or newest[page.lang] or plan.today
        alternates = tuple((a.lang, a.url) for a in page.alternates if a.url in indexable)
        entries.append((page.url, lastmod.isoformat(), alternates if len(alternates) > 1 else ()))
    return tuple(entries)


def sitemap_xml(entries: Sequence[SitemapEntry]) -> bytes:
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:xhtml": XHTML_NS})
    for loc, lastmod, alternates in entries:
        url = ET.SubElement(root, "url")
        _text(url, "loc", loc)
        _text(url, "lastmod", lastmod)
        for lang, href in alternates:
            ET.SubElement(url, "xhtml:link", {"rel": "alternate", "hreflang": lang,
                                              "href": href})
    return _xml(root)


def _lastmod(page: Page) -> dt.date | None:
    # Missions carry no modification date; a mission page changes when it is posted,
    # and a listing when its newest mission arrives.
    if page.mission is not None:
        return page.mission.posted
    return _newest(page.missions)


def robots(urls: Urls) -> bytes:
    # Crawlers only read robots.txt at the root of a host: under a sub-path it is
    # written all the same, for hosts where the board is the whole site.
    return (
        "User-agent: *\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {urls.site_file(SITEMAP)}\n"
    ).encode()


# ---------------------------------------------------------------------------------------
# schema.org JobPosting and the share card, for the page templates


def job_posting(
    page: Page, site: Site, urls: Urls, html: RenderMarkdown, t: Strings
) -> dict[str, object]:
    """schema.org JobPosting of an open mission page, for a JSON-LD script element.
    The template serialises it with `script_json` (render.py), which escapes every <."""
    mission = page.mission
    association = page.association
    if mission is None or association is None:
        raise ValueError(f"{page.output} is not a mission page")
    organization: dict[str, object] = {"@type": "Organization", "name": association.name}
    if association.website:
        organization["url"] = association.website
        organization["sameAs"] = [association.website, *association.social]
    else:
        organization["url"] = association_url(urls, association, page.lang)
    if association.logo:
        organization["logo"] = association.logo
    posting: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": mission.title,
        "description": absolute_links(html(mission.body), page.url),
        "datePosted": mission.posted.isoformat(),
        "employmentType": "VOLUNTEER",
        "hiringOrganization": organization,
        "directApply": mission.apply.kind == "form",  # the form is on the page itself
        "url": page.url,
        "identifier": {"@type": "PropertyValue", "name": site.config.title,
                       "value": mission.slug},
        "workHours": commitment_text(t, page.lang, mission.commitment),
        "inLanguage": mission.lang,
    }
    if mission.deadline:
        posting["validThrough"] = mission.deadline.isoformat()
    if mission.places:
        posting["totalJobOpenings"] = mission.places
    if mission.image:
        posting["image"] = mission.image
    if mission.remote != "full" and mission.location is not None:
        location = mission.location
        address: dict[str, object] = {"@type": "PostalAddress",
                                      "addressLocality": location.city}
        if location.postal_code:
            address["postalCode"] = location.postal_code
        if location.region:
            address["addressRegion"] = location.region
        address["addressCountry"] = location.country
        posting["jobLocation"] = {"@type": "Place", "address": address}
    if mission.remote != "no":
        # Both a place and TELECOMMUTE for "possible", as search engines expect.
        posting["jobLocationType"] = "TELECOMMUTE"
        posting["applicantLocationRequirements"] = {
            "@type": "Country", "name": site.config.country,
        }
    return posting


def share_card(page: Page, site: Site, urls: Urls, t: Strings) -> ShareCard:
    config = site.config
    mission, association = page.mission, page.association
    title, description = config.title, config.description
    if mission is not None:
        title, description = mission.title, mission.summary
    elif association is not None:
        title, description = association.name, association.summary
    elif page.term is not None:
        title = feed_title(site, t, page.lang, page.kind, page.term)

    image, alt, large = urls.asset_url(SHARE_IMAGE), config.title, True
    size: tuple[int, int] | None = SHARE_IMAGE_SIZE
    if mission is not None and mission.image:
        image, alt, size = mission.image, mission.image_alt or mission.title, None
    elif association is not None and association.logo:
        # Logos are square-ish: a large card would crop them.
        image, alt, size = association.logo, association.logo_alt or association.name, None
        large = False
    return ShareCard(
        title=title,
        description=description,
        url=page.url,
        type="article" if mission is not None else "website",
        image=image,
        image_alt=alt,
        image_size=size,
        large=large,
        locale=og_locale(page.lang),
        alternate_locales=tuple(og_locale(a.lang) for a in page.alternates
                                if a.lang != page.lang),
    )


def og_locale(lang: str) -> str:
    """Open Graph wants language_TERRITORY: the language's most likely territory."""
    likely = get_global("likely_subtags").get(lang)
    territory = likely.split("_")[-1] if likely else ""
    return f"{lang}_{territory}" if territory.isalpha() and territory.isupper() else lang


# ---------------------------------------------------------------------------------------
# Small helpers


def mission_url(urls: Urls, mission: Mission) -> str:
    return urls.absolute(mission.lang, f"missions/{mission.slug}/")


def association_url(urls: Urls, association: Association, lang: str) -> str:
    return urls.absolute(lang, f"associations/{association.slug}/")


def _newest(missions: Sequence[Mission]) -> dt.date | None:
    return max((m.posted for m in missions), default=None)


def _updated(missions: Sequence[Mission], today: dt.date) -> dt.date:
    return _newest(missions) or today


def _rfc3339(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _iso_instant(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00.000Z"


def _rfc822(day: dt.date) -> str:
    return email.utils.format_datetime(
        dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), usegmt=True
    )


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = _clean(text)
    return element


def _xml(root: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + _serialized(root).encode() + b"\n"


def _cdata(text: str) -> str:
    # str.replace, each a pass in C only when needed: str.translate looks every character
    # up in a dict, slower on descriptions of thousands of characters.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attribute(text: str) -> str:
    text = _cdata(text)
    for character, escaped in (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"),
                               ("\t", "&#09;")):
        if character in text:
            text = text.replace(character, escaped)
    return text


_Field = tuple[str, "str | list[_Field]"]  # an element: its text, or its elements


def _field(fields: list[_Field], tag: str, text: str) -> None:
    fields.append((tag, text))


def _fields(tag: str, fields: list[_Field], indentation: str) -> str:
    """What _serialized gives for an element holding `fields` (none empty of elements),
    indented as at `indentation` (a newline, then two spaces a level)."""
    inner = indentation + "  "
    parts = [f"<{tag}>"]
    invalid = _XML_INVALID.search
    for name, value in fields:
        if isinstance(value, list):
            parts.append(inner + _fields(name, value, inner))
            continue
        # _clean and _cdata, inline: sixteen fields an item, ten thousand items.
        text = _clean(value) if invalid(value) else value
        if "&" in text or "<" in text or ">" in text:
            text = _cdata(text)
        parts.append(f"{inner}<{name}>{text}</{name}>" if text else f"{inner}<{name} />")
    parts.append(f"{indentation}</{tag}>")
    return "".join(parts)


def _serialized(root: ET.Element, level: int = 0) -> str:
    """What `ET.indent(root, level=level)` then `ET.tostring(root, encoding="unicode")`
    give, without changing `root`, for the elements made here (names without a {uri}
    part, no comments). ElementTree's serializer is pure Python, and slow: 0.1 ms a
    missions.xml item, a tenth of the Python work of a clean build. The same escapes
    (those of Python 3.11's ElementTree); tests compare both on many trees."""
    parts: list[str] = []
    append = parts.append

    def write(element: ET.Element, indentation: str) -> None:
        tag = element.tag
        append("<" + tag)
        for key, value in element.attrib.items():
            append(f' {key}="{_attribute(value)}"')
        text = element.text
        if len(element):
            inner = indentation + "  "
            append(">")
            append(_cdata(text) if text and text.strip() else inner)
            last = len(element) - 1
            for index, child in enumerate(element):
                write(child, inner)
                tail = child.tail
                if tail and tail.strip():
                    append(_cdata(tail))
                else:
                    append(inner if index < last else indentation)
            append(f"</{tag}>")
        elif text:
            append(f">{_cdata(text)}</{tag}>")
        else:
            append(" />")

    write(root, "\n" + "  " * level)
    if root.tail:
        append(_cdata(root.tail))
    return "".join(parts)
