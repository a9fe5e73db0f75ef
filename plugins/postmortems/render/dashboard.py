"""The dashboard page: headline tiles over the last full month, then the charts."""

from __future__ import annotations

from datetime import date

from postmortems.catalog import metrics
from postmortems.catalog.records import Catalog
from postmortems.model.figures import human_minutes

from . import charts
from .html import Href, esc, month_title
from .pages import with_title
from .urls import PLOTLY, SiteUrls


def _fmt(value: float | None, minutes: bool) -> str:
    if value is None:
        return "—"
    return human_minutes(value) if minutes else f"{value:g}"


def _delta(now: float, before: float, minutes: bool) -> str:
    """'▲ 12 min' or '▼ 3' against an earlier value, 'same' when equal; more is worse for
    every tile here."""
    diff = round(now - before, 1)
    if diff == 0:
        return "same"
    arrow, css = ("▲", "pm-worse") if diff > 0 else ("▼", "pm-better")
    return f'<span class="{css}">{arrow} {esc(_fmt(abs(diff), minutes))}</span>'


def _tile(name: str, month: str, value, minutes: bool, before, window) -> str:
    """One figure of a month with incidents, against the month before and the 12-month
    average; a comparison with nothing to compare with is left out, not shown as a dash."""
    now = value(window[-1])
    prior = value(before) if before is not None else None
    lines = []
    if now is not None and prior is not None:
        lines.append(f"vs {before.month}: {_delta(now, prior, minutes)}")
    average = metrics.trailing([value(m) for m in window])
    if average is not None and now is not None:
        lines.append(
            f"vs 12-month avg {esc(_fmt(average, minutes))}: {_delta(now, average, minutes)}"
        )
    return (
        f'<div class="pm-tile"><span class="pm-tile-label">{esc(name)}, {month}</span>'
        f'<span class="pm-tile-value">{esc(_fmt(now, minutes))}</span>'
        + "".join(f'<span class="pm-tile-label">{line}</span>' for line in lines)
        + "</div>"
    )


def open_work(catalog: Catalog, today: date) -> tuple[tuple[str, int], ...]:
    """Today's open and overdue action items and overdue reviews (compute once a build and
    pass it to every page's tiles)."""
    settings = catalog.settings
    items = metrics.action_items(catalog.records, settings)
    open_items = [i for i in items if not metrics.is_done(i.item, settings)]
    overdue = [i for i in open_items if metrics.is_overdue(i.item, settings, today)]
    reviews = sum(1 for r in catalog.records if r.review.overdue)
    return (
        ("Open action items", len(open_items)),
        ("Overdue action items", len(overdue)),
        ("Post-mortems overdue for review", reviews),
    )


def tiles(
    catalog: Catalog,
    months: list[metrics.Month],
    today: date,
    last: str | None = None,
    work: tuple[tuple[str, int], ...] | None = None,
) -> str:
    """A month (by default the last full one) against the month before and the trailing
    12-month average, then today's open and overdue work."""
    settings = catalog.settings
    by_month = {m.month: m for m in months}
    last = last or metrics.previous_month(today.strftime("%Y-%m"))
    before = metrics.previous_month(last)
    window = [m for m in months if m.month <= last][-12:]
    rows = [
        ("Incidents", lambda m: m.count, False),
        (f"{' + '.join(settings.severities[:2])} incidents", lambda m: m.severe, False),
        ("Downtime", lambda m: m.downtime, True),
        ("MTTR", lambda m: m.ttr.mean, True),
        ("MTTD", lambda m: m.ttd.mean, True),
    ]
    cells = []
    if last in by_month and by_month[last].count:
        for name, value, minutes in rows:
            cells.append(_tile(name, last, value, minutes, by_month.get(before), window))
    else:
        had = by_month[before].count if before in by_month else 0
        average = metrics.trailing([m.count for m in window])
        cells.append(
            f'<p class="pm-tiles-none">No incidents in {month_title(last)}; '
            f"{month_title(before)} had {had or 'none'}"
            + (f", the last 12 months {average:.1f} a month" if average else "")
            + ".</p>"
        )
    for name, count in work if work is not None else open_work(catalog, today):
        cells.append(
            f'<div class="pm-tile"><span class="pm-tile-label">{name}, today</span>'
            f'<span class="pm-tile-value">{count}</span></div>'
        )
    return f'<div class="pm-tiles pm-headline">{"".join(cells)}</div>'


def chart_block(chart: charts.Chart) -> str:
    head = f'<h2 id="{chart.key}">{esc(chart.title)}</h2>\n\n'
    said = f'<p class="pm-chart-note">{esc(chart.note)}</p>\n' if chart.note else ""
    if chart.empty:
        return head + said
    note = f'<p class="pm-left-out">{esc(chart.left_out)}</p>' if chart.left_out else ""
    return (
        f"{head}{said}"
        f'<div class="pm-chart" data-chart="{chart.key}"></div>\n'
        f'<p class="pm-definition">{esc(chart.definition)}</p>\n{note}'
    )


def data_script(chart_list: list[charts.Chart], href: Href, urls: SiteUrls) -> str:
    """The chart data, and where plotly.js lives, for assets/postmortems/dashboard.js."""
    return (
        f'<script type="application/json" class="pm-chart-data" '
        f'data-plotly="{esc(href(urls.url(PLOTLY)))}">'
        f"{charts.to_json([c for c in chart_list if not c.empty])}</script>"
    )


def page(catalog: Catalog, today: date, href: Href, urls: SiteUrls) -> str:
    chart_list, months = charts.build(catalog, today)
    if not chart_list:
        return with_title("Dashboard", "No post-mortem has a start time yet.")
    intro = (
        f"Incidents by calendar month of `started` in {esc(catalog.settings.timezone)}, "
        f"{months[0].month} to {months[-1].month}. Time to resolve is measured from "
        f"**{esc(catalog.settings.ttr_start)}** (the site's `ttr_start`)."
    )
    body = "\n\n".join(
        [intro, tiles(catalog, months, today)]
        + [chart_block(c) for c in chart_list]
        + [data_script(chart_list, href, urls)]
    )
    return with_title("Dashboard", body)
