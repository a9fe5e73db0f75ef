"""Reading a post-mortem file: bytes to front-matter tree (with line numbers) and body.

MkDocs swallows front matter it cannot parse, so we read the file ourselves with
the same fence rule (a first line ``---``, closed by ``---`` or ``...``). The YAML is
parsed, not constructed: every scalar keeps its text, its resolved YAML 1.1
type and its line, so the schema can tell ``no`` typed in a list of services from
``false``, and every problem points at the line that causes it.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any, NamedTuple

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from postmortems.model.fronttree import Mapping, Node, Scalar, Sequence
from postmortems.model.problems import ProblemSink

from . import block_yaml

try:  # libyaml's parser is several times faster; fall back where it is missing
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover
    _Parser = yaml.SafeLoader
# Whose implicit types (YAML 1.1: int, bool, timestamp, ...) a plain value gets.
_RESOLVER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 20
_FENCE_OPEN = re.compile(r"---[ \t]*")
_FENCE_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_YAML_PREFIX = "tag:yaml.org,2002:"
_PLAIN_TAGS = {"str", "int", "float", "bool", "null", "timestamp"}
# The tags of a plain front matter by their short names, found in one lookup.
_SHORT_TAGS = {_YAML_PREFIX + name: name for name in (*_PLAIN_TAGS, "seq", "map")}
_HASH_IN_VALUE = re.compile(r"[ \t]+#\S")


class ParsedFile(NamedTuple):
    """What reading one file gives: the front-matter tree (or None) and the body."""

    path: str
    front: Mapping | None
    body: str
    body_line: int  # the file line on which the body starts
    problems: ProblemSink = None  # type: ignore[assignment]
    front_text: str | None = None  # the YAML as written


def read_file(abs_path: str, display_path: str, max_size: int, usual: bool = True) -> ParsedFile:
    """Read and parse one file; never raises for anything the file contains. ``usual``:
    front matter of the usual shape may be read line by line (see :func:`parse_bytes`)."""
    sink = ProblemSink(display_path)
    try:
        data = _read_at_most(abs_path, max_size + 1)
    except OSError as exc:
        sink.error(1, "", f"cannot read the file: {exc.strerror or exc}")
        return ParsedFile(display_path, None, "", 1, sink)
    if len(data) > max_size:
        sink.error(
            1,
            "",
            f"the file is over the size limit of {max_size:,} bytes (max_file_size); "
            "move logs and large pastes out of the post-mortem",
        )
        return ParsedFile(display_path, None, "", 1, sink)
    return parse_bytes(data, display_path, sink, usual)


def _read_at_most(path: str, limit: int) -> bytes:
    """The file's first ``limit`` bytes (all of a file under it), by the system calls
    themselves: Python's file objects are costly to make and close. Asking for the file's
    size plus one, not for ``limit``, spares allocating (and faulting in) ``limit`` bytes a
    file; a file that grows meanwhile is read on."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        data = os.read(handle, min(os.fstat(handle).st_size + 1, limit))
        while len(data) < limit:
            more = os.read(handle, limit - len(data))
            if not more:
                break
            data += more
        return data
    finally:
        os.close(handle)


