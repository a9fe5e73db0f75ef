"""The site's template, as the reference for text a finished post-mortem must not keep.

``postmortems new`` copies ``_template.md`` from the post-mortems folder (or a short
built-in one). Once a post-mortem is Reviewed, visible text left of the template is an
error at its line: a sample line ("1. Why ...?", the timeline's sample row), or a
placeholder (``<SERVICE>``, ``_REPLACE_WITH_...``, even inside inline code). Guidance
comments are found too, but only to say where a section still to write begins: no reader
sees them, so keeping one is no mistake. The reference is made from the site's own
template, so a team that rewrites its template changes the check with it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from postmortems.model.paths import TEMPLATE
from postmortems.model.settings import Settings

from . import placeholders
from .body import SECTIONS, Section, fenced, heading_title, prose
from .reader import split_front_matter

GUIDANCE = {
    "summary": "Two or three sentences a reader outside the team understands: what broke, "
    "for whom, for how long.",
    "leadup": "What happened before the fault: the changes, the load, the circumstances.",
    "fault": "What failed, and how. Make systems the subject, not people.",
    "impact": "Who was affected, how many, for how long. Match the figures in the front matter.",
    "detection": "How and when we found out. Could we have known sooner?",
    "response": "Who responded, what they did, and what slowed them down.",
    "recovery": "How impact was stopped and service restored.",
    "timeline": "One row per event, in order. Times without an offset are in the header's zone.",
    "five whys": "Ask why until you reach a cause that, fixed, prevents the whole class of "
    "incident.",
    "root cause": "The cause that, if fixed, prevents this class of incident.",
    "lessons learned": "What went well, what went badly, where we were lucky.",
    "corrective actions": "Each one is an item under action_items above, with an owner and a "
    "due date.",
}
ORDER = list(GUIDANCE)

_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_SPACE_RE = re.compile(r"\s+")
_PIPE_RE = re.compile(r" ?\| ?")
_RULE_ROW_RE = re.compile(r"^\|?(?: ?:?-{3,}:? ?\|)*(?: ?:?-{3,}:? ?)\|?$")
_WORD_RE = re.compile(r"\w")
_BREAK_RE = re.compile(r"[\s|]+")
_FILL_RE = re.compile(r"_REPLACE_WITH_\w*")  # unmistakable: looked for in inline code too


def read(folder: Path, settings: Settings) -> str:
    """The text of the site's template, or one in its words where the site has none."""
    try:
        return (folder / TEMPLATE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return written_for(settings)


def sections(settings: Settings) -> list[str]:
    """The template's sections: the usual ones, and any other the settings require."""
    required = settings.sections_in_review + settings.sections_reviewed
    return ORDER + [name for name in required if name not in ORDER]


def title(name: str) -> str:
    return SECTIONS.get(name, (name,))[0].capitalize()


def written_for(settings: Settings) -> str:
    """A template in the site's own words (its severities, first status, zone): what
    `postmortems init` writes, and the reference where a site has no template file."""
    parts = [
        f"""---
id: _REPLACE_WITH_ID_
title: _REPLACE_WITH_TITLE_
severity: {settings.severities[-1]}
status: {settings.statuses[0]}
started: _REPLACE_WITH_START_
detected:
mitigated:
resolved:
detected_by: {settings.detection_sources[0]}
services: []
owner: "@_REPLACE_WITH_OWNER_"
review_meeting:
# downtime_minutes:    # minutes users could not use the service, where that differs
                       # from started to {settings.downtime_until}
impact:
  users_affected:      # leave empty until known: 0 counts as "nobody"
recurrence: []
related: []
contributing_factors: []    # what let it happen or made it worse: names from mkdocs.yml
action_items: []
---
"""
    ]
    for name in sections(settings):
        guidance = GUIDANCE.get(name, "What the team wants written here.")
        parts.append(f"## {title(name)}\n\n<!-- {guidance} -->\n")
        if name == "timeline":
            parts.append(
                f"| Time ({settings.timezone}) | Event |\n| --- | --- |\n"
                "| <YYYY-MM-DD HH:MM> | Impact begins. |\n"
            )
        if name == "five whys":
            parts.append("1. Why ...?\n")
    return "\n".join(parts)


def applied(settings: Settings, folder: Path) -> Settings:
    """The settings with the template of the site's post-mortems folder as the reference."""
    return settings.replace(template=reference(read(folder, settings)))


class Known(NamedTuple):
    """The template's text as looked up: the normalised entries, and for each line's its
    longest run without spaces or pipes, which any line holding it holds as written. Searching a
    body for a dozen such runs costs far less than normalising each of its lines."""

    entries: frozenset[str]
    anchors: tuple[str, ...]


@functools.lru_cache(maxsize=4)
def _known(ref: tuple[str, ...]) -> Known:
    entries = frozenset(ref or reference(written_for(Settings())))
    anchors = {  # comments are looked for whole, where the body has one
        max(_BREAK_RE.split(entry), key=len) for entry in entries if not entry.startswith("<!--")
    }
    return Known(entries, tuple(sorted(anchors)))


def known_text(settings: Settings) -> Known:
    """The template text of the site: its own template's, else the built-in one's."""
    return _known(settings.template)


def normal(text: str) -> str:
    """A line or comment as compared with the template: runs of spaces as one, and none
    around table pipes, so re-aligning a table does not hide its sample row."""
    return _PIPE_RE.sub("|", _SPACE_RE.sub(" ", text).strip())


def reference(text: str) -> tuple[str, ...]:
    """The template's own text, normalised: each guidance comment whole, and each line
    of its body but headings, blank lines and tables' header and rule rows (which a
    finished post-mortem keeps). Sorted, so the settings holding it repr the same in
    every process."""
    try:
        parts = split_front_matter(text.replace("\r\n", "\n"))
    except ValueError:
        parts = None
    body = parts[1] if parts else text
    found = {normal(comment) for comment in _COMMENT_RE.findall(body)}
    lines = _without_comments(body).split("\n")
    for index, line in enumerate(lines):
        if _content(lines, index) and len(line.strip()) >= 3:
            found.add(normal(line))
    return tuple(sorted(found))


def _without_comments(text: str) -> str:
    """The text with each HTML comment blanked, its lines kept (no one reads a comment)."""
    if "<!--" not in text:
        return text
    return _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _content(lines: list[str], index: int) -> bool:
    """Whether a line says something: not blank, not a heading, not a table's header or
    rule row, and holding a letter or digit."""
    line = lines[index].strip()
    if not line or heading_title(line) is not None or not _WORD_RE.search(line):
        return False
    if line.startswith("|") and _is_rule(line):
        return False
    following = lines[index + 1].strip() if index + 1 < len(lines) else ""
    return not (line.startswith("|") and following.startswith("|") and _is_rule(following))


def _is_rule(line: str) -> bool:
    return bool(_RULE_ROW_RE.match(line.replace(" ", "")))


class Leftover(NamedTuple):
    line: int  # file line
    kind: str  # 'comment', 'line' or 'placeholder'
    text: str  # as written: the line, a comment's first line, or the placeholders' names


def leftovers(body: str, first_line: int, settings: Settings) -> Iterator[Leftover]:
    """What is left of the template in a body, once per line, in the order of the file.
    Fenced code is never read; inline code only for ``_REPLACE_WITH_``, which no log holds."""
    known = known_text(settings)
    hits = [anchor for anchor in known.anchors if anchor in body]
    if not hits and "<!--" not in body and not placeholders.may_hold(body):
        return  # the common case: nothing of the template at all
    comments: dict[int, str] = {}
    covered: set[int] = set()
    for match in _COMMENT_RE.finditer(body) if "<!--" in body else ():
        if normal(match.group(0)) in known.entries:
            line = first_line + body.count("\n", 0, match.start())
            covered.update(range(line, line + match.group(0).count("\n") + 1))
            comments[line] = match.group(0).split("\n")[0].strip()
    blanked = _without_comments(body)
    lines = blanked.split("\n")
    shown = prose(blanked).split("\n")
    for index, (line, code) in enumerate(zip(lines, fenced(lines))):
        number = first_line + index
        if number in comments:
            yield Leftover(number, "comment", comments[number])
        if number in covered or code or not line.strip():
            continue
        if (
            any(anchor in line for anchor in hits)
            and normal(line) in known.entries
            and _content(lines, index)
        ):
            yield Leftover(number, "line", line.strip())
            continue
        found = placeholders.find_in_text(shown[index]) or _FILL_RE.findall(line)
        if found:
            yield Leftover(number, "placeholder", "', '".join(dict.fromkeys(found)))


def written(section: Section, settings: Settings) -> bool:
    """Whether a section holds anything of its writer's: a line, outside comments and
    table header rows, that is not the template's and is more than a placeholder.
    Asked for each required section by several checks: kept on the section."""
    if section.written is None:
        section.written = _written(section.text, known_text(settings))
    return section.written


def _written(text: str, known: Known) -> bool:
    lines = text.split("\n") if text else []  # comments already out
    for index, line in enumerate(lines):
        if not _content(lines, index):
            continue
        if any(anchor in line for anchor in known.anchors) and normal(line) in known.entries:
            continue  # a line of the template's (normalised only where one may be)
        if not placeholders.may_hold(line):
            return True  # the usual line: words, no placeholder
        if _WORD_RE.search(placeholders.PLACEHOLDER_RE.sub("", line)):
            return True
    return False


def where_to_write(section: Section, settings: Settings) -> int:
    """The line to change in a section not written yet: its first line of template text
    (a sample line, a placeholder, a guidance comment), else its heading."""
    content = "\n".join(section.body_lines[section.start : section.end])
    first = next(leftovers(content, section.line + 1, settings), None)
    return first.line if first else section.line
