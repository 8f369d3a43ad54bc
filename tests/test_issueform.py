"""`missions from-issue` and the issue form: strangers' answers in, a valid mission out.

Bodies are written the way GitHub renders issue-form answers (`### Label`, a blank line,
the answer; `_No response_` for an empty one), hostile text included.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.board import read_board
from generator.build import load_site
from generator.cli import main
from generator.frontmatter import Document, read_yaml_file
from generator.issueform import FIELDS, mission_from_issue, parse_issue_body
from tests.conftest import FIXTURE_BOARD

TODAY = "2026-11-30"
HOSTILE_TITLE = 'Cours: "maths" </script> $(rm -rf /) `id` #1 @admin'
HOSTILE_SUMMARY = "Résumé: 'quotes', \"double\", ${{ github.token }} & no: yes"
HOSTILE_BODY = (
    "## La mission\n\n"
    "### Ville\n\n"  # a heading of the answer that is also a question's label
    "Texte avec `backticks`, $(rm -rf /) et </script><script>alert(1)</script>.\n\n"
    "```sh\nrm -rf / # --- not a fence\n```\n\n"
    "---\n\n"
    "title: not a field\n"
)


def issue_body(**answers: str) -> str:
    """An issue body as GitHub renders the form's answers (French labels)."""
    sections = []
    for field in FIELDS:
        if field.type == "checkboxes":
            value = "- [X] L'association est d'accord."
        else:
            value = answers.get(field.key, "_No response_")
        sections.append(f"### {field.labels[0]}\n\n{value}")
    return "\n\n".join(sections) + "\n"


GOOD = {
    "title": HOSTILE_TITLE,
    "association": "Le Lien",
    "summary": HOSTILE_SUMMARY,
    "categories": "Bâtiment, industrie, logistique, Solidarité et insertion",
    "skills": "Écoute",
    "remote": "Sur place",
    "city": "Lyon",
    "postal_code": "69003",
    "hours": "1,5",
    "per": "par mois",
    "deadline": "31/03/2027",
    "places": "3",
    "apply": "benevoles@lien.example.org",
    "body": HOSTILE_BODY,
}


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def test_answers_are_read_by_question() -> None:
    answers = parse_issue_body(issue_body(**GOOD).replace("\n", "\r\n"))
    assert answers == {**GOOD, "body": HOSTILE_BODY.rstrip("\n")}


def test_empty_answers_are_left_out() -> None:
    answers = parse_issue_body(issue_body(title="Trier des livres"))
    assert answers == {"title": "Trier des livres"}


def test_english_labels_are_read_too() -> None:
    body = "### Title of the mission\n\nSort books\n\n### Number of hours\n\n2\n"
    assert parse_issue_body(body) == {"title": "Sort books", "hours": "2"}


def test_hostile_issue_round_trips_to_a_valid_mission(board: Path) -> None:
    new = mission_from_issue(read_board(board), issue_body(**GOOD), dt.date(2026, 11, 30))
    assert new.problems == ()
    assert new.path.name == "cours-maths-script-rm-rf-id-1-admin.md"
    new.path.write_text(new.text, encoding="utf-8")
    site = load_site(board)
    mission = next(m for m in site.missions if m.slug == new.path.stem)
    assert mission.title == HOSTILE_TITLE
    assert mission.summary == HOSTILE_SUMMARY
    assert mission.body.strip("\n") == HOSTILE_BODY.rstrip("\n")
    assert mission.association == "lien"
    assert mission.categories == ("batiment-industrie-logistique", "solidarite-insertion")
    assert mission.skills == ("ecoute",)
    assert mission.remote == "no"
    assert mission.location is not None and mission.location.postal_code == "69003"
    assert (mission.commitment.hours, mission.commitment.per) == (1.5, "month")
    assert mission.deadline == dt.date(2027, 3, 31)
    assert mission.posted == dt.date(2026, 11, 30)
    assert mission.places == 3
    assert mission.apply.kind == "email"


