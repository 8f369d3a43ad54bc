"""Reading front matter: YAML 1.2 values, positions of fields, and the body."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from generator.errors import Problem
from generator.frontmatter import Document, read_document


def read(text: str) -> Document:
    doc = read_document("x.md", text)
    assert isinstance(doc, Document), doc
    return doc


@pytest.mark.parametrize(
    ("written", "value"),
    [
        pytest.param("no", "no", id="no-is-text"),
        pytest.param("yes", "yes", id="yes-is-text"),
        pytest.param("NO", "NO", id="NO-is-text"),
        pytest.param("on", "on", id="on-is-text"),
        pytest.param("true", True, id="true"),
        pytest.param("False", False, id="False"),
        pytest.param("~", None, id="tilde-is-null"),
        pytest.param("null", None, id="null"),
        pytest.param("", None, id="nothing-is-null"),
        pytest.param("0755", 755, id="leading-zero-is-decimal"),
        pytest.param("0o17", 15, id="octal"),
        pytest.param("0x1F", 31, id="hexadecimal"),
        pytest.param("+1", 1, id="plus-sign"),
        pytest.param("1.5", 1.5, id="decimal"),
        pytest.param("-.5", -0.5, id="decimal-without-zero"),
        pytest.param("1e3", 1000.0, id="exponent"),
        pytest.param("-.inf", -math.inf, id="minus-infinity"),
        pytest.param("1_000", "1_000", id="underscores-are-text"),
        pytest.param("12:30", "12:30", id="sexagesimal-is-text"),
        pytest.param("2026-01-05", dt.date(2026, 1, 5), id="date"),
        pytest.param("2026-1-5", dt.date(2026, 1, 5), id="date-without-zeros"),
        pytest.param('"2026-01-05"', "2026-01-05", id="quoted-date-is-text"),
        pytest.param("2026-01-05T10:00:00", "2026-01-05T10:00:00", id="timestamp-is-text"),
    ],
)
def test_yaml_1_2_values(written: str, value: object) -> None:
    doc = read(f"---\nvalue: {written}\n---\n")
    assert doc.data["value"] == value
    assert type(doc.data["value"]) is type(value)


def test_not_a_number_is_read() -> None:
    assert math.isnan(read("---\nvalue: .nan\n---\n").data["value"])


def test_positions_are_file_lines_and_columns() -> None:
    doc = read("---\ntitle: Trier\nlocation:\n  city: Lyon\ncategories: [a, b]\n---\nTexte.\n")
    assert doc.where(("title",)) == (2, 1)
    assert doc.where(("location", "city")) == (4, 3)
    assert doc.where(("categories", 1)) == (5, 17)
    assert doc.where(("location", "postal_code")) == (3, 1)  # missing: its parent
    assert doc.scalars[("location", "city")] == "Lyon"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("---\ntitle: Trier\n---\nLigne 1\nLigne 2\n", id="lf"),
        pytest.param("\ufeff---\r\ntitle: Trier\r\n---\r\nLigne 1\r\nLigne 2\r\n", id="bom-crlf"),
        pytest.param("---\rtitle: Trier\r---\rLigne 1\rLigne 2\r", id="cr"),
        pytest.param("---  \ntitle: Trier\n...\nLigne 1\nLigne 2\n", id="dots-close"),
    ],
)
def test_body_and_its_first_line(text: str) -> None:
    doc = read(text)
    assert doc.data == {"title": "Trier"}
    assert doc.body == "Ligne 1\nLigne 2\n"
    assert doc.body_line == 4


def test_problems_are_returned_not_raised() -> None:
    problems = read_document("x.md", "---\na: &x 1\nb: *x\nc: !!set {d}\nc: 2\n---\n")
    assert problems == [
        Problem("x.md", 3, 1, "b: YAML aliases (&anchor / *alias) are not allowed (write the "
                "value out in full)"),
        Problem("x.md", 4, 4, "c: the YAML tag '!!set' is not allowed (remove it and write a "
                "plain value)"),
        Problem("x.md", 5, 1, "c: duplicate field (already given on line 4; keep only one)"),
    ]
