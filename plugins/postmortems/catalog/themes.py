"""What keeps hurting us: contributing factors across incidents, by quarter, and whether
follow-up actions close within their deadline.

One incident counts once for each factor it lists; the research on incident analysis
(the VOID reports) warns that a single "root cause" a post-mortem and MTTR alone
mislead, so a factor's page shows its incidents, their downtime and time to resolve,
and its trend, rather than a ranking of causes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import TYPE_CHECKING

from postmortems.model.settings import Factor, Settings

from . import metrics

if TYPE_CHECKING:
    from .records import Catalog, PostMortem

QUARTERS_SHOWN = 6  # quarters in a factor's trend


def quarter(day: date | str) -> str:
    """'2026-Q3' of a date or a 'YYYY-MM' month."""
    if isinstance(day, str):
        year, month = int(day[:4]), int(day[5:7])
    else:
        year, month = day.year, day.month
    return f"{year}-Q{(month - 1) // 3 + 1}"


def previous_quarter(label: str) -> str:
    year, number = int(label[:4]), int(label[-1])
    return f"{year - 1}-Q4" if number == 1 else f"{year}-Q{number - 1}"


def last_quarters(today: date, count: int) -> list[str]:
    """The ``count`` quarters ending with the last full one, oldest first."""
    label = previous_quarter(quarter(today))
    out = [label]
    while len(out) < count:
        out.insert(0, previous_quarter(out[0]))
    return out


def factors_of(record: PostMortem) -> list[str]:
    return [str(f) for f in record.meta.get("contributing_factors") or []]


@dataclass
class Theme:
    """One contributing factor and the incidents it contributed to."""

    factor: Factor
    records: list[PostMortem] = field(default_factory=list)
    by_quarter: Counter = field(default_factory=Counter)

    @property
    def name(self) -> str:
        return self.factor.name

    @property
    def downtime(self) -> float:
        return sum(r.figures.downtime or 0 for r in self.records)

    @property
    def mttr(self) -> float | None:
        return metrics.mean(metrics.known(r.figures.ttr for r in self.records))

    def growth(self, today: date) -> int:
        """Incidents in the last full quarter less those in the quarter before."""
        last = previous_quarter(quarter(today))
        return self.by_quarter[last] - self.by_quarter[previous_quarter(last)]


def themes(catalog: Catalog, today: date) -> list[Theme]:
    """Every factor of the vocabulary (and any other a post-mortem names), the ones that
    grew most over the last full quarter first, then the most frequent."""
    settings: Settings = catalog.settings
    found = {f.name: Theme(f) for f in settings.contributing_factors}
    for record in catalog.records:
        month = record.month(settings)
        for name in dict.fromkeys(factors_of(record)):
            theme = found.setdefault(name, Theme(Factor(name)))
            theme.records.append(record)
            if month:
                theme.by_quarter[quarter(month)] += 1
    return sorted(found.values(), key=lambda t: (-t.growth(today), -len(t.records), t.name.lower()))


def together(catalog: Catalog, least: int = 2) -> list[tuple[str, str, int]]:
    """Pairs of factors listed together by at least ``least`` incidents, most often first."""
    pairs: Counter = Counter()
    for record in catalog.records:
        pairs.update(combinations(sorted(set(factors_of(record))), 2))
    return sorted(
        ((a, b, n) for (a, b), n in pairs.items() if n >= least), key=lambda p: (-p[2], p[0], p[1])
    )


def counted(records: list[PostMortem]) -> list[tuple[str, int]]:
    """The factors of some incidents (a month's), most frequent first."""
    counts = Counter(name for r in records for name in dict.fromkeys(factors_of(r)))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))


@dataclass
class FollowUp:
    """Action items whose deadline fell in a quarter: how many closed in time."""

    quarter: str
    in_time: int = 0
    due: int = 0
    undated: int = 0  # done, with no completed date to tell

    @property
    def percent(self) -> float | None:
        return round(100 * self.in_time / self.due, 1) if self.due else None


def follow_ups(catalog: Catalog, today: date) -> list[FollowUp]:
    """By quarter of their due date (stated or set by priority), the action items whose
    deadline has passed or that are done, and of those the ones completed by it."""
    settings = catalog.settings
    quarters: dict[str, FollowUp] = {}
    for entry in metrics.action_items(catalog.records, settings):
        item = entry.item
        due = item.get("due")
        done = metrics.is_done(item, settings)
        if due is None or (due >= today and not done):
            continue
        row = quarters.setdefault(quarter(due), FollowUp(quarter(due)))
        completed = item.get("completed")
        if done and completed is None:
            row.undated += 1
            continue
        row.due += 1
        row.in_time += bool(done and completed <= due)
    return [quarters[q] for q in sorted(quarters)]
