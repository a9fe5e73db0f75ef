"""Rules about the writing: what each status requires, the timeline table, blameless words.

A Draft may be unfinished. Moving on requires more: the sections named by the
site's settings, action items with owners and due dates, the review meeting and
no template placeholders. The same function that reports errors for the current
status lists, on the page, what the next status will need.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from postmortems.model import requirements
from postmortems.model.figures import shown_time
from postmortems.model.problems import ProblemSink, closest
from postmortems.model.settings import Settings

from . import template, timeline
from .body import SECTIONS, Section, prose_matches, sections, timeline_rows
from .reader import Mapping, Scalar, Sequence
from .schema import what_to_add

BLAME = [
    (
        re.compile(r"\bhuman errors?\b", re.I),
        "human error",
        "it names a person as the cause, where the system let the error happen",
        "describe what made the mistake easy: a missing guard, an unclear runbook, a risky default",
    ),
    (
        re.compile(r"\bshould(?:'ve| have) (?:known|noticed|seen|checked)\b", re.I),
        "should have known",
        "it judges with hindsight what could not be known then",
        "say what information the responders had at the time",
    ),
    (
        re.compile(r"\bcareless(?:ly|ness)?\b", re.I),
        "careless",
        "it judges a person, not a decision",
        "describe the action and why it made sense at the time",
    ),
    (
        re.compile(r"\b(?:the )?fault of\b", re.I),
        "fault of",
        "it assigns blame",
        "describe the contributing factors",
    ),
    (
        re.compile(
            r"(?<![\w.])@[\w.-]+[^\S\n]+(?:caused|broke|forgot|failed to|did not|didn't|neglected|"
            r"ignored|missed|messed up)\b",
            re.I,
        ),
        "a person as the subject of a cause",
        "it makes a responder the cause",
        "make the system the subject: 'the deploy ran without a "
        "canary' rather than '@x forgot the canary'",
    ),
]


# What to write for a key a status requires (the requirements table names the keys).
KEY_HINTS = {
    "resolved": "when the incident was resolved",
    "review_meeting": "the date of the post-mortem meeting",
}

_CLOCK_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def required_sections(status: str, settings: Settings) -> tuple[str, ...]:
    return requirements.sections(status, settings)


def _missing_fields(
    meta: dict[str, Any],
    status: str,
    settings: Settings,
    front: Mapping | None,
    status_line: int,
) -> list[tuple[int, str, str]]:
    """The team's own fields (``fields`` in mkdocs.yml) that ``status`` requires."""
    fields = {field.name: field for field in settings.fields}
    out = []
    for need in requirements.needs(status, settings):
        if need.kind != "field" or meta.get(need.name) not in (None, [], ""):
            continue
        field = fields[need.name]
        line = where_required(front, field.name, status_line)
        if line is not None:
            out.append(
                (
                    line,
                    field.name,
                    f"required once status is {field.required_from} (fields in mkdocs.yml); "
                    f"add {field.help or field.title.lower()}",
                )
            )
    return out


def where_required(front: Mapping | None, key: str, status_line: int) -> int | None:
    """Where to report a key the status requires: at the key when it is there but empty,
    at ``status:`` when it is absent, nowhere when it holds a value (a wrong value has
    its own message at the key already)."""
    if front is None or key not in front.key_lines:
        return status_line
    node = front.get(key)  # None: the reader dropped it, and said why
    if isinstance(node, Scalar) and node.plain and node.tag == "null":
        return front.key_lines[key]
    if isinstance(node, Sequence) and not node:  # an empty list says as little
        return front.key_lines[key]
    return None


def missing(
    meta: dict[str, Any],
    found: dict[str, Section],
    status: str,
    settings: Settings,
    front: Mapping | None,
) -> list[tuple[int, str, str]]:
    """(line, field, message) for each part ``status`` requires that is not there yet."""
    status_line = front.key_lines.get("status", 1) if front is not None else 1
    out: list[tuple[int, str, str]] = []
    for name in required_sections(status, settings):
        section = found.get(name)
        title = name.capitalize()
        near = _near_heading(name, found) if section is None else None
        if near is not None:
            out.append(
                (
                    near.line,
                    "body",
                    f"heading '{near.title}' names no section; did you mean '## {title}'? "
                    f"section '{title}' is required once status is {status}",
                )
            )
        elif section is None:
            out.append(
                (
                    status_line,
                    "body",
                    f"section '## {title}' is missing; it is required once status is {status}",
                )
            )
        elif not template.written(section, settings):
            out.append(
                (
                    template.where_to_write(section, settings),
                    "body",
                    f"section '{title}' is not written yet; it is required once status is {status}",
                )
            )
        elif name == "timeline" and not timeline_rows(section):
            out.append(
                (
                    section.line,
                    "body",
                    "section 'Timeline' has no table rows; add a '| Time | Event |' table",
                )
            )
    if requirements.requires(status, requirements.ACTION_ITEM, settings):
        items = meta.get("action_items") or []
        if not any(i.get("owner") and i.get("due") for i in items):
            out.append(
                (
                    front.key_lines.get("action_items", status_line) if front else status_line,
                    "action_items",
                    "at least one action item with an owner and "
                    f"a due date is required once status is {status}",
                )
            )
    out.extend(_missing_fields(meta, status, settings, front, status_line))
    for need in requirements.needs(status, settings):
        if need.kind != "key" or need.name in requirements.ALWAYS or meta.get(need.name):
            continue  # the keys of every status are the schema's to report
        line = where_required(front, need.name, status_line)
        if line is not None:
            hint = KEY_HINTS.get(need.name) or what_to_add(need.name, settings)
            out.append((line, need.name, f"required once status is {status}; add {hint}"))
    return out


