"""Post-mortem pages' Markdown converted in the forked rendering process.

Converting Markdown is most of what a page costs MkDocs. The plugin already forks a
process that makes each post-mortem page's parts while MkDocs renders the pages before
it; that process also converts the parts' Markdown, with MkDocs' own ``Page.render``
on its copy of the configuration and files, and the main process takes the result in
place of converting the page itself. The result is the same: the same code on the
same text, with the same extensions.

Only where that holds: every Markdown extension is one that keeps nothing between pages
and reports to no plugin (Python-Markdown's own, PyMdown's, Material's; a plugin's
extension such as autorefs' must see every page in the main process), and only for a
page whose Markdown is still the one the plugin made once every plugin's
``on_page_markdown`` has run. Anything MkDocs logs while converting (a broken link,
say) is logged again in the main process, where ``--strict`` counts it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

from . import mkdocs_private

# Extensions known to keep no state across pages and to report to no plugin.
SAFE_PACKAGES = ("markdown.extensions.", "pymdownx.", "material.extensions.")
SAFE_SHORT_NAMES = frozenset(
    {  # Python-Markdown's own, by the names it registers
        "abbr",
        "admonition",
        "attr_list",
        "codehilite",
        "def_list",
        "extra",
        "fenced_code",
        "footnotes",
        "legacy_attrs",
        "legacy_em",
        "md_in_html",
        "meta",
        "nl2br",
        "sane_lists",
        "smarty",
        "tables",
        "toc",
        "wikilinks",
    }
)


@dataclass(frozen=True)
class Rendered:
    """What ``Page.render`` leaves on a page, made in the rendering process; links to
    anchors name their target files by ``src_uri`` (the files there are copies)."""

    html: str
    toc: TableOfContents
    title: str | None
    anchor_ids: set[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None
    log_records: list[logging.LogRecord]


def is_safe(config: MkDocsConfig) -> bool:
    """Whether every Markdown extension of the site may convert a page elsewhere."""
    return all(_is_safe_extension(ext) for ext in config.markdown_extensions)


def _is_safe_extension(extension: Any) -> bool:
    if isinstance(extension, str):
        return extension in SAFE_SHORT_NAMES or extension.startswith(SAFE_PACKAGES)
    return type(extension).__module__.startswith(SAFE_PACKAGES)


def render(markdown: str, file: File, config: MkDocsConfig, files: Files) -> Rendered:
    """Convert a page's Markdown as MkDocs would, on a page of its own: in the rendering
    process, or in the main process ahead of MkDocs (which then takes the result), where
    the page MkDocs is on and the file's page are left as they were."""
    own_page, current = file.page, mkdocs_private.current_page(config)
    page = Page(None, file, config)
    page.markdown = markdown
    mkdocs_private.set_current_page(config, page)  # as MkDocs sets it while a page renders
    try:
        with _captured_logs() as records:
            page.render(config, files)
    finally:
        mkdocs_private.set_current_page(config, current)
        file.page = own_page
    links = page.links_to_anchors
    return Rendered(
        page.content or "",
        page.toc,
        mkdocs_private.title_from_render(page),
        page.present_anchor_ids,
        None if links is None else {f.src_uri: anchors for f, anchors in links.items()},
        records,
    )


def take(page: Page, markdown: str, rendered: Rendered, config: MkDocsConfig, files: Files) -> None:
    """In the main process, in place of ``page.render``: what the rendering process made
    of ``markdown``, and what MkDocs logged there, logged here; a page whose Markdown a
    later hook changed is converted here."""
    if page.markdown is not markdown:
        Page.render(page, config, files)
        return
    page.content = rendered.html
    page.toc = rendered.toc
    mkdocs_private.set_title_from_render(page, rendered.title)
    page.present_anchor_ids = rendered.anchor_ids
    if rendered.links_to_anchors is not None:
        by_uri = files.src_uris
        page.links_to_anchors = {
            by_uri[uri]: anchors
            for uri, anchors in rendered.links_to_anchors.items()
            if uri in by_uri
        }
    for record in rendered.log_records:
        logging.getLogger(record.name).handle(record)


class _Collector(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.NOTSET)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # picklable, as it would print
        record.exc_info = record.exc_text = None
        self.records.append(record)


@contextlib.contextmanager
def _captured_logs() -> Iterator[list[logging.LogRecord]]:
    """Records logged meanwhile, kept instead of printed (the main process logs them)."""
    records: list[logging.LogRecord] = []
    collector = _Collector(records)
    loggers = [logging.getLogger(), logging.getLogger("mkdocs")]
    saved = [(logger.handlers, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.handlers = [collector]
    loggers[1].propagate = False
    try:
        yield records
    finally:
        for logger, (handlers, propagate) in zip(loggers, saved):
            logger.handlers, logger.propagate = handlers, propagate
