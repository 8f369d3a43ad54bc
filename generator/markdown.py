"""The Markdown renderer: CommonMark without raw HTML, with safe links.

Bodies come from strangers' pull requests, so raw HTML is off ("js-default"),
links are limited to http(s), mailto and in-page/relative targets, external links
open nothing with our window (noopener) and tell nothing of our URL (noreferrer),
and headings are shifted so the page's own <h1> stays the only one.

Rendering time is bounded too, whatever the text: markdown-it's link-label scan is
quadratic on runs of `[` (made linear by remembering every label it has matched),
and Python spends tens of microseconds on each markup character, so a body with more
markup than any real description (MAX_MARKUP characters, MAX_LINES lines) is shown as
plain text beyond that point instead of taking seconds or minutes to format.

Two parsers make the same HTML (see "The fast path" below): markdown-it.rs for most
texts, markdown-it-py for the others, with the rules of generator/markdown_reference.py
(the budgets, the label scan, the renderer) and the link checks here.
"""

from __future__ import annotations

import re
from html import unescape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_ALLOWED_SCHEMES = ("http:", "https:", "mailto:")

# Characters at which markdown-it's inline parser stops to try its rules (its own
# terminator set); each costs far more than plain text, so they measure a text's cost.
_MARKUP = re.compile(r"[\n!#$%&*+\-:<=>@\[\\\]^_`{}~]")
# A real mission or association text has under a hundred of them; the limits leave room
# for a long, heavily formatted text, and keep the worst case well under a second.
MAX_MARKUP = 5_000
MAX_LINES = 2_000


# A mailto: link in a text is a bare address: no ?cc=, ?bcc= or ?body= that a volunteer's
# mail program would fill in, no encoded line break that could start a mail header.
_MAILTO = re.compile(r"mailto:[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _validate_link(url: str) -> bool:
    # markdown-it hands us the normalised URL (entities decoded, percent-encoded),
    # so "jav&#x61;script:" or "JAVASCRIPT:" arrive here already unmasked.
    lowered = url.strip().lower()
    if ":" not in lowered.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True  # relative: no scheme at all
    if lowered.startswith("mailto:"):
        return _MAILTO.fullmatch(url.strip()) is not None
    return lowered.startswith(_ALLOWED_SCHEMES)


def _is_external(href: str) -> bool:
    # `//host/path` is as external as `https://host/path`: browsers add the scheme. Schemes
    # are case-insensitive: `HTTPS://host` is kept as written and is external too.
    return href[:6].lower().startswith(("http:", "https:", "//"))


def make_markdown() -> Markdown:
    return Markdown()


# --- The fast path ------------------------------------------------------------------------
#
# markdown-it-py spends ~0.7 ms on a mission body (300-600 words with headings and lists):
# at 10,000 missions, a fifth of a whole build. markdown-it.rs, the Rust port of the same
# parser (markdown-it-pyrs), takes a few hundredths of that. It has none of the hooks our
# rules use, so its HTML is taken only when it can be brought to exactly what the rules
# above make, and checked first: every `<` it wrote must open one of the tags below, every
# URL must pass `_validate_link`, the text must be within the budgets (which then never
# cut anything). Anything else (a link we refuse, an image, raw-looking markup it treats
# otherwise) is rendered by markdown-it-py as before. The tests compare both on every
# text they have (hostile, generated, the example board): same output, or the slow path.

_FAST_RULES = (
    # markdown-it-py's "js-default" preset: CommonMark, tables and strikethrough; no raw
    # HTML (html_block, html_inline), no linkify, no typographer.
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
    "reference", "autolink", "backticks", "emphasis", "entity", "escape", "image", "link",
    "newline", "strikethrough", "table",
)
_PLAIN_TAGS = frozenset(
    f"<{slash}{name}>"
    for name in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "em", "strong",
                 "code", "pre", "blockquote", "s")
    for slash in ("", "/")
) | {"</a>"}
_TAG = re.compile(r"<[^<>]*>")
_SHAPED_TAG = re.compile(  # attribute values hold no quote: they cannot end early
    r'<a href="(?P<href>[^"<>]*)"(?: title="[^"<>]*")?>|<ol start="[0-9]{1,9}">')
