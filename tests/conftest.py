"""Shared fixtures: a small valid board to copy and break, and built sites to inspect."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.build import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_BOARD = Path(__file__).resolve().parent / "fixtures" / "board"
EXAMPLE_CONTENT = ROOT / "content"
TODAY = dt.date(2026, 11, 30)


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
