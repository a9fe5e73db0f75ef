"""Rules between the fields of one post-mortem, after each field has its type.

Timestamps in order and not in the future, ``resolved`` once reviewed, no
template placeholders once reviewed, no reference to itself. Rules across files
(unique ids, references that name no post-mortem) live in :mod:`catalog`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from postmortems.model import requirements
from postmortems.model.figures import shown_time
from postmortems.model.problems import ProblemSink
from postmortems.model.settings import Settings

from . import placeholders, writing
from .reader import Mapping, Node, Scalar, Sequence
from .schema import REFERENCE_KEYS

TIMESTAMPS = ("started", "detected", "mitigated", "resolved")


def check(
    front: Mapping,
    meta: dict[str, Any],
    body: str,
    body_line: int,
    settings: Settings,
    sink: ProblemSink,
    front_text: str | None = None,
) -> list[str]:
    """Apply every per-file rule; ``now``-dependent rules are in :func:`check_not_future`.
    Returns what the next status will still need (see :func:`writing.check`).
    ``front_text``, the YAML as written, lets a front matter that cannot hold a placeholder
    skip the walk over its values."""
    _check_order(front, meta, settings, sink)
    _check_reviewed(front, meta, settings, sink, front_text)
    _check_self_reference(front, meta, sink)
    _check_meeting(front, meta, settings, sink)
    return writing.check(front, meta, body, body_line, settings, sink)


def _check_order(
    front: Mapping, meta: dict[str, Any], settings: Settings, sink: ProblemSink
) -> None:
    latest: tuple[str, datetime] | None = None
    for key in TIMESTAMPS:
        value = meta.get(key)
        if value is None:
            continue
        if latest is not None and value < latest[1]:
            sink.error(
                front.key_lines[key],
                key,
                f"{shown_time(value, settings)} is before {latest[0]} "
                f"({shown_time(latest[1], settings)}); timestamps must not go backwards: "
                "started <= detected <= mitigated <= resolved",
            )
        if latest is None or value >= latest[1]:
            latest = (key, value)


def check_not_future(
    key_lines: dict[str, int],
    meta: dict[str, Any],
    now: datetime,
    settings: Settings,
    sink: ProblemSink,
) -> None:
    """No timestamp may lie in the future (kept apart: it depends on the clock, not the file)."""
    for key in TIMESTAMPS:
        value = meta.get(key)
        if value is not None and value > now:
            sink.error(
                key_lines[key],
                key,
                f"{shown_time(value, settings)} is in the future (now is "
                f"{shown_time(now, settings)}); check the date and the time zone offset",
            )
    meeting = meta.get("review_meeting")
    today = now.astimezone(settings.tz).date()
    if meeting is not None and meeting > today and meta.get("status") in settings.reviewed_statuses:
        sink.error(
            key_lines["review_meeting"],
            "review_meeting",
            f"{meeting.isoformat()} is in the future, but status {meta['status']} says the "
            "meeting took place; write the date it was held, or keep the status until then",
        )


def _check_meeting(
    front: Mapping, meta: dict[str, Any], settings: Settings, sink: ProblemSink
) -> None:
    """The post-mortem meeting cannot come before the incident began."""
    meeting, started = meta.get("review_meeting"), meta.get("started")
    if meeting is None or started is None:
        return
    began = started.astimezone(settings.tz).date()
    if meeting < began:
        sink.error(
            front.key_lines["review_meeting"],
            "review_meeting",
            f"{meeting.isoformat()} is before the incident started ({began.isoformat()}); "
            "write the date the meeting was held",
        )


def _check_reviewed(
    front: Mapping,
    meta: dict[str, Any],
    settings: Settings,
    sink: ProblemSink,
    front_text: str | None,
) -> None:
    status = meta.get("status")
    if not requirements.requires(status, requirements.NO_TEMPLATE, settings):
        return
    may_hold = front_text is None or placeholders.may_hold(front_text, escapes=True)
    for line, name, found in _front_placeholders(front, "") if may_hold else ():
        sink.error(
            line,
            name,
            f"placeholder '{found}' left from the template; replace it before status {status}",
        )


def _front_placeholders(node: Node, name: str) -> Iterator[tuple[int, str, str]]:
    if isinstance(node, Scalar):
        for found in placeholders.find_in_text(node.text):
            yield node.line, name, found
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _front_placeholders(value, f"{name}.{key}" if name else key)
    elif isinstance(node, Sequence):
        for index, item in enumerate(node):
            yield from _front_placeholders(item, f"{name}[{index}]")


def _check_self_reference(front: Mapping, meta: dict[str, Any], sink: ProblemSink) -> None:
    own = meta.get("id")
    if own is None:
        return
    for key in REFERENCE_KEYS:
        node = front.get(key)
        if not isinstance(node, (Sequence, Scalar)):
            continue
        items = node if isinstance(node, Sequence) else [node]
        for index, item in enumerate(items):
            if isinstance(item, Scalar) and item.text.strip() == own:
                sink.error(
                    item.line,
                    f"{key}[{index}]" if isinstance(node, Sequence) else key,
                    f"{own} refers to itself; list other incidents here",
                )
