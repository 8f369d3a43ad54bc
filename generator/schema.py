"""JSON Schemas of mission and association front matter, for editors and other tools.

Generated from what validation itself uses: the field lists of validate.py, the choices
of model.py, the vocabulary and the form hosts of the board. `missions check` stays the
authority: a schema cannot say everything (a deadline after `posted`, an association
that exists, quoted vs unquoted dates), so it is a helper that catches most mistakes
while typing. Pure, but for the two small file helpers at the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from generator.model import PERIODS, REMOTE_MODES, ROUTE_KINDS, SiteConfig, Vocabulary
from generator.validate import (
    ASSOCIATION_KEYS,
    COMMITMENT_KEYS,
    ISO_639_1,
    MISSION_KEYS,
)

Dialect = Literal["2020-12", "draft-07"]
DIALECTS: tuple[Dialect, ...] = ("2020-12", "draft-07")
_META = {
    "2020-12": "https://json-schema.org/draft/2020-12/schema",
    "draft-07": "http://json-schema.org/draft-07/schema#",
}
FILES = ("mission.schema.json", "association.schema.json")

# Text limits, the same numbers validate.py passes to Fields.text().
_LIMITS = {
    "title": (3, 120), "summary": (10, 200), "name": (2, 120), "image_alt": (1, 300),
    "logo_alt": (1, 300), "city": (1, 100), "postal_code": (1, 12), "region": (1, 100),
    "association": (1, 200),
}
# Characters validation refuses in text: controls, and invisible or reordering ones.
_PLAIN_TEXT = (
    "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u200b-\\u200f\\u202a-\\u202e"
    "\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
)
_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
_REST = r"(?::[0-9]{1,5})?(?:[/?#][^\s]*)?$"
_HTTPS = f"^https://(?:{_HOST}|localhost|127\\.0\\.0\\.1){_REST}"
_EMAIL = r"^[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9_+-])?@" + _HOST + "$"
_LOOPBACK = ("127.0.0.1", "localhost")


def _text(description: str, key: str | None = None) -> dict[str, Any]:
    low, high = _LIMITS.get(key or "", (1, 200))
    return {
        "description": description, "type": "string", "minLength": low, "maxLength": high,
        "pattern": _PLAIN_TEXT,
    }


def _url(description: str) -> dict[str, Any]:
    return {"description": description, "type": "string", "maxLength": 2000,
            "pattern": _HTTPS}


def _one_or_many(description: str, ref: str, *, min_items: int, max_items: int) -> dict[str, Any]:
    """Validation accepts a single key as well as a list of keys."""
    return {
        "description": description,
        "anyOf": [
            {"$ref": ref},
            {"type": "array", "items": {"$ref": ref}, "minItems": min_items,
             "maxItems": max_items, "uniqueItems": True},
        ],
    }


def _form_pattern(config: SiteConfig) -> str | None:
    hosts = [re.escape(h) for h in config.form_hosts]
    if not hosts:
        return None
    schemes = [f"https://(?:{'|'.join(hosts)})"]
    loopback = [re.escape(h) for h in config.form_hosts if h in _LOOPBACK]
    if loopback:
        schemes.append(f"http://(?:{'|'.join(loopback)})")
    return f"^(?:{'|'.join(schemes)}){_REST}"


def _definitions(config: SiteConfig, vocabulary: Vocabulary) -> dict[str, Any]:
    lang = config.default_language
    apply_properties: dict[str, Any] = {
        "email": {"description": "Address the applications are sent to.", "type": "string",
                  "maxLength": 254, "pattern": _EMAIL},
        "url": _url("Page where volunteers apply (https)."),
    }
    form = _form_pattern(config)
    if form is not None:
        apply_properties["form"] = {
            "description": "Form endpoint (https) on one of the form_hosts of site.yaml: "
            + ", ".join(config.form_hosts) + ".",
            "type": "string", "maxLength": 2000, "pattern": form,
        }
    assert set(apply_properties) <= set(ROUTE_KINDS)
    return {
        "category": {
            "description": "A category key of vocabulary.yaml.",
            "enum": [t.key for t in vocabulary.categories],
            "enumDescriptions": [t.label(lang) for t in vocabulary.categories],
        },
        "skill": {
            "description": "A skill key of vocabulary.yaml.",
            "enum": [t.key for t in vocabulary.skills],
            "enumDescriptions": [t.label(lang) for t in vocabulary.skills],
        },
        "language": {"description": "An ISO 639-1 language code.", "enum": list(ISO_639_1)},
        "date": {"description": "A date written YYYY-MM-DD, without quotes.", "type": "string",
                 "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "location": {
            "description": "Where the mission takes place.",
            "type": "object",
            "properties": {
                "city": _text("City.", "city"),
                "postal_code": _text("Postal code, in quotes.", "postal_code"),
                "region": _text("Region.", "region"),
                "country": {"description": "ISO 3166-1 alpha-2 code, in capitals (default: "
                            f"{config.country}).", "type": "string",
                            "pattern": "^[A-Z]{2}$"},
            },
            "required": ["city"],
            "additionalProperties": False,
        },
        "apply": {
            "description": "How volunteers apply: exactly one of email, form or url.",
            "type": "object",
            "properties": apply_properties,
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,
        },
    }


def _checked(properties: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The properties in the order of validate.py's list, which must match exactly."""
    if set(properties) != set(keys):
        raise AssertionError(f"schema fields {sorted(properties)} differ from {sorted(keys)}")
    return {key: properties[key] for key in keys}


