"""Quality gates on the example board: accessibility (axe-core), layout at 320 px and at
200 % text, print, and HTML validity (Nu HTML Checker). Real browser, real tools."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT, axe_violations

pytestmark = pytest.mark.browser

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# One page of each kind, with each apply route (form, email, url) and a closed mission.
PAGES = [
    "",
    "missions/page/2/",
    "categories/numerique/",
    "skills/traduction/",
    "missions/appels-convivialite-personnes-agees-isolees/",  # form
    "missions/traduction-documents-administratifs-anglais/",  # email
    "missions/soutien-scolaire-maths-college-visio/",  # url
    "missions/campagne-collecte-fonds-fin-annee/",  # closed
    "associations/voix-du-lien/",
    "associations/",
    "categories/",
    "search/",
    "search/?q=traduction",
    "search/?category=numerique&skill=accessibilite",
    "404.html",
]
ENGLISH = [
    "en/",
    "en/missions/",
    "en/categories/numerique/",
    "en/missions/appels-convivialite-personnes-agees-isolees/",
    "en/missions/traduction-documents-administratifs-anglais/",
    "en/associations/voix-du-lien/",
    "en/search/",
    "en/search/?category=education",
    "en/404.html",
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES + ENGLISH)
def test_no_axe_violation_and_no_console_error(
    reused_page: Page, served_example: str, path: str, scheme: str
) -> None:
    reused_page.console_errors.clear()  # type: ignore[attr-defined]
    reused_page.emulate_media(color_scheme=scheme)
    response = reused_page.goto(served_example + path)
    assert response is not None
    assert response.status == 200
    if "search/?" in path:  # the search page with its results shown
        reused_page.wait_for_selector(".search-list .card")
    assert axe_violations(reused_page) == []
    assert reused_page.console_errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", [
    "", "missions/", "missions/appels-convivialite-personnes-agees-isolees/",
    "missions/traduction-documents-administratifs-anglais/", "associations/voix-du-lien/",
    "categories/", "search/", "en/",
])
def test_no_horizontal_scroll_at_320_px(page: Page, served_example: str, path: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(served_example + path)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


@pytest.mark.parametrize("path", [
    "", "missions/appels-convivialite-personnes-agees-isolees/", "missions/",
])
def test_text_zoomed_to_200_percent_stays_readable(
    page: Page, served_example: str, path: str
) -> None:
    # WCAG 1.4.4/1.4.10: at 200 % text on a 1280 px screen (640 CSS px), nothing is cut off
    # and nothing needs sideways scrolling.
    page.set_viewport_size({"width": 640, "height": 900})
    page.goto(served_example + path)
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    clipped = page.evaluate("""() => [...document.querySelectorAll('h1, h2, h3, p, a, label, dd')]
        .filter(el => el.offsetParent !== null && getComputedStyle(el).overflow === 'hidden'
                      && el.scrollWidth > el.clientWidth + 1)
        .map(el => el.textContent.trim().slice(0, 40))""")
    assert clipped == []


def test_print_hides_navigation_and_keeps_the_mission_and_its_contact(
    page: Page, served_example: str
) -> None:
    page.goto(served_example + "missions/traduction-documents-administratifs-anglais/")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".prose")).to_be_visible()
    expect(page.locator("#apply-address")).to_be_visible()
    expect(page.locator("#apply-address")).to_contain_text("@")


def test_every_page_of_the_example_board_is_valid_html(example_site: Path) -> None:
    java = shutil.which("java")
    assert java, "java is required for the Nu HTML Checker (make test installs it)"
    assert VNU.exists(), "node_modules/vnu-jar is missing: run `make test` (npm ci)"
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "gnu",
         str(example_site)],
        capture_output=True, text=True, timeout=600, check=False,  # its findings are the test
    )
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert errors == [], "\n".join(errors[:30])
    assert result.returncode == 0