def _near_heading(name: str, found: dict[str, Section]) -> Section | None:
    """A heading that names no known section but is most likely the missing section
    ``name`` as written (``## Incident timeline``, ``## Root casue``)."""
    others = [s for key, s in found.items() if key not in SECTIONS]
    aliases = SECTIONS[name] if name in SECTIONS else (name,)
    for section in others:  # the section's name among the heading's words
        words = f" {section.name} "
        if any(f" {alias} " in words for alias in aliases):
            return section
    by_name = {s.name: s for s in others}
    for alias in aliases:
        meant = closest(alias, by_name)
        if meant is not None:
            return by_name[meant]
    return None


def next_status(status: str | None, settings: Settings) -> str | None:
    if status not in settings.statuses:
        return None
    index = settings.statuses.index(status)
    return settings.statuses[index + 1] if index + 1 < len(settings.statuses) else None


def still_to_do(meta: dict[str, Any], found: dict[str, Section], settings: Settings) -> list[str]:
    """What the next status will require, for the page of a post-mortem not yet Closed."""
    status = meta.get("status")
    target = next_status(status, settings)
    if target is None:
        return []
    return [
        message.split(";")[0] if field == "body" else f"{field}: {message.split(';')[0]}"
        for _, field, message in missing(meta, found, target, settings, None)
    ]


def check(
    front: Mapping,
    meta: dict[str, Any],
    body: str,
    body_line: int,
    settings: Settings,
    sink: ProblemSink,
) -> list[str]:
    """Report what the current status lacks; return what the next one will still need
    (from the same reading of the sections, so the page need not read the body again)."""
    status = meta.get("status")
    found = sections(body, body_line)
    if status is not None:
        for line, field, message in missing(meta, found, status, settings, front):
            sink.error(line, field, message)
    if requirements.requires(status, requirements.NO_TEMPLATE, settings):
        _check_leftovers(body, body_line, found, status, settings, sink)
    if "timeline" in found and template.written(found["timeline"], settings):
        skip = status == settings.statuses[0] or status in settings.reviewed_statuses
        _check_timeline(found["timeline"], meta, settings, sink, skip)
    if settings.blameless:
        _check_language(body, body_line, sink)
    return still_to_do(meta, found, settings)


def _check_leftovers(
    body: str,
    body_line: int,
    found: dict[str, Section],
    status: str,
    settings: Settings,
    sink: ProblemSink,
) -> None:
    """Template text left in a finished post-mortem, at its line; not inside a required
    section already reported as not written (one message for one problem)."""
    unwritten = [
        range(found[name].line, found[name].line + found[name].end - found[name].start + 1)
        for name in required_sections(status, settings)
        if name in found and not template.written(found[name], settings)
    ]
    for line, kind, text in template.leftovers(body, body_line, settings):
        if kind == "comment" or any(line in lines for lines in unwritten):
            continue  # a guidance comment is seen by no reader: no reason to make one delete it
        if kind == "placeholder":
            plural = "s" if "', '" in text else ""
            message = (
                f"placeholder{plural} '{text}' left from the template; "
                f"replace {'them' if plural else 'it'} before status {status}"
            )
        else:
            message = (
                f"text left from the template: '{_clip(text)}'; write what happened here, "
                f"or delete the line, before status {status}"
            )
        sink.error(line, "body", message)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _check_timeline(
    section: Section,
    meta: dict[str, Any],
    settings: Settings,
    sink: ProblemSink,
    skip_template: bool,
) -> None:
    rows = timeline.read(section, meta.get("started"), settings, sink, skip_template)
    if not rows:
        return
    tolerance = timedelta(minutes=settings.timeline_tolerance_minutes)
    for key in ("started", "resolved"):
        value = meta.get(key)
        if value is not None and not any(abs(when - value) <= tolerance for _, when in rows):
            nearest = min(rows, key=lambda r: abs(r[1] - value))
            sink.warning(
                nearest[0],
                "timeline",
                f"no row is within {settings.timeline_tolerance_minutes} minutes of "
                f"{key} ({shown_time(value, settings)}); "
                f"the nearest is {shown_time(nearest[1], settings)}. "
                "Fix the table or the front matter",
            )


# A plain substring each pattern needs: a cheap test before any regex runs over the body.
_HINTS = ("human error", "should", "careless", "fault of", "@")


def _check_language(body: str, body_line: int, sink: ProblemSink) -> None:
    folded = body.lower()  # uncached: a cache would hash every body, most for nothing
    chosen = [(entry, hint) for entry, hint in zip(BLAME, _HINTS) if hint in folded]
    if not chosen:  # the common case
        return
    patterns = [entry for entry, _ in chosen]
    found: dict[tuple[int, int], str] = {}
    for index, ((pattern, *_), hint) in enumerate(chosen):
        for number, match in prose_matches(pattern, body, body_line, hint):
            found.setdefault((number, index), match.group(0))
    for (number, index), written in sorted(found.items()):  # once a line for each kind
        _, label, reason, rewrite = patterns[index]
        sink.warning(
            number,
            "language",
            f"'{written.strip()}': {reason}; {rewrite} (blameless: false turns this check off)",
        )
