"""Pathological Markdown: markdown-it's own list of inputs that make parsers slow, each
rendered within a second, in a file that passes the 256 KB size cap.

The patterns are those of markdown-it's test/pathological.mjs (ported there from cmark's
pathological_tests.py). Their JavaScript sizes are kept where the file fits in 256 KB,
and cut down to fit otherwise. Each is rendered twice: whole (beyond the Markdown budget
most of it is shown as plain text), and cut to just fit the budget (all of it parsed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from generator import markdown, markdown_reference
from generator.content import MAX_FILE_BYTES, read_text_file
from generator.markdown import MAX_LINES, MAX_MARKUP, make_markdown

FRONT_MATTER = (
    '---\ntitle: "Motif pathologique"\nassociation: lien\nsummary: "Un texte qui met les '
    'analyseurs à genoux."\ncategories: [culture-loisirs]\nremote: full\n'
    "commitment: {hours: 2, per: week}\nposted: 2026-11-01\n---\n"
)

# name -> (pattern for a size n, n in markdown-it's test)
PATTERNS: dict[str, tuple[Callable[[int], str], int]] = {
    "nested inlines": (lambda n: "*" * n + "a" + "*" * n, 60000),
    "nested strong emph": (lambda n: "*a **a " * n + "b" + " a** a*" * n, 5000),
    "many emph closers with no openers": (lambda n: "a_ " * n, 30000),
    "many emph openers with no closers": (lambda n: "_a " * n, 30000),
    "many link closers with no openers": (lambda n: "a]" * n, 10000),
    "many link openers with no closers": (lambda n: "[a" * n, 10000),
    "mismatched openers and closers": (lambda n: "*a_ " * n, 50000),
    "commonmark/cmark#389": (lambda n: "*a " * n + "_a*_ " * n, 20000),
    "openers and closers multiple of 3": (lambda n: "a**b" + "c* " * n, 50000),
    "link openers and emph closers": (lambda n: "[ a_" * n, 10000),
    "pattern [ (]( repeated": (lambda n: "[ (](" * n, 40000),
    "pattern ![[]() repeated": (lambda n: "![[]()" * n, 20000),
    "nested brackets": (lambda n: "[" * n + "a" + "]" * n, 20000),
    "nested block quotes": (lambda n: "> " * n + "a", 50000),
    "deeply nested lists": (lambda n: "".join("  " * x + "* a\n" for x in range(n)), 1000),
    "backticks": (lambda n: "".join("e" + "`" * x for x in range(n)), 3000),
    "unclosed links A": (lambda n: "[a](<b" * n, 30000),
    "unclosed links B": (lambda n: "[a](b" * n, 30000),
    "unclosed <!--": (lambda n: "</" + "<!--" * n, 100000),
    "emphasis **_* pattern": (lambda n: "**_* " * n, 50000),
    "backtick ``\\`` pattern": (lambda n: "``\\" * n, 50000),
    "autolinks <<<<...<<> pattern": (lambda n: "<" * n + ">", 400000),
    "hardbreak whitespaces pattern": (lambda n: "x" + " " * n + "x  \nx", 150000),
    # Not in markdown-it's list, but the one the issue names.
    "[ * 50000": (lambda n: "[" * n, 50000),
}


def largest(pattern: Callable[[int], str], limit: int, fits: Callable[[str], bool]) -> int:
    """The largest n <= limit for which `fits(pattern(n))` (fits is monotonic in n)."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if fits(pattern(middle)):
            low = middle
        else:
            high = middle - 1
    return low


def in_the_file_cap(body: str) -> bool:
    return len((FRONT_MATTER + body).encode("utf-8")) <= MAX_FILE_BYTES


def within_the_budget(body: str) -> bool:
    return len(markdown._MARKUP.findall(body)) <= MAX_MARKUP and body.count("\n") <= MAX_LINES


def render_time(text: str) -> float:
    """Seconds to render `text`, the best of up to three tries (the machine may be busy),
    by the renderer of builds and by markdown-it-py alone (which the renderer leaves
    the texts the fast path declines): the slower of the two."""
    slowest = 0.0
    for md in (make_markdown(), markdown.Markdown(fast=False)):
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            md.render(text)
            best = min(best, time.perf_counter() - started)
            if best < 0.5:
                break
        slowest = max(slowest, best)
    return slowest


