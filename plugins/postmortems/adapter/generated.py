"""The pages the plugin adds to a build: the index, years, services, recurring causes, the
dashboard, the monthly reviews, the JSON catalog and the feed.

Each page is added to MkDocs' files at once, with empty content; what it holds is
rendered later (here, or in the forked rendering process) by a function of ``href``,
which makes a site URL relative to that page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from mkdocs.structure.files import File, InclusionLevel
from mkdocs.utils import get_relative_url

from postmortems.catalog import metrics
from postmortems.catalog.metrics import by_service
from postmortems.render import dashboard, export, feed, pages, reviews, themes, urls

from . import rebuild
from .logs import log

if TYPE_CHECKING:
    from .site import SiteBuild

Render = Callable[[Callable[[str], str]], str]
Reusable = dict[str, tuple[str, InclusionLevel]]  # page -> (Markdown before stashing, inclusion)


class GeneratedPages:
    """This build's generated pages: which there are, and their content once rendered."""

    def __init__(self, build: SiteBuild) -> None:
        self.build = build
        self.pending: list[tuple[File, Render, bool]] = []  # (file, render, reusable)
        self._pending_ids: set[int] = set()
        self.reusable: Reusable = {}  # what the next serve rebuild may take as it is

    def add(self, previous: tuple[str, Reusable] | None) -> None:
        """Add every page; the last build's as they were when nothing they derive from
        changed (an edit to a body, say)."""
        if previous is not None and previous[0] == self.build.signature:
            for uri, (content, inclusion) in previous[1].items():
                self._add(uri, lambda href, c=content: c, inclusion)
        else:
            self._add_all()
        self._add_feed()

    def render(self) -> dict[str, str]:
        """Every pending page's content, by path (in whichever process runs it)."""
        return {
            file.src_uri: render(lambda target, f=file: get_relative_url(target, f.url))
            for file, render, _ in self.pending
        }

    def apply(self, contents: dict[str, str]) -> None:
        """Put rendered content into the pages' files."""
        stash = self.build.stash
        for file, _, reusable in self.pending:
            content = contents[file.src_uri]
            if reusable:  # the feed follows file times, not records: it is made every build
                self.reusable[file.src_uri] = (content, file.inclusion)
            file.content_string = (
                stash.stash_blocks(content) if file.src_uri.endswith(".md") else content
            )
        self.pending, self._pending_ids = [], set()

    def is_pending(self, file: File) -> bool:
        """Whether a file is one of ours whose content is still to come."""
        return id(file) in self._pending_ids

    def digests(self) -> dict[str, str]:
        return {uri: _page_digest(text) for uri, (text, _) in self.reusable.items()}

    def _add_all(self) -> None:
        build, catalog, site = self.build, self.build.catalog, self.build.urls
        self._add_index()
        for year in pages.years(catalog):
            self._add(
                site.year_path(year),
                lambda href, y=year: pages.year_page(y, catalog, href, site),
                InclusionLevel.NOT_IN_NAV,
            )
        services = by_service(catalog.records)
        self._add(urls.SERVICES, lambda href: pages.services_index(services, catalog, href, site))
        for service in services:
            self._add(
                site.service_path(service.slug),
                lambda href, s=service: pages.service_page(s, catalog, href, site),
                InclusionLevel.NOT_IN_NAV,
            )
        self._add(urls.RECURRING, lambda href: pages.recurring_page(build.graph, href, site))
        self._add(urls.THEMES, lambda href: themes.page(catalog, build.today, href, site))
        self._add_dashboard_and_reviews()
        data = functools.cache(lambda: export.to_json(catalog, site))
        self._add(urls.JSON, lambda href: data())
        self._add(urls.DATA_SCRIPT, lambda href: export.as_script(data()))

    def _add_index(self) -> None:
        build = self.build
        existing = build.files.get_file_from_path(build.urls.index_path)
        own = existing.content_string if existing is not None else None

        def render(href: Callable[[str], str]) -> str:
            body = pages.index_page(build.catalog, href, build.urls)
            if own is None:
                return pages.with_title("Post-mortems", body)
            if pages.MARKER in own:
                return pages.widened(own.replace(pages.MARKER, body, 1))
            return pages.widened(f"{own.rstrip()}\n\n{body}\n")

        self._add(build.urls.index_path, render)

    def _add_dashboard_and_reviews(self) -> None:
        build = self.build
        today, catalog, site = build.today, build.catalog, build.urls
        self._add(urls.DASHBOARD, lambda href: dashboard.page(catalog, today, href, site))
        months = metrics.months(catalog.records, catalog.settings, today)
        # What every month page shows, made once, where the pages are rendered.
        open_now = functools.cache(lambda: reviews.OpenWork.of(catalog, today))
        self._add(urls.REVIEWS, lambda href: reviews.index_page(months, href, site))
        for month in months:
            if month.count:
                self._add(
                    site.month_path(month.month),
                    lambda href, m=month: reviews.month_page(
                        m, months, catalog, build.graph, today, href, site, open_now()
                    ),
                    InclusionLevel.NOT_IN_NAV,
                )

    def _add_feed(self) -> None:
        build = self.build
        site_url = (build.config.site_url or "").rstrip("/")
        absolute = (lambda url: f"{site_url}/{url}") if site_url else (lambda url: url)
        self._add(
            urls.FEED,
            lambda href: feed.atom(
                build.catalog,
                build.changed,
                lambda r: absolute(build.urls(r)),
                build.config.site_name,
                absolute(build.urls.index()),
            ),
            reusable=False,
        )

    def _add(
        self,
        src_uri: str,
        render: Render,
        inclusion: InclusionLevel = InclusionLevel.UNDEFINED,
        reusable: bool = True,
    ) -> None:
        """Add a generated file, its content to be rendered by ``render(href)``. A page the
        site wrote itself at that path is kept, and said so (the post-mortems index merges
        the site's own instead)."""
        files = self.build.files
        existing = files.get_file_from_path(src_uri)
        if existing is not None and existing.abs_src_path and src_uri != self.build.urls.index_path:
            log.info(
                f"{existing.src_uri}: the site's own page is kept at /{existing.url}; "
                "the plugin's page there is not generated (move yours elsewhere to have both)"
            )
            return
        if existing is not None:
            files.remove(existing)
        file = File.generated(self.build.config, src_uri, content="", inclusion=inclusion)
        self.pending.append((file, render, reusable))
        self._pending_ids.add(id(file))
        files.append(file)


@functools.lru_cache(maxsize=512)
def _page_digest(text: str) -> str:
    """A generated page's digest, by content: a serve rebuild that reuses the last build's
    pages hands back the same strings, whose hash Python keeps, so megabytes are not
    digested again."""
    return rebuild.digest(text)
