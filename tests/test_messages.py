"""Problem messages in French: a table of English message patterns, applied at output time.

Every message the validators produce must have a French rendering. The messages come from
the expectations of tests/test_check.py (the invalid-fixture tests) and from the broken
boards below, which reach the settings and vocabulary checks too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from generator.build import load_site
from generator.errors import ContentError, Problem
from generator.messages import PATTERNS, french, localize, translate
from tests.conftest import ROOT

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_PROBLEM_LINE = re.compile(r"^[^\s:]*:\d+:\d+: (.*)$", re.DOTALL)


def expected_messages(test_file: Path) -> set[str]:
    """The messages a test file expects, from its `path:line:col: message` strings
    (f-strings included: `{X}:2:1: title: ...`)."""
    messages = set()
    for node in ast.walk(ast.parse(test_file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{X}"
                for part in node.values
            )
            text = text.replace("{X}:", "x.md:", 1) if text.startswith("{X}:") else text
        else:
            continue
        match = _PROBLEM_LINE.match(text)
        if match:
            messages.add(match[1])
    return messages


FOUNDATION = expected_messages(ROOT / "tests" / "test_check.py")


def test_the_invalid_fixture_tests_were_read() -> None:
    assert len(FOUNDATION) > 40


@pytest.mark.parametrize("message", sorted(FOUNDATION))
def test_every_message_of_the_invalid_fixture_tests_has_a_french_rendering(
    message: str,
) -> None:
    assert french(message) is not None, (
        f"no French pattern for: {message!r} (add one to generator/messages.py)"
    )


def write(board: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (board / name).write_text(text, encoding="utf-8")


def mission(**fields: str) -> str:
    base = {
        "title": '"Trier des livres"', "association": "lien",
        "summary": '"Trier les livres donnés à l\'association."',
        "categories": "[culture-loisirs]", "remote": "full",
        "commitment": "{hours: 2, per: week}", "posted": "2026-11-01",
    }
    base.update(fields)
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in base.items()) + "---\nTexte.\n"


SITE = (ROOT / "tests" / "fixtures" / "board" / "site.yaml").read_text(encoding="utf-8")
BROKEN_BOARDS = {
    "site-settings": {"site.yaml": SITE.replace("languages: [fr, en]", "languages: [fr, fr, FRA]")
                      .replace("country: FR", "country: France")
                      .replace("per_page: 2", "per_page: 0")
                      .replace("form_hosts: [formspree.io, 127.0.0.1]",
                               "form_hosts: [https://x.org]\ntitel: x")
                      .replace('repository: "https://github.com/example/board"',
                               'repository: "http://github.com/example/board"')},
    "site-no-languages": {"site.yaml": SITE.replace("languages: [fr, en]", "languages: []")},
    "vocabulary": {"vocabulary.yaml": (
        "categories:\n  numeriqe: {fr: N, en: D}\n  Bad_Key: {fr: B, en: B}\n"
        "  education: Éducation\n  sante: {fr: Santé}\nskills: {}\n")},
    "missions": {
        "missions/a.md": mission(skills="[traduction, traduction, a, b, c, d, e, f, g]",
                                 start="2027-01-10", end="2027-01-01",
                                 deadline="2026-10-01", image='"https://example.org/a.png"',
                                 extra="3", open_to_minors="yes", places="2.5"),
        "missions/b.md": mission(categories="[]", languages="[xx]", location='"Lyon"',
                                 commitment="{hours: .nan, per: week}",
                                 apply="{form: 'https://forms.example.org/f'}"),
        "missions/c.md": mission(apply="{}", accessible="1", remote="Full",
                                 title='"a\u200bb"', summary='"tab\there, and a \\x07"'),
        "missions/c2.md": mission(summary='"a bell \x07 rings"'),
        "missions/d.md": mission(commitment="2", posted="2026-11", places="x",
                                 association="liens", categories="educaton"),
        "missions/e.md": "---\n- a\n- b\n---\n",
        "missions/f.md": "---\ntitle: &a x\nsummary: *a\n!!str 3: x\n? [a]\n: b\n---\n",
        "missions/g.md": "---\ntitle: !!int abc\nposted: 2026-02-30\n---\n",
        "associations/h.md": "---\nname: x\nsummary: \"short\"\nwebsite: \"https://a b\"\n"
                             "logo: \"https://u:p@example.org/l.png\"\n"
                             "email: \"not an email\"\nsocial: [\"javascript:x\", \"https://\"]\n"
                             "---\n",
    },
}


@pytest.mark.parametrize("case", sorted(BROKEN_BOARDS))
def test_every_message_of_broken_boards_has_a_french_rendering(board: Path, case: str) -> None:
    write(board, BROKEN_BOARDS[case])
    with pytest.raises(ContentError) as caught:
        load_site(board)
    problems = caught.value.problems
    assert problems
    untranslated = [p.message for p in problems if french(p.message) is None]
    assert untranslated == []


@pytest.mark.parametrize(("english", "in_french"), [
    ("skills[0]: unknown skill 'tradution' (did you mean 'traduction'?)",
     "skills[0]: compétence inconnue 'tradution' (vouliez-vous dire 'traduction' ?)"),
    ("categories[1]: unknown category 'x' (use a category key of vocabulary.yaml)",
     ("categories[1]: catégorie inconnue 'x' (utilisez une clé de catégorie de "
     "vocabulary.yaml)")),
    ("association: unknown association 'amis' (did you mean 'lien'?)",
     "association: association inconnue 'amis' (vouliez-vous dire 'lien' ?)"),
    (('location.postal_code: expected text but found the number 69003 (put it in quotes: '
     'postal_code: "69003")'),
     ('location.postal_code: on attend du texte, mais on trouve le nombre 69003 (mettez-le '
     'entre guillemets : postal_code: "69003")')),
    (("open_to_minors: expected true or false, found 'yes' (YAML 1.2 reads yes as text: "
     "write true or false)"),
     ("open_to_minors: on attend true ou false, mais on trouve 'yes' (YAML 1.2 lit yes comme "
     "du texte : écrivez true ou false)")),
    ("remote: expected text but found a list (write it as remote: full)",
     "remote: on attend du texte, mais on trouve une liste (écrivez-le ainsi : remote: full)"),
    (("apply: give only one of email, form or url, not email and url (keep the one "
     "volunteers should use)"),
     ("apply: ne donnez qu'un seul de email, form ou url, pas email et url (gardez celui que "
     "les bénévoles doivent utiliser)")),
    # A field name that itself contains ': ' is kept as it is.
    ("languages: give at least one language (such as languages: [fr, en])",
     "languages: indiquez au moins une langue (par exemple languages: [fr, en])"),
    ("a: b: unknown field (did you mean 'title'?)",
     "a: b: champ inconnu (vouliez-vous dire 'title' ?)"),
    (("YAML syntax error: mapping values are not allowed in this context (a value that "
     "contains ': ' must be put in quotes)"),
     ("erreur de syntaxe YAML : une valeur « champ: valeur » n'est pas permise ici (une "
     "valeur qui contient ': ' doit être mise entre guillemets)")),
])
def test_french_renderings(english: str, in_french: str) -> None:
    assert translate(english, "fr") == in_french
    assert translate(english, "en") == english


def test_an_unknown_message_stays_in_english() -> None:
    assert french("something new happened") is None
    assert translate("title: something new happened", "fr") == "title: something new happened"


def test_localize_keeps_positions_and_order() -> None:
    problems = [Problem("b.md", 3, 1, "title: too long: 130 characters (shorten it to 120 at "
                                      "most)"),
                Problem("a.md", 1, 1, "not translated")]
    assert localize(problems, "fr") == [
        Problem("b.md", 3, 1, "title: trop long : 130 caractères (raccourcissez à 120 au plus)"),
        Problem("a.md", 1, 1, "not translated"),
    ]


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.english[:40])
def test_french_uses_only_the_parts_the_english_has(pattern: object) -> None:
    english = set(_PLACEHOLDER.findall(pattern.english))  # type: ignore[attr-defined]
    used = set(_PLACEHOLDER.findall(pattern.french))  # type: ignore[attr-defined]
    assert used <= english
    assert english <= used | {"name"}  # every varying part is shown (`name` may be implied)


def test_patterns_are_unique() -> None:
    englishes = [p.english for p in PATTERNS]
    assert len(englishes) == len(set(englishes))
