"""A volunteer's first minute, in a real browser: pages load and pass axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["", "missions/", "en/", "categories/numerique/",
                                  "missions/traduction-documents-administratifs-anglais/"])
def test_page_loads_without_console_errors_and_passes_axe(
    page: Page, served_example: str, path: str
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(served_example + path)
    assert response is not None and response.status == 200
    assert axe_violations(page) == []
    assert errors == []
