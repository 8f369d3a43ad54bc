"""Property-based tests (Hypothesis): whatever a contributed file holds, `check` and `build`
end with a site or with reported problems (ContentError), never with another exception;
what they report is located and one line each; what they build runs nothing.
"""

from __future__ import annotations

import json
import shutil
import string
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from generator.build import BuildOptions, build, load_site
from generator.errors import ContentError
from generator.links import PageSource, find_broken_links
from generator.markdown import Markdown, make_markdown
from generator.validate import MISSION_KEYS
from tests.conftest import FIXTURE_BOARD, TODAY
from tests.test_hostile import page_problems
from tests.test_hostile_markdown import stock

FAST = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- what contributors write --------------------------------------------------------------

# Pieces of YAML that mean something to a parser: indicators, tags, anchors, YAML 1.1 words.
YAML_WORDS = [
    "yes", "no", "on", "off", "y", "n", "~", "null", "true", "False", "0o17", "0x1F", "012",
    "1:30", ".inf", "-.nan", "1e400", "9" * 40, "2026-02-30", "2026-11-01", "0000-01-01",
    "2026-11-01 10:00", "!!binary aGk=", "!!python/object/apply:os.system [id]", "!!str 3",
    "!!int x", "!custom x", "&a x", "*a", "<<", "|", ">-", "'", '"', "''", '""', "[", "]",
    "{", "}", "[a, b]", "{a: b}", "- a", "? x", "%YAML 1.1", "---", "...", "#", "@", "`",
    "\t", "\\", "\\u202e", "\u202e", "\u200b", "\ufeff", "\x85", "\u2028", "é", "日本",
    "https://example.org/", "javascript:alert(1)", "mailto:a@b.org", "a@b.org",
    "</script>", "<b>", "&amp;",
]
scalars = st.one_of(
    st.sampled_from(YAML_WORDS),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(repr),
    st.dates().map(str),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(st.sampled_from(["city", "hours", "per", "email", "x", "1"]), inner,
                        max_size=3).map(
            lambda group: "{" + ", ".join(f"{k}: {v}" for k, v in group.items()) + "}"
        ),
        inner.map(json.dumps),  # quoted: a string YAML should read back as text
    ),
    max_leaves=8,
)
keys = st.one_of(st.sampled_from(MISSION_KEYS), st.sampled_from(YAML_WORDS), st.text(max_size=12))
front_matter_lines = st.lists(st.tuples(keys, values), max_size=14).map(
    lambda pairs: "".join(f"{key}: {value}\n" for key, value in pairs)
)
yamlish = st.one_of(
    front_matter_lines,
    st.text(alphabet=string.printable + "é\u202e\u200b\ufeff", max_size=300),
    st.lists(st.sampled_from(YAML_WORDS + [": ", "\n", "  ", "- "]), max_size=60).map("".join),
)
MARKDOWN_WORDS = [
    "[", "]", "(", ")", "![", "*", "_", "`", "```", "~~~", "<", ">", "&", "#", "\n", "\n\n",
    "> ", "- ", "1. ", "|", "---", "\\", "http://", "https://a.example/", "//b.example/",
    "javascript:", "mailto:a@b.org", "../", "/board/", "#main", "<script>", "</script>",
    "onerror=", '"', "'", "&#106;", "%6A", " ", "a", "é", "\u202e", "\u200b", "    ",
]
bodies = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(MARKDOWN_WORDS), max_size=120).map("".join),
)


def mission_file(front_matter: str, body: str) -> bytes:
    return f"---\n{front_matter}---\n{body}".encode("utf-8", errors="surrogatepass")


# --- check --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def check_board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = tmp_path_factory.mktemp("properties") / "content"
    shutil.copytree(FIXTURE_BOARD, content)
    return content


def assert_reported(error: ContentError, board: Path, lines: int) -> None:
    assert error.problems
    for problem in error.problems:
        assert Path(problem.path).name in {p.name for p in board.rglob("*")} or \
            problem.path.endswith(".md"), problem
        assert 1 <= problem.line <= lines + 1 and problem.col >= 1, problem
        assert problem.message.strip()
        assert "\n" not in str(problem) and "\r" not in str(problem)


@FAST
@given(front_matter=yamlish, body=bodies)
def test_check_reports_problems_or_passes_on_any_front_matter(
    check_board: Path, front_matter: str, body: str
) -> None:
    data = mission_file(front_matter, body)
    (check_board / "missions" / "x.md").write_bytes(data)
    try:
        load_site(check_board)
    except ContentError as error:
        assert_reported(error, check_board, data.count(b"\n") + 1)


@FAST
@given(data=st.binary(max_size=400))
def test_check_reports_problems_or_passes_on_any_bytes(check_board: Path, data: bytes) -> None:
    (check_board / "missions" / "x.md").write_bytes(data)
    try:
        load_site(check_board)
    except ContentError as error:
        assert_reported(error, check_board, data.count(b"\n") + 1)


