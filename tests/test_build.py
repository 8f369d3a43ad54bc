"""Behaviour of `missions build`: what the built site contains, where, and how it fails."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import BuildOptions, build
from generator.cli import main
from tests.conftest import EXAMPLE_CONTENT, FIXTURE_BOARD, TODAY
from tests.htmlcheck import html_files, parse, resolve

BASE = "/board/"
CLOSED = ("relecture-glossaire-juridique-asile", "campagne-collecte-fonds-fin-annee")
DRAFT = "suivi-administratif-adoptions"


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def listing_slugs(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return re.findall(r'class="card-title"><a href="[^"]*/missions/([a-z0-9-]+)/"', text)


def all_listing_slugs(site: Path, folder: str) -> list[str]:
    pages = [site / folder / "index.html", *sorted((site / folder / "page").glob("*/index.html"))]
    return [slug for page in pages if page.exists() for slug in listing_slugs(page)]


def test_every_internal_link_is_under_the_base_path_and_resolves(example_site: Path) -> None:
    broken = []
    for page in html_files(example_site):
        for tag, attribute, url in parse(page).urls:
            if url.startswith(("https://", "http://", "mailto:", "#")):
                continue
            if not url.startswith(BASE):
                broken.append(f"{page.relative_to(example_site)}: {tag}[{attribute}]={url}")
                continue
            target = resolve(example_site, BASE, url)
            if target is None or not target.is_file():
                broken.append(f"{page.relative_to(example_site)}: {url} does not resolve")
    assert broken == []


def test_absolute_links_to_the_site_use_the_base_url(example_site: Path) -> None:
    page = parse(example_site / "missions" / "traduction-documents-administratifs-anglais" / "index.html")
    canonical = [link["href"] for link in page.link_rel if link.get("rel") == "canonical"]
    assert canonical == [
        "https://example.org/board/missions/traduction-documents-administratifs-anglais/"
    ]
    alternates = {
        link["hreflang"]: link["href"] for link in page.link_rel if link.get("rel") == "alternate"
        and "hreflang" in link
    }
    assert alternates == {
        "fr": "https://example.org/board/missions/traduction-documents-administratifs-anglais/",
        "en": "https://example.org/board/en/missions/traduction-documents-administratifs-anglais/",
    }


def test_each_language_has_its_tree_with_its_own_html_lang(example_site: Path) -> None:
    assert parse(example_site / "index.html").html_lang == "fr"
    assert parse(example_site / "en" / "index.html").html_lang == "en"
    english = (example_site / "en" / "missions" / "traduction-documents-administratifs-anglais"
               / "index.html").read_text(encoding="utf-8")
    assert "Apply" in english and "Candidater" not in english


def test_english_tree_lists_only_missions_with_an_english_version(example_site: Path) -> None:
    english = set(all_listing_slugs(example_site / "en", "missions"))
    translated = {
        p.name[: -len(".en.md")] for p in (EXAMPLE_CONTENT / "missions").glob("*.en.md")
    }
    assert english == translated - set(CLOSED)
    assert not (example_site / "en" / "missions" / "permanence-ecoute-dimanche-soir").exists()


def test_closed_missions_are_out_of_listings_but_keep_a_noindex_page(example_site: Path) -> None:
    listed = all_listing_slugs(example_site, "missions")
    for slug in CLOSED:
        assert slug not in listed
        page = example_site / "missions" / slug / "index.html"
        text = page.read_text(encoding="utf-8")
        assert parse(page).meta["robots"] == "noindex"
        assert "Cette mission est terminée" in text
        assert 'id="apply"' not in text


def test_open_missions_are_all_listed_newest_first_over_the_pages(example_site: Path) -> None:
    listed = all_listing_slugs(example_site, "missions")
    assert len(listed) == len(set(listed)) == 31
    assert (example_site / "missions" / "page" / "2" / "index.html").is_file()
    open_page = example_site / "missions" / listed[0] / "index.html"
    assert "noindex" not in parse(open_page).meta.get("robots", "")


def test_drafts_are_skipped_unless_asked(tmp_path: Path) -> None:
    without = tmp_path / "without"
    build(BuildOptions(content=EXAMPLE_CONTENT, out=without, today=TODAY))
    assert not (without / "missions" / DRAFT).exists()
    with_drafts = tmp_path / "with"
    build(BuildOptions(content=EXAMPLE_CONTENT, out=with_drafts, today=TODAY, drafts=True))
    assert (with_drafts / "missions" / DRAFT / "index.html").is_file()
    assert DRAFT in all_listing_slugs(with_drafts, "missions")


def test_today_decides_what_is_closed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(BuildOptions(content=FIXTURE_BOARD, out=out, today=dt.date(2026, 10, 1)))
    assert "inventaire" in all_listing_slugs(out, "missions")
    build(BuildOptions(content=FIXTURE_BOARD, out=out, today=dt.date(2026, 11, 1)))
    assert "inventaire" not in all_listing_slugs(out, "missions")


def test_category_and_skill_pages_list_their_missions(small_site: Path) -> None:
    assert listing_slugs(small_site / "categories" / "education" / "index.html") == ["maths"]
    assert listing_slugs(small_site / "skills" / "ecoute" / "index.html") == ["ecoute"]
    assert listing_slugs(small_site / "en" / "skills" / "ecoute" / "index.html") == ["ecoute"]
    empty = (small_site / "categories" / "sport" / "index.html").read_text(encoding="utf-8")
    assert "Aucune mission ouverte ici" in empty


def test_pagination_links_previous_and_next(small_site: Path) -> None:
    # per_page is 2 in the test board and 3 missions are open
    first = (small_site / "missions" / "index.html").read_text(encoding="utf-8")
    second = (small_site / "missions" / "page" / "2" / "index.html").read_text(encoding="utf-8")
    assert 'rel="next" href="/board/missions/page/2/"' in first
    assert 'rel="prev" href="/board/missions/"' in second
    assert listing_slugs(small_site / "missions" / "index.html") == ["ecoute", "maths"]
    assert listing_slugs(small_site / "missions" / "page" / "2" / "index.html") == ["site-web"]


def test_card_shows_association_commitment_place_deadline_and_places(small_site: Path) -> None:
    text = (small_site / "missions" / "index.html").read_text(encoding="utf-8")
    card = text[text.index('href="/board/missions/ecoute/"') - 400:]
    card = card[: card.index("</article>")]
    assert "Le Lien" in card
    assert "2 h / semaine" in card
    assert "100 % à distance" in card
    assert "Jusqu'au 31 mars 2027" in card.replace("&#39;", "'")
    assert "5 places" in card
    english = (small_site / "en" / "missions" / "index.html").read_text(encoding="utf-8")
    assert "2 h / week" in english and "Until Mar 31, 2027" in english


def test_apply_block_matches_the_route(small_site: Path) -> None:
    email = (small_site / "missions" / "ecoute" / "index.html").read_text(encoding="utf-8")
    assert 'href="mailto:benevoles@lien.example.org?subject=Candidature%20%3A%20Appeler' in email
    url = (small_site / "missions" / "site-web" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://savoirs.example.org/candidater" rel="noopener noreferrer external"' in url
    form = (small_site / "missions" / "maths" / "index.html").read_text(encoding="utf-8")
    assert 'action="https://formspree.io/f/xyzzy" method="post"' in form


def test_markdown_body_has_no_raw_html_and_headings_below_h1(tmp_path: Path,
                                                               board: Path) -> None:
    mission = board / "missions" / "maths.md"
    mission.write_text(
        mission.read_text(encoding="utf-8")
        + "\n# Titre\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    build(BuildOptions(content=board, out=out, today=TODAY))
    text = (out / "missions" / "maths" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'href="javascript:' not in text
    assert text.count("<h1") == 1 and "<h2>Titre</h2>" in text


def test_every_page_starts_its_head_with_the_content_security_policy(small_site: Path) -> None:
    for page in html_files(small_site):
        head = page.read_text(encoding="utf-8").split("<head>", 1)[1].lstrip()
        assert head.startswith('<meta http-equiv="Content-Security-Policy"'), page
        assert "form-action 'self' https://formspree.io http://127.0.0.1:*;" in head


def test_translation_falls_back_to_the_default_fields(small_site: Path) -> None:
    text = (small_site / "en" / "missions" / "ecoute" / "index.html").read_text(encoding="utf-8")
    assert "Call isolated elderly people" in text
    assert "2 h / week" in text


def test_cli_build_prints_a_summary_and_honours_the_base_url(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, [
        "build", "--content", str(FIXTURE_BOARD), "--out", str(out),
        "--base-url", "https://org.github.io/other", "--today", "2026-11-30",
    ])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Built \d+ pages \(4 missions, 1 closed\) in \d+\.\d\d s\n",
                        result.output)
    assert 'href="/other/missions/"' in (out / "index.html").read_text(encoding="utf-8")


def test_cli_build_rejects_a_bad_date() -> None:
    result = CliRunner().invoke(main, ["build", "--today", "30/11/2026"])
    assert result.exit_code == 2
    assert "'30/11/2026' is not a date written YYYY-MM-DD" in result.output


def test_failed_build_leaves_the_previous_site_byte_identical(board: Path,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(BuildOptions(content=board, out=out, today=TODAY))
    before = tree_digest(out)
    (board / "missions" / "maths.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--out", str(out), "--today", "2026-11-30"])
    assert result.exit_code == 1
    assert "content/missions/maths.md:1:1: association: required field is missing" in result.output
    assert tree_digest(out) == before
    # No staging folder is left behind; the cache stays beside the site.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.cache", "content", "site"]


def test_a_theme_error_mid_build_leaves_no_staging_folder(board: Path, tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    import shutil

    shutil.copytree(Path(__file__).resolve().parent.parent / "themes" / "default", theme)
    (theme / "templates" / "mission.html").write_text("{{ nothing_here }}", encoding="utf-8")
    out = tmp_path / "site"
    with pytest.raises(Exception, match="nothing_here"):
        build(BuildOptions(content=board, out=out, today=TODAY, theme=theme))
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "theme"]  # no cache either


def test_translation_links_only_lead_to_pages_that_exist(example_site: Path) -> None:
    base = "https://example.org/board/"
    missing = []
    for page in html_files(example_site):
        parsed = parse(page)
        for link in parsed.link_rel:
            if link.get("rel") == "alternate" and "hreflang" in link:
                target = resolve(example_site, "/board/", "/board/" + link["href"][len(base):])
                if target is None or not target.is_file():
                    missing.append(f"{page.relative_to(example_site)} -> {link['href']}")
    assert missing == []


def test_rendering_over_several_processes_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.build
    from generator.render import Renderer

    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    build(BuildOptions(content=EXAMPLE_CONTENT, out=serial, today=TODAY, search=False, jobs=1))
    # Cards made before the workers fork, half by another process: large boards only, else.
    monkeypatch.setattr(generator.build, "SHARED_CARDS", 1)
    kept: list[int] = []
    keep_cards = Renderer.keep_cards

    def counted(renderer: Renderer, cards: dict[tuple[str, str, int], str]) -> None:
        kept.append(len(cards))
        keep_cards(renderer, cards)

    monkeypatch.setattr(Renderer, "keep_cards", counted)
    build(BuildOptions(content=EXAMPLE_CONTENT, out=parallel, today=TODAY, search=False, jobs=3))
    assert len(kept) == 3 and min(kept) > 5  # a third made here, a third in each child
    assert tree_digest(parallel) == tree_digest(serial)
    assert len(tree_digest(serial)) > 150


@pytest.mark.parametrize("ahead_fails", [False, True], ids=["ahead", "ahead-process-fails"])
def test_markdown_rendered_ahead_by_another_process_gives_the_same_site_and_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ahead_fails: bool
) -> None:
    import os
    import sqlite3

    import generator.build
    from generator.cache import cache_dir
    from generator.markdown import Markdown, make_markdown
    from generator.render import markdown_key

    def rendered_texts(out: Path) -> list[tuple[str, str]]:
        db = sqlite3.connect(cache_dir(out) / "cache.sqlite3")
        try:
            return sorted(db.execute("SELECT key, html FROM markdown"))
        finally:
            db.close()

    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    build(BuildOptions(content=EXAMPLE_CONTENT, out=serial, today=TODAY, search=False, jobs=1))
    # Large boards only, else: here from the first text on.
    monkeypatch.setattr(generator.build, "AHEAD_TEXTS", 1)
    makers = tmp_path / "makers"

    def noted() -> object:
        with open(makers, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        if ahead_fails:
            raise RuntimeError("no Markdown ahead today")
        return make_markdown()

    monkeypatch.setattr(generator.build, "make_markdown", noted)
    # Every text rendered, in whichever process (forks inherit the patch): by pid.
    renders = tmp_path / "renders"
    render = Markdown.render

    def logged(markdown: Markdown, text: str) -> str:
        with open(renders, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {markdown_key(text)}\n")
        return render(markdown, text)

    monkeypatch.setattr(Markdown, "render", logged)
    build(BuildOptions(content=EXAMPLE_CONTENT, out=parallel, today=TODAY, search=False,
                       jobs=2))
    started = makers.read_text(encoding="utf-8").split()
    assert len(started) == 1 and started[0] != str(os.getpid())  # one process, forked
    made = [line.split() for line in renders.read_text(encoding="utf-8").splitlines()]
    ahead = {key for pid, key in made if pid == started[0]}
    # It claims its first run of texts at once; the build reaches the workers' fork
    # only after compiling every template (0.3 s). Failing, it renders nothing.
    assert (ahead == set()) == ahead_fails
    # What it made is taken, not made again; what it did not make (all of it, when it
    # failed) the render workers make.
    # (The workers may each render a text two pages show, a translation's fallback.)
    assert not ahead & {key for pid, key in made if pid != started[0]}
    assert tree_digest(parallel) == tree_digest(serial)
    assert rendered_texts(parallel) == rendered_texts(serial) != []
    # A build with Markdown in its cache renders none ahead.
    build(BuildOptions(content=EXAMPLE_CONTENT, out=parallel, today=TODAY, search=False,
                       jobs=2, drafts=True))
    assert len(makers.read_text(encoding="utf-8").split()) == 1


def test_feeds_are_made_by_another_process_which_failing_fails_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import generator.build

    makers = tmp_path / "makers"
    atom_feed = generator.build.atom_feed

    def noted(*args: object) -> bytes:
        with open(makers, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        return atom_feed(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(generator.build, "atom_feed", noted)
    out = tmp_path / "site"
    build(BuildOptions(content=EXAMPLE_CONTENT, out=out, today=TODAY, search=False, jobs=2))
    assert str(os.getpid()) not in makers.read_text(encoding="utf-8").split()
    assert (out / "categories" / "numerique" / "feed.xml").is_file()

    def broken(*args: object) -> bytes:
        raise RuntimeError("no feed today")

    # The error is the feed's, told by this process, and the site as it was.
    monkeypatch.setattr(generator.build, "atom_feed", broken)
    before = tree_digest(out)
    with pytest.raises(RuntimeError, match="no feed today"):
        build(BuildOptions(content=EXAMPLE_CONTENT, out=out, today=TODAY, search=False,
                           jobs=2, cache=False))
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["makers", "site"]


def test_a_card_the_theme_cannot_make_fails_the_build_with_its_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import generator.build
    from generator.errors import BuildError

    theme = tmp_path / "theme"
    shutil.copytree(EXAMPLE_CONTENT.parent / "themes" / "default", theme)
    card = theme / "templates" / "partials" / "card.html"
    card.write_text(card.read_text(encoding="utf-8").replace(
        "{{ mission.summary }}", "{{ mission.summary }}{{ no_such_name }}"), encoding="utf-8")
    monkeypatch.setattr(generator.build, "SHARED_CARDS", 1)  # made before the fork
    with pytest.raises(BuildError, match=r"theme error in \S+\.html for .*no_such_name"):
        build(BuildOptions(content=EXAMPLE_CONTENT, out=tmp_path / "site", today=TODAY,
                           search=False, jobs=2, theme=theme))
    assert not (tmp_path / "site").exists()


def test_the_command_leaves_with_clicks_status_and_its_output_flushed(tmp_path: Path) -> None:
    # `missions` ends with os._exit (no interpreter teardown): nothing written may be lost.
    import subprocess
    import sys

    out = tmp_path / "site"
    command = [sys.executable, "-m", "generator", "build", "--no-search", "--no-cache",
               "--content", str(EXAMPLE_CONTENT), "--out", str(out), "--today", str(TODAY)]
    built = subprocess.run(command, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("Built ") and built.stdout.endswith("\n")
    assert (out / "index.html").is_file()
    missing = subprocess.run([*command[:5], "--content", str(tmp_path / "nowhere")],
                             capture_output=True, text=True, check=False)
    assert missing.returncode == 2 and "nowhere" in missing.stderr


def test_a_build_with_an_index_tells_its_progress_over_all_pages(tmp_path: Path) -> None:
    # The mission pages are rendered first (Pagefind starts with them), then the others.
    told: list[tuple[int, int]] = []
    report = build(BuildOptions(content=EXAMPLE_CONTENT, out=tmp_path / "site", today=TODAY),
                   progress=lambda done, total: told.append((done, total)))
    assert {total for _, total in told} == {report.pages}
    assert told[-1] == (report.pages, report.pages)
    done = [count for count, _ in told]
    assert done == sorted(done) and len(set(done)) > 1


def test_progress_is_told_from_the_runs_other_processes_have_not_taken(tmp_path: Path) -> None:
    import os

    from generator.build import _run_queue, _tell_while_queued

    queue, size = _run_queue(100)  # 4 runs of 25 pages
    told: list[tuple[int, int]] = []

    def take_a_run(done: int, total: int) -> None:  # as a render worker would meanwhile
        told.append((done, total))
        os.read(queue, 4)

    try:
        _tell_while_queued(queue, size, 100, take_a_run)
    finally:
        os.close(queue)
    assert told == [(0, 100), (25, 100), (50, 100), (75, 100)]
