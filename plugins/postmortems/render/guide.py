"""Parts of a writing guide made from the site's settings, so a guide never names a
severity, a status or a deadline the site does not have.

A page holding ``<!-- postmortems:workflow -->`` gets, in its place, the table of
statuses with what the validator requires at each, and the review deadlines.
"""

from __future__ import annotations

from postmortems.model.settings import Settings
from postmortems.read.writing import required_sections

WORKFLOW_MARKER = "<!-- postmortems:workflow -->"
REQUIRED_KEYS = "`id`, `title`, `severity`, `status`, `started`"


def workflow(settings: Settings) -> str:
    """The status table and the deadlines, as Markdown."""
    rows = ["| status | the validator requires |", "| --- | --- |"]
    before: tuple[str, ...] = ()
    reviewed_before = False
    for index, status in enumerate(settings.statuses):
        needs = []
        if index == 0:
            needs.append(f"{REQUIRED_KEYS}; placeholders and empty sections are fine")
        sections = required_sections(status, settings)
        new = [s.capitalize() for s in sections if s not in before]
        if new:
            needs.append(f"the sections {', '.join(new)} written")
        if status in settings.reviewed_statuses and not reviewed_before:
            needs.append(
                "`resolved`, `review_meeting`, an action item with an owner and a due date, "
                "and nothing left of the template"
            )
            reviewed_before = True
        if not needs:
            shown = f"as {settings.statuses[index - 1]}"
        else:
            shown = ("" if index == 0 else "also ") + "; ".join(needs)
        rows.append(f"| {status} | {shown} |")
        before = sections
    return "\n".join(rows) + "\n\n" + deadlines(settings)


def deadlines(settings: Settings) -> str:
    """When the review meeting is due, severity by severity."""
    given = dict(settings.review_deadlines)
    if not given:
        return "The site sets no deadline for the review meeting (`review_deadlines`)."
    parts = [
        f"**{deadline}** after `resolved` for {severity}"
        for severity in settings.severities
        if (deadline := given.get(severity)) is not None
    ]
    rest = [s for s in settings.severities if s not in given]
    text = "The review meeting is due within " + _and(parts) + " (`review_deadlines`)"
    if rest:
        text += f"; {_and(rest)} {'has' if len(rest) == 1 else 'have'} no deadline"
    return text + ". Past its deadline, a post-mortem not yet reviewed is listed as overdue."


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