# --- build --------------------------------------------------------------------------------

TINY_SITE = """title: "Propriétés"
description: "Un tout petit site pour les tests de propriétés."
base_url: "https://example.org/board/"
languages: [fr]
country: FR
per_page: 10
form_hosts: [formspree.io]
"""
TINY_VOCABULARY = """categories:
  culture-loisirs: {fr: "Culture et loisirs"}
skills:
  traduction: {fr: "Traduction"}
"""
TINY_ASSOCIATION = """---
name: "Le Lien"
summary: "Une association d'écoute pour les personnes isolées."
apply: {email: "benevoles@lien.example.org"}
---
Le Lien appelle chaque semaine des personnes âgées isolées.
"""


def tiny_board(root: Path, mission: bytes) -> Path:
    content = root / "content"
    (content / "missions").mkdir(parents=True)
    (content / "associations").mkdir()
    (content / "site.yaml").write_text(TINY_SITE, encoding="utf-8")
    (content / "vocabulary.yaml").write_text(TINY_VOCABULARY, encoding="utf-8")
    (content / "associations" / "lien.md").write_text(TINY_ASSOCIATION, encoding="utf-8")
    (content / "missions" / "x.md").write_bytes(mission)
    return content


# Text that validation accepts (no control or invisible characters), full of markup.
visible_text = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp")),
        st.sampled_from("<>&\"'`*_[]()!#:/\\"),
    ),
    min_size=12, max_size=100,
).filter(lambda text: len(text.strip()) >= 10)


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a YAML double-quoted string


# Fewer examples: each is a whole build (about a third of a second, mostly Jinja compiling
# the theme's templates anew for each build).
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(title=visible_text, summary=visible_text, city=visible_text, body=bodies,
       remote=st.sampled_from(
    ["no", "possible", "full"]), apply=st.sampled_from([
        '{email: "a@b.org"}', '{url: "https://b.example/x?a=1&b=<2>"}',
        '{form: "https://formspree.io/f/\\"><script>"}', "{}", None]))
def test_build_ends_with_a_site_or_reported_problems_and_runs_nothing(
    title: str, summary: str, city: str, body: str, remote: str, apply: str | None
) -> None:
    fields = {
        "title": quoted(title), "association": "lien", "summary": quoted(summary),
        "categories": "[culture-loisirs]", "remote": remote,
        "location": "{city: " + quoted(city) + "}", "commitment": "{hours: 2, per: week}",
        "posted": "2026-11-01", "apply": apply,
    }
    front_matter = "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        content = tiny_board(root, mission_file(front_matter, body))
        out = root / "site"
        try:
            build(BuildOptions(content=content, out=out, today=TODAY, search=False))
        except ContentError as error:
            assert_reported(error, content, len(body.splitlines()) + 20)
            assert not out.exists()
            event("reported problems")
            return
        event("built")
        for page in sorted(out.rglob("*.html")):
            assert list(page_problems(page, out, "example.org", ("formspree.io",))) == []
        ET.parse(out / "feed.xml")
        ET.parse(out / "missions.xml")
        json.loads((out / "feed.json").read_text(encoding="utf-8"))


# --- Markdown and links -------------------------------------------------------------------

BRACKETS = st.lists(st.sampled_from(
    ["[", "]", "(", ")", "!", "a", " ", "*", "_", "`", "<", ">", "\\", "\n", "](x)", "[r]",
     "\n\n[r]: /u\n", "https://a.example"]), max_size=200).map("".join)


@FAST
@given(text=BRACKETS)
def test_the_linear_link_label_scan_matches_markdown_it_on_any_brackets(text: str) -> None:
    assert Markdown(fast=False).render(text) == stock().render(text)  # our label scan
    assert make_markdown().render(text) == stock().render(text)


hrefs = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(["/", "board", "..", ".", "#", "?", "%", "%2F", "&amp;", ":", "//",
                              "http:", "https:", "[", "]", "@", "x", "missions", "index.html",
                              "\\", " ", "javascript:", "mailto:", "é"]),
             max_size=10).map("".join),
)


@FAST
@given(links=st.lists(hrefs, max_size=8), text=st.text(max_size=50))
def test_the_link_check_reports_or_accepts_any_address(links: list[str], text: str) -> None:
    assume(all('"' not in link for link in links))
    html = "".join(f'<a href="{link}">x</a><img src="{link}">' for link in links)
    pages = {"index.html": html.encode("utf-8", errors="surrogatepass"),
             "missions/x/index.html": b'<main id="main"></main>'}
    sources = {"index.html": PageSource("t.html", "content/missions/x.md", text, 9)}
    for problem in find_broken_links(pages, set(pages), sources, "https://example.org/board/"):
        assert problem.path in ("t.html", "content/missions/x.md")
        assert problem.line >= 1 and problem.col >= 1