def test_cli_writes_the_file_and_prints_its_path(board: Path, tmp_path: Path) -> None:
    body = tmp_path / "issue.md"
    body.write_text(issue_body(**GOOD), encoding="utf-8")
    result = run("from-issue", str(body), "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert result.output == "content/missions/cours-maths-script-rm-rf-id-1-admin.md\n"
    assert run("check").exit_code == 0


def test_cli_reads_standard_input_and_never_overwrites(board: Path) -> None:
    first = run("from-issue", "-", "--today", TODAY, input=issue_body(**GOOD))
    second = run("from-issue", "-", "--today", TODAY, "--slug", "ecoute",
                 input=issue_body(**GOOD))
    assert first.exit_code == 0, first.output
    assert second.exit_code == 1
    assert "content/missions/ecoute.md already exists" in second.output
    assert (board / "missions" / "ecoute.md").read_text(encoding="utf-8") == (
        FIXTURE_BOARD / "missions" / "ecoute.md").read_text(encoding="utf-8")


def test_problems_become_a_comment_under_the_questions(board: Path) -> None:
    answers = {**GOOD, "hours": "beaucoup", "deadline": "bientôt", "city": "",
               "title": "@admin </b>"}
    result = run("from-issue", "-", "--today", TODAY, "--format", "markdown", "--lang", "fr",
                 input=issue_body(**answers))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        ("La mission n'a pas pu être préparée. Corrigez ces points en modifiant la description "
        "de l'issue (menu « ··· », puis « Edit »), puis prévenez un·e responsable :"),
        "",
        "- **Ville** : champ obligatoire absent (ajoutez 'city: Lyon')",
        ("- **Nombre d'heures** : on attend un nombre, mais on trouve 'beaucoup' (écrivez des "
        "chiffres, par exemple hours: 2)"),
        ("- **Date limite pour candidater** : on attend une date, mais on trouve 'bientôt' "
        "(écrivez-la AAAA-MM-JJ, par exemple deadline: 2026-01-31)"),
    ]
    assert list((board / "missions").glob("admin*")) == []


def test_markdown_comment_shows_strangers_text_as_text(board: Path) -> None:
    answers = {**GOOD, "association": "@admin [x](javascript:alert(1)) <img src=x>"}
    result = run("from-issue", "-", "--today", TODAY, "--format", "markdown", "--lang", "en",
                 input=issue_body(**answers))
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines()
                if "association" in line.lower() and line.startswith("- "))
    assert "&#64;admin" in line and "\\[x\\]" in line and "&lt;img src=x&gt;" in line
    assert "@admin" not in line and "<img" not in line


def test_text_format_reports_problems_like_check(board: Path) -> None:
    result = run("from-issue", "-", "--today", TODAY, input=issue_body(**{**GOOD, "per": "an"}))
    assert result.exit_code == 1
    assert "commitment.per: 'an' is not allowed (use one of: week, month, mission" in result.output


@pytest.mark.parametrize("hours", ["2", "2,5", "2.5", "3 h", "4 heures"])
def test_hours_written_the_usual_ways(board: Path, hours: str) -> None:
    new = mission_from_issue(read_board(board), issue_body(**{**GOOD, "hours": hours}),
                             dt.date(2026, 11, 30))
    assert new.problems == ()


# --- The form itself ------------------------------------------------------------------------


def test_issue_form_command_writes_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "mission.yml"
    args = ["issue-form", "--content", str(FIXTURE_BOARD), "--out", str(out)]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert run(*args, "--check").exit_code == 0
    form = read_yaml_file("mission.yml", out.read_text(encoding="utf-8"))
    assert isinstance(form, Document)
    fields = {entry.get("id"): entry for entry in form.data["body"]}
    assert fields["categories"]["attributes"]["multiple"] is True
    assert "Bâtiment, industrie, logistique" in fields["categories"]["attributes"]["options"]
    assert fields["remote"]["attributes"]["options"] == [
        "Entièrement à distance", "En partie à distance", "Sur place"]
    assert fields["title"]["validations"] == {"required": True}
    out.write_text("name: old\n", encoding="utf-8")
    assert run(*args, "--check").exit_code == 1


def test_every_form_label_reads_back_to_its_field(board: Path) -> None:
    """Whatever the form lists, the answer is understood (labels of every dropdown)."""
    form = read_yaml_file("m.yml", (Path(__file__).resolve().parent.parent / ".github" /
                                   "ISSUE_TEMPLATE" / "mission.yml").read_text())
    assert isinstance(form, Document)
    options = {e["id"]: e["attributes"].get("options", []) for e in form.data["body"]
               if e.get("id") in ("categories", "skills", "remote", "per")}
    answers = {**GOOD, **{key: ", ".join(values) if key in ("categories", "skills")
                          else values[-1] for key, values in options.items()}}
    answers["categories"] = ", ".join(options["categories"][:3])
    answers["skills"] = ", ".join(options["skills"][:8])
    new = mission_from_issue(read_board(board), issue_body(**answers), dt.date(2026, 11, 30))
    assert new.problems == ()
