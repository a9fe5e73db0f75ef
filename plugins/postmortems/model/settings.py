"""The site's settings for post-mortems: levels, workflow, id pattern, time zone, deadlines.

One plain, hashable object made from a mapping, so the MkDocs plugin (from
``mkdocs.yml``) and the command line (from the same file, without a build) agree,
and parse results can be cached per settings.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from typing import Any, NamedTuple

from postmortems.model import zones
from postmortems.model.options import OPTIONS, Option
from postmortems.model.problems import did_you_mean

_DEADLINE_RE = re.compile(r"^\s*(\d+)\s+(?:(business\s+)?days?|(weeks?))\s*$", re.IGNORECASE)


class SettingsError(ValueError):
    """A setting in mkdocs.yml is wrong; the message names it and says what is right.
    ``option`` is the option as written, where one is to blame."""

    def __init__(self, message: str, option: str = "") -> None:
        super().__init__(message)
        self.option = option or message.partition(":")[0]


class Deadline(NamedTuple):
    """How long after ``resolved`` the post-mortem meeting is due."""

    days: int
    business: bool

    def __str__(self) -> str:
        if not self.business and self.days and self.days % 7 == 0:
            weeks = self.days // 7
            return f"{weeks} week{'s' if weeks != 1 else ''}"
        return (
            f"{self.days} {'business ' if self.business else ''}day{'s' if self.days != 1 else ''}"
        )


class Factor(NamedTuple):
    """A contributing factor of the site's vocabulary."""

    name: str
    description: str = ""
    group: str = ""


FIELD_TYPES = ("text", "number", "date", "choice", "list")
_FIELD_KEYS = ("type", "values", "required_from", "card", "column", "label", "help")
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Field(NamedTuple):
    """A front-matter field a team declares under ``fields`` in mkdocs.yml."""

    name: str
    type: str  # one of FIELD_TYPES
    values: tuple[str, ...] = ()  # a choice's values
    required_from: str | None = None  # the first status that requires it
    card: bool = True  # shown on the post-mortem's card
    column: bool = False  # a column of the index table (with a filter, for a choice)
    label: str = ""
    help: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


# The worst severity's meeting is due in 3 days, the next one's in 5 business days.
DEFAULT_DEADLINES = (Deadline(3, False), Deadline(5, True))
# Atlassian's published practice: the highest priority's actions in 4 weeks, the next 8.
DEFAULT_ACTION_DEADLINES = (Deadline(28, False), Deadline(56, False))


def _checked_defaults() -> dict[str, Any]:
    return {option.name: check_option(option, option.default) for option in OPTIONS}


