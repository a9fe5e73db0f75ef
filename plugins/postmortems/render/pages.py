"""Generated pages built from the parsed catalog (never from re-rendered pages):
the post-mortems index, one page per year, and the service pages.

Functions return Markdown with raw HTML for everything that carries front-matter
data. ``href(url)`` turns a site-relative URL into a link from the page being
written, and ``url_of(record)`` gives a post-mortem's site-relative URL, so this
module needs nothing from MkDocs.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable

from postmortems.catalog.graph import Chain, Graph
from postmortems.catalog.metrics import ServiceStats, open_action_items
from postmortems.catalog.records import Catalog, PostMortem
from postmortems.model.figures import human_minutes
from postmortems.model.settings import Settings

from .html import (
    Cell,
    Href,
    UrlOf,
    due_shown,
    duration,
    esc,
    join_list,
    minutes_cell,
    record_link,
    severity_badge,
    started_day,
    status_badge,
    table,
)
from .urls import DATA_SCRIPT, JSON, SiteUrls

SECTION_ROWS = 5  # entries per severity/status section; the full list is the table
MARKER = "<!-- postmortems:index -->"
WIDE = "hide:\n  - toc\n"  # front matter: Material leaves out the table of contents


def with_title(title: str, content: str) -> str:
    """A generated page: its title (escaped: themes print titles raw), the content's full
    width for its tables and charts (no table of contents beside them), and kept out of
    the search index, where it would only repeat the post-mortems' own entries."""
    head = f"title: {json.dumps(esc(title))}\n{WIDE}search:\n  exclude: true\n"
    return f"---\n{head}---\n\n{content}\n"


def widened(markdown: str) -> str:
    """A site's own index page, given the full width like ours unless it says what to hide."""
    if not markdown.startswith("---\n"):
        return f"---\n{WIDE}---\n\n{markdown}"
    end = markdown.find("\n---", 3)
    if end < 0 or re.search(r"^hide:", markdown[:end], re.M):
        return markdown
    return f"---\n{WIDE}{markdown[4:]}"


def _rows(
    records: Iterable[PostMortem], settings: Settings, href: Href, url_of: UrlOf, show: str
) -> list[list[str]]:
    rows = []
    for r in records:
        badge = (
            status_badge(r.meta.get("status"), settings)
            if show == "status"
            else severity_badge(r.meta.get("severity"), settings)
        )
        rows.append(
            [
                record_link(r, href(url_of(r))),
                esc(r.title),
                started_day(r, settings),
                esc(duration(r)),
                join_list(r.meta.get("services")),
                badge,
            ]
        )
    return rows


def listing(
    records: Iterable[PostMortem],
    settings: Settings,
    href: Href,
    url_of: UrlOf,
    show: str = "status",
) -> str:
    """A table of post-mortems: id, title, start date, duration, services, status or severity."""
    headers = [
        "Id",
        "Title",
        "Started",
        "Downtime",
        "Services",
        "Status" if show == "status" else "Severity",
    ]
    return table(headers, _rows(records, settings, href, url_of, show), "pm-list")


def year_of(record: PostMortem, settings: Settings) -> str | None:
    month = record.month(settings)
    return month[:4] if month else None


def years(catalog: Catalog) -> list[str]:
    found = {year_of(r, catalog.settings) for r in catalog.records}
    return sorted((y for y in found if y), reverse=True)


def _headline(catalog: Catalog) -> str:
    settings = catalog.settings
    records = catalog.records
    by_severity = Counter(r.meta.get("severity") for r in records)
    reviewing = sum(1 for r in records if r.meta.get("status") not in settings.reviewed_statuses)
    overdue = sum(1 for r in records if r.review.overdue)
    tiles = [
        ("post-mortems", len(records)),
        ("awaiting review", reviewing),
        ("overdue for review", overdue),
    ]
    tiles += [(esc(s), by_severity.get(s, 0)) for s in settings.severities]
    tiles.append(("need attention", len(catalog.needing_attention)))
    return tile_row(tiles)


def tile_row(tiles: list[tuple[str, object]]) -> str:
    """Figures side by side, each (label, value) already escaped."""
    cells = "".join(
        f'<div class="pm-tile"><span class="pm-tile-value">{value}</span>'
        f'<span class="pm-tile-label">{label}</span></div>'
        for label, value in tiles
    )
    return f'<div class="pm-tiles">{cells}</div>'


