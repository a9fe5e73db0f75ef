"""What keeps a ``mkdocs serve --dirty`` preview equal to a fresh build.

MkDocs' dirty mode writes only the pages it renders again and never cleans the output
folder, so a deleted or renamed page stays served. Material's search keeps the last
build's index and, assuming one page changed, replaces the entries of the first page
it rendered, so pages rendered again alongside it are indexed twice and deleted ones
stay searchable. After each dirty build this removes what the build no longer has and
gives the search index exactly one set of entries per page.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from . import mkdocs_private

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page


class Preview:
    """The outputs and pages of the last build, kept across serve rebuilds."""

    def __init__(self) -> None:
        self.outputs: set[str] = set()  # every file the last build wrote, by path
        self.pages: set[str] = set()  # the URL of every page of this build
        self.rendered: set[str] = set()  # the pages rendered (again) in this build

    def files_ready(self, files: Files) -> None:
        """This build's files, once every plugin has added and removed its own."""
        # As pages name themselves (the home page's file says './', the page '').
        self.pages = {"" if f.url == "./" else f.url for f in files.documentation_pages()}
        self.rendered = set()
        self._now = {f.abs_dest_path for f in files}

    def page_rendered(self, page: Page) -> None:
        self.rendered.add(page.url)

    def after_build(self, config: MkDocsConfig) -> None:
        """Before the search plugin writes its index: the index holds each page once, and
        files the last build wrote that this one does not have are removed."""
        search = mkdocs_private.material_search(config)
        if search is not None:
            mkdocs_private.merge_search_entries(search, self.rendered, self.pages)
        for path in self.outputs - self._now:
            _remove(path, config.site_dir)
        self.outputs = self._now


def _remove(path: str, site_dir: str) -> None:
    """A file the site no longer has, and the folders it leaves empty (within the site)."""
    try:
        os.remove(path)
    except OSError:
        return
    folder = os.path.dirname(path)
    root = os.path.abspath(site_dir)
    while os.path.abspath(folder).startswith(root + os.sep):
        try:
            os.rmdir(folder)  # only when empty
        except OSError:
            return
        folder = os.path.dirname(folder)
