"""The front-matter schema: one definition that both validates and publishes a JSON Schema.

Each field has a *kind* that converts a line-aware YAML node (see :mod:`reader`)
into a typed value, reporting ``path:line: field: message`` for anything wrong,
and that describes itself as JSON Schema for editors. Rules *between* fields
(timestamps in order, placeholders once reviewed, ...) live in :mod:`rules`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from typing import Any, NamedTuple

import yaml

from postmortems.model import requirements, zones
from postmortems.model.problems import ProblemSink, closest, did_you_mean
from postmortems.model.settings import Field, Settings, SettingsError

from .reader import Mapping, Node, Scalar, Sequence

INVALID: Any = object()  # a value that was reported and left out
_CONSTRUCT = yaml.constructor.SafeConstructor()
_TIMESTAMP_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"[ \t]*(Z|z|[+-]\d{2}(?::?\d{2})?)?"
)
_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# The usual forms, which datetime.fromisoformat reads exactly as _TIMESTAMP_RE's fields do.
_USUAL_TIMESTAMP_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_URL_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class Context(NamedTuple):
    """What a kind needs while converting: the settings and where to report."""

    settings: Settings
    sink: ProblemSink


def describe(node: Node) -> str:
    if isinstance(node, Mapping):
        return "mapping"
    if isinstance(node, Sequence):
        return "list"
    return {
        "null": "empty value",
        "bool": "true/false",
        "int": "number",
        "float": "number",
        "timestamp": "date",
    }.get(node.tag, "text")


def yaml_reads_as(scalar: Scalar) -> Any:
    """The value YAML 1.1 gives an unquoted scalar (what other YAML tools will see)."""
    node = yaml.ScalarNode("tag:yaml.org,2002:" + scalar.tag, scalar.text)
    return _CONSTRUCT.yaml_constructors[node.tag](_CONSTRUCT, node)


def surprise(scalar: Scalar) -> str | None:
    """How YAML 1.1 misreads unquoted text meant as text, or None when it does not.

    ``no`` becomes false, ``1:30`` becomes 90, ``0123`` becomes 83, ``~`` becomes null.
    """
    if not scalar.plain or scalar.tag in ("str", "timestamp"):
        return None
    if scalar.tag == "null":
        return "an empty value (null)"
    try:
        value = yaml_reads_as(scalar)
    except (ValueError, TypeError):
        return None
    if scalar.tag == "bool":
        return f"the boolean {str(value).lower()}"
    if str(value) != scalar.text:
        return f"the number {value}"
    return None


class Kind:
    """A type of front-matter value: converts a node, and describes itself as JSON Schema."""

    def convert(self, node: Node, name: str, ctx: Context) -> Any:  # pragma: no cover
        raise NotImplementedError

    def schema(self, settings: Settings) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def _expect_scalar(self, node: Node, name: str, ctx: Context, what: str) -> Scalar | None:
        if isinstance(node, Scalar):
            return node
        ctx.sink.error(node.line, name, f"expected {what}, got a {describe(node)}")
        return None


class Text(Kind):
    """Non-empty text; unquoted values that YAML reads as something else are refused."""

    def convert(self, node: Node, name: str, ctx: Context) -> Any:
        scalar = self._expect_scalar(node, name, ctx, "text")
        if scalar is None:
            return INVALID
        misread = surprise(scalar) if scalar.tag != "str" else None  # most text: no call
        if misread and scalar.tag == "null":
            ctx.sink.error(scalar.line, name, "is empty; write a value or remove the key")
            return INVALID
        if misread:
            ctx.sink.error(
                scalar.line,
                name,
                f"'{scalar.text}' is read by YAML as {misread}; "
                f'put it in quotes: "{scalar.text}"',
            )
            return INVALID
        text = scalar.text.strip()
        if not text:
            ctx.sink.error(scalar.line, name, "must not be empty")
            return INVALID
        return text

    def schema(self, settings: Settings) -> dict[str, Any]:
        return {"type": "string", "minLength": 1}


class Choice(Text):
    """One of a configured list of names (severities, statuses, ...)."""

    def __init__(self, options: Callable[[Settings], tuple[str, ...]]) -> None:
        self.options = options

    def convert(self, node: Node, name: str, ctx: Context) -> Any:
        text = super().convert(node, name, ctx)
        if text is INVALID:
            return INVALID
        options = self.options(ctx.settings)
        if text in options:
            return text
        ctx.sink.error(
            node.line,
            name,
            f"'{text}' is not one of {', '.join(options)}{did_you_mean(text, options)}",
        )
        return INVALID

    def schema(self, settings: Settings) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.options(settings))}


class FactorName(Choice):
    """A contributing factor of the site's vocabulary; any name while it declares none."""

    def __init__(self) -> None:
        super().__init__(lambda settings: settings.factor_names)

    def convert(self, node: Node, name: str, ctx: Context) -> Any:
        if not ctx.settings.contributing_factors:
            return Text.convert(self, node, name, ctx)
        return super().convert(node, name, ctx)

    def schema(self, settings: Settings) -> dict[str, Any]:
        return super().schema(settings) if settings.contributing_factors else {"type": "string"}


