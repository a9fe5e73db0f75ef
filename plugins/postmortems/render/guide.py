"""Parts of a writing guide made from the site's settings, so a guide never names a
severity, a status, a key or a deadline the site does not have.

A hand-written page holding one of :data:`MARKERS` gets, in its place: the table of
statuses with what the validator requires at each and the review deadlines
(``<!-- postmortems:workflow -->``), or the table of front-matter keys with what each
holds and from which status it is required (``<!-- postmortems:fields -->``).
"""

from __future__ import annotations

import re

from postmortems.model import requirements
from postmortems.model.settings import Settings
from postmortems.read.schema import FieldSpec, ListOf, Record, front_matter

WORKFLOW_MARKER = "<!-- postmortems:workflow -->"
FIELDS_MARKER = "<!-- postmortems:fields -->"


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
    """What a status adds, in words: sections together, keys together, then the rest."""
    keys = [n.shown for n in new if n.kind == "key"]
    sections = [n.shown for n in new if n.kind == "section"]
    said = []
    if sections:
        said.append(f"the section{'s' if len(sections) > 1 else ''} {', '.join(sections)} written")
    if keys:
        said.append(", ".join(keys))
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


def fields(settings: Settings) -> str:
    """Every front-matter key of the site (ours and its own fields), what it holds and
    from which status it is required: from the validator's own definitions."""
    required = {}
    for status, _, new in requirements.table(settings):
        for need in new:
            if need.kind in ("key", "field", "action_item"):
                required.setdefault(
                    need.name, "always" if status == settings.statuses[0] else f"from {status}"
                )
    rows = ["| key | what it holds | required |", "| --- | --- | --- |"]
    for key, spec in front_matter(settings).fields.items():
        rows.append(f"| `{key}` | {_holds(spec, settings)} | {required.get(key, 'optional')} |")
        inner = spec.kind.item if isinstance(spec.kind, ListOf) else spec.kind
        if isinstance(inner, Record):
            mark = "[]" if isinstance(spec.kind, ListOf) else ""
            for sub, sub_spec in inner.fields.items():
                need = "in each item" if sub_spec.required else "optional"
                rows.append(f"| `{key}{mark}.{sub}` | {_holds(sub_spec, settings)} | {need} |")
    return "\n".join(rows) + "\n"


def _holds(spec: FieldSpec, settings: Settings) -> str:
    """What a key holds, in words, with the values a choice allows."""
    text = spec.doc.replace("|", "\\|")
    values = _enum(spec.kind.schema(settings))
    if values:
        text += " One of " + ", ".join(f"`{v}`" for v in values) + "."
    return text


def _enum(schema: dict) -> list:
    if "enum" in schema:
        return list(schema["enum"])
    for option in schema.get("anyOf", []):
        if "enum" in option:
            return list(option["enum"])
    return []


MARKERS = {WORKFLOW_MARKER: workflow, FIELDS_MARKER: fields}


def expand(markdown: str, settings: Settings) -> str:
    """A hand-written page with each marker that stands on a line of its own replaced by
    what it stands for (a marker quoted in text or code stays as written)."""
    for marker, make in MARKERS.items():
        if marker in markdown:
            alone = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.M)
            table = make(settings)
            markdown = alone.sub(lambda _, table=table: table, markdown)
    return markdown
