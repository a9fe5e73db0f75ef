"""The MkDocs plugin: thin glue between MkDocs events and the catalog and page modules.

Everything a build needs is gathered in ``on_files`` from the files themselves
(so ``--dirty`` and ``serve`` rebuilds stay correct); only the parse cache, keyed
by path, modification time, size and settings, lives across rebuilds.
"""

from __future__ import annotations

import functools
import gc
import os
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from postmortems import fast
from postmortems.catalog.catalog import ParseCache, collection_paused, discover, load
from postmortems.catalog.records import Catalog
from postmortems.model.paths import is_postmortem
from postmortems.model.settings import Settings, SettingsError, check_names
from postmortems.read import template
from postmortems.read.schema import check_fields, json_schema
from postmortems.render import sanitize

from . import assets, logs, mkdocs_private, navigation, prerender, rebuild, templating
from .background import PageParts
from .config import PluginConfig, located, settings_of, without_name
from .logs import log
from .preview import Preview
from .site import SiteBuild, page_meta, take_sources


class PostmortemsPlugin(BasePlugin[PluginConfig]):
    """Validates post-mortems, generates the index, year and service pages and the JSON."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.settings = Settings()
        self.cache = ParseCache()  # deliberately kept across serve rebuilds
        self.build: SiteBuild | None = None
        self.root = os.getcwd()
        self.dirty = False
        self.builds_again = True  # under serve (or unknown): the next build may reuse our pages
        self.rebuilds = rebuild.Rebuilds()  # kept across serve rebuilds, for --dirty
        self.preview = Preview()  # likewise: what the last dirty build wrote
        self.titles: dict[str, str] = {}  # nav page -> its title when last read
        self.last_generated: tuple[str, dict] | None = None  # (signature, generated pages)
        self.page_parts: dict[str, PageParts] = {}  # this build's, until the page is done
        self.logging = logs.Logging()

    def load_config(self, options: dict[str, Any], config_file_path: str | None = None):
        """Check our options as the command line does; an unknown one is an error."""
        try:
            check_names(options)
        except SettingsError as exc:
            return located([(exc.option, str(exc))], config_file_path), []
        errors, warnings = super().load_config(options, config_file_path)
        if not errors:
            try:
                self.settings = settings_of(self.config, set(options))
                check_fields(self.settings)
            except SettingsError as exc:
                errors.append((exc.option, without_name(exc)))
        return located(errors, config_file_path), warnings

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Set up logging for the command. Defined also so MkDocs keeps this instance, and
        so the parse cache, across rebuilds."""
        self.dirty = dirty
        self.builds_again = command == "serve"
        self.logging.install()

    def on_shutdown(self) -> None:
        self.cache.drop_early()  # a parse begun for a build that never reached on_files
        self.logging.remove()

    @event_priority(-100)  # after mkdocs-macros has built its Jinja environment
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.settings.enabled:
            return None
        assets.register(config)
        templating.contain(
            config,
            lambda page: self.is_postmortem_uri(page.file.src_uri),
            self.settings.template_variables,
        )
        self.root = _repository(config)
        if config.nav is not None:
            config.nav = navigation.expand_marker(config.nav, self.settings.folder)
        folder = os.path.join(config.docs_dir, self.settings.folder)
        self.settings = template.applied(self.settings, Path(folder))
        # MkDocs gathers its files before on_files asks for them: parse meanwhile, elsewhere.
        self.cache.parse_early(discover(folder, repository=self.root), self.settings)
        return config

    @event_priority(-50)  # after other plugins have added or removed files
    def on_files(self, files: Files, config: MkDocsConfig) -> Files | None:
        self.build = None  # nothing from the last build is used by accident
        self.page_parts = {}  # post-mortem page -> what we add to it
        if not self.settings.enabled:
            return None
        with collection_paused():
            files = self._build_files(files, config)
        # What lives until a one-off build ends is not walked by full collections. Under
        # serve nothing is frozen: each rebuild's garbage must go (frozen, it would stay).
        if self.fast and not self.builds_again:
            gc.freeze()
        return files

    def is_postmortem_uri(self, src_uri: str) -> bool:
        """Whether a page of the site is a post-mortem file."""
        prefix = self.settings.folder + "/"
        return src_uri.startswith(prefix) and is_postmortem(src_uri[len(prefix) :])

    @property
    def fast(self) -> bool:
        """Whether this build may take the fast paths (the ``fast`` option, POSTMORTEMS_FAST)."""
        return fast.enabled(self.settings.fast)

    def _build_files(self, files: Files, config: MkDocsConfig) -> Files:
        self.root = _repository(config)
        sources = take_sources(files, self.settings.folder, self.root)
        catalog = load(sources, self.settings, cache=self.cache)
        _log_problems(catalog)
        for record in catalog.records:
            if record.refused:  # a symlink out of the repository, or over the size limit
                files.remove(files.get_file_from_path(f"{self.settings.folder}/{record.name}.md"))
        self.build = SiteBuild(catalog, config, files)
        # Rendered beside MkDocs' own work unless --dirty, which compares them right away.
        self.build.generate(self.last_generated, background=not self.dirty and self.fast)
        if self.builds_again:  # a one-off build need not digest what it showed
            self.last_generated = (self.build.signature, self.build.pages.reusable)
        assets.add_files(files, config)
        assets.add_schema(files, config, json_schema(self.settings))
        if self.dirty:
            self.rebuilds.plan(self.build, files, self.settings.recent_in_nav)
            self.preview.files_ready(files)
        return files

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation | None:
        if self.build is None:
            return None
        if config.nav is None:  # MkDocs made it from the folders: ours go together
            navigation.group(nav, self.build)
        self.build.nav = navigation.add_recent(
            nav, self.build, self.settings.recent_in_nav, from_folders=config.nav is None
        )
        return self.build.nav

    def on_env(self, env: jinja2.Environment, config: MkDocsConfig, files: Files) -> None:
        if self.build is not None:
            self.build.finish()  # MkDocs copies the JSON catalog and the feed right after this
        if self.build is None or self.build.nav is None:
            return
        if self.dirty:
            navigation.keep_titles(self.build.nav, self.titles)
        if self.settings.cache_nav and self.fast:
            navigation.cache_rendering(env, self.build.nav)

    @event_priority(50)  # before mkdocs-macros: post-mortems are never rendered as templates
    def _page_content(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.build is None:
            return None
        parts = self.build.renderer.page_parts(page.file)
        if parts is None:
            if page.file.abs_src_path is not None:  # the site's own page, before macros
                self.rebuilds.page_read(page.file.src_uri, markdown)
            return None
        page.meta = page_meta(self.build.record_for(page.file))
        self.page_parts[page.file.src_uri] = parts
        return parts.markdown

    @event_priority(-100)  # last: after macros and our own page content, link ids everywhere
    def _link_ids(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.build is None:
            return None
        parts = self.page_parts.get(page.file.src_uri)
        if parts is not None and markdown is parts.markdown:  # a post-mortem as we made it
            if parts.rendered is not None:  # converted already: MkDocs takes that instead
                mkdocs_private.replace_render(
                    page, functools.partial(prerender.take, page, parts.markdown, parts.rendered)
                )
            return None  # its ids are linked already
        record = self.build.record_for(page.file)
        if record is None:
            markdown = self.build.expand_markers(markdown)
        linked, mentioned = self.build.link_ids(markdown, page.url, record)
        if record is None:
            self.rebuilds.page_mentions[page.file.src_uri] = mentioned
        return linked

    on_page_markdown = CombinedEvent(_page_content, _link_ids)

    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        """A post-mortem's body as we already read it: MkDocs need not read the file again
        nor parse its front matter (with the slow pure-Python YAML loader)."""
        if self.build is None:
            return None
        if self.build.is_pending(page.file):  # generated pages are read last, after ours
            self.build.finish()
        record = self.build.record_for(page.file)
        return record.body if record is not None else None

    def on_page_content(
        self, html: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Post-mortem pages keep only allow-listed HTML unless the site trusts them; then
        our own (escaped) blocks are put back in."""
        if self.build is None:
            return None
        mkdocs_private.restore_render(page)  # MkDocs' own again, if ours stood in
        parts = self.page_parts.get(page.file.src_uri)
        if not self.settings.trust_html and parts is not None and parts.raw:
            html = sanitize.clean(html)
        return self.build.stash.hide(html)

    @event_priority(-100)  # after the search plugin has indexed the page's own text
    def on_page_context(self, context: dict, page: Page, config: MkDocsConfig, nav: Navigation):
        if self.build is None:
            return context
        if self.dirty:
            self.preview.page_rendered(page)
        parts = self.page_parts.pop(page.file.src_uri, None)
        if parts is None or parts.hides_blocks:  # a post-mortem's own keys went in on hiding
            page.content = self.build.stash.restore(page.content or "")
        if parts is not None:  # the head goes in after search has indexed the page
            page.content = f"{parts.head}\n{page.content}"
        _set_foot(page, self.build, self.settings)
        return context

    def on_build_error(self, error: Exception) -> None:
        gc.unfreeze()
        if self.build is not None:
            self.build.renderer.close()  # the rendering process, if it still runs

    @event_priority(100)  # before the search plugin writes its index
    def on_post_build(self, config: MkDocsConfig) -> None:
        gc.unfreeze()  # under serve, this build's objects may go once the next one begins
        if self.dirty and self.build is not None:
            self.preview.after_build(config)
        if self.build is not None and self.build.catalog.needing_attention and not config.strict:
            count = len(self.build.catalog.needing_attention)
            log.info(
                f"{count} post-mortem file(s) have problems; see 'Needs attention' "
                "on the post-mortems index"
            )


def _repository(config: MkDocsConfig) -> str:
    """The folder of mkdocs.yml: files that resolve outside it are not read."""
    return os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml"))


def _set_foot(page: Page, build: SiteBuild, settings: Settings) -> None:
    """What Material shows at the foot of a page: no edit link for a generated page (it has
    no source), the date of the last change for the others."""
    if page.file.abs_src_path is None:
        page.edit_url = None
        return
    changed = build.changed.get(page.file.abs_src_path)
    if changed is not None:
        page.meta["revision_date"] = changed.astimezone(settings.tz).date().isoformat()


def _log_problems(catalog: Catalog) -> None:
    for problem in catalog.problems:
        (log.error if problem.is_error else log.warning)(problem.text())


__all__ = ["PostmortemsPlugin", "PluginError"]
