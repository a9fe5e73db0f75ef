"""The site's settings for post-mortems: levels, workflow, id pattern, time zone, deadlines.

One plain, hashable object made from a mapping, so the MkDocs plugin (from
``mkdocs.yml``) and the command line (from the same file, without a build) agree,
and parse results can be cached per settings.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timezone, tzinfo
from typing import Any, Mapping, NamedTuple

DEFAULT_ID_PATTERN = r"^[A-Z][A-Z0-9]+(-[0-9]+)+$"
_DEADLINE_RE = re.compile(r"^\s*(\d+)\s+(business\s+)?days?\s*$", re.IGNORECASE)


class SettingsError(ValueError):
    """A setting in mkdocs.yml is wrong; the message names it and says what is right."""


class Deadline(NamedTuple):
    """How long after ``resolved`` the post-mortem meeting is due."""

    days: int
    business: bool

    def __str__(self) -> str:
        return f"{self.days} {'business ' if self.business else ''}day{'s' if self.days != 1 else ''}"


class _Options(NamedTuple):
    """Everything a site may configure about its post-mortems, with the contract's defaults."""

    severities: tuple[str, ...] = ("P1", "P2", "P3", "P4")
    statuses: tuple[str, ...] = ("Draft", "In Review", "Reviewed", "Closed")
    # Statuses that need `resolved` and no template placeholders.
    reviewed_statuses: tuple[str, ...] = ("Reviewed", "Closed")
    action_item_statuses: tuple[str, ...] = ("Open", "In Progress", "Completed", "Verified")
    action_item_done: tuple[str, ...] = ("Completed", "Verified")
    priorities: tuple[str, ...] = ("High", "Medium", "Low")
    detection_sources: tuple[str, ...] = ("monitoring", "staff", "customer", "third-party")
    id_pattern: str = DEFAULT_ID_PATTERN
    timezone: str = "UTC"
    review_deadlines: tuple[tuple[str, Deadline], ...] = (
        ("P1", Deadline(3, False)),
        ("P2", Deadline(5, True)),
    )
    mitigation_target_minutes: int = 30
    mttr_target_minutes: int | None = None  # drawn on the MTTR chart when set
    ttr_start: str = "detected"
    max_file_size: int = 1_000_000
    recent_in_nav: int = 10
    tracker_url: str = ""  # e.g. https://tracker.example/browse/{id}, for ids not on the site
    tracker_pattern: str = ""  # ids the tracker knows; default: the id pattern
    sections_in_review: tuple[str, ...] = ("summary", "impact", "timeline")
    sections_reviewed: tuple[str, ...] = ("root cause", "five whys")  # also, once reviewed
    timeline_tolerance_minutes: int = 30
    blameless: bool = True  # warn about wording that blames people
    id_series: str = ""  # prefix of new ids, e.g. 'HOT-'; default: the newest post-mortem's
    trust_html: bool = False  # True: raw HTML in post-mortem bodies is published as written
    template_variables: tuple[str, ...] = ()  # mkdocs-macros variables pages may read


class Settings(_Options):
    """The options (a named tuple: hashable, compared and shown by value, and defined at
    a fraction of a dataclass's cost to the command line's start), checked when made."""

    __slots__ = ()

    def __new__(cls, *args: Any, **options: Any) -> "Settings":
        settings = super().__new__(cls, *args, **options)
        _compile_id_pattern(settings.id_pattern)  # fail early on a bad pattern
        _zone(settings.timezone)  # or an unknown zone
        return settings

    @property
    def id_regex(self) -> re.Pattern[str]:
        """The id pattern, matched on ASCII only: other digit scripts never look like ids."""
        return _compile_id_pattern(self.id_pattern)

    @property
    def mention_regex(self) -> re.Pattern[str]:
        """The id pattern without anchors and groups' captures, to find ids in text."""
        return _mention_regex(self.id_pattern)

    @property
    def tz(self) -> tzinfo:
        return _zone(self.timezone)

    def today(self) -> date:
        """Today's date in the site's time zone (deadlines, overdue items, months)."""
        return datetime.now(timezone.utc).astimezone(self.tz).date()

    def in_tracker(self, ident: str) -> bool:
        """Whether an id that names no post-mortem may be linked to the external tracker."""
        if not self.tracker_url:
            return False
        pattern = _compile_id_pattern(self.tracker_pattern) if self.tracker_pattern else self.id_regex
        return bool(pattern.fullmatch(ident))

    def tracker_link(self, ident: str) -> str:
        return self.tracker_url.replace("{id}", ident)

    def deadline_for(self, severity: str) -> Deadline | None:
        return dict(self.review_deadlines).get(severity)

    def severity_rank(self, severity: str) -> int:
        """0 for the worst severity; unknown ones sort last."""
        try:
            return self.severities.index(severity)
        except ValueError:
            return len(self.severities)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> "Settings":
        """Settings from the plugin's options in mkdocs.yml; unknown options are refused."""
        raw = dict(raw or {})
        known = set(cls._fields)
        unknown = sorted(set(raw) - known)
        if unknown:
            raise SettingsError(
                f"unknown option(s) {', '.join(unknown)}; known options: {', '.join(sorted(known))}"
            )
        values: dict[str, Any] = {}
        for name, value in raw.items():
            if value is None:
                continue
            values[name] = _coerce(name, value)
        try:
            return cls(**values)
        except re.error as exc:  # pragma: no cover - covered via _compile_id_pattern
            raise SettingsError(f"id_pattern: {exc}") from exc