class IdRef(Text):
    """An incident id matching the site's pattern (ASCII only)."""

    def convert(self, node: Node, name: str, ctx: Context) -> Any:
        text = super().convert(node, name, ctx)
        if text is INVALID:
            return INVALID
        if ctx.settings.id_regex.fullmatch(text):
            return text
        hint = ""
        if text.isascii() and ctx.settings.id_regex.fullmatch(text.upper()):
            hint = f"; did you mean '{text.upper()}'?"
        elif not text.isascii():
            hint = "; ids use ASCII letters, digits and '-' only"
        ctx.sink.error(
            node.line,
            name,
            f"'{text}' does not match the id pattern {ctx.settings.id_pattern}"
            f"{f' (like {example})' if (example := ctx.settings.example_id) else ''}{hint}",
        )
        return INVALID

    def schema(self, settings: Settings) -> dict[str, Any]:
        example = settings.example_id
        return {
            "type": "string",
            "pattern": settings.id_pattern,
            **({"examples": [example]} if example else {}),
        }


_TICKET_KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*-[0-9]+")


class Link(Text):
    """A ticket key (OPS-1234) or an http(s) link."""

    def convert(self, node: Node, name: str, ctx: Context) -> Any:
        text = super().convert(node, name, ctx)
        if text is INVALID:
            return INVALID
        scheme = _URL_SCHEME_RE.match(text)
        if scheme and scheme.group(0).lower() not in ("http:", "https:"):
            ctx.sink.error(
                node.line,
                name,
                f"only http and https links (or a ticket key such as "
                f"OPS-1234) are allowed, not '{scheme.group(0)}'",
            )
            return INVALID
        if not scheme and not _TICKET_KEY_RE.fullmatch(text.strip()):
            ctx.sink.error(
                node.line,
                name,
                f"'{text}' is neither a ticket key such as OPS-1234 nor a link; "
                f"write the whole link, such as https://{text.lstrip('/')}",
            )
            return INVALID
        return text

    def schema(self, settings: Settings) -> dict[str, Any]:
        return {
            "type": "string",
            "minLength": 1,
            "pattern": "^(https?://\\S+|[A-Za-z][A-Za-z0-9_]*-[0-9]+)$",
        }


class Parsed(Kind):
    """A scalar read by a parser of ours (dates and times), whose error says what is right."""

    def __init__(
        self, parse: Callable[[str, Settings], Any], what: str, pattern: str, example: str = ""
    ) -> None:
        self.parse = parse
        self.what = what
        self.pattern = pattern
        self.example = example  # for a message about a missing value

    def convert(self, node: Node, name: str, ctx: Context) -> Any:
        scalar = self._expect_scalar(node, name, ctx, self.what)
        if scalar is None:
            return INVALID
        try:
            return self.parse(scalar.text, ctx.settings)
        except ValueError as exc:
            ctx.sink.error(scalar.line, name, str(exc))
            return INVALID

    def schema(self, settings: Settings) -> dict[str, Any]:
        return {"type": "string", "pattern": self.pattern}


def Timestamp() -> Parsed:  # noqa: N802 - reads like the other kinds in FRONT_MATTER
    """An ISO 8601 date and time; without an offset it is in the site's time zone."""
    return Parsed(
        lambda text, settings: parse_timestamp(text, settings.tz),
        "a date and time",
        r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}",
        "2026-06-15T14:02:00Z (ISO 8601)",
    )


