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
_LOOKUP = {alias: name for name, aliases in SECTIONS.items() for alias in aliases}


def _norm(title: str) -> str:
    return re.sub(r"[^a-z0-9 -]+", "", title.lower()).strip()


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
    lines: list[tuple[int, str]] = field(default_factory=list)  # (file line, text) of content

    @property
    def text(self) -> str:
        return _COMMENT_RE.sub("", "\n".join(t for _, t in self.lines)).strip()


def sections(body: str, first_line: int) -> dict[str, Section]:
    """The body's sections by canonical name (the first of each name)."""
    found: dict[str, Section] = {}
    current: Section | None = None
    fence: str | None = None
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        opener = _FENCE_RE.match(line)
        if fence is None and not opener:
            heading = _HEADING_RE.match(line)
            if heading:
                title = _norm(heading.group(2))
                current = Section(_LOOKUP.get(title, title), number)
                found.setdefault(current.name, current)
                continue
        if opener:
            if fence is None:
                fence = opener.group(1)
            elif opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
        if current is not None:
            current.lines.append((number, line))
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
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
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
