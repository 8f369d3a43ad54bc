"""`missions serve`: a change rebuilds and reloads open pages; a broken file keeps the last
good site served and shows the problems. Runs the real command in a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Serving:
    def __init__(self, board: Path) -> None:
        self.board = board
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.log = board.parent / "serve.log"
        self.log_file = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--content", str(board),
             "--out", str(board.parent / "site"), "--port", str(self.port)],
            stdout=self.log_file, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("serve did not start:\n" + self.log.read_text())

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log_file.close()


@pytest.fixture
def serving(board: Path) -> Iterator[Serving]:
    server = Serving(board)
    yield server
    server.stop()


def _events(base: str, patience: float = 120) -> Iterator[dict[str, object]]:
    """State events of the server; fails (never hangs) when none comes in `patience` s."""
    deadline = time.monotonic() + patience
    with urllib.request.urlopen(base + "__missions/events", timeout=30) as stream:
        for raw in stream:
            assert time.monotonic() < deadline, "no rebuild was announced"
            line = raw.decode().strip()
            if line.startswith("data: "):
                yield json.loads(line[len("data: "):])


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_saved_change_rebuilds_and_announces_a_reload(serving: Serving) -> None:
    events = _events(serving.base)
    first = next(events)
    assert first["problems"] == []
    _edit(serving.board / "missions" / "maths.md", "Soutien en maths au collège",
          "Soutien en maths et en physique")
    second = next(events)
    assert second == {"version": int(first["version"]) + 1, "problems": []}  # type: ignore[call-overload]
    with urllib.request.urlopen(serving.base + "missions/maths/") as response:
        assert "Soutien en maths et en physique" in response.read().decode()
    assert "Changed: maths.md" in serving.output()
    # Only what shows the mission was rendered; the search index followed afterwards,
    # once open pages had been told to reload.
    deadline = time.monotonic() + 60
    while "Search index refreshed" not in serving.output():
        assert time.monotonic() < deadline, serving.output()
        time.sleep(0.1)
    log = serving.output()
    rebuilt = log[log.index("Changed: maths.md"):]
    assert " rendered, " in rebuilt.splitlines()[1]
    assert rebuilt.index(" rendered, ") < rebuilt.index("Search index refreshed")
    with urllib.request.urlopen(serving.base + "search/cards-0.json") as response:
        assert "Soutien en maths et en physique" in response.read().decode()


def test_a_broken_file_keeps_the_last_good_site_and_reports_it(serving: Serving) -> None:
    events = _events(serving.base)
    first = next(events)
    _edit(serving.board / "missions" / "maths.md", "remote: full", "remote: sometimes")
    second = next(events)
    assert second["version"] == first["version"]
    problems = second["problems"]
    assert isinstance(problems, list) and len(problems) == 1
    assert problems[0].startswith("content/missions/maths.md:") or "maths.md" in problems[0]
    assert "'sometimes' is not allowed" in problems[0] or "sometimes" in problems[0]
    with urllib.request.urlopen(serving.base + "missions/maths/") as response:
        assert "Soutien en maths au collège" in response.read().decode()
    deadline = time.monotonic() + 5
    while "the last good build is still served" not in serving.output():
        assert time.monotonic() < deadline, serving.output()
        time.sleep(0.1)
    assert "sometimes" in serving.output()


def test_an_open_page_reloads_about_a_second_after_saving(serving: Serving, page: Page) -> None:
    page.goto(serving.base + "missions/maths/")
    expect(page.locator("h1")).to_have_text("Soutien en maths au collège")
    page.wait_for_selector("html[data-missions-live]", state="attached")
    saved = time.monotonic()
    _edit(serving.board / "missions" / "maths.md", "Soutien en maths au collège",
          "Soutien en maths, nouvelle version")
    expect(page.locator("h1")).to_have_text("Soutien en maths, nouvelle version", timeout=10_000)
    elapsed = time.monotonic() - saved
    print(f"page reloaded {elapsed:.2f} s after the save")
    # About a second on a quiet machine (benchmarks/README.md); CI machines are shared.
    assert elapsed < 15

    _edit(serving.board / "missions" / "maths.md", "remote: full", "remote: sometimes")
    overlay = page.locator("#missions-live-problems")
    expect(overlay).to_contain_text("sometimes", timeout=10_000)
    expect(overlay).to_contain_text("The last change was not built")
    expect(page.locator("h1")).to_have_text("Soutien en maths, nouvelle version")

    _edit(serving.board / "missions" / "maths.md", "remote: sometimes", "remote: full")
    expect(overlay).to_have_count(0, timeout=10_000)