def Day() -> Parsed:  # noqa: N802
    """A calendar date, YYYY-MM-DD."""
    return Parsed(
        lambda text, settings: parse_date(text), "a date", r"^\d{4}-\d{2}-\d{2}$", "2026-06-15"
    )


class Number(Kind):
    """A finite number, optionally whole, within bounds."""

    def __init__(
        self, minimum: float | None = 0, maximum: float | None = None, whole: bool = False
    ) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.whole = whole

    def convert(self, node: Node, name: str, ctx: Context) -> Any:
        scalar = self._expect_scalar(node, name, ctx, "a number")
        if scalar is None:
            return INVALID
        value = self._number(scalar, name, ctx)
        if value is INVALID:
            return INVALID
        if self.minimum is not None and value < self.minimum:
            ctx.sink.error(
                scalar.line, name, f"{scalar.text} is below the minimum of {self.minimum:g}"
            )
            return INVALID
        if self.maximum is not None and value > self.maximum:
            ctx.sink.error(
                scalar.line, name, f"{scalar.text} is above the maximum of {self.maximum:g}"
            )
            return INVALID
        return value

    def _number(self, scalar: Scalar, name: str, ctx: Context) -> Any:
        what = "a whole number" if self.whole else "a number"
        if not scalar.plain or scalar.tag not in ("int", "float"):
            quoted = (
                "; remove the quotes" if not scalar.plain and looks_numeric(scalar.text) else ""
            )
            ctx.sink.error(scalar.line, name, f"expected {what}, got '{scalar.text}'{quoted}")
            return INVALID
        value = yaml_reads_as(scalar)
        if ":" in scalar.text:
            ctx.sink.error(
                scalar.line,
                name,
                f"'{scalar.text}' is read by YAML 1.1 as {value} "
                f"(base 60); write the plain number: {value}",
            )
            return INVALID
        if re.fullmatch(r"[-+]?0[0-7]+", scalar.text):
            ctx.sink.error(
                scalar.line,
                name,
                f"'{scalar.text}' is read by YAML 1.1 as {value} "
                f"(octal); write it without the leading zero",
            )
            return INVALID
        if isinstance(value, float) and not math.isfinite(value):
            ctx.sink.error(scalar.line, name, f"expected a finite number, got '{scalar.text}'")
            return INVALID
        if self.whole and not float(value).is_integer():
            ctx.sink.error(scalar.line, name, f"expected a whole number, got {scalar.text}")
            return INVALID
        return int(value) if self.whole else value

    def schema(self, settings: Settings) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer" if self.whole else "number"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


