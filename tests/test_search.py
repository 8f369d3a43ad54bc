"""Search: the facet index and the Pagefind step (built files), then what a volunteer does
on the search page, in a real browser, on the example board served under /board/."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page, expect

from generator.build import BuildOptions, build, load_site
from generator.cli import main
from generator.errors import BuildError, ContentError
from generator.model import Mission
from generator.plan import plan
from generator.render import Renderer, Theme
from generator.search import (
    BANDS,
    DIGITS,
    band,
    index_copy,
    pack,
    slugify,
    start_pagefind,
    unpack,
)
from tests.conftest import (
    EXAMPLE_CONTENT,
    FIXTURE_BOARD,
    ROOT,
    TODAY,
    axe_violations,
    serve_built,
)

CLOSED = ("relecture-glossaire-juridique-asile", "campagne-collecte-fonds-fin-annee")
DRAFT = "suivi-administratif-adoptions"


# --- What the index should hold, worked out from the content on its own -----------------


@pytest.fixture(scope="module")
def example() -> dict[str, list[Mission]]:
    """Open, published missions per language, newest first (the numbering of the index)."""
    site = load_site(EXAMPLE_CONTENT)
    result = {}
    for lang in site.config.languages:
        missions = [m for m in site.missions
                    if m.lang == lang and not m.draft and not m.is_closed(TODAY)]
        missions.sort(key=lambda m: (-m.posted.toordinal(), m.slug))
        result[lang] = missions
    return result


def values(mission: Mission, group: str) -> list[str]:
    if group == "category":
        return list(mission.categories)
    if group == "skill":
        return list(mission.skills)
    if group == "remote":
        return [mission.remote]
    if group == "commitment":
        return [band(mission.commitment)]
    if group == "language":
        return list(mission.languages)
    if group == "association":
        return [mission.association]
    region = mission.location.region if mission.location else None
    return [slugify(region)] if region and mission.remote != "full" else []


def matching(missions: list[Mission], **selected: list[str]) -> list[str]:
    """Slugs of the missions a selection shows: OR inside a group, AND across groups."""
    return [m.slug for m in missions
            if all(set(values(m, group)) & set(keys) for group, keys in selected.items())]


def fragments(site: Path) -> dict[str, dict[str, Any]]:
    """Pagefind's record of every indexed page, by URL."""
    records = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        records[data["url"]] = data
    return records


def search_page_groups(site: Path, lang_prefix: str = "") -> dict[str, dict[str, str]]:
    """The filter values the search page lists: {group: {key: label}}."""
    html = (site / lang_prefix / "search" / "index.html").read_text(encoding="utf-8")
    raw = re.search(r"data-groups='([^']*)'", html)
    assert raw is not None
    return {group: dict(pairs) for group, _, pairs in json.loads(raw[1])}


# --- The facet index and the Pagefind step -------------------------------------------------


@pytest.mark.parametrize(("hours", "per", "expected"), [
    (3, "mission", "one-off"),
    (40, "mission", "one-off"),
    (1.5, "week", "under-2h"),
    (2, "week", "2-5h"),
    (5, "week", "2-5h"),
    (5.5, "week", "over-5h"),
    (8, "month", "under-2h"),  # 1.85 h a week
    (9, "month", "2-5h"),  # 2.08 h a week
    (21.65, "month", "2-5h"),  # 5 h a week exactly
    (22, "month", "over-5h"),
])
def test_commitment_bands_count_a_month_as_4_33_weeks(hours: float, per: str,
                                                      expected: str) -> None:
    from generator.model import Commitment

    assert band(Commitment(hours, per)) == expected  # type: ignore[arg-type]
    assert expected in BANDS


@pytest.mark.parametrize("numbers", [[], [0], [0, 1, 2, 3], [31, 32, 33], [5, 1000, 40000, 40001]])
def test_packed_number_lists_round_trip(numbers: list[int]) -> None:
    packed = pack(numbers)
    assert set(packed) <= set(DIGITS)
    assert unpack(packed) == numbers


