"""Link integrity (generator/links.py): every internal link and fragment of the built site
resolves, external addresses are well formed, and a problem names the file to fix."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import BuildOptions, build
from generator.cli import main
from generator.errors import ContentError, Problem
from generator.links import PageSource, find_broken_links
from tests.conftest import TODAY

BASE = "https://example.org/board/"
MISSION = "content/missions/x.md"
TEMPLATE = "themes/default/templates/mission.html"


def page(*links: str, ids: tuple[str, ...] = ()) -> bytes:
    anchors = "".join(f'<a href="{link}">x</a>' for link in links)
    targets = "".join(f'<h2 id="{name}">t</h2>' for name in ids)
    return f'<html><body><main id="main">{targets}{anchors}</main></body></html>'.encode()


FILES = {
    "index.html", "missions/index.html", "missions/x/index.html", "missions/y/index.html",
    "en/missions/x/index.html", "static/style.css", "feed.xml", "404.html",
}


def broken(
    links: tuple[str, ...], *, text: str = "", on: str = "missions/x/index.html",
    ids: tuple[str, ...] = (),
) -> list[str]:
    """The problems found when page `on` holds `links` (its body text: `text`)."""
    pages = {name: page() for name in FILES if name.endswith(".html")}
    pages["missions/y/index.html"] = page(ids=("apply",))
    pages[on] = page(*links, ids=ids)
    sources = {on: PageSource(TEMPLATE, MISSION, text, 10)} if text else {
        on: PageSource(TEMPLATE)
    }
    return [str(p) for p in find_broken_links(pages, FILES, sources, BASE)]


@pytest.mark.parametrize(
    "link",
    [
        "/board/", "/board/missions/", "/board/missions/y/", "/board/missions/y",
        "/board/static/style.css?v=123", "/board/feed.xml", "../y/", "../../", "./",
        "", "?page=2", "#main", "#", "#top", "../y/#apply", "/board/missions/y/#apply",
        "https://example.org/board/missions/y/", "https://example.org/board/en/missions/x/",
        "https://other.example/page?a=1&amp;b=2", "http://other.example/", "//other.example/x",
        "mailto:contact@lien.example.org", "/board/missions/%79/", "../y/index.html",
    ],
)
def test_links_that_resolve(link: str) -> None:
    assert broken((link,)) == []


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("/missions/y/", "the link '/missions/y/' leads to no page of this site"),
        ("/board/missions/z/", "the link '/board/missions/z/' leads to no page of this site"),
        ("../z/", "the link '../z/' leads to no page of this site"),
        ("../../../../etc/passwd", "the link '../../../../etc/passwd' leads to no page"),
        ("https://example.org/board/nowhere/", "the link 'https://example.org/board/nowhere/'"),
        ("#apply", "the link '#apply' leads to an anchor '#apply' that is not on that page"),
        ("../y/#nope", "the link '../y/#nope' leads to an anchor '#nope' that is not on"),
        ("https://", "'https://' has no valid host name"),
        ("https://exa mple.org/", "a URL cannot contain spaces or control characters"),
        ("http://localhost:99999/", "'http://localhost:99999/' is not a valid URL"),
        ("https://user:pw@other.example/", "a URL must not contain a user name or password"),
        ("javascript:alert(1)", "the link 'javascript:alert(1)' uses 'javascript:', which is not"),
        ("data:text/html,x", "uses 'data:', which is not allowed"),
    ],
)
def test_links_that_do_not(link: str, reason: str) -> None:
    (problem,) = broken((link,))
    assert problem.startswith(f"{TEMPLATE}:1:1: missions/x/index.html: ")
    assert reason in problem
    assert problem.endswith("(fix the link in this template)") or "valid" in problem or \
        "URL" in problem


def test_a_link_from_the_text_is_blamed_on_the_content_file_at_its_line() -> None:
    text = "Intro.\n\nVoir [les maths](/missions/y/) et [ça](../y/#nope).\n"
    assert broken(("/missions/y/", "../y/#nope"), text=text) == [
        (f"{MISSION}:12:18: body: the link '/missions/y/' leads to no page of this site "
         "(check the address; links to this board's pages start with /board/ or are "
         "relative, such as ../other-mission/)"),
        (f"{MISSION}:12:40: body: the link '../y/#nope' leads to an anchor '#nope' that is "
         "not on that page (remove '#nope', or link to an anchor the page has)"),
    ]


def test_a_same_page_anchor_of_the_template_is_found() -> None:
    assert broken(("#apply",), ids=("apply",)) == []


def test_an_anchor_in_a_text_or_a_script_is_not_an_anchor() -> None:
    pages = {"index.html": b'<main id="main"><p>id="apply"</p><a href="#apply">a</a></main>'}
    (problem,) = find_broken_links(pages, {"index.html"}, {}, BASE)
    assert "'#apply'" in problem.message


def test_problems_are_sorted_and_each_reported_once() -> None:
    pages = {
        "a/index.html": page("/board/gone/", "/board/gone/"),
        "b/index.html": page("/board/gone/"),
    }
    sources = {name: PageSource(f"t/{name[0]}.html") for name in pages}
    problems = find_broken_links(pages, set(pages), sources, BASE)
    assert [p.path for p in problems] == ["t/a.html", "t/b.html"]
    assert problems == sorted(problems)
    assert all(isinstance(p, Problem) for p in problems)


def test_a_site_at_the_root_of_its_host() -> None:
    pages = {"index.html": page("/missions/", "/nowhere/"), "missions/index.html": page()}
    problems = find_broken_links(pages, set(pages), {}, "https://example.org/")
    assert [p.message for p in problems] == [
        ("index.html: the link '/nowhere/' leads to no page of this site (fix the link in "
         "this template)"),
    ]


# --- in the build -----------------------------------------------------------------------


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_a_broken_link_in_a_mission_fails_the_build_and_swaps_nothing(board: Path) -> None:
    first = CliRunner().invoke(main, ["build", "--no-search", "--today", TODAY.isoformat()])
    assert first.exit_code == 0, first.output
    site = board.parent / "site"
    before = tree(site)
    mission = board / "missions" / "maths.md"
    mission.write_text(mission.read_text(encoding="utf-8") + "\n[Le site](/missions/site-web/)\n",
                       encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--no-search", "--today", TODAY.isoformat()])
    assert result.exit_code == 1
    assert result.stdout.startswith("content/missions/maths.md:")
    assert "body: the link '/missions/site-web/' leads to no page of this site" in result.stdout
    assert result.stderr == "1 problem in 1 file; nothing was written.\n"
    assert tree(site) == before
    assert sorted(p.name for p in board.parent.iterdir()) == [".site.cache", "content", "site"]


def test_the_right_relative_link_builds(board: Path, tmp_path: Path) -> None:
    mission = board / "missions" / "maths.md"
    mission.write_text(mission.read_text(encoding="utf-8") + "\n[Le site](../site-web/)\n",
                       encoding="utf-8")
    build(BuildOptions(content=board, out=tmp_path / "out", today=TODAY, search=False))


def test_a_broken_link_made_by_a_template_names_the_template(
    board: Path, tmp_path: Path
) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(Path(__file__).resolve().parent.parent / "themes" / "default", theme)
    base = theme / "templates" / "base.html"
    base.write_text(
        base.read_text(encoding="utf-8").replace(
            "<footer", "<a href=\"{{ url('about/') }}\">?</a><footer", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as caught:
        build(BuildOptions(content=board, out=tmp_path / "out", today=TODAY, search=False,
                           theme=theme))
    problems = caught.value.problems
    assert {p.path.rsplit("/", 2)[-2:][0] for p in problems} == {"templates"}
    assert any(
        p.message == "index.html: the link '/board/about/' leads to no page of this site (fix "
        "the link in this template)" and p.path.endswith("templates/home.html")
        for p in problems
    )
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []
