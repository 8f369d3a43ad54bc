"""`missions schema`: JSON Schemas of front matter, generated from what validation uses.

The committed files must match the generator; the schemas must accept every file of the
example board and reject the invalid fixtures of tests/test_check.py that a schema can
express (types, choices, lengths, required fields, unknown fields, URL and email shapes).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator, Draft202012Validator

from generator.board import load_config, read_board
from generator.cli import main
from generator.frontmatter import Document, read_document
from generator.schema import FILES, schema_files
from generator.validate import ASSOCIATION_KEYS, MISSION_KEYS
from tests import test_check
from tests.conftest import EXAMPLE_CONTENT, FIXTURE_BOARD, ROOT

COMMITTED = ROOT / "schema"


def generated(content: Path, dialect: str = "2020-12") -> dict[str, Any]:
    config, vocabulary = load_config(read_board(content))
    return {name: json.loads(text)
            for name, text in schema_files(config, vocabulary, dialect).items()}  # type: ignore[arg-type]


def as_json(value: Any) -> Any:
    """Front matter as a YAML-to-JSON tool sees it: dates are strings."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def front_matter(path: Path) -> dict[str, Any]:
    doc = read_document(str(path), path.read_text(encoding="utf-8"))
    assert isinstance(doc, Document), doc
    return as_json(dict(doc.data))  # type: ignore[no-any-return]


def default_language_files(content: Path, folder: str) -> list[Path]:
    return [p for p in sorted((content / folder).glob("*.md")) if p.name.count(".") == 1]


@pytest.fixture(scope="module")
def example_schemas() -> dict[str, Any]:
    return generated(EXAMPLE_CONTENT)


def test_committed_schemas_are_up_to_date() -> None:
    config, vocabulary = load_config(read_board(EXAMPLE_CONTENT))
    for name, text in schema_files(config, vocabulary).items():
        committed = COMMITTED / name
        assert committed.is_file(), f"{committed} is missing: run `missions schema`"
        assert committed.read_text(encoding="utf-8") == text, (
            f"{committed} is outdated: run `missions schema`"
        )


def test_schemas_are_valid_draft_2020_12(example_schemas: dict[str, Any]) -> None:
    for schema in example_schemas.values():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)


def test_schemas_list_exactly_the_fields_validation_knows(
    example_schemas: dict[str, Any]
) -> None:
    assert list(example_schemas["mission.schema.json"]["properties"]) == list(MISSION_KEYS)
    assert list(example_schemas["association.schema.json"]["properties"]) == list(
        ASSOCIATION_KEYS
    )


def test_choices_come_from_the_vocabulary_and_site_settings(
    example_schemas: dict[str, Any]
) -> None:
    definitions = example_schemas["mission.schema.json"]["$defs"]
    assert "numerique" in definitions["category"]["enum"]
    assert "traduction" in definitions["skill"]["enum"]
    assert definitions["skill"]["enumDescriptions"][
        definitions["skill"]["enum"].index("traduction")] == "Traduction"
    form = Draft202012Validator({"$ref": "#/$defs/apply", "$defs": definitions})
    assert form.is_valid({"form": "https://formspree.io/f/abcd"})
    assert not form.is_valid({"form": "https://forms.example.org/f/abcd"})


@pytest.mark.parametrize("content", [EXAMPLE_CONTENT, FIXTURE_BOARD], ids=["example", "fixture"])
def test_schemas_accept_every_file_of_the_boards(content: Path) -> None:
    schemas = generated(content)
    for folder, name in (("missions", "mission.schema.json"),
                         ("associations", "association.schema.json")):
        validator = Draft202012Validator(schemas[name])
        files = default_language_files(content, folder)
        assert files
        for path in files:
            errors = [e.message for e in validator.iter_errors(front_matter(path))]
            assert errors == [], f"{path.name}: {errors}"


# Cases of tests/test_check.py whose problem a schema can see in the file itself. The
# others need the whole board (unknown association, no way to apply), compare two fields
# (deadline before posted), fail before there is data (YAML syntax, file names), or tell
# a date from text, which JSON cannot (`title: 2026-11-01`, `posted: "2026-11-01"`).
REJECTED = (
    "missing-title", "missing-association", "missing-summary", "missing-categories",
    "missing-remote", "missing-commitment", "missing-posted", "empty-title",
    "unknown-field-did-you-mean", "title-too-short", "title-too-long", "summary-too-long",
    "bidi-override-in-title", "unknown-category",
    "unknown-skill", "more-than-3-categories", "unknown-language-code", "remote-maybe",
    "remote-wrong-case", "location-missing-when-not-remote", "postal-code-unquoted",
    "hours-zero", "hours-negative", "hours-text", "per-year", "places-zero",
    "apply-two-routes", "apply-form-host-not-allowed", "apply-form-http",
    "apply-url-javascript", "apply-url-javascript-mixed-case", "apply-email-malformed",
    "apply-email-with-bcc", "image-without-alt", "boolean-yes",
    "zero-width-space-in-association-name", "rna-wrong-format", "association-website-http",
    "association-summary-missing",
)
CASES = {case.id: case.values[0] for case in test_check.CASES}


@pytest.mark.parametrize("case", REJECTED)
def test_schemas_reject_the_invalid_fixtures(case: str, tmp_path: Path) -> None:
    assert case in CASES, f"tests/test_check.py has no case {case!r} any more"
    files = CASES[case]
    schemas = generated(FIXTURE_BOARD)
    verdicts = []
    for name, text in files.items():
        folder, _, filename = name.partition("/")
        if filename.count(".") != 1 or not isinstance(text, str):
            continue  # translations need only some fields; the schema is for default files
        path = tmp_path / filename
        path.write_text(text, encoding="utf-8")
        schema = schemas["mission.schema.json" if folder == "missions"
                         else "association.schema.json"]
        verdicts.append(Draft202012Validator(schema).is_valid(front_matter(path)))
    assert verdicts and not all(verdicts)


def test_draft_07_variant_says_the_same(tmp_path: Path) -> None:
    schemas = generated(FIXTURE_BOARD, "draft-07")
    mission = schemas["mission.schema.json"]
    assert mission["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "definitions" in mission and "$defs" not in mission
    Draft7Validator.check_schema(mission)
    validator = Draft7Validator(mission)
    assert validator.is_valid(front_matter(FIXTURE_BOARD / "missions" / "maths.md"))
    broken = tmp_path / "x.md"
    broken.write_text(test_check.mission(image='"https://example.org/a.png"'), encoding="utf-8")
    assert not validator.is_valid(front_matter(broken))  # image without image_alt


def test_cli_writes_and_checks_the_files(tmp_path: Path) -> None:
    out = tmp_path / "schema"
    result = CliRunner().invoke(main, ["schema", "--content", str(FIXTURE_BOARD),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 2 of 2 schema files in {out}.\n"
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    check = ["schema", "--content", str(FIXTURE_BOARD), "--out", str(out), "--check"]
    assert CliRunner().invoke(main, check).exit_code == 0
    (out / "mission.schema.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, check)
    assert result.exit_code == 1
    assert "mission.schema.json is missing or outdated: run `missions schema`" in result.output


def test_cli_refuses_a_board_with_broken_settings(board: Path) -> None:
    (board / "site.yaml").write_text("title: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["schema", "--out", "schema"])
    assert result.exit_code == 1
    assert result.stdout.startswith("content/site.yaml:")
    assert not Path("schema").exists()
