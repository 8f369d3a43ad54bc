"""Applying, as a volunteer does it in a real browser: every route, with and without
JavaScript, and nothing typed is lost when the form endpoint fails."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import FIXTURE_BOARD, axe_violations, serve_built

pytestmark = pytest.mark.browser

TITLE = "Écoute & partage ? Oui #1 : l'été"


@dataclass
class Endpoint:
    """A form endpoint run by the test: records what it receives, answers as told."""

    answer: int = 200
    received: list[dict[str, object]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/f/apply"


def _start_endpoint(endpoint: Endpoint) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            endpoint.received.append({
                # A plain form POST sends line breaks as CRLF, fetch() as typed (LF).
                "fields": {k: v[0].replace("\r\n", "\n")
                           for k, v in parse_qs(body, keep_blank_values=True).items()},
                "accept": self.headers.get("Accept", ""),
                "content_type": self.headers.get("Content-Type", ""),
            })
            wants_json = "application/json" in self.headers.get("Accept", "")
            payload = (json.dumps({"ok": endpoint.answer == 200}) if wants_json
                       else "<!doctype html><title>Merci</title><p>Merci</p>").encode()
            self.send_response(endpoint.answer)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Type",
                             "application/json" if wants_json else "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def endpoint_and_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Endpoint, str]]:
    endpoint = Endpoint()
    endpoint_server = _start_endpoint(endpoint)
    tmp = tmp_path_factory.mktemp("apply")
    content = tmp / "content"
    shutil.copytree(FIXTURE_BOARD, content)
    _edit(content / "associations" / "savoirs.md", 'name: "Savoirs Partagés"',
          'name: "Savoirs Partagés"\nemail: "contact@savoirs.example.org"')
    _edit(content / "missions" / "maths.md", "posted: 2026-10-15",
          f'posted: 2026-10-15\napply: {{form: "{endpoint.url}"}}')
    _edit(content / "missions" / "site-web.md", 'url: "https://savoirs.example.org/candidater"',
          f'form: "http://127.0.0.1:{_free_port()}/f/down"')
    _edit(content / "missions" / "inventaire.md", "deadline: 2026-10-31", "deadline: 2027-10-31")
    _edit(content / "missions" / "ecoute.md", 'title: "Appeler des personnes âgées isolées"',
          f'title: "{TITLE}"')
    _edit(content / "missions" / "inventaire.md", "posted: 2026-09-01",
          'posted: 2026-09-01\napply: {url: "https://lien.example.org/rejoindre"}')
    server, base = serve_built(tmp, content)
    yield endpoint, base
    server.close()
    endpoint_server.shutdown()
    endpoint_server.server_close()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _fill(page: Page) -> dict[str, str]:
    typed = {
        "#apply-name": "Camille Martin",
        "#apply-email": "camille@example.net",
        "#apply-phone": "06 12 34 56 78",
        "#apply-message": "Bonjour,\nj'aime les maths & les élèves ?#",
        "#apply-availability": "Le mardi soir",
    }
    for selector, value in typed.items():
        page.fill(selector, value)
    page.check("#apply-consent")
    return typed


EXPECTED_FIELDS = {
    "name": "Camille Martin",
    "email": "camille@example.net",
    "phone": "06 12 34 56 78",
    "message": "Bonjour,\nj'aime les maths & les élèves ?#",
    "availability": "Le mardi soir",
    "consent": "yes",
    "mission": "maths",
    "mission_title": "Soutien en maths au collège",
    "association": "Savoirs Partagés",
    "website_confirm": "",
}


def test_without_javascript_the_form_is_an_ordinary_post(
    browser: Browser, endpoint_and_site: tuple[Endpoint, str]
) -> None:
    endpoint, base = endpoint_and_site
    endpoint.answer, endpoint.received[:] = 200, []
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "missions/maths/")
    _fill(page)
    page.click("button[type=submit]")
    page.wait_for_url(endpoint.url)
    assert len(endpoint.received) == 1
    fields = endpoint.received[0]["fields"]
    assert isinstance(fields, dict)
    assert {k: fields[k] for k in EXPECTED_FIELDS} == EXPECTED_FIELDS
    assert fields["page_url"] == base + "missions/maths/"
    assert endpoint.received[0]["content_type"] == "application/x-www-form-urlencoded"
    context.close()


def test_with_javascript_it_sends_in_place_and_says_thank_you(
    page: Page, endpoint_and_site: tuple[Endpoint, str]
) -> None:
    endpoint, base = endpoint_and_site
    endpoint.answer, endpoint.received[:] = 200, []
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "missions/maths/")
    _fill(page)
    page.click("button[type=submit]")
    expect(page.locator("#apply-status")).to_contain_text("Merci ! Votre candidature a bien été envoyée")
    expect(page.locator("#apply-status")).to_be_focused()
    assert page.url == base + "missions/maths/"
    assert len(endpoint.received) == 1
    fields = endpoint.received[0]["fields"]
    assert isinstance(fields, dict)
    assert {k: fields[k] for k in EXPECTED_FIELDS} == EXPECTED_FIELDS
    assert fields["page_url"] == base + "missions/maths/"
    assert endpoint.received[0]["accept"] == "application/json"
    assert errors == []


def test_it_validates_before_sending_with_messages_tied_to_fields(
    page: Page, endpoint_and_site: tuple[Endpoint, str]
) -> None:
    endpoint, base = endpoint_and_site
    endpoint.received[:] = []
    page.goto(base + "missions/maths/")
    page.fill("#apply-email", "camille@")
    page.click("button[type=submit]")
    expect(page.locator("#apply-name")).to_be_focused()
    assert page.get_attribute("#apply-name", "aria-invalid") == "true"
    assert page.get_attribute("#apply-name", "aria-describedby") == "apply-name-error"
    expect(page.locator("#apply-name-error")).to_have_text("Ce champ est obligatoire.")
    expect(page.locator("#apply-email-error")).to_contain_text("adresse e-mail complète")
    expect(page.locator("#apply-consent-error")).to_contain_text("Cochez cette case")
    described = page.get_attribute("#apply-message", "aria-describedby") or ""
    assert described.split() == ["apply-message-error", "apply-message-hint"]
    expect(page.locator("#apply-status")).to_contain_text("pas encore envoyée")
    assert axe_violations(page) == []
    assert endpoint.received == []


def test_a_server_error_keeps_every_typed_value_and_offers_email(
    page: Page, endpoint_and_site: tuple[Endpoint, str]
) -> None:
    endpoint, base = endpoint_and_site
    endpoint.answer, endpoint.received[:] = 500, []
    page.goto(base + "missions/maths/")
    typed = _fill(page)
    page.click("button[type=submit]")
    status = page.locator("#apply-status")
    expect(status).to_contain_text("le service de formulaire a rencontré une erreur (code 500)")
    expect(status).to_contain_text("Rien n'est perdu")
    expect(status).to_be_focused()
    for selector, value in typed.items():
        expect(page.locator(selector)).to_have_value(value)
    expect(page.locator("#apply-consent")).to_be_checked()
    fallback = status.locator("a[href^='mailto:']")
    href = fallback.get_attribute("href") or ""
    assert href.startswith("mailto:contact@savoirs.example.org?subject=")
    body = parse_qs(urlsplit(href).query)["body"][0]
    assert "Camille Martin" in body and "j'aime les maths & les élèves ?#" in body
    endpoint.answer = 200


def test_an_endpoint_that_is_down_keeps_every_typed_value(
    page: Page, endpoint_and_site: tuple[Endpoint, str]
) -> None:
    _, base = endpoint_and_site
    page.goto(base + "missions/site-web/")
    typed = _fill(page)
    page.click("button[type=submit]")
    expect(page.locator("#apply-status")).to_contain_text("impossible de joindre le service")
    for selector, value in typed.items():
        expect(page.locator(selector)).to_have_value(value)
    expect(page.locator("button[type=submit]")).to_be_enabled()


def test_the_honeypot_is_never_met_by_people(
    page: Page, endpoint_and_site: tuple[Endpoint, str]
) -> None:
    _, base = endpoint_and_site
    page.goto(base + "missions/maths/")
    honeypot = page.locator("#apply-hp")
    assert honeypot.count() == 1
    expect(honeypot).to_be_hidden()
    assert honeypot.get_attribute("tabindex") == "-1"
    assert "Ne pas remplir" not in page.locator("#apply-form").aria_snapshot()
    page.focus("#apply-name")
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("() => document.activeElement.id"))
    assert "apply-hp" not in focused
    assert "apply-consent" in focused


def test_the_mailto_link_carries_subject_and_body_safely(
    page: Page, endpoint_and_site: tuple[Endpoint, str]
) -> None:
    _, base = endpoint_and_site
    page.goto(base + "missions/ecoute/")
    href = page.locator("#apply a.button[href^='mailto:']").get_attribute("href") or ""
    address, _, query = href.removeprefix("mailto:").partition("?")
    assert address == "benevoles@lien.example.org"
    assert query.count("&") == 1 and "#" not in href and "\n" not in href
    params = parse_qs(query)
    assert set(params) == {"subject", "body"}
    assert params["subject"] == [f"Candidature : {TITLE}"]
    body = params["body"][0]
    assert body.startswith(f"Bonjour,\r\n\r\nJe souhaite candidater à la mission « {TITLE} »")
    assert "Mes disponibilités :" in body and base + "missions/ecoute/" in body
    expect(page.locator("#apply-address")).to_have_text("benevoles@lien.example.org")


def test_the_copy_button_copies_the_address(
    browser: Browser, endpoint_and_site: tuple[Endpoint, str]
) -> None:
    _, base = endpoint_and_site
    origin = base.split("/board/")[0]
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    page.goto(base + "missions/ecoute/")
    page.click(".copy-button")
    expect(page.locator(".copy-status")).to_have_text("Adresse copiée.")
    assert page.evaluate("() => navigator.clipboard.readText()") == "benevoles@lien.example.org"
    context.close()


def test_the_application_page_route_is_a_marked_external_link(
    page: Page, endpoint_and_site: tuple[Endpoint, str]
) -> None:
    _, base = endpoint_and_site
    page.goto(base + "missions/inventaire/")
    link = page.locator("#apply a.button")
    assert link.get_attribute("href") == "https://lien.example.org/rejoindre"
    assert link.get_attribute("rel") == "noopener noreferrer external"
    expect(link).to_contain_text("(site externe)")
    assert page.locator("script[src*='apply.js']").count() == 0


@pytest.mark.parametrize("slug", ["ecoute", "maths", "inventaire"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_each_route_passes_axe(
    page: Page, endpoint_and_site: tuple[Endpoint, str], slug: str, scheme: str
) -> None:
    _, base = endpoint_and_site
    page.emulate_media(color_scheme=scheme)
    page.goto(base + "missions/" + slug + "/")
    assert axe_violations(page) == []
    page.goto(base + "en/missions/ecoute/")
    assert axe_violations(page) == []


FOCUS_VISIBLE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || !el.matches(':focus-visible')) return false;
    // A card's link shows its focus ring around the whole card (:focus-within).
    const shown = el.closest('.card') || el;
    const style = getComputedStyle(shown);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
}"""


