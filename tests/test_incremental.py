"""Cached builds: the same bytes as a clean build, with only what changed rendered and
written, and a fresh start whenever the cache cannot be trusted."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pickle
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import generator.build
from generator.build import (
    BuildOptions,
    BuildReport,
    Planned,
    _code_key,
    _in_child,
    _Spliced,
    _texts_linking,
    build,
    load_site,
    run_pending,
)
from generator.cache import Cache, cache_dir
from generator.cli import main
from generator.content import SourceFile, display_path, find_sources, stat_keys
from generator.errors import ContentError
from generator.feeds import sitemap_entries
from generator.fingerprint import Fingerprints, card_digest, dependencies
from generator.model import ApplyRoute, Association, Commitment, Location, Mission
from generator.plan import (
    LazyPages,
    Page,
    holders,
    page_outputs,
    plan,
    planned_fields,
    with_objects,
)
from generator.server import LiveState, Watch, _shown, rebuild
from tests.conftest import EXAMPLE_CONTENT, ROOT, TODAY

MISSION = "traduction-documents-administratifs-anglais"  # has an English version
ASSOCIATION = "passerelles-traduction"  # has an English version too


def files(folder: Path) -> dict[str, bytes]:
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Inode and modification time of every file: what a rewrite changes."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            info = os.stat(Path(root) / name)
            found[(Path(root) / name).relative_to(folder).as_posix()] = (info.st_ino,
                                                                          info.st_mtime_ns)
    return found


# Pagefind 1.5 writes its filter files (and so the metadata and entry files naming them)
# in a different order from one run to the next, even on the same pages: two clean builds
# differ there. Its fragments and index chunks, what search finds, are compared.
UNSTABLE = re.compile(r"^pagefind/(filter/|pagefind\.[a-z]+_[0-9a-f]+\.pf_meta$|pagefind-entry)")


def assert_same_files(cached: Path, clean: Path, what: str = "") -> None:
    got, expected = files(cached), files(clean)
    got = {k: v for k, v in got.items() if not UNSTABLE.match(k)}
    expected = {k: v for k, v in expected.items() if not UNSTABLE.match(k)}
    assert sorted(got) == sorted(expected), what
    different = [name for name in expected if got[name] != expected[name]]
    assert different == [], what


def assert_like_a_clean_build(content: Path, out: Path, folder: Path,
                              **changes: object) -> BuildReport:
    """The files of `out` are those a build from nothing makes (into `folder`/site),
    whose report is returned."""
    clean = folder / "site"
    report = build(options(content, clean, cache=False, **changes))
    assert_same_files(out, clean)
    return report


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(EXAMPLE_CONTENT, folder)
    return folder


def options(content: Path, out: Path, **changes: object) -> BuildOptions:
    settings: dict[str, object] = {"content": content, "out": out, "today": TODAY,
                                   "base_url": "https://example.org/board/", "search": False}
    settings.update(changes)
    return BuildOptions(**settings)  # type: ignore[arg-type]


def edit(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, f"the edit changed nothing in {path}"
    path.write_text(changed, encoding="utf-8")


def field(name: str, value: str) -> Callable[[str], str]:
    return lambda text: re.sub(rf"(?m)^{name}: .*$", f"{name}: {value}", text, count=1)


def append(words: str) -> Callable[[str], str]:
    return lambda text: text + f"\n{words}\n"


def add_mission(content: Path) -> None:
    source = (content / "missions" / f"{MISSION}.md").read_text(encoding="utf-8")
    copy = field("title", '"Relire des sous-titres de vidéos"')(source)
    copy = field("posted", "2026-11-29")(field("deadline", "2027-01-31")(copy))
    (content / "missions" / "relecture-sous-titres.md").write_text(copy, encoding="utf-8")


# Each edit, then a cached build compared with a clean build of the same content.
EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("a mission's text", lambda c: edit(c / "missions" / f"{MISSION}.md",
                                        append("Une phrase de plus."))),
    ("a mission's title", lambda c: edit(c / "missions" / f"{MISSION}.md",
                                         field("title", '"Traduire des courriers"'))),
    # Moves it two places up every listing and missions.xml: items change places.
    ("a mission's posting date", lambda c: edit(c / "missions" / f"{MISSION}.md",
                                                field("posted", "2026-11-06"))),
    ("an English version", lambda c: edit(c / "missions" / f"{MISSION}.en.md",
                                          append("One more sentence."))),
    ("a mission's categories", lambda c: edit(c / "missions" / f"{MISSION}.md",
                                              field("categories", "[solidarite-insertion]"))),
    ("an association's name", lambda c: edit(c / "associations" / f"{ASSOCIATION}.md",
                                             field("name", '"Lien numérique solidaire"'))),
    ("an association's English version", lambda c: edit(
        c / "associations" / f"{ASSOCIATION}.en.md", field("name", '"Translation bridges"'))),
    ("a deadline that closes a mission", lambda c: edit(c / "missions" / f"{MISSION}.md",
                                                        field("deadline", "2026-11-20"))),
    ("a new mission", add_mission),
    ("a removed mission", lambda c: (c / "missions" / "relecture-sous-titres.md").unlink()),
    ("the settings", lambda c: edit(c / "site.yaml", field("description",
                                                           '"Des missions à distance."'))),
]


def test_page_fingerprints_cover_every_field_of_a_page() -> None:
    assert {f.name for f in dataclasses.fields(Page)} == Fingerprints.PAGE_FIELDS


# For every field plan() does not read, a value unlike the example board's.
OTHER_VALUES: dict[str, object] = {
    "title": "Un tout autre titre",
    "summary": "Un tout autre résumé.", "remote": "no",
    "location": Location("Ailleurs", "99999", None, "BE"),
    "commitment": Commitment(9.5, "month"), "languages": ("de",),
    "apply": ApplyRoute("url", "https://autre.example.org/"), "body": "Un autre texte.",
    "body_line": 99, "start": dt.date(2031, 1, 1), "end": dt.date(2031, 2, 1), "places": 42,
    "image": "autre.png", "image_alt": "Une autre image", "open_to_minors": False,
    "accessible": False, "extra": (("autre", 1),), "website": "https://autre.example.org/",
    "email": "autre@example.org", "logo": "autre.png", "logo_alt": "Un autre logo",
    "rna": "W999999999", "social": ("https://autre.example.org/social",),
}


@pytest.mark.parametrize("kind, slug", [(Mission, MISSION), (Association, ASSOCIATION)])
def test_the_plan_reads_only_the_planned_fields(kind: type, slug: str) -> None:
    """Any other field changed, plan() gives the plan it gave, with the new object: what
    lets a build after a title edit take the last plan (with_objects)."""
    site = load_site(EXAMPLE_CONTENT)
    earlier = plan(site, TODAY)
    where = holders(earlier)
    group = "missions" if kind is Mission else "associations"
    original = next(o for o in getattr(site, group)
                    if o.slug == slug and o.lang == site.config.default_language)
    others = [f.name for f in dataclasses.fields(kind) if f.name in OTHER_VALUES]
    # Every field is either one plan() reads or one with another value above.
    planned = {f.name for f in dataclasses.fields(kind)} - set(others) - {"source"}
    assert planned == ({"slug", "lang", "deadline", "draft", "posted", "categories", "skills",
                        "association"} if kind is Mission else {"slug", "lang", "name"})
    for name in others:
        changed = dataclasses.replace(original, **{name: OTHER_VALUES[name]})
        assert getattr(changed, name) != getattr(original, name), name
        assert planned_fields(changed) == planned_fields(original), name
        objects = tuple(changed if o is original else o for o in getattr(site, group))
        now = dataclasses.replace(site, **{group: objects})
        assert plan(now, TODAY) == with_objects(earlier, {original.source: changed}, where), name


def test_a_kept_plan_is_read_back_making_its_pages_only_when_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The plan a `missions build` keeps on disk comes back equal, with the objects of the
    site reading it, but its pages are unpickled by runs, when one of them is asked for:
    a rebuild after an edit makes the few pages it renders, not all of them."""
    monkeypatch.setattr(generator.build, "PAGE_RUN", 4)
    site = load_site(EXAMPLE_CONTENT)
    made = plan(site, TODAY)
    objects = [*site.associations, *site.missions]
    digests = {o.source: bytes(16) for o in objects}
    deps = {o.source: dependencies(o, site.config.default_language, digests) for o in objects}
    cards = {o.source: card_digest(o) for o in objects}
    prints = Fingerprints(b"key", site, deps, cards, TODAY)
    planned = Planned(b"key", deps, cards, made, prints,
                      {p.output: prints.page(p) for p in made.pages},
                      sitemap_entries(site, made), b"sitemap", {s: b"" for s in cards},
                      holders(made))
    kept = Planned.kept(pickle.loads(planned.head()), planned.body(), site)
    pages = kept.plan.pages
    assert isinstance(pages, LazyPages) and len(made.pages) > 4 * 10
    assert pages.outputs == tuple(p.output for p in made.pages)
    assert pages.kinds == tuple(p.kind for p in made.pages)
    assert (kept.deps, kept.cards, kept.pages, kept.holders) == (
        planned.deps, planned.cards, planned.pages, planned.holders)
    assert not pages._runs  # type: ignore[attr-defined]
    index = next(i for i, p in enumerate(made.pages) if p.kind == "mission" and i % 4 == 2)
    assert pages[index] == made.pages[index]
    assert pages[index].mission is made.pages[index].mission  # the site's own objects
    assert list(pages._runs) == [index // 4]  # type: ignore[attr-defined]
    assert kept.plan == made
    # Objects put in place of others are those its pages are made with.
    mission = made.pages[index].mission
    assert mission is not None
    new = {mission.source: dataclasses.replace(mission, title="Un autre titre")}
    swapped = with_objects(kept.plan, new, kept.holders or {})
    assert isinstance(swapped.pages, LazyPages)
    assert swapped == with_objects(made, new, holders(made))
    assert swapped.pages[index].mission is new[mission.source]


def test_cached_builds_give_the_bytes_of_clean_builds_after_every_kind_of_edit(
    content: Path, tmp_path: Path
) -> None:
    cached = tmp_path / "cached" / "site"
    build(options(content, cached))
    for index, (what, change) in enumerate(EDITS):
        change(content)
        report = build(options(content, cached))
        clean = tmp_path / f"clean-{index}" / "site"
        build(options(content, clean, cache=False))
        assert not cache_dir(clean).exists()
        assert_same_files(cached, clean, what)
        if what != "the settings":  # settings change every page: built anew
            assert report.incremental, what
            assert report.rendered < report.pages // 2, what


def test_a_theme_change_or_another_day_rebuilds_what_it_must(content: Path,
                                                             tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "themes" / "default", theme)
    cached = tmp_path / "cached" / "site"
    build(options(content, cached, theme=theme))
    edit(theme / "templates" / "partials" / "card.html",
         lambda text: text.replace("card-title", "card-title card-heading", 1))
    report = build(options(content, cached, theme=theme))
    assert report.rendered == report.pages
    assert_like_a_clean_build(content, cached, tmp_path / "clean", theme=theme)
    assert b"card-heading" in (cached / "index.html").read_bytes()

    later = TODAY + dt.timedelta(days=40)  # some deadlines pass
    build(options(content, cached, theme=theme, today=later))
    assert_like_a_clean_build(content, cached, tmp_path / "clean", theme=theme, today=later)


def test_a_new_day_renders_only_what_the_date_changed(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(options(content, out))
    # No deadline passes: only the search pages, which count the open missions, and the
    # feeds dated by the build.
    tomorrow = TODAY + dt.timedelta(days=1)
    next_day = build(options(content, out, today=tomorrow))
    assert next_day.incremental and next_day.rendered == 2
    assert_like_a_clean_build(content, out, tmp_path / "clean-1", today=tomorrow)
    # A deadline passes (2027-01-08): its mission pages and the listings it leaves.
    closing = build(options(content, out, today=dt.date(2027, 1, 9)))
    assert closing.incremental and 2 < closing.rendered < closing.pages // 4
    assert_like_a_clean_build(content, out, tmp_path / "clean-2", today=dt.date(2027, 1, 9))


def test_a_theme_that_shows_the_date_renders_every_page_on_a_new_day(
    content: Path, tmp_path: Path
) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "themes" / "default", theme)
    edit(theme / "templates" / "base.html",
         lambda text: text.replace("</body>", "<p>{{ today.isoformat() }}</p></body>", 1))
    out = tmp_path / "site"
    build(options(content, out, theme=theme))
    report = build(options(content, out, theme=theme, today=TODAY + dt.timedelta(days=1)))
    assert report.rendered == report.pages
    assert "2026-12-01" in (out / "index.html").read_text("utf-8")


def test_one_edited_text_renders_one_page_and_rewrites_only_what_shows_it(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(options(content, out))
    before = stamps(out)
    edit(content / "missions" / f"{MISSION}.md", append("Une phrase de plus."))
    report = build(options(content, out))
    assert report.incremental and report.rendered == 1
    after = stamps(out)
    assert sorted(after) == sorted(before)
    rewritten = sorted(name for name in after if after[name] != before[name])
    # The page, and what carries the full text: the feeds it is in and missions.xml.
    assert f"missions/{MISSION}/index.html" in rewritten
    assert "missions.xml" in rewritten and "feed.xml" in rewritten
    assert not [n for n in rewritten if n.endswith(".html") and MISSION not in n]
    assert not [n for n in rewritten if n.startswith(("en/", "static/"))]
    assert report.written == len(rewritten)

    nothing = build(options(content, out))
    assert nothing.incremental and nothing.rendered == 0 and nothing.written == 0
    assert stamps(out) == after


def test_a_broken_edit_keeps_the_site_and_the_next_good_build_goes_on(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(options(content, out))
    before = files(out)
    page = content / "missions" / f"{MISSION}.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good + "\n[Voir aussi](/board/missions/nulle-part/)\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        build(options(content, out))
    assert any("missions/nulle-part/" in str(p) for p in raised.value.problems)
    assert files(out) == before
    page.write_text(good + "\nCorrigé.\n", encoding="utf-8")
    report = build(options(content, out))
    assert report.incremental and report.rendered == 1
    assert_like_a_clean_build(content, out, tmp_path / "clean")


LINKED = "soutien-scolaire-maths-college-visio"  # linked to from MISSION's text below
NOWHERE = ("body: the link '{}' leads to no page of this site (check the address; links "
           "to this board's pages start with /board/ or are relative, such as "
           "../other-mission/)")


@pytest.mark.parametrize(("change", "problems"), [
    (lambda c: [(c / "missions" / f"{LINKED}{end}").unlink() for end in (".md", ".en.md")],
     [NOWHERE.format(f"../{LINKED}/"), NOWHERE.format(f"../{LINKED}/#apply")]),
    (lambda c: edit(c / "missions" / f"{LINKED}.md", field("deadline", "2026-11-01")),
     [(f"body: the link '../{LINKED}/#apply' leads to an anchor '#apply' that is not on "
       "that page (remove '#apply', or link to an anchor the page has)")]),
], ids=["the mission linked to removed", "its anchor gone with the mission closed"])
def test_a_text_linking_to_a_page_removed_or_changed_is_checked_again_though_unchanged(
        content: Path, tmp_path: Path, change: Callable[[Path], object],
        problems: list[str]) -> None:
    out = tmp_path / "site"
    edit(content / "missions" / f"{MISSION}.md", append(
        f"Voir aussi [le soutien scolaire](../{LINKED}/) et [sa candidature](../{LINKED}/#apply)."))
    build(options(content, out))
    before = files(out)
    change(content)  # MISSION's file is left as it is
    with pytest.raises(ContentError) as raised:
        build(options(content, out))
    assert [(p.path, p.message) for p in raised.value.problems] == [
        (display_path(content / "missions" / f"{MISSION}.md"), message) for message in problems]
    assert files(out) == before  # the last good site stays


def test_the_texts_that_may_link_to_a_page_are_found_by_the_end_of_its_route(
        content: Path) -> None:
    edit(content / "missions" / f"{MISSION}.md", append(
        f"Voir [le soutien](../{LINKED}/) et [la page 2](/board/categories/numerique/page/2/)."))
    site = load_site(content)
    site_plan = plan(site, TODAY, base_url="https://example.org/board/")
    outputs = frozenset(page_outputs(site_plan.pages))
    own = [f"missions/{MISSION}/index.html"]

    def linking(*targets: str) -> list[str]:
        return _texts_linking(site, site_plan.urls, outputs, targets)

    assert linking(f"missions/{LINKED}/index.html") == own  # one needle: `in`
    assert linking(f"en/missions/{LINKED}/index.html") == own  # the same slug
    assert linking("categories/numerique/page/2/index.html", "index.html",
                   "missions/nulle-part/index.html", "associations/zz-absente/index.html") == own
    assert linking("missions/nulle-part/index.html") == []
    assert linking("index.html") == []  # the home page: the theme's anchors only


def test_an_update_interrupted_in_place_makes_the_next_build_start_afresh(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(options(content, out))
    # A build killed while it moved files in: marked dirty, a file half-updated.
    cache = Cache.open(cache_dir(out))
    cache.mark_dirty()
    cache.close()
    (out / "index.html").write_bytes(b"half-written")
    report = build(options(content, out))
    assert not report.incremental and report.rendered == report.pages
    assert_like_a_clean_build(content, out, tmp_path / "clean")


def test_an_output_folder_replaced_by_someone_else_is_not_trusted(content: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(options(content, out))
    shutil.rmtree(out)
    shutil.copytree(tmp_path / "content", out)  # anything but our site
    report = build(options(content, out))
    assert not report.incremental
    assert_like_a_clean_build(content, out, tmp_path / "clean")


def test_an_edit_copies_missions_xml_but_the_items_that_changed(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_bytes: list[list[bytes]] = []  # of each copy made, what was not copied
    copy = _Spliced.write

    def write(self: _Spliced, target: Path) -> None:
        new_bytes.append([part for part in self.parts if isinstance(part, bytes)])
        copy(self, target)

    monkeypatch.setattr(_Spliced, "write", write)
    out = tmp_path / "site"
    mission = content / "missions" / f"{MISSION}.md"
    build(options(content, out))
    assert new_bytes == []  # a clean build assembles it
    edit(mission, append("Une phrase de plus."))
    build(options(content, out))
    assert len(new_bytes) == 1 and len(new_bytes[0]) == 1
    assert b"Une phrase de plus." in new_bytes[0][0]
    # Two places up: the mission and the two it passes, each item where it now is.
    edit(mission, field("posted", "2026-11-06"))
    build(options(content, out))
    assert len(new_bytes) == 2 and len(new_bytes[1]) == 3
    assert_like_a_clean_build(content, out, tmp_path / "clean")


def test_missions_xml_changed_in_place_is_made_again_in_full(content: Path,
                                                             tmp_path: Path) -> None:
    """After a text edit missions.xml is a copy of the file in place but for the edited
    item, at the places recorded: a file of another size is made again from every item."""
    out = tmp_path / "site"
    build(options(content, out))
    national = out / "missions.xml"
    with open(national, "r+b") as handle:  # in place: the folder looks untouched
        data = handle.read()
        handle.seek(0)
        handle.write(data.replace(b"<source>", b"<source><!-- hand-made -->", 1))
    edit(content / "missions" / f"{MISSION}.md", append("Une phrase de plus."))
    report = build(options(content, out))
    assert report.incremental and not report.replanned
    assert_like_a_clean_build(content, out, tmp_path / "clean")


@pytest.mark.parametrize("system_copy", [True, False], ids=["copy_file_range", "read"])
def test_a_spliced_file_is_its_ranges_and_new_bytes_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system_copy: bool
) -> None:
    if not system_copy:  # as on macOS, which has no copy_file_range
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    source = tmp_path / "source"
    source.write_bytes(b"0123456789" * 3)
    spliced = _Spliced(source, ((0, 4), b"new", (7, 10), b"", (25, 5)))
    expected = b"0123" + b"new" + b"7890123456" + b"56789"
    assert len(spliced) == len(expected) and spliced.bytes() == expected
    spliced.write(tmp_path / "target")
    assert (tmp_path / "target").read_bytes() == expected
    # Compared with its source: only the new bytes are read, where they would go.
    assert not spliced.unchanged()
    assert _Spliced(source, ((0, 4), b"4567", (8, 22))).unchanged()
    assert not _Spliced(source, ((0, 4), b"4568", (8, 22))).unchanged()
    assert not _Spliced(source, ((0, 4), b"4567", (8, 21))).unchanged()


class _DiesWhenPickled:
    def __reduce__(self) -> tuple[object, ...]:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)  # in the forked helper, midway through sending
        return (str, ())


def test_a_forked_helper_that_dies_midway_gives_nothing_and_is_reaped_once() -> None:
    wait = _in_child(lambda: b"fine")
    assert pickle.loads(wait()) == b"fine" and wait() == b""  # read and reaped once
    # What it sent before dying (a first 200 KB frame) is not taken for a result.
    dead = _in_child(lambda: [b"x" * 200_000, _DiesWhenPickled()])
    assert dead() == b"" and dead() == b""


def test_a_forked_helper_may_give_way_to_other_processes() -> None:
    # Beside Pagefind, the link check, feeds and plan are made at a lower priority.
    ours = os.nice(0)
    wait = _in_child(lambda: os.nice(0), nice=10)
    assert pickle.loads(wait()) == min(ours + 10, 19)
    assert os.nice(0) == ours  # this process as it was


def test_an_unreadable_cache_is_dropped(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(options(content, out))
    (cache_dir(out) / "cache.sqlite3").write_bytes(b"not a database" * 100)
    report = build(options(content, out))
    assert not report.incremental
    edit(content / "missions" / f"{MISSION}.md", append("Encore une phrase."))
    assert build(options(content, out)).rendered == 1


def test_the_search_index_follows_an_incremental_build(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(options(content, out, search=True))
    edit(content / "missions" / f"{MISSION}.md", field("title", '"Traduire des courriers"'))
    report: BuildReport = build(options(content, out, search=True))
    assert report.incremental and report.search_seconds > 0
    assert_like_a_clean_build(content, out, tmp_path / "clean", search=True)
    # Back to no index: the bundle and the facet files go.
    build(options(content, out))
    assert not (out / "pagefind").exists() and not (out / "search" / "facets.json").exists()


def test_a_text_edit_leaves_the_facet_index_alone_and_a_title_edit_remakes_it(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(options(content, out, search=True))
    facets = {n: s for n, s in stamps(out).items() if n.startswith(("search/", "en/search/"))}
    assert "search/facets.json" in facets and "search/cards-0.json" in facets
    edit(content / "missions" / f"{MISSION}.md", append("Une phrase de plus."))
    build(options(content, out, search=True))
    after = stamps(out)
    assert {n: after[n] for n in facets} == facets
    edit(content / "missions" / f"{MISSION}.md", field("title", '"Traduire des courriers"'))
    build(options(content, out, search=True))
    assert "Traduire des courriers" in (out / "search" / "cards-0.json").read_text("utf-8")
    assert "Traduire des courriers" not in (out / "en" / "search" / "cards-0.json").read_text(
        "utf-8")
    assert stamps(out)["en/search/facets.json"] == facets["en/search/facets.json"]


def test_serve_puts_pages_in_place_first_and_the_other_files_after(content: Path,
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "site"
    cache = Cache.open(cache_dir(out))
    try:
        build(options(content, out, search=True), cache=cache, defer_index=True)
        feed = (out / "missions.xml").read_bytes()
        edit(content / "missions" / f"{MISSION}.md", field("title", '"Traduire des courriers"'))
        report = build(options(content, out, search=True), cache=cache, defer_index=True)
        assert report.incremental
        page = (out / "missions" / MISSION / "index.html").read_text("utf-8")
        assert "Traduire des courriers" in page
        # Told to reload now; the feeds, the facet index and the bundle come after.
        assert (out / "missions.xml").read_bytes() == feed
        assert "Traduire des courriers" not in (out / "search" / "cards-0.json").read_text(
            "utf-8")
        seconds = run_pending(options(content, out, search=True), cache)
        assert seconds is not None and seconds > 0
        assert run_pending(options(content, out, search=True), cache) is None
    finally:
        cache.close()
    assert_like_a_clean_build(content, out, tmp_path / "clean", search=True)
    assert build(options(content, out, search=True)).written == 0


def test_serve_reuses_the_plan_after_a_text_edit_and_gives_what_a_new_process_gives(
    content: Path, tmp_path: Path
) -> None:
    """missions serve keeps its cache in memory: after an edit that leaves every card as it
    was (a text), the next build takes the last plan and most fingerprints as they were;
    after one that changes no field the plan reads (a title), the last plan. Its files
    and fingerprints must be those of a build in a new process."""
    texts = ("an association's text", "an association's English text", "a mission's text",
             "an English version")
    edits = [
        ("an association's text", lambda c: edit(
            c / "associations" / f"{ASSOCIATION}.md", append("Une phrase de plus."))),
        ("an association's English text", lambda c: edit(
            c / "associations" / f"{ASSOCIATION}.en.md", append("One more sentence."))),
        *EDITS,
    ]
    out = tmp_path / "site"
    cache = Cache.open(cache_dir(out))
    try:
        build(options(content, out), cache=cache)
        for index, (what, change) in enumerate(edits):
            before = cache.planned
            change(content)
            report = build(options(content, out), cache=cache)
            after = cache.planned
            assert isinstance(before, Planned) and isinstance(after, Planned)
            # The pages that show no edited object are the very same objects.
            kept = [p for p, q in zip(before.plan.pages, after.plan.pages) if p is q]
            assert bool(kept) == (what in texts or what == "a mission's title"), what
            assert report.replanned == (not kept), what
            if what in texts:
                assert report.rendered <= 4, what  # the edited page, in each language
            fresh = tmp_path / f"fresh-{index}" / "site"
            build(options(content, fresh))
            assert cache.outputs == Cache.open(cache_dir(fresh)).outputs, what
            assert_same_files(out, fresh, what)
    finally:
        cache.close()


def test_serve_looks_only_at_the_files_it_was_told_changed_after_a_good_build(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    mission = content / "missions" / f"{MISSION}.md"
    other = content / "missions" / "permanence-ecoute-dimanche-soir.md"
    told = {display_path(mission)}
    cache = Cache.open(cache_dir(out))
    try:
        build(options(content, out), cache=cache)
        # Told of one file: another one's edit is not seen, as the watch would have said.
        edit(mission, append("Une phrase de plus."))
        edit(other, append("Une autre phrase."))
        assert build(options(content, out), cache=cache, changed=told).rendered == 1
        page = (out / "missions" / "permanence-ecoute-dimanche-soir" / "index.html")
        assert "Une autre phrase." not in page.read_text("utf-8")
        # A file the last build did not know (added, renamed): every file is looked at.
        add_mission(content)
        new = content / "missions" / "relecture-sous-titres.md"
        report = build(options(content, out), cache=cache, changed={display_path(new)})
        assert "Une autre phrase." in page.read_text("utf-8")
        assert (out / "missions" / "relecture-sous-titres" / "index.html").exists()
        # After a failed build, the next looks at every file: the broken one is not
        # taken for its last good version because the next change is elsewhere.
        good = mission.read_text(encoding="utf-8")
        edit(mission, field("deadline", "bientôt"))
        with pytest.raises(ContentError):
            build(options(content, out), cache=cache, changed=told)
        edit(other, append("Encore une phrase."))
        with pytest.raises(ContentError) as raised:
            build(options(content, out), cache=cache, changed={display_path(other)})
        assert [p.path for p in raised.value.problems] == [display_path(mission)]
        mission.write_text(good, encoding="utf-8")
        report = build(options(content, out), cache=cache, changed=told)
        assert report.incremental
    finally:
        cache.close()
    assert_like_a_clean_build(content, out, tmp_path / "clean")


def test_serve_looks_at_every_file_after_a_build_by_another_process(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    mission = content / "missions" / f"{MISSION}.md"
    cache = Cache.open(cache_dir(out))
    try:
        build(options(content, out), cache=cache)
        # Another build, run from another folder: it names the content files otherwise.
        edit(mission, append("Une phrase de plus."))
        monkeypatch.chdir(tmp_path)
        build(options(Path("content"), out))
        monkeypatch.undo()
        edit(mission, append("Une autre phrase."))
        # The files known by other names, this build reads them all (and, every card
        # naming its file, renders every page).
        build(options(content, out), cache=cache, changed={display_path(mission)})
    finally:
        cache.close()
    assert_like_a_clean_build(content, out, tmp_path / "clean")


def test_the_watch_names_content_files_as_the_build_does(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the content folder given as ../content
    sources, _ = find_sources(Path("../content"), ("fr", "en"))
    mission = str((content / "missions" / f"{MISSION}.md").resolve())
    assert _shown(Path("../content"), mission) in {s.path for s in sources}
    theme = str((ROOT / "themes" / "default" / "templates" / "base.html").resolve())
    assert _shown(Path("../content"), theme) == theme


def test_stat_keys_taken_beside_stand_for_those_find_sources_takes(content: Path) -> None:
    """A `missions build` looks at the content files from another process while it reads
    the cache (content.stat_keys): find_sources takes what it found for what the folders
    hold, and looks again at a file it could not look at."""
    known: dict[str, str] = {}

    def unchanged(path: str, key: str) -> bool:
        return known.get(path) == key

    first, _ = find_sources(content, ("fr", "en"), unchanged)
    known.update((s.path, s.stat) for s in first)
    # Files known unchanged are made without __init__, each field given all the same.
    assert vars(SourceFile.unread("mission", "x.md", "x", "en", "1:2")) == vars(
        SourceFile("mission", "x.md", "x", "en", None, "1:2"))
    keys = stat_keys(content)
    assert sorted(k for found in keys.values() for k in found.values()) == sorted(
        known.values())
    assert find_sources(content, ("fr", "en"), unchanged, keys) == find_sources(
        content, ("fr", "en"), unchanged)
    mission = content / "missions" / f"{MISSION}.md"
    edit(mission, append("Une phrase de plus."))
    folder = os.path.join(content / "missions", "")
    blank = {**keys, folder: {**keys[folder], mission.name: ""}}
    # Keys taken before the edit, as when it comes while a build reads the cache: the file
    # is taken as it was (the next build, keys taken after, reads it). One that could not
    # be looked at is looked at again, and read.
    for stats, read in ((keys, False), (blank, True), (stat_keys(content), True)):
        sources, problems = find_sources(content, ("fr", "en"), unchanged, stats)
        edited = next(s for s in sources if s.path == display_path(mission))
        assert not problems and (edited.text is not None) == read
        assert [s.path for s in sources] == [s.path for s in first]


def test_compiled_templates_are_kept_for_one_version_of_the_generator(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    stale = cache_dir(out) / "templates" / "another-version"
    stale.mkdir(parents=True)
    build(options(content, out))
    kept = list((cache_dir(out) / "templates").iterdir())
    assert [folder.name for folder in kept] == [_code_key().hex()[:32]]
    # A folder per language and what was folded into its templates (see ThemeEnvironment).
    languages = sorted(kept[0].iterdir())
    assert [re.fullmatch(r"(en|fr)\.[0-9a-f]{32}", f.name) is not None for f in languages] == [
        True, True]
    assert {path.suffix for folder in languages for path in folder.iterdir()} == {".cache"}


def test_a_ui_string_or_base_url_changed_shows_on_the_next_cached_build(
    content: Path, tmp_path: Path
) -> None:
    # Compiled templates hold the UI strings and URLs folded into them: kept compiled,
    # they must not outlive a change of either.
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "themes" / "default", theme)
    out = tmp_path / "site"
    build(options(content, out, theme=theme))
    edit(theme / "strings.yaml", lambda text: text.replace(
        'nav_missions: {fr: "Missions"', 'nav_missions: {fr: "Toutes les missions"', 1))
    build(options(content, out, theme=theme))
    assert ">Toutes les missions</a>" in (out / "index.html").read_text(encoding="utf-8")
    assert_like_a_clean_build(content, out, tmp_path / "clean", theme=theme)
    build(options(content, out, theme=theme, base_url="https://example.org/other/"))
    assert 'href="/other/missions/"' in (out / "index.html").read_text(encoding="utf-8")
    assert_like_a_clean_build(content, out, tmp_path / "clean2", theme=theme,
                              base_url="https://example.org/other/")
    # Only the folders of the last build's settings are kept, one per language.
    folders = [f.name for f in (cache_dir(out) / "templates").iterdir()]
    assert len(folders) == 1
    assert len(list((cache_dir(out) / "templates" / folders[0]).iterdir())) == 2


def test_serve_builds_with_the_date_of_each_build(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    day = [TODAY]
    cache = Cache.open(cache_dir(out))
    try:
        watch = Watch(options(content, out), lambda line: None, cache, today=lambda: day[0])
        first = rebuild(watch, LiveState())
        day[0] = dt.date(2027, 1, 9)  # left running past a deadline (2027-01-08)
        later = rebuild(watch, LiveState())
    finally:
        cache.close()
    assert first is not None and later is not None
    assert later.incremental and later.closed > first.closed
    assert_like_a_clean_build(content, out, tmp_path / "clean", today=dt.date(2027, 1, 9))


def test_a_first_build_keeps_what_spares_the_next_one_reading_every_file(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(options(content, out))
    # The stat key of every content file: the next build reads only those that differ.
    known = Cache.open(cache_dir(out)).files
    sources = [*(content / "missions").glob("*.md"), *(content / "associations").glob("*.md")]
    assert sorted(known) == sorted(display_path(path) for path in sources)


def test_a_build_after_text_edits_takes_the_plan_kept_by_an_earlier_one(
    content: Path, tmp_path: Path
) -> None:
    """Each `missions build` is a new process: the plan it makes is kept on disk, and the
    next build takes it while every card is as it was planned for. Builds that take it
    do not write it again, so it grows older than the texts: still its own inputs, and
    the files are those of a clean build whatever the order of the edits."""
    import sqlite3

    def corrupt_the_kept_plan() -> None:
        db = sqlite3.connect(cache_dir(out) / "cache.sqlite3")
        try:
            with db:
                db.execute("UPDATE meta SET value = ? WHERE key = 'plan_body'", (b"\x80junk",))
        finally:
            db.close()

    mission = content / "missions" / f"{MISSION}.md"
    original = mission.read_text(encoding="utf-8")
    # What changed, whether the plan is made again, how many pages are rendered at most.
    steps: list[tuple[str, Callable[[], object], bool, int | None]] = [
        ("a mission's text", lambda: edit(mission, append("Une phrase de plus.")), False, 2),
        ("an association's text", lambda: edit(
            content / "associations" / f"{ASSOCIATION}.md", append("Une phrase.")), False, 2),
        ("the first text as it was", lambda: mission.write_text(original, encoding="utf-8"),
         False, 2),
        # Listings show the title: rendered again, but the plan holds.
        ("a mission's title", lambda: edit(mission, field("title", '"Traduire des lettres"')),
         False, None),
        ("a text after the title", lambda: edit(mission, append("Encore une phrase.")), False,
         2),
        ("a mission's categories", lambda: edit(
            mission, field("categories", "[solidarite-insertion]")), True, None),
        ("a mission's deadline, passed", lambda: edit(mission, field("deadline", "2026-11-20")),
         True, None),
        ("a text of the closed mission", lambda: edit(mission, append("Close.")), False, 2),
        ("an association's summary", lambda: edit(
            content / "associations" / f"{ASSOCIATION}.md",
            field("summary", '"Des traductions pour tous, à distance."')), False, None),
        ("a kept plan that cannot be read", lambda: (
            corrupt_the_kept_plan(), edit(mission, append("Et une autre."))), True, None),
        ("a text after that", lambda: edit(mission, append("La dernière.")), False, 2),
        ("a title after that", lambda: edit(mission, field("title", '"Traduire des avis"')),
         False, None),
    ]
    out = tmp_path / "site"
    assert build(options(content, out)).replanned
    for index, (what, change, replanned, most) in enumerate(steps):
        change()
        report = build(options(content, out))
        assert report.replanned == replanned, what
        assert report.incremental, what
        if most is not None:
            assert report.rendered <= most, what
        clean = assert_like_a_clean_build(content, out, tmp_path / f"clean-{index}")
        # Counted by the build that made the plan, for one that takes it.
        assert (report.missions, report.closed) == (clean.missions, clean.closed), what
    # Another day plans again (which missions are closed).
    edit(mission, append("Le lendemain."))
    assert build(options(content, out, today=TODAY + dt.timedelta(days=1))).replanned
    assert_like_a_clean_build(content, out, tmp_path / "next-day",
                              today=TODAY + dt.timedelta(days=1))


def test_the_cache_keeps_only_what_the_last_full_build_used(content: Path,
                                                             tmp_path: Path) -> None:
    import sqlite3

    def rows(table: str) -> int:
        db = sqlite3.connect(cache_dir(out) / "cache.sqlite3")
        try:
            count: int = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        finally:
            db.close()
        return count

    out = tmp_path / "site"
    build(options(content, out))
    items, bodies = rows("fragments"), rows("markdown")
    assert items > 0 and bodies > 0
    # Items are keyed by the build: the date is not part of it (each day would otherwise
    # add a copy of every one).
    for day in (1, 2, 3):
        build(options(content, out, today=TODAY + dt.timedelta(days=day)))
    assert rows("fragments") == items
    # An edit adds the text's new version; the old one stays until a whole-site build
    # (here a change of settings, which every page shows) drops what it did not use.
    edit(content / "missions" / f"{MISSION}.md", append("Une phrase de plus."))
    build(options(content, out, today=TODAY + dt.timedelta(days=4)))
    assert rows("markdown") == bodies + 1 and rows("fragments") == items + 1
    edit(content / "site.yaml", field("description", '"Des missions à distance."'))
    assert not build(options(content, out, today=TODAY + dt.timedelta(days=4))).incremental
    assert rows("markdown") == bodies and rows("fragments") == items


def test_the_objects_read_back_are_those_of_the_last_build(content: Path,
                                                          tmp_path: Path) -> None:
    """Objects are written by bucket: an edit, an addition and a removal are all read
    back by the next process, and nothing else of the bucket is lost."""
    out = tmp_path / "site"

    def kept() -> dict[str, object]:
        cache = Cache.open(cache_dir(out))
        try:
            return {path: made for path, (_, made, _) in cache.objects.items()}
        finally:
            cache.close()

    def made_now() -> dict[str, object]:
        site = load_site(content)
        return {m.source: m for m in [*site.associations, *site.missions]}

    build(options(content, out))
    assert kept() == made_now()
    # Alone, so that no other object makes its bucket written again.
    (content / "missions" / f"{MISSION}.en.md").unlink()
    build(options(content, out))
    objects = kept()
    assert objects == made_now()
    assert display_path(content / "missions" / f"{MISSION}.en.md") not in objects
    edit(content / "missions" / f"{MISSION}.md", append("Une phrase de plus."))
    add_mission(content)
    build(options(content, out))
    objects = kept()
    assert objects == made_now()
    assert "Une phrase de plus." in objects[  # type: ignore[attr-defined]
        display_path(content / "missions" / f"{MISSION}.md")].body


def test_cli_no_cache_builds_from_nothing_and_drops_the_cache(content: Path,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "site"
    runner = CliRunner()
    args = ["build", "--content", str(content), "--out", str(out), "--today", "2026-11-30",
            "--no-search"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert cache_dir(out).is_dir()
    again = runner.invoke(main, args)
    assert again.exit_code == 0 and "0 rendered, 0 files changed" in again.output
    assert "\r" not in again.output  # no progress display when not on a terminal
    clean = runner.invoke(main, [*args, "--no-cache"])
    assert clean.exit_code == 0, clean.output
    assert "rendered" not in clean.output and not cache_dir(out).exists()


def test_checking_in_two_processes_gives_the_same_site_and_the_same_problems(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.build

    serial = tmp_path / "serial" / "site"
    build(options(content, serial, cache=False, jobs=1))
    monkeypatch.setattr(generator.build, "PARALLEL_CHECK", 1)  # large boards only, else
    parallel = tmp_path / "parallel" / "site"
    build(options(content, parallel, cache=False, jobs=2))
    assert_same_files(parallel, serial)
    # The card digests each process works out are those one process does: a text edit
    # after a parallel check still leaves every listing as it is (the plan is kept).
    from generator.build import _load

    assert _load(content, None, 2)[2] == _load(content, None, 1)[2]
    build(options(content, parallel, jobs=2))
    edit(content / "missions" / f"{MISSION}.md", append("Une phrase de plus."))
    report = build(options(content, parallel, jobs=2))
    assert report.rendered == 1 and not report.replanned

    edit(content / "missions" / f"{MISSION}.md", field("remote", "sometimes"))
    edit(content / "missions" / "aide-devoirs-enfants-allophones.md",
         field("places", "-3"))
    problems = []
    for jobs in (1, 2):
        with pytest.raises(ContentError) as raised:
            build(options(content, tmp_path / f"broken-{jobs}" / "site", cache=False,
                          jobs=jobs))
        problems.append([str(p) for p in raised.value.problems])
    assert problems[0] == problems[1] and len(problems[0]) == 2


def test_cli_theme_option_builds_with_another_theme(content: Path, tmp_path: Path) -> None:
    theme = tmp_path / "my-theme"
    shutil.copytree(ROOT / "themes" / "default", theme)
    edit(theme / "templates" / "base.html",
         lambda text: text.replace("</body>", "<!-- my-theme -->\n</body>", 1))
    out = tmp_path / "site"
    result = CliRunner().invoke(main, [
        "build", "--content", str(content), "--out", str(out), "--today", "2026-11-30",
        "--no-search", "--theme", str(theme)])
    assert result.exit_code == 0, result.output
    assert "<!-- my-theme -->" in (out / "index.html").read_text(encoding="utf-8")
    missing = CliRunner().invoke(main, ["build", "--theme", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
