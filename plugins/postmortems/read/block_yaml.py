"""The usual front matter read line by line: libyaml's tree, for a fraction of its cost.

Read through libyaml, most of a front matter's cost is making Python objects (each
event and its two marks) that are dropped at once. Nearly every
post-mortem keeps to a plain part of YAML: block mappings and lists, values on one line
(plain, or quoted without escapes) and one-line lists in brackets, with comments on
lines of their own or after a value. This module reads that part only. It declines
(returns None) at the first line outside it, and wherever
the file would get any problem (a duplicate key, say), leaving the file to
:mod:`reader`'s reading of libyaml's events; so a tree it returns is the one that
reading builds, which a differential test checks.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from postmortems.model.fronttree import Mapping, Node, Scalar, Sequence

if TYPE_CHECKING:
    from postmortems.read.reader import ImplicitTypes

# Anything that takes more than this reading: a tab, a backslash (escapes), a character
# YAML does not allow or reads as a line break (NEL, LS, PS), a byte order mark. Written
# as the few characters it finds: the class of all the others is slow to compile, at
# every start of the command line.
_OUTSIDE = re.compile(
    "[\x00-\x09\x0b-\x1f\\\\\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
# Each line: indent, list dash and the spaces after it, a simple key, the value after ': '.
_ROW = re.compile(r"^( *)(?:-( +))?(?:([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +|$))?(.*?) *$", re.M)
# A plain value starts with none of YAML's indicators ('-' only before a digit).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")
# After a quoted value or a list in brackets, a comment may follow a space.
_DOUBLE = re.compile(r'"([^"]*)"(?: +#.*)?')
_SINGLE = re.compile(r"'([^']*)'(?: +#.*)?")
_FLOW = re.compile(r"\[(.*?)\](?: +#.*)?")
_FLOW_PLAIN_REST = re.compile(r"[^:,\[\]{}#'\"]*")  # what a flow context ends a value at
MAX_NESTING = 10  # far inside reader.MAX_DEPTH: nothing read here is refused as too deep


def _starts_plain(text: str) -> bool:
    """Whether YAML reads a value beginning as ``text`` does as a plain scalar."""
    first = text[0]
    return first not in _INDICATORS or (first == "-" and "0" <= text[1:2] <= "9")


class _Declined(Exception):
    """The text is outside the part read here."""


def read(front_text: str, types: ImplicitTypes) -> Mapping | None:
    """The tree of ``front_text``, or None where it is left to libyaml."""
    if _OUTSIDE.search(front_text):
        return None
    rows = _rows(front_text)
    if not rows or rows[0][1] != 0 or rows[0][2]:
        return None
    reading = _Reading(rows, types)
    try:
        root = reading.mapping(0, 0, item=False)
    except _Declined:
        return None
    return root if reading.at == len(rows) else None


def _rows(front_text: str) -> list[tuple[int, int, bool, int, str | None, str]]:
    """(file line, indent, is a list item, column of the content, key or None, value) of
    each line that holds something; blank lines and comments are skipped. One regex pass
    over the text: it matches once on every line."""
    rows = []
    for number, match in enumerate(_ROW.finditer(front_text), start=2):
        indent, spaces, key, value = match.groups()
        if spaces is None:
            if not value or value[0] == "#":
                if key is None:
                    continue  # blank, or a comment
                value = ""  # 'key: # comment': nothing on the line after the key
            rows.append((number, len(indent), False, len(indent), key, value))
        else:
            rows.append((number, len(indent), True, len(indent) + 1 + len(spaces), key, value))
    return rows


class _Reading:
    """A cursor over the rows, building the tree as libyaml's events would."""

    def __init__(self, rows: list, types: ImplicitTypes) -> None:
        self.rows = rows
        self.at = 0
        self.types = types

    def mapping(self, column: int, depth: int, item: bool) -> Mapping:
        """The keys at ``column`` from the current row on; ``item``: the current row is the
        '- key: value' that opens the mapping as an item of a list."""
        rows = self.rows
        result = Mapping(rows[self.at][0])
        while self.at < len(rows):
            line, indent, dash, _, key, value = rows[self.at]
            if item:
                item = False
            elif indent < column:
                break
            elif indent > column or dash:  # a value continued, or a list where none fits
                raise _Declined
            if key is None or key in result.key_lines:
                raise _Declined
            self.at += 1
            result.key_lines[key] = line
            result[key] = self.value(value, line) if value else self.block(line, column, depth)
        return result

    def block(self, line: int, column: int, depth: int) -> Node:
        """What follows a key with nothing after its ':' — a mapping or list indented
        below it (a list may also start at the key's own column) — or else an empty value."""
        if depth >= MAX_NESTING:
            raise _Declined
        if self.at < len(self.rows):
            _, indent, dash, _, _, _ = self.rows[self.at]
            if indent > column and dash:
                return self.sequence(indent, depth + 1)
            if indent > column:
                return self.mapping(indent, depth + 1, item=False)
            if indent == column and dash:
                return self.sequence(column, depth + 1)
        return self.plain("", line)

    def sequence(self, indent_of_dashes: int, depth: int) -> Sequence:
        rows = self.rows
        result = Sequence(rows[self.at][0])
        while self.at < len(rows):
            line, indent, dash, column, key, value = rows[self.at]
            if indent < indent_of_dashes or (indent == indent_of_dashes and not dash):
                break
            if indent > indent_of_dashes:
                raise _Declined
            if key is not None:
                if depth >= MAX_NESTING:
                    raise _Declined
                result.append(self.mapping(column, depth + 1, item=True))
            elif value:
                self.at += 1
                result.append(self.value(value, line))
            else:
                raise _Declined  # '-' alone: the item is below it
            result.item_lines.append(line)
        return result

    def value(self, text: str, line: int) -> Node:
        """A value written on its line: plain, quoted, or a list in brackets."""
        if _starts_plain(text):
            comment = text.find(" #")
            if comment != -1:
                if text[comment + 2 : comment + 3] not in ("", " "):
                    raise _Declined  # 'C #42': the reader warns that the value stops there
                text = text[:comment].rstrip(" ")
            if ": " in text or text[-1] == ":":
                raise _Declined  # a key where none may be
            return self.plain(text, line)
        if text[0] in ("'", '"'):
            return self.quoted(text, line)
        if text[0] == "[":
            return self.flow(text, line)
        raise _Declined

    def flow(self, text: str, line: int) -> Sequence:
        """'[a, "b", 3]': plain items without ':' or '#', or quoted ones."""
        match = _FLOW.fullmatch(text)
        if match is None:
            raise _Declined
        result = Sequence(line)
        inside = match.group(1).strip(" ")
        for item in inside.split(",") if inside else ():
            item = item.strip(" ")
            if item[:1] in ("'", '"'):
                result.append(self.quoted(item, line))
            elif item and _starts_plain(item) and _FLOW_PLAIN_REST.fullmatch(item):
                result.append(self.plain(item, line))
            else:
                raise _Declined
            result.item_lines.append(line)
        return result

    @staticmethod
    def quoted(text: str, line: int) -> Scalar:
        """'text' or "text" alone on its line, with no escape and no quote inside."""
        match = (_DOUBLE if text[0] == '"' else _SINGLE).fullmatch(text)
        if match is None:
            raise _Declined
        return Scalar(match.group(1), "str", False, line)

    def plain(self, text: str, line: int) -> Scalar:
        tag = self.types.plain_tag(text)
        if tag is None:
            raise _Declined  # a resolver for a type the front matter may not hold
        return Scalar(text, tag, True, line)