def mission_schema(config: SiteConfig, vocabulary: Vocabulary) -> dict[str, Any]:
    """Front matter of a mission file in the default language (content/missions/<slug>.md)."""
    assert set(COMMITMENT_KEYS) == {"hours", "per"}
    properties = {
        "title": _text("Title, 3 to 120 characters.", "title"),
        "association": {
            "description": "Slug of a file in content/associations/.", "type": "string",
            "maxLength": 200, "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$",
        },
        "summary": _text("One sentence for cards, feeds and search engines, 10 to 200 "
                         "characters.", "summary"),
        "categories": _one_or_many("1 to 3 category keys.", "#/$defs/category",
                                   min_items=1, max_items=3),
        "skills": _one_or_many("Up to 8 skill keys.", "#/$defs/skill", min_items=0,
                               max_items=8),
        "remote": {"description": "no (on site), possible (partly remote) or full (fully "
                   "remote).", "enum": list(REMOTE_MODES)},
        "location": {"$ref": "#/$defs/location"},
        "commitment": {
            "description": "Time given: hours per week, per month, or in total (mission).",
            "type": "object",
            "properties": {
                "hours": {"type": "number", "exclusiveMinimum": 0},
                "per": {"enum": list(PERIODS)},
            },
            "required": ["hours", "per"],
            "additionalProperties": False,
        },
        "languages": _one_or_many("Working languages (default: the site's default "
                                  "language).", "#/$defs/language", min_items=1,
                                  max_items=10),
        "posted": {"$ref": "#/$defs/date"},
        "deadline": {"$ref": "#/$defs/date"},
        "start": {"$ref": "#/$defs/date"},
        "end": {"$ref": "#/$defs/date"},
        "places": {"description": "Number of volunteers wanted.", "type": "integer",
                   "minimum": 1},
        "apply": {"$ref": "#/$defs/apply"},
        "image": _url("Image (https)."),
        "image_alt": _text("Text alternative of the image.", "image_alt"),
        "open_to_minors": {"type": "boolean"},
        "accessible": {"type": "boolean"},
        "draft": {"description": "true keeps the mission out of the site.",
                  "type": "boolean"},
        "extra": {"description": "Free data for your own tools; not shown.",
                  "type": "object"},
    }
    return {
        "$schema": _META["2020-12"],
        "title": f"Mission of {config.title}",
        "description": "Front matter of content/missions/<slug>.md. Checked for real by "
                       "`missions check`.",
        "type": "object",
        "properties": _checked(properties, MISSION_KEYS),
        "required": ["title", "association", "summary", "categories", "remote",
                     "commitment", "posted"],
        "additionalProperties": False,
        "dependentRequired": {"image": ["image_alt"]},
        "if": {"properties": {"remote": {"enum": ["no", "possible"]}},
               "required": ["remote"]},
        "then": {"required": ["location"]},
        "$defs": _definitions(config, vocabulary),
    }


