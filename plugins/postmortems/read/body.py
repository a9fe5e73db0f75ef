"""The Markdown body of a post-mortem: its sections, and the timeline table.

Sections are found by their headings (``## Root cause``, any level from 2 to 4,
case and punctuation ignored). HTML comments (the template's guidance) and
whitespace do not count as content, so an untouched template section is empty.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

_FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+\1")
_RULE_CELL_RE = re.compile(r":?-{3,}:?")
_ZONE_RE = re.compile(r"\(([A-Za-z_/+\-0-9:]+)\)")

# Canonical section name -> the headings people write for it.
SECTIONS = {
    "summary": ("summary", "executive summary", "overview"),
    "leadup": ("leadup", "lead-up", "lead up", "background"),
    "fault": ("fault", "what happened"),
    "impact": ("impact", "customer impact"),
    "detection": ("detection",),
    "response": ("response",),
    "recovery": ("recovery", "resolution"),
    "timeline": ("timeline",),
    "five whys": ("five whys", "5 whys", "why"),
    "root cause": ("root cause", "root causes", "cause"),
    "backlog check": ("backlog check", "backlog"),
    "recurrence": ("recurrence",),
    "lessons learned": ("lessons learned", "lessons", "what went well"),
    "corrective actions": ("corrective actions", "action items", "follow-up"),
}
# A heading as people write it (normalised) -> its canonical section name.
CANONICAL = {alias: name for name, aliases in SECTIONS.items() for alias in aliases}


_NOT_NAME_RE = re.compile(r"[^a-z0-9 -]+")


@functools.lru_cache(maxsize=4096)  # the same dozen headings, in every file
def _norm(title: str) -> str:
    return _NOT_NAME_RE.sub("", title.lower()).strip()


def heading_title(line: str) -> str | None:
    """The title of a level 2 to 4 ATX heading ('## Root cause ##'), or None: what
    ``^(#{2,4})\\s+(.+?)\\s*#*\\s*$`` reads, without a regex call for each heading."""
    hashes = len(line) - len(line.lstrip("#"))
    rest = line[hashes:]
    if not 2 <= hashes <= 4 or not rest[:1].isspace():
        return None
    text = rest.lstrip()
    if not text:  # only whitespace: the last character is the title, if there are two
        return rest[-1] if len(rest) > 1 else None
    # The closing sequence: trailing whitespace, one run of '#', whitespace before it.
    title = text.rstrip().rstrip("#").rstrip()
    return title or text[0]


def fenced(lines: list[str]) -> Iterator[bool]:
    """For each line, whether it belongs to fenced code (its fences included)."""
    fence: str | None = None
    for line in lines:
        opener = _FENCE_RE.match(line) if "`" in line or "~" in line else None
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            yield True
        elif opener:
            fence = opener.group(1)
            yield True
        else:
            yield False


@functools.lru_cache(maxsize=8)  # the placeholder and the wording checks read the same body
def prose(body: str) -> str:
    """The body as checks of the wording read it: lines of fenced code blanked and inline
    code removed (a log line may say anything). Lines stay where they were."""
    if "`" not in body and "~" not in body:
        return body  # most bodies: no code at all
    lines = body.split("\n")
    return "\n".join(
        "" if code else _INLINE_CODE_RE.sub("", line) if "`" in line else line
        for line, code in zip(lines, fenced(lines))
    )


@functools.lru_cache(maxsize=8)  # the checks that ask share a body, and its prose
def _lowered(text: str) -> str:
    return text.lower()


def prose_matches(
    pattern: re.Pattern[str], body: str, first_line: int, hint: str | None = None
) -> Iterator[tuple[int, re.Match[str]]]:
    """(file line, match) of each match of ``pattern`` in the :func:`prose`: one search of
    the text, not one per line. The pattern must not match across a line's end.

    ``hint``, lower-case text that every match holds in some case, narrows the search to
    the lines holding it. A regex that starts with a word boundary, or with a letter while
    ignoring case, tries every position of the text; a plain search for the hint is far
    cheaper.
    """
    text = prose(body)
    line, counted_to = first_line, 0
    for start, end in _lines_holding(text, hint):
        for match in pattern.finditer(text, start, end):
            line += text.count("\n", counted_to, match.start())
            counted_to = match.start()
            yield line, match


def _lines_holding(text: str, hint: str | None) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of ``text`` whose lower case holds ``hint``, in order;
    the whole text when there is no hint, or when lower-casing changes its length (a few
    letters, such as the dotted capital I, lower to two characters), so offsets differ."""
    folded = _lowered(text) if hint is not None else ""
    if hint is None or len(folded) != len(text):
        yield 0, len(text)
        return
    found = folded.find(hint)
    while found != -1:
        end = folded.find("\n", found)
        end = len(text) if end == -1 else end
        yield folded.rfind("\n", 0, found) + 1, end
        found = folded.find(hint, end)


class Header(NamedTuple):
    """A table's header row: its file line and the zone named in its first cell."""

    line: int
    zone: str | None


class Row(NamedTuple):
    line: int
    when: str  # the first cell as written


class Section:
    """A part of the body under one heading, as lines of the body (not copied)."""

    __slots__ = ("name", "line", "body_lines", "start", "end", "_text", "_rows", "written")

    def __init__(
        self, name: str, line: int, body_lines: list[str], start: int = 0, end: int = 0
    ) -> None:
        self.name = name  # canonical name, or the heading as written
        self.line = line  # file line of the heading
        self.body_lines = body_lines  # every line of the body
        self.start = start  # index in body_lines of the section's first content line
        self.end = end  # index in body_lines after its last
        # Cached (by hand: functools.cached_property takes a lock on each read): the checks
        # of the current status and the list of what the next one needs both ask, and the
        # timeline check asks for the rows again.
        self._text: str | None = None
        self._rows: list[Row] | None = None
        self.written: bool | None = None  # whether it is more than template text: template.written

    def __repr__(self) -> str:
        return f"Section({self.name!r}, line {self.line})"

    @property
    def title(self) -> str:
        """The heading as written ('Incident timeline')."""
        return heading_title(self.body_lines[self.start - 1].strip()) or self.name

    @property
    def text(self) -> str:
        if self._text is None:
            content = "\n".join(self.body_lines[self.start : self.end])
            self._text = (
                _COMMENT_RE.sub("", content).strip() if "<!--" in content else content.strip()
            )
        return self._text

    @property
    def table_rows(self) -> list[Row]:
        """The data rows of the first Markdown table (header and rule skipped)."""
        if self._rows is None:
            self._rows = self._find_rows()
        return self._rows

    def _find_rows(self) -> list[Row]:
        rows: list[Row] = []
        seen_rule = False
        for index in range(self.start, self.end):
            stripped = self.body_lines[index].strip()
            if not stripped.startswith("|"):
                if seen_rule and rows:
                    break
                continue
            if seen_rule:  # only the first cell, the time, is read
                when = stripped.lstrip("|").split("|", 1)[0].strip()
                rows.append(Row(self.line + 1 + index - self.start, when))
                continue
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            seen_rule = all(_RULE_CELL_RE.fullmatch(c) for c in cells if c)
        return rows

    @property
    def table_header(self) -> Header | None:
        """The first table's header row: its file line and the zone its first cell names
        ('UTC' in '| Time (UTC) |'), if any."""
        for index in range(self.start, self.end):
            line = self.body_lines[index]
            if line.strip().startswith("|"):
                match = _ZONE_RE.search(line.split("|")[1])
                return Header(self.line + 1 + index - self.start, match.group(1) if match else None)
        return None


def _marked_lines(body: str) -> list[int]:
    """Offsets of the lines that start with '#' or hold '```' or '~~~': the only lines that
    can be headings or fences. Found by searches for one character, which run at memory
    speed; a search for two or three characters walks the text far more slowly."""
    starts = set()
    position = body.find("#")
    while position != -1:
        if position == 0 or body[position - 1] == "\n":
            starts.add(position)
            position = body.find("\n", position)  # no other line starts on this one
            if position == -1:
                break
        position = body.find("#", position + 1)
    for fence in ("```", "~~~"):
        position = body.find(fence) if fence[0] in body else -1
        while position != -1:
            starts.add(body.rfind("\n", 0, position) + 1)
            line_end = body.find("\n", position)
            position = body.find(fence, line_end) if line_end != -1 else -1
    return sorted(starts)


def sections(body: str, first_line: int) -> dict[str, Section]:
    """The body's sections by canonical name (the first of each name).

    A section runs from its heading to the next heading outside fenced code.
    """
    lines = body.split("\n")
    found: dict[str, Section] = {}
    current: Section | None = None
    fence: str | None = None
    index, offset = 0, 0
    for start in _marked_lines(body):
        index += body.count("\n", offset, start)
        offset = start
        line = lines[index]
        opener = None if line.startswith("#") else _FENCE_RE.match(line)
        if opener:
            if fence is None:
                fence = opener.group(1)
            elif opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        heading = heading_title(line) if fence is None else None
        if heading is not None:
            if current is not None:
                current.end = index
            title = _norm(heading)
            current = Section(CANONICAL.get(title, title), first_line + index, lines, index + 1)
            found.setdefault(current.name, current)
    if current is not None:
        current.end = len(lines)
    return found


def timeline_rows(section: Section) -> list[Row]:
    """The data rows of the first Markdown table in a section (header and rule skipped)."""
    return section.table_rows
