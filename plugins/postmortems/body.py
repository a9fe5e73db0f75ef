"""The Markdown body of a post-mortem: its sections, and the timeline table.

Sections are found by their headings (``## Root cause``, any level from 2 to 4,
case and punctuation ignored). HTML comments (the template's guidance) and
whitespace do not count as content, so an untouched template section is empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

_HEADING_RE = re.compile(r"^(#{2,4})\s+(.+?)\s*#*\s*$")
_FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+\1")
_RULE_CELL_RE = re.compile(r":?-{3,}:?")

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


def _norm(title: str) -> str:
    return _NOT_NAME_RE.sub("", title.lower()).strip()


def prose_lines(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(file line, text) of each line outside fenced code, with inline code removed:
    what checks of the wording read (a log line may say anything)."""
    fence: str | None = None
    for offset, line in enumerate(body.split("\n")):
        opener = _FENCE_RE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            continue
        yield first_line + offset, _INLINE_CODE_RE.sub("", line)


@dataclass
class Section:
    name: str  # canonical name, or the heading as written
    line: int  # file line of the heading
    body_lines: list[str] = field(default_factory=list, repr=False)  # every line of the body
    start: int = 0  # index in body_lines of the section's first content line
    end: int = 0  # index in body_lines after its last

    @property
    def lines(self) -> list[tuple[int, str]]:
        """(file line, text) of each content line."""
        return [(self.line + 1 + k, self.body_lines[index])
                for k, index in enumerate(range(self.start, self.end))]

    @property
    def text(self) -> str:
        return _COMMENT_RE.sub("", "\n".join(self.body_lines[self.start:self.end])).strip()


def _marked_lines(body: str) -> list[int]:
    """Offsets of the lines that start with '#' or hold '```' or '~~~': the only lines that
    can be headings or fences. Found with str.find, far faster than a look at every line."""
    starts = {0} if body.startswith("#") else set()
    position = body.find("\n#")
    while position != -1:
        starts.add(position + 1)
        position = body.find("\n#", position + 2)
    for fence in ("```", "~~~"):
        position = body.find(fence)
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
        opener = _FENCE_RE.match(line)
        if opener:
            if fence is None:
                fence = opener.group(1)
            elif opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        heading = _HEADING_RE.match(line) if fence is None else None
        if heading:
            if current is not None:
                current.end = index
            title = _norm(heading.group(2))
            current = Section(CANONICAL.get(title, title), first_line + index, lines, index + 1)
            found.setdefault(current.name, current)
    if current is not None:
        current.end = len(lines)
    return found


@dataclass
class Row:
    line: int
    when: str  # the first cell as written


def timeline_rows(section: Section) -> list[Row]:
    """The data rows of the first Markdown table in a section (header and rule skipped)."""
    rows: list[Row] = []
    seen_rule = False
    for number, line in section.lines:
        stripped = line.strip()
        if not stripped.startswith("|"):
            if seen_rule and rows:
                break
            continue
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if not seen_rule:
            if all(_RULE_CELL_RE.fullmatch(c) for c in cells if c):
                seen_rule = True
            continue
        rows.append(Row(number, cells[0] if cells else ""))
    return rows


def header_zone(section: Section) -> str | None:
    """The time zone a timeline's header names, e.g. 'UTC' in '| Time (UTC) |'."""
    for _, line in section.lines:
        if line.strip().startswith("|"):
            match = re.search(r"\(([A-Za-z_/+\-0-9:]+)\)", line.split("|")[1] if "|" in line else line)
            return match.group(1) if match else None
    return None