def looks_numeric(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


class ListOf(Kind):
    """A list of items of one kind; a single value is taken as a list of one."""

    def __init__(self, item: Kind, single_ok: bool = True) -> None:
        self.item = item
        self.single_ok = single_ok

    def convert(self, node: Node, name: str, ctx: Context) -> Any:
        if isinstance(node, Scalar) and node.plain and node.tag == "null":
            return []
        if not isinstance(node, Sequence):
            if self.single_ok and isinstance(node, Scalar):
                value = self.item.convert(node, name, ctx)
                return INVALID if value is INVALID else [value]
            ctx.sink.error(node.line, name, f"expected a list, got a {describe(node)}")
            return INVALID
        values = []
        for index, item in enumerate(node):
            value = self.item.convert(item, f"{name}[{index}]", ctx)
            if value is not INVALID:
                values.append(value)
        return values

    def schema(self, settings: Settings) -> dict[str, Any]:
        many = {"type": "array", "items": self.item.schema(settings)}
        if not self.single_ok:
            return many
        return {"anyOf": [self.item.schema(settings), many]}


def _what_to_add(spec: "FieldSpec", settings: Settings) -> str:
    """What a missing key wants, said as the author would write it: its values, an
    example, or what it means."""
    kind = spec.kind
    if isinstance(kind, ListOf) and isinstance(kind.item, Choice):
        names = kind.item.options(settings)
        if names:
            return f"names from {', '.join(names[:6])}{', …' if len(names) > 6 else ''}"
    if isinstance(kind, Choice) and kind.options(settings):
        return f"one of {', '.join(kind.options(settings))}"
    if isinstance(kind, IdRef) and settings.example_id:
        return f"an id such as {settings.example_id}"
    if isinstance(kind, Parsed) and kind.example:
        return f"{kind.what} such as {kind.example}"
    return spec.doc[:1].lower() + spec.doc[1:].rstrip(".")


def what_to_add(key: str, settings: Settings) -> str:
    """What a key of the front matter wants (for a status that requires it)."""
    spec = front_matter(settings).fields.get(key)
    return _what_to_add(spec, settings) if spec is not None else "it"


class FieldSpec(NamedTuple):
    """One key of a mapping: its kind, whether it is required, and what it means."""

    kind: Kind
    doc: str
    required: bool = False


class Record(Kind):
    """A mapping of known keys; unknown keys warn with the closest known key."""

    def __init__(
        self, fields: dict[str, FieldSpec], forbidden: dict[str, str] | None = None
    ) -> None:
        self.fields = fields
        self.forbidden = forbidden or {}
        self.elsewhere: dict[str, str] = {}  # a key of another mapping -> where it belongs

    def convert(self, node: Node, name: str, ctx: Context) -> Any:
        if not isinstance(node, Mapping):
            ctx.sink.error(node.line, name, f"expected a mapping of keys, got a {describe(node)}")
            return INVALID
        prefix = f"{name}." if name else ""
        values: dict[str, Any] = {}
        misspelled = self._misspelled_required(node)
        for key, key_line in node.key_lines.items():
            spec = self.fields.get(key)
            if key in misspelled:
                ctx.sink.error(
                    key_line,
                    prefix + key,
                    f"unknown key; did you mean '{misspelled[key]}'? {misspelled[key]} is required",
                )
                continue
            if spec is None or key in self.forbidden:
                self._refuse(key, key_line, prefix, ctx)
                continue
            value_node = node.get(key)
            if value_node is None:  # dropped by the reader, which said why
                continue
            if _is_empty(value_node):
                if spec.required:
                    ctx.sink.error(key_line, prefix + key, "is empty; a value is required")
                continue
            value = spec.kind.convert(value_node, prefix + key, ctx)
            if value is not INVALID:
                values[key] = value
        for key in self._required:
            if key not in node.key_lines and key not in misspelled.values():
                hint = _what_to_add(self.fields[key], ctx.settings)
                ctx.sink.error(node.line, prefix + key, f"required field is missing; add {hint}")
        return values

    def _misspelled_required(self, node: Mapping) -> dict[str, str]:
        """Unknown keys that are a missing required key misspelled (``serverity``): one
        message at the key to fix, not a second one about the field missing."""
        missing = [k for k in self._required if k not in node.key_lines]
        if not missing:
            return {}
        found = {}
        for key in node.key_lines:
            meant = closest(key, missing) if key not in self.fields else None
            if meant is not None:
                found[key] = meant
        return found

    @functools.cached_property
    def _required(self) -> tuple[str, ...]:
        return tuple(k for k, spec in self.fields.items() if spec.required)

    def _refuse(self, key: str, key_line: int, prefix: str, ctx: Context) -> None:
        if key in self.forbidden:
            ctx.sink.error(key_line, prefix + key, self.forbidden[key])
        elif key in self.elsewhere:
            ctx.sink.warning(
                key_line,
                prefix + key,
                f"unknown key {f'under {prefix[:-1]}' if prefix else 'at the top level'}; "
                f"{key} belongs {self.elsewhere[key]}",
            )
        else:
            ctx.sink.warning(
                key_line, prefix + key, f"unknown key{did_you_mean(key, tuple(self.fields))}"
            )

    def schema(self, settings: Settings) -> dict[str, Any]:
        properties = {}
        for key, spec in self.fields.items():
            kind = spec.kind.schema(settings)
            if not spec.required:  # an empty optional key means "not known yet"
                kind = {"anyOf": [kind, {"type": "null"}]}
            properties[key] = {"description": spec.doc, **kind}
        return {
            "type": "object",
            "properties": properties,
            "required": [k for k, s in self.fields.items() if s.required],
        }


def _is_empty(node: Node | None) -> bool:
    """An optional key left empty (``detected:``) counts as not given."""
    return isinstance(node, Scalar) and node.plain and node.tag == "null"


def parse_timestamp(text: str, tz: tzinfo) -> datetime:
    """An aware datetime from ISO 8601 text; naive times are in ``tz``.

    Most times are written the one usual way (2026-06-15T14:02:00Z, 2026-06-15 14:02):
    Python's own parser reads those in C, faster; the rest, and anything it
    refuses, are read field by field, which also says what is wrong."""
    text = text.strip()
    if _USUAL_TIMESTAMP_RE.fullmatch(text):
        try:
            when = datetime.fromisoformat(text)
        except ValueError:  # out of range, or a Python before 3.11 without 'Z'
            pass
        else:
            return when if when.tzinfo is not None else when.replace(tzinfo=tz)
    return read_timestamp(text, tz)


def read_timestamp(text: str, tz: tzinfo) -> datetime:
    """:func:`parse_timestamp` field by field, for every form the schema accepts."""
    match = _TIMESTAMP_RE.fullmatch(text)
    if not match:
        if _DATE_RE.fullmatch(text):
            raise ValueError(
                f"'{text}' has no time of day; write it as {text}T00:00:00Z "
                "with the real time and offset"
            )
        raise ValueError(
            f"'{text}' is not an ISO 8601 date and time; write it like 2026-06-15T14:02:00Z"
        )
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        zone = zones.offset(offset) if offset else tz
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            micro,
            tzinfo=zone,
        )
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a real date and time: {exc}") from None


