"""The themes page: for each contributing factor, the incidents it contributed to, their
downtime and time to resolve, and its trend by quarter; the factors that grew most over
the last quarter first; then the factors that often come together."""

from __future__ import annotations

from datetime import date

from postmortems.catalog import themes
from postmortems.catalog.records import Catalog
from postmortems.model.figures import human_minutes

from .html import Cell, Href, UrlOf, esc, minutes_cell, record_link, table
from .pages import with_title

INCIDENTS_LISTED = 8  # a theme's incidents named on the page, newest first


def page(catalog: Catalog, today: date, href: Href, url_of: UrlOf) -> str:
    found = [t for t in themes.themes(catalog, today) if t.records or t.factor.description]
    if not found:
        return with_title(
            "Themes",
            "No post-mortem lists `contributing_factors` yet, and the site declares none. "
            "Declare your team's factors under `contributing_factors` in `mkdocs.yml`.",
        )
    quarters = themes.last_quarters(today, themes.QUARTERS_SHOWN)
    last, before = quarters[-1], quarters[-2]
    rows = []
    for theme in found:
        growth = theme.growth(today)
        rows.append(
            [
                f'<a href="#factor-{esc(anchor(theme.name))}">{esc(theme.name)}</a>',
                esc(theme.factor.group or "—"),
                str(len(theme.records)),
                minutes_cell(theme.downtime if theme.records else None),
                minutes_cell(theme.mttr),
                Cell(_trend(theme, quarters), theme.by_quarter[last]),
                Cell(f"{growth:+d}" if growth else "same", growth),
            ]
        )
    parts = [
        "A contributing factor is one of the conditions that let an incident happen or made "
        "it worse; an incident usually has several. Counting them across incidents shows what "
        f"keeps hurting us. Factors that grew most from {before} to {last} come first.",
        table(
            [
                "Factor",
                "Group",
                "Incidents",
                "Downtime",
                "MTTR",
                f"By quarter, {quarters[0]} to {last}",
                f"{last} vs {before}",
            ],
            rows,
            "pm-themes",
            sortable=True,
        ),
        _together(catalog),
    ]
    for theme in found:
        parts.append(_section(theme, href, url_of))
    return with_title("Themes", "\n\n".join(p for p in parts if p))


def anchor(name: str) -> str:
    """A factor's section on the themes page."""
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def _trend(theme: themes.Theme, quarters: list[str]) -> str:
    counts = " · ".join(str(theme.by_quarter[q]) for q in quarters)
    said = ", ".join(f"{q}: {theme.by_quarter[q]}" for q in quarters)
    return f'<span class="pm-nowrap" title="{esc(said)}">{counts}</span>'


def _together(catalog: Catalog) -> str:
    pairs = themes.together(catalog)
    if not pairs:
        return ""
    items = "".join(f"<li>{esc(a)} and {esc(b)}: {n} incidents</li>" for a, b, n in pairs[:10])
    return f'<h2 id="together">Often together</h2>\n<ul>{items}</ul>'


def _section(theme: themes.Theme, href: Href, url_of: UrlOf) -> str:
    head = f'<h2 id="factor-{esc(anchor(theme.name))}">{esc(theme.name)}</h2>'
    about = f"<p>{esc(theme.factor.description)}</p>" if theme.factor.description else ""
    if not theme.records:
        return f"{head}\n{about}\n<p>No incident lists it yet.</p>"
    listed = theme.records[:INCIDENTS_LISTED]
    items = "".join(
        f"<li>{record_link(r, href(url_of(r)))} {esc(r.title)}, "
        f"{esc(human_minutes(r.figures.downtime))} of downtime</li>"
        for r in listed
    )
    more = (
        f"<p>and {len(theme.records) - len(listed)} earlier.</p>"
        if len(theme.records) > len(listed)
        else ""
    )
    lead = (
        f"<p>{len(theme.records)} incident(s), {esc(human_minutes(theme.downtime))} of "
        f"downtime, time to resolve {esc(human_minutes(theme.mttr))} on average.</p>"
    )
    return f"{head}\n{about}\n{lead}\n<ul>{items}</ul>\n{more}"
