"""The "Proposer une mission" issue form, and a mission file from an issue's answers.

One table (FIELDS) gives the form's questions and the mission field each answers, so the
form (.github/ISSUE_TEMPLATE/mission.yml) and the reader of its answers cannot disagree.
GitHub renders issue-form answers as `### Label` sections; `parse_issue_body` reads them
back. The answers are strangers' text: they are only ever data here (parsed, quoted into
YAML by scaffold.content_file, validated), never part of a command.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from generator.board import Board
from generator.errors import Problem
from generator.model import SiteConfig, Vocabulary
from generator.report import markdown_text
from generator.scaffold import (
    BODIES,
    PER_CHOICES,
    REMOTE_CHOICES,
    Choice,
    NewFile,
    dump_yaml,
    new_mission,
)

FieldType = Literal["input", "textarea", "dropdown", "checkboxes"]
NO_RESPONSE = ("_No response_", "None")


@dataclass(frozen=True)
class FormField:
    key: str  # the answer key of scaffold.mission_front_matter ("" when not a mission field)
    type: FieldType
    labels: tuple[str, str]  # (fr, en)
    descriptions: tuple[str, str] = ("", "")
    required: bool = False
    multiple: bool = False


FIELDS: tuple[FormField, ...] = (
    FormField("title", "input", ("Titre de la mission", "Title of the mission"),
              (("Court et concret, 3 à 120 caractères : « Traduire des courriers "
               "administratifs en anglais »."),
               ("Short and concrete, 3 to 120 characters: “Translate official letters "
               "into English”.")), required=True),
    FormField("association", "input", ("Votre association", "Your association"),
              (("Son nom, tel qu'il apparaît sur le site. Si elle n'y est pas encore, "
               "présentez-la dans la description : un·e responsable l'ajoutera."),
               ("Its name as shown on the site. If it is not there yet, introduce it in the "
               "description: a maintainer will add it.")), required=True),
    FormField("summary", "input", ("Résumé en une phrase", "One-sentence summary"),
              (("10 à 200 caractères, affichés sur les cartes et dans les moteurs de "
               "recherche."), "10 to 200 characters, shown on cards and in search engines."),
              required=True),
    FormField("categories", "dropdown", ("Catégories", "Categories"),
              ("Une à trois.", "One to three."), required=True, multiple=True),
    FormField("skills", "dropdown", ("Compétences utiles", "Useful skills"),
              ("Facultatif, huit au plus.", "Optional, eight at most."), multiple=True),
    FormField("remote", "dropdown", ("À distance ?", "Remote?"), required=True),
    FormField("city", "input", ("Ville", "City"),
              ("Obligatoire si la mission n'est pas entièrement à distance.",
               "Required unless the mission is fully remote.")),
    FormField("postal_code", "input", ("Code postal", "Postal code")),
    FormField("hours", "input", ("Nombre d'heures", "Number of hours"),
              ("Un nombre, par exemple 2 ou 1,5.", "A number, such as 2 or 1.5."),
              required=True),
    FormField("per", "dropdown", ("Ces heures sont", "These hours are"), required=True),
    FormField("deadline", "input", ("Date limite pour candidater", "Application deadline"),
              (("Facultatif, JJ/MM/AAAA ou AAAA-MM-JJ. Après cette date, la mission est "
               "fermée."), "Optional, YYYY-MM-DD. After this date the mission is closed.")),
    FormField("places", "input", ("Nombre de bénévoles recherchés",
                                  "Number of volunteers wanted"), ("Facultatif.", "Optional.")),
    FormField("apply", "input", ("Pour candidater", "How to apply"),
              (("Une adresse e-mail ou un lien https://… Vide : le moyen indiqué dans la "
               "fiche de l'association."), ("An email address or an https://… link. Empty: "
               "the way given in the association's page."))),
    FormField("body", "textarea", ("Description de la mission", "Description of the mission"),
              (("Ce que fera la personne bénévole, le profil recherché, ce que vous offrez. "
               "Le format Markdown est accepté."), ("What the volunteer will do, who you are "
               "looking for, what you offer. Markdown is welcome.")), required=True),
    FormField("", "checkboxes", ("Accord", "Agreement")),
)
_AGREEMENT = (
    ("L'association est d'accord pour publier cette mission, et les bénévoles n'auront rien "
    "à payer."),
    "The association agrees to publish this mission, and volunteers will pay nothing.",
)


def _index(lang: str) -> int:
    return 1 if lang == "en" else 0


def _options(field: FormField, vocabulary: Vocabulary, lang: str) -> list[str]:
    choices: Sequence[Choice]
    if field.key == "categories":
        return [t.label(lang) for t in vocabulary.categories]
    if field.key == "skills":
        return [t.label(lang) for t in vocabulary.skills]
    choices = REMOTE_CHOICES if field.key == "remote" else PER_CHOICES
    return [c.labels[_index(lang)] for c in choices]


def issue_form(vocabulary: Vocabulary, config: SiteConfig) -> dict[str, object]:
    """The issue form as data, in the board's default language."""
    lang = config.default_language
    i = _index(lang)
    body: list[dict[str, object]] = [{
        "type": "markdown",
        "attributes": {"value": (
            "Merci ! Remplissez ce formulaire : un·e responsable du site relira la mission "
            "et la publiera. Vous pouvez aussi proposer la mission directement en "
            "modifiant les fichiers (voir CONTRIBUTING.md)."
            if i == 0 else
            "Thank you! Fill in this form: a maintainer will review the mission and "
            "publish it. You may also propose it by editing the files (see CONTRIBUTING.md)."
        )},
    }]
    for field in FIELDS:
        attributes: dict[str, object] = {"label": field.labels[i]}
        if field.descriptions[i]:
            attributes["description"] = field.descriptions[i]
        if field.type == "dropdown":
            attributes["multiple"] = field.multiple
            attributes["options"] = _options(field, vocabulary, lang)
        if field.type == "textarea":
            attributes["value"] = BODIES["mission"][lang if lang in ("fr", "en") else "en"]
        if field.type == "checkboxes":
            attributes["options"] = [{"label": _AGREEMENT[i], "required": True}]
        entry: dict[str, object] = {"type": field.type, "id": field.key or "agreement",
                                    "attributes": attributes}
        if field.type != "checkboxes":
            entry["validations"] = {"required": field.required}
        body.append(entry)
    return {
        "name": "Proposer une mission" if i == 0 else "Propose a mission",
        "description": ("Une association propose une mission bénévole, sans passer par git."
                        if i == 0 else
                        "An association proposes a volunteer mission, without using git."),
        "title": "[Mission] ",
        "labels": ["mission"],
        "body": body,
    }


