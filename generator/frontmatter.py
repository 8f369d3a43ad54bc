"""Split a content file into front matter and body, and read the YAML the safe way.

The YAML reader follows the YAML 1.2 core schema on top of PyYAML's safe parser:
only `true`/`false` are booleans (so `remote: no` and `country: NO` stay text),
`0755` is the decimal 755, aliases, merge keys, duplicate keys and explicit tags
are rejected, and every value keeps the position it came from so that problems
can be reported as file:line:col.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml

from generator.errors import Problem

try:  # the C parser is several times faster; positions and resolution are the same
    _BaseLoader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

Path = tuple[str | int, ...]


def dotted(key_path: Path) -> str:
    """A field path as people write it: location.city, categories[0]."""
    shown = ""
    for part in key_path:
        if isinstance(part, int):
            shown += f"[{part}]"
        else:
            shown += f".{part}" if shown else part
    return shown

STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_DATE = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Yaml12Loader(_BaseLoader):  # type: ignore[misc]
    """Safe loader whose implicit types are those of the YAML 1.2 core schema (plus dates)."""

    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}


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
        (
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        list("-+.0123456789"),
    ),
    # Dates are not in the core schema, but front matter is full of them: keep
    # PyYAML's date-only form and reject times so that a date is always a date.
    (_DATE, r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", list("0123456789")),
]
for _tag, _pattern, _first in _RESOLVERS:
    _Yaml12Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)
# What each accepted tag's text must look like, also when the tag is written out.
_PATTERNS = {_tag: re.compile(_pattern) for _tag, _pattern, _ in _RESOLVERS}


@dataclass(frozen=True)
class Document:
    """A content file read into plain data, with the position of every value."""

    path: str
    data: Mapping[str, Any]
    positions: Mapping[Path, tuple[int, int]]
    body: str
    body_line: int
    scalars: Mapping[Path, str] = field(default_factory=dict)
    # For a translation merged with its default-language file: the top-level fields the
    # translation itself gives. Problems in the other fields belong to the default file.
    own_keys: frozenset[str] | None = None

    def owns(self, key_path: Path) -> bool:
        """Whether problems at key_path are this file's to report."""
        return self.own_keys is None or (bool(key_path) and key_path[0] in self.own_keys)

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


