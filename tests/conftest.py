"""Shared fixtures: a small valid board to copy and break, and built sites to inspect."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.build import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_BOARD = Path(__file__).resolve().parent / "fixtures" / "board"
EXAMPLE_CONTENT = ROOT / "content"
TODAY = dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands speak the board's first language (French here) unless told otherwise;
    tests assert the English messages, so they say so. Tests of French output pass
    --lang fr, and the default itself is tested with the variable removed."""
    monkeypatch.setenv("MISSIONS_LANG", "en")


@pytest.fixture
def board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the small test board at tmp/content, with tmp as the working directory,
    so that problems are reported as content/missions/x.md like in a real repository."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_BOARD, content)
    monkeypatch.chdir(tmp_path)
    return content


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example board built once under a sub-path base URL."""
    out = tmp_path_factory.mktemp("example") / "site"
    build(BuildOptions(content=EXAMPLE_CONTENT, out=out, today=TODAY,
                       base_url="https://example.org/board/"))
    return out


@pytest.fixture(scope="session")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small test board built once, at the base URL of its site.yaml."""
    out = tmp_path_factory.mktemp("small") / "site"
    build(BuildOptions(content=FIXTURE_BOARD, out=out, today=TODAY))
    return out


# --- Real-browser tests (Debian's Chromium driven by Playwright) -------------------------

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    # A missing browser fails the run: CI must never pass by skipping browser tests.
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: run `make test` (it installs Debian's chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def base_url() -> str:
    # Defined here so pytest-base-url's own fixture (which warns under pytest 9) is unused.
    return ""


class StaticServer:
    """Serves a folder over http on 127.0.0.1 on a free port, in a background thread."""

    def __init__(self, root: Path) -> None:
        import functools
        import http.server
        import threading

        from generator.server import _Handler

        handler = functools.partial(_Handler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve_built(tmp: Path, content: Path, sub_path: str = "board") -> tuple[StaticServer, str]:
    """Build `content` under http://127.0.0.1:PORT/<sub_path>/ and serve it; returns the base URL."""
    import urllib.request

    root = tmp / "www"
    root.mkdir()
    server = StaticServer(root)
    base = f"{server.origin}/{sub_path}/"
    build(BuildOptions(content=content, out=root / sub_path, today=TODAY, base_url=base))
    with urllib.request.urlopen(base) as response:  # fail early if another server answers
        assert response.status == 200 and b"<html" in response.read(2000)
    return server, base


@pytest.fixture(scope="session")
def served_example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example board served over http under /board/; yields its base URL."""
    server, base = serve_built(tmp_path_factory.mktemp("served"), EXAMPLE_CONTENT)
    yield base
    server.close()


def axe_violations(page: Any) -> list[str]:
    """Ids (and targets) of axe-core WCAG 2.0/2.1/2.2 A and AA violations on the page."""
    # Evaluated through the DevTools protocol, which the page's CSP does not govern:
    # an injected <script> tag would be (rightly) blocked by script-src 'self'.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(  # type: ignore[no-any-return]
        """() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                 'wcag22aa']})
              .then(r => r.violations.map(v => v.id + ': ' +
                      v.nodes.map(n => n.target.join(' ')).join(', ')))"""
    )


@pytest.fixture(scope="module")
def reused_page(browser: Any) -> Iterator[Any]:
    """One page kept across a module's tests: a new context per test costs seconds."""
    context = browser.new_context()
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()