def parse_date(text: str) -> date:
    """A date from YYYY-MM-DD text."""
    text = text.strip()
    match = _DATE_RE.fullmatch(text)
    if not match and _DATE_RE.fullmatch(text[:10]) and text[10:11] in (" ", "T", "t"):
        raise ValueError(f"'{text}' has a time; this is a date alone: write {text[:10]}")
    if not match:
        raise ValueError(f"'{text}' is not a date; write it like 2026-06-17")
    try:
        year, month, day = match.groups()
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a real date: {exc}") from None


def _severities(s: Settings) -> tuple[str, ...]:
    return s.severities


ACTION_ITEM = Record(
    {
        "title": FieldSpec(Text(), "What will be done.", required=True),
        "owner": FieldSpec(Text(), "Who owns it, e.g. @bwilson."),
        "priority": FieldSpec(Choice(lambda s: s.priorities), "How urgent it is."),
        "due": FieldSpec(Day(), "When it is due (YYYY-MM-DD)."),
        "status": FieldSpec(Choice(lambda s: s.action_item_statuses), "Where it stands."),
        "completed": FieldSpec(
            Day(), "When it was completed (YYYY-MM-DD), for the backlog charts."
        ),
        "ticket": FieldSpec(Link(), "A ticket key (OPS-1234) or an http(s) link."),
    }
)

IMPACT = Record(
    {
        "users_affected": FieldSpec(Number(whole=True), "How many users were affected."),
        "percent_users": FieldSpec(Number(maximum=100), "The share of users affected, 0-100."),
        "support_tickets": FieldSpec(Number(whole=True), "Support tickets opened about it."),
        "revenue_impact": FieldSpec(Number(), "Estimated revenue lost, in the site's currency."),
        "slo_budget_percent": FieldSpec(Number(), "Error budget consumed, in percent."),
    }
)

FRONT_MATTER = Record(
    {
        "id": FieldSpec(IdRef(), "Unique incident id, in the site's series."),
        "title": FieldSpec(Text(), "What happened, in one line."),
        "severity": FieldSpec(Choice(_severities), "Severity, worst first."),
        "status": FieldSpec(Choice(lambda s: s.statuses), "Where the post-mortem stands."),
        "started": FieldSpec(Timestamp(), "When impact began (ISO 8601)."),
        "detected": FieldSpec(Timestamp(), "When the team knew: alert, page or report."),
        "mitigated": FieldSpec(Timestamp(), "When impact was stopped or worked around."),
        "resolved": FieldSpec(Timestamp(), "When the incident was fully resolved."),
        "downtime_minutes": FieldSpec(Number(), "Minutes of user-facing downtime."),
        "detected_by": FieldSpec(
            Choice(lambda s: s.detection_sources), "Who or what noticed first."
        ),
        "services": FieldSpec(ListOf(Text()), "Services affected."),
        "tags": FieldSpec(ListOf(Text()), "Free-form tags."),
        "owner": FieldSpec(Text(), "The post-mortem owner, e.g. @kitt-oncall."),
        "incident_commander": FieldSpec(Text(), "Who led the response."),
        "responders": FieldSpec(ListOf(Text()), "Who else responded."),
        "review_meeting": FieldSpec(Day(), "Date of the post-mortem meeting."),
        "impact": FieldSpec(IMPACT, "Impact figures."),
        "recurrence": FieldSpec(ListOf(IdRef()), "Earlier incidents with the same root cause."),
        "related": FieldSpec(ListOf(IdRef()), "Related incidents with a different root cause."),
        "contributing_factors": FieldSpec(
            ListOf(FactorName()), "What contributed, from the site's vocabulary of factors."
        ),
        "action_items": FieldSpec(ListOf(ACTION_ITEM, single_ok=False), "Corrective actions."),
        "description": FieldSpec(Text(), "A one-line description for search and social cards."),
        "hide": FieldSpec(ListOf(Text()), "Material for MkDocs: parts of the page to hide."),
    },
    forbidden={
        "render_macros": "post-mortems are never rendered as templates; remove this key",
    },
)

