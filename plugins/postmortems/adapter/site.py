"""One build: its catalog, where each page lives, and the objects that make its pages.

Made fresh for every build in ``on_files``; holds nothing across serve rebuilds. The
work is split by job: :class:`~postmortems.render.urls.SiteUrls` says where every page
lives, :class:`~.generated.GeneratedPages` adds the pages about all incidents, and
:class:`~.background.Renderer` makes post-mortem pages' parts (in a forked process where
that is safe).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING

from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import get_relative_url

from postmortems.catalog.catalog import display_path
from postmortems.catalog.graph import Graph
from postmortems.catalog.records import Catalog, PostMortem, Source
from postmortems.fast.parallel import fork_is_safe
from postmortems.model.paths import is_hidden, is_postmortem
from postmortems.render import guide, history, urls
from postmortems.render.card import nav_title
from postmortems.render.html import Stash, esc
from postmortems.render.linker import Linker
from postmortems.render.urls import SiteUrls

from . import rebuild
from .background import Renderer
from .generated import GeneratedPages, Reusable

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.nav import Navigation

# The generated pages that head a nav section, and the section's title.
SECTION_TITLES = {
    urls.RECURRING: "Recurring causes",
    urls.THEMES: "Themes",
    urls.SERVICES: "Services",
    urls.DASHBOARD: "Dashboard",
    urls.REVIEWS: "Monthly reviews",
}


class SiteBuild:
    """The catalog of this build, where its pages live, and the ids linked on them."""

    def __init__(self, catalog: Catalog, config: MkDocsConfig, files: Files) -> None:
        self.catalog = catalog
        self.config = config
        self.files = files
        self.today = catalog.settings.today()  # one date for every page of this build
        self.stash = Stash()
        self.nav: Navigation | None = None  # set by the plugin's on_nav
        self.graph = catalog.graph if catalog.graph is not None else Graph(catalog)
        self.linker = Linker(catalog.settings.id_pattern)
        folder = catalog.settings.folder
        by_uri = files.src_uris  # not get_file_from_path: it makes a PurePath of every name
        self._by_src = {f"{folder}/{r.name}.md": r for r in catalog.records}
        known = {
            record.name: file.url
            for src_uri, record in self._by_src.items()
            if (file := by_uri.get(src_uri)) is not None
        }
        self.urls = SiteUrls(folder, known, lambda path: _url(path, config))
        self.pages = GeneratedPages(self)
        self.renderer = Renderer(self)

    def record_for(self, file: File) -> PostMortem | None:
        return self._by_src.get(file.src_uri)

    def file_for(self, record: PostMortem) -> File | None:
        return self.files.src_uris.get(self.urls.record_path(record.name))

    def url_of(self, record: PostMortem) -> str:
        return self.urls(record)

    @property
    def section_titles(self) -> dict[str, str]:
        """Generated section pages and the titles their nav sections get."""
        return {self.urls.index_path: "Post-mortems", **SECTION_TITLES}

    @functools.cached_property
    def fingerprints(self) -> dict[str, str]:
        """Each record as other pages show it (computed once a build)."""
        return {r.name: rebuild.fingerprint(r) for r in self.catalog.records}

    @functools.cached_property
    def signature(self) -> str:
        """What every generated page derives from: the records as shown, the day, the
        settings and where pages live."""
        where = (
            self.config.use_directory_urls,
            self.config.site_url,
            sorted(self.urls.known.items()),
        )
        return rebuild.digest(
            repr((sorted(self.fingerprints.values()), self.today, self.catalog.settings, where))
        )

    def generate(self, previous: tuple[str, Reusable] | None, background: bool) -> None:
        """Add the generated pages; with ``background``, where forking is safe, a forked
        process renders them and makes post-mortem pages' parts while MkDocs renders pages
        on the other core (:meth:`finish` collects them: MkDocs reads generated pages
        last); else they are rendered here and now."""
        self.pages.add(previous)
        if background and fork_is_safe():
            self.renderer.start()
        else:
            self.pages.apply(self.pages.render())

    def is_pending(self, file: File) -> bool:
        """Whether a generated file's content is still being rendered in the background."""
        return self.renderer.running and self.pages.is_pending(file)

    def finish(self) -> None:
        self.renderer.finish()

    def expand_markers(self, markdown: str) -> str:
        """A hand-written page's markers replaced by what they stand for (see
        :mod:`~postmortems.render.guide`)."""
        return guide.expand(markdown, self.catalog.settings)

    def link_ids(
        self, markdown: str, page_url: str, own: PostMortem | None, stash: Stash | None = None
    ) -> tuple[str, frozenset[str]]:
        """Link every known id mentioned in a page's Markdown (one pass over the page);
        also say which ids the page mentions. The links wait in ``stash`` (this build's
        own by default)."""
        settings = self.catalog.settings
        mentioned: set[str] = set()

        def resolve(ident: str) -> tuple[str, str] | None:
            mentioned.add(ident)
            record = self.catalog.by_id.get(ident)
            if record is not None:
                if record is own:
                    return None
                return get_relative_url(self.urls(record), page_url), record.title
            if settings.in_tracker(ident):
                return settings.tracker_link(ident), f"{ident} in the tracker"
            return None

        keep = (stash or self.stash).put_inline
        return self.linker.link(markdown, resolve, keep), frozenset(mentioned)

    @functools.cached_property
    def changed(self) -> dict[str, datetime]:
        """When each page's source last changed (git, else mtime), all in one git call."""
        paths = [f.abs_src_path for f in self.files.documentation_pages() if f.abs_src_path]
        return history.last_changed(self.config.docs_dir, paths)


def take_sources(files: Files, folder: str, root: str) -> list[Source]:
    """The post-mortem files among the site's files (left out of the nav: the plugin lists
    them); templates and other hidden files (``_*``) are removed, never published."""
    sources = []
    prefix = folder + "/"
    for file in list(files):
        if not file.src_uri.startswith(prefix) or not file.is_documentation_page():
            continue
        rel = file.src_uri[len(prefix) :]
        if is_hidden(rel):
            files.remove(file)
            continue
        if not is_postmortem(rel) or file.abs_src_path is None:  # another plugin's page
            continue
        file.inclusion = InclusionLevel.NOT_IN_NAV
        sources.append(Source(file.abs_src_path, _display(file.abs_src_path), rel[:-3], root))
    return sources


@functools.lru_cache(maxsize=1 << 16)
def _display(path: str) -> str:
    """The path as messages show it: relative to the current folder (asked again on every
    serve rebuild for every file, so remembered; MkDocs never changes the folder)."""
    return display_path(path)


def page_meta(record: PostMortem) -> dict:
    """Page metadata for the theme: only what we checked, escaped where printed."""
    meta: dict = {"title": nav_title(record)}
    if record.meta.get("description"):
        meta["description"] = esc(record.meta["description"])
    if record.meta.get("hide"):
        meta["hide"] = list(record.meta["hide"])
    return meta


def _url(path: str, config: MkDocsConfig) -> str:
    """A path's URL by MkDocs' own rule for the site (``use_directory_urls``)."""
    return File(path, config.docs_dir, config.site_dir, config.use_directory_urls).url
