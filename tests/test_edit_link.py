"""The "suggest a change" link of mission and association pages (site.yaml `repository`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from tests.conftest import TODAY

EDIT = "https://github.com/example/board/edit/main/content/"


def edit_links(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return [part.split('"', 1)[0] for part in text.split('href="')[1:]
            if part.startswith("https://github.com/example/board/edit/")]


@pytest.mark.parametrize(("page", "source"), [
    ("missions/maths/index.html", "missions/maths.md"),
    ("en/missions/ecoute/index.html", "missions/ecoute.en.md"),
    ("en/missions/maths/index.html", None),  # no English version: no English page
    ("associations/lien/index.html", "associations/lien.md"),
    ("en/associations/lien/index.html", "associations/lien.md"),
])
def test_pages_link_to_their_file_in_the_web_editor(small_site: Path, page: str,
                                                    source: str | None) -> None:
    path = small_site / page
    if source is None:
        assert not path.exists()
        return
    assert edit_links(path) == [EDIT + source]


def test_the_link_does_not_depend_on_where_the_build_runs(
    board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = tmp_path / "site"
    build(BuildOptions(content=board.resolve(), out=out, today=TODAY))
    assert edit_links(out / "missions" / "maths" / "index.html") == [EDIT + "missions/maths.md"]


def test_no_repository_no_link(board: Path, tmp_path: Path) -> None:
    site = board / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        'repository: "https://github.com/example/board"\n', ""), encoding="utf-8")
    out = tmp_path / "site"
    build(BuildOptions(content=board, out=out, today=TODAY))
    text = (out / "missions" / "maths" / "index.html").read_text(encoding="utf-8")
    assert "edit-link" not in text and "/edit/" not in text
