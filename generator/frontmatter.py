"""Split a content file into front matter and body, and read the YAML the safe way.

The YAML reader follows the YAML 1.2 core schema on top of PyYAML's safe parser:
only `true`/`false` are booleans (so `remote: no` and `country: NO` stay text),
`0755` is the decimal 755, aliases, merge keys, duplicate keys and explicit tags
are rejected, and every value keeps the position it came from so that problems
can be reported as file:line:col.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.errors import Problem

try:  # the C parser is several times faster; positions and resolution are the same
    _BaseLoader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

Path = tuple[str | int, ...]

STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_DATE = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Yaml12Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader whose implicit types are those of the YAML 1.2 core schema (plus dates)."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


_RESOLVERS = [
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (
        _INT,
        r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
        list("-+0123456789"),
    ),
    (
        _FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
    # Dates are not in the core schema, but front matter is full of them: keep
    # PyYAML's date-only form and reject times so that a date is always a date.
    (_DATE, r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", list("0123456789")),
]
for _tag, _pattern, _first in _RESOLVERS:
    _Yaml12Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


@dataclass(frozen=True)
class Document:
    """A content file read into plain data, with the position of every value."""

    path: str
    data: Mapping[str, Any]
    positions: Mapping[Path, tuple[int, int]]
    body: str
    body_line: int
    scalars: Mapping[Path, str] = field(default_factory=dict)

    def where(self, key_path: Path) -> tuple[int, int]:
        """Line and column of a value, or of its closest located parent."""
        probe = key_path
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.positions.get((), (1, 1))

    def problem(self, key_path: Path, message: str) -> Problem:
        line, col = self.where(key_path)
        return Problem(self.path, line, col, message)


_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


def split(path: str, text: str) -> tuple[str, int, str, int] | Problem:
    """Return (yaml, yaml_first_line, body, body_first_line) or a problem.

    Windows line endings and a leading BOM are accepted; lines are counted from 1.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].rstrip(" \t") != "---":
        return Problem(
            path,
            1,
            1,
            "no front matter found: the file must start with a line '---', then the "
            "fields (title: ...), then a line '---' before the text",
        )
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            yaml_text = "\n".join(lines[1:index]) + "\n"
            body = "\n".join(lines[index + 1 :])
            return yaml_text, 2, body, index + 2
    return Problem(
        path,
        1,
        1,
        "the front matter is not closed: add a line '---' after the last field",
    )


def read_document(path: str, text: str) -> Document | list[Problem]:
    """Parse a whole content file; every problem found is returned, never raised."""
    parts = split(path, text)
    if isinstance(parts, Problem):
        return [parts]
    yaml_text, first_line, body, body_line = parts
    return parse_yaml(path, yaml_text, first_line, body, body_line)


def read_yaml_file(path: str, text: str) -> Document | list[Problem]:
    """Parse a plain YAML file (site.yaml, vocabulary.yaml) whose top level is a mapping."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return parse_yaml(path, text.replace("\r\n", "\n"), 1, "", 0)


def parse_yaml(
    path: str, yaml_text: str, first_line: int, body: str, body_line: int
) -> Document | list[Problem]:
    try:
        node = yaml.compose(yaml_text, Loader=_Yaml12Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        col = (mark.column + 1) if mark else 1
        reason = exc.problem or exc.context or "invalid YAML"
        source_lines = yaml_text.split("\n")
        source_line = source_lines[mark.line] if mark and mark.line < len(source_lines) else ""
        hint = _yaml_hint(reason, tabbed="\t" in source_line)
        return [Problem(path, line, col, f"YAML syntax error: {reason}{hint}")]
    except yaml.YAMLError as exc:
        return [Problem(path, first_line, 1, f"YAML error: {exc}")]
    if node is None:
        return [Problem(path, 1, 1, "no fields found: the file needs at least its required fields")]
    converter = _Converter(path, first_line)
    data = converter.convert(node, ())
    if converter.problems:
        return converter.problems
    if not isinstance(data, dict):
        line, col = converter.positions[()]
        return [Problem(path, line, col, "expected 'field: value' lines at the top level")]
    return Document(path, data, converter.positions, body, body_line, converter.scalars)


def _yaml_hint(reason: str, *, tabbed: bool) -> str:
    if tabbed:
        return " (use spaces, not tabs, to indent)"
    if "mapping values are not allowed" in reason:
        return " (a value that contains ': ' must be put in quotes)"
    if "expected a single document" in reason:
        return " (only one '---' block of fields is allowed at the top of the file)"
    return ""


class _Converter:
    """Turn a composed YAML node tree into plain data, collecting every problem."""

    def __init__(self, path: str, first_line: int) -> None:
        self.path = path
        self.first_line = first_line
        self.positions: dict[Path, tuple[int, int]] = {}
        self.scalars: dict[Path, str] = {}
        self.problems: list[Problem] = []
        self._seen: set[int] = set()

    def _at(self, node: yaml.Node) -> tuple[int, int]:
        return self.first_line + node.start_mark.line, node.start_mark.column + 1

    def _fail(self, node: yaml.Node, message: str) -> None:
        line, col = self._at(node)
        self.problems.append(Problem(self.path, line, col, message))

    def convert(self, node: yaml.Node, key_path: Path) -> Any:
        self.positions.setdefault(key_path, self._at(node))
        if id(node) in self._seen:
            # Composing shares the node of an anchor with each alias; a second visit is an
            # alias. Refusing them is what makes "billion laughs" documents harmless.
            line, col = self.positions[key_path]
            self.problems.append(
                Problem(
                    self.path,
                    line,
                    col,
                    "YAML aliases (&anchor / *alias) are not allowed: write the value out",
                )
            )
            return None
        self._seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, key_path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self._fail(node, f"YAML tag '{node.tag}' is not allowed")
                return None
            return [self.convert(item, (*key_path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, key_path)

    def _mapping(self, node: yaml.MappingNode, key_path: Path) -> dict[str, Any] | None:
        if node.tag != _MAP:
            self._fail(node, f"YAML tag '{node.tag}' is not allowed")
            return None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != STR:
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "…"
                self._fail(key_node, f"field names must be plain text, not {shown!r}")
                continue
            key = key_node.value
            if key in result:
                line, _ = self.positions[(*key_path, key)]
                self._fail(
                    key_node,
                    f"{key}: duplicate field (already given on line {line}); keep only one",
                )
                continue
            self.positions[(*key_path, key)] = self._at(key_node)
            result[key] = self.convert(value_node, (*key_path, key))
        return result

    def _scalar(self, node: yaml.ScalarNode, key_path: Path) -> Any:
        value: str = node.value
        self.scalars[key_path] = value
        tag = node.tag
        if tag == STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            if value.startswith("0o"):
                return int(value[2:], 8)
            if value.startswith("0x"):
                return int(value[2:], 16)
            return int(value)
        if tag == _FLOAT:
            return float(value.replace("inf", "Inf").replace("INF", "Inf").lower())
        if tag == _DATE:
            try:
                return dt.date.fromisoformat(
                    "-".join(part.zfill(2) for part in value.split("-"))
                )
            except ValueError:
                self._fail(node, f"'{value}' is not a real date (use YYYY-MM-DD)")
                return None
        self._fail(node, f"YAML tag '{tag}' is not allowed: write plain values")
        return None
