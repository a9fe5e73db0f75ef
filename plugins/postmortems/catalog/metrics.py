"""Figures over many incidents: means, medians and per-service totals.

Pure functions over catalog records; the pages, the dashboard and the command
line all take their numbers from here so they cannot disagree.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from postmortems.model.paths import digest, slug
from postmortems.model.settings import Settings

from .records import PostMortem


# Not the statistics module: importing it (with fractions and decimal) cost the command
# line more than these two functions do.
def mean(values: Iterable[float]) -> float | None:
    data = list(values)
    return round(math.fsum(data) / len(data), 2) if data else None


def median(values: Iterable[float]) -> float | None:
    data = sorted(values)
    if not data:
        return None
    middle = len(data) // 2
    value = data[middle] if len(data) % 2 else (data[middle - 1] + data[middle]) / 2
    return round(value, 2)


def known(values: Iterable[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def is_done(item: dict, settings: Settings) -> bool:
    """An action item without a status is Open."""
    return item.get("status", "Open") in settings.action_item_done


def is_overdue(item: dict, settings: Settings, today: date) -> bool:
    due = item.get("due")
    return due is not None and due < today and not is_done(item, settings)


def open_action_items(record: PostMortem, settings: Settings) -> list[dict]:
    return [item for item in record.meta.get("action_items") or [] if not is_done(item, settings)]


@dataclass
class ServiceStats:
    """One service's incidents and totals."""

    name: str
    slug: str
    records: list[PostMortem] = field(default_factory=list)

    @property
    def downtime(self) -> float:
        return round(sum(known(r.figures.downtime for r in self.records)), 2)

    @property
    def mttr(self) -> float | None:
        return mean(known(r.figures.ttr for r in self.records))

    @property
    def median_ttr(self) -> float | None:
        return median(known(r.figures.ttr for r in self.records))


def by_service(records: Iterable[PostMortem]) -> list[ServiceStats]:
    """Services named in front matter, each with its incidents (newest first), by name.

    A service's URL segment is its name's slug; where two names give the same slug, the
    later one by name also carries a digest of its name, so no URL depends on a count.
    """
    grouped: dict[str, list[PostMortem]] = {}
    for record in records:
        for name in dict.fromkeys(record.meta.get("services") or []):
            grouped.setdefault(name, []).append(record)
    used: set[str] = set()
    out = []
    for name in sorted(grouped, key=lambda n: (n.lower(), n)):
        segment = slug(name, "service")
        if segment in used:
            segment = f"{segment}-{digest(name)}"
        used.add(segment)
        out.append(ServiceStats(name, segment, grouped[name]))
    return out


def quantile(values: list[float], q: float) -> float | None:
    """Linear-interpolated quantile (as numpy's default); None for no data."""
    data = sorted(values)
    if not data:
        return None
    position = (len(data) - 1) * q
    low = int(position)
    high = min(low + 1, len(data) - 1)
    return round(data[low] + (data[high] - data[low]) * (position - low), 2)


