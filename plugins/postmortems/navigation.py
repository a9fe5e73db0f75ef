"""The nav: the index and the most recent post-mortems, never all of them.

MkDocs renders the whole nav into every page, so listing n post-mortems costs
O(n^2); the rest are reached through the index, year and service pages.
"""

from __future__ import annotations

from mkdocs.structure.nav import Navigation, Section, _add_parent_links, _add_previous_and_next_links, _get_by_type
from mkdocs.structure.pages import Page

from .site import INDEX_URI, SECTION_TITLES, SiteBuild


def add_recent(nav: Navigation, build: SiteBuild, count: int) -> Navigation:
    """Put the ``count`` newest post-mortems under the index's section, newest first."""
    index_file = build.files.get_file_from_path(INDEX_URI)
    index_page = index_file.page if index_file is not None else None
    if index_page is None or index_page not in nav.pages:
        return nav
    recent = []
    for record in build.catalog.records[:count]:
        file = build.file_for(record)
        if file is not None and file.page is not None:
            file.page.title = build.nav_title(record)
            recent.append(file.page)
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
    pages = _get_by_type(nav.items, Page)
    _add_previous_and_next_links(pages)
    _add_parent_links(nav.items)
    return Navigation(nav.items, pages)


def _name_sections(nav: Navigation, build: SiteBuild) -> None:
    """Sections MkDocs named after our folders ('Postmortems') get the pages' own titles."""
    for uri, title in SECTION_TITLES.items():
        file = build.files.get_file_from_path(uri)
        parent = file.page.parent if file is not None and file.page is not None else None
        folder = uri.split("/")[0]
        if isinstance(parent, Section) and parent.title.lower() == folder.replace("-", " "):
            parent.title = title