def association_schema(config: SiteConfig, vocabulary: Vocabulary) -> dict[str, Any]:
    """Front matter of an association file (content/associations/<slug>.md)."""
    definitions = _definitions(config, vocabulary)
    properties = {
        "name": _text("The association's name.", "name"),
        "summary": _text("One sentence, at most 200 characters.", "summary"),
        "website": _url("Website (https)."),
        "email": {"description": "Contact address.", "type": "string", "maxLength": 254,
                  "pattern": _EMAIL},
        "logo": _url("Logo (https)."),
        "logo_alt": _text("Text alternative of the logo.", "logo_alt"),
        "apply": {"$ref": "#/$defs/apply"},
        "location": {"$ref": "#/$defs/location"},
        "rna": {"description": "French registry number: W and 9 digits.", "type": "string",
                "pattern": "^W[0-9]{9}$"},
        "social": {
            "description": "Links to the association's pages elsewhere (https).",
            "anyOf": [_url("A link."), {"type": "array", "items": _url("A link.")}],
        },
    }
    return {
        "$schema": _META["2020-12"],
        "title": f"Association of {config.title}",
        "description": "Front matter of content/associations/<slug>.md. Checked for real "
                       "by `missions check`.",
        "type": "object",
        "properties": _checked(properties, ASSOCIATION_KEYS),
        "required": ["name", "summary"],
        "additionalProperties": False,
        "dependentRequired": {"logo": ["logo_alt"]},
        "$defs": {key: definitions[key] for key in ("apply", "location")},
    }


def _to_draft_07(node: Any) -> Any:
    """The same schema in the draft-07 spelling, for tools that know no later draft."""
    if isinstance(node, list):
        return [_to_draft_07(item) for item in node]
    if not isinstance(node, dict):
        return node
    renamed: dict[str, str] = {"$defs": "definitions", "dependentRequired": "dependencies"}
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$schema":
            result[key] = _META["draft-07"]
        elif key == "$ref" and isinstance(value, str):
            result[key] = value.replace("#/$defs/", "#/definitions/")
        else:
            result[renamed.get(str(key), str(key))] = _to_draft_07(value)
    return result


def schema_files(
    config: SiteConfig, vocabulary: Vocabulary, dialect: Dialect = "2020-12"
) -> dict[str, str]:
    """File name -> JSON text, as committed under schema/."""
    schemas = {
        "mission.schema.json": mission_schema(config, vocabulary),
        "association.schema.json": association_schema(config, vocabulary),
    }
    if dialect == "draft-07":
        schemas = {name: _to_draft_07(schema) for name, schema in schemas.items()}
    return {
        name: json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        for name, schema in schemas.items()
    }


def stale_files(out: Path, files: Mapping[str, str]) -> list[str]:
    """Names of the files under `out` that are missing or differ from `files`."""
    return [
        name for name, text in files.items()
        if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text
    ]


def write_files(out: Path, files: Mapping[str, str]) -> list[str]:
    """Write the files that changed; returns their names."""
    changed = stale_files(out, files)
    out.mkdir(parents=True, exist_ok=True)
    for name in changed:
        (out / name).write_text(files[name], encoding="utf-8")
    return changed
