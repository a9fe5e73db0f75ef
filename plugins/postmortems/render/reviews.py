"""Monthly review pages: the agenda of the incident review meeting for each month."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from postmortems.catalog import metrics, themes
from postmortems.catalog.graph import Graph
from postmortems.catalog.records import Catalog, PostMortem
from postmortems.model.figures import human_minutes
from postmortems.model.settings import Settings

from .dashboard import open_work, tiles
from .html import (
    Cell,
    Href,
    UrlOf,
    due_shown,
    esc,
    month_title,
    record_link,
    review_meeting,
    severity_badge,
    started_day,
    status_badge,
    table,
)
from .pages import with_title
from .themes import anchor as theme_anchor
from .urls import THEMES, SiteUrls

AGENDA = (
    "Recap the timeline",
    "How could it have been caught earlier?",
    "Customer impact",
    "Review the action items",
)


def index_page(months: list[metrics.Month], href: Href, urls: SiteUrls) -> str:
    rows = [
        [
            f'<a href="{esc(href(urls.month(m.month)))}">{esc(month_title(m.month))}</a>',
            str(m.count),
            str(m.severe),
            esc(human_minutes(m.downtime)),
            esc(human_minutes(m.ttr.mean)),
        ]
        for m in reversed(months)
        if m.count
    ]
    return with_title(
        "Monthly reviews",
        "One page per month with incidents: the agenda of the "
        "monthly incident review.\n\n"
        + table(["Month", "Incidents", "Severe", "Downtime", "MTTR"], rows, "pm-reviews"),
    )


CURRENT_MONTHS = 2  # pages that list today's overdue work: this month's and the last one's


class OpenWork(NamedTuple):
    """What every month's page shows of the work open today: made once a build, for all
    of them."""

    due: dict[str, list[metrics.ActionItem]]  # action items by the month they are due
    work: tuple[tuple[str, int], ...]  # the open-work tiles
    overdue: list[PostMortem]  # post-mortems overdue for review
    late_items: list[metrics.ActionItem]  # action items past their due date

    @classmethod
    def of(cls, catalog: Catalog, today: date) -> "OpenWork":
        items = metrics.action_items(catalog.records, catalog.settings)
        return cls(
            due_by_month(items),
            open_work(catalog, today),
            [r for r in catalog.records if r.review.overdue],
            overdue_items(items, catalog.settings, today),
        )


def month_page(
    month: metrics.Month,
    months: list[metrics.Month],
    catalog: Catalog,
    graph: Graph,
    today: date,
    href: Href,
    urls: SiteUrls,
    open_now: OpenWork,
) -> str:
    """One month's review. Today's overdue work is listed in full only on the current
    months' pages (older pages link there), so the pages together stay linear in size."""
    settings = catalog.settings
    due, work, overdue, late_items = open_now
    url_of = urls
    reviewed = settings.reviewed_statuses
    link = lambda r: record_link(r, href(url_of(r)))  # noqa: E731
    with_pages = [m.month for m in months if m.count]  # a month without incidents has none
    current = month.month in with_pages[-CURRENT_MONTHS:]
    incidents = table(
        ["Id", "Title", "Severity", "Status", "Downtime", "TTR", "Review meeting"],
        [
            [
                link(r),
                esc(r.title),
                severity_badge(r.meta.get("severity"), settings),
                status_badge(r.meta.get("status"), settings),
                esc(human_minutes(r.figures.downtime)),
                esc(human_minutes(r.figures.ttr)),
                review_meeting(r),
            ]
            for r in month.records
        ],
        "pm-list",
    )
    if current:
        overdue_html = (
            table(
                ["Id", "Title", "Status", "Review due"],
                [
                    [
                        link(r),
                        esc(r.title),
                        status_badge(r.meta.get("status"), settings),
                        esc(r.review.due.isoformat()),
                    ]
                    for r in overdue
                ],
                "pm-list",
            )
            if overdue
            else "<p>None.</p>"
        )
        overdue_list = _by_owner(late_items, href, url_of, settings)
    else:
        latest = esc(href(urls.month(with_pages[-1])))
        overdue_html, overdue_list = (
            f'<p>{count} as of {today.isoformat()}; listed on <a href="{latest}">the current '
            "review</a>.</p>"
            for count in (len(overdue), len(late_items))
        )
    return with_title(
        f"Incident review: {month_title(month.month)}",
        "\n\n".join(
            [
                f"{month.count} incident(s) started in {month_title(month.month)} "
                f"({esc(settings.timezone)}). Figures against the month before and the trailing "
                "12-month average; open work as of this build.",
                tiles(catalog, months, today, last=month.month, work=work),
                "The meeting goes through the page from top to bottom.",
                "## Incidents",
                incidents,
                "## Each incident",
                _agenda(month, href, url_of),
                "## Themes this month",
                _themes(month, href, urls),
                "## Recurrences seen this month",
                _recurrences(month, graph, href, url_of),
                "## Action items due this month",
                _by_owner(due.get(month.month, []), href, url_of, settings),
                "## Overdue action items",
                overdue_list,
                f"## Post-mortems overdue for review\n\nAs of {today.isoformat()}: still "
                f"{' or '.join(s for s in settings.statuses if s not in reviewed)} past "
                "their review deadline.",
                overdue_html,
            ]
        ),
    )