def needs_attention(catalog: Catalog, href: Href, url_of: UrlOf) -> str:
    rows = []
    for r in catalog.needing_attention:
        first = r.problems[0]
        errors = sum(1 for p in r.problems if p.is_error)
        rows.append(
            [
                f'<a href="{esc(href(url_of(r)))}"><code>{esc(r.path)}</code></a>',
                str(errors),
                str(len(r.problems) - errors),
                f"<code>{esc(first.text())}</code>",
            ]
        )
    if not rows:
        return ""
    return (
        "## Needs attention\n\nThese files have problems. Their pages are published "
        "with the problems listed at the top; `postmortems validate` lists them all.\n\n"
        + table(["File", "Errors", "Warnings", "First problem"], rows, "pm-attention")
    )


def _sections(
    catalog: Catalog, key: str, values: tuple[str, ...], href: Href, url_of: UrlOf, show: str
) -> str:
    parts = []
    for value in values:
        matching = [r for r in catalog.records if r.meta.get(key) == value]
        anchor = f"{key}-{value}".lower().replace(" ", "-")
        parts.append(f'<h3 id="{esc(anchor)}">{esc(value)} <small>· {len(matching)}</small></h3>')
        if not matching:
            parts.append("<p>None.</p>")
            continue
        parts.append(listing(matching[:SECTION_ROWS], catalog.settings, href, url_of, show))
        if len(matching) > SECTION_ROWS:
            parts.append(
                f'<p><a class="pm-more" href="?{esc(key)}={esc(value)}#all">'
                f"All {len(matching)} with {esc(key)} {esc(value)} →</a></p>"
            )
    return "\n\n".join(parts)


def index_page(catalog: Catalog, href: Href, urls: SiteUrls) -> str:
    """The post-mortems index: headline counts, attention, by severity, by status, all."""
    settings = catalog.settings
    url_of = urls
    site_root = href("").rstrip("/") + "/"  # MkDocs gives '..' for the root: make it a folder
    year_links = " · ".join(f'<a href="{esc(href(urls.year(y)))}">{y}</a>' for y in years(catalog))
    return "\n\n".join(
        part
        for part in [
            _headline(catalog),
            needs_attention(catalog, href, url_of),
            '<span id="all"></span>\n\n## All post-mortems',
            "Sort by any column; filter by text, severity, status, service or year.",
            f'<script src="{esc(href(urls.url(DATA_SCRIPT)))}"></script>\n'
            f'<div class="pm-table" data-src="{esc(href(urls.url(JSON)))}" '
            f'data-base="{esc(site_root)}">'
            "<noscript>The sortable table needs JavaScript; every post-mortem is also listed on "
            "the year pages below.</noscript></div>",
            f"<p>By year: {year_links}</p>" if year_links else "",
            "## By severity",
            _sections(catalog, "severity", settings.severities, href, url_of, "status"),
            "## By status",
            _sections(catalog, "status", settings.statuses, href, url_of, "severity"),
        ]
        if part
    )


def year_page(year: str, catalog: Catalog, href: Href, url_of: UrlOf) -> str:
    records = [r for r in catalog.records if year_of(r, catalog.settings) == year]
    total = sum(r.figures.downtime or 0 for r in records)
    return with_title(
        f"Post-mortems of {year}",
        (
            f"{len(records)} incident(s), {esc(human_minutes(total))} of downtime.\n\n"
            + listing(records, catalog.settings, href, url_of, "status")
        ),
    )


def services_index(
    services: list[ServiceStats], catalog: Catalog, href: Href, urls: SiteUrls
) -> str:
    rows = [
        [
            f'<a href="{esc(href(urls.service(s.slug)))}">{esc(s.name)}</a>',
            str(len(s.records)),
            minutes_cell(s.downtime),
            minutes_cell(s.mttr),
            str(sum(len(open_action_items(r, catalog.settings)) for r in s.records)),
        ]
        for s in services
    ]
    return with_title(
        "Services",
        (
            "Every service named in a post-mortem, with its incidents, "
            "downtime, mean time to resolve and open action items.\n\n"
            + table(
                ["Service", "Incidents", "Downtime", "MTTR", "Open actions"],
                rows,
                "pm-services",
                sortable=True,
            )
        ),
    )