# search.js marks each time it shows results (performance.mark("search-results")).
RESULTS_SHOWN = "(n) => performance.getEntriesByName('search-results').length >= n"


def _tab_to(page: Page, selector: str, *, limit: int = 80, open_summary: str = "") -> None:
    """Press Tab until `selector` has the focus, checking the focus is visible each time;
    opens a <details> whose summary contains `open_summary` on the way."""
    previous = ""
    for step in range(limit):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_VISIBLE), (
            f"Tab {step + 1}: after {previous[:300]!r}, the focus is not visible on "
            + page.evaluate("() => document.activeElement.outerHTML")[:300])
        previous = page.evaluate("() => document.activeElement.outerHTML")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        if open_summary and page.evaluate(
            "(t) => document.activeElement.tagName === 'SUMMARY' && "
            "document.activeElement.textContent.includes(t) && !document.activeElement.parentElement.open",
            open_summary,
        ):
            page.keyboard.press("Enter")
            # search.js makes a group's checkboxes when it opens (its `toggle` event, a
            # task later): a Tab pressed before that would skip the empty group.
            page.wait_for_function(
                "() => document.activeElement.parentElement.open && "
                "document.activeElement.parentElement.querySelector('input')")
    raise AssertionError(f"{selector} never got the focus (a trap, or not reachable)")