_TUPLE_OPTIONS = {
    "template_variables", "sections_in_review", "sections_reviewed",
    "severities", "statuses", "reviewed_statuses", "action_item_statuses",
    "action_item_done", "priorities", "detection_sources",
}


def _coerce(name: str, value: Any) -> Any:
    """Turn one option from YAML into the type Settings holds, or say what is wrong."""
    if name in _TUPLE_OPTIONS:
        if name in ("template_variables", "sections_reviewed") and value == []:
            return ()
        if not isinstance(value, (list, tuple)) or not value or not all(
            isinstance(v, str) and v.strip() for v in value
        ):
            raise SettingsError(f"{name}: expected a non-empty list of names, got {value!r}")
        return tuple(value)
    if name == "review_deadlines":
        return _parse_deadlines(value)
    if name in {"mitigation_target_minutes", "max_file_size", "recent_in_nav", "mttr_target_minutes",
                "timeline_tolerance_minutes"}:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SettingsError(f"{name}: expected a whole number >= 0, got {value!r}")
        return value
    if name in ("trust_html", "blameless"):
        if not isinstance(value, bool):
            raise SettingsError(f"{name}: expected true or false, got {value!r}")
        return value
    if name == "ttr_start":
        if value not in ("detected", "started"):
            raise SettingsError(f"ttr_start: expected 'detected' or 'started', got {value!r}")
        return value
    if not isinstance(value, str):
        raise SettingsError(f"{name}: expected text, got {value!r}")
    if name in ("id_pattern", "tracker_pattern") and value:
        _compile_id_pattern(value)
    if name == "tracker_url" and value and (
            not value.startswith(("http://", "https://")) or "{id}" not in value):
        raise SettingsError(f"tracker_url: expected an http(s) URL with {{id}} in it, such as "
                            f"https://tracker.example/browse/{{id}}; got {value!r}")
    if name == "timezone":
        _zone(value)
    return value


def _parse_deadlines(value: Any) -> tuple[tuple[str, Deadline], ...]:
    if not isinstance(value, Mapping):
        raise SettingsError(
            "review_deadlines: expected a mapping of severity to deadline, e.g. {P1: 3 days, P2: 5 business days}"
        )
    out = []
    for severity, text in value.items():
        if text in (None, "", "none"):
            continue
        match = _DEADLINE_RE.match(str(text))
        if not match:
            raise SettingsError(
                f"review_deadlines: {severity}: {text!r} is not a deadline; write '3 days' or '5 business days'"
            )
        out.append((str(severity), Deadline(int(match.group(1)), bool(match.group(2)))))
    return tuple(out)


@functools.lru_cache(maxsize=None)
def _compile_id_pattern(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise SettingsError(f"id_pattern: {pattern!r} is not a valid regular expression: {exc}") from exc


def _zone(name: str) -> tzinfo:
    """The zone named. UTC, the usual choice, is Python's own: loading the zone database
    (zoneinfo, which loads sysconfig) costs 2 ms of every command."""
    if name == "UTC":
        return timezone.utc
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"timezone: {name!r} is not a known time zone; use an IANA name such as 'UTC' or 'Europe/Berlin'"
        ) from exc


def id_body(pattern: str) -> str:
    """An id pattern without its anchors, to embed in a larger expression."""
    body = pattern[1:] if pattern.startswith("^") else pattern
    return body[:-1] if body.endswith("$") and not body.endswith("\\$") else body


@functools.lru_cache(maxsize=8)
def _mention_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(mention_source(pattern), re.ASCII)


def mention_source(pattern: str) -> str:
    """An id as written in text: not part of a longer token (XHOT-1, HOT-12a, HOT-1-2)."""
    return r"(?<![A-Za-z0-9_\-])(?P<id>" + id_body(pattern) + r")(?![A-Za-z0-9_]|-[A-Za-z0-9])"
