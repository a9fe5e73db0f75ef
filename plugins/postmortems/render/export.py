"""The catalog as data: ``postmortems.json`` on the site and ``postmortems export``.

Both are built from the same rows, so the site and the command line agree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from postmortems.catalog.metrics import open_action_items
from postmortems.catalog.records import Catalog, PostMortem
from postmortems.model.figures import human_minutes
from postmortems.read.schema import looks_numeric

from .urls import SiteUrls

CSV_COLUMNS = [
    "id",
    "title",
    "severity",
    "status",
    "started",
    "detected",
    "mitigated",
    "resolved",
    "ttd",
    "ttm",
    "ttr",
    "downtime",
    "detected_by",
    "services",
    "tags",
    "owner",
    "incident_commander",
    "review_meeting",
    "review_due",
    "review_overdue",
    "recurrence",
    "related",
    "contributing_factors",
    "action_items_open",
    "action_items_total",
    "problems",
    "url",
    "path",
]


def _site_url(catalog: Catalog) -> Callable[[PostMortem], str]:
    """Where MkDocs publishes a post-mortem with directory URLs (the command line's guess)."""
    return SiteUrls(catalog.settings.folder)


def _plain(value: Any) -> Any:
    """JSON-ready copy of a front-matter value: dates as ISO 8601 text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def row(
    record: PostMortem, catalog: Catalog, url: Callable[[PostMortem], str] | None = None
) -> dict[str, Any]:
    """One post-mortem: its front matter, derived figures and where it lives."""
    settings = catalog.settings
    items = record.meta.get("action_items") or []
    open_items = open_action_items(record, settings)
    return {
        "id": None,  # always there: null where a file that cannot be read does not say
        "title": None,
        **_plain(record.meta),
        "figures": record.figures.as_dict(),
        # as every page writes a duration, so a reader of the data (the index table) need
        # not know the rule
        "figures_shown": {k: human_minutes(v) for k, v in record.figures.as_dict().items()},
        "month": record.month(settings),
        "review_due": _plain(record.review.due),
        "review_overdue": record.review.overdue,
        "action_items_open": len(open_items),
        "action_items_total": len(items),
        "problems": len(record.problems),
        "url": (url or _site_url(catalog))(record),
        "path": record.path,
    }


def to_json(catalog: Catalog, url: Callable[[PostMortem], str] | None = None) -> str:
    """The whole catalog as a JSON document; safe to embed (no raw '</' or '<!--')."""
    payload = {
        "settings": {
            "severities": list(catalog.settings.severities),
            "statuses": list(catalog.settings.statuses),
            "timezone": catalog.settings.timezone,
            "ttr_start": catalog.settings.ttr_start,
            "factors": list(catalog.settings.factor_names),
            "fields": [  # the team's own, for the index table's columns and filters
                {"name": f.name, "title": f.title, "type": f.type, "values": list(f.values)}
                for f in catalog.settings.fields
                if f.column
            ],
        },
        "postmortems": [row(r, catalog, url) for r in catalog.records],
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def as_script(json_text: str) -> str:
    """The catalog's JSON as a script that hands it to the index table: a page opened
    from a file share (file://) may load a script, but not fetch a file."""
    return f"window.postmortemsData = {json_text};\n"


def to_csv(catalog: Catalog, url: Callable[[PostMortem], str] | None = None) -> str:
    """One line per post-mortem; lists joined with '; '. Cells that a spreadsheet would
    run as a formula are prefixed with a quote."""
    out = io.StringIO()
    columns = CSV_COLUMNS + [field.name for field in catalog.settings.fields]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for record in catalog.records:
        data = row(record, catalog, url)
        data.update({k: v for k, v in data.pop("figures").items()})
        writer.writerow({k: _cell(data.get(k)) for k in columns})
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if text[:1] in ("=", "+", "-", "@") and not looks_numeric(text):
        text = "'" + text
    return text
