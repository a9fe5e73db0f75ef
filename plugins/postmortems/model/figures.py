"""Derived figures of one incident, in minutes, and its review deadline.

Definitions follow the contract: TTD = detected - started, TTM = mitigated -
detected, TTR = resolved - detected (or - started, when the site says so),
downtime = ``downtime_minutes`` if given, else mitigated - started (user-facing
impact usually ends at mitigation), else resolved - started; with ``downtime_until:
resolved``, resolved - started.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from .settings import Deadline, Settings


class Figures(NamedTuple):
    """An incident's durations in minutes; None where a timestamp is missing."""

    ttd: float | None
    ttm: float | None
    ttr: float | None
    downtime: float | None

    def as_dict(self) -> dict[str, float | None]:
        return {"ttd": self.ttd, "ttm": self.ttm, "ttr": self.ttr, "downtime": self.downtime}


NONE = Figures(None, None, None, None)  # of a file with no front matter to compute from


def minutes_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    minutes = round((end - start).total_seconds() / 60, 2)
    return int(minutes) if minutes.is_integer() else minutes


def compute(meta: dict[str, Any], settings: Settings) -> Figures:
    started, detected = meta.get("started"), meta.get("detected")
    mitigated, resolved = meta.get("mitigated"), meta.get("resolved")
    ttr_from = started if settings.ttr_start == "started" else detected
    downtime = meta.get("downtime_minutes")
    if downtime is None:
        downtime = minutes_between(started, downtime_end(meta, settings))
    return Figures(
        ttd=minutes_between(started, detected),
        ttm=minutes_between(detected, mitigated),
        ttr=minutes_between(ttr_from, resolved),
        downtime=downtime,
    )


def downtime_end(meta: dict[str, Any], settings: Settings) -> datetime | None:
    """Where downtime ends when ``downtime_minutes`` is not given, as the settings say."""
    if settings.downtime_until == "mitigated" and meta.get("mitigated") is not None:
        return meta["mitigated"]
    return meta.get("resolved")


def downtime_basis(meta: dict[str, Any], settings: Settings) -> str | None:
    """How a post-mortem's downtime was found, in words for its card."""
    if meta.get("downtime_minutes") is not None:
        return "as given"
    end = downtime_end(meta, settings)
    if end is None or meta.get("started") is None:
        return None
    return "started to mitigated" if end is meta.get("mitigated") else "started to resolved"


def downtime_rule(settings: Settings) -> str:
    """The definition of downtime in force, for the dashboard."""
    if settings.downtime_until == "mitigated":
        return "downtime_minutes where given, else mitigated − started, else resolved − started"
    return "downtime_minutes where given, else resolved − started (downtime_until: resolved)"


def add_days(start: date, deadline: Deadline) -> date:
    """The date ``deadline`` after ``start``: calendar days, or Monday-Friday business days."""
    if not deadline.business:
        return start + timedelta(days=deadline.days)
    current, left = start, deadline.days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


class Review(NamedTuple):
    """When the post-mortem meeting is due, and whether it was (or is) late."""

    due: date | None
    on_time: bool | None  # None while there is no meeting or no deadline
    overdue: bool  # still Draft or In Review past the deadline


def review_due(meta: dict[str, Any], settings: Settings) -> date | None:
    """When the meeting is due: from the file and the settings alone, so it is worked out
    once per file content (and in the parsing workers), not on every build."""
    deadline = settings.deadline_for(meta.get("severity", ""))
    resolved = meta.get("resolved")
    if deadline is None or resolved is None:
        return None
    return add_days(resolved.astimezone(settings.tz).date(), deadline)


def derive_dues(meta: dict[str, Any], settings: Settings) -> None:
    """Give an action item with a priority and no ``due`` the date its priority's deadline
    sets, counted from the review meeting (else the day of ``resolved``), marked
    ``due_derived``: every page, list and figure then reads one ``due``."""
    items = meta.get("action_items")
    if not items or not settings.action_item_deadlines:
        return
    start = meta.get("review_meeting")
    if start is None and meta.get("resolved") is not None:
        start = meta["resolved"].astimezone(settings.tz).date()
    if start is None:
        return
    for item in items:
        if not isinstance(item, dict) or item.get("due") is not None:
            continue
        deadline = settings.action_deadline_for(item.get("priority") or "")
        if deadline is not None:
            item["due"] = add_days(start, deadline)
            item["due_derived"] = True


_NO_REVIEW = Review(None, None, False)


def review_state(meta: dict[str, Any], settings: Settings, today: date, due: date | None) -> Review:
    """The review's state on ``today``; ``due`` is :func:`review_due` of the same file."""
    if due is None:
        return _NO_REVIEW
    meeting = meta.get("review_meeting")
    on_time = None if meeting is None else meeting <= due
    pending = meta.get("status") not in settings.reviewed_statuses
    overdue = pending and today > due
    return Review(due, on_time, overdue)


def shown_time(value: datetime, settings: Settings) -> str:
    """A moment as messages show it: in the site's zone, to the minute, with the zone."""
    return value.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M %Z")


def human_minutes(minutes: float | None) -> str:
    """1 h 35 min, 2 d 3 h, 45 min; an em dash for a missing figure."""
    if minutes is None:
        return "—"
    total = int(round(minutes))
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} d")
    if hours:
        parts.append(f"{hours} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    if days and len(parts) > 2:
        parts = parts[:2]  # 2 d 3 h: minutes are noise at that scale
    return sign + " ".join(parts)
