"""Hostile and broken input: the catalogue of tests/fixtures/hostile/ (see cases.yaml there).

A pull request from a stranger ends in one of two ways: a located problem with exact
words (`errors`), or a site where the hostile part is harmless text (`neutralised`). The
second half of this file checks every page of the neutralised site as a whole, and the
headers every page of the example site carries (CSP first, referrer policy, rel on
external links).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner

from generator.build import BuildOptions, build, load_site
from generator.cli import main
from generator.messages import french
from tests.conftest import EXAMPLE_CONTENT, FIXTURE_BOARD, TODAY

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
CATALOGUE: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (HOSTILE / "cases.yaml").read_text(encoding="utf-8")
)
ERRORS = CATALOGUE["errors"]
NEUTRALISED = CATALOGUE["neutralised"]
BASE_PATH = "/board/"  # the test board's base_url is https://example.org/board/


def case_params(cases: list[dict[str, Any]]) -> list[Any]:
    return [pytest.param(case, id=case["id"]) for case in cases]


# --- the catalogue itself ----------------------------------------------------------------


def test_the_catalogue_holds_at_least_40_cases_each_saying_what_it_proves() -> None:
    ids = [case["id"] for case in ERRORS + NEUTRALISED]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)
    for case in ERRORS + NEUTRALISED:
        assert case["proves"].strip(), case["id"]
        assert (HOSTILE / f"{case['id']}.md").exists() or case.get("make") == "symlink"


def test_every_fixture_file_belongs_to_a_case() -> None:
    ids = {case["id"] for case in ERRORS + NEUTRALISED}
    files = {path.stem for path in HOSTILE.glob("*.md")}
    assert files - ids == set()


# --- errors: the exact problems `missions check` (or `build`) reports --------------------


def place(content: Path, case: dict[str, Any]) -> None:
    """Put a case's file into a board, in the form its `make` asks for."""
    target = content / case.get("put", "missions/x.md")
    source = HOSTILE / f"{case['id']}.md"
    make = case.get("make")
    if make == "pad":
        data = source.read_bytes()
        target.write_bytes(data + b"a" * (case["size"] - len(data)))
    elif make == "directory":
        target.mkdir()
        (target / "index.md").write_bytes(source.read_bytes())
    elif make == "fifo":
        os.mkfifo(target)
    elif make == "symlink":
        target.symlink_to(case["target"])
    elif make == "symlink-folder":
        elsewhere = content.parent / "elsewhere"
        shutil.copytree(content / "missions", elsewhere)
        (elsewhere / "x.md").write_bytes(source.read_bytes())
        shutil.rmtree(content / "missions")
        (content / "missions").symlink_to(elsewhere, target_is_directory=True)
    else:
        target.write_bytes(source.read_bytes())


