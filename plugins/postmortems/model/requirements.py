"""What each status requires: one table, made from the site's settings.

The validator asks it what a post-mortem's status lacks, the guide's status table and
the format page list it, and the JSON Schema turns it into conditions an editor checks:
so a site that moves a section, a status or a field of its own changes all of them.
"""

from __future__ import annotations

from typing import NamedTuple

from .settings import Settings

# Required in every status: the keys without which a file is no post-mortem.
ALWAYS = ("id", "title", "severity", "status", "started")


class Need(NamedTuple):
    """One thing a status requires."""

    kind: str  # 'key', 'section', 'action_item', 'no_template' or 'field'
    name: str  # the key, the section's name or the field's name
    shown: str  # as the guide says it


ACTION_ITEM = Need("action_item", "action_items", "an action item with an owner and a due date")
NO_TEMPLATE = Need("no_template", "", "nothing left of the template")
FACTORS = Need("key", "contributing_factors", "`contributing_factors` (at least one)")


_KNOWN: dict[tuple[int, str | None], tuple[Settings, tuple[Need, ...]]] = {}


def needs(status: str | None, settings: Settings) -> tuple[Need, ...]:
    """Everything ``status`` requires, the keys of every status first. Asked several times
    for each file, always with the build's one settings object: remembered by identity,
    which costs nothing, where hashing the settings would cost more than the answer."""
    key = (id(settings), status)
    known = _KNOWN.get(key)
    if known is not None and known[0] is settings:
        return known[1]
    if len(_KNOWN) > 64:
        _KNOWN.clear()
    found = _needs(status, settings)
    _KNOWN[key] = (settings, found)
    return found


def _needs(status: str | None, settings: Settings) -> tuple[Need, ...]:
    out = [Need("key", key, f"`{key}`") for key in ALWAYS]
    position = settings.statuses.index(status) if status in settings.statuses else -1
    reviewed = status in settings.reviewed_statuses
    sections = settings.sections_in_review if position >= 1 else ()
    if reviewed:
        sections = sections + settings.sections_reviewed
    out += [Need("section", name, name.capitalize()) for name in sections]
    if reviewed:
        out += [
            Need("key", "resolved", "`resolved`"),
            Need("key", "review_meeting", "`review_meeting`"),
            ACTION_ITEM,
            NO_TEMPLATE,
        ]
    required = settings.factors_required_from
    if required in settings.statuses and position >= settings.statuses.index(required):
        out.append(FACTORS)
    for field in settings.fields:
        if field.required_from in settings.statuses and position >= settings.statuses.index(
            field.required_from
        ):
            out.append(Need("field", field.name, f"`{field.name}` ({field.title.lower()})"))
    return tuple(out)


def table(settings: Settings) -> list[tuple[str, tuple[Need, ...], tuple[Need, ...]]]:
    """Each status in order: everything it requires, and what it requires that the status
    before it did not."""
    rows = []
    before: tuple[Need, ...] = ()
    for status in settings.statuses:
        now = needs(status, settings)
        rows.append((status, now, tuple(n for n in now if n not in before)))
        before = now
    return rows


def sections(status: str | None, settings: Settings) -> tuple[str, ...]:
    """The sections ``status`` requires, in the order the site lists them."""
    return tuple(n.name for n in needs(status, settings) if n.kind == "section")


def requires(status: str | None, need: Need | str, settings: Settings) -> bool:
    """Whether ``status`` requires a need (or the key of that name)."""
    found = needs(status, settings)
    if isinstance(need, str):
        return any(n.kind == "key" and n.name == need for n in found)
    return need in found
