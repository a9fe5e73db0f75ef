"""An Atom feed of post-mortems: a new entry when one is published and each time its
status changes (the entry id includes the status, so readers see the change)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from xml.sax.saxutils import escape, quoteattr

from postmortems.catalog.records import Catalog, PostMortem
from postmortems.model.paths import slug

from .html import started_day


def atom(
    catalog: Catalog,
    changed: dict[str, datetime],
    link: Callable[[PostMortem], str],
    site_name: str,
    site_link: str,
    limit: int = 50,
) -> str:
    """The newest ``limit`` changes as an Atom document."""
    settings = catalog.settings
    never = datetime.min.replace(tzinfo=timezone.utc)
    records = sorted(
        (r for r in catalog.records if r.id and not r.refused),
        key=lambda r: changed.get(r.source.abs_path, never),
        reverse=True,
    )[:limit]
    updated = max(
        (changed[r.source.abs_path] for r in records if r.source.abs_path in changed), default=None
    )
    entries = []
    for r in records:
        when = changed.get(r.source.abs_path)
        status = r.meta.get("status", "")
        entry_id = f"urn:postmortem:{r.id}:{slug(status, 'status')}"
        summary = (
            f"{r.meta.get('severity', '')} · {status} · started {started_day(r, settings)}"
            f" · {', '.join(r.meta.get('services') or [])}"
        )
        entries.append(
            "<entry>"
            f"<id>{escape(entry_id)}</id>"
            f"<title>{escape(f'{r.id} · {r.title} ({status})')}</title>"
            f"<link href={quoteattr(link(r))}/>"
            f"<updated>{(when.isoformat() if when else '')}</updated>"
            f"<summary>{escape(summary)}</summary>"
            "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{escape('urn:postmortems:' + slug(site_name, 'site'))}</id>"
        f"<title>{escape(site_name)}: post-mortems</title>"
        f"<link href={quoteattr(site_link)}/>"
        f"<updated>{updated.isoformat() if updated else '1970-01-01T00:00:00+00:00'}</updated>"
        + "".join(entries)
        + "</feed>\n"
    )
