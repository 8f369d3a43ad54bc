"""Link integrity of the built site: every internal link and fragment resolves, every
external link is a well-formed address. Pure, but for `check_output` at the end, which
reads a built folder.

It works on the output itself (bytes of each page, the set of files), so it does not
care how pages were written. Each page is traced back to what made it: a mission's or
association's file when the link is in its text (with the line of the link), or else the
theme template of the page. Speed: one bytes regex pass over each page, each distinct
address resolved once (most are on many pages), fragments looked up in the target page
only when asked for.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.content import display_path
from generator.errors import Problem
from generator.plan import Page, Plan, page_outputs
from generator.validate import url_problem

# The value of each href, src and action attribute. The pattern starts with the literal
# `="`, which the regex engine skips to quickly, then looks back for the attribute's
# name: one pass over the bytes instead of one per attribute.
_ADDRESS = re.compile(rb'="(?:(?<=href=")|(?<=src=")|(?<=action="))([^"]*)"')
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_SKIPPED_SCHEMES = frozenset({"mailto", "tel"})
# Fragments every browser understands without an element of that id.
_BUILT_IN_FRAGMENTS = frozenset({"", "top"})


@dataclass(frozen=True)
class PageSource:
    """What made a page: its template, and the content file whose text it shows."""

    template: str  # as shown to people: themes/default/templates/mission.html
    content: str | None = None  # content/missions/x.md
    text: str = ""  # the Markdown body shown on the page
    text_line: int = 1  # line of the body's first line in the content file


@dataclass(frozen=True)
class _Broken:
    """Why a link is broken: it leads nowhere, to a missing anchor, uses a scheme that is
    not allowed, or is not a well-formed address (`detail`: the fragment, the scheme or
    what is wrong with the address)."""

    kind: str  # "nowhere" | "anchor" | "scheme" | "malformed"
    detail: str = ""


@dataclass(frozen=True)
class _Target:
    """Where an internal link leads: an output file, or nowhere."""

    file: str | None
    fragment: str


def find_broken_links(
    pages: Mapping[str, bytes],
    files: Container[str],
    sources: Mapping[str, PageSource],
    base_url: str,
) -> list[Problem]:
    """Every link of `pages` (output path -> HTML) that does not resolve among `files`
    (every output path), or that is not a well-formed address, as a located problem.

    `base_url` is the site's absolute URL (ending with "/"); links to it, and to its
    path, are internal. `pages` may read its values lazily: each page is asked for once,
    and again only when another page links to one of its fragments.
    """
    base_path = urlsplit(base_url).path or "/"
    checker = _Checker(pages, files, base_url, base_path)
    problems: list[Problem] = []
    for name in pages:
        data = pages[name]
        # Most addresses (menus, cards, assets) are on many pages: once one is known to
        # be fine everywhere, a set difference drops it without a Python step.
        for raw in _addresses(data) - checker.fine_everywhere:
            broken = checker.check(name, data, raw)
            if broken is not None:
                source = sources.get(name, PageSource(template=name))
                problems.append(_locate(name, source, _text(raw), broken, base_path))
    return sorted(set(problems))


def _addresses(data: bytes) -> set[bytes]:
    return set(_ADDRESS.findall(data))


class _Checker:
    """Resolves addresses, each distinct one once, and remembers the anchors of pages."""

    def __init__(
        self, pages: Mapping[str, bytes], files: Container[str], base_url: str, base_path: str
    ) -> None:
        self.pages = pages
        self.files = files
        self.base_url = base_url
        self.base_path = base_path
        self._absolute: dict[bytes, _Broken | _Target | None] = {}
        self._anchors: dict[tuple[str, str], bool] = {}
        self._needles: dict[str, tuple[bytes, bytes]] = {}
        # Addresses whose answer does not depend on the page they are on, and is "fine".
        self.fine_everywhere: set[bytes] = set()

    def check(self, page: str, data: bytes, raw: bytes) -> _Broken | None:
        """Why the address `raw` on `page` is broken, or None when it is fine."""
        if raw.startswith(b"#"):  # the same page: the commonest case, checked in place
            fragment = unquote(_text(raw)[1:])
            return None if self._has_anchor(page, fragment, data) else _Broken(
                "anchor", fragment
            )
        result = self._absolute.get(raw, _UNKNOWN)
        absolute = result is not _UNKNOWN
        if not absolute:
            url = _text(raw)
            absolute = url.startswith("/") or _SCHEME.match(url) is not None
            result = self._classify(url, page)
            if absolute:  # the same wherever it is; relative ones depend on the page
                self._absolute[raw] = result
        broken = self._verdict(page, data, result)
        if broken is None and absolute:
            self.fine_everywhere.add(raw)
        return broken

    def _verdict(
        self, page: str, data: bytes, result: _Broken | _Target | None
    ) -> _Broken | None:
        if not isinstance(result, _Target):
            return result
        if result.file is None:
            return _Broken("nowhere")
        if result.fragment in _BUILT_IN_FRAGMENTS or not result.file.endswith(".html"):
            return None
        found = self._has_anchor(result.file, result.fragment, data if result.file == page
                                 else None)
        return None if found else _Broken("anchor", result.fragment)

    def _classify(self, url: str, page: str) -> _Broken | _Target | None:
        """An internal target, None for a fine external address, or what is wrong."""
        for prefix in (self.base_path, self.base_url):  # most links: nothing to resolve
            if url.startswith(prefix) and _PLAIN_REST.match(url, len(prefix)):
                return self._target(url[len(prefix) :], "")
        if url.startswith("//"):
            return _external_problem(url, "https:" + url)
        scheme = _SCHEME.match(url)
        if scheme is not None:
            name = scheme[1].lower()
            if name in _SKIPPED_SCHEMES:
                return None
            if name not in ("http", "https"):
                return _Broken("scheme", name)
            if not url.startswith(self.base_url):
                if _PLAIN_EXTERNAL.match(url):
                    return None
                return _external_problem(url, "https:" + url[len(name) + 1 :])
            url = url[len(self.base_url) - len(self.base_path) :]
        parts = urlsplit(url)
        fragment = unquote(parts.fragment)
        path = unquote(parts.path)
        if not path.startswith("/"):  # relative to the folder of the page
            folder = posixpath.dirname(page)
            path = self.base_path + (folder + "/" if folder else "") + path
        # normpath drops a trailing slash, which says "the folder's index.html".
        folder_like = path.endswith(("/", "/.", "/..")) or path == self.base_path + "."
        path = posixpath.normpath(path) + ("/" if folder_like else "")
        if path.startswith("//"):
            path = path[1:]
        if not (path + "/").startswith(self.base_path):
            return _Target(None, fragment)
        return self._target(path[len(self.base_path) :], fragment)

    def _target(self, inside: str, fragment: str) -> _Target:
        """The file a path inside the site leads to (`inside`: relative to the base path)."""
        if inside == "" or inside.endswith("/"):
            candidates: tuple[str, ...] = (inside + "index.html",)
        else:  # GitHub Pages also serves folder/index.html for `folder`
            candidates = (inside, inside + "/index.html")
        for candidate in candidates:
            if candidate in self.files:
                return _Target(candidate, fragment)
        return _Target(None, fragment)

    def _has_anchor(self, page: str, fragment: str, data: bytes | None) -> bool:
        if fragment in _BUILT_IN_FRAGMENTS:
            return True
        key = (page, fragment)
        found = self._anchors.get(key)
        if found is None:
            if data is None:
                data = self.pages.get(page, b"")
            needles = self._needles.get(fragment)
            if needles is None:
                wanted = html.escape(fragment, quote=True).encode("utf-8")
                needles = self._needles[fragment] = (
                    b' id="' + wanted + b'"', b' name="' + wanted + b'"'
                )
            found = self._anchors[key] = needles[0] in data or needles[1] in data
        return found


_UNKNOWN = _Broken("unknown")
# The rest of a path after the base path, with nothing to decode or resolve: no %, ?, #, &,
# backslash, no `.` or `..` segment, no `//`.
_PLAIN_REST = re.compile(r"(?![/.])(?:[^%?#&\\./]|\.(?![./]|\Z)|/(?![/.]))*\Z")
# An http(s) address whose host is plainly well formed: no user, no port, no oddity.
_PLAIN_EXTERNAL = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?:[/?#][^\s\\]*)?\Z"
)


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    return html.unescape(text) if "&" in text else text


def _external_problem(url: str, as_https: str) -> _Broken | None:
    """An external address is checked like a front-matter URL, http allowed."""
    problem = url_problem(as_https)
    if problem is None:
        return None
    return _Broken("malformed", problem.replace(f"'{as_https}'", f"'{url}'"))


def _reason(url: str, broken: _Broken, fix: str) -> str:
    if broken.kind == "nowhere":
        return f"the link '{url}' leads to no page of this site ({fix})"
    if broken.kind == "anchor":
        return (
            f"the link '{url}' leads to an anchor '#{broken.detail}' that is not on that "
            f"page ({fix})"
        )
    if broken.kind == "scheme":
        return f"the link '{url}' uses '{broken.detail}:', which is not allowed ({fix})"
    return broken.detail


def _locate(page: str, source: PageSource, url: str, broken: _Broken, base_path: str) -> Problem:
    """Blame the content file when its text holds the link, else the page's template."""
    if source.content is not None and source.text:
        for form in dict.fromkeys((url, unquote(url))):
            index = source.text.find(form)
            if index >= 0:
                line = source.text_line + source.text.count("\n", 0, index)
                col = index - source.text.rfind("\n", 0, index)
                fix = {
                    "nowhere": f"check the address; links to this board's pages start with "
                               f"{base_path} or are relative, such as ../other-mission/",
                    "anchor": f"remove '#{broken.detail}', or link to an anchor the page has",
                    "scheme": "link with https:// or mailto:",
                }.get(broken.kind, "")
                return Problem(source.content, line, col, "body: " + _reason(url, broken, fix))
    fix = "fix the link in this template"
    return Problem(source.template, 1, 1, f"{page}: " + _reason(url, broken, fix))