def _themes(month: metrics.Month, href: Href, urls: SiteUrls) -> str:
    """The contributing factors of the month's incidents, the most frequent first, each
    linked to its theme."""
    counted = themes.counted(month.records)
    if not counted:
        return "<p>No incident of the month lists a contributing factor.</p>"
    page = href(urls.url(THEMES))
    items = "".join(
        f'<li><a href="{esc(page)}#factor-{esc(theme_anchor(name))}">{esc(name)}</a>: '
        f"{n} of {month.count} incident(s)</li>"
        for name, n in counted
    )
    return f"<ul>{items}</ul>"


def due_by_month(items: list[metrics.ActionItem]) -> dict[str, list[metrics.ActionItem]]:
    """Action items by the month of their due date, 'YYYY-MM' (one pass, for every month page)."""
    grouped: dict[str, list[metrics.ActionItem]] = defaultdict(list)
    for entry in items:
        due = entry.item.get("due")
        if due is not None:
            grouped[f"{due.year:04d}-{due.month:02d}"].append(entry)
    return grouped


def overdue_items(
    items: list[metrics.ActionItem], settings, today: date
) -> list[metrics.ActionItem]:
    return [i for i in items if metrics.is_overdue(i.item, settings, today)]


def _by_owner(
    items: list[metrics.ActionItem], href: Href, url_of: UrlOf, settings: Settings
) -> str:
    """One table of action items, the owner first and sorted by owner, then by due date:
    each owner's items read together, and the table sorts by any column."""
    if not items:
        return "<p>None.</p>"
    owner = lambda e: e.item.get("owner") or "(no owner)"  # noqa: E731
    ordered = sorted(items, key=lambda e: (owner(e).lower(), e.item["due"], e.record.name))
    rows = [
        [
            f'<span class="pm-nowrap">{esc(owner(e))}</span>',
            record_link(e.record, href(url_of(e.record))),
            esc(e.item.get("title", "")),
            Cell(due_shown(e.item), e.item["due"].isoformat()),
            status_badge(e.item.get("status", "Open"), settings),
        ]
        for e in ordered
    ]
    return table(
        ["Owner", "Incident", "Action", "Due", "Status"], rows, "pm-actions", sortable=True
    )


def _recurrences(month: metrics.Month, graph: Graph, href: Href, url_of: UrlOf) -> str:
    items = []
    for record in month.records:
        earlier = graph.of(record).same_cause_as
        if earlier:
            names = ", ".join(
                f"{record_link(e, href(url_of(e)))} ({started_day(e, graph.catalog.settings)})"
                for e in earlier
            )
            items.append(
                f"<li>{record_link(record, href(url_of(record)))} {esc(record.title)}: "
                f"same root cause as {names}</li>"
            )
    return f"<ul>\n{chr(10).join(items)}\n</ul>" if items else "<p>No recurrence this month.</p>"


def _agenda(month: metrics.Month, href: Href, url_of: UrlOf) -> str:
    if not month.records:
        return "<p>No incident to review.</p>"
    blocks = []
    for record in month.records:
        checks = "\n".join(
            f'<li><label><input type="checkbox"> {esc(step)}</label></li>' for step in AGENDA
        )
        blocks.append(
            f'<div class="pm-agenda"><p>{record_link(record, href(url_of(record)))} '
            f"{esc(record.title)}</p>\n<ul>\n{checks}\n</ul></div>"
        )
    return "\n".join(blocks)
