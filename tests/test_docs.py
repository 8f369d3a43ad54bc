"""Docs kept honest: every front-matter field and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from generator.cli import main
from generator.validate import ASSOCIATION_KEYS, MISSION_KEYS, SITE_KEYS
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
ALL_DOCS = "\n".join(path.read_text(encoding="utf-8") for path in DOCS)
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "missions") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            names += commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


@pytest.mark.parametrize("field", sorted({*MISSION_KEYS, *ASSOCIATION_KEYS, *SITE_KEYS}))
def test_every_field_is_documented(field: str) -> None:
    assert f"`{field}`" in ALL_DOCS, f"front-matter field `{field}` is not documented"


@pytest.mark.parametrize("field", MISSION_KEYS + ASSOCIATION_KEYS)
def test_contributing_shows_every_field_with_an_example_in_both_languages(field: str) -> None:
    rows = [line.split("|") for line in CONTRIBUTING.splitlines()
            if line.startswith("| `") and f"`{field}`" in line.split("|")[1]]
    assert len(rows) >= 2, f"`{field}` needs a row in the French and the English tables"
    for row in rows:
        assert f"{field}: " in row[3], f"the row of `{field}` has no example: {row[3]}"


@pytest.mark.parametrize("command", commands(main))
def test_every_command_is_documented(command: str) -> None:
    assert f"`{command}" in ALL_DOCS, f"`{command}` is not documented"


def test_the_command_list_is_walked() -> None:
    found = commands(main)
    assert "missions check" in found and "missions new mission" in found


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_relative_links_resolve(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", text):
        assert (doc.parent / target).exists(), f"{doc.name}: broken link to {target}"
