"""Every use of a private attribute of MkDocs (or of mkdocs-macros), and every method the
plugin replaces on one of MkDocs' objects, in one module.

MkDocs does not promise to keep these; ``tests/test_mkdocs_private.py`` checks each one
against the installed MkDocs and fails by name when a release changes it. Listed in
``postmortems/fast/README.md`` with what relies on each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mkdocs.structure import nav as _nav
from mkdocs.structure.pages import Page

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.plugins import PluginCollection
    from mkdocs.structure.files import File


def current_page(config: MkDocsConfig) -> Page | None:
    """The page MkDocs is rendering (``config._current_page``: what ``!relative`` paths
    and some extensions read)."""
    return getattr(config, "_current_page", None)


def set_current_page(config: MkDocsConfig, page: Page | None) -> None:
    config._current_page = page


def title_from_render(page: Page) -> str | None:
    """The title MkDocs found in the page's first heading while rendering it."""
    return page._title_from_render


def set_title_from_render(page: Page, title: str | None) -> None:
    page._title_from_render = title


def event_origins(plugins: PluginCollection) -> dict[Callable, str]:
    """Which plugin each event handler came from (MkDocs names it in error messages)."""
    return plugins._event_origins


def link_pages(items: list[Any]) -> list[Page]:
    """The nav's pages, linked to their neighbours and parents as MkDocs links them."""
    pages = _nav._get_by_type(items, Page)
    _nav._add_previous_and_next_links(pages)
    _nav._add_parent_links(items)
    return pages


def mark_modified(file: File, modified: bool) -> None:
    """Make ``--dirty`` render a file again (or skip it) whatever its time stamps say."""
    file.is_modified = _always if modified else _never  # type: ignore[method-assign]


def replace_render(page: Page, render: Callable[..., None]) -> None:
    """Stand in for ``page.render`` on this page only (an instance attribute)."""
    page.render = render  # type: ignore[method-assign]


def restore_render(page: Page) -> None:
    page.__dict__.pop("render", None)


def macros_environment(plugin: Any) -> Any:
    """mkdocs-macros' Jinja environment (``_env``), or None."""
    return getattr(plugin, "_env", None)


def set_macros_environment(plugin: Any, env: Any) -> None:
    plugin._env = env


def macros_variables(plugin: Any) -> dict[str, Any] | None:
    """mkdocs-macros' variables (``_variables``), or None."""
    return getattr(plugin, "_variables", None)


def _always() -> bool:
    return True


def _never() -> bool:
    return False


def material_search(config: MkDocsConfig) -> Any | None:
    """Material's search plugin, where the site uses it: the one whose index a dirty
    rebuild merges with the last build's (``search_index_prev``)."""
    for plugin in config.plugins.values():
        if hasattr(plugin, "search_index_prev"):
            return plugin
    return None


def merge_search_entries(search: Any, rendered: set[str], pages: set[str]) -> None:
    """Material's search index after a dirty rebuild: the last build's entries of pages
    neither rendered again nor gone, then this build's (``search_index.entries``);
    Material's own merge, which assumes one page changed, is then left nothing to do."""
    previous = search.search_index_prev
    if previous is None:
        return
    kept = [
        entry
        for entry in previous.entries
        if (url := entry["location"].split("#", 1)[0]) not in rendered and url in pages
    ]
    search.search_index.entries = kept + search.search_index.entries
    search.search_index_prev = None  # Material sets it again to this build's full index
