"""The nav: the index and the most recent post-mortems, never all of them.

MkDocs renders the whole nav into every page, so listing n post-mortems costs
O(n^2); the rest are reached through the index, year and service pages.
"""

from __future__ import annotations

import re
from typing import Any

import jinja2
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from postmortems.render import urls
from postmortems.render.card import nav_title

from . import mkdocs_private
from .site import SECTION_TITLES, SiteBuild

NAV_MARKER = "@postmortems"  # an entry of a site's own nav: our section goes there
SECTION_TITLE = "Post-mortems"


def section_entries(folder: str) -> list[Any]:
    """Our pages as entries of ``nav:`` in mkdocs.yml: the index first (Material's
    ``navigation.indexes`` makes it the section's own link), then the pages about all
    incidents; the newest post-mortems follow them at build time."""
    return [
        f"{folder}/index.md",
        *({SECTION_TITLES[uri]: uri} for uri in ORDER),
    ]


ORDER = (urls.DASHBOARD, urls.REVIEWS, urls.THEMES, urls.SERVICES, urls.RECURRING)


def expand_marker(entries: Any, folder: str) -> Any:
    """A site's own ``nav:`` with each ``@postmortems`` entry (``- "@postmortems"`` or
    ``- Incidents: "@postmortems"``) made our section."""
    if not isinstance(entries, list):
        return entries
    out = []
    for entry in entries:
        if entry == NAV_MARKER:
            out.append({SECTION_TITLE: section_entries(folder)})
        elif isinstance(entry, dict) and len(entry) == 1:
            ((title, value),) = entry.items()
            if value == NAV_MARKER:
                out.append({title: section_entries(folder)})
            else:
                out.append({title: expand_marker(value, folder)})
        else:
            out.append(entry)
    return out


def group(nav: Navigation, build: SiteBuild) -> None:
    """In a nav MkDocs made from the folders, our pages sit in one section each, between
    the site's own: gather them into one section where the index's was, so the pages
    about all incidents come before the list of the newest."""
    found = []
    for uri in (build.urls.index_path, *ORDER):
        page = _nav_page(build, uri, nav)
        entry = _top_entry(page, nav) if page is not None else None
        if entry is None and uri == build.urls.index_path:
            return  # the site placed the index itself
        if entry is not None:
            found.append((page, entry))
    entries = [entry for _, entry in found]
    taken = lambda item: any(item is entry for entry in entries)  # noqa: E731
    position = sum(1 for item in nav.items[: _position(nav.items, entries[0])] if not taken(item))
    nav.items[:] = [item for item in nav.items if not taken(item)]
    section = Section(SECTION_TITLE, [page for page, _ in found])
    for page, _ in found:
        page.parent = section
    nav.items.insert(position, section)


def _position(items: list[Any], entry: Any) -> int:
    return next(index for index, item in enumerate(items) if item is entry)


def _nav_page(build: SiteBuild, uri: str, nav: Navigation) -> Page | None:
    file = build.files.get_file_from_path(uri)
    page = file.page if file is not None else None
    return page if page is not None and any(page is p for p in nav.pages) else None


def _top_entry(page: Page, nav: Navigation) -> Any:
    """The page's entry at the top of the nav: the page, or the section MkDocs made for
    its folder when it holds the page alone; None where the site nested it elsewhere."""
    if any(page is item for item in nav.items):
        return page
    parent = page.parent
    if (
        isinstance(parent, Section)
        and any(parent is item for item in nav.items)
        and all(child is page for child in parent.children)
    ):
        return parent
    return None


def add_recent(nav: Navigation, build: SiteBuild, count: int, from_folders: bool) -> Navigation:
    """Put the ``count`` newest post-mortems under the index's section, newest first.
    Sections get our titles only where MkDocs named them after folders: a label the site
    wrote in its own ``nav:`` is kept."""
    index_file = build.files.get_file_from_path(build.urls.index_path)
    index_page = index_file.page if index_file is not None else None
    if index_page is None or index_page not in nav.pages:
        return nav
    recent = []
    for record in build.catalog.records[:count]:
        file = build.file_for(record)
        if file is not None and file.page is not None:
            file.page.title = nav_title(record)
            recent.append(file.page)
    if from_folders:
        _name_sections(nav, build)
    if not recent:
        return nav
    parent = index_page.parent
    if isinstance(parent, Section):
        parent.children.extend(recent)
    else:
        siblings = nav.items
        position = siblings.index(index_page)
        section = Section("Post-mortems", [index_page, *recent])
        siblings[position] = section
    pages = mkdocs_private.link_pages(nav.items)
    return Navigation(nav.items, pages)