@pytest.mark.parametrize("name", list(PATTERNS))
def test_each_pathological_body_renders_within_a_second(name: str, tmp_path: Path) -> None:
    pattern, size = PATTERNS[name]
    body = pattern(largest(pattern, size, in_the_file_cap))
    path = tmp_path / "x.md"
    path.write_text(FRONT_MATTER + body, encoding="utf-8")
    text = read_text_file(path, "x.md")
    assert isinstance(text, str), text  # through the size cap, not refused by it
    assert render_time(body) < 1.0


@pytest.mark.parametrize("name", list(PATTERNS))
def test_each_pathological_body_cut_to_the_budget_renders_within_a_second(name: str) -> None:
    pattern, size = PATTERNS[name]
    body = pattern(largest(pattern, size, lambda text: in_the_file_cap(text) and
                           within_the_budget(text)))
    assert body  # the budget leaves room for some of every pattern
    assert render_time(body) < 1.0


def stock() -> MarkdownIt:
    """markdown-it as it comes, with our link rules and renderer but its own helpers."""
    md = MarkdownIt("js-default", renderer_cls=markdown_reference._Renderer)
    md.validateLink = markdown._validate_link  # type: ignore[method-assign]
    md.core.ruler.push("demote_headings", markdown_reference._demote_headings)
    return md


LABELS = [
    "[a]", "[a](b)", "[[a]](b)", "[a[b]](c)", "[a]]", "[[a]", "![a](b)", "![[a](b)](c)",
    "[a][b]\n\n[b]: /u", "[a][]\n\n[a]: /u", "[[a]][b]\n\n[b]: /u", "[a](b) [c](d)",
    "[ [a](b) ](c)", "[![i](s)](l)", "[`]`](b)", "[a\\]](b)", "[<b>]</b>](c)",
    "[" * 120 + "a" + "]" * 120 + "(x)", "[a" * 150 + "](x)", "[[" * 120 + "]](u)" * 120,
    "![" * 130 + "](x)", "*[a*](b)", "[a](<b)c>)", "[a]\n[b]: /u\n[a]: /v",
    "[ (](" * 50, "![[]()" * 50, "[a](b" * 50, "[ a_" * 50,
]


@pytest.mark.parametrize("text", LABELS)
def test_the_linear_link_label_scan_renders_exactly_like_markdown_it(text: str) -> None:
    # markdown-it-py with our label scan (the fast path would take some of these texts).
    assert markdown.Markdown(fast=False).render(text) == stock().render(text)
    assert make_markdown().render(text) == stock().render(text)


def test_the_example_board_renders_exactly_like_markdown_it() -> None:
    content = Path(__file__).resolve().parent.parent / "content"
    ours, slow, theirs = make_markdown(), markdown.Markdown(fast=False), stock()
    for path in sorted(content.rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
        assert ours.render(body) == slow.render(body) == theirs.render(body), path


def test_paragraphs_beyond_the_markup_budget_are_plain_text() -> None:
    # "**gras**" costs 4 markup characters, each "*a* " 2, the last paragraph 5 ([ ] : * *):
    # the heavy paragraph leaves 2, too few for the last one.
    heavy = "*a* " * ((MAX_MARKUP - 4 - 2) // 2)
    html = make_markdown().render(f"**gras**\n\n{heavy}\n\n[lien](https://a.example/) *b*\n")
    assert html.startswith("<p><strong>gras</strong></p>\n<p><em>a</em>")
    # The last paragraph does not fit in what is left: shown as it was written.
    assert html.endswith("<p>[lien](https://a.example/) *b*</p>\n")


def test_a_text_of_more_lines_than_the_budget_is_one_plain_paragraph() -> None:
    text = "# Titre\n\n" + "- <b>point</b>\n" * (MAX_LINES + 1)
    html = make_markdown().render(text)
    assert html.startswith("<p># Titre\n\n- &lt;b&gt;point&lt;/b&gt;\n")
    assert html.count("<p>") == 1 and "<li>" not in html and "<h" not in html


def test_a_real_mission_text_is_far_within_the_budget() -> None:
    content = Path(__file__).resolve().parent.parent / "content"
    for path in sorted(content.rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
        assert len(markdown._MARKUP.findall(body)) < MAX_MARKUP / 20, path
        assert body.count("\n") < MAX_LINES / 20, path
