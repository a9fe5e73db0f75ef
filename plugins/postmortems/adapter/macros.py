"""Macros for authors' own pages (mkdocs-macros-plugin ``modules: [postmortems.macros]``).

    {{ postmortems_table(severity="P1", status="In Review") }}
    {{ metric("mttr", month="2026-10") }}
    {{ chart("incidents", service="checkout-api") }}

They read the catalog of the current build. Post-mortem files themselves are never
rendered as templates; these are for hand-written pages the site opts in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mkdocs.utils import get_relative_url

from postmortems.catalog import metrics
from postmortems.catalog.records import Catalog, PostMortem
from postmortems.model.figures import human_minutes
from postmortems.render import charts, dashboard, pages
from postmortems.render.html import esc

METRICS: dict[str, tuple[Callable[[metrics.Month], Any], bool]] = {
    "incidents": (lambda m: m.count, False),
    "severe": (lambda m: m.severe, False),
    "downtime": (lambda m: m.downtime, True),
    "mttr": (lambda m: m.ttr.mean, True),
    "mttr_median": (lambda m: m.ttr.median, True),
    "mttr_p90": (lambda m: m.ttr.p90, True),
    "mttd": (lambda m: m.ttd.mean, True),
    "mttd_median": (lambda m: m.ttd.median, True),
    "detected_by_monitoring": (lambda m: m.detected_by_monitoring.percent, False),
    "mitigated_in_target": (lambda m: m.mitigated_in_target.percent, False),
    "reviews_on_time": (lambda m: m.reviews_on_time.percent, False),
    "recurrences": (lambda m: m.recurrences.percent, False),
}


def select(
    catalog: Catalog,
    severity: str | None = None,
    status: str | None = None,
    service: str | None = None,
    tag: str | None = None,
    period: str | None = None,
) -> list[PostMortem]:
    """Post-mortems matching every filter given; ``period`` is '2026', '2026-10' or
    '2026-01..2026-06' (months of ``started``)."""
    low, _, high = (period or "").partition("..")
    high = high or low

    def in_period(record: PostMortem) -> bool:
        month = record.month(catalog.settings)
        return not period or (
            month is not None and month[: len(low)] >= low and month[: len(high)] <= high
        )

    return [
        r
        for r in catalog.records
        if (severity is None or r.meta.get("severity") == severity)
        and (status is None or r.meta.get("status") == status)
        and (service is None or service in (r.meta.get("services") or []))
        and (tag is None or tag in (r.meta.get("tags") or []))
        and in_period(r)
    ]


def define_env(env: Any) -> None:
    """Register the macros with mkdocs-macros."""
    counter = {"charts": 0}

    def build():
        plugin = env.conf.plugins.get("postmortems")
        if plugin is None or plugin.build is None:
            raise RuntimeError("the postmortems plugin must be enabled, before macros")
        return plugin.build

    def href(target: str) -> str:
        return get_relative_url(target, env.page.url)

    def today():
        return build().today

    @env.macro
    def postmortems_table(severity=None, status=None, service=None, tag=None, period=None) -> str:
        """A table of the post-mortems that match every filter given."""
        site = build()
        chosen = select(site.catalog, severity, status, service, tag, period)
        if not chosen:
            return "<p>No post-mortem matches.</p>"
        return pages.listing(chosen, site.catalog.settings, href, site.url_of, "status")

    @env.macro
    def metric(name: str, month: str | None = None, severity=None, service=None) -> str:
        """One figure for one month (default: the last full month), e.g. metric("mttr")."""
        if name not in METRICS:
            raise ValueError(f"unknown metric {name!r}; known: {', '.join(METRICS)}")
        site = build()
        records = select(site.catalog, severity=severity, service=service)
        month = month or metrics.previous_month(today().strftime("%Y-%m"))
        found = [
            m for m in metrics.months(records, site.catalog.settings, today()) if m.month == month
        ]
        value_of, minutes = METRICS[name]
        value = (
            value_of(found[0])
            if found
            else (0 if name in ("incidents", "severe", "downtime") else None)
        )
        if value is None:
            return "—"
        return human_minutes(value) if minutes else f"{value:g}"

    @env.macro
    def chart(name: str = "incidents", service=None, severity=None) -> str:
        """One dashboard chart drawn over the post-mortems of one service or severity."""
        site = build()
        subset = Catalog(
            select(site.catalog, severity=severity, service=service), site.catalog.settings
        )
        chart_list, _ = charts.build(subset, today())
        chosen = [c for c in chart_list if c.key == name]
        if not chosen:
            return f"<p>No chart {esc(name)} for this selection.</p>"
        counter["charts"] += 1
        unique = replace(chosen[0], key=f"{name}-{counter['charts']}")
        return (
            dashboard.chart_block(unique) + "\n" + dashboard.data_script([unique], href, site.urls)
        )
