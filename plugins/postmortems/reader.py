"""Reading a post-mortem file: bytes to front-matter tree (with line numbers) and body.

MkDocs swallows front matter it cannot parse, so we read the file ourselves with
the same fence rule (a first line ``---``, closed by ``---`` or ``...``). The YAML is
*composed*, not constructed: every scalar keeps its text, its resolved YAML 1.1
type and its line, so the schema can tell ``no`` typed in a list of services from
``false``, and every problem points at the line that causes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Union

import yaml

from .problems import ProblemSink

try:  # the C loader is several times faster; fall back where libyaml is missing
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

MAX_DEPTH = 20
_FENCE_OPEN = re.compile(r"---[ \t]*")
_FENCE_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_YAML_PREFIX = "tag:yaml.org,2002:"
_PLAIN_TAGS = {"str", "int", "float", "bool", "null", "timestamp"}
# The tags of a plain front matter by their short names, found in one lookup.
_SHORT_TAGS = {_YAML_PREFIX + name: name for name in (*_PLAIN_TAGS, "seq", "map")}
_HASH_IN_VALUE = re.compile(r"[ \t]+#\S")


@dataclass(slots=True)
class Scalar:
    """A YAML scalar as typed: its text, the type YAML 1.1 gives it, and where it is."""

    text: str
    tag: str  # str, int, float, bool, null or timestamp
    plain: bool  # unquoted: only plain scalars get YAML's implicit types
    line: int  # 1-based line in the file


class Mapping(dict):
    """A YAML mapping of text keys; remembers the file line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class Sequence(list):
    """A YAML sequence; remembers its own line and each item's line."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


Node = Union[Scalar, Mapping, Sequence]


@dataclass
class ParsedFile:
    """What reading one file gives: the front-matter tree (or None) and the body."""

    path: str
    front: Mapping | None
    body: str
    body_line: int  # the file line on which the body starts
    problems: ProblemSink = field(repr=False, default=None)  # type: ignore[assignment]
    front_text: str | None = field(repr=False, default=None)  # the YAML as written


def read_file(abs_path: str, display_path: str, max_size: int = 1_000_000) -> ParsedFile:
    """Read and parse one file; never raises for anything the file contains."""
    sink = ProblemSink(display_path)
    try:
        with open(abs_path, "rb") as handle:
            data = handle.read(max_size + 1)
    except OSError as exc:
        sink.error(1, "", f"cannot read the file: {exc.strerror or exc}")
        return ParsedFile(display_path, None, "", 1, sink)
    if len(data) > max_size:
        sink.error(1, "", f"the file is over the size limit of {max_size:,} bytes (max_file_size); "
                          "move logs and large pastes out of the post-mortem")
        return ParsedFile(display_path, None, "", 1, sink)
    return parse_bytes(data, display_path, sink)


def parse_bytes(data: bytes, display_path: str, sink: ProblemSink | None = None) -> ParsedFile:
    """Decode and parse a file's bytes, reporting anything wrong into ``sink``."""
    sink = sink or ProblemSink(display_path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        sink.error(line, "", f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at column "
                             f"{column}); save it as UTF-8")
        return ParsedFile(display_path, None, "", 1, sink)
    return parse_text(text, display_path, sink)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, body's first line) or None when the fences are missing.

    Raises ValueError when a front matter is opened but never closed.
    """
    lines = text.split("\n")
    if not lines or not _FENCE_OPEN.fullmatch(lines[0]):
        return None
    for index in range(1, len(lines)):
        if _FENCE_CLOSE.fullmatch(lines[index]):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            return front, body, index + 2
    raise ValueError("unclosed")


def parse_text(text: str, display_path: str, sink: ProblemSink | None = None) -> ParsedFile:
    """Parse a decoded file: a BOM and CRLF line ends are taken as if absent."""
    sink = sink or ProblemSink(display_path)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        sink.error(1, "", "the file is empty; a post-mortem starts with front matter between '---' lines")
        return ParsedFile(display_path, None, "", 1, sink)
    try:
        parts = split_front_matter(text)
    except ValueError:
        sink.error(1, "", "the front matter opened on line 1 is never closed; "
                          "add a line '---' after the last key")
        return ParsedFile(display_path, None, text, 1, sink)
    if parts is None:
        sink.error(1, "", "no front matter: a post-mortem starts with a line '---', "
                          "then YAML keys (id, title, severity, status, started), then '---'")
        return ParsedFile(display_path, None, text, 1, sink)
    front_text, body, body_line = parts
    front = _compose(front_text, sink)
    return ParsedFile(display_path, front, body, body_line, sink, front_text)


def _compose(front_text: str, sink: ProblemSink) -> Mapping | None:
    """Compose the YAML and convert it to our line-aware tree."""
    try:
        node = yaml.compose(front_text, Loader=_Loader)
    except yaml.YAMLError as exc:
        _report_yaml_error(exc, front_text, sink)
        return None
    except RecursionError:
        sink.error(2, "", f"the front matter is nested too deeply (over {MAX_DEPTH} levels)")
        return None
    if node is None:
        return Mapping(2)
    if not isinstance(node, yaml.MappingNode):
        sink.error(node.start_mark.line + 2, "",
                   "the front matter must be a mapping of keys to values (key: value), "
                   f"not a {_kind(node)}")
        return None
    converter = _Converter(front_text, sink)
    result = converter.convert(node, 0)
    return result if isinstance(result, Mapping) else None


def _kind(node: yaml.Node) -> str:
    return {"ScalarNode": "single value", "SequenceNode": "list"}.get(type(node).__name__, "value")


def _report_yaml_error(exc: yaml.YAMLError, front_text: str, sink: ProblemSink) -> None:
    """Turn a YAML syntax error into a line with a reason people can act on."""
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context", None) or ""
    opened = getattr(exc, "context_mark", None)
    if "flow" in context and opened is not None and mark is not None and opened.line < mark.line:
        sink.error(opened.line + 2, _key_on_line(front_text, opened.line),
                   f"invalid YAML: the list or mapping opened with '[' or '{{' on this line is "
                   f"not closed ({exc.problem})")
        return
    line0 = mark.line if mark is not None else 0
    column = mark.column if mark is not None else 0
    source_lines = front_text.split("\n")
    source = source_lines[line0] if line0 < len(source_lines) else ""
    char = source[column] if column < len(source) else ""
    problem = getattr(exc, "problem", None) or str(exc)
    if char == "\t" or (not char.strip() and "\t" in source[: column + 1]):
        message = "a tab character in the front matter; YAML needs spaces for indentation"
    elif char and char in "@`" and "cannot start any token" in problem:
        value = source[column:].strip()
        message = (f"a value cannot start with '{char}' unless quoted; "
                   f"write it as \"{value}\"")
    elif "mapping values are not allowed" in problem:
        message = ("a ': ' inside a value; put the value in quotes, or fix the indentation "
                   "if this was meant to be a key")
    else:
        message = f"invalid YAML: {problem}"
    sink.error(line0 + 2, _key_on_line(front_text, line0), message)


def _key_on_line(front_text: str, line0: int) -> str:
    """The key written on a front-matter line, for naming the field of a syntax error."""
    lines = front_text.split("\n")
    if 0 <= line0 < len(lines):
        match = re.match(r"\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:", lines[line0])
        if match:
            return match.group(1)
    return ""


def _short_tag(tag: str) -> str:
    return tag[len(_YAML_PREFIX):] if tag.startswith(_YAML_PREFIX) else tag


class _Converter:
    """Walks composed YAML nodes into Scalar/Mapping/Sequence, refusing what is unsafe."""

    def __init__(self, front_text: str, sink: ProblemSink) -> None:
        self.front_text = front_text
        self.sink = sink
        # One scan of the text each, not one test per value: without an anchor ('&') no
        # node can be reached twice, and without ' #' no value can be cut by a comment.
        self.seen: set[int] | None = set() if "&" in front_text else None
        self.alias_lines: set[int] = set()
        self.may_cut = bool(_HASH_IN_VALUE.search(front_text))

    def convert(self, node: yaml.Node, depth: int, field: str = "",
                at_line: int | None = None) -> Node | None:
        line = node.start_mark.line + 2
        if depth > MAX_DEPTH:
            self.sink.error(line, field, f"nested too deeply (over {MAX_DEPTH} levels)")
            return None
        if self.seen is not None and self._seen_before(node, at_line or line, field):
            return None
        tag = _SHORT_TAGS.get(node.tag) or _short_tag(node.tag)
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self._scalar(node, tag, line, field)
        if kind is yaml.MappingNode and tag == "map":
            return self._mapping(node, depth, line, field)
        if kind is yaml.SequenceNode and tag == "seq":
            return self._sequence(node, depth, line, field)
        shown = "!!" + tag if node.tag.startswith(_YAML_PREFIX) else tag
        self.sink.error(line, field, f"YAML tags such as '{shown}' are not allowed; remove the tag")
        return None

    def _seen_before(self, node: yaml.Node, where: int, field: str) -> bool:
        """An alias: the node was reached before through its anchor."""
        if id(node) not in self.seen:  # type: ignore[operator]
            self.seen.add(id(node))  # type: ignore[union-attr]
            return False
        if where not in self.alias_lines:  # once a line, however many aliases it holds
            self.alias_lines.add(where)
            self.sink.error(where, field, "YAML anchors and aliases (&name, *name) are not "
                                          "allowed; write the value out")
        return True

    def _scalar(self, node: yaml.ScalarNode, tag: str, line: int, field: str) -> Scalar | None:
        if tag not in _PLAIN_TAGS:
            self.sink.error(line, field, f"YAML tags such as '!!{tag}' are not allowed; remove the tag")
            return None
        plain = not node.style  # libyaml gives "" for plain, PyYAML None
        if plain and self.may_cut and tag == "str":
            self._check_cut_by_hash(node, field)
        return Scalar(node.value, tag, plain, line)

    def _check_cut_by_hash(self, node: yaml.ScalarNode, field: str) -> None:
        """Warn where an unquoted '#' turned the rest of a value into a comment."""
        end = node.end_mark.index
        rest = self.front_text[end: self.front_text.find("\n", end) % (len(self.front_text) + 1)]
        if _HASH_IN_VALUE.match(rest):
            self.sink.warning(node.start_mark.line + 2, field,
                              f"the value stops before '{rest.strip()}': YAML reads an unquoted "
                              f"' #' as the start of a comment, so this is '{node.value}'; "
                              "put the whole value in quotes")

    def _sequence(self, node: yaml.SequenceNode, depth: int, line: int, field: str) -> Sequence:
        result = Sequence(line)
        for item in node.value:
            converted = self.convert(item, depth + 1, field, item.start_mark.line + 2)
            if converted is not None:
                result.append(converted)
                result.item_lines.append(item.start_mark.line + 2)
        return result

    def _mapping(self, node: yaml.MappingNode, depth: int, line: int, field: str) -> Mapping:
        result = Mapping(line)
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 2
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _YAML_PREFIX + "merge":
                self.sink.error(key_line, field, "keys must be plain names (merge keys '<<' and "
                                                 "complex keys are not allowed)")
                continue
            key = key_node.value
            name = f"{field}.{key}" if field else key
            if key in result.key_lines:
                self.sink.error(key_line, name, f"duplicate key; it is already set on line "
                                                f"{result.key_lines[key]} and YAML would silently "
                                                "keep only the last one")
                continue
            value = self.convert(value_node, depth + 1, name, key_line)
            result.key_lines[key] = key_line
            if value is not None:
                result[key] = value
        return result