@dataclass(frozen=True, slots=True)
class Settings:
    """Every option, checked: frozen, hashable, compared and shown by value (parse results
    are cached per settings). The attributes are the options of :data:`OPTIONS`, in its
    order and with its defaults as :func:`check_option` makes them (a test holds the two
    together), then the site's template text. Made with keywords; an option left out
    takes its default."""

    enabled: bool = True
    folder: str = "postmortems"
    severities: tuple[str, ...] = ("P1", "P2", "P3", "P4")
    statuses: tuple[str, ...] = ("Draft", "In Review", "Reviewed", "Closed")
    reviewed_statuses: tuple[str, ...] = ("Reviewed", "Closed")
    action_item_statuses: tuple[str, ...] = ("Open", "In Progress", "Completed", "Verified")
    action_item_done: tuple[str, ...] = ("Completed", "Verified")
    priorities: tuple[str, ...] = ("High", "Medium", "Low")
    detection_sources: tuple[str, ...] = ("monitoring", "staff", "customer", "third-party")
    id_pattern: str = r"^[A-Z][A-Z0-9]+(-[0-9]+)+$"
    id_series: str = ""
    timezone: str = "UTC"
    # None: the worst severity's meeting in 3 days, the next one's in 5 business days
    review_deadlines: tuple[tuple[str, Deadline], ...] = None  # type: ignore[assignment]
    sections_in_review: tuple[str, ...] = ("summary", "impact", "timeline")
    sections_reviewed: tuple[str, ...] = ("root cause", "five whys")
    timeline_tolerance_minutes: int = 30
    blameless: bool = True
    mitigation_target_minutes: int = 30
    mttr_target_minutes: int | None = None
    downtime_until: str = "mitigated"
    ttr_start: str = "detected"
    tracker_url: str = ""
    tracker_pattern: str = ""
    max_file_size: int = 1_000_000
    recent_in_nav: int = 10
    trust_html: bool = False
    fields: tuple[Field, ...] = ()
    contributing_factors: tuple[Factor, ...] = ()
    factors_required_from: str = ""
    # None: the highest priority's actions in 4 weeks, the next one's in 8
    action_item_deadlines: tuple[tuple[str, Deadline], ...] = None  # type: ignore[assignment]
    template_variables: tuple[str, ...] = ()
    cache_nav: bool = True
    fast: bool = True
    # Not an option: what the site's files say, the template's own text (read.template),
    # the reference for text a finished post-mortem must not keep.
    template: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.review_deadlines is None:  # the contract's, for the site's own levels
            deadlines = tuple(zip(self.severities, DEFAULT_DEADLINES))
            object.__setattr__(self, "review_deadlines", deadlines)
        if self.action_item_deadlines is None:
            deadlines = tuple(zip(self.priorities, DEFAULT_ACTION_DEADLINES))
            object.__setattr__(self, "action_item_deadlines", deadlines)
        _compile_id_pattern(self.id_pattern)  # fail early on a bad pattern
        _zone(self.timezone)  # or an unknown zone

    def replace(self, **changes: Any) -> "Settings":
        """These settings with some values changed."""
        return dataclasses.replace(self, **changes)

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

    @property
    def example_id(self) -> str:
        """An id as this site writes them, for messages and the schema: number 1 of its
        series, else HOT-13432, where that fits the id pattern; else none."""
        for ident in (f"{self.id_series}1" if self.id_series else "", "HOT-13432"):
            if ident and self.id_regex.fullmatch(ident):
                return ident
        return ""

    def in_tracker(self, ident: str) -> bool:
        """Whether an id that names no post-mortem may be linked to the external tracker."""
        if not self.tracker_url:
            return False
        pattern = (
            _compile_id_pattern(self.tracker_pattern) if self.tracker_pattern else self.id_regex
        )
        return bool(pattern.fullmatch(ident))

    def tracker_link(self, ident: str) -> str:
        return self.tracker_url.replace("{id}", ident)

    def deadline_for(self, severity: str) -> Deadline | None:
        return dict(self.review_deadlines).get(severity)

    def action_deadline_for(self, priority: str) -> Deadline | None:
        return dict(self.action_item_deadlines).get(priority)

    @property
    def factor_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.contributing_factors)

    def severity_rank(self, severity: str) -> int:
        """0 for the worst severity; unknown ones sort last."""
        try:
            return self.severities.index(severity)
        except ValueError:
            return len(self.severities)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> "Settings":
        """Settings from the plugin's options as written in mkdocs.yml: each checked as
        :data:`OPTIONS` says, then against each other."""
        raw = dict(raw or {})
        check_names(raw)
        values = {option.name: check_option(option, raw.get(option.name)) for option in OPTIONS}
        settings = cls(**values)
        check_consistent(settings, set(raw))
        return settings


BY_NAME: dict[str, Option] = {option.name: option for option in OPTIONS}


def check_names(raw: Mapping[str, Any]) -> None:
    """Refuse an option nobody defined, naming the closest one that exists."""
    for name in raw:
        if name not in BY_NAME:
            raise SettingsError(
                f"unknown option {name!r}{did_you_mean(str(name), BY_NAME)}", option=str(name)
            )


def check_option(option: Option, value: Any) -> Any:
    """One option from YAML as Settings holds it (its default where it is not given), or a
    :class:`SettingsError` that names it and says what is right."""
    if value is None:
        if option.kind == "whole_or_none" or option.default is None:
            return None
        value = option.default
    return CHECKS[option.kind](option.name, value, option)