def test_packing_writes_gaps_five_bits_a_digit() -> None:
    # gaps 1, 1, 38 (38 = 6 + 1 * 32: low digit first, with the "more" bit)
    assert pack([0, 1, 39]) == "BB" + DIGITS[32 + 6] + DIGITS[1]
    with pytest.raises(ValueError):
        pack([3, 3])


def test_facets_list_every_open_mission_under_each_of_its_values(
    example_site: Path, example: dict[str, list[Mission]]
) -> None:
    for lang, prefix in (("fr", ""), ("en", "en/")):
        facets = json.loads((example_site / prefix / "search" / "facets.json").read_text())
        missions = example[lang]
        assert facets["missions"] == len(missions)
        for group, found in facets["groups"].items():
            expected: dict[str, list[int]] = {}
            for number, mission in enumerate(missions):
                for key in values(mission, group):
                    expected.setdefault(key, []).append(number)
            assert {key: unpack(packed) for key, packed in found.items()} == expected, group


def test_cards_read_like_the_listing_cards(example_site: Path,
                                           example: dict[str, list[Mission]]) -> None:
    rows = json.loads((example_site / "search" / "cards-0.json").read_text())
    assert [row[0] for row in rows] == [m.slug for m in example["fr"]]
    card = next(row for row in rows if row[0] == "traduction-documents-administratifs-anglais")
    assert card == [
        "traduction-documents-administratifs-anglais",
        "Traduire des documents administratifs du français vers l'anglais",
        "passerelles-traduction",
        ("Aidez des familles exilées à comprendre leurs démarches en traduisant des courriers "
        "et formulaires."),
        "2 h / semaine", "100 % à distance", "Jusqu'au 31 mars 2027", "4 places",
        ["solidarite-insertion", "humanitaire"], 1,
    ]
    listing = (example_site / "missions" / "index.html").read_text(encoding="utf-8")
    for text in card[4:8]:
        assert f">{text.replace(chr(39), '&#39;')}</li>" in listing


def test_only_open_published_missions_are_indexed(example_site: Path,
                                                   example: dict[str, list[Mission]]) -> None:
    indexed = fragments(example_site)
    expected = {f"/missions/{m.slug}/" for m in example["fr"]} | {
        f"/en/missions/{m.slug}/" for m in example["en"]}
    assert set(indexed) == expected
    for slug in CLOSED:
        page = (example_site / "missions" / slug / "index.html").read_text(encoding="utf-8")
        assert "data-pagefind-body" not in page
        assert f"/missions/{slug}/" not in indexed
    assert not (example_site / "missions" / DRAFT).exists()
    cards = [row[0] for row in json.loads((example_site / "search" / "cards-0.json").read_text())]
    assert not set(cards) & {*CLOSED, DRAFT}


def test_pagefind_filters_hold_the_same_values_as_the_facets(
    example_site: Path, example: dict[str, list[Mission]]
) -> None:
    indexed = fragments(example_site)
    for lang, prefix in (("fr", ""), ("en", "en/")):
        labels = search_page_groups(example_site, prefix)
        for mission in example[lang]:
            record = indexed[f"/{prefix}missions/{mission.slug}/"]
            expected = {
                group: sorted(labels[group][key] for key in values(mission, group))
                for group in labels if values(mission, group)
            }
            assert {g: sorted(v) for g, v in record["filters"].items()} == expected
            assert set(record["meta"]) == {"title", "card"}
            assert json.loads(record["meta"]["card"])[0] == mission.slug


