"""Rendering beside MkDocs: a forked process makes the generated pages, and post-mortem
pages' parts (their Markdown converted too, where that is safe), while MkDocs renders
pages on the other core. Whichever process is free takes the next task, so both stay
busy; a page whose parts have not come yet is made here, ahead, meanwhile.

The forked process shares this build's memory as it was at the fork: it is handed
nothing, and sends back only what it made. Blocks it stashes are numbered apart from
the main process's (see :class:`~postmortems.render.html.Stash`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mkdocs.structure.files import File, set_exclusions
from mkdocs.utils import get_relative_url

from postmortems.catalog.records import PostMortem
from postmortems.fast.parallel import MAX_CHUNKS, ForkedMap, chunked
from postmortems.render import card, sanitize
from postmortems.render.html import Stash

from . import prerender

if TYPE_CHECKING:
    from .site import SiteBuild


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
        return Stash.hides(self.blocks)


PARTS_CHUNK = 32  # post-mortem pages a task, at least (more on a site too big for MAX_CHUNKS)
GENERATED_TASK = ()  # the task of rendering the generated pages, the first


class Renderer:
    """Makes post-mortem pages' parts and renders the generated pages: in a forked process
    once :meth:`start` ran, else here as MkDocs asks for each page."""

    def __init__(self, build: SiteBuild) -> None:
        self.build = build
        self._tasks: ForkedMap | None = None
        self._task_of: dict[str, int] = {}  # post-mortem page -> its task, until asked for
        self._parts: dict[str, PageParts] = {}  # received, not yet asked for
        self._own = Stash(first=2 * Stash.CHILD)  # for parts made here
        self._child = Stash(first=Stash.CHILD)  # the forked process's copy, for its parts
        self._prerender = False  # whether the forked process converts post-mortem pages too
        self._exclusions_set = False  # in the forked process, before it converts a page

    def start(self) -> None:
        """Fork the rendering process (the caller checked that forking is safe)."""
        self._prerender = prerender.is_safe(self.build.config)
        self.build.catalog.suggestions  # noqa: B018  found once, before the fork shares it
        tasks = [GENERATED_TASK, *self._parts_tasks()]
        self._tasks = ForkedMap(self._in_child, tasks, workers=2, chunk_size=1, here=self._here)
        self._task_of = {uri: number for number, task in enumerate(tasks) for uri in task}

    @property
    def running(self) -> bool:
        return self._tasks is not None

    def page_parts(self, file: File) -> PageParts | None:
        """The parts of a post-mortem's page (None for other pages): made by the forked
        process while MkDocs renders the pages before it, or here, ahead, while that
        process is busy (see :meth:`ForkedMap.result`), else here and now."""
        record = self.build.record_for(file)
        if record is None:
            return None
        number = self._task_of.pop(file.src_uri, None)
        if number is not None and file.src_uri not in self._parts and self._tasks is not None:
            for found in self._tasks.result(number):
                self._parts.update(found)
        parts = self._parts.pop(file.src_uri, None) or self.make_parts(record, file.url, self._own)
        self.build.stash.receive(parts.blocks)
        return parts

    def make_parts(self, record: PostMortem, page_url: str, stash: Stash) -> PageParts:
        """A post-mortem page's parts, their blocks taken from ``stash``, where they are
        numbered apart from the build's own."""
        build = self.build
        head = card.page_head(
            record,
            build.catalog.settings,
            build.today,
            build.graph.of(record),
            lambda r: get_relative_url(build.urls(r), page_url),
            build.catalog.suggestions.get(record.name, []),
        )
        summary = stash.put(card.search_summary(record), searchable=True)
        body, _ = build.link_ids(record.body.strip(), page_url, record, stash)
        return PageParts(head, f"{summary}\n\n{body}\n", stash.take(), sanitize.needed(record.body))

    def finish(self) -> None:
        """Wait for the generated pages rendered in the forked process and put them into
        their files."""
        if self._tasks is None:
            return
        tasks, self._tasks = self._tasks, None
        self._task_of = {}  # a page not yet asked for is made here, if ever
        try:
            (contents,) = tasks.result(0)
        finally:
            tasks.cancel()
        self.build.pages.apply(contents)

    def close(self) -> None:
        """Stop the forked process, if it still runs (a build that failed)."""
        if self._tasks is not None:
            self._tasks.cancel()
            self._tasks = None

    def _parts_tasks(self) -> list[tuple[str, ...]]:
        """Post-mortem pages in the order MkDocs renders them, in chunks."""
        build = self.build
        uris = tuple(
            f.src_uri for f in build.files.documentation_pages() if build.record_for(f) is not None
        )
        return chunked(uris, PARTS_CHUNK, MAX_CHUNKS - 1)  # one task is the generated pages

    def _run(self, task: tuple[str, ...], stash: Stash) -> Any:
        """A task, wherever it runs: the generated pages, or post-mortem pages' parts (their
        Markdown converted too, where that is safe), their blocks from ``stash``."""
        if task == GENERATED_TASK:
            return self.build.pages.render()
        files = self.build.files.src_uris
        done = []
        for uri in task:
            file = files[uri]
            parts = self.make_parts(self.build.record_for(file), file.url, stash)
            if self._prerender:
                parts = dataclasses.replace(parts, rendered=self._convert(parts.markdown, file))
            done.append((uri, parts))
        return done

    def _here(self, task: tuple[str, ...]) -> Any:
        return self._run(task, self._own)

    def _in_child(self, task: tuple[str, ...]) -> Any:
        return self._run(task, self._child)

    def _convert(self, markdown: str, file: File) -> prerender.Rendered:
        """A post-mortem page's Markdown converted, as MkDocs would, with the files'
        inclusion as MkDocs sets it once ``on_files`` is over (the process was forked
        before)."""
        if not self._exclusions_set:
            set_exclusions(self.build.files, self.build.config)
            self._exclusions_set = True
        return prerender.render(markdown, file, self.build.config, self.build.files)
