"""Reach: Atom and JSON feeds, the national mission feed, sitemap.xml, robots.txt,
schema.org JobPosting and link-preview metadata, checked on the built output."""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import BuildOptions, build
from generator.render import script_json
from tests.conftest import EXAMPLE_CONTENT, TODAY

BASE_URL = "https://example.org/board/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
NATIONAL_REQUIRED = (
    "clientId", "title", "description", "applicationUrl", "postedAt", "domain", "remote",
    "organizationName", "organizationUrl", "organizationDescription",
)
CLOSED = ("relecture-glossaire-juridique-asile", "campagne-collecte-fonds-fin-annee")
DRAFT = "suivi-administratif-adoptions"
HOSTILE_TITLE = "</script><script>alert(1)</script> \"Café\" & 'thé' <!--"


class Head(HTMLParser):
    """Meta tags (by name or property), <link> tags, JSON-LD blocks and visible links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str]] = []
        self.json_ld: list[str] = []
        self.anchors: list[tuple[str, str]] = []  # (href, text)
        self._script: list[str] | None = None
        self._anchor: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("name" in values or "property" in values):
            key = values.get("property") or values["name"]
            self.meta.setdefault(key, []).append(values.get("content", ""))
        elif tag == "link":
            self.links.append(values)
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._script = []
        elif tag == "a":
            self._anchor = (values.get("href", ""), [])

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        if self._anchor is not None:
            self._anchor[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.json_ld.append("".join(self._script))
            self._script = None
        elif tag == "a" and self._anchor is not None:
            self.anchors.append((self._anchor[0], "".join(self._anchor[1]).strip()))
            self._anchor = None


def head(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def all_listing_slugs(site: Path, folder: str) -> list[str]:
    """Missions shown on a listing and its next pages, in order: what the feeds must hold."""
    pages = [site / folder / "index.html", *sorted(
        (site / folder / "page").glob("*/index.html"), key=lambda p: int(p.parent.name)
    )]
    text = "".join(p.read_text(encoding="utf-8") for p in pages if p.exists())
    return re.findall(r'class="card-title"><a href="[^"]*/missions/([a-z0-9-]+)/"', text)


def page(site: Path, route: str) -> Path:
    return site / route / "index.html"


def atom(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == f"{ATOM}feed"
    return root


def atom_slugs(root: ET.Element) -> list[str]:
    return [_slug(e.findtext(f"{ATOM}id", "")) for e in root.findall(f"{ATOM}entry")]


def json_feed(path: Path) -> dict[str, object]:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def json_slugs(document: dict[str, object]) -> list[str]:
    items = document["items"]
    assert isinstance(items, list)
    return [_slug(item["id"]) for item in items]


def _slug(url: str) -> str:
    match = re.search(r"/missions/([a-z0-9-]+)/$", url)
    assert match, url
    return match.group(1)


def job_posting(path: Path) -> dict[str, object]:
    blocks = head(path).json_ld
    assert len(blocks) == 1, f"{path}: {len(blocks)} JSON-LD blocks"
    data = json.loads(blocks[0])
    assert isinstance(data, dict)
    return data


def vocabulary_keys(kind: str) -> list[str]:
    data = yaml.safe_load((EXAMPLE_CONTENT / "vocabulary.yaml").read_text(encoding="utf-8"))
    return list(data[kind])


# --- Atom and JSON feeds ---------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_every_listing_has_its_atom_and_json_feed_in_each_language(example_site: Path,
                                                                   prefix: str) -> None:
    folders = [""]
    folders += [f"categories/{key}/" for key in vocabulary_keys("categories")]
    folders += [f"skills/{key}/" for key in vocabulary_keys("skills")]
    for folder in folders:
        feed_url = f"{BASE_URL}{prefix}{folder}feed.xml"
        root = atom(example_site / prefix / folder / "feed.xml")
        self_links = [link.get("href") for link in root.findall(f"{ATOM}link")
                      if link.get("rel") == "self"]
        assert self_links == [feed_url]
        document = json_feed(example_site / prefix / folder / "feed.json")
        assert document["feed_url"] == f"{BASE_URL}{prefix}{folder}feed.json"
        assert document["home_page_url"] == f"{BASE_URL}{prefix}{folder}"


def test_atom_feed_has_the_required_elements_and_absolute_urls(example_site: Path) -> None:
    root = atom(example_site / "feed.xml")
    assert root.findtext(f"{ATOM}id") == f"{BASE_URL}feed.xml"
    assert root.findtext(f"{ATOM}title") == "Bénévoles en ligne"
    assert dt.datetime.fromisoformat(root.findtext(f"{ATOM}updated", ""))
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    entries = root.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        url = entry.findtext(f"{ATOM}id", "")
        assert url.startswith(f"{BASE_URL}missions/")
        assert entry.findtext(f"{ATOM}title")
        updated = entry.findtext(f"{ATOM}updated", "")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", updated)
        links = [link.get("href") for link in entry.findall(f"{ATOM}link")]
        assert links == [url]
        assert entry.find(f"{ATOM}summary") is not None
        assert entry.findtext(f"{ATOM}summary")
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "html"
        assert "<p>" in (content.text or "")  # the rendered Markdown, as escaped HTML
        assert entry.findtext(f"{ATOM}author/{ATOM}name")


def test_json_feed_has_the_required_fields(example_site: Path) -> None:
    document = json_feed(example_site / "en" / "feed.json")
    assert document["version"] == JSON_FEED_VERSION
    assert document["title"] == "Bénévoles en ligne"
    assert document["home_page_url"] == f"{BASE_URL}en/"
    assert document["feed_url"] == f"{BASE_URL}en/feed.json"
    items = document["items"]
    assert isinstance(items, list) and items
    for item in items:
        assert item["id"] == item["url"]
        assert item["url"].startswith(f"{BASE_URL}en/missions/")
        assert item["title"] and item["summary"]
        assert item["content_html"].startswith("<")
        assert dt.datetime.fromisoformat(item["date_published"])


def test_site_feeds_hold_the_open_missions_newest_first(example_site: Path) -> None:
    listed = all_listing_slugs(example_site, "missions")  # newest first, no closed, no draft
    for name in ("feed.xml", "feed.json"):
        path = example_site / name
        slugs = atom_slugs(atom(path)) if name.endswith(".xml") else json_slugs(json_feed(path))
        assert slugs == listed
        assert not set(slugs) & {*CLOSED, DRAFT}
    dates = [e.findtext(f"{ATOM}updated", "") for e in atom(example_site / "feed.xml")
             .findall(f"{ATOM}entry")]
    assert dates == sorted(dates, reverse=True)


def test_english_feed_holds_the_english_versions(example_site: Path) -> None:
    assert atom_slugs(atom(example_site / "en" / "feed.xml")) == all_listing_slugs(
        example_site, "en/missions"
    )


@pytest.mark.parametrize("kind", ["categories", "skills"])
def test_each_term_feed_holds_exactly_the_open_missions_of_its_term(example_site: Path,
                                                                    kind: str) -> None:
    for key in vocabulary_keys(kind):
        listed = all_listing_slugs(example_site, f"{kind}/{key}")
        assert atom_slugs(atom(example_site / kind / key / "feed.xml")) == listed
        assert json_slugs(json_feed(example_site / kind / key / "feed.json")) == listed


def test_category_feed_of_the_small_board(small_site: Path) -> None:
    assert atom_slugs(atom(small_site / "categories" / "numerique" / "feed.xml")) == ["site-web"]
    # Newest first: ecoute (11-01), maths (10-15), site-web (09-20); inventaire is closed.
    assert atom_slugs(atom(small_site / "feed.xml")) == ["ecoute", "maths", "site-web"]
    assert json_slugs(json_feed(small_site / "feed.json")) == ["ecoute", "maths", "site-web"]
    assert atom_slugs(atom(small_site / "en" / "feed.xml")) == ["ecoute"]


def test_feeds_hold_the_newest_fifty_missions_while_listings_stay_complete(
    board: Path, tmp_path: Path
) -> None:
    template = (board / "missions" / "maths.md").read_text(encoding="utf-8")
    for n in range(60):  # posted 2026-09-01 .. 2026-10-30, all newer than site-web
        day = dt.date(2026, 9, 1) + dt.timedelta(days=n)
        text = re.sub(r"(?m)^posted: .*$", f"posted: {day.isoformat()}", template)
        (board / "missions" / f"copie-{n:02d}.md").write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    build(BuildOptions(content=board, out=out, today=TODAY, search=False))
    listed = all_listing_slugs(out, "missions")
    assert len(listed) == 63 and "site-web" in listed
    assert atom_slugs(atom(out / "feed.xml")) == listed[:50]
    assert json_slugs(json_feed(out / "feed.json")) == listed[:50]
    national_ids = [m.findtext("clientId") for m in ET.parse(out / "missions.xml").getroot()
                    .findall("mission")]
    assert len(national_ids) == 63  # the national import stays complete


def test_a_category_without_open_missions_still_has_valid_empty_feeds(small_site: Path) -> None:
    # culture-loisirs only has the closed "inventaire".
    root = atom(small_site / "categories" / "culture-loisirs" / "feed.xml")
    assert root.findall(f"{ATOM}entry") == []
    assert root.findtext(f"{ATOM}id") and root.findtext(f"{ATOM}title")
    assert root.findtext(f"{ATOM}updated")
    document = json_feed(small_site / "categories" / "culture-loisirs" / "feed.json")
    assert document["version"] == JSON_FEED_VERSION and document["items"] == []


def test_feed_entries_carry_the_mission_texts(small_site: Path) -> None:
    root = atom(small_site / "feed.xml")
    entry = root.findall(f"{ATOM}entry")[0]
    assert entry.findtext(f"{ATOM}title") == "Appeler des personnes âgées isolées"
    assert entry.findtext(f"{ATOM}summary") == (
        "Un appel par semaine pour rompre l'isolement d'une personne âgée."
    )
    assert entry.findtext(f"{ATOM}published") == "2026-11-01T00:00:00Z"
    assert "<h2>La mission</h2>" in entry.findtext(f"{ATOM}content", "")
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Le Lien"
    item = json_feed(small_site / "en" / "feed.json")["items"][0]  # type: ignore[index]
    assert item["title"] == "Call isolated elderly people"
    assert item["date_published"] == "2026-11-01T00:00:00Z"
    assert "<h2>The mission</h2>" in item["content_html"]


def test_drafts_are_in_the_feeds_only_when_the_build_asks(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(BuildOptions(content=EXAMPLE_CONTENT, out=out, today=TODAY, base_url=BASE_URL,
                       drafts=True))
    assert DRAFT in atom_slugs(atom(out / "feed.xml"))
    assert DRAFT in json_slugs(json_feed(out / "categories" / "animaux" / "feed.json"))
    # Never pushed to third parties or search engines, even in a drafts build.
    assert DRAFT not in (out / "missions.xml").read_text(encoding="utf-8")
    assert DRAFT not in (out / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("route", "folder", "subscribe"),
    [
        ("", "", "S'abonner"),
        ("missions/", "", "S'abonner"),
        ("categories/numerique/", "categories/numerique/", "S'abonner"),
        ("skills/traduction/", "skills/traduction/", "S'abonner"),
        ("en/", "en/", "Subscribe"),
        ("en/categories/numerique/", "en/categories/numerique/", "Subscribe"),
    ],
)
def test_listings_link_their_feeds_in_the_head_and_visibly(example_site: Path, route: str,
                                                           folder: str, subscribe: str) -> None:
    parsed = head(page(example_site, route))
    alternates = {link.get("type"): link.get("href") for link in parsed.links
                  if link.get("rel") == "alternate" and "type" in link}
    assert alternates == {
        "application/atom+xml": f"{BASE_URL}{folder}feed.xml",
        "application/feed+json": f"{BASE_URL}{folder}feed.json",
    }
    visible = [href for href, text in parsed.anchors if text.startswith(subscribe)]
    assert visible == [f"{BASE_URL}{folder}feed.xml"]
    for url in alternates.values():
        assert url is not None
        assert (example_site / url.removeprefix(BASE_URL)).is_file()


def test_mission_pages_do_not_advertise_feeds(example_site: Path) -> None:
    parsed = head(page(example_site, "missions/traduction-documents-administratifs-anglais"))
    assert not [link for link in parsed.links if link.get("type") == "application/atom+xml"]


# --- National mission feed (API Engagement) --------------------------------------------


def national(site: Path) -> ET.Element:
    root = ET.parse(site / "missions.xml").getroot()
    assert root.tag == "source"
    return root


def test_national_feed_lists_every_open_mission_with_the_required_fields(example_site: Path
                                                                         ) -> None:
    root = national(example_site)
    assert root.findtext("publisher") == "Bénévoles en ligne"
    assert root.findtext("publisherurl") == BASE_URL
    assert root.findtext("lastBuildDate") == "Mon, 30 Nov 2026 00:00:00 GMT"
    missions = root.findall("mission")
    slugs = [m.findtext("clientId") for m in missions]
    assert sorted(slugs) == sorted(all_listing_slugs(example_site, "missions"))  # type: ignore
    assert not set(slugs) & {*CLOSED, DRAFT}
    categories = vocabulary_keys("categories")
    for mission in missions:
        for field in NATIONAL_REQUIRED:
            assert mission.findtext(field), f"{mission.findtext('clientId')}: {field} missing"
        assert mission.findtext("domain") in categories
        assert mission.findtext("remote") in ("no", "possible", "full")
        assert mission.findtext("applicationUrl", "").startswith("https://")
        assert dt.datetime.fromisoformat(mission.findtext("postedAt", ""))
        assert "<p>" in mission.findtext("description", "")
        if mission.findtext("remote") != "full":
            address = mission.find("addresses/address")
            assert address is not None
            assert address.findtext("city") and address.findtext("country")


def test_national_feed_entry_of_the_small_board(small_site: Path) -> None:
    by_id = {m.findtext("clientId"): m for m in national(small_site).findall("mission")}
    assert list(by_id) == ["ecoute", "maths", "site-web"]
    ecoute, site_web = by_id["ecoute"], by_id["site-web"]
    assert ecoute.findtext("title") == "Appeler des personnes âgées isolées"
    assert ecoute.findtext("applicationUrl") == f"{BASE_URL}missions/ecoute/#apply"
    assert ecoute.findtext("postedAt") == "2026-11-01T00:00:00.000Z"
    assert ecoute.findtext("domain") == "solidarite-insertion"
    assert ecoute.findtext("remote") == "full"
    assert ecoute.findtext("places") == "5"
    assert ecoute.findtext("organizationName") == "Le Lien"
    assert ecoute.findtext("organizationUrl") == "https://lien.example.org"
    assert ecoute.findtext("organizationRNA") == "W691234567"
    assert ecoute.find("addresses") is None
    # An external application page is given as is.
    assert site_web.findtext("applicationUrl") == "https://savoirs.example.org/candidater"
    assert site_web.findtext("domain") == "numerique"
    assert site_web.findtext("remote") == "possible"
    assert site_web.findtext("addresses/address/city") == "Lille"
    assert site_web.findtext("addresses/address/postalCode") == "59000"
    assert site_web.findtext("addresses/address/country") == "FR"
    assert site_web.find("organizationRNA") is None


def test_national_feed_is_only_at_the_root(example_site: Path) -> None:
    assert (example_site / "missions.xml").is_file()
    assert not (example_site / "en" / "missions.xml").exists()


# --- schema.org JobPosting -------------------------------------------------------------


def test_every_open_mission_page_has_a_job_posting_and_closed_ones_none(example_site: Path
                                                                        ) -> None:
    open_slugs = all_listing_slugs(example_site, "missions")
    for slug in open_slugs:
        posting = job_posting(page(example_site, f"missions/{slug}"))
        assert posting["@context"] == "https://schema.org"
        assert posting["@type"] == "JobPosting"
        assert posting["employmentType"] == "VOLUNTEER"
        assert posting["url"] == f"{BASE_URL}missions/{slug}/"
        for field in ("title", "description", "datePosted", "hiringOrganization",
                      "directApply"):
            assert field in posting, f"{slug}: {field}"
        assert "jobLocation" in posting or posting.get("jobLocationType") == "TELECOMMUTE"
    for slug in CLOSED:
        assert head(page(example_site, f"missions/{slug}")).json_ld == []


def test_job_posting_of_a_fully_remote_mission_is_telecommute(small_site: Path) -> None:
    posting = job_posting(page(small_site, "missions/ecoute"))
    assert posting["title"] == "Appeler des personnes âgées isolées"
    assert posting["datePosted"] == "2026-11-01"
    assert posting["validThrough"] == "2027-03-31"
    assert posting["jobLocationType"] == "TELECOMMUTE"
    assert posting["applicantLocationRequirements"] == {"@type": "Country", "name": "FR"}
    assert "jobLocation" not in posting
    assert posting["hiringOrganization"] == {
        "@type": "Organization", "name": "Le Lien", "url": "https://lien.example.org",
        "sameAs": ["https://lien.example.org"],
    }
    assert posting["directApply"] is False  # applications go by e-mail
    assert "<h2>La mission</h2>" in str(posting["description"])


def test_job_posting_of_a_located_mission_has_a_postal_address(small_site: Path) -> None:
    posting = job_posting(page(small_site, "missions/site-web"))
    assert posting["jobLocation"] == {
        "@type": "Place",
        "address": {"@type": "PostalAddress", "addressLocality": "Lille",
                    "postalCode": "59000", "addressCountry": "FR"},
    }
    assert posting["validThrough"] == "2027-01-31"
    organization = posting["hiringOrganization"]
    assert isinstance(organization, dict) and organization["name"] == "Savoirs Partagés"


def test_job_posting_of_an_on_site_mission_has_no_telecommute(example_site: Path) -> None:
    posting = job_posting(page(example_site, "missions/visites-aines-isoles-lyon"))
    assert "jobLocationType" not in posting
    assert posting["jobLocation"] == {
        "@type": "Place",
        "address": {"@type": "PostalAddress", "addressLocality": "Lyon", "postalCode": "69008",
                    "addressRegion": "Auvergne-Rhône-Alpes", "addressCountry": "FR"},
    }


def test_job_posting_without_deadline_has_no_valid_through(small_site: Path) -> None:
    posting = job_posting(page(small_site, "missions/maths"))
    assert "validThrough" not in posting
    assert posting["directApply"] is True  # the application form is on the page


def test_closed_mission_page_has_no_job_posting(small_site: Path) -> None:
    assert head(page(small_site, "missions/inventaire")).json_ld == []


def hostile_board(board: Path) -> Path:
    (board / "missions" / "piege.md").write_text(
        "---\n"
        f"title: {json.dumps(HOSTILE_TITLE)}\n"
        "association: lien\n"
        "summary: \"Un résumé avec </script> et des \\\"guillemets\\\".\"\n"
        "categories: [numerique]\n"
        "remote: full\n"
        "commitment: {hours: 1, per: week}\n"
        "posted: 2026-11-20\n"
        "---\n"
        "Un corps avec <script>alert(2)</script> et ]]> dedans.\n",
        encoding="utf-8",
    )
    out = board.parent / "site"
    build(BuildOptions(content=board, out=out, today=TODAY))
    return out


LINKED_BODY = (
    "Voir [une autre mission](../ecoute/), [la catégorie](/board/categories/numerique/), "
    "[plus bas](#apply), [les maths](../maths/?v=1&lang=fr), "
    "[notre site](https://le-lien.example.org/a?b=1&c=2), [écrire](mailto:contact@le-lien.org) "
    "et ![le logo](../../static/share.png).\n"
)
PAGE = "https://example.org/board/missions/liens/"
LINKED_HTML = (
    '<p>Voir <a href="https://example.org/board/missions/ecoute/">une autre mission</a>, '
    '<a href="https://example.org/board/categories/numerique/">la catégorie</a>, '
    f'<a href="{PAGE}#apply">plus bas</a>, '
    '<a href="https://example.org/board/missions/maths/?v=1&amp;lang=fr">les maths</a>, '
    '<a href="https://le-lien.example.org/a?b=1&amp;c=2" '
    'rel="noopener noreferrer nofollow ugc">notre site</a>, '
    '<a href="mailto:contact@le-lien.org">écrire</a> '
    'et <img src="https://example.org/board/static/share.png" alt="le logo" loading="lazy" '
    'referrerpolicy="no-referrer">.</p>\n'
)


def test_relative_links_of_a_text_are_absolute_wherever_it_is_read_away_from_its_page(
        board: Path) -> None:
    (board / "missions" / "liens.md").write_text(
        "---\ntitle: Des liens\nassociation: lien\nsummary: Un texte plein de liens.\n"
        "categories: [numerique]\nremote: full\ncommitment: {hours: 1, per: week}\n"
        f"posted: 2026-11-20\n---\n{LINKED_BODY}",
        encoding="utf-8",
    )
    out = board.parent / "site"
    build(BuildOptions(content=board, out=out, today=TODAY))
    entries = {e.findtext(f"{ATOM}id"): e for e in atom(out / "feed.xml").findall(f"{ATOM}entry")}
    assert entries[PAGE].findtext(f"{ATOM}content") == LINKED_HTML
    items = json_feed(out / "feed.json")["items"]
    assert [i["content_html"] for i in items if i["id"] == PAGE] == [LINKED_HTML]  # type: ignore[union-attr]
    by_id = {m.findtext("clientId"): m for m in national(out).findall("mission")}
    assert by_id["liens"].findtext("description") == LINKED_HTML
    assert job_posting(page(out, "missions/liens"))["description"] == LINKED_HTML
    # On the page itself, the links stay as written: they work there, and the site can move.
    shown = page(out, "missions/liens").read_text(encoding="utf-8")
    assert '<a href="../ecoute/">' in shown and '<a href="#apply">' in shown
    assert '<img src="../../static/share.png"' in shown


def test_json_for_a_script_element_escapes_every_open_bracket_and_nothing_else() -> None:
    value = {"title": "</script><!-- é & 'x' > \\<", "n": 2}
    text = str(script_json(value))
    assert text == ('{"n":2,"title":"\\u003c/script>\\u003c!-- é & \'x\' > '
                    '\\\\\\u003c"}')
    assert "<" not in text and json.loads(text) == value


def test_a_hostile_title_cannot_break_out_of_the_json_ld(board: Path) -> None:
    out = hostile_board(board)
    html = page(out, "missions/piege").read_text(encoding="utf-8")
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    raw = html[start:html.index("</script>", start)]
    assert "</script>" not in raw.lower() and "<" not in raw
    posting = json.loads(raw)
    assert posting["title"] == HOSTILE_TITLE
    assert posting["@type"] == "JobPosting"
    assert "<script>alert" not in html  # nowhere on the page, escaped everywhere
    parsed = head(page(out, "missions/piege"))
    assert json.loads(parsed.json_ld[0])["title"] == HOSTILE_TITLE
    assert parsed.meta["og:title"] == [HOSTILE_TITLE]


def test_a_hostile_title_round_trips_through_every_feed(board: Path) -> None:
    out = hostile_board(board)
    titles = [e.findtext(f"{ATOM}title") for e in atom(out / "feed.xml").findall(f"{ATOM}entry")]
    assert HOSTILE_TITLE in titles
    items = json_feed(out / "categories" / "numerique" / "feed.json")["items"]
    assert HOSTILE_TITLE in [item["title"] for item in items]  # type: ignore[union-attr]
    by_id = {m.findtext("clientId"): m for m in national(out).findall("mission")}
    assert by_id["piege"].findtext("title") == HOSTILE_TITLE
    # Raw HTML in a body stays text: the description is the safe rendered Markdown.
    assert "&lt;script&gt;alert(2)" in by_id["piege"].findtext("description", "")


# --- sitemap.xml and robots.txt --------------------------------------------------------


def sitemap_urls(site: Path) -> dict[str, ET.Element]:
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    return {u.findtext(f"{SITEMAP}loc", ""): u for u in root.findall(f"{SITEMAP}url")}


def test_sitemap_lists_indexable_pages_with_absolute_urls(example_site: Path) -> None:
    urls = sitemap_urls(example_site)
    for loc, entry in urls.items():
        assert loc.startswith(BASE_URL)
        relative = loc.removeprefix(BASE_URL)
        target = example_site / relative / "index.html" if loc.endswith("/") else \
            example_site / relative
        assert target.is_file(), loc
        assert dt.date.fromisoformat(entry.findtext(f"{SITEMAP}lastmod", ""))
    for expected in ("", "missions/", "categories/", "skills/", "associations/",
                     "categories/numerique/", "skills/traduction/", "en/",
                     "associations/voix-du-lien/"):
        assert BASE_URL + expected in urls
    for slug in all_listing_slugs(example_site, "missions"):
        assert f"{BASE_URL}missions/{slug}/" in urls
    for slug in all_listing_slugs(example_site, "en/missions"):
        assert f"{BASE_URL}en/missions/{slug}/" in urls
    text = (example_site / "sitemap.xml").read_text(encoding="utf-8")
    for slug in (*CLOSED, DRAFT):
        assert f"/{slug}/" not in text
    assert not [loc for loc in urls if "search/" in loc or loc.endswith("404.html")]


def test_sitemap_has_translations_as_alternates(example_site: Path) -> None:
    urls = sitemap_urls(example_site)
    slug = "traduction-documents-administratifs-anglais"
    entry = urls[f"{BASE_URL}missions/{slug}/"]
    alternates = {link.get("hreflang"): link.get("href")
                  for link in entry.findall(f"{XHTML}link") if link.get("rel") == "alternate"}
    assert alternates == {"fr": f"{BASE_URL}missions/{slug}/",
                          "en": f"{BASE_URL}en/missions/{slug}/"}
    assert entry.findtext(f"{SITEMAP}lastmod") == _posted(slug)
    # Every alternate is itself listed, so none points at a missing or noindex page.
    for entry in urls.values():
        for link in entry.findall(f"{XHTML}link"):
            assert link.get("href") in urls


def _posted(slug: str) -> str:
    return _front_matter_field(slug, "posted")


def _front_matter_field(slug: str, field: str) -> str:
    text = (EXAMPLE_CONTENT / "missions" / f"{slug}.md").read_text(encoding="utf-8")
    value = yaml.safe_load(text.split("---\n")[1])[field]
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def test_robots_txt_names_the_sitemap(example_site: Path) -> None:
    lines = (example_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE_URL}sitemap.xml" in lines


# --- Link previews and description -----------------------------------------------------


def test_mission_page_has_description_and_share_tags(example_site: Path) -> None:
    slug = "traduction-documents-administratifs-anglais"
    parsed = head(page(example_site, f"missions/{slug}"))
    summary = _front_matter_field(slug, "summary")
    assert parsed.meta["description"] == [summary]
    assert parsed.meta["og:description"] == [summary]
    assert parsed.meta["og:url"] == [f"{BASE_URL}missions/{slug}/"]
    assert parsed.meta["og:type"] == ["article"]
    assert parsed.meta["og:site_name"] == ["Bénévoles en ligne"]
    assert parsed.meta["og:locale"] == ["fr_FR"]
    assert parsed.meta["og:locale:alternate"] == ["en_US"]
    assert parsed.meta["og:title"][0]
    assert parsed.meta["twitter:card"] == ["summary_large_image"]
    assert parsed.meta["og:image"] == [f"{BASE_URL}static/share.png"]
    assert parsed.meta["twitter:image"] == [f"{BASE_URL}static/share.png"]
    assert (example_site / "static" / "share.png").is_file()


@pytest.mark.parametrize("route", ["", "en/", "missions/", "categories/numerique/",
                                   "associations/voix-du-lien/", "search/"])
def test_every_page_has_an_absolute_og_image(example_site: Path, route: str) -> None:
    parsed = head(page(example_site, route))
    (image,) = parsed.meta["og:image"]
    assert image.startswith("https://")
    assert parsed.meta["og:url"] == [f"{BASE_URL}{route}"]
    assert parsed.meta["twitter:card"][0] in ("summary", "summary_large_image")


def test_share_image_prefers_the_mission_image_then_the_logo(board: Path) -> None:
    mission = board / "missions" / "site-web.md"
    mission.write_text(mission.read_text(encoding="utf-8").replace(
        "apply:\n", 'image: "https://img.example.org/site.jpg"\n'
                    'image_alt: "Un écran"\napply:\n', 1), encoding="utf-8")
    association = board / "associations" / "savoirs.md"
    association.write_text(association.read_text(encoding="utf-8").replace(
        "apply:\n", 'logo: "https://img.example.org/savoirs.png"\n'
                    'logo_alt: "Logo de Savoirs Partagés"\napply:\n', 1), encoding="utf-8")
    out = board.parent / "site"
    build(BuildOptions(content=board, out=out, today=TODAY))

    with_image = head(page(out, "missions/site-web")).meta
    assert with_image["og:image"] == ["https://img.example.org/site.jpg"]
    assert with_image["og:image:alt"] == ["Un écran"]
    assert with_image["twitter:card"] == ["summary_large_image"]
    with_logo = head(page(out, "missions/maths")).meta  # same association, no image
    assert with_logo["og:image"] == ["https://img.example.org/savoirs.png"]
    assert with_logo["twitter:card"] == ["summary"]
    assert head(page(out, "associations/savoirs")).meta["og:image"] == [
        "https://img.example.org/savoirs.png"
    ]
    default = head(page(out, "missions/ecoute")).meta  # Le Lien has no logo
    assert default["og:image"] == [f"{BASE_URL}static/share.png"]
    assert job_posting(page(out, "missions/maths"))["hiringOrganization"][  # type: ignore[index]
        "logo"] == "https://img.example.org/savoirs.png"


def test_default_share_image_is_a_valid_1200_by_630_png() -> None:
    data = (Path(__file__).resolve().parent.parent / "themes" / "default" / "static"
            / "share.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, idat = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, kind
        chunks.append(kind)
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        if kind == b"IDAT":
            idat += body
        position += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
    assert (width, height, depth, colour) == (1200, 630, 8, 2)
    assert len(zlib.decompress(idat)) == height * (1 + width * 3)


# --- the XML serializer of feeds.py -------------------------------------------------------

TEXTS = st.one_of(st.none(), st.lists(st.sampled_from(
    ["a", "é", " ", "\n", "\t", "\r", "&", "<", ">", '"', "'", "&amp;", "]]>", "日"]),
    max_size=8).map("".join))


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> ET.Element:
    element = ET.Element(draw(st.sampled_from(["feed", "entry", "xhtml:link", "a"])),
                         draw(st.dictionaries(st.sampled_from(["href", "xml:lang", "rel"]),
                                              TEXTS.filter(lambda t: t is not None),
                                              max_size=2)))
    element.text = draw(TEXTS)
    if depth < 3:
        for child in draw(st.lists(trees(depth + 1), max_size=3)):
            child.tail = draw(TEXTS)
            element.append(child)
    return element


@settings(max_examples=300, deadline=None)
@given(tree=trees(), level=st.integers(0, 2))
def test_the_xml_serializer_writes_what_elementtree_writes(tree: ET.Element, level: int) -> None:
    import copy

    from generator.feeds import _serialized

    before = ET.tostring(tree, encoding="unicode")
    ours = _serialized(tree, level=level)
    assert ET.tostring(tree, encoding="unicode") == before  # the tree is left as it was
    theirs = copy.deepcopy(tree)
    ET.indent(theirs, level=level)
    assert ours == ET.tostring(theirs, encoding="unicode")


FIELD_TEXTS = st.lists(st.sampled_from(
    ["a", "é", " ", "\n", "\t", "&", "<", ">", '"', "]]>", "日", "\x00", "\x0b", "\ufffe"]),
    max_size=8).map("".join)


@st.composite
def fields(draw: st.DrawFn, depth: int = 0) -> list[tuple[str, object]]:
    """What national_item gives _fields: elements holding a text or other elements."""
    names = st.sampled_from(["title", "city", "addresses", "address"])
    made: list[tuple[str, object]] = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.booleans()):
            made.append((draw(names), draw(fields(depth + 1))))
        else:
            made.append((draw(names), draw(FIELD_TEXTS)))
    return made


@settings(max_examples=300, deadline=None)
@given(made=fields())
def test_fields_are_written_as_elementtree_writes_them(made: list[tuple[str, object]]) -> None:
    # missions.xml items are written as text (feeds._fields), each as _serialized (itself
    # checked against ElementTree above) writes the tree _text would have made.
    from generator.feeds import _fields, _serialized, _text

    def tree(parent: ET.Element, children: list[tuple[str, object]]) -> None:
        for name, value in children:
            if isinstance(value, list):
                tree(ET.SubElement(parent, name), value)
            else:
                _text(parent, name, str(value))

    root = ET.Element("mission")
    tree(root, made)
    assert _fields("mission", made, "\n  ") == _serialized(root, level=1)  # type: ignore[arg-type]