@pytest.mark.parametrize("content", [EXAMPLE_CONTENT, FIXTURE_BOARD], ids=["example", "small"])
def test_the_search_page_groups_are_the_distinct_facets_of_its_missions(content: Path) -> None:
    """The search page labels each distinct value once (the first mission having it); the
    missions' own facets, which Pagefind's filters get, must give the same groups."""
    site = load_site(content)
    site_plan = plan(site, TODAY)
    renderer = Renderer(site, site_plan, Theme(ROOT / "themes" / "default"))
    searched = [page for page in site_plan.pages if page.kind == "search"]
    assert [page.lang for page in searched] == ["fr", "en"]
    for page in searched:
        wording = renderer.context(page)["search_wording"]
        records = [wording.record(mission) for mission in wording.missions()]
        groups = wording.groups()
        assert groups == wording.groups(records), page.lang
        if content == FIXTURE_BOARD and page.lang == "fr":  # written out, labels included
            assert [(g.key, g.label, g.values) for g in groups] == [
                ("category", "Domaine", (
                    ("communication", "Communication"), ("education", "Éducation"),
                    ("numerique", "Numérique"), ("solidarite-insertion", "Solidarité et insertion"))),
                ("skill", "Compétence", (
                    ("soutien-scolaire", "Soutien scolaire"), ("ecoute", "Écoute"),
                    ("webmastering", "Site web et webmastering"),
                    ("accessibilite", "Accessibilité numérique"))),
                ("remote", "À distance ou sur place", (
                    ("possible", "Distance possible"), ("full", "100 % à distance"))),
                ("commitment", "Temps à donner", (
                    ("one-off", "Ponctuelle"), ("under-2h", "Moins de 2 h par semaine"),
                    ("2-5h", "De 2 à 5 h par semaine"))),
                ("language", "Langue de travail", (("fr", "Français"),)),
                ("association", "Association", (("lien", "Le Lien"), ("savoirs", "Savoirs Partagés"))),
                ("region", "Région", ()),
            ]
        if content == EXAMPLE_CONTENT and page.lang == "fr":
            assert dict(groups[-1].values) == {
                "auvergne-rhone-alpes": "Auvergne-Rhône-Alpes", "bretagne": "Bretagne",
                "grand-est": "Grand Est", "nouvelle-aquitaine": "Nouvelle-Aquitaine",
                "occitanie": "Occitanie", "pays-de-la-loire": "Pays de la Loire"}


def test_pagefind_sorts_by_deadline_and_posting_date(example_site: Path) -> None:
    page = (example_site / "missions" / "permanence-ecoute-dimanche-soir" / "index.html")
    html = page.read_text(encoding="utf-8")
    assert '<span data-pagefind-sort="deadline">9999-12-31</span>' in html  # no deadline
    assert '<span data-pagefind-sort="posted">2026-09-08</span>' in html