def issue_form_yaml(vocabulary: Vocabulary, config: SiteConfig) -> str:
    header = ("# Generated by `missions issue-form` from content/vocabulary.yaml: run it again "
              "after changing the vocabulary.\n")
    return header + dump_yaml(issue_form(vocabulary, config), flow_leaves=False)


# --- Reading an issue's body --------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_issue_body(body: str) -> dict[str, str]:
    """Answers by key from an issue body rendered from the form (labels in fr or en).

    Sections are found in the form's order, so an answer's own `### ...` lines are not
    taken for a question, except after the free-text description, whose end is the
    *last* heading of the question that follows it.
    """
    text = _CONTROL.sub("", body.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    headings: list[tuple[int, FormField]] = []
    position = 0
    for index, field in enumerate(FIELDS):
        after_text = index > 0 and FIELDS[index - 1].type == "textarea"
        found = [
            number for number in range(position, len(lines))
            if lines[number].startswith("### ") and lines[number][4:].strip() in field.labels
        ]
        if not found:
            continue
        line = found[-1] if after_text else found[0]
        headings.append((line, field))
        position = line + 1
    answers: dict[str, str] = {}
    for number, (line, field) in enumerate(headings):
        end = headings[number + 1][0] if number + 1 < len(headings) else len(lines)
        answer = "\n".join(lines[line + 1 : end]).strip("\n")
        if field.type != "textarea":
            answer = " ".join(answer.split())
        if field.key and answer.strip() not in NO_RESPONSE:
            answers[field.key] = answer
    return answers


def mission_from_issue(
    board: Board, body: str, today: dt.date, *, slug: str | None = None
) -> NewFile:
    """A mission file from an issue body, validated against the board; nothing written."""
    answers = parse_issue_body(body)
    description = answers.pop("body", "")
    return new_mission(board, answers, today, slug=slug, body=description.strip() or None)


# --- Telling the person who filled the form what to fix ------------------------------------

_FIELD_OF_PATH = {
    "location.city": "city", "location.postal_code": "postal_code", "location": "city",
    "commitment.hours": "hours", "commitment.per": "per", "commitment": "hours",
}


def _question(path: str) -> FormField | None:
    key = _FIELD_OF_PATH.get(path) or _FIELD_OF_PATH.get(path.split(".")[0])
    key = key or re.split(r"[.\[]", path, maxsplit=1)[0]
    if key.startswith("apply"):
        key = "apply"
    return next((f for f in FIELDS if f.key == key and key), None)


_INTRO = {
    "fr": ("La mission n'a pas pu être préparée. Corrigez ces points en modifiant la "
           "description de l'issue (menu « ··· », puis « Edit »), puis prévenez un·e "
           "responsable :"),
    "en": ("The mission could not be prepared. Fix these points by editing the issue's "
           "description (menu “···”, then “Edit”), then tell a maintainer:"),
}


def problems_markdown(problems: Sequence[Problem], lang: str) -> str:
    """Problems as a comment for the issue: each under the question it is about.
    `problems` are already in `lang`; their file positions mean nothing to the reader."""
    i = _index(lang)
    lines = [_INTRO.get(lang, _INTRO["en"]), ""]
    for problem in problems:
        path, separator, message = problem.message.partition(": ")
        question = _question(path) if separator else None
        if question is None:
            lines.append(f"- {markdown_text(problem.message)}")
        else:
            lines.append(f"- **{question.labels[i]}** : {markdown_text(message)}"
                         if i == 0 else f"- **{question.labels[i]}**: {markdown_text(message)}")
    return "\n".join(lines) + "\n"

