"""The summary card and action-item table shown above every post-mortem's body."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from postmortems.catalog import metrics
from postmortems.catalog.graph import Links
from postmortems.catalog.records import PostMortem
from postmortems.catalog.similar import Suggestion
from postmortems.model.figures import downtime_basis, human_minutes
from postmortems.model.problems import Problem
from postmortems.model.settings import Settings
from postmortems.read import writing

from .html import (
    due_shown,
    esc,
    join_list,
    record_link,
    review_meeting,
    severity_badge,
    started_day,
    status_badge,
    table,
)


def _when(value: Any, settings: Settings) -> str:
    if value is None:
        return "—"
    local = value.astimezone(settings.tz)
    shown = f"{local.strftime('%Y-%m-%d %H:%M')} {esc(local.tzname())}"
    return f'<time datetime="{local.isoformat()}">{shown}</time>'


def _impact(record: PostMortem) -> str:
    impact = record.meta.get("impact") or {}
    formats = {
        "users_affected": "{:,} users affected",
        "percent_users": "{:g}% of users",
        "support_tickets": "{:,} support tickets",
        "revenue_impact": "{:,} revenue impact",
        "slo_budget_percent": "{:g}% of error budget",
    }
    parts = [formats[key].format(value) for key, value in impact.items()]
    return esc("; ".join(parts)) if parts else "—"


def _own_fields(meta: dict[str, Any], settings: Settings) -> list[tuple[str, str]]:
    """The team's own fields shown on the card, where the post-mortem gives them."""
    rows = []
    for field in settings.fields:
        value = meta.get(field.name)
        if not field.card or value is None or value == []:
            continue
        if isinstance(value, list):
            shown = join_list(value)
        elif isinstance(value, float | int) and not isinstance(value, bool):
            shown = esc(f"{value:,g}")
        else:
            shown = esc(value.isoformat() if hasattr(value, "isoformat") else str(value))
        rows.append((esc(field.title), shown))
    return rows


def summary_card(record: PostMortem, settings: Settings) -> str:
    """The at-a-glance card: badges, times, figures, people and impact."""
    meta, fig = record.meta, record.figures
    rows = [
        ("Started", _when(meta.get("started"), settings)),
        (
            "Detected",
            _when(meta.get("detected"), settings)
            + (f" by {esc(meta['detected_by'])}" if meta.get("detected_by") else ""),
        ),
        ("Mitigated", _when(meta.get("mitigated"), settings)),
        ("Resolved", _when(meta.get("resolved"), settings)),
        ("Time to detect", esc(human_minutes(fig.ttd))),
        ("Time to mitigate", esc(human_minutes(fig.ttm))),
        ("Time to resolve", esc(human_minutes(fig.ttr))),
        ("Downtime", _downtime(record, settings)),
        ("Services", join_list(meta.get("services"))),
        ("Owner", esc(meta.get("owner", "—"))),
        ("Incident commander", esc(meta.get("incident_commander", "—"))),
        ("Responders", join_list(meta.get("responders"))),
        ("Review meeting", review_meeting(record)),
        ("Impact", _impact(record)),
    ]
    if meta.get("contributing_factors"):
        rows.append(("Contributing factors", join_list(meta.get("contributing_factors"))))
    if meta.get("tags"):
        rows.append(("Tags", join_list(meta.get("tags"))))
    rows.extend(_own_fields(meta, settings))
    cells = "\n".join(
        f'<div class="pm-field"><dt>{label}</dt><dd>{value}</dd></div>' for label, value in rows
    )
    badges = (
        severity_badge(meta.get("severity"), settings)
        + " "
        + status_badge(meta.get("status"), settings)
    )
    ident = esc(record.id or record.name)
    return (
        f'<div class="pm-card" data-id="{ident}">\n'
        f'<div class="pm-card-head"><span class="pm-id">{ident}</span> {badges}</div>\n'
        f'<dl class="pm-fields">\n{cells}\n</dl>\n</div>'
    )


def _downtime(record: PostMortem, settings: Settings) -> str:
    """The downtime and how it was found (given, or from which timestamps)."""
    shown = esc(human_minutes(record.figures.downtime))
    basis = downtime_basis(record.meta, settings)
    return f'{shown} <span class="pm-note">({esc(basis)})</span>' if basis else shown


def action_items(record: PostMortem, settings: Settings, today: date) -> str:
    """The action items as a table; open items past their due date are marked overdue."""
    items = record.meta.get("action_items") or []
    if not items:
        return ""
    rows = []
    for item in items:
        status = item.get("status", "Open")
        overdue = metrics.is_overdue(item, settings, today)
        due_text = due_shown(item)
        if overdue:
            due_text = f'<span class="pm-overdue" title="overdue">{due_text} · overdue</span>'
        rows.append(
            [
                esc(item.get("title", "")),
                esc(item.get("owner", "—")),
                esc(item.get("priority", "—")),
                due_text,
                status_badge(status, settings),
                _ticket(item.get("ticket")),
            ]
        )
    return '<h2 id="action-items">Action items</h2>\n' + table(
        ["Action", "Owner", "Priority", "Due", "Status", "Ticket"], rows, "pm-actions"
    )