def test_search_page_takes_every_url_from_the_base_path(example_site: Path) -> None:
    fr = (example_site / "search" / "index.html").read_text(encoding="utf-8")
    en = (example_site / "en" / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-pagefind="/board/pagefind/"' in fr and 'data-pagefind="/board/pagefind/"' in en
    assert 'data-facets="/board/search/facets.json"' in fr
    assert 'data-facets="/board/en/search/facets.json"' in en
    assert 'data-missions="/board/en/missions/"' in en
    assert re.search(r'<script type="module" src="/board/static/search\.js\?v=\w+"></script>', fr)
    assert (example_site / "pagefind" / "pagefind.js").is_file()


def test_no_page_has_an_inline_script(example_site: Path) -> None:
    for page in example_site.rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", page.read_text(encoding="utf-8")):
            assert "src=" in tag or 'type="application/ld+json"' in tag, f"{page}: {tag}"


def test_search_script_is_only_on_the_search_page(example_site: Path) -> None:
    for page in example_site.rglob("*.html"):
        has_script = "search.js" in page.read_text(encoding="utf-8")
        assert has_script == (page.parent.name == "search"), page


def test_listing_pages_keep_a_search_field_leading_to_the_search_page(
    example_site: Path
) -> None:
    for page in ("index.html", "missions/index.html", "categories/numerique/index.html"):
        html = (example_site / page).read_text(encoding="utf-8")
        assert re.search(r'<form class="search-field" role="search" action="/board/search/" '
                         r'method="get">', html), page
        assert 'name="q"' in html


def test_no_search_skips_the_index(board: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--today", "2026-11-30", "--no-search"])
    assert result.exit_code == 0, result.output
    site = board.parent / "site"
    assert (site / "search" / "index.html").is_file()
    assert not (site / "pagefind").exists()
    assert not (site / "search" / "facets.json").exists()


def test_build_indexes_by_default(small_site: Path) -> None:
    assert (small_site / "pagefind" / "pagefind-entry.json").is_file()
    assert json.loads((small_site / "search" / "facets.json").read_text())["missions"] > 0


def test_a_board_with_nothing_open_builds_an_empty_index(board: Path, tmp_path: Path) -> None:
    for mission in (board / "missions").glob("*.md"):
        mission.unlink()
    out = tmp_path / "out"
    build(BuildOptions(content=board, out=out, today=TODAY))
    assert not (out / "pagefind").exists()  # Pagefind would index every page instead
    assert json.loads((out / "search" / "facets.json").read_text())["missions"] == 0
    assert 'data-count="0"' in (out / "search" / "index.html").read_text(encoding="utf-8")


def test_a_theme_that_marks_no_page_fails_the_build(board: Path, tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "themes" / "default", theme)
    mission = theme / "templates" / "mission.html"
    mission.write_text(mission.read_text(encoding="utf-8").replace(" data-pagefind-body", ""),
                       encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(BuildError, match="must mark the content of open missions"):
        build(BuildOptions(content=board, out=out, today=TODAY, theme=theme))
    assert not out.exists()


# Pagefind reads copies of the mission pages reduced to what it indexes (index_copy).

PAGE = (b'<!doctype html>\n<html lang="fr">\n<head><title>T</title><meta charset="utf-8"></head>'
        b'<body><header><nav><a href="/">Accueil</a></nav></header>'
        b'<div class="wrap"><article class="mission" data-pagefind-body><h1>Titre</h1>'
        b'<div><p>Texte</p><div hidden data-pagefind-ignore><span data-pagefind-filter="skill">'
        b'Traduction</span></div></div><script src="/apply.js" defer></script>'
        b'</article><div>Apr\xc3\xa8s</div></div><footer>Pied</footer></body></html>')
REDUCED = (b'<!doctype html><html lang="fr"><body><article class="mission" data-pagefind-body>'
           b'<h1>Titre</h1><div><p>Texte</p><div hidden data-pagefind-ignore>'
           b'<span data-pagefind-filter="skill">Traduction</span></div></div>'
           b'<script src="/apply.js" defer></script></article></body></html>')


def test_an_index_copy_is_the_html_tag_and_the_marked_element() -> None:
    assert index_copy(PAGE) == REDUCED
    assert index_copy(PAGE.replace(b" data-pagefind-body", b"")) is None  # left out
    nested = PAGE.replace(b"<h1>Titre</h1>", b"<article><h1>Titre</h1></article>")
    assert index_copy(nested) == REDUCED.replace(b"<h1>Titre</h1>",
                                                 b"<article><h1>Titre</h1></article>")


@pytest.mark.parametrize(("old", "new"), [
    (b"<title>", b'<meta data-pagefind-meta="image[content]" content="/a.png"><title>'),
    (b"<nav>", b'<nav data-pagefind-filter="place:Lyon">'),
    (b"<footer>Pied", b"<footer><h1>Pied</h1>"),  # Pagefind's title: the first h1 anywhere
    (b"<footer>Pied", b'<footer><img src="/a.png" alt="a">'),  # and its image
    (b"<div>Apr", b"<div data-pagefind-body>Apr"),  # two marked elements
    (b"<p>Texte</p>", b"<p>Texte</p><!-- <article> -->"),  # a tag that is none
    (b'defer></script>', b"defer>if (a<b) {}</script>"),
    (b"<p>Texte</p>", b"<style>p{}</style><textarea>x</article></textarea>"),
    (b"</article>", b""),  # no end tag
    (b'<article class="mission" data-pagefind-body>', b"<ARTICLE data-pagefind-body>"),
    (b'<article class="mission" data-pagefind-body>', b'<article title="a>b" data-pagefind-body>'),
    (b'<html lang="fr">', b'<html lang="fr" data-pagefind-body>'),
    (b'<body>', b'<body data-pagefind-body>'),
    (b'<h1>Titre</h1>', b'<h1>Titre</h1><img data-pagefind-body src="/a.png" alt="">'),
])
def test_an_index_copy_in_any_doubt_is_the_whole_page(old: bytes, new: bytes) -> None:
    page = PAGE.replace(old, new, 1)
    assert page != PAGE
    assert index_copy(page) is page


def test_pagefind_indexes_the_copies_as_it_would_the_pages(example_site: Path,
                                                          tmp_path: Path) -> None:
    # The build's bundle was made from the copies; this one from the pages themselves.
    pages = sorted(example_site.glob("**/missions/*/index.html"))
    whole = [page.read_bytes() for page in pages]
    reduced = [index_copy(data) for data in whole]
    assert sum(copy is not None for copy in reduced) == len(fragments(example_site)) > 10
    assert all(copy is None or (copy is not data and len(copy) < 0.7 * len(data))
               for data, copy in zip(whole, reduced, strict=True))  # none kept whole
    site = tmp_path / "site"
    for page in pages:
        target = site / page.relative_to(example_site)
        target.parent.mkdir(parents=True)
        shutil.copyfile(page, target)
    start_pagefind(site, len(fragments(example_site)), site / "pagefind", ("", "en/"))()
    assert fragments(site) == fragments(example_site)
    assert not any(".index-copies" in str(path) for path in example_site.rglob("*"))


def children() -> list[str]:
    """The commands of this process's children, not reaped ones included (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid():
                found.append((stat.parent / "comm").read_text().strip())
        except OSError:
            continue  # ended meanwhile
    return found


def test_a_link_check_failure_stops_the_index_started_beside_it(board: Path,
                                                                  tmp_path: Path) -> None:
    # Pagefind starts once the pages are written, while the links are checked: a broken
    # link fails the build, and Pagefind is stopped, not left running or unreaped.
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "themes" / "default", theme)
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "</footer>", '<a href="{{ url(\'nowhere/\') }}">x</a></footer>'), encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(ContentError) as raised:
        build(BuildOptions(content=board, out=out, today=TODAY, theme=theme))
    assert "nowhere/" in str(raised.value.problems[0])
    assert not out.exists()
    assert [name for name in children() if "pagefind" in name] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "theme"]  # no staging


# --- In the browser --------------------------------------------------------------------------


@pytest.fixture
def search(reused_page: Page, served_example: str) -> Iterator[Page]:
    """The module's browser page, checked for console errors (CSP violations included)."""
    reused_page.console_errors.clear()  # type: ignore[attr-defined]
    reused_page.emulate_media(color_scheme="light")
    yield reused_page
    assert reused_page.console_errors == []  # type: ignore[attr-defined]


def open_search(page: Page, base: str, query: str = "", lang: str = "") -> None:
    page.goto(f"{base}{lang}search/{query}")
    settled(page)


def settled(page: Page) -> None:
    expect(page.locator(".search-status")).not_to_be_empty()
    expect(page.locator("#search-app")).not_to_have_attribute("aria-busy", "true")


def slugs(page: Page) -> list[str]:
    hrefs = page.locator(".search-list .card-title a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    return [href.rstrip("/").rsplit("/", 1)[-1] for href in hrefs]


def all_slugs(page: Page) -> list[str]:
    more = page.locator(".search-more")
    while more.is_visible():
        before = page.locator(".search-list > li").count()
        more.click()
        expect(page.locator(".search-list > li")).not_to_have_count(before)
    return slugs(page)


def count(page: Page) -> int:
    text = page.locator(".search-status").text_content() or ""
    match = re.match(r"\d+", text)
    return int(match[0]) if match else 0


def tick(page: Page, group: str, label: str) -> None:
    details = page.locator(f'details[data-group="{group}"]')
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    details.get_by_label(label, exact=False).first.check()
    settled(page)


def shown_count(page: Page, group: str, key: str) -> int:
    """The count beside a value; its group is opened first (a closed group gets its
    checkboxes, and with words its counts, when it opens)."""
    details = page.locator(f'details[data-group="{group}"]')
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    count = details.locator(f'input[value="{key}"] + label .search-option-count')
    expect(count).not_to_be_empty()
    return int((count.text_content() or "").strip("()"))


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.mark.browser
def test_french_words_match_without_accents_and_across_word_forms(
    search: Page, served_example: str
) -> None:
    open_search(search, served_example, "?q=benevoles+ecoute")
    plain = slugs(search)
    assert "appels-convivialite-personnes-agees-isolees" in plain
    open_search(search, served_example, "?q=bénévoles+écoute")
    assert slugs(search) == plain
    open_search(search, served_example, "?q=traduction+anglais")
    assert slugs(search)[0] == "traduction-documents-administratifs-anglais"
    open_search(search, served_example, "?q=traductions+anglaises")
    assert slugs(search)[0] == "traduction-documents-administratifs-anglais"
    marks = search.locator(".search-list .card-excerpt mark")
    assert marks.count() > 0


@pytest.mark.browser
def test_filters_narrow_with_or_inside_a_group_and_and_across_groups(
    search: Page, served_example: str, example: dict[str, list[Mission]]
) -> None:
    missions = example["fr"]
    open_search(search, served_example)
    assert count(search) == len(missions)
    tick(search, "category", "Numérique")
    assert query(search) == {"category": ["numerique"]}
    assert count(search) == len(matching(missions, category=["numerique"]))
    tick(search, "category", "Éducation")
    both = matching(missions, category=["numerique", "education"])
    assert count(search) == len(both)
    assert slugs(search) == both[:12]
    tick(search, "remote", "100 % à distance")
    shown = matching(missions, category=["numerique", "education"], remote=["full"])
    assert count(search) == len(shown)
    assert slugs(search) == shown[:12]
    # A value's count is what ticking it would show with the other groups' choices.
    assert shown_count(search, "category", "education") == len(
        matching(missions, category=["education"], remote=["full"]))
    assert shown_count(search, "remote", "no") == len(
        matching(missions, category=["numerique", "education"], remote=["no"]))
    assert shown_count(search, "skill", "traduction") == len(
        matching(missions, category=["numerique", "education"], remote=["full"],
                 skill=["traduction"]))


@pytest.mark.browser
def test_browsing_by_filters_shows_the_missions_of_the_facets(
    search: Page, served_example: str, example: dict[str, list[Mission]]
) -> None:
    missions = example["fr"]
    open_search(search, served_example, "?skill=traduction&skill=ecoute&remote=full")
    expected = matching(missions, skill=["traduction", "ecoute"], remote=["full"])
    assert count(search) == len(expected) > 1
    assert slugs(search) == expected
    open_search(search, served_example, "?commitment=one-off&language=en")
    assert slugs(search) == matching(missions, commitment=["one-off"], language=["en"])
    open_search(search, served_example)
    assert all_slugs(search) == [m.slug for m in missions]  # "show more", newest first
    expect(search.locator(".search-more")).to_be_hidden()


@pytest.mark.browser
def test_words_and_filters_combine_like_browsing(search: Page, served_example: str,
                                                 example: dict[str, list[Mission]]) -> None:
    by_slug = {m.slug: m for m in example["fr"]}
    open_search(search, served_example, "?q=site")
    found = [by_slug[s] for s in all_slugs(search)]
    assert len(found) > 3
    open_search(search, served_example, "?q=site&category=numerique&remote=full&remote=possible")
    expected = matching(found, category=["numerique"], remote=["full", "possible"])
    assert sorted(all_slugs(search)) == sorted(expected)
    # Counts with words come from Pagefind, by the same rules as the facet index.
    assert shown_count(search, "category", "numerique") == len(
        matching(found, category=["numerique"], remote=["full", "possible"]))
    assert shown_count(search, "remote", "no") == len(
        matching(found, category=["numerique"], remote=["no"]))
    assert shown_count(search, "skill", "webmastering") == len(
        matching(found, category=["numerique"], remote=["full", "possible"],
                 skill=["webmastering"]))


@pytest.mark.browser
def test_sorting_by_deadline_puts_the_closest_first(search: Page, served_example: str,
                                                    example: dict[str, list[Mission]]) -> None:
    missions = example["fr"]
    far = dt.date.max
    open_search(search, served_example)
    search.locator("#search-sort").select_option("deadline")
    settled(search)
    assert query(search) == {"sort": ["deadline"]}
    expected = sorted(missions, key=lambda m: m.deadline or far)  # stable: newest first
    assert slugs(search) == [m.slug for m in expected][:12]
    open_search(search, served_example, "?q=benevoles&sort=deadline")
    deadlines = [next(m.deadline or far for m in missions if m.slug == s)
                 for s in slugs(search)]
    assert len(deadlines) > 2 and deadlines == sorted(deadlines)


@pytest.mark.browser
def test_the_url_holds_the_state_through_reload_and_back_and_forward(
    search: Page, served_example: str
) -> None:
    open_search(search, served_example)
    search.locator("#q-search").fill("traduction")
    search.locator("#q-search").press("Enter")
    settled(search)
    tick(search, "category", "Humanitaire")
    search.locator("#search-sort").select_option("deadline")
    settled(search)
    assert query(search) == {"q": ["traduction"], "category": ["humanitaire"],
                             "sort": ["deadline"]}
    results = slugs(search)
    search.reload()
    settled(search)
    expect(search.locator("#q-search")).to_have_value("traduction")
    expect(search.locator('input[name="category"][value="humanitaire"]')).to_be_checked()
    expect(search.locator("#search-sort")).to_have_value("deadline")
    assert slugs(search) == results
    search.go_back()
    settled(search)
    assert query(search) == {"q": ["traduction"], "category": ["humanitaire"]}
    expect(search.locator("#search-sort")).to_have_value("relevance")
    search.go_back()
    settled(search)
    assert query(search) == {"q": ["traduction"]}
    expect(search.locator('input[name="category"][value="humanitaire"]')).not_to_be_checked()
    unfiltered = count(search)
    search.go_forward()
    settled(search)
    expect(search.locator('input[name="category"][value="humanitaire"]')).to_be_checked()
    assert count(search) < unfiltered


@pytest.mark.browser
def test_result_cards_are_the_listing_cards(search: Page, served_example: str) -> None:
    slug = "traduction-documents-administratifs-anglais"
    # The heading level follows the page's outline (h3 under the results' h2).
    outline = """card => [...card.querySelectorAll('*')].filter(e => !e.closest('svg'))
                   .map(e => e.tagName.replace(/^H[2-6]$/, 'H') + '.' + e.className)
                   .join(' ')"""
    search.goto(served_example + "missions/")
    listing = search.locator(f'.card:has(a[href$="/{slug}/"])')
    listing_outline = listing.evaluate(outline)
    listing_text = " ".join((listing.text_content() or "").split())
    open_search(search, served_example, "?language=en")
    result = search.locator(f'.search-list .card:has(a[href$="/{slug}/"])')
    assert result.evaluate(outline) == listing_outline
    assert " ".join((result.text_content() or "").split()) == listing_text
    open_search(search, served_example, "?q=traduction+anglais")
    result = search.locator(f'.search-list .card:has(a[href$="/{slug}/"])')
    assert result.locator(".card-title a").get_attribute("href") == (
        f"/board/missions/{slug}/")
    assert result.locator(".card-org").text_content() == "Passerelles Traduction"


@pytest.mark.browser
def test_english_search_uses_the_english_index_and_labels(search: Page,
                                                          served_example: str) -> None:
    open_search(search, served_example, "?q=translation", lang="en/")
    assert slugs(search)[0] == "traduction-documents-administratifs-anglais"
    assert search.locator(".search-status").text_content() == "1 mission"
    expect(search.locator('details[data-group="remote"] summary')).to_contain_text(
        "Remote or on site")


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_page_with_results_passes_axe(search: Page, served_example: str,
                                             scheme: str) -> None:
    search.emulate_media(color_scheme=scheme)
    open_search(search, served_example, "?q=traduction&category=humanitaire")
    search.locator('details[data-group="skill"] summary').click()
    expect(search.locator(".search-list .card-excerpt mark").first).to_be_visible()
    assert axe_violations(search) == []


@pytest.mark.browser
@pytest.mark.browser_context_args(java_script_enabled=False)
def test_without_javascript_the_page_says_so_and_links_to_the_listings(
    page: Page, served_example: str
) -> None:
    page.goto(served_example)
    page.locator("#q-home").fill("traduction")
    page.locator("#q-home").press("Enter")
    assert urlsplit(page.url).path == "/board/search/"
    assert query(page) == {"q": ["traduction"]}
    expect(page.locator(".search-fallback")).to_be_visible()
    expect(page.locator(".search-fallback")).to_contain_text("JavaScript")
    expect(page.locator(".search-layout")).to_be_hidden()
    page.locator(".search-fallback a[href$=\"/categories/numerique/\"]").click()
    assert urlsplit(page.url).path == "/board/categories/numerique/"


HOSTILE = """---
title: "Zorglub <img src=x onerror=alert(1)> & co"
association: savoirs
summary: "Un résumé avec <b>du gras</b> qui doit rester du texte."
categories: [education]
remote: full
commitment: {hours: 1, per: week}
posted: 2026-11-01
---
Un texte quelconque pour que l'extrait commence plus loin, loin du titre et du résumé de
la mission, avec assez de mots pour cela : un, deux, trois, quatre, cinq, six, sept, huit.

Quixotique <script>alert(2)</script> et <mark>faux</mark> chez R&D, quixotique.
"""


@pytest.mark.browser
def test_result_text_is_never_read_as_html(page: Page, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_BOARD, content)
    (content / "missions" / "zorglub.md").write_text(HOSTILE, encoding="utf-8")
    server, base = serve_built(tmp_path, content)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    try:
        for query_string in ("?q=zorglub", "?category=education"):
            open_search(page, base, query_string)
            card = page.locator('.search-list .card:has(a[href$="/zorglub/"])')
            expect(card.locator(".card-title")).to_have_text(
                "Zorglub <img src=x onerror=alert(1)> & co")
            expect(card.locator(".card-summary")).to_contain_text("<b>du gras</b>")
            assert card.locator("img, b, script").count() == 0
        open_search(page, base, "?q=quixotique")
        excerpt = page.locator(".search-list .card-excerpt").first
        expect(excerpt).to_contain_text("<script>alert(2)</script> et <mark>faux</mark> chez R&D")
        assert excerpt.locator("script").count() == 0
        assert [m.strip(",.") for m in excerpt.locator("mark").all_text_contents()] == [
            "Quixotique", "quixotique"]
    finally:
        server.close()
    assert errors == []