def _names(name: str, value: Any, option: Option) -> tuple[str, ...]:
    if (
        not isinstance(value, (list, tuple))
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise SettingsError(f"{name}: expected a non-empty list of names, got {value!r}")
    return tuple(value)


def _names_or_none(name: str, value: Any, option: Option) -> tuple[str, ...]:
    return () if isinstance(value, (list, tuple)) and not value else _names(name, value, option)


def _whole(name: str, value: Any, option: Option) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SettingsError(f"{name}: expected a whole number >= 0, got {value!r}")
    return value


def _flag(name: str, value: Any, option: Option) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(f"{name}: expected true or false, got {value!r}")
    return value


def _text(name: str, value: Any, option: Option) -> str:
    if not isinstance(value, str):
        raise SettingsError(f"{name}: expected text, got {value!r}")
    return value


def _choice(name: str, value: Any, option: Option) -> str:
    if value not in option.choices:
        expected = " or ".join(repr(c) for c in option.choices)
        raise SettingsError(f"{name}: expected {expected}, got {value!r}")
    return value


def _pattern(name: str, value: Any, option: Option) -> str:
    value = _text(name, value, option)
    if value or option.kind == "pattern":
        _compile_id_pattern(value, name)
    return value


def _tracker_url(name: str, value: Any, option: Option) -> str:
    value = _text(name, value, option)
    if value and (not value.startswith(("http://", "https://")) or "{id}" not in value):
        raise SettingsError(
            f"{name}: expected an http(s) URL with {{id}} in it, such as "
            f"https://tracker.example/browse/{{id}}; got {value!r}"
        )
    return value


def _folder(name: str, value: Any, option: Option) -> str:
    text = _text(name, value, option).strip().strip("/")
    parts = text.split("/")
    if (
        not text
        or "\\" in text
        or any(part in ("", ".", "..") or part.startswith("_") for part in parts)
    ):
        raise SettingsError(
            f"{name}: expected a folder below docs_dir such as 'postmortems' or "
            f"'incidents/postmortems', got {value!r}"
        )
    return text


def _zone_name(name: str, value: Any, option: Option) -> str:
    _zone(_text(name, value, option))
    return value


def _deadlines(name: str, value: Any, option: Option) -> tuple[tuple[str, Deadline], ...]:
    if isinstance(value, tuple):  # already checked (Settings' own default)
        return value
    return _parse_deadlines(name, value)


def _factors(name: str, value: Any, option: Option) -> tuple[Factor, ...]:
    """The vocabulary: names, each with a description and a group, or a plain list."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, (list, tuple)):
        value = {key: {} for key in _names(name, value, option)}
    if not isinstance(value, Mapping):
        raise SettingsError(
            f"{name}: expected a mapping of factor names to what they mean, such as "
            "{config-change: {description: A configuration change, group: change}}"
        )
    out = []
    for key, spec in value.items():
        where = f"{name}: {key}"
        if not isinstance(key, str) or not key.strip():
            raise SettingsError(f"{name}: a factor's name is text, got {key!r}")
        spec = {"description": spec} if isinstance(spec, str) else (spec or {})
        if not isinstance(spec, Mapping):
            raise SettingsError(f"{where}: expected a description, or description and group")
        for item in spec:
            if item not in ("description", "group"):
                raise SettingsError(
                    f"{where}: unknown key {item!r}"
                    f"{did_you_mean(str(item), ('description', 'group'))}"
                    " (a factor has description and group)"
                )
        texts = [
            _text(f"{where}: {k}", spec.get(k) or "", option) for k in ("description", "group")
        ]
        out.append(Factor(key, *texts))
    return tuple(out)


def _fields(name: str, value: Any, option: Option) -> tuple[Field, ...]:
    if isinstance(value, tuple):  # already checked
        return value
    if not isinstance(value, Mapping):
        raise SettingsError(
            f"{name}: expected a mapping of field names to their definitions, such as "
            "{customer_tier: {type: choice, values: [enterprise, free]}}"
        )
    return tuple(_field(f"{name}: {key}", key, spec) for key, spec in value.items())


def _field(where: str, key: Any, spec: Any) -> Field:
    """One field's definition; ``type`` alone may be written as the value (``region: text``)."""
    if not isinstance(key, str) or not _FIELD_NAME.fullmatch(key):
        raise SettingsError(f"{where}: a field's name is letters, digits and '_', got {key!r}")
    spec = {"type": spec} if isinstance(spec, str) else spec
    if not isinstance(spec, Mapping):
        raise SettingsError(f"{where}: expected a type, or a mapping with 'type', got {spec!r}")
    for item in spec:
        if item not in _FIELD_KEYS:
            hint = (
                did_you_mean(str(item), _FIELD_KEYS) or f" (a field has {', '.join(_FIELD_KEYS)})"
            )
            raise SettingsError(f"{where}: unknown key {item!r}{hint}")
    kind = spec.get("type")
    if kind not in FIELD_TYPES:
        raise SettingsError(
            f"{where}: type {kind!r} is not one of {', '.join(FIELD_TYPES)}"
            f"{did_you_mean(str(kind), FIELD_TYPES)}"
        )
    values = spec.get("values")
    if kind == "choice" and not values:
        raise SettingsError(f"{where}: a choice needs its values, such as values: [a, b]")
    if kind == "choice":
        values = _names(f"{where}: values", values, BY_NAME["statuses"])
    elif values is not None:
        raise SettingsError(f"{where}: only a field of type choice has values")
    flags = {k: spec.get(k, d) for k, d in (("card", True), ("column", False))}
    for flag, flag_value in flags.items():
        _flag(f"{where}: {flag}", flag_value, BY_NAME["blameless"])
    texts = {k: spec.get(k) or "" for k in ("label", "help", "required_from")}
    for text_key, text_value in texts.items():
        _text(f"{where}: {text_key}", text_value, BY_NAME["id_series"])
    return Field(
        key,
        kind,
        values or (),
        texts["required_from"] or None,
        flags["card"],
        flags["column"],
        texts["label"],
        texts["help"],
    )


CHECKS = {
    "names": _names,
    "names_or_none": _names_or_none,
    "whole": _whole,
    "whole_or_none": _whole,
    "flag": _flag,
    "text": _text,
    "choice": _choice,
    "pattern": _pattern,
    "pattern_or_empty": _pattern,
    "tracker_url": _tracker_url,
    "zone": _zone_name,
    "folder": _folder,
    "deadlines": _deadlines,
    "fields": _fields,
    "factors": _factors,
}

# Options that name values another option defines: (option, the option defining them).
SUBSETS = (
    ("reviewed_statuses", "statuses"),
    ("action_item_done", "action_item_statuses"),
    ("review_deadlines", "severities"),
    ("action_item_deadlines", "priorities"),
)


def check_consistent(settings: Settings, written: Collection[str] | None = None) -> None:
    """Every status, severity and action item status one option names exists in the
    option that defines it: a renamed level must not silently turn a check off.
    ``written``, the options the site sets: where one of them makes a default wrong, the
    message blames the option written, and says which default to set."""
    for name, defining in SUBSETS:
        value = getattr(settings, name)
        named = [key for key, _ in value] if name.endswith("_deadlines") else list(value)
        known = getattr(settings, defining)
        for item in named:
            if item in known:
                continue
            if written is not None and name not in written and defining in written:
                raise SettingsError(
                    f"{defining}: the default {name} names {item!r}, which is not one of "
                    f"{defining} ({', '.join(known)}); set {name} as well, to those of "
                    "yours it means",
                    option=defining,
                )
            raise SettingsError(
                f"{name}: {item!r} is not one of {defining} ({', '.join(known)})"
                f"{did_you_mean(item, known)}"
            )
    required = settings.factors_required_from
    if required and required not in settings.statuses:
        raise SettingsError(
            f"factors_required_from: {required!r} is not one of statuses "
            f"({', '.join(settings.statuses)}){did_you_mean(required, settings.statuses)}"
        )
    for field in settings.fields:
        if field.required_from is not None and field.required_from not in settings.statuses:
            raise SettingsError(
                f"fields: {field.name}: required_from {field.required_from!r} is not one of "
                f"statuses ({', '.join(settings.statuses)})"
                f"{did_you_mean(field.required_from, settings.statuses)}",
                option="fields",
            )


def _parse_deadlines(name: str, value: Any) -> tuple[tuple[str, Deadline], ...]:
    levels = "priority" if name == "action_item_deadlines" else "severity"
    example = (
        "{High: 4 weeks, Medium: 8 weeks}"
        if levels == "priority"
        else ("{P1: 3 days, P2: 5 business days}")
    )
    if not isinstance(value, Mapping):
        raise SettingsError(f"{name}: expected a mapping of {levels} to deadline, e.g. {example}")
    out = []
    for level, text in value.items():
        if text in (None, "", "none"):
            continue
        match = _DEADLINE_RE.match(str(text))
        if not match:
            raise SettingsError(
                f"{name}: {level}: {text!r} is not a deadline; "
                "write '3 days', '5 business days' or '4 weeks'"
            )
        days = int(match.group(1)) * (7 if match.group(3) else 1)
        out.append((str(level), Deadline(days, bool(match.group(2)))))
    return tuple(out)


@functools.cache
def _compile_id_pattern(pattern: str, option: str = "id_pattern") -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise SettingsError(
            f"{option}: {pattern!r} is not a valid regular expression: {exc}"
        ) from exc


def _zone(name: str) -> tzinfo:
    try:
        return zones.zone(name)
    except zones.ZoneError as exc:
        raise SettingsError(f"timezone: {exc}") from None


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


DEFAULTS = {**_checked_defaults(), "template": ()}
DEFAULT_ID_PATTERN: str = DEFAULTS["id_pattern"]
