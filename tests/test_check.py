"""`missions check`: every way a content file can be wrong, and the exact problem reported.

Each case writes one or two files into a copy of the small valid test board (the
`board` fixture, at tmp/content with tmp as the working directory), runs
`missions check`, and expects every problem as `path:line:col: message`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.build import load_site
from generator.cli import main

EXAMPLE_CONTENT = Path(__file__).resolve().parent.parent / "content"

# A valid mission, one field per line. Line numbers in the file:
#   1  ---
#   2  title: "Trier des livres"
#   3  association: lien
#   4  summary: "Trier les livres donnés à l'association."
#   5  categories: [culture-loisirs]
#   6  remote: full
#   7  commitment: {hours: 2, per: week}
#   8  posted: 2026-11-01
#   9  (fields added by a case, in the order given; then ---, then the text)
BASE_MISSION = {
    "title": '"Trier des livres"',
    "association": "lien",
    "summary": '"Trier les livres donnés à l\'association."',
    "categories": "[culture-loisirs]",
    "remote": "full",
    "commitment": "{hours: 2, per: week}",
    "posted": "2026-11-01",
}

# A valid association (without a way to apply). Line 2: name, line 3: summary, then additions.
BASE_ASSOCIATION = {
    "name": '"Les Amis du Livre"',
    "summary": '"Des livres pour tout le monde."',
}


def front_matter(base: dict[str, str], changes: dict[str, str | None]) -> str:
    """A content file: `base` with fields replaced (in place), removed (None) or added."""
    fields = dict(base)
    for key, value in changes.items():
        if value is None:
            del fields[key]
        else:
            fields[key] = value
    lines = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"---\n{lines}---\nTexte.\n"


def mission(**changes: str | None) -> str:
    return front_matter(BASE_MISSION, changes)


def association(**changes: str | None) -> str:
    return front_matter(BASE_ASSOCIATION, changes)


@dataclass(frozen=True)
class Link:
    """A symbolic link to another file of the same folder."""

    target: str


def write(content: Path, files: dict[str, str | bytes | Link]) -> None:
    for name, data in files.items():
        path = content / name
        if isinstance(data, Link):
            path.symlink_to(data.target)
        elif isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args])


X = "content/missions/x.md"
A = "content/associations/amis.md"
TITLE_121 = "a" * 121
SUMMARY_201 = "s" * 201
ECOUTE_EN = "missions/ecoute.en.md"
FIXTURE_BOARD = Path(__file__).resolve().parent / "fixtures" / "board"


def fixture(name: str, old: str, new: str) -> str:
    """A file of the test board with one piece of text replaced."""
    text = (FIXTURE_BOARD / name).read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


def oversized() -> bytes:
    """A valid mission padded to one byte over 256 KB."""
    data = mission().encode()
    return data + b"a" * (256 * 1024 + 1 - len(data))


CASES = [
    # --- the file as a whole -------------------------------------------------------------
    pytest.param(
        {"missions/x.md": "title: Trier\n"},
        [(f"{X}:1:1: no front matter found (the file must start with a line '---', then the "
          "fields (title: ...), then a line '---' before the text)")],
        id="missing-front-matter",
    ),
    pytest.param(
        {"missions/x.md": '---\ntitle: "Trier des livres"\nassociation: lien\n'},
        [f"{X}:1:1: the front matter is not closed (add a line '---' after the last field)"],
        id="unclosed-front-matter",
    ),
    pytest.param(
        {"missions/x.md": "---\n# nothing yet\n---\nTexte.\n"},
        [f"{X}:1:1: no fields found (write the fields between the two '---' lines)"],
        id="empty-front-matter",
    ),
    pytest.param(
        {"missions/x.md": oversized()},
        [(f"{X}:1:1: the file is too big: 257 KB, the limit is 256 KB "
          "(shorten the text, or link to a longer document)")],
        id="file-over-256-kb",
    ),
    pytest.param(
        # é is two bytes but one column: the bad byte \xff is the 35th character of line 4.
        {"missions/x.md": mission(summary='"Trier les livres donnés @"')
         .encode().replace(b"@", b"\xff")},
        [(f"{X}:4:35: the file is not valid UTF-8: byte 0xFF here (save the file with the "
          "UTF-8 encoding)")],
        id="invalid-utf8",
    ),
    pytest.param(
        {"missions/x.md": mission().replace("Texte.", "Te\0xte.")},
        [f"{X}:10:3: the file contains a NUL character (remove it)"],
        id="nul-byte",
    ),
    pytest.param(
        {"missions/x.md": Link("ecoute.md")},
        [f"{X}:1:1: symbolic links are not allowed (replace the link by the file itself)"],
        id="symlink",
    ),
    pytest.param(
        {"missions/Mission.md": mission()},
        [("content/missions/Mission.md:1:1: invalid file name 'Mission.md' (use lowercase "
          "letters a-z, digits and single hyphens, at most 80 characters, then '.md', such as "
          "'mission.md')")],
        id="uppercase-file-name",
    ),
    pytest.param(
        {"missions/x.MD": mission()},
        [("content/missions/x.MD:1:1: content files must end with '.md' in lower case "
          "(rename it x.md)")],
        id="uppercase-extension",
    ),
    pytest.param(
        {"missions/ecoute.de.md": mission()},
        [("content/missions/ecoute.de.md:1:1: unknown language 'de' in the file name "
          "(the site languages are fr, en)")],
        id="file-name-unknown-language",
    ),
    # --- YAML syntax and the YAML 1.2 safe subset -----------------------------------------
    pytest.param(
        # Line 3 of the YAML is line 4 of the file: the front-matter offset is applied.
        {"missions/x.md": mission(summary="Trier: les livres donnés à l'association")},
        [(f"{X}:4:15: YAML syntax error: mapping values are not allowed in this context "
          "(a value that contains ': ' must be put in quotes)")],
        id="yaml-unquoted-colon",
    ),
    pytest.param(
        {"missions/x.md": mission(commitment="\n\thours: 2\n\tper: week")},
        [(f"{X}:8:1: YAML syntax error: found character that cannot start any token "
          "(use spaces, not tabs, to indent)")],
        id="yaml-tab-indent",
    ),
    pytest.param(
        # The quote opened on line 2 runs on until the next quote: the parser stops on
        # line 4, but the problem is reported where the quote was opened.
        {"missions/x.md": mission(title='"Trier des livres')},
        [(f"{X}:2:8: YAML syntax error: this quote is not closed (add the closing \" at the "
          "end of the value)")],
        id="yaml-unclosed-quote",
    ),
    pytest.param(
        {"missions/x.md": mission(remote="no", location='{city: "Lyon}')},
        [(f"{X}:9:18: YAML syntax error: this quote is not closed (add the closing \" at the "
          "end of the value)")],
        id="yaml-unclosed-quote-in-braces",
    ),
    pytest.param(
        {"missions/x.md": mission(commitment="\n  hours: 2\n per: week")},
        [(f"{X}:9:2: YAML syntax error: did not find expected key (check the indentation: "
          "the fields of one group must start in the same column)")],
        id="yaml-bad-indent",
    ),
    pytest.param(
        {"missions/x.md": mission(title='"C:\\dossier"')},
        [(f"{X}:2:11: YAML syntax error: found unknown escape character (inside double quotes "
          "a backslash starts an escape: write \\\\ or use single quotes)")],
        id="yaml-unknown-escape",
    ),
    pytest.param(
        {"missions/x.md": mission(extra='{note: "a"}\ntitle: "Autre titre"')},
        [f"{X}:10:1: title: duplicate field (already given on line 2; keep only one)"],
        id="yaml-duplicate-key",
    ),
    pytest.param(
        {"missions/x.md": mission(categories="&cats [culture-loisirs]", extra="{copy: *cats}")},
        [(f"{X}:9:9: extra.copy: YAML aliases (&anchor / *alias) are not allowed (write the "
          "value out in full)")],
        id="yaml-alias",
    ),
    pytest.param(
        {"missions/x.md": mission(title='!!python/object/apply:os.system ["echo hi"]')},
        [(f"{X}:2:8: title: the YAML tag '!!python/object/apply:os.system' is not allowed "
          "(remove it and write a plain value)")],
        id="yaml-python-tag",
    ),
    pytest.param(
        {"missions/x.md": mission(title="!!binary VHJpZXIgZGVzIGxpdnJlcw==")},
        [(f"{X}:2:8: title: the YAML tag '!!binary' is not allowed (remove it and write a "
          "plain value)")],
        id="yaml-binary-tag",
    ),
    pytest.param(
        {"missions/x.md": mission(places="!!int trois")},
        [f"{X}:9:9: places: 'trois' does not fit the YAML tag '!!int' (remove the tag)"],
        id="yaml-explicit-tag-on-wrong-value",
    ),
    pytest.param(
        # `--- # ...` is not a closing fence (text follows the dashes): it starts a second
        # YAML document inside the front matter.
        {"missions/x.md": mission(places="2\n--- # second block\ndraft: false")},
        [(f"{X}:10:1: YAML syntax error: a second YAML document starts here (only one block "
          "of fields is allowed between the two '---' lines: remove this line)")],
        id="yaml-multiple-documents",
    ),
    pytest.param(
        {"missions/x.md": mission(extra="{1: un}")},
        [(f'{X}:9:9: extra.1: a field name must be text, not a number (put the name in '
         'quotes: "1": ...)')],
        id="yaml-non-string-key",
    ),
    pytest.param(
        {"missions/x.md": "---\n- Trier des livres\n---\nTexte.\n"},
        [(f"{X}:2:1: expected 'field: value' lines at the top level (write one field per "
          "line, such as title: ...)")],
        id="yaml-top-level-list",
    ),
    pytest.param(
        {"missions/x.md": mission(posted="2026-02-30")},
        [(f"{X}:8:9: posted: '2026-02-30' is not a real date (check the day and the month, "
          "written YYYY-MM-DD)")],
        id="impossible-date",
    ),
    pytest.param(
        {"missions/x.md": mission(posted="next week")},
        [(f"{X}:8:1: posted: expected a date, found 'next week' (write it YYYY-MM-DD, such as "
          "posted: 2026-01-31)")],
        id="date-as-text",
    ),
    # --- required fields ------------------------------------------------------------------
    pytest.param(
        {"missions/x.md": mission(title=None)},
        [f"{X}:1:1: title: required field is missing (add a line 'title: \"...\"')"],
        id="missing-title",
    ),
    pytest.param(
        {"missions/x.md": mission(association=None)},
        [(f"{X}:1:1: association: required field is missing (add a line "
          "'association: my-association')")],
        id="missing-association",
    ),
    pytest.param(
        {"missions/x.md": mission(summary=None)},
        [f"{X}:1:1: summary: required field is missing (add a line 'summary: \"...\"')"],
        id="missing-summary",
    ),
    pytest.param(
        {"missions/x.md": mission(categories=None)},
        [(f"{X}:1:1: categories: required field is missing (add a line "
          "'categories: [animaux]')")],
        id="missing-categories",
    ),
    pytest.param(
        {"missions/x.md": mission(remote=None)},
        [f"{X}:1:1: remote: required field is missing (add a line 'remote: no')"],
        id="missing-remote",
    ),
    pytest.param(
        {"missions/x.md": mission(commitment=None)},
        [(f"{X}:1:1: commitment: required field is missing (add a line "
          "'commitment: {hours: 2, per: week}')")],
        id="missing-commitment",
    ),
    pytest.param(
        {"missions/x.md": mission(posted=None)},
        [f"{X}:1:1: posted: required field is missing (add a line 'posted: 2026-01-31')"],
        id="missing-posted",
    ),
    pytest.param(
        {"missions/x.md": mission(title="")},
        [(f"{X}:2:1: title: no value given (write it after 'title:', such as "
          "title: \"...\")")],
        id="empty-title",
    ),
    pytest.param(
        {"missions/x.md": mission().replace("summary:", "sumary:")},
        [f"{X}:1:1: summary: required field is missing (add a line 'summary: \"...\"')",
         f"{X}:4:1: sumary: unknown field (did you mean 'summary'?)"],
        id="unknown-field-did-you-mean",
    ),
    # --- text fields ----------------------------------------------------------------------
    pytest.param(
        {"missions/x.md": mission(title='"Tr"')},
        [f"{X}:2:1: title: too short: 2 characters (write at least 3)"],
        id="title-too-short",
    ),
    pytest.param(
        {"missions/x.md": mission(title=f'"{TITLE_121}"')},
        [f"{X}:2:1: title: too long: 121 characters (shorten it to 120 at most)"],
        id="title-too-long",
    ),
    pytest.param(
        {"missions/x.md": mission(summary=f'"{SUMMARY_201}"')},
        [f"{X}:4:1: summary: too long: 201 characters (shorten it to 200 at most)"],
        id="summary-too-long",
    ),
    pytest.param(
        {"missions/x.md": mission(title='"Trier des \u202eserviv"')},
        [(f"{X}:2:1: title: contains the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE) "
          "(retype the text without it)")],
        id="bidi-override-in-title",
    ),
    pytest.param(
        {"missions/x.md": mission(title="2026-11-01")},
        [(f'{X}:2:1: title: expected text but found the date 2026-11-01 (put it in quotes: '
         'title: "2026-11-01")')],
        id="date-where-text-expected",
    ),
    # --- vocabulary and references --------------------------------------------------------
    pytest.param(
        {"missions/x.md": mission(association="lein")},
        [f"{X}:3:1: association: unknown association 'lein' (did you mean 'lien'?)"],
        id="unknown-association",
    ),
    pytest.param(
        {"missions/x.md": mission(association="croix-verte")},
        [(f"{X}:3:1: association: unknown association 'croix-verte' (add "
          "content/associations/croix-verte.md or fix the name)")],
        id="unknown-association-no-close-match",
    ),
    pytest.param(
        {"missions/x.md": mission(categories="[educaton]")},
        [f"{X}:5:14: categories[0]: unknown category 'educaton' (did you mean 'education'?)"],
        id="unknown-category",
    ),
    pytest.param(
        {"missions/x.md": mission(skills="[tradution]")},
        [f"{X}:9:10: skills[0]: unknown skill 'tradution' (did you mean 'traduction'?)"],
        id="unknown-skill",
    ),
    pytest.param(
        {"missions/x.md": mission(categories="[education, sport, sante, animaux]")},
        [f"{X}:5:1: categories: too many categories: 4 (keep the 3 that fit best)"],
        id="more-than-3-categories",
    ),
    pytest.param(
        {"missions/x.md": mission(languages="[english]")},
        [(f"{X}:9:13: languages[0]: unknown language code 'english' (use a two-letter "
          "ISO 639-1 code, such as fr or en)")],
        id="unknown-language-code",
    ),
    # --- remote and location --------------------------------------------------------------
    pytest.param(
        {"missions/x.md": mission(remote="maybe")},
        [f"{X}:6:1: remote: 'maybe' is not allowed (use one of: no, possible, full)"],
        id="remote-maybe",
    ),
    pytest.param(
        {"missions/x.md": mission(remote="No", location="{city: Lyon}")},
        [(f"{X}:6:1: remote: 'No' is not allowed (use one of: no, possible, full; did you "
          "mean 'no'?)")],
        id="remote-wrong-case",
    ),
    pytest.param(
        {"missions/x.md": mission(remote="no")},
        [(f"{X}:1:1: location: required field is missing (add a line "
          "'location: {city: Lyon}')")],
        id="location-missing-when-not-remote",
    ),
    pytest.param(
        {"missions/x.md": mission(remote="no", location="{city: Bourg, postal_code: 01234}")},
        [(f'{X}:9:25: location.postal_code: expected text but found the number 01234 (put it '
         'in quotes: postal_code: "01234")')],
        id="postal-code-unquoted",
    ),
    # --- commitment -----------------------------------------------------------------------
    pytest.param(
        {"missions/x.md": mission(commitment="{hours: 0, per: week}")},
        [(f"{X}:7:14: commitment.hours: must be greater than 0, found 0 (write a positive "
          "number, such as hours: 2)")],
        id="hours-zero",
    ),
    pytest.param(
        {"missions/x.md": mission(commitment="{hours: -2, per: week}")},
        [(f"{X}:7:14: commitment.hours: must be greater than 0, found -2 (write a positive "
          "number, such as hours: 2)")],
        id="hours-negative",
    ),
    pytest.param(
        {"missions/x.md": mission(commitment="{hours: deux, per: week}")},
        [(f"{X}:7:14: commitment.hours: expected a number, found 'deux' (write digits, such "
          "as hours: 2)")],
        id="hours-text",
    ),
    pytest.param(
        {"missions/x.md": mission(commitment="{hours: .inf, per: week}")},
        [(f"{X}:7:14: commitment.hours: expected an ordinary number, found '.inf' (write "
          "digits, such as hours: 2)")],
        id="hours-infinite",
    ),
    pytest.param(
        {"missions/x.md": mission(commitment="{hours: 2, per: year}")},
        [(f"{X}:7:24: commitment.per: 'year' is not allowed (use one of: week, month, "
          "mission)")],
        id="per-year",
    ),
    # --- dates and numbers ----------------------------------------------------------------
    pytest.param(
        {"missions/x.md": mission(deadline="2026-10-01")},
        [(f"{X}:9:1: deadline: 2026-10-01 is before the posting date 2026-11-01 (the deadline "
          "must be on or after posted)")],
        id="deadline-before-posted",
    ),
    pytest.param(
        {"missions/x.md": mission(start="2026-12-01", end="2026-11-15")},
        [(f"{X}:10:1: end: 2026-11-15 is before the start 2026-12-01 (the end must be on or "
          "after start)")],
        id="end-before-start",
    ),
    pytest.param(
        {"missions/x.md": mission(places="0")},
        [f"{X}:9:1: places: must be at least 1, found 0 (write a whole number from 1 up)"],
        id="places-zero",
    ),
    pytest.param(
        {"missions/x.md": mission(places="9" * 5000)},
        [f"{X}:9:9: places: this number is far too long (check the value)"],
        id="places-huge-number",
    ),
    # --- apply ----------------------------------------------------------------------------
    pytest.param(
        {"missions/x.md": mission(apply='{email: "a@lien.org", url: "https://lien.org/go"}')},
        [(f"{X}:9:1: apply: give only one of email, form or url, not email and url (keep the "
          "one volunteers should use)")],
        id="apply-two-routes",
    ),
    pytest.param(
        {"missions/x.md": mission(apply='{form: "https://forms.example.com/f/1"}')},
        [(f"{X}:9:9: apply.form: the form host 'forms.example.com' is not allowed (use a form "
          "on one of the form_hosts of site.yaml: formspree.io, 127.0.0.1; or give the link "
          "as url:)")],
        id="apply-form-host-not-allowed",
    ),
    pytest.param(
        {"missions/x.md": mission(apply='{form: "http://formspree.io/f/1"}')},
        [(f"{X}:9:9: apply.form: 'http://formspree.io/f/1' must start with https:// (other "
          "kinds of links are not allowed)")],
        id="apply-form-http",
    ),
    pytest.param(
        {"missions/x.md": mission(apply='{url: "javascript:alert(1)"}')},
        [(f"{X}:9:9: apply.url: 'javascript:alert(1)' must start with https:// (other kinds "
          "of links are not allowed)")],
        id="apply-url-javascript",
    ),
    pytest.param(
        {"missions/x.md": mission(apply='{url: "JaVaScRiPt:alert(1)"}')},
        [(f"{X}:9:9: apply.url: 'JaVaScRiPt:alert(1)' must start with https:// (other kinds "
          "of links are not allowed)")],
        id="apply-url-javascript-mixed-case",
    ),
    pytest.param(
        {"missions/x.md": mission(apply='{email: "benevoles at lien.org"}')},
        [(f"{X}:9:9: apply.email: 'benevoles at lien.org' is not a valid email address (write "
          "only the address, such as contact@association.org)")],
        id="apply-email-malformed",
    ),
    pytest.param(
        {"missions/x.md": mission(apply='{email: "benevoles@lien.org?bcc=x@spam.org"}')},
        [(f"{X}:9:9: apply.email: 'benevoles@lien.org?bcc=x@spam.org' is not a valid email "
          "address (write only the address, such as contact@association.org)")],
        id="apply-email-with-bcc",
    ),
    pytest.param(
        {"associations/amis.md": association(), "missions/x.md": mission(association="amis")},
        [(f"{X}:1:1: apply: no way to apply is given, here or in content/associations/amis.md "
          "(add 'apply: {email: contact@association.org}', or a form: or url: instead of "
          "email:, to one of the two files)")],
        id="no-way-to-apply",
    ),
    # --- images and booleans --------------------------------------------------------------
    pytest.param(
        {"missions/x.md": mission(image='"https://lien.example.org/livres.jpg"')},
        [(f"{X}:9:1: image: an image needs a text alternative (add 'image_alt: \"what the "
          "image shows\"')")],
        id="image-without-alt",
    ),
    pytest.param(
        {"missions/x.md": mission(open_to_minors="yes")},
        [(f"{X}:9:1: open_to_minors: expected true or false, found 'yes' (YAML 1.2 reads yes "
          "as text: write true or false)")],
        id="boolean-yes",
    ),
    # --- translations ---------------------------------------------------------------------
    pytest.param(
        {"missions/nouveau.en.md": '---\ntitle: "Sort books"\nsummary: "Sort the books '
         'given to the association."\n---\nText.\n'},
        [("content/missions/nouveau.en.md:1:1: this translation has no default-language file "
          "(add nouveau.md beside it, or rename this file nouveau.md)")],
        id="translation-without-default",
    ),
    pytest.param(
        {ECOUTE_EN: '---\ntitle: "Call isolated elderly people"\nsummary: "One call a week '
         'to break isolation."\nsumary: "typo"\n---\nText.\n'},
        [("content/missions/ecoute.en.md:4:1: sumary: unknown field (did you mean "
          "'summary'?)")],
        id="translation-unknown-field",
    ),
    pytest.param(
        # The problem is in ecoute.md; ecoute.en.md inherits the field but is not blamed.
        {"missions/ecoute.md": fixture("missions/ecoute.md", "remote: full", "remote: maybe")},
        [("content/missions/ecoute.md:7:1: remote: 'maybe' is not allowed (use one of: no, "
          "possible, full)")],
        id="problem-in-default-not-repeated-in-translation",
    ),
    pytest.param(
        {"missions/ecoute.md": fixture("missions/ecoute.md", "remote: full", "remote: full: yes")},
        [("content/missions/ecoute.md:7:13: YAML syntax error: mapping values are not allowed "
          "in this context (a value that contains ': ' must be put in quotes)")],
        id="unreadable-default-of-a-translation",
    ),
    # --- associations ---------------------------------------------------------------------
    pytest.param(
        {"associations/lien.md": fixture("associations/lien.md", "Le Lien", "Le\u200bLien")},
        [("content/associations/lien.md:2:1: name: contains the invisible character U+200B "
          "(ZERO WIDTH SPACE) (retype the text without it)")],
        id="zero-width-space-in-association-name",
    ),
    pytest.param(
        {"associations/amis.md": association(rna='"W12345"')},
        [(f"{A}:4:1: rna: 'W12345' is not an RNA number (write W followed by 9 digits, such as "
          "W751234567)")],
        id="rna-wrong-format",
    ),
    pytest.param(
        {"associations/amis.md": association(website='"http://amis.example.org"')},
        [(f"{A}:4:1: website: 'http://amis.example.org' must start with https:// (other kinds "
          "of links are not allowed)")],
        id="association-website-http",
    ),
    pytest.param(
        {"associations/amis.md": association(summary=None)},
        [f"{A}:1:1: summary: required field is missing (add a line 'summary: \"...\"')"],
        id="association-summary-missing",
    ),
    pytest.param(
        # The mission is not blamed for its association's problem.
        {"associations/amis.md": association(name="Les Amis: du Livre"),
         "missions/x.md": mission(association="amis")},
        [(f"{A}:2:15: YAML syntax error: mapping values are not allowed in this context "
          "(a value that contains ': ' must be put in quotes)")],
        id="unreadable-association-not-unknown",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_check_reports_the_problem(
    board: Path, files: dict[str, str | bytes | Link], expected: list[str]
) -> None:
    write(board, files)
    result = check()
    assert result.stdout.splitlines() == expected
    assert result.exit_code == 1
    count = len(expected)
    assert result.stderr == (
        f"{count} problem{'s' if count > 1 else ''} in 1 file; nothing was written.\n"
    )


def test_file_names_differing_only_by_case(board: Path) -> None:
    probe = board / "missions" / "ECOUTE.md"
    if probe.exists():  # a case-insensitive file system: the two names are one file
        pytest.skip("the file system ignores case")
    write(board, {"missions/Ecoute.md": mission()})
    result = check()
    assert result.stdout.splitlines() == [
        ("content/missions/Ecoute.md:1:1: this file name differs only by case from ecoute.md "
         "(keep one of the two files, named in lowercase)")
    ]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("files", "slug", "attribute", "value"),
    [
        pytest.param(
            {"missions/x.md": mission(remote="no", location="{city: Lyon}")},
            "x", "remote", "no", id="remote-no-stays-text",
        ),
        pytest.param(
            {"missions/x.md": mission(remote="no", location="{city: Oslo, country: NO}")},
            "x", "country", "NO", id="country-NO-stays-text",
        ),
        pytest.param(
            {"missions/x.md": ("\ufeff" + mission()).replace("\n", "\r\n")},
            "x", "title", "Trier des livres", id="bom-and-crlf",
        ),
        pytest.param(
            {"missions/x.md": mission().replace("\n", "\r")},
            "x", "title", "Trier des livres", id="old-mac-line-ends",
        ),
        pytest.param(
            {"missions/x.md": mission(remote="no", location='{city: Bourg, postal_code: "01234"}')},
            "x", "postal_code", "01234", id="postal-code-quoted",
        ),
        pytest.param(
            {"missions/x.md": mission(summary='"Trier les livres\n  donnés à l\'association."')},
            "x", "summary", "Trier les livres donnés à l'association.", id="quote-over-two-lines",
        ),
        pytest.param(
            {"missions/x.md": mission(places="010")},
            "x", "places", 10, id="leading-zero-is-decimal",
        ),
    ],
)
def test_check_accepts(
    board: Path, files: dict[str, str], slug: str, attribute: str, value: object
) -> None:
    write(board, files)
    result = check()
    assert result.exit_code == 0, result.output
    found = next(m for m in load_site(board).missions if m.slug == slug)
    holder = found.location if attribute in ("country", "postal_code") else found
    assert getattr(holder, attribute) == value


def test_valid_board_passes(board: Path) -> None:
    result = check()
    assert result.exit_code == 0
    assert result.stdout == "OK: 4 missions and 2 associations, no problems.\n"


def test_bundled_example_board_passes() -> None:
    result = check("--content", str(EXAMPLE_CONTENT))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: ")


BROKEN = {
    "missions/z.md": mission(remote="maybe", places="0"),
    "missions/a.md": mission(title='"ab"'),
    "associations/amis.md": association(rna='"W1"'),
}
BROKEN_PROBLEMS = [
    (f"{A}:4:1: rna: 'W1' is not an RNA number (write W followed by 9 digits, such as "
     "W751234567)"),
    "content/missions/a.md:2:1: title: too short: 2 characters (write at least 3)",
    ("content/missions/z.md:6:1: remote: 'maybe' is not allowed (use one of: no, possible, "
     "full)"),
    ("content/missions/z.md:9:1: places: must be at least 1, found 0 (write a whole number "
     "from 1 up)"),
]


def test_every_problem_is_reported_at_once_sorted_by_path(board: Path) -> None:
    write(board, BROKEN)
    result = check()
    assert result.exit_code == 1
    assert result.stdout.splitlines() == BROKEN_PROBLEMS
    assert result.stderr == "4 problems in 3 files; nothing was written.\n"


def test_github_format(board: Path) -> None:
    # A field name with a newline and a percent sign: both are escaped in the annotation.
    write(board, {"missions/x.md": mission(**{'"sum%\\nmary"': "x"})})
    result = check("--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=content/missions/x.md,line=9,col=1::sum%25%0Amary: unknown field "
        "(did you mean 'summary'?)\n"
    )


def test_github_format_one_line_per_problem(board: Path) -> None:
    write(board, BROKEN)
    result = check("--format", "github")
    assert result.stdout.splitlines()[1] == (
        "::error file=content/missions/a.md,line=2,col=1::title: too short: 2 characters "
        "(write at least 3)"
    )
    assert len(result.stdout.splitlines()) == len(BROKEN_PROBLEMS)


def test_json_format(board: Path) -> None:
    write(board, {"missions/x.md": mission(remote="maybe", places="0")})
    result = check("--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"file": X, "line": 6, "col": 1,
         "message": "remote: 'maybe' is not allowed (use one of: no, possible, full)"},
        {"file": X, "line": 9, "col": 1,
         "message": "places: must be at least 1, found 0 (write a whole number from 1 up)"},
    ]


def test_json_format_on_a_valid_board(board: Path) -> None:
    result = check("--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def build(*args: str) -> Result:
    return CliRunner().invoke(main, ["build", "--today", "2026-11-30", *args])


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_build_of_a_broken_board_writes_nothing(board: Path) -> None:
    write(board, BROKEN)
    result = build("--out", "site")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == BROKEN_PROBLEMS
    assert result.stderr == "4 problems in 3 files; nothing was written.\n"
    assert not (board.parent / "site").exists()
    assert sorted(os.listdir(board.parent)) == ["content"]


def test_failed_build_keeps_the_previous_site(board: Path) -> None:
    first = build("--out", "site")
    assert first.exit_code == 0, first.output
    site = board.parent / "site"
    before = tree_hashes(site)
    assert "index.html" in before

    write(board, BROKEN)
    result = build("--out", "site")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == BROKEN_PROBLEMS
    assert tree_hashes(site) == before
    assert sorted(os.listdir(board.parent)) == [".site.cache", "content", "site"]
