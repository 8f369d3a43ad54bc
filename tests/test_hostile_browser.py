"""Browser proof: the site built from the hostile catalogue's valid fixtures runs nothing a
contributor wrote, and our own pages break none of our own Content-Security-Policy.

Every page of the hostile site, and one page of each kind of the example board, is opened
in Debian's Chromium. An init script records each
`securitypolicyviolation` event before any page script runs; dialogs, page errors,
console messages and every request to another origin are recorded too. The hostile
content tries to open dialogs, set `window.__pwned` and change `document.title`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import serve_built
from tests.test_hostile import hostile_board

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push([event.violatedDirective, event.blockedURI,
                            event.sourceFile + ':' + event.lineNumber, event.sample].join(' '));
}, true);
"""
PAGE_STATE = """() => ({
  pwned: typeof window.__pwned,
  title: document.title,
  violations: window.__violations,
})"""


@dataclass
class Visit:
    """What happened while opening every page of a site."""

    pages: int = 0
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    csp_console: list[str] = field(default_factory=list)
    pwned: list[str] = field(default_factory=list)
    elsewhere: list[tuple[str, str]] = field(default_factory=list)  # (resource type, url)


TABS = 4  # pages loading at once: the browser works while Python waits on another tab


def visit_every_page(browser: Any, base: str, pages: list[str], *, offline: bool) -> Visit:
    """Open every page; `offline`: refuse requests to other origins (which the pages of
    the hostile board make, for the images their texts show) instead of only noting them."""
    visit = Visit()
    origin = base.split("/", 3)[:3]
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)

    def route(route: Any) -> None:
        # Nothing leaves the machine: requests to another origin are recorded and refused.
        if route.request.url.split("/", 3)[:3] == origin:
            route.continue_()
        else:
            visit.elsewhere.append((route.request.resource_type, route.request.url))
            route.abort()

    def request(request: Any) -> None:
        if request.url.split("/", 3)[:3] != origin:
            visit.elsewhere.append((request.resource_type, request.url))

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            visit.csp_console.append(message.text)

    if offline:
        context.route("**/*", route)
    else:  # cheaper: intercepting every request costs a round trip to Python
        context.on("request", request)
    tabs = [context.new_page() for _ in range(TABS)]
    for tab in tabs:
        tab.on("dialog", lambda dialog: (visit.dialogs.append(dialog.message), dialog.dismiss()))
        tab.on("pageerror", lambda error: visit.errors.append(str(error)))
        tab.on("console", console)
    try:
        for start in range(0, len(pages), TABS):
            batch = list(zip(tabs, pages[start : start + TABS], strict=False))
            for tab, path in batch:
                response = tab.goto(base + path, wait_until="commit")
                assert response is not None and response.status in (200, 404), path
            for tab, path in batch:
                tab.wait_for_load_state("load")
                state = tab.evaluate(PAGE_STATE)
                visit.pages += 1
                if state["pwned"] != "undefined" or state["title"] == "pwned":
                    visit.pwned.append(f"{path}: __pwned is {state['pwned']}, title "
                                       f"{state['title']!r}")
                visit.violations.extend(f"{path}: {v}" for v in state["violations"])
    finally:
        context.close()
    return visit


def site_pages(site: Path) -> list[str]:
    """The URL path of every HTML page of a built site, relative to its base URL."""
    return [
        str(path.relative_to(site)).removesuffix("index.html")
        for path in sorted(site.rglob("*.html"))
    ]


@pytest.fixture(scope="module")
def served_hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("served-hostile")
    server, base = serve_built(root, hostile_board(root))
    yield base, root / "www" / "board"
    server.close()


def test_no_hostile_content_runs_in_the_browser(
    browser: Any, served_hostile: tuple[str, Path]
) -> None:
    base, site = served_hostile
    pages = site_pages(site)
    assert len(pages) > 50
    visit = visit_every_page(browser, base, pages, offline=True)
    assert visit.pages == len(pages)
    assert visit.dialogs == []
    assert visit.pwned == []
    assert visit.errors == []
    # Not even a blocked attempt: with raw HTML off, the hostile text never becomes code
    # the policy has to stop.
    assert visit.violations == []
    assert visit.csp_console == []
    # The only requests to other sites are images the texts show (Markdown images are
    # allowed from https hosts, without referrer), never a script, frame, style or fetch.
    assert {kind for kind, _ in visit.elsewhere} <= {"image"}, visit.elsewhere


# What makes our own pages differ in what they load and run: the template (from the path),
# the language, and these parts (the apply route, a closed notice, search data, pages).
FEATURES = (b'class="apply-form"', b'href="mailto:', b"noopener noreferrer external",
            b"notice-closed", b"data-pagefind-body", b'class="pagination"', b'src="http')


def one_page_of_each_kind(site: Path) -> list[str]:
    kinds: dict[tuple[object, ...], str] = {}
    for path in site_pages(site):
        parts = path.split("/")
        lang = parts[0] if len(parts[0]) == 2 and len(parts) > 1 else ""
        route = [part for part in parts[1 if lang else 0 :] if part]
        shape = tuple("*" if index and not part.startswith("page") else part
                      for index, part in enumerate(route))
        data = (site / (path + "index.html" if path.endswith("/") or not path else path))
        features = tuple(feature in data.read_bytes() for feature in FEATURES)
        kinds.setdefault((lang, shape, features), path)
    return sorted(kinds.values())


def test_the_example_board_breaks_none_of_its_own_policy(
    browser: Any, served_example: str, example_site: Path
) -> None:
    # Every page of the hostile board above (the test board's pages with hostile texts
    # added) is already opened with the same assertions; here, one page of each kind of
    # the example board: each template in each language, with each apply route, closed
    # or open, paginated or not.
    pages = one_page_of_each_kind(example_site)  # the same pages as the served build
    assert len(pages) >= 25
    visit = visit_every_page(browser, served_example, pages, offline=False)
    assert visit.pages == len(pages)
    assert visit.violations == []
    assert visit.csp_console == []
    assert visit.errors == []
    assert visit.dialogs == []
    assert visit.elsewhere == []  # not a single request to another site


def test_a_violation_would_be_seen(browser: Any, served_example: str) -> None:
    # The recorder works: an inline script added to one of our pages is refused by the
    # policy, and the refusal is recorded.
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(served_example, wait_until="load")
        page.evaluate("""() => {
            const s = document.createElement('script');
            s.textContent = 'window.__pwned = 1; alert(1)';
            document.body.append(s);
            const d = document.createElement('div');
            d.setAttribute('style', 'color: red');
            document.body.append(d);
        }""")
        page.wait_for_timeout(100)
        state = page.evaluate(PAGE_STATE)
    finally:
        context.close()
    assert state["pwned"] == "undefined" and dialogs == []
    assert any(v.startswith("script-src-elem inline") for v in state["violations"])
    assert any(v.startswith("style-src-attr inline") for v in state["violations"])
