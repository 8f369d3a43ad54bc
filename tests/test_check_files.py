"""`missions check FILE…`: a pull request's files, checked against the whole board.

Only the problems of the given files are reported, with the board-level problems they
cause (a mission naming an association the change removes, broken settings); messages
are in French or English.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main

MATHS = "content/missions/maths.md"
ECOUTE = "content/missions/ecoute.md"
SAVOIRS = "content/associations/savoirs.md"


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args])


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def two_broken(board: Path) -> Path:
    """maths.md misspells a skill; inventaire.md has a number for a title."""
    replace(board / "missions" / "maths.md", "[soutien-scolaire]", "[soutien-scolair]")
    replace(board / "missions" / "inventaire.md", 'title: "Inventaire de la bibliothèque"',
            "title: 12")
    return board


def test_only_the_given_files_problems_are_reported(two_broken: Path) -> None:
    result = check(MATHS)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{MATHS}:6:10: skills[0]: unknown skill 'soutien-scolair' (did you mean "
        "'soutien-scolaire'?)\n"
    )
    assert result.stderr == (
        "1 problem in 1 file; nothing was written.\n"
        "(1 problem in other files not shown: run `missions check` to see them)\n"
    )


def test_a_clean_file_passes_even_when_others_are_broken(two_broken: Path) -> None:
    result = check(ECOUTE)
    assert result.exit_code == 0
    assert result.stdout == "OK: 1 file checked against the whole board, no problems.\n"
    assert "2 problems in other files not shown" in result.stderr


def test_removing_an_association_reports_the_missions_naming_it(board: Path) -> None:
    (board / "associations" / "savoirs.md").unlink()
    result = check(SAVOIRS)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        (f"{MATHS}:3:1: association: unknown association 'savoirs' (add "
        "content/associations/savoirs.md or fix the name)"),
        ("content/missions/site-web.md:3:1: association: unknown association 'savoirs' (add "
        "content/associations/savoirs.md or fix the name)"),
    ]
    assert result.stderr.startswith(f"{SAVOIRS} does not exist: checked as removed\n")


def test_an_association_answers_for_its_default_way_to_apply(board: Path) -> None:
    replace(board / "associations" / "savoirs.md",
            'apply:\n  form: "https://formspree.io/f/xyzzy"\n', "")
    result = check(SAVOIRS)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{MATHS}:1:1: apply: no way to apply")


def test_removing_a_default_file_reports_its_translation(board: Path) -> None:
    (board / "missions" / "ecoute.md").unlink()
    result = check(ECOUTE)
    assert result.exit_code == 1
    assert result.stdout == (
        "content/missions/ecoute.en.md:1:1: this translation has no default-language file "
        "(add ecoute.md beside it, or rename this file ecoute.md)\n"
    )


def test_settings_answer_for_the_whole_board(two_broken: Path) -> None:
    result = check("content/vocabulary.yaml")
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 2
    assert "not shown" not in result.stderr


def test_broken_settings_are_always_reported(board: Path) -> None:
    replace(board / "site.yaml", "country: FR", "country: France")
    result = check(ECOUTE)
    assert result.exit_code == 1
    assert result.stdout.startswith("content/site.yaml:")


def test_a_file_outside_the_board_is_a_usage_error(board: Path) -> None:
    Path("README.md").write_text("hello", encoding="utf-8")
    result = check("README.md")
    assert result.exit_code == 2
    assert result.output == (
        "Error: README.md is not a file of the board content (give missions/*.md, "
        "associations/*.md, site.yaml or vocabulary.yaml)\n"
    )


def test_github_format_for_given_files(two_broken: Path) -> None:
    result = check("--format", "github", "--", MATHS)
    assert result.exit_code == 1
    assert result.stdout == (
        f"::error file={MATHS},line=6,col=10::skills[0]: unknown skill 'soutien-scolair' "
        "(did you mean 'soutien-scolaire'?)\n"
    )
    assert result.stderr == ""


def test_json_format_for_a_clean_file(two_broken: Path) -> None:
    result = check("--format", "json", ECOUTE)
    assert (result.exit_code, result.stdout) == (0, "[]\n")


# --- Languages --------------------------------------------------------------------------------


def test_messages_in_french(two_broken: Path) -> None:
    result = check("--lang", "fr", MATHS)
    assert result.stdout == (
        f"{MATHS}:6:10: skills[0]: compétence inconnue 'soutien-scolair' (vouliez-vous dire "
        "'soutien-scolaire' ?)\n"
    )
    assert result.stderr == (
        "1 problème dans 1 fichier ; rien n'a été écrit.\n"
        "(1 problème dans d'autres fichiers non montrés : lancez `missions check` pour les "
        "voir)\n"
    )


def test_french_annotations_for_pull_requests(two_broken: Path) -> None:
    result = check("--lang", "fr", "--format", "github")
    assert result.stdout.splitlines() == [
        ("::error file=content/missions/inventaire.md,line=2,col=1::title: on attend du texte, "
        "mais on trouve le nombre 12 (mettez-le entre guillemets : title: \"12\")"),
        (f"::error file={MATHS},line=6,col=10::skills[0]: compétence inconnue "
        "'soutien-scolair' (vouliez-vous dire 'soutien-scolaire' ?)"),
    ]


def test_the_default_language_is_the_boards_first(two_broken: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MISSIONS_LANG")
    assert "compétence inconnue" in check(MATHS).stdout
    replace(two_broken / "site.yaml", "languages: [fr, en]", "languages: [en, fr]")
    assert "unknown skill" in check(MATHS).stdout


def test_english_output_is_unchanged_by_the_language_option(two_broken: Path) -> None:
    english = check("--lang", "en")
    default = check()
    assert (english.stdout, english.stderr) == (default.stdout, default.stderr)
    assert default.stdout.splitlines()[1].endswith(
        "unknown skill 'soutien-scolair' (did you mean 'soutien-scolaire'?)")


def test_valid_board_in_french(board: Path) -> None:
    result = check("--lang", "fr")
    assert result.stdout == "OK : 4 missions et 2 associations, aucun problème.\n"