def _normalize(text: str) -> str:
    """Drop a leading BOM and turn Windows (CRLF) and old Mac (CR) line ends into LF."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def split(path: str, text: str) -> tuple[str, int, str, int] | Problem:
    """Return (yaml, yaml_first_line, body, body_first_line) or a problem.

    Windows line endings and a leading BOM are accepted; lines are counted from 1.
    """
    text = _normalize(text)
    lines = text.split("\n")
    if not lines or lines[0].rstrip(" \t") != "---":
        return Problem(
            path,
            1,
            1,
            "no front matter found (the file must start with a line '---', then the "
            "fields (title: ...), then a line '---' before the text)",
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
        "the front matter is not closed (add a line '---' after the last field)",
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
    return parse_yaml(path, _normalize(text), 1, "", 0)


_DIRECTIVE = re.compile(r"^%", re.MULTILINE)


def parse_yaml(
    path: str, yaml_text: str, first_line: int, body: str, body_line: int
) -> Document | list[Problem]:
    directive = _DIRECTIVE.search(yaml_text) if body_line else None
    if directive is not None:
        # `%YAML 1.1` would ask for the older rules (yes/no booleans, octals); between the
        # two '---' lines a directive can only be a mistake or an attempt at that.
        return [
            Problem(
                path, first_line + yaml_text.count("\n", 0, directive.start()), 1,
                "YAML syntax error: a YAML directive (a line starting with %) is not allowed "
                "in the front matter (remove this line: the fields are read as YAML 1.2)",
            )
        ]
    try:
        node = yaml.compose(yaml_text, Loader=_Yaml12Loader)
    except yaml.MarkedYAMLError as exc:
        return [_syntax_problem(path, yaml_text, first_line, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - every parser error carries a mark
        return [Problem(path, first_line, 1, f"YAML syntax error: {exc}")]
    if node is None:
        where = " between the two '---' lines" if body_line else ", one 'name: value' per line"
        return [Problem(path, 1, 1, f"no fields found (write the fields{where})")]
    converter = _Converter(path, first_line)
    data = converter.convert(node, ())
    if converter.aliases:  # found in the tree's order, which is the document's
        converter.problems.extend(converter.alias_problems(yaml_text))
        converter.problems.sort(key=lambda problem: (problem.line, problem.col))
    if converter.problems:
        return converter.problems
    if not isinstance(data, dict):
        line, col = converter.positions[()]
        return [
            Problem(
                path, line, col,
                "expected 'field: value' lines at the top level (write one field per line, "
                "such as title: ...)",
            )
        ]
    return Document(path, data, converter.positions, body, body_line, converter.scalars)


# A block field whose value opens a quote: `title: "...` or `- '...`.
_OPENS_QUOTE = re.compile(r"""^\s*(?:-\s+|[^\s#'"{}\[\]][^:#]*:\s+)(["'])""")


def _unclosed_quote(line: str) -> int | None:
    """Column (0-based) of a quote that opens a value and is not closed on its line."""
    match = _OPENS_QUOTE.match(line)
    if match is None:
        return None
    quote = match[1]
    rest = line[match.end() :]
    if quote == '"':
        closed = re.search(r'(?<!\\)(?:\\\\)*"', rest) is not None
    else:
        closed = re.search(r"'(?!')", rest.replace("''", "")) is not None
    return None if closed else match.start(1)


def _closing_helps(lines: list[str], number: int, quote_col: int, error_line: int) -> bool:
    """Whether closing the quote of line `number` fixes the error or moves it further down.

    A quoted value may legitimately go on over several lines; it is blamed only when
    closing it makes the document parse past the line where the parser stopped.
    """
    fixed = [*lines]
    fixed[number] = fixed[number].rstrip() + fixed[number][quote_col]
    try:
        yaml.compose("\n".join(fixed), Loader=_Yaml12Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark is not None and mark.line > error_line
    except yaml.YAMLError:  # pragma: no cover
        return False
    return True


def _syntax_problem(
    path: str, yaml_text: str, first_line: int, exc: yaml.MarkedYAMLError
) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    index = mark.line if mark else 0
    col = (mark.column + 1) if mark else 1
    reason = exc.problem or exc.context or "invalid YAML"
    context = exc.context or ""
    lines = yaml_text.split("\n")
    source_line = lines[index] if index < len(lines) else ""
    if "quoted scalar" in context and exc.context_mark is not None and "escape" not in reason:
        start = exc.context_mark
        line_text = lines[start.line] if start.line < len(lines) else ""
        opening = line_text[start.column : start.column + 1]
        quote = opening if opening in ("'", '"') else '"'
        return Problem(
            path, first_line + start.line, start.column + 1,
            f"YAML syntax error: this quote is not closed (add the closing {quote} at the "
            "end of the value)",
        )
    # A quote left open swallows the lines after it, so the parser stops further down:
    # point at the line where the quote was opened instead.
    candidates = (
        (number, quote_col)
        for number in range(min(index, len(lines) - 1), -1, -1)
        if (quote_col := _unclosed_quote(lines[number])) is not None
    )
    for number, quote_col in itertools.islice(candidates, 3):  # each try parses again
        if _closing_helps(lines, number, quote_col, index):
            return Problem(
                path, first_line + number, quote_col + 1,
                "YAML syntax error: this quote is not closed (add the closing "
                f"{lines[number][quote_col]} at the end of the value)",
            )
    indent = source_line[: len(source_line) - len(source_line.lstrip())]
    if "\t" in indent or ("\t" in source_line and "cannot start any token" in reason):
        message = f"{reason} (use spaces, not tabs, to indent)"
    elif "another document" in reason or "single document" in context:
        message = (
            "a second YAML document starts here (only one block of fields is allowed "
            "between the two '---' lines: remove this line)"
        )
    elif "mapping values are not allowed" in reason:
        message = f"{reason} (a value that contains ': ' must be put in quotes)"
    elif "unknown escape character" in reason:
        message = (
            f"{reason} (inside double quotes a backslash starts an escape: write \\\\ "
            "or use single quotes)"
        )
    elif "flow" in context:
        message = f"{reason} (check the brackets {{ }} and [ ] and the commas on this line)"
    elif "expected key" in reason or "block end" in reason:
        message = (
            f"{reason} (check the indentation: the fields of one group must start in "
            "the same column)"
        )
    else:
        message = f"{reason} (check the quotes, brackets and indentation of this line)"
    return Problem(path, first_line + index, col, f"YAML syntax error: {message}")


_SHORT_TAG = "tag:yaml.org,2002:"
_KINDS = {
    _NULL: "empty", _BOOL: "true/false", _INT: "a number", _FLOAT: "a number", _DATE: "a date",
}


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_SHORT_TAG) :] if tag.startswith(_SHORT_TAG) else tag


class _Converter:
    """Turn a composed YAML node tree into plain data, collecting every problem."""

    def __init__(self, path: str, first_line: int) -> None:
        self.path = path
        self.first_line = first_line
        self.positions: dict[Path, tuple[int, int]] = {}
        self.scalars: dict[Path, str] = {}
        self.problems: list[Problem] = []
        self.aliases: list[Path] = []  # where each alias was met, in document order
        self._seen: set[int] = set()

    def alias_problems(self, yaml_text: str) -> list[Problem]:
        """One problem per line holding aliases, at the first alias of the line.

        The composed tree has lost where aliases are (each one *is* its anchor's node),
        so they are found again in the parser's events, which come in the same order.
        A mapping value is shown at its field name, as other problems are.
        """
        marks = [
            (mark.line, mark.column)
            for event in yaml.parse(yaml_text, Loader=_Yaml12Loader)
            if isinstance(event, yaml.AliasEvent) and (mark := event.start_mark) is not None
        ]
        if len(marks) != len(self.aliases):  # aliases used as keys: keep what is known
            marks = [(self.positions[key_path][0] - self.first_line, -1)
                     for key_path in self.aliases]
        problems: dict[int, Problem] = {}
        for key_path, (index, column) in zip(self.aliases, marks, strict=True):
            line, col = self.first_line + index, column + 1
            known = self.positions.get(key_path)
            if known is not None and (known[0] == line or column < 0):
                line, col = known
            if line not in problems:
                prefix = f"{dotted(key_path)}: " if key_path else ""
                problems[line] = Problem(
                    self.path, line, col,
                    f"{prefix}YAML aliases (&anchor / *alias) are not allowed (write the "
                    "value out in full)",
                )
        return list(problems.values())

    def _at(self, node: yaml.Node) -> tuple[int, int]:
        return self.first_line + node.start_mark.line, node.start_mark.column + 1

    def _fail(self, node: yaml.Node, key_path: Path, message: str) -> None:
        line, col = self._at(node)
        prefix = f"{dotted(key_path)}: " if key_path else ""
        self.problems.append(Problem(self.path, line, col, prefix + message))

    def _bad_tag(self, node: yaml.Node, key_path: Path) -> None:
        self._fail(
            node,
            key_path,
            f"the YAML tag '{_shown_tag(node.tag)}' is not allowed (remove it and write a "
            "plain value)",
        )

    def convert(self, node: yaml.Node, key_path: Path) -> Any:
        self.positions.setdefault(key_path, self._at(node))
        if id(node) in self._seen:
            # Composing shares the node of an anchor with each alias; a second visit is an
            # alias. Refusing them is what makes "billion laughs" documents harmless. They
            # are reported once the whole document is read (see alias_problems).
            self.aliases.append(key_path)
            return None
        self._seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, key_path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self._bad_tag(node, key_path)
                return None
            return [self.convert(item, (*key_path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)  # the only other kind of node
        return self._scalar(node, key_path)

    def _mapping(self, node: yaml.MappingNode, key_path: Path) -> dict[str, Any] | None:
        if node.tag != _MAP:
            self._bad_tag(node, key_path)
            return None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != STR:
                self._bad_key(key_node, key_path)
                continue
            key = key_node.value
            if key in result:
                line, _ = self.positions[(*key_path, key)]
                self._fail(
                    key_node,
                    (*key_path, key),
                    f"duplicate field (already given on line {line}; keep only one)",
                )
                continue
            self.positions[(*key_path, key)] = self._at(key_node)
            result[key] = self.convert(value_node, (*key_path, key))
        return result

    def _bad_key(self, key_node: yaml.Node, key_path: Path) -> None:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag in _KINDS:
            name = key_node.value
            self._fail(
                key_node,
                (*key_path, name),
                f"a field name must be text, not {_KINDS[key_node.tag]} (put the name in "
                f'quotes: "{name}": ...)',
            )
        elif isinstance(key_node, yaml.ScalarNode):
            self._bad_tag(key_node, key_path)
        else:
            self._fail(
                key_node,
                key_path,
                "a field name must be plain text, not a list or a group (write a name, "
                "then ': ', then the value)",
            )

    def _scalar(self, node: yaml.ScalarNode, key_path: Path) -> Any:
        value: str = node.value
        self.scalars[key_path] = value
        tag = node.tag
        if tag == STR:
            return value
        pattern = _PATTERNS.get(tag)
        if pattern is None:
            self._bad_tag(node, key_path)
            return None
        if not pattern.match(value):  # an explicit tag such as `!!int abc`
            self._fail(
                node,
                key_path,
                f"'{value}' does not fit the YAML tag '{_shown_tag(tag)}' (remove the tag)",
            )
            return None
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            try:
                if value.startswith(("0o", "0x")):
                    return int(value, 0)
                return int(value)  # decimal, leading zeros allowed: 0755 is 755
            except ValueError:  # more digits than Python converts
                self._fail(node, key_path, "this number is far too long (check the value)")
                return None
        if tag == _FLOAT:
            if value.lstrip("+-").lower() in (".inf", ".nan"):
                return float(value.lower().replace(".", ""))
            return float(value)
        if tag == _DATE:
            try:
                return dt.date.fromisoformat(
                    "-".join(part.zfill(2) for part in value.split("-"))
                )
            except ValueError:
                self._fail(
                    node,
                    key_path,
                    f"'{value}' is not a real date (check the day and the month, "
                    "written YYYY-MM-DD)",
                )
                return None
        raise AssertionError(tag)  # pragma: no cover - _PATTERNS lists every tag handled