# The keys every status requires are required in the front matter's definition too.
FRONT_MATTER.fields.update(
    {key: FRONT_MATTER.fields[key]._replace(required=True) for key in requirements.ALWAYS}
)


def _place(records: dict[str, Record]) -> None:
    """Tell each mapping where the keys of the others belong, for keys at the wrong
    level (``downtime_minutes`` under ``impact:``, ``users_affected`` at the top)."""
    for record in records.values():
        record.elsewhere = {
            key: where
            for where, other in reversed(records.items())  # the first listed wins
            if other is not record
            for key in other.fields
            if key not in record.fields
        }


_place(
    {
        "at the top level": FRONT_MATTER,
        "under impact:": IMPACT,
        "to an item of action_items:": ACTION_ITEM,
    }
)

# The keys whose values are ids of other post-mortems.
REFERENCE_KEYS = ("recurrence", "related")


FIELD_KINDS: dict[str, Callable[[Field], Kind]] = {
    "text": lambda field: Text(),
    "number": lambda field: Number(minimum=None),
    "date": lambda field: Day(),
    "choice": lambda field: Choice(lambda settings, values=field.values: values),
    "list": lambda field: ListOf(Text()),
}


def check_fields(settings: Settings) -> None:
    """A team's own field may not take the name of one of ours."""
    for field in settings.fields:
        if field.name in FRONT_MATTER.fields or field.name in FRONT_MATTER.forbidden:
            raise SettingsError(
                f"fields: {field.name}: the front matter already has a key {field.name!r}; "
                "name your field otherwise",
                option="fields",
            )


@functools.lru_cache(maxsize=8)
def _front_matter(fields: tuple[Field, ...]) -> Record:
    if not fields:
        return FRONT_MATTER
    own = {f.name: FieldSpec(FIELD_KINDS[f.type](f), f.help or f.title) for f in fields}
    record = Record({**FRONT_MATTER.fields, **own}, FRONT_MATTER.forbidden)
    record.elsewhere = {k: w for k, w in FRONT_MATTER.elsewhere.items() if k not in own}
    return record


def front_matter(settings: Settings) -> Record:
    """The front matter's definition for a site: ours, and the team's own fields."""
    return _front_matter(settings.fields)


def convert_front_matter(front: Mapping, settings: Settings, sink: ProblemSink) -> dict[str, Any]:
    """Typed values of a post-mortem's front matter; problems go to ``sink``."""
    return front_matter(settings).convert(front, "", Context(settings, sink))


def json_schema(settings: Settings | None = None) -> dict[str, Any]:
    """The JSON Schema of the front matter, for editors (see ``postmortems schema``)."""
    settings = settings or Settings()
    schema = front_matter(settings).schema(settings)
    conditions = [
        {
            "if": {"properties": {"status": {"const": status}}, "required": ["status"]},
            "then": {"required": keys},
        }
        for status, needs, _ in requirements.table(settings)
        if (keys := [n.name for n in needs if n.kind in ("key", "field", "action_item")])
        != list(requirements.ALWAYS)
    ]
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Post-mortem front matter",
        "description": "Generated from the validator's own definition; see the post-mortem format.",
        **schema,
        **({"allOf": conditions} if conditions else {}),
    }
