"""The timeline table as people write it (the contract's "The timeline").

Post-mortems are written from chat logs, pager exports and other teams' write-ups, so a
row's time may carry a date in several forms, a zone of its own, a 12-hour clock, or no
time at all (a narrative row). Each row is read into a moment; each problem is reported
once, at the line a person must change: a zone that is none at the header, rows in no
form this reads once for the table, rows out of order at their row.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

from postmortems.model import zones
from postmortems.model.figures import shown_time
from postmortems.model.problems import ProblemSink
from postmortems.model.settings import Settings

from . import placeholders
from .body import Section

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
_DATE = (
    r"(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"  # 2026-06-15
    r"|(?P<m2>\d{1,2})-(?P<d2>\d{1,2})"  # 06-15
    rf"|{_MONTH}\s+(?P<d3>\d{{1,2}})(?:,?\s+(?P<y3>\d{{4}}))?"  # Jun 15, Jun 15, 2026
    r"|(?P<d4>\d{1,2})\s+(?P<mon4>[A-Za-z]{3,9})\.?(?:\s+(?P<y4>\d{4}))?)"  # 15 Jun 2026
)
_CLOCK = r"(?P<h>\d{1,2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"  # 3 alone: 3 PM
_MERIDIEM = r"(?P<ampm>[AaPp])\.?\s*[Mm]\.?"
_ZONE = (
    r"(?P<zone>Z|(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?"  # Z, +01:00, UTC-8
    r"|[A-Za-z_]+(?:/[A-Za-z_+-]+)*)"  # PDT, America/Los_Angeles
)
_CELL = re.compile(
    rf"(?:(?:[A-Za-z]{{3,9}},?\s+)?{_DATE}(?:\s*,?\s*|T))?{_CLOCK}\s*(?:{_MERIDIEM})?\s*"
    rf"(?:\(?{_ZONE}\)?)?"
)
_DAY_ONLY = re.compile(rf"(?:[A-Za-z]{{3,9}},?\s+)?{_DATE}")
_ABBREVIATED = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NARRATIVE = frozenset({"", "-", "–", "—", "...", "…", "n/a", "?"})
GAP = timedelta(hours=12)  # a time earlier than the row above is the next day within this


class Moment(NamedTuple):
    """What a time cell says: a day, a time of day (None for a day alone), a zone of its own."""

    day: date | None
    clock: time | None
    zone: tzinfo | None


# How public write-ups soften, number and span their times: each is read as the time itself.
_APPROXIMATE = re.compile(
    r"(?:^|(?<=\s))(?:~|≈|c\.|ca\.|circa\b|approximately\b|approx\.?|around\b|about\b|at\b)"
    r"\s*(?=\d)|\s*(?:-?ish|\(approx(?:\.|imately)?\))$",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_SLASHED = re.compile(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b")  # 2017/01/31
_YEAR_FIRST = re.compile(r"^(\d{4})\s+([A-Za-z]{3,9}\.?)\s+(\d{1,2})\b")  # 2018 October 21
_RANGE = re.compile(r"\s*(?:[–—]|-(?!ish)|\bto\b|\buntil\b)\s*", re.IGNORECASE)


def read_cell(text: str, year: int) -> Moment | None:
    """The moment a time cell names, or None when it is in no form this reads. ``year`` is
    taken for dates written without one. A range (``14:02 - 14:30 UTC``) is its start, in
    the zone written after its end when the start names none."""
    text = text.strip().strip("*_`").strip()
    moment = _read_one(text, year)
    if moment is not None:
        return moment
    for sep in _RANGE.finditer(text):
        start = _read_one(text[: sep.start()], year)
        end = _read_one(text[sep.end() :], year) if start is not None else None
        if start is not None and end is not None:
            return start if start.zone is not None else start._replace(zone=end.zone)
    return None


def _read_one(text: str, year: int) -> Moment | None:
    """One moment: as written, else with approximation marks, ordinals and year-first
    dates made plain (most cells need none of it)."""
    moment = _read_plain(text.strip(), year)
    if moment is not None:
        return moment
    plain = _APPROXIMATE.sub("", text.strip()).strip()
    plain = _ORDINAL.sub(r"\1", _SLASHED.sub(r"\1-\2-\3", plain))
    plain = _YEAR_FIRST.sub(r"\2 \3 \1", plain)
    return _read_plain(plain, year) if plain != text.strip() else None


def _read_plain(text: str, year: int) -> Moment | None:
    match = _CELL.fullmatch(text)
    moment = _moment(match, year) if match is not None else None
    if moment is not None:
        return moment
    match = _DAY_ONLY.fullmatch(text)
    if match is not None:
        day = _day(match, year)
        return Moment(day, None, None) if day is not None else None
    return None


def _moment(match: re.Match[str], year: int) -> Moment | None:
    if match["mi"] is None and not match["ampm"]:
        return None  # a number alone is no time; '3 PM' is
    hour, minute, second = int(match["h"]), int(match["mi"] or 0), int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"] in "Pp" else 0)
    zone = None
    if match["zone"]:
        try:
            zone = zones.zone(match["zone"])
        except zones.ZoneError:
            return None
    has_date = any(match[g] for g in ("y", "m2", "mon", "d4"))
    day = _day(match, year) if has_date else None
    if (has_date and day is None) or hour > 23 or minute > 59 or second > 59:
        return None
    return Moment(day, time(hour, minute, second), zone)


def _day(match: re.Match[str], year: int) -> date | None:
    if match["y"]:
        parts = (int(match["y"]), int(match["m"]), int(match["d"]))
    elif match["m2"]:
        parts = (year, int(match["m2"]), int(match["d2"]))
    elif match["mon"]:
        month = MONTHS.get(match["mon"].lower())
        parts = (int(match["y3"] or year), month or 0, int(match["d3"]))
    else:
        month = MONTHS.get(match["mon4"].lower())
        parts = (int(match["y4"] or year), month or 0, int(match["d4"]))
    try:
        return date(*parts)
    except ValueError:
        return None


def read(
    section: Section,
    started: datetime | None,
    settings: Settings,
    sink: ProblemSink,
    skip_template: bool,
) -> list[tuple[int, datetime]]:
    """The rows that name a moment, as (line, moment), in the table's order; problems go
    to ``sink``. With ``skip_template``, rows whose time is a placeholder are left alone:
    a Draft's for later, a finished post-mortem's to the template check."""
    zone = _header_zone(section, settings, sink)
    day = started.astimezone(zone).date() if started is not None else None
    previous: datetime | None = None
    moments: list[tuple[int, datetime]] = []
    unreadable: list[tuple[int, str]] = []
    for row in section.table_rows:
        text = row.when.strip().strip("*_`").strip()
        if text.lower() in NARRATIVE or (skip_template and placeholders.find_in_text(text)):
            continue
        moment = read_cell(text, (day or settings.today()).year)
        if moment is None:
            unreadable.append((row.line, row.when))
            continue
        if moment.day is not None and day is not None and (day - moment.day).days > 180:
            moment = moment._replace(day=_next_year(moment.day))  # Dec 31, then Jan 1
        if moment.clock is None:  # a day alone: the rows below belong to it
            if day is not None and previous is not None and moment.day < day:
                _backwards(row.line, row.when, day.isoformat(), sink)
                continue
            day = moment.day
            continue
        when = _combine(moment, day, zone)
        if when is None:
            unreadable.append((row.line, row.when))
            continue
        if previous is not None and when < previous:
            if moment.day is not None:
                _backwards(row.line, row.when, shown_time(previous, settings), sink)
                continue
            when, late = _next_day(when, previous)
            if late:
                sink.warning(
                    row.line,
                    "timeline",
                    f"{shown_time(when, settings)} is before the row above it "
                    f"({shown_time(previous, settings)}): out of order, or a later day whose "
                    f"date should be written ('{(previous + timedelta(days=1)):%m-%d} "
                    f"{when.astimezone(zone):%H:%M}')",
                )
                continue
        moments.append((row.line, when))
        previous = when
        day = when.astimezone(zone).date()
    if unreadable:
        _report_unreadable(unreadable, started, zone, sink)
    return moments


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + timedelta(days=365)


def _backwards(line: int, text: str, above: str, sink: ProblemSink) -> None:
    sink.error(
        line,
        "timeline",
        f"'{text.strip()}' is before the row above it ({above}); dated rows must run in order",
    )


def _combine(moment: Moment, day: date | None, zone: tzinfo) -> datetime | None:
    on = moment.day or day
    if on is None or moment.clock is None:
        return None
    return datetime.combine(on, moment.clock, tzinfo=moment.zone or zone)


def _next_day(when: datetime, previous: datetime) -> tuple[datetime, bool]:
    """A time earlier than the row above, read as the next day when that leaves a gap
    under :data:`GAP`; else the time as written, and True (a row out of order)."""
    later = when + timedelta(days=1)
    if later - previous < GAP:
        return later, False
    return when, True


def _header_zone(section: Section, settings: Settings, sink: ProblemSink) -> tzinfo:
    header = section.table_header
    if header is None or header.zone is None:
        return settings.tz
    try:
        return zones.zone(header.zone)
    except zones.ZoneError as exc:
        sink.error(header.line, "timeline", f"in the header: {exc}")
        return settings.tz


def _report_unreadable(
    rows: list[tuple[int, str]], started: datetime | None, zone: tzinfo, sink: ProblemSink
) -> None:
    """Rows in no form this reads: once for the table, at its first such row."""
    line, text = rows[0]
    day = started.astimezone(zone).date() if started is not None else date(2026, 6, 15)
    more = ", ".join(str(other) for other, _ in rows[1:])
    nor = ""
    if len(rows) == 2:
        nor = f", nor is the row at line {more}"
    elif more:
        nor = f", nor are the rows at lines {more}"
    sink.error(
        line,
        "timeline",
        f"'{text.strip()}' is not a time this reads{nor}; write '{day.isoformat()} 14:02', "
        f"'{day:%m-%d} 14:02', '{_ABBREVIATED[day.month - 1]} {day.day} 14:02', '14:02' or "
        "'2:02 PM' (a time "
        "alone is on the day of the row above), with the zone in the header "
        "('| Time (UTC) |') or after the time ('14:02 PDT'); leave the cell empty or '—' "
        "for a row without a time",
    )