def test_keyboard_only_journey_from_home_to_a_sent_application(
    page: Page, endpoint_and_site: tuple[Endpoint, str]
) -> None:
    endpoint, base = endpoint_and_site
    endpoint.answer, endpoint.received[:] = 200, []
    page.set_default_timeout(30_000)  # a shared CI machine can be slow; a trap still fails
    page.goto(base)
    _tab_to(page, "nav a[href$='/search/']")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "search/")
    page.wait_for_selector(".search-groups details")
    # The first results replace the list while the page loads: a link focused before
    # that would be removed from under the keyboard (on a loaded machine, it was).
    page.wait_for_function(RESULTS_SHOWN, arg=1)
    expect(page.locator("#search-app")).not_to_have_attribute("aria-busy", "true")
    _tab_to(page, "input[name=category][value=education]", open_summary="Domaine")
    page.keyboard.press("Space")
    page.wait_for_url("**category=education**")
    page.wait_for_function(RESULTS_SHOWN, arg=2)
    expect(page.locator("#search-app")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator(".search-list .card")).to_have_count(1, timeout=30_000)
    # Counts of the other filters update after the results; let them settle before moving.
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    _tab_to(page, ".search-list .card-title a")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "missions/maths/")
    _tab_to(page, "#apply-name")
    page.keyboard.type("Camille Martin")
    _tab_to(page, "#apply-email")
    page.keyboard.type("camille@example.net")
    _tab_to(page, "#apply-message")
    page.keyboard.type("J'aime expliquer les fractions.")
    _tab_to(page, "#apply-availability")
    page.keyboard.type("Le mardi soir")
    _tab_to(page, "#apply-consent")
    page.keyboard.press("Space")
    _tab_to(page, "#apply-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#apply-status")).to_contain_text("Merci !", timeout=30_000)
    assert len(endpoint.received) == 1
    # No trap: from here the keyboard still reaches the end of the page.
    _tab_to(page, ".site-footer a")
