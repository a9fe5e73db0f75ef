"""Hooks for this site only: the home page's "latest incidents" and "on this day".

The plugin does the general work; this file shows what a site adds on top of it,
using the plugin's catalog of the current build.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from postmortems.render import pages

LATEST_MARKER = "<!-- home:latest -->"
ON_THIS_DAY_MARKER = "<!-- home:on-this-day -->"
LATEST_COUNT = 5


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str | None:
    if (
        page.file.src_uri != "index.md"
        or LATEST_MARKER not in markdown
        and ON_THIS_DAY_MARKER not in markdown
    ):
        return None
    plugin = config.plugins.get("postmortems")
    build = getattr(plugin, "build", None)
    if build is None:
        return None
    catalog = build.catalog

    def href(target: str) -> str:
        return get_relative_url(target, page.url)

    latest = [r for r in catalog.records if r.started][:LATEST_COUNT]
    markdown = markdown.replace(
        LATEST_MARKER, pages.listing(latest, catalog.settings, href, build.url_of)
    )
    today = build.today
    earlier = [
        r
        for r in catalog.records
        if r.started
        and (lambda d: (d.month, d.day) == (today.month, today.day) and d.year < today.year)(
            r.started.astimezone(catalog.settings.tz).date()
        )
    ]
    on_this_day = (
        pages.listing(earlier, catalog.settings, href, build.url_of)
        if earlier
        else "<p>No incident started on this date in earlier years.</p>"
    )
    return markdown.replace(ON_THIS_DAY_MARKER, on_this_day)