def keep_titles(nav: Navigation, titles: dict[str, str]) -> None:
    """Under ``--dirty`` MkDocs does not read an unchanged page, which leaves its title
    empty in the nav of every page rendered again: give it the title it had when last read,
    and remember the titles of the pages read now."""
    for page in nav.pages:
        if page.markdown is None:
            title = titles.get(page.file.src_uri)
            if title is not None:
                page.title = title
        elif page.title:
            titles[page.file.src_uri] = page.title


def _name_sections(nav: Navigation, build: SiteBuild) -> None:
    """Sections MkDocs named after our folders ('Postmortems') get the pages' own titles."""
    for uri, title in build.section_titles.items():
        file = build.files.get_file_from_path(uri)
        parent = file.page.parent if file is not None and file.page is not None else None
        folder = uri.split("/")[-2].replace("-", " ").replace("_", " ")
        if isinstance(parent, Section) and parent.title.lower() == folder:
            parent.title = title


# --- Rendering the nav once per folder -------------------------------------------------
#
# Material renders the primary nav into every page (partials/nav.html), which on a large
# site costs about as much as the pages' own Markdown. For a page that is not in the
# nav, that HTML depends on the page only through relative URLs, and those are the same for
# every page of one folder. So it is rendered once per folder and reused, and pages in the
# nav (whose entry is marked active, with its table of contents) are rendered as before.

PARTIAL = "partials/nav.html"
UNCACHED = "postmortems/nav-uncached.html"
SHIM = """{%- set pm_key = postmortems_nav.key(page) -%}
{%- set pm_cached = postmortems_nav.get(pm_key) -%}
{%- if pm_cached is not none -%}{{ pm_cached }}{%- else -%}
{%- set pm_html -%}{% include "postmortems/nav-uncached.html" %}{%- endset -%}
{{ postmortems_nav.put(pm_key, pm_html) }}{%- endif -%}"""
_LAST_SEGMENT = re.compile(r"[^/]+(?=/?$)")
_BLANK_RUN = re.compile(r"(?<=>)[ \t\r\n]*\n[ \t\r\n]*|[ \t\r\n]*\n[ \t\r\n]*(?=<)")


class NavRenderCache:
    """The nav's HTML by page folder, for one build (a new one is made for every build)."""

    def __init__(self, nav: Navigation) -> None:
        self.in_nav = {id(page) for page in nav.pages}
        self.nav_urls = [page.url for page in nav.pages]
        self.html: dict[str, str] = {}

    def key(self, page: Any) -> str | None:
        """The folder a page's relative URLs start from, or None when its nav is its own."""
        if not isinstance(page, Page) or id(page) in self.in_nav:
            return None
        url = page.url
        if not url or any(target.startswith(url) for target in self.nav_urls):
            return None  # a nav entry below this page: its relative URL is this page's own
        return _LAST_SEGMENT.sub("*", url)

    def get(self, key: str | None) -> str | None:
        return self.html.get(key) if key is not None else None

    def put(self, key: str | None, html: str) -> str:
        if key is not None:
            html = compact(html)
            self.html[key] = html
        return html


def compact(html: str) -> str:
    """The nav with each run of blank lines and indentation next to a tag made one newline:
    what a browser shows is the same (whitespace collapses), and each page written is
    smaller (much of Material's nav is indentation). Left whole where whitespace shows
    (``pre``, ``textarea``)."""
    if "<pre" in html or "<textarea" in html:
        return html
    return type(html)(_BLANK_RUN.sub("\n", html))  # Markup stays Markup


class _NavLoader(jinja2.BaseLoader):
    """Serves the caching shim as ``partials/nav.html`` and the theme's own under another name,
    so a site's ``custom_dir`` override of the nav is still the one rendered."""

    def __init__(self, inner: jinja2.BaseLoader) -> None:
        self.inner = inner

    def get_source(self, environment: jinja2.Environment, template: str):
        if template == PARTIAL:
            return SHIM, None, lambda: True
        return self.inner.get_source(environment, PARTIAL if template == UNCACHED else template)

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


def cache_rendering(env: jinja2.Environment, nav: Navigation) -> bool:
    """Render the theme's nav once per folder; False when the theme has no such partial."""
    try:
        env.loader.get_source(env, PARTIAL)
    except (jinja2.TemplateNotFound, AttributeError):
        return False
    env.loader = _NavLoader(env.loader)
    env.globals["postmortems_nav"] = NavRenderCache(nav)
    return True
