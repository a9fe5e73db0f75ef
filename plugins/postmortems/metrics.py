"""Figures over many incidents: means, medians and per-service totals.

Pure functions over catalog records; the pages, the dashboard and the command
line all take their numbers from here so they cannot disagree.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Iterable

from .catalog import PostMortem
from .settings import Settings


def mean(values: Iterable[float]) -> float | None:
    data = list(values)
    return round(statistics.fmean(data), 2) if data else None


def median(values: Iterable[float]) -> float | None:
    data = list(values)
    return round(statistics.median(data), 2) if data else None


def known(values: Iterable[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def open_action_items(record: PostMortem, settings: Settings) -> list[dict]:
    return [item for item in record.meta.get("action_items") or []
            if item.get("status", "Open") not in settings.action_item_done]


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


def slugify(text: str) -> str:
    """A safe URL segment: ASCII letters, digits and '-', never empty, never '..'."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "service"


def by_service(records: Iterable[PostMortem]) -> list[ServiceStats]:
    """Services named in front matter, each with its incidents (newest first), by name.

    Slugs are given in name order, so a new incident never moves another service's URL.
    """
    grouped: dict[str, list[PostMortem]] = {}
    for record in records:
        for name in dict.fromkeys(record.meta.get("services") or []):
            grouped.setdefault(name, []).append(record)
    used: set[str] = set()
    out = []
    for name in sorted(grouped, key=lambda n: (n.lower(), n)):
        base = slug = slugify(name)
        n = 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        out.append(ServiceStats(name, slug, grouped[name]))
    return out