# ---------------------------------------------------------------------------------------
# The edge: a built folder and the plan that made it.


def page_sources(pages: Iterable[Page], templates: Path) -> dict[str, PageSource]:
    """Output path of each page -> what made it."""
    sources: dict[str, PageSource] = {}
    shown: dict[str, str] = {}
    for page in pages:
        if page.template not in shown:
            shown[page.template] = display_path(templates / page.template)
        template = shown[page.template]
        made_from = page.mission or page.association
        if made_from is None:
            sources[page.output] = PageSource(template)
        else:
            sources[page.output] = PageSource(
                template, made_from.source, made_from.body, made_from.body_line
            )
    return sources


class _Folder(Mapping[str, bytes]):
    """The HTML pages of a folder, read when asked for. With `behind`, a page missing from
    `root` is read from there: an incremental build checks the pages it rendered, which
    may link to the fragments of pages it left in place."""

    def __init__(self, root: Path, names: list[str], behind: Path | None = None,
                 only: list[str] | None = None) -> None:
        self.root = root
        self.names = names if only is None else only
        self._known = frozenset(names)
        self.behind = behind

    def __getitem__(self, name: str) -> bytes:
        if name not in self._known:
            raise KeyError(name)
        try:
            with open(os.path.join(self.root, name), "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            if self.behind is None:
                raise
            with open(os.path.join(self.behind, name), "rb") as handle:
                return handle.read()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


class _Files(Container[str]):
    """The files of a built folder: its pages, known from the plan that made them, and any
    other file looked up on disk once, when a link leads to it (static files, feeds).
    Walking the folder instead would cost a look at each of thousands of page folders."""

    def __init__(self, root: Path, pages: frozenset[str], behind: Path | None = None,
                 kept: Container[str] = (), coming: Container[str] = ()) -> None:
        self.root = root
        self.pages = pages
        self.behind = behind
        self.kept = kept  # files of `behind` the build keeps (others are on their way out)
        self.coming = coming  # files the build makes after the pages (missions serve)
        self._others: dict[str, bool] = {}

    def __contains__(self, name: object) -> bool:
        if name in self.pages or name in self.coming:
            return True
        if not isinstance(name, str):
            return False
        found = self._others.get(name)
        if found is None:
            found = os.path.isfile(os.path.join(self.root, name)) or (
                self.behind is not None and name in self.kept
                and os.path.isfile(os.path.join(self.behind, name)))
            self._others[name] = found
        return found


def check_output(plan: Plan, root: Path, templates: Path, *, behind: Path | None = None,
                 only: list[str] | None = None, kept: Container[str] = (),
                 coming: Container[str] = ()) -> list[Problem]:
    """The broken links of the site built from `plan` into `root`. An incremental build
    passes the pages it rendered (`only`, in `root`), the folder holding the others
    (`behind`), the names of the files it keeps there (`kept`) and of those it will make
    once the pages are in place (`coming`)."""
    outputs = page_outputs(plan.pages)  # a kept plan's pages are made only when asked for
    names = sorted(name for name in outputs if name.endswith(".html"))
    checked = None if only is None else sorted(n for n in only if n.endswith(".html"))
    pages = _Folder(root, names, behind, checked)
    files = _Files(root, frozenset(outputs), behind, kept, coming)
    # Problems are only found on the pages checked: the sources of those suffice (a tenth
    # of a second saved on a rebuild of one page at 10,000 missions).
    wanted = None if checked is None else frozenset(checked)
    made = [plan.pages[i] for i, name in enumerate(outputs) if wanted is None or name in wanted]
    return find_broken_links(pages, files, page_sources(made, templates), plan.urls.base_url)
