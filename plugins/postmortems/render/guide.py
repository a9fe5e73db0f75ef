"""Parts of a writing guide made from the site's settings, so a guide never names a
severity, a status or a deadline the site does not have.

A page holding ``<!-- postmortems:workflow -->`` gets, in its place, the table of
statuses with what the validator requires at each, and the review deadlines.
"""

from __future__ import annotations

from postmortems.model import requirements
from postmortems.model.settings import Settings

WORKFLOW_MARKER = "<!-- postmortems:workflow -->"


def workflow(settings: Settings) -> str:
    """The status table (from the requirements table the validator uses) and the
    deadlines, as Markdown."""
    rows = ["| status | the validator requires |", "| --- | --- |"]
    for index, (status, _, new) in enumerate(requirements.table(settings)):
        needs = _said(new)
        if index == 0:
            needs[-1] += "; placeholders and empty sections are fine"
            shown = "; ".join(needs)
        elif needs:
            shown = "also " + "; ".join(needs)
        else:
            shown = f"as {settings.statuses[index - 1]}"
        rows.append(f"| {status} | {shown} |")
    return "\n".join(rows) + "\n\n" + deadlines(settings)


def _said(new: tuple[requirements.Need, ...]) -> list[str]:
    """What a status adds, in words: keys together, sections together, then the rest."""
    keys = [n.shown for n in new if n.kind == "key"]
    sections = [n.shown for n in new if n.kind == "section"]
    said = [", ".join(keys)] if keys else []
    if sections:
        said.append(f"the section{'s' if len(sections) > 1 else ''} {', '.join(sections)} written")
    said += [n.shown for n in new if n.kind not in ("key", "section")]
    return said


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