def _ticket(ticket: str | None) -> str:
    if not ticket:
        return "—"
    if ticket.lower().startswith(("http://", "https://")):
        return f'<a href="{esc(ticket)}">{esc(ticket)}</a>'
    return esc(ticket)


def problems_box(problems: list[Problem]) -> str:
    """A warning box listing the file's problems, so a non-strict build shows them on the page."""
    if not problems:
        return ""
    items = "\n".join(f"<li><code>{esc(p.text())}</code></li>" for p in problems)
    return (
        '<div class="admonition warning pm-problems"><p class="admonition-title">'
        f"This post-mortem has {len(problems)} problem(s)</p>\n<ul>\n{items}\n</ul>\n</div>"
    )


def recurrence(links: Links, settings: Settings, href_of: Callable[[PostMortem], str]) -> str:
    """Same root cause as (earlier), recurred in (later, backlinks), related (both ways)."""
    groups = [
        ("Same root cause as", links.same_cause_as, "pm-same-cause"),
        ("Recurred in", links.recurred_in, "pm-recurred-in"),
        ("Related", links.related, "pm-related"),
    ]
    parts = []
    for label, records, css in groups:
        if not records:
            continue
        items = "\n".join(
            f"<li>{record_link(r, href_of(r))} {esc(r.title)} · {started_day(r, settings)} "
            f"{severity_badge(r.meta.get('severity'), settings)}</li>"
            for r in records
        )
        parts.append(
            f'<div class="{css}"><p><strong>{label}</strong></p>\n<ul>\n{items}\n</ul></div>'
        )
    if not parts:
        return ""
    warn = " pm-recurring" if links.same_cause_as or links.recurred_in else ""
    return f'<div class="pm-recurrence{warn}">\n' + "\n".join(parts) + "\n</div>"


def possibly_related(
    suggestions: list[Suggestion], settings: Settings, href_of: Callable[[PostMortem], str]
) -> str:
    """Earlier incidents most like this one, and what they share: a hint for the author
    (link one under recurrence or related if it is), never a warning."""
    if not suggestions:
        return ""
    items = "\n".join(
        f"<li>{record_link(s.record, href_of(s.record))} {esc(s.record.title)} · "
        f"{started_day(s.record, settings)} <small>({esc(s.why)})</small></li>"
        for s in suggestions
    )
    return (
        '<div class="pm-similar"><p><strong>Possibly related</strong> '
        "<small>(earlier incidents most like this one)</small></p>\n"
        f"<ul>\n{items}\n</ul></div>"
    )


def search_summary(record: PostMortem) -> str:
    """One line of the card's facts for the search index (the card itself is not indexed)."""
    meta = record.meta
    parts = [
        meta.get("severity"),
        meta.get("status"),
        ", ".join(meta.get("services") or []),
        meta.get("owner"),
        meta.get("incident_commander"),
        ", ".join(meta.get("tags") or []),
    ]
    return f'<p class="pm-summary-line">{esc(" · ".join(p for p in parts if p))}</p>'


def still_to_do(record: PostMortem, settings: Settings) -> str:
    """What the next status needs, shown until the post-mortem is Closed."""
    target = writing.next_status(record.meta.get("status"), settings)
    if not record.todo or target is None:
        return ""
    items = "\n".join(f"<li>{esc(item)}</li>" for item in record.todo)
    return (
        f'<div class="admonition info pm-todo"><p class="admonition-title">Still to do before '
        f"{esc(target)}</p>\n<ul>\n{items}\n</ul>\n</div>"
    )


def page_head(
    record: PostMortem,
    settings: Settings,
    today: date,
    links: Links,
    href_of: Callable[[PostMortem], str],
    suggestions: list[Suggestion] = (),  # type: ignore[assignment]
) -> str:
    """What the plugin puts above a post-mortem's body: problems, what is still to do,
    card, recurrence, possibly related incidents, action items."""
    return "\n\n".join(
        part
        for part in (
            problems_box(record.problems),
            still_to_do(record, settings),
            summary_card(record, settings),
            recurrence(links, settings, href_of),
            possibly_related(list(suggestions), settings, href_of),
            action_items(record, settings, today),
        )
        if part
    )


def nav_title(record: PostMortem) -> str:
    """'HOT-13432 · title', escaped: themes print page titles without escaping."""
    return esc(f"{record.id} · {record.title}" if record.id else record.title)