def service_page(service: ServiceStats, catalog: Catalog, href: Href, url_of: UrlOf) -> str:
    settings = catalog.settings
    items = []
    for record in service.records:
        for item in open_action_items(record, settings):
            items.append(
                [
                    record_link(record, href(url_of(record))),
                    esc(item.get("title", "")),
                    esc(item.get("owner", "—")),
                    due_shown(item),
                    status_badge(item.get("status", "Open"), settings),
                ]
            )
    actions = (
        table(["Incident", "Action", "Owner", "Due", "Status"], items, "pm-actions")
        if items
        else "<p>No open action items.</p>"
    )
    return with_title(
        service.name,
        "\n\n".join(
            [
                tile_row(
                    [
                        ("incidents", len(service.records)),
                        ("downtime", esc(human_minutes(service.downtime))),
                        ("MTTR (mean)", esc(human_minutes(service.mttr))),
                        ("TTR (median)", esc(human_minutes(service.median_ttr))),
                    ]
                ),
                "## Incidents",
                listing(service.records, settings, href, url_of, "status"),
                "## Open action items",
                actions,
            ]
        ),
    )


def recurring_page(graph: Graph, href: Href, url_of: UrlOf) -> str:
    """Chains of incidents with one root cause, costliest first: a table to compare them,
    then each chain as sentences a person can follow, with its open actions."""
    settings = graph.catalog.settings
    chains = graph.chains()
    if not chains:
        return with_title("Recurring causes", "No incident lists another under `recurrence` yet.")
    summary_rows = [
        [
            f'<a href="#chain-{n}">{esc(chain.first.title)}</a>',
            str(chain.count),
            Cell(started_day(chain.first, settings), started_day(chain.first, settings)),
            Cell(started_day(chain.last, settings), started_day(chain.last, settings)),
            minutes_cell(chain.downtime),
            str(len(graph.open_actions(chain))),
        ]
        for n, chain in enumerate(chains, start=1)
    ]
    parts = [
        "Incidents joined by `recurrence` share a root cause. Each chain below is one cause "
        "that has hit us more than once; the costliest (by total downtime) comes first.",
        table(
            ["Root cause, as first seen", "Incidents", "First", "Last", "Downtime", "Open actions"],
            summary_rows,
            "pm-chains",
            sortable=True,
        ),
    ]
    for n, chain in enumerate(chains, start=1):
        parts += [
            f'<h2 id="chain-{n}">Chain {n}: {esc(chain.first.title)}</h2>',
            chain_sentences(chain, graph, settings, href, url_of),
        ]
    return with_title("Recurring causes", "\n\n".join(parts))


def chain_sentences(
    chain: Chain, graph: Graph, settings: Settings, href: Href, url_of: UrlOf
) -> str:
    """One chain as prose: how often and how long, then each incident in order, then the
    actions still open."""
    actions = graph.open_actions(chain)
    services = ", ".join(esc(s) for s in chain.services)
    lead = (
        f"<p>The same root cause hit {chain.count} times between "
        f"{started_day(chain.first, settings)} and {started_day(chain.last, settings)}"
        + (f", in {services}" if services else "")
        + f", for {esc(human_minutes(chain.downtime))} of downtime in all; "
        + (
            f"{len(actions)} corrective action{'s are' if len(actions) != 1 else ' is'} "
            "still open.</p>"
            if actions
            else "no corrective action is open.</p>"
        )
    )
    steps = []
    for index, record in enumerate(chain.records):
        then = "First" if index == 0 else "Then"
        steps.append(
            f"<li>{then} {record_link(record, href(url_of(record)))} "
            f"{severity_badge(record.meta.get('severity'), settings)} on "
            f"{started_day(record, settings)}: {esc(record.title)}, "
            f"{esc(human_minutes(record.figures.downtime))} of downtime.</li>"
        )
    items = [
        f"<li>{esc(item.get('title', ''))}: {esc(item.get('owner', 'no owner'))}, due "
        f"{due_shown(item) if item.get('due') else 'no date'} "
        f"(from {record_link(record, href(url_of(record)))}).</li>"
        for record, item in actions
    ]
    open_part = f"<p>Still open:</p>\n<ul>{''.join(items)}</ul>" if items else ""
    return f'<div class="pm-chain">{lead}\n<ol>{"".join(steps)}</ol>\n{open_part}</div>'