def month_range(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from first to last inclusive: empty months are months too."""
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return following - timedelta(days=1)


@dataclass
class Spread:
    """Mean, median and p90 of a figure over some incidents, and how many lacked it."""

    mean: float | None
    median: float | None
    p90: float | None
    count: int
    left_out: int

    @classmethod
    def of(cls, values: list[float | None]) -> "Spread":
        data = known(values)
        return cls(
            mean(data), median(data), quantile(data, 0.9), len(data), len(values) - len(data)
        )


@dataclass
class Share:
    """A ratio with its parts, so the page can say 'n of m'."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.part / self.whole, 1) if self.whole else None


MIN_SHARE_WHOLE = 3  # a rolling share of fewer incidents is left out: it says little


def rolling(shares: list[Share], window: int) -> list[Share]:
    """Each share summed with the ``window - 1`` before it; one covering fewer than
    :data:`MIN_SHARE_WHOLE` incidents has no percent (and no point on the chart)."""
    out = []
    for index in range(len(shares)):
        span = shares[max(0, index - window + 1) : index + 1]
        part, whole = sum(s.part for s in span), sum(s.whole for s in span)
        out.append(Share(part, whole) if whole >= MIN_SHARE_WHOLE else Share(part, 0))
    return out


@dataclass
class Month:
    """Everything the dashboard and the review page show for one calendar month."""

    month: str
    records: list[PostMortem]
    settings: Settings

    def by_severity(self, value: Callable[[PostMortem], float]) -> dict[str, float]:
        out = {s: 0.0 for s in self.settings.severities}
        for record in self.records:
            severity = record.meta.get("severity")
            if severity in out:
                out[severity] = round(out[severity] + value(record), 2)
        return out

    @functools.cached_property
    def count(self) -> int:
        return len(self.records)

    @functools.cached_property
    def severe(self) -> int:
        """Incidents of the two worst severities (P1+P2 by default)."""
        worst = set(self.settings.severities[:2])
        return sum(1 for r in self.records if r.meta.get("severity") in worst)

    @functools.cached_property
    def downtime(self) -> float:
        return round(sum(r.figures.downtime or 0 for r in self.records), 2)

    @functools.cached_property
    def downtime_left_out(self) -> int:
        return sum(1 for r in self.records if r.figures.downtime is None)

    @functools.cached_property
    def ttr(self) -> Spread:
        return Spread.of([r.figures.ttr for r in self.records])

    @functools.cached_property
    def ttd(self) -> Spread:
        return Spread.of([r.figures.ttd for r in self.records])

    @functools.cached_property
    def recurrences(self) -> Share:
        return Share(sum(1 for r in self.records if r.meta.get("recurrence")), self.count)

    @functools.cached_property
    def detected_by_monitoring(self) -> Share:
        stated = [r for r in self.records if r.meta.get("detected_by")]
        return Share(sum(1 for r in stated if r.meta["detected_by"] == "monitoring"), len(stated))

    @functools.cached_property
    def mitigated_in_target(self) -> Share:
        both = [r for r in self.records if r.figures.ttd is not None and r.figures.ttm is not None]
        target = self.settings.mitigation_target_minutes
        return Share(sum(1 for r in both if r.figures.ttd + r.figures.ttm <= target), len(both))

    @functools.cached_property
    def reviews_on_time(self) -> Share:
        judged = [r for r in self.records if r.review.on_time is not None]
        return Share(sum(1 for r in judged if r.review.on_time), len(judged))


def months(records: Iterable[PostMortem], settings: Settings, today: date) -> list[Month]:
    """Every calendar month from the first incident to ``today``'s month, empty ones included."""
    grouped: dict[str, list[PostMortem]] = {}
    for record in records:
        month = record.month(settings)
        if month is not None:
            grouped.setdefault(month, []).append(record)
    if not grouped:
        return []
    last = max(max(grouped), today.strftime("%Y-%m"))
    return [Month(m, grouped.get(m, []), settings) for m in month_range(min(grouped), last)]


@dataclass(frozen=True)
class ActionItem:
    """An action item with the month it was opened: the month its incident started."""

    record: PostMortem
    item: dict
    opened: str | None


def action_items(records: Iterable[PostMortem], settings: Settings) -> list[ActionItem]:
    return [
        ActionItem(r, item, r.month(settings))
        for r in records
        for item in r.meta.get("action_items") or []
    ]


@dataclass
class Backlog:
    """Action items opened and completed in each month, and what was open at its end."""

    opened: dict[str, int]
    completed: dict[str, int]
    open_at_end: dict[str, int]
    overdue_at_end: dict[str, int]
    completed_undated: int  # done, with no `completed` date: not placed in a month


def backlog(
    items: list[ActionItem], settings: Settings, month_list: list[str], today: date
) -> Backlog:
    opened = {m: 0 for m in month_list}
    completed = {m: 0 for m in month_list}
    open_at_end = {m: 0 for m in month_list}
    overdue_at_end = {m: 0 for m in month_list}
    undated = 0
    for entry in items:
        start = entry.opened
        done = is_done(entry.item, settings)
        closed_on = entry.item.get("completed")
        if done and closed_on is None:
            undated += 1
        closed = closed_on.strftime("%Y-%m") if closed_on else None
        if start in opened:
            opened[start] += 1
        if closed in completed:
            completed[closed] += 1
        if start is None or (done and closed is None):
            continue
        due = entry.item.get("due")
        for month in month_list:
            if month < start or (closed is not None and month >= closed):
                continue
            open_at_end[month] += 1
            end = min(month_end(month), today)
            if due is not None and due < end:
                overdue_at_end[month] += 1
    return Backlog(opened, completed, open_at_end, overdue_at_end, undated)


def trailing(values: list[float | None], count: int = 12) -> float | None:
    """Mean of the last ``count`` known values (the trailing average)."""
    return mean(known(values[-count:]))
