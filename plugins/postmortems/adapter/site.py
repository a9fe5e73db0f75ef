"""One build's generated pages: where each post-mortem lives and what the plugin adds.

Made fresh for every build in ``on_files``; holds nothing across serve rebuilds.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.nav import Navigation
from mkdocs.utils import get_relative_url

from postmortems.catalog import metrics
from postmortems.catalog.graph import Graph
from postmortems.catalog.metrics import by_service
from postmortems.catalog.records import Catalog, PostMortem
from postmortems.fast.parallel import MAX_CHUNKS, ForkedMap, chunked, fork_is_safe
from postmortems.render import (
    card,
    dashboard,
    export,
    feed,
    guide,
    history,
    pages,
    reviews,
    sanitize,
)
from postmortems.render.html import Stash, esc
from postmortems.render.linker import Linker

from . import prerender, rebuild
from .logs import log

JSON_URI = "postmortems.json"
DATA_SCRIPT_URI = "postmortems.data.js"  # the same data for pages opened from file://
SECTION_TITLES = {  # the post-mortems folder's own index is "Post-mortems"
    "recurring/index.md": "Recurring causes",
    "services/index.md": "Services",
    "dashboard/index.md": "Dashboard",
    "reviews/index.md": "Monthly reviews",
}
PARTS_CHUNK = 32  # post-mortem pages a task, at least (more on a site too big for MAX_CHUNKS)
GENERATED_TASK = ()  # the task of rendering the generated pages, the first
CHILD_KEYS = 10**9  # stash keys of parts made in the rendering process start here; ours at 2x


@dataclass(frozen=True)
class PageParts:
    """What the plugin adds to one post-mortem's page, all made from the catalog: ``head``
    (problems, card, recurrence, action items), HTML put above the page after search has
    indexed it, and ``markdown``, what MkDocs renders (the searchable summary, then the
    body with ids linked), whose stash keys ``blocks`` holds; ``raw`` if the body can
    make HTML the sanitizer would remove."""

    head: str
    markdown: str
    blocks: dict[str, str]
    raw: bool
    rendered: prerender.Rendered | None = None  # ``markdown`` converted, where that was safe

    @property
    def hides_blocks(self) -> bool:
        """Whether a block waits as a comment until after search indexing (the parts made
        now put in every block before: the summary and the links)."""
        return any(key.endswith("X") for key in self.blocks)


class SiteBuild:
    """The catalog of this build and the files generated from it."""

    def __init__(self, catalog: Catalog, config: MkDocsConfig, files: Files) -> None:
        self.catalog = catalog
        self.config = config
        self.files = files
        self.today = catalog.settings.today()  # one date for every page of this build
        self.stash = Stash()
        self.nav: Navigation | None = None  # set by the plugin's on_nav
        # generated page -> (its Markdown before stashing, inclusion), to reuse next time
        self.generated: dict[str, tuple[str, InclusionLevel]] = {}
        self._pending: list[tuple[File, Callable[[Callable[[str], str]], str], bool]] = []
        # The tasks shared with the rendering process, while it runs: the generated pages
        # first, then post-mortem pages' parts in the order MkDocs renders them.
        self._tasks: ForkedMap | None = None
        self._task_of: dict[str, int] = {}  # post-mortem page -> its task, until asked for
        self._pending_files: set[int] = set()  # generated files whose content is still coming
        self._parts: dict[str, PageParts] = {}  # received, not yet asked for
        self._own_parts = Stash(first=2 * CHILD_KEYS)  # for parts made here
        self._child_parts = Stash(first=CHILD_KEYS)  # the rendering process's copy, for its parts
        self._prerender = False  # whether the rendering process converts post-mortem pages too
        self._exclusions_set = False  # in the rendering process, before it converts a page
        self.graph = catalog.graph if catalog.graph is not None else Graph(catalog)
        self.linker = Linker(catalog.settings.id_pattern)
        self.folder = catalog.settings.folder
        self.index_uri = f"{self.folder}/index.md"
        self._by_src = {f"{self.folder}/{r.name}.md": r for r in catalog.records}
        self._urls: dict[str, str] = {}
        by_uri = files.src_uris  # not get_file_from_path: it makes a PurePath of every name
        for src_uri, record in self._by_src.items():
            file = by_uri.get(src_uri)
            self._urls[record.name] = file.url if file else f"{self.folder}/{record.name}/"

    def record_for(self, file: File) -> PostMortem | None:
        return self._by_src.get(file.src_uri)

    def file_for(self, record: PostMortem) -> File | None:
        return self.files.src_uris.get(f"{self.folder}/{record.name}.md")

    def url_of(self, record: PostMortem) -> str:
        return self._urls[record.name]

    def nav_title(self, record: PostMortem) -> str:
        """'HOT-13432 · title', escaped: themes print page titles without escaping."""
        return esc(f"{record.id} · {record.title}" if record.id else record.title)

    def page_meta(self, record: PostMortem) -> dict:
        """Page metadata for the theme: only what we checked, escaped where printed."""
        meta: dict = {"title": self.nav_title(record)}
        if record.meta.get("description"):
            meta["description"] = esc(record.meta["description"])
        if record.meta.get("hide"):
            meta["hide"] = list(record.meta["hide"])
        return meta

    @property
    def section_titles(self) -> dict[str, str]:
        """Generated section pages and the titles their nav sections get."""
        return {self.index_uri: "Post-mortems", **SECTION_TITLES}

    @functools.cached_property
    def fingerprints(self) -> dict[str, str]:
        """Each record as other pages show it (computed once a build)."""
        return {r.name: rebuild.fingerprint(r) for r in self.catalog.records}

    @functools.cached_property
    def signature(self) -> str:
        """What every generated page derives from: the records as shown, the day, the settings
        and where pages live."""
        today = self.today
        urls = (self.config.use_directory_urls, self.config.site_url, sorted(self._urls.items()))
        return rebuild.digest(
            repr((sorted(self.fingerprints.values()), today, self.catalog.settings, urls))
        )

    def generate(
        self,
        previous: tuple[str, dict[str, tuple[str, InclusionLevel]]] | None = None,
        background: bool = False,
    ) -> None:
        """Add the generated pages and the JSON catalog to the site's files; reuse the last
        build's when nothing they derive from changed (an edit to a body, say).

        With ``background``, a forked process renders them, and makes the post-mortem pages'
        parts and converts their Markdown, while MkDocs renders pages on the other core:
        whichever process is free takes the next task, so both stay busy (:meth:`page_parts`);
        :meth:`finish` collects the generated pages, which MkDocs reads last. Only where
        forking is safe (no other thread); else here.
        """
        if previous is not None and previous[0] == self.signature:
            for uri, (content, inclusion) in previous[1].items():
                self._add(uri, lambda href, c=content: c, inclusion)
        else:
            self._generate_all()
        self._add_feed()
        if background and fork_is_safe():
            self._prerender = prerender.is_safe(self.config)
            tasks = [GENERATED_TASK, *self._parts_tasks()]
            # The forked process shares this build's memory: it is handed nothing.
            self._tasks = ForkedMap(
                self._task_in_child, tasks, workers=2, chunk_size=1, here=self._task_here
            )
            self._task_of = {uri: number for number, task in enumerate(tasks) for uri in task}
            self._pending_files = {id(file) for file, _, _ in self._pending}
        else:
            self._apply(self._render_pending())

    def _parts_tasks(self) -> list[tuple[str, ...]]:
        """Post-mortem pages in the order MkDocs renders them, in chunks."""
        uris = tuple(
            f.src_uri for f in self.files.documentation_pages() if f.src_uri in self._by_src
        )
        return chunked(uris, PARTS_CHUNK, MAX_CHUNKS - 1)  # one task is the generated pages

    def _run_task(self, task: tuple[str, ...], stash: Stash) -> Any:
        """A task, wherever it runs: the generated pages, or post-mortem pages' parts (their
        Markdown converted too, where that is safe), their blocks from ``stash``."""
        if task == GENERATED_TASK:
            return self._render_pending()
        files = self.files.src_uris
        done = []
        for uri in task:
            parts = self.make_parts(self._by_src[uri], files[uri].url, stash)
            if self._prerender:
                parts = dataclasses.replace(
                    parts, rendered=self.render_markdown(parts.markdown, files[uri])
                )
            done.append((uri, parts))
        return done

    def _task_here(self, task: tuple[str, ...]) -> Any:
        return self._run_task(task, self._own_parts)

    def _task_in_child(self, task: tuple[str, ...]) -> Any:
        """In the forked process: a task, its blocks numbered apart from the main process's."""
        return self._run_task(task, self._child_parts)

    def page_parts(self, file: File) -> PageParts | None:
        """The parts of a post-mortem's page (None for other pages), its Markdown converted
        too where that is safe: made by the rendering process while MkDocs renders the
        pages before it, or here, ahead, while the rendering process is busy (see
        :meth:`ForkedMap.result`), else here and now."""
        record = self._by_src.get(file.src_uri)
        if record is None:
            return None
        number = self._task_of.pop(file.src_uri, None)
        if number is not None and file.src_uri not in self._parts and self._tasks is not None:
            for found in self._tasks.result(number):
                self._parts.update(found)
        parts = self._parts.pop(file.src_uri, None) or self.make_parts(
            record, file.url, self._own_parts
        )
        self.stash.receive(parts.blocks)
        return parts

    def make_parts(self, record: PostMortem, page_url: str, stash: Stash) -> PageParts:
        """A post-mortem page's parts, their blocks taken from ``stash``, where they are
        numbered apart from the build's own."""
        settings = self.catalog.settings
        head = card.page_head(
            record,
            settings,
            self.today,
            self.graph.of(record),
            lambda r: get_relative_url(self.url_of(r), page_url),
        )
        summary = stash.put(card.search_summary(record), searchable=True)
        body, _ = self.link_ids(record.body.strip(), page_url, record, stash)
        return PageParts(head, f"{summary}\n\n{body}\n", stash.take(), sanitize.needed(record.body))

    def render_markdown(self, markdown: str, file: File) -> prerender.Rendered:
        """A post-mortem page's Markdown converted, as MkDocs would, with the files'
        inclusion as MkDocs sets it once ``on_files`` is over (the rendering process was
        forked before)."""
        if not self._exclusions_set:
            set_exclusions(self.files, self.config)
            self._exclusions_set = True
        return prerender.render(markdown, file, self.config, self.files)

    def is_pending(self, file: File) -> bool:
        """Whether a generated file's content is still being rendered in the background."""
        return self._tasks is not None and id(file) in self._pending_files

    def finish(self) -> None:
        """Wait for the pages rendered in the background and put them into their files."""
        if self._tasks is None:
            return
        tasks, self._tasks = self._tasks, None
        self._task_of = {}  # a page not yet asked for is made here, if ever
        try:
            (contents,) = tasks.result(0)
        finally:
            tasks.cancel()
        self._apply(contents)

    def close(self) -> None:
        """Stop the rendering process, if it still runs (a build that failed)."""
        if self._tasks is not None:
            self._tasks.cancel()
            self._tasks = None

    def _render_pending(self) -> dict[str, str]:
        return {
            file.src_uri: render(lambda target, f=file: get_relative_url(target, f.url))
            for file, render, _ in self._pending
        }

    def _apply(self, contents: dict[str, str]) -> None:
        for file, _, reusable in self._pending:
            content = contents[file.src_uri]
            if reusable:  # the feed follows file times, not records: it is made every build
                self.generated[file.src_uri] = (content, file.inclusion)
            file.content_string = (
                self.stash.stash_blocks(content) if file.src_uri.endswith(".md") else content
            )
        self._pending = []

    def _generate_all(self) -> None:
        self._add_index()
        for year in pages.years(self.catalog):
            self._add(
                f"{self.folder}/{year}/index.md",
                lambda href, y=year: pages.year_page(y, self.catalog, href, self.url_of),
                InclusionLevel.NOT_IN_NAV,
            )
        services = by_service(self.catalog.records)
        self._add(
            "services/index.md", lambda href: pages.services_index(services, self.catalog, href)
        )
        for service in services:
            self._add(
                f"services/{service.slug}/index.md",
                lambda href, s=service: pages.service_page(s, self.catalog, href, self.url_of),
                InclusionLevel.NOT_IN_NAV,
            )
        self._add(
            "recurring/index.md", lambda href: pages.recurring_page(self.graph, href, self.url_of)
        )
        self._add_dashboard_and_reviews()
        data = functools.cache(lambda: export.to_json(self.catalog, self.url_of))
        self._add(JSON_URI, lambda href: data())
        self._add(DATA_SCRIPT_URI, lambda href: export.as_script(data()))

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
                return get_relative_url(self.url_of(record), page_url), record.title
            if settings.in_tracker(ident):
                return settings.tracker_link(ident), f"{ident} in the tracker"
            return None

        keep = (stash or self.stash).put_inline
        return self.linker.link(markdown, resolve, keep), frozenset(mentioned)

    def generated_digests(self) -> dict[str, str]:
        return {uri: _page_digest(text) for uri, (text, _) in self.generated.items()}

    @functools.cached_property
    def changed(self) -> dict[str, datetime]:
        """When each page's source last changed (git, else mtime), all in one git call."""
        paths = [f.abs_src_path for f in self.files.documentation_pages() if f.abs_src_path]
        return history.last_changed(self.config.docs_dir, paths)

    def changed_at(self, abs_path: str) -> datetime | None:
        return self.changed.get(abs_path)

    def _add_feed(self) -> None:
        site_url = (self.config.site_url or "").rstrip("/")
        absolute = (lambda url: f"{site_url}/{url}") if site_url else (lambda url: url)
        self._add(
            feed.FEED_URI,
            lambda href: feed.atom(
                self.catalog,
                self.changed,
                lambda r: absolute(self.url_of(r)),
                self.config.site_name,
                absolute(f"{self.folder}/"),
            ),
            reusable=False,
        )

    def _add_dashboard_and_reviews(self) -> None:
        today, catalog = self.today, self.catalog
        self._add("dashboard/index.md", lambda href: dashboard.page(catalog, today, href))
        months = metrics.months(catalog.records, catalog.settings, today)

        # What every month page shows, made once, where the pages are rendered.
        open_now = functools.cache(lambda: reviews.OpenWork.of(catalog, today))

        self._add("reviews/index.md", lambda href: reviews.index_page(months, href))
        for month in months:
            if month.count:
                self._add(
                    f"reviews/{month.month}/index.md",
                    lambda href, m=month: reviews.month_page(
                        m, months, catalog, self.graph, today, href, self.url_of, open_now()
                    ),
                    InclusionLevel.NOT_IN_NAV,
                )

    def _add_index(self) -> None:
        existing = self.files.get_file_from_path(self.index_uri)
        own = existing.content_string if existing is not None else None

        def render(href: Callable[[str], str]) -> str:
            body = pages.index_page(self.catalog, href, self.url_of, JSON_URI, DATA_SCRIPT_URI)
            if own is None:
                return pages.with_title("Post-mortems", body)
            if pages.MARKER in own:
                return own.replace(pages.MARKER, body, 1)
            return f"{own.rstrip()}\n\n{body}\n"

        self._add(self.index_uri, render)

    def _add(
        self,
        src_uri: str,
        render: Callable[[Callable[[str], str]], str],
        inclusion: InclusionLevel = InclusionLevel.UNDEFINED,
        reusable: bool = True,
    ) -> File:
        """Add a generated file, its content to be rendered by ``render(href)``; ``reusable``
        ones are kept for the next serve rebuild. A page the site wrote itself at that path
        is kept, and said so (the post-mortems index merges the site's own instead)."""
        existing = self.files.get_file_from_path(src_uri)
        if existing is not None and existing.abs_src_path and src_uri != self.index_uri:
            log.info(
                f"{existing.src_uri}: the site's own page is kept at /{existing.url}; "
                "the plugin's page there is not generated (move yours elsewhere to have both)"
            )
            return existing
        if existing is not None:
            self.files.remove(existing)
        file = File.generated(self.config, src_uri, content="", inclusion=inclusion)
        self._pending.append((file, render, reusable))
        self.files.append(file)
        return file


@functools.lru_cache(maxsize=512)
def _page_digest(text: str) -> str:
    """A generated page's digest, by content: a serve rebuild that reuses the last build's
    pages hands back the same strings, whose hash Python keeps, so megabytes are not
    digested again."""
    return rebuild.digest(text)
