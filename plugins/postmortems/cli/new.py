"""`postmortems new`: a new Draft from the site's template, with the next free id."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from postmortems.catalog.records import Catalog
from postmortems.model.paths import slug
from postmortems.model.settings import Settings
from postmortems.read import template
from postmortems.read.schema import parse_timestamp

_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def next_id(catalog: Catalog, settings: Settings) -> str:
    """The next id of the site's series: the configured prefix, or the newest incident's."""
    numbered = [
        (m.group(1), m.group(2))
        for r in catalog.records
        if r.id
        for m in [_NUMBERED.match(r.id)]
        if m
    ]
    prefix = settings.id_series
    if not prefix:
        newest = next((r for r in catalog.records if r.id and _NUMBERED.match(r.id)), None)
        prefix = _NUMBERED.match(newest.id).group(1) if newest else "INC-"
    numbers = [digits for p, digits in numbered if p == prefix]
    width = max((len(d) for d in numbers), default=1)
    value = max((int(d) for d in numbers), default=0) + 1
    return f"{prefix}{value:0{width}d}"


def _set_key(front: str, key: str, value: str) -> str:
    """Set a top-level key's value in front-matter text, keeping the rest as written."""
    pattern = re.compile(rf"^{re.escape(key)}:[^\n]*$", re.M)
    if pattern.search(front):
        return pattern.sub(lambda _: f"{key}: {value}", front, count=1)
    return f"{key}: {value}\n{front}"


def render(
    template: str, ident: str, title: str, severity: str, started: datetime, services: list[str]
) -> str:
    """The template with the new incident's values filled in, as a Draft."""
    if not template.startswith("---\n") or "\n---\n" not in template[3:]:
        raise ValueError("the template has no front matter between '---' lines")
    front, body = template[4:].split("\n---\n", 1)
    quote = lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'  # noqa: E731
    for key, value in (
        ("id", ident),
        ("title", quote(title)),
        ("severity", severity),
        ("status", "Draft"),
        ("started", started.isoformat()),
        ("services", "[" + ", ".join(quote(s) for s in services) + "]"),
    ):
        front = _set_key(front, key, value)
    return f"---\n{front}\n---\n{body}"


def severity_problem(severity: str, settings: Settings) -> str:
    """What is wrong with a severity, or ""."""
    if severity in settings.severities:
        return ""
    return f"'{severity}' is not one of {', '.join(settings.severities)}"


def started_problem(text: str, settings: Settings) -> str:
    """What is wrong with a start time as typed, or "" (empty is now)."""
    if not text:
        return ""
    try:
        parse_timestamp(text, settings.tz)
    except ValueError as exc:
        return str(exc)
    return ""


def create(
    folder: Path,
    catalog: Catalog,
    settings: Settings,
    title: str,
    severity: str,
    started_text: str | None,
    services: list[str],
) -> Path:
    """Write the new post-mortem; raises ValueError with a message for bad input."""
    title = title.strip()
    if not title:
        raise ValueError("--title: a title is required")
    for flag, wrong in (
        ("severity", severity_problem(severity, settings)),
        ("started", started_problem(started_text or "", settings)),
    ):
        if wrong:
            raise ValueError(f"--{flag}: {wrong}")
    started = (
        parse_timestamp(started_text, settings.tz)
        if started_text
        else datetime.now(timezone.utc).replace(second=0, microsecond=0)
    )
    text = render(
        template.read(folder, settings),
        next_id(catalog, settings),
        title,
        severity,
        started,
        services,
    )
    day = started.astimezone(settings.tz).strftime("%Y-%m-%d")
    path = folder / f"{day}-{slug(title, 'incident')}.md"
    number = 2
    while path.exists():
        path = folder / f"{day}-{slug(title, 'incident')}-{number}.md"
        number += 1
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