# Texts left to markdown-it-py, where the two parsers were found to differ (see
# tests/test_markdown_fast.py), all rare in a mission text:
# - code: markdown-it.rs 0.6 panics on a code span left open in a link label ("[a `"),
#   strips a code span of spaces, and keeps a last line break in a fence left open;
# - fences and tables (rules for the header row; markdown-it.rs also makes tables of
#   lines without pipes, `a` over `:---`: HTML with a table is never taken either);
# - quotes, at the start of a line or after list markers, and empty list items (what may
#   end a lazy paragraph), reference definitions (which one lets interrupt a paragraph);
# - an entity after a link's `](` on its line (`&nbsp;` at either end of a destination:
#   trimmed by one, encoded by the other), or no `)` after it (a shortcut reference for
#   one only);
# - nesting that could reach markdown-it-py's limit of 100 levels (maxNesting), where
#   markdown-it.rs goes on: inline levels come from nested `[` (links, images, labels
#   being tried), so under 90 in the whole text never get there; block levels from the
#   container markers a line starts with: under 20 characters of blanks, quote and list
#   markers, each opening 4 levels at most (a tab: 4 columns, two lists and their items).
# Each is one pass of a literal search: a pattern starting at every position, with
# alternatives, took 0.07 ms a text, a fifth of the whole fast path.
# "\r" and NUL: markdown-it-py turns them into "\n" and U+FFFD before parsing, and
# markdown-it.rs ends lines at "\r" too, which the line checks below do not see (content
# files never hold either: frontmatter normalises them).
_UNSURE_TEXT = ("`", "~~~", "|", "\r", "\x00")
_MANY_BRACKETS = 90
_UNSURE_LINE = re.compile(  # searched in "\n" + text: "\n" is each line's literal start
    r"\n(?:[ \t*+\-.)0-9]*>|[ \t]*(?:[-*+]|[0-9]{1,9}[.)])[ \t]*(?:\n|$)|[ \t]{0,3}\[[^\n]*\]:"
    r"|[ \t>*+\-.)0-9]{20})"
)
_UNSURE_DESTINATION = re.compile(
    r"\]\((?:[^\n]*&[#A-Za-z0-9]+;|(?![^\n]*\)))"
)
_HEADING = re.compile(r"<(/?)h([1-6])>")
_XHTML = {"<br />": "<br>", "<hr />": "<hr>"}
_EXTERNAL_OPEN = re.compile(  # as _is_external: http(s): in any case, or //
    r'(<a href="(?:[hH][tT][tT][pP][sS]?:|//)[^"<>]*"(?: title="[^"<>]*")?)>')


def _fast_parser() -> Any:
    try:
        import markdown_it_pyrs
    except ImportError:  # a platform without its wheels: markdown-it-py does it all
        return None
    md = markdown_it_pyrs.MarkdownIt("zero")
    md.enable_many(list(_FAST_RULES))  # type: ignore[arg-type]  # its names are Literals
    return md


def _rust_html(parser: Any, text: str) -> str | None:
    """markdown-it.rs's HTML for `text`, or None if it panicked: a Rust panic (pyo3's
    PanicException, a BaseException) is that library's bug, not the text's, and
    markdown-it-py renders the text instead."""
    try:
        html: str = parser.render(text)
    except BaseException as exc:
        kind = type(exc)
        if (kind.__module__, kind.__name__) != ("pyo3_runtime", "PanicException"):
            raise
        return None
    return html


def _fast_render(parser: Any, text: str) -> str | None:
    """`text` rendered by markdown-it.rs and brought to markdown-it-py's output with our
    rules, or None where that cannot be vouched for (see above)."""
    if (any(unsure in text for unsure in _UNSURE_TEXT)
            or text.count("\n") > MAX_LINES or text.count("[") > _MANY_BRACKETS
            or _UNSURE_LINE.search("\n" + text) or _UNSURE_DESTINATION.search(text)
            or len(_MARKUP.findall(text)) > MAX_MARKUP):
        return None
    html = _rust_html(parser, text)
    if html is None:
        return None
    pieces = []
    start = 0
    for tag in _TAG.finditer(html):
        found = tag.group()
        if found in _PLAIN_TAGS:
            continue
        if found in _XHTML:
            pieces.append(html[start:tag.start()])
            pieces.append(_XHTML[found])
            start = tag.end()
            continue
        shaped = _SHAPED_TAG.fullmatch(found)
        if shaped is None:
            return None  # an image, or a tag this code does not know
        href = shaped.group("href")
        if href is not None and not _validate_link(unescape(href)):
            return None  # markdown-it-py leaves such a link as text
    pieces.append(html[start:])
    html = "".join(pieces)
    if html.count("<") != len(_TAG.findall(html)):
        return None  # a `<` that opens no whole tag: not escaped text as it should be
    # markdown-it.rs breaks the line inside an empty quote, markdown-it-py does not.
    html = html.replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
    levels = [int(level) for _, level in _HEADING.findall(html)]
    if levels:
        shift = max(0, 2 - min(levels))
        if shift:
            html = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}>",
                                html)
    return _EXTERNAL_OPEN.sub(r'\1 rel="noopener noreferrer nofollow ugc">', html)


class Markdown:
    """The Markdown renderer of a build: markdown-it.rs where its output can be vouched
    for, markdown-it-py (`reference`, with every rule of this module) otherwise."""

    def __init__(self, fast: bool = True) -> None:
        self._reference: MarkdownIt | None = None
        self._fast = _fast_parser() if fast else None

    @property
    def reference(self) -> MarkdownIt:
        # Made when a text needs it (generator/markdown_reference.py says why).
        if self._reference is None:
            from generator.markdown_reference import markdown_it

            self._reference = markdown_it()
        return self._reference

    def render(self, text: str) -> str:
        if self._fast is not None:
            html = _fast_render(self._fast, text)
            if html is not None:
                return html
        return str(self.reference.render(text))