def parse_bytes(
    data: bytes, display_path: str, sink: ProblemSink | None = None, usual: bool = True
) -> ParsedFile:
    """Decode and parse a file's bytes, reporting anything wrong into ``sink``; with
    ``usual``, front matter of the usual shape is read line by line (the fast path)."""
    sink = sink or ProblemSink(display_path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        sink.error(
            line,
            "",
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at column "
            f"{column}); save it as UTF-8",
        )
        return ParsedFile(display_path, None, "", 1, sink)
    return parse_text(text, display_path, sink, usual)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, body's first line) or None when the fences are missing.

    Raises ValueError when a front matter is opened but never closed.
    """
    first_end = text.find("\n")
    if not _FENCE_OPEN.fullmatch(text if first_end == -1 else text[:first_end]):
        return None
    fence = -1 if first_end == -1 else _closing_fence(text, first_end)
    if fence == -1:
        raise ValueError("unclosed")
    fence_end = text.find("\n", fence)
    front = text[first_end + 1 : max(fence - 1, first_end + 1)]
    body = "" if fence_end == -1 else text[fence_end + 1 :]
    return front, body, text.count("\n", 0, fence) + 2


def _closing_fence(text: str, after: int) -> int:
    """Where the first line after position ``after`` that is '---' or '...' starts, or -1.
    Only lines starting with either are read, found by searching the text; '...' (rare)
    is looked for only before the first '---', not through the whole body."""
    dashes = _first_line_matching(text, "---", after, len(text))
    dots = _first_line_matching(text, "...", after, len(text) if dashes == -1 else dashes)
    return dashes if dots == -1 else dots


def _first_line_matching(text: str, mark: str, after: int, before: int) -> int:
    found = text.find("\n" + mark, after, before)
    while found != -1:
        end = text.find("\n", found + 1)
        if _FENCE_CLOSE.fullmatch(text, found + 1, len(text) if end == -1 else end):
            return found + 1
        found = text.find("\n" + mark, found + 1, before)
    return -1


def parse_text(
    text: str, display_path: str, sink: ProblemSink | None = None, usual: bool = True
) -> ParsedFile:
    """Parse a decoded file: a BOM and CRLF line ends are taken as if absent."""
    sink = sink or ProblemSink(display_path)
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        sink.error(
            1, "", "the file is empty; a post-mortem starts with front matter between '---' lines"
        )
        return ParsedFile(display_path, None, "", 1, sink)
    try:
        parts = split_front_matter(text)
    except ValueError:
        sink.error(
            1,
            "",
            "the front matter opened on line 1 is never closed; "
            "add a line '---' after the last key",
        )
        return ParsedFile(display_path, None, text, 1, sink)
    if parts is None:
        sink.error(
            1,
            "",
            "no front matter: a post-mortem starts with a line '---', "
            "then YAML keys (id, title, severity, status, started), then '---'",
        )
        return ParsedFile(display_path, None, text, 1, sink)
    front_text, body, body_line = parts
    front = _compose(front_text, sink, usual)
    return ParsedFile(display_path, front, body, body_line, sink, front_text)


_SALVAGE_KEY = re.compile(r"[A-Za-z_][\w-]*:[ \t]+\S")


def salvage(front_text: str) -> Mapping | None:
    """What can still be read of a front matter that is not valid YAML: each top-level
    key whose whole value is on its own line and reads alone, at its own line. Its
    problems are not reported again (the file has its syntax error), but the id, title
    and figures it yields keep the file in the data, the links and the charts."""
    lines = front_text.split("\n")
    kept = [""] * len(lines)
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not _SALVAGE_KEY.match(line) or following[:1] in (" ", "\t"):
            continue
        try:
            if isinstance(yaml.load(line, Loader=_RESOLVER), dict):
                kept[index] = line
        except yaml.YAMLError:
            continue
    if not any(kept):
        return None
    return compose_events("\n".join(kept), ProblemSink(""))


def _compose(front_text: str, sink: ProblemSink, usual: bool = True) -> Mapping | None:
    """Parse the YAML and build our line-aware tree: the usual front matter line by line
    (with ``usual``), anything else (and anything with a problem) from libyaml's events."""
    tree = block_yaml.read(front_text, implicit_types()) if usual else None
    if tree is not None:
        return tree
    return compose_events(front_text, sink)


def compose_events(front_text: str, sink: ProblemSink) -> Mapping | None:
    """The tree built from libyaml's events; problems are kept only if the whole text
    parses (a syntax error anywhere is the one thing reported, as with compose)."""
    loader = _Parser(front_text)
    built = ProblemSink(sink.path)
    try:
        root = _TreeBuilder(loader, front_text, built).document()
    except yaml.YAMLError as exc:
        _report_yaml_error(exc, front_text, sink)
        return None
    finally:
        loader.dispose()
    sink.items.extend(built.items)
    return root


def _kind(event: yaml.Event) -> str:
    if isinstance(event, ScalarEvent):
        return "single value"
    return "list" if isinstance(event, SequenceStartEvent) else "value"


def _report_yaml_error(exc: yaml.YAMLError, front_text: str, sink: ProblemSink) -> None:
    """Turn a YAML syntax error into a line with a reason people can act on."""
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context", None) or ""
    opened = getattr(exc, "context_mark", None)
    if "flow" in context and opened is not None and mark is not None and opened.line < mark.line:
        sink.error(
            opened.line + 2,
            _key_on_line(front_text, opened.line),
            f"invalid YAML: the list or mapping opened with '[' or '{{' on this line is "
            f"not closed ({exc.problem})",
        )
        return
    unclosed = _unclosed_quote(front_text, mark.line if mark is not None else 0)
    if unclosed is not None:
        line0, quote = unclosed
        sink.error(
            line0 + 2,
            _key_on_line(front_text, line0),
            f"invalid YAML: the quote {quote} opened on this line is not closed on it, so the "
            f"lines below were read as part of this value; end the value with {quote}",
        )
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
        message = f"a value cannot start with '{char}' unless quoted; write it as \"{value}\""
    elif "another document" in problem:
        message = (
            "'---' starts a second YAML document; the front matter is one mapping: "
            "remove the line, or quote a value that starts with '---'"
        )
    elif "mapping values are not allowed" in problem:
        message = (
            "a ': ' inside a value; put the value in quotes, or fix the indentation "
            "if this was meant to be a key"
        )
    else:
        message = f"invalid YAML: {problem}"
    sink.error(line0 + 2, _key_on_line(front_text, line0), message)


_QUOTED_VALUE = re.compile(r"\s*(?:-\s+)?[\w-]+:\s+([\"'])(.*)$")
_KEY_LINE = re.compile(r"\s*(?:-\s+)?[\w-]+:(?:\s|$)")


def _unclosed_quote(front_text: str, until: int) -> tuple[int, str] | None:
    """The first line, up to the error's, whose value opens a quote it does not close
    while the next line starts a key: the quote then ran on, and the error was reported
    wherever it happened to end. (line index, quote)"""
    lines = front_text.split("\n")
    for index in range(min(until, len(lines) - 1)):
        match = _QUOTED_VALUE.match(lines[index])
        if match is None or not _KEY_LINE.match(lines[index + 1]):
            continue
        quote, rest = match.groups()
        rest = re.sub(r"\\.", "", rest) if quote == '"' else rest.replace("''", "")
        if quote not in rest:
            return index, quote
    return None


def _key_on_line(front_text: str, line0: int) -> str:
    """The key written on a front-matter line, for naming the field of a syntax error."""
    lines = front_text.split("\n")
    if 0 <= line0 < len(lines):
        match = re.match(r"\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:", lines[line0])
        if match:
            return match.group(1)
    return ""


def _short_tag(tag: str) -> str:
    return tag[len(_YAML_PREFIX) :] if tag.startswith(_YAML_PREFIX) else tag


def _shown_tag(tag: str) -> str:
    """A tag as it is written: '!!set' for YAML's own, '!foo' for a local one."""
    return "!!" + _short_tag(tag) if tag.startswith(_YAML_PREFIX) else tag


_MERGE_TAG = _YAML_PREFIX + "merge"
_RESOLVED = ("", "!")  # tags that leave the type to YAML (none written, or a bare '!')


class ImplicitTypes:
    """The tag YAML's resolver gives a plain value, worked out by one regex match.

    The resolver tries its regexes for the value's first character one by one, in a
    Python loop; here they are joined into one alternation per first character, in the
    same order, so the first that matches still wins, in one match.
    A value whose first character no regex is listed under is a string without a match.
    """

    def __init__(self, resolvers: dict[Any, list[tuple[str, re.Pattern]]]) -> None:
        wildcards = resolvers.get(None, [])
        self.everything_typed = bool(wildcards)  # a resolver for any first character
        self.starts = frozenset(c for c in resolvers if c is not None)
        self.by_start = {
            c: _alternation(entries + wildcards)
            for c, entries in resolvers.items()
            if c is not None
        }
        self.wildcards = _alternation(wildcards)

    def tag(self, value: str) -> str:
        pattern, tags = self.by_start.get(value[:1], self.wildcards)
        match = pattern.match(value) if tags else None
        return tags[match.lastgroup] if match else _YAML_PREFIX + "str"

    def may_type(self, value: str) -> bool:
        """Whether a plain ``value`` may be anything but a string (asked before :meth:`tag`)."""
        return self.everything_typed or value[:1] in self.starts

    def plain_tag(self, value: str) -> str | None:
        """The short tag of a plain ``value`` ('str', 'int', ...), None for a type a front
        matter may not hold (a resolver added for another tag)."""
        if not self.may_type(value):
            return "str"
        tag = _SHORT_TAGS.get(self.tag(value))
        return tag if tag in _PLAIN_TAGS else None


def _alternation(entries: list[tuple[str, re.Pattern]]) -> tuple[re.Pattern, dict[str, str]]:
    """One regex matching where the first of ``entries`` to match does, and the tag of each
    alternative by its group's name."""
    parts, tags = [], {}
    for index, (tag, regex) in enumerate(entries):
        flags = "".join(
            letter
            for flag, letter in ((re.I, "i"), (re.M, "m"), (re.S, "s"), (re.X, "x"))
            if regex.flags & flag
        )
        parts.append(
            f"(?P<t{index}>(?{flags}:{regex.pattern}))"
            if flags
            else f"(?P<t{index}>{regex.pattern})"
        )
        tags[f"t{index}"] = tag
    return re.compile("|".join(parts) or "(?!)"), tags


@functools.lru_cache(maxsize=4)
def _implicit_types(count: int) -> ImplicitTypes:
    """Keyed by the number of resolvers: they are only ever added to
    (yaml.add_implicit_resolver)."""
    del count  # the key only
    return ImplicitTypes(_RESOLVER.yaml_implicit_resolvers)


def implicit_types() -> ImplicitTypes:
    """The resolvers as they are now."""
    return _implicit_types(sum(map(len, _RESOLVER.yaml_implicit_resolvers.values())))


class _TreeBuilder:
    """Builds Scalar/Mapping/Sequence from the YAML parser's events, refusing what is unsafe.

    Built from events rather than from ``yaml.compose``'s nodes: composing calls back into
    Python three times a node (to resolve its type and to track a path nobody set) and
    builds a tree only to be walked once; from events, only a plain scalar that could be a
    number, a boolean or a null asks YAML's resolver. A second document is refused with
    compose's own error. Every alias is refused where it is written, so anchors need no
    bookkeeping: an anchor that nothing refers to changes nothing.
    """

    def __init__(self, loader: Any, front_text: str, sink: ProblemSink) -> None:
        self.next_event = loader.get_event
        self.types = implicit_types()
        self.front_text = front_text
        self.sink = sink
        self.alias_lines: set[int] = set()
        # One scan of the text, not one test per value: without ' #' no value can be cut
        # by a comment.
        self.may_cut = "#" in front_text and bool(_HASH_IN_VALUE.search(front_text))

    def document(self) -> Mapping | None:
        """The tree of the one document, an empty Mapping for none, None if not a mapping."""
        self.next_event()  # the stream's start
        if isinstance(self.next_event(), StreamEndEvent):  # only comments, or nothing
            return Mapping(2)
        root = self.next_event()
        if isinstance(root, MappingStartEvent):
            result = self.node(root, 0, "", None)
        else:
            self.skip(root)
            result = None
        self._single_document(root)
        if not isinstance(root, MappingStartEvent):
            self.sink.error(
                root.start_mark.line + 2,
                "",
                "the front matter must be a mapping of "
                f"keys to values (key: value), not a {_kind(root)}",
            )
        return result if isinstance(result, Mapping) else None

    def _single_document(self, root: Any) -> None:
        self.next_event()  # the document's end
        event = self.next_event()
        if not isinstance(event, StreamEndEvent):
            raise ComposerError(
                "expected a single document in the stream",
                root.start_mark,
                "but found another document",
                event.start_mark,
            )

    def node(self, event: Any, depth: int, field: str, at_line: int | None) -> Node | None:
        line = event.start_mark.line + 2
        if depth > MAX_DEPTH:
            self.sink.error(line, field, f"nested too deeply (over {MAX_DEPTH} levels)")
            self.skip(event)
            return None
        kind = type(event)
        if kind is AliasEvent:
            self._alias(at_line or line, field)
            return None
        if kind is ScalarEvent:
            return self._scalar(event, line, field)
        tag = event.tag or ""
        if kind is MappingStartEvent and (tag in _RESOLVED or tag == _YAML_PREFIX + "map"):
            return self._mapping(depth, line, field)
        if kind is SequenceStartEvent and (tag in _RESOLVED or tag == _YAML_PREFIX + "seq"):
            return self._sequence(depth, line, field)
        self.skip(event)
        self._refuse_tag(tag, line, field)
        return None

    def _refuse_tag(self, tag: str, line: int, field: str) -> None:
        self.sink.error(
            line, field, f"YAML tags such as '{_shown_tag(tag)}' are not allowed; remove the tag"
        )

    def skip(self, event: Any) -> None:
        """Read past the events of a value not built (what it holds is not checked)."""
        open_collections = 0
        while True:
            kind = type(event)
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                open_collections += 1
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                open_collections -= 1
            if open_collections == 0:
                return
            event = self.next_event()

    def _alias(self, where: int, field: str) -> None:
        """An alias: refused once a line, however many aliases the line holds."""
        if where not in self.alias_lines:
            self.alias_lines.add(where)
            self.sink.error(
                where,
                field,
                "YAML anchors and aliases (&name, *name) are not allowed; write the value out",
            )

    def _scalar(self, event: Any, line: int, field: str) -> Scalar | None:
        value = event.value
        full_tag = event.tag
        if full_tag is not None and full_tag != "!":
            tag = _SHORT_TAGS.get(full_tag)
        elif not event.implicit[0] or not self.types.may_type(value):
            tag = "str"  # what the resolver would say, without asking it
        else:
            full_tag = self.types.tag(value)
            tag = _SHORT_TAGS.get(full_tag)
        if tag not in _PLAIN_TAGS:
            self._refuse_tag(full_tag, line, field)
            return None
        plain = not event.style  # libyaml gives "" for plain, PyYAML None
        if plain and self.may_cut and tag == "str":
            self._check_cut_by_hash(event, field)
        return Scalar(value, tag, plain, line)

    def _check_cut_by_hash(self, event: Any, field: str) -> None:
        """Warn where an unquoted '#' turned the rest of a value into a comment."""
        end = event.end_mark.index
        rest = self.front_text[end : self.front_text.find("\n", end) % (len(self.front_text) + 1)]
        if _HASH_IN_VALUE.match(rest):
            self.sink.warning(
                event.start_mark.line + 2,
                field,
                f"the value stops before '{rest.strip()}': YAML reads an unquoted "
                f"' #' as the start of a comment, so this is '{event.value}'; "
                "put the whole value in quotes",
            )

    def _value(self, event: Any, depth: int, field: str, at_line: int) -> Node | None:
        """:meth:`node` for the value of a key or an item of a list at ``depth``; a plain
        value (most of them) goes straight to :meth:`_scalar`."""
        if type(event) is ScalarEvent and depth <= MAX_DEPTH:
            return self._scalar(event, event.start_mark.line + 2, field)
        return self.node(event, depth, field, at_line)

    def _sequence(self, depth: int, line: int, field: str) -> Sequence:
        result = Sequence(line)
        next_event = self.next_event
        event = next_event()
        while type(event) is not SequenceEndEvent:
            item_line = event.start_mark.line + 2
            converted = self._value(event, depth + 1, field, item_line)
            if converted is not None:
                result.append(converted)
                result.item_lines.append(item_line)
            event = next_event()
        return result

    def _mapping(self, depth: int, line: int, field: str) -> Mapping:
        result = Mapping(line)
        next_event = self.next_event
        event = next_event()
        while type(event) is not MappingEndEvent:
            key_line = event.start_mark.line + 2
            if type(event) is ScalarEvent and event.tag is None and event.value != "<<":
                key: str | None = event.value  # a plain name: most keys
            else:
                key = self._key(event, key_line, field)
            event = next_event()  # the value
            name = f"{field}.{key}" if field else key
            if key is None:
                self.skip(event)
            elif key in result.key_lines:
                self.sink.error(
                    key_line,
                    name,
                    f"duplicate key; it is already set on line "
                    f"{result.key_lines[key]} and YAML would silently "
                    "keep only the last one",
                )
                self.skip(event)
            else:
                value = self._value(event, depth + 1, name, key_line)
                result.key_lines[key] = key_line
                if value is not None:
                    result[key] = value
            event = next_event()
        return result

    def _key(self, event: Any, key_line: int, field: str) -> str | None:
        """A key's text, or None (reported) for a merge key '<<' or a key that is a list,
        a mapping or an alias."""
        if type(event) is ScalarEvent and not self._is_merge(event):
            return event.value
        if type(event) is AliasEvent:
            self._alias(key_line, field)
            return None
        self.skip(event)
        self.sink.error(
            key_line,
            field,
            "keys must be plain names (merge keys '<<' and complex keys are not allowed)",
        )
        return None

    @staticmethod
    def _is_merge(event: Any) -> bool:
        """What resolving would say: only a plain '<<' (or one tagged !!merge) is a merge key."""
        if event.tag is None or event.tag == "!":
            return event.implicit[0] and event.value == "<<"
        return event.tag == _MERGE_TAG