@pytest.mark.parametrize("case", case_params(ERRORS))
def test_hostile_file_is_reported_where_it_is(board: Path, case: dict[str, Any]) -> None:
    place(board, case)
    if case.get("command") == "build":
        args = ["build", "--no-search", "--today", TODAY.isoformat(), "--out", "site"]
    else:
        args = ["check"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == case["expect"]
    assert result.stderr.endswith("nothing was written.\n")
    assert not (board.parent / "site").exists()
    assert not Path("/tmp/hostile-yaml-ran").exists()  # yaml-python-object-new ran nothing


@pytest.mark.parametrize("case", case_params(ERRORS))
def test_hostile_file_problems_are_also_said_in_french(case: dict[str, Any]) -> None:
    for line in case["expect"]:
        message = line.split(": ", 1)[1]
        assert french(message) is not None, f"no French pattern for: {message!r}"


def test_a_problem_line_cannot_be_split_or_reordered_by_what_it_quotes(board: Path) -> None:
    (board / "missions" / "x.md").write_text(
        (HOSTILE / "log-injection-in-field-name.md").read_text(encoding="utf-8")
        .replace("note\\n", "note\\u2028\\u202e\\u001b[2J\\r\\n"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["check"])
    assert len(result.stdout.splitlines()) == 1
    assert "note\\u2028\\u202e\\u001b[2J\\r\\n::error" in result.stdout
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f\u2028\u202e]", result.stdout)


def test_hidden_files_that_are_not_content_are_still_ignored(board: Path) -> None:
    (board / "missions" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1\xff")
    (board / "missions" / ".#ecoute.md").symlink_to("alice@laptop.4242")  # an Emacs lock
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output


def test_the_ten_megabyte_file_is_refused_without_being_read(
    board: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = next(c for c in ERRORS if c["id"] == "file-ten-megabytes")
    place(board, case)
    read = Path.read_bytes

    def refuse_big_reads(path: Path) -> bytes:
        assert path.stat().st_size < 1024 * 1024, f"{path} was read whole"
        return read(path)

    monkeypatch.setattr(Path, "read_bytes", refuse_big_reads)
    result = CliRunner().invoke(main, ["check"])
    assert result.stdout.splitlines() == case["expect"]


# --- neutralised: a valid board full of hostile text, built once ---------------------------


def hostile_board(root: Path) -> Path:
    """The test board plus every neutralised case, at root/content; returns it."""
    content = root / "content"
    shutil.copytree(FIXTURE_BOARD, content)
    site_yaml = content / "site.yaml"
    # Fewer pages to open in the browser proof: the hostile texts have no English version,
    # so the English tree would hold none of them; and fewer listing pages.
    site_yaml.write_text(
        site_yaml.read_text(encoding="utf-8").replace("per_page: 2", "per_page: 50")
        .replace("languages: [fr, en]", "languages: [fr]"),
        encoding="utf-8",
    )
    for translation in content.rglob("*.en.md"):
        translation.unlink()
    for case in NEUTRALISED:
        target = content / case.get("put", f"missions/{case['id']}.md")
        target.write_bytes((HOSTILE / f"{case['id']}.md").read_bytes())
    return content


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    out = root / "site"
    build(BuildOptions(content=hostile_board(root), out=out, today=TODAY, search=False))
    return out


def test_the_hostile_board_is_valid(tmp_path: Path) -> None:
    site = load_site(hostile_board(tmp_path))
    slugs = {m.slug for m in site.missions}
    assert {c["id"] for c in NEUTRALISED if "put" not in c} <= slugs


@pytest.mark.parametrize("case", case_params(NEUTRALISED))
def test_hostile_content_comes_out_as_harmless_text(
    hostile_site: Path, case: dict[str, Any]
) -> None:
    page = hostile_site / case.get("page", f"missions/{case['id']}/index.html")
    text = page.read_text(encoding="utf-8")
    for expected in case["present"]:
        assert expected in text, f"missing: {expected!r}"
    for forbidden in case["absent"]:
        assert forbidden not in text, f"found: {forbidden!r}"


class Page(HTMLParser):
    """What matters for safety in one page: scripts, event attributes, URLs, ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.head: list[str] = []  # the elements of <head>, in order
        self.prose_ids: list[str] = []  # ids and names inside the rendered Markdown
        self._script: dict[str, str] | None = None
        self._text = ""
        self._in_head = False
        self._prose_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.elements.append((tag, values))
        if tag == "head":
            self._in_head = True
        elif self._in_head:
            self.head.append(tag if tag != "meta" else f"meta:{values.get('http-equiv', '')}")
        if tag == "script":
            self._script, self._text = values, ""
        if self._prose_depth:
            if tag == "div":
                self._prose_depth += 1
            if "id" in values or "name" in values:
                self.prose_ids.append(f"{tag}#{values.get('id') or values.get('name')}")
        elif tag == "div" and "prose" in values.get("class", "").split():
            self._prose_depth = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, self._text))
            self._script = None
        if tag == "div" and self._prose_depth:
            self._prose_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text += data


def parse_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def browser_url(value: str) -> str:
    """A URL as a browser reads it: leading and trailing C0 controls and spaces dropped,
    tabs and line breaks removed anywhere (WHATWG URL parsing)."""
    return re.sub(r"[\t\n\r]", "", value).strip("\x00- ").lower()


SAFE_SCHEMES = ("http:", "https:", "mailto:")


def url_problems(tag: str, name: str, value: str, own_host: str) -> Iterator[str]:
    url = browser_url(value)
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", url)
    if scheme and not url.startswith(SAFE_SCHEMES):
        yield f"<{tag} {name}={value!r}>: the {scheme[1]}: scheme is not allowed"


def page_problems(
    path: Path, site: Path, own_host: str, form_hosts: tuple[str, ...]
) -> Iterator[str]:
    page = parse_page(path)
    shown = str(path.relative_to(site))
    if page.head[:1] != ["meta:Content-Security-Policy"]:
        yield f"{shown}: the CSP meta is not first in <head> ({page.head[:3]})"
    for attributes, text in page.scripts:
        if attributes.get("type") == "application/ld+json":
            json.loads(text)  # data, which the JSON parser reads whole
            if "<" in text:
                yield f"{shown}: '<' inside JSON-LD"
        elif not attributes.get("src", "").startswith(BASE_PATH + "static/"):
            yield f"{shown}: a script that is not ours: {attributes} {text[:80]!r}"
    for tag, attributes in page.elements:
        for name, value in attributes.items():
            if name.startswith("on"):
                yield f"{shown}: <{tag} {name}=...> event attribute"
            if name == "style" or tag == "style":
                yield f"{shown}: <{tag}> inline style"
            if name in ("href", "src", "action", "formaction", "data", "srcdoc", "poster"):
                yield from (f"{shown}: {p}" for p in url_problems(tag, name, value, own_host))
        if tag in ("iframe", "frame", "object", "embed", "base", "applet"):
            yield f"{shown}: <{tag}> element"
        if tag == "meta" and "http-equiv" in attributes and \
                attributes["http-equiv"] != "Content-Security-Policy":
            yield f"{shown}: <meta http-equiv={attributes['http-equiv']}>"
        if tag == "form":
            action = attributes.get("action", "")
            ours = re.fullmatch(re.escape(BASE_PATH) + r"(?:[a-z]{2}/)?search/", action)
            if action and not ours and urlsplit(action).hostname not in form_hosts:
                yield f"{shown}: a form posting to {action}"
        if tag == "a" and browser_url(attributes.get("href", "")).startswith(
            ("http:", "https:", "//")
        ):
            host = urlsplit(attributes["href"]).hostname
            rel = attributes.get("rel", "").split()
            if host != own_host and not {"noopener", "noreferrer"} <= set(rel):
                yield f"{shown}: <a href={attributes['href']!r}> without noopener noreferrer"
    for element in page.prose_ids:
        yield f"{shown}: content made an id or name: {element}"


def test_no_page_of_the_hostile_site_holds_anything_that_runs(hostile_site: Path) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 50
    problems = [
        p for page in pages
        for p in page_problems(page, hostile_site, "example.org", ("formspree.io", "127.0.0.1"))
    ]
    assert problems == []


def test_the_page_checks_see_what_they_look_for(tmp_path: Path) -> None:
    # The checks above pass on every page: they must fail on a page that does these things.
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0">'
        "<script>inline()</script></head><body>"
        '<a href=" JaVa\tScRiPt:x()">a</a><img src="x" onerror="y()"><p style="">'
        '<iframe src="/x"></iframe><form action="https://evil.example/"></form>'
        '<a href="https://other.example/">o</a><div class="prose"><h2 id="main">m</h2></div>'
        "</body></html>",
        encoding="utf-8",
    )
    found = list(page_problems(bad, tmp_path, "example.org", ("formspree.io",)))
    for expected in ("CSP meta is not first", "a script that is not ours", "javascript: scheme",
                     "onerror", "inline style", "<iframe> element", "<meta http-equiv=refresh>",
                     "a form posting to https://evil.example/", "without noopener noreferrer",
                     "content made an id or name: h2#main"):
        assert any(expected in problem for problem in found), (expected, found)


def test_our_own_anchors_stay_unique_whatever_the_headings_say(hostile_site: Path) -> None:
    page = parse_page(hostile_site / "missions" / "body-heading-names" / "index.html")
    ids = [attributes["id"] for _, attributes in page.elements if "id" in attributes]
    assert ids.count("main") == 1 and ids.count("apply") == 1
    assert len(ids) == len(set(ids))


def test_hostile_text_reaches_the_feeds_as_text(hostile_site: Path) -> None:
    title = "</script><script>window.__pwned=1</script>"
    atom = ET.parse(hostile_site / "feed.xml").getroot()
    ns = "{http://www.w3.org/2005/Atom}"
    assert title in [entry.findtext(f"{ns}title") for entry in atom.findall(f"{ns}entry")]
    feed = json.loads((hostile_site / "feed.json").read_text(encoding="utf-8"))
    assert title in [item["title"] for item in feed["items"]]
    national = ET.parse(hostile_site / "missions.xml").getroot()
    by_id = {m.findtext("clientId"): m for m in national.iter("mission")}
    description = by_id["body-script-tag"].findtext("description", "")
    assert "&lt;script&gt;window.__pwned = 1;" in description
    assert "<script>" not in description
    for name in ("feed.xml", "missions.xml", "sitemap.xml"):
        raw = (hostile_site / name).read_text(encoding="utf-8")
        assert "<script>window" not in raw and "]]><script>" not in raw


# --- headers of every page of the example site ---------------------------------------------


def csp_of(path: Path) -> dict[str, list[str]]:
    page = parse_page(path)
    meta = next(a for tag, a in page.elements if tag == "meta" and
                a.get("http-equiv") == "Content-Security-Policy")
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in meta["content"].split(";") if directive.strip()
    }


def test_every_example_page_has_the_csp_first_and_no_inline_code(example_site: Path) -> None:
    pages = sorted(example_site.rglob("*.html"))
    problems = [
        p for page in pages
        for p in page_problems(page, example_site, "example.org", example_form_hosts())
    ]
    assert problems == []


def example_form_hosts() -> tuple[str, ...]:
    site = yaml.safe_load((EXAMPLE_CONTENT / "site.yaml").read_text(encoding="utf-8"))
    return tuple(site["form_hosts"])


def test_the_csp_allows_our_files_pagefind_and_the_form_hosts_only(example_site: Path) -> None:
    expected_forms = ["'self'", *(f"https://{host}" for host in example_form_hosts())]
    for path in sorted(example_site.rglob("*.html")):
        csp = csp_of(path)
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'"]  # Pagefind's WebAssembly
        assert csp["style-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'none'"]
        assert csp["form-action"] == expected_forms
        assert csp["connect-src"] == expected_forms
        assert csp["worker-src"] == ["'self'", "blob:"]
        assert not any(v in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:")
                       for values in csp.values() for v in values)


def test_every_example_page_sends_no_referrer_to_other_sites(example_site: Path) -> None:
    for path in sorted(example_site.rglob("*.html")):
        page = parse_page(path)
        referrer = [a["content"] for tag, a in page.elements
                    if tag == "meta" and a.get("name") == "referrer"]
        assert referrer == ["strict-origin-when-cross-origin"], path


def test_every_link_to_another_host_carries_noopener_noreferrer(example_site: Path) -> None:
    external = 0
    for path in sorted(example_site.rglob("*.html")):
        for tag, attributes in parse_page(path).elements:
            href = attributes.get("href", "")
            if tag != "a" or not href.startswith(("http:", "https:", "//")):
                continue
            if urlsplit(href).hostname == "example.org":
                continue  # the language switch, to this very site
            external += 1
            assert {"noopener", "noreferrer"} <= set(attributes.get("rel", "").split()), (
                f"{path.relative_to(example_site)}: {href}"
            )
    assert external > 20  # content links, association websites, apply pages, edit links


def test_markdown_links_to_other_hosts_get_noopener_noreferrer_nofollow() -> None:
    from generator.markdown import make_markdown

    html = make_markdown().render(
        "[a](https://a.example/) [b](http://b.example/) [c](//c.example/) [d](../d/) "
        "<https://e.example/> [f](HTTPS://f.example/)"
    )
    rels = re.findall(r'<a href="([^"]*)"( rel="[^"]*")?', html)
    assert rels == [
        ("https://a.example/", ' rel="noopener noreferrer nofollow ugc"'),
        ("http://b.example/", ' rel="noopener noreferrer nofollow ugc"'),
        ("//c.example/", ' rel="noopener noreferrer nofollow ugc"'),
        ("../d/", ""),
        ("https://e.example/", ' rel="noopener noreferrer nofollow ugc"'),
        ("HTTPS://f.example/", ' rel="noopener noreferrer nofollow ugc"'),
    ]
