"""`missions report`: open missions that close soon or look forgotten, for maintainers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.build import load_site
from generator.cli import main
from generator.errors import ConfigError
from generator.report import Duration, report

# The test board on 2027-01-20: site-web closes on 2027-01-31 and was posted on
# 2026-09-20; maths (no deadline) was posted on 2026-10-15; inventaire is closed;
# ecoute was posted on 2026-11-01 and closes on 2027-03-31.
TODAY = "2027-01-20"
SITE_WEB = "content/missions/site-web.md"
MATHS = "content/missions/maths.md"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["report", "--today", TODAY, "--expiring", "14d",
                                     "--stale", "3m", *args])


@pytest.mark.parametrize(("text", "day", "back", "forward"), [
    ("14d", dt.date(2027, 1, 20), dt.date(2027, 1, 6), dt.date(2027, 2, 3)),
    ("2w", dt.date(2027, 1, 20), dt.date(2027, 1, 6), dt.date(2027, 2, 3)),
    ("6m", dt.date(2026, 8, 31), dt.date(2026, 2, 28), dt.date(2027, 2, 28)),
    ("1y", dt.date(2028, 2, 29), dt.date(2027, 2, 28), dt.date(2029, 2, 28)),
])
def test_durations(text: str, day: dt.date, back: dt.date, forward: dt.date) -> None:
    duration = Duration.parse(text)
    assert str(duration) == text
    assert duration.shift(day, -1) == back
    assert duration.shift(day, 1) == forward


@pytest.mark.parametrize("text", ["14", "d", "6 months", "-3d", "1.5m"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="is not a duration"):
        Duration.parse(text)


def test_report_finds_expiring_and_stale_missions(board: Path) -> None:
    result = report(load_site(board), dt.date(2027, 1, 20), Duration(14, "d"), Duration(3, "m"))
    assert [(f.mission.slug, f.date) for f in result.expiring] == [
        ("site-web", dt.date(2027, 1, 31))]
    assert [(f.mission.slug, f.reason) for f in result.stale] == [
        ("site-web", "stale"), ("maths", "stale")]


def test_closed_draft_and_translated_versions_are_left_out(board: Path) -> None:
    site = load_site(board)
    result = report(site, dt.date(2027, 4, 1), Duration(1, "y"), Duration(1, "d"))
    slugs = [f.mission.slug for f in (*result.expiring, *result.stale)]
    assert "inventaire" not in slugs and "ecoute" not in slugs  # closed on that day
    assert all(f.mission.lang == "fr" for f in (*result.expiring, *result.stale))


def test_a_past_end_date_makes_a_mission_stale(board: Path) -> None:
    path = board / "missions" / "ecoute.md"
    path.write_text(path.read_text().replace("places: 5", "places: 5\nend: 2027-01-10"))
    result = report(load_site(board), dt.date(2027, 1, 20), Duration(14, "d"), Duration(1, "y"))
    assert [(f.mission.slug, f.reason, f.date) for f in result.stale] == [
        ("ecoute", "ended", dt.date(2027, 1, 10))]


def test_text_format(board: Path) -> None:
    result = run()
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Missions closing within 14 days (deadline by 2027-02-03):\n"
        f"  {SITE_WEB}: Refaire le site web (Savoirs Partagés), closes on 2027-01-31 "
        "(in 11 days)\n"
        "\n"
        "Missions still open, posted more than 3 months ago (before 2026-10-20) or past "
        "their end date:\n"
        f"  {SITE_WEB}: Refaire le site web (Savoirs Partagés), posted on 2026-09-20\n"
        f"  {MATHS}: Soutien en maths au collège (Savoirs Partagés), posted on 2026-10-15\n"
        "\n"
        "Extend the deadline, set a new one, or remove the mission if it is filled.\n"
    )


def test_markdown_format_in_french_for_an_issue(board: Path) -> None:
    result = run("--format", "markdown", "--lang", "fr")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == ("## Missions qui ferment d'ici 14 jours (date limite au plus tard le "
                        "2027-02-03)")
    assert lines[2] == (
        "- [Refaire le site web](https://example.org/board/missions/site-web/) — Savoirs "
        f"Partagés — ferme le 2027-01-31 (dans 11 jours) (`{SITE_WEB}`)"
    )
    items = [line for line in lines if line.startswith("- ")]
    assert len(items) == 3


def test_markdown_titles_cannot_format_or_mention(board: Path) -> None:
    path = board / "missions" / "maths.md"
    path.write_text(path.read_text().replace(
        'title: "Soutien en maths au collège"', 'title: "[Maths](https://evil) @team *x*"'))
    result = run("--format", "markdown")
    assert "- [\\[Maths\\](https://evil) &#64;team \\*x\\*](https://example.org/board/" \
        "missions/maths/)" in result.output


def test_github_format_annotates_the_files(board: Path) -> None:
    result = run("--format", "github")
    assert result.output.splitlines() == [
        (f"::warning file={SITE_WEB},line=1::Refaire le site web: closes on 2027-01-31 "
        "(in 11 days)"),
        f"::warning file={SITE_WEB},line=1::Refaire le site web: posted on 2026-09-20",
        f"::warning file={MATHS},line=1::Soutien en maths au collège: posted on 2026-10-15",
    ]


def test_nothing_to_report(board: Path) -> None:
    result = CliRunner().invoke(main, ["report", "--today", "2026-11-20", "--format",
                                       "markdown"])
    assert result.exit_code == 0
    assert result.output == (
        "Nothing to report: no mission closes within 14 days or looks stale.\n"
    )
    assert not any(line.startswith("- ") for line in result.output.splitlines())


def test_deadline_today_is_still_open(board: Path) -> None:
    result = CliRunner().invoke(main, ["report", "--today", "2027-01-31"])
    assert "closes on 2027-01-31 (today)" in result.output


def test_default_language_is_the_boards(board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MISSIONS_LANG")
    assert run().output.startswith("Missions qui ferment d'ici 14 jours")


def test_a_broken_board_is_reported_not_summarised(board: Path) -> None:
    (board / "missions" / "maths.md").write_text("---\ntitle: x\n---\n")
    result = run()
    assert result.exit_code == 1
    assert "content/missions/maths.md:1:1: association: required field is missing" in (
        result.output)


def test_bad_duration_is_a_usage_error(board: Path) -> None:
    result = CliRunner().invoke(main, ["report", "--stale", "6x"])
    assert result.exit_code == 2
    assert "'6x' is not a duration" in result.output
