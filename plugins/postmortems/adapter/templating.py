"""Template safety: mkdocs-macros never renders a post-mortem, and renders other pages
only in Jinja's sandbox with the variables the site chose to expose.

mkdocs-macros renders a page as Jinja when the site or the page's own front matter
asks, with the whole MkDocs config in scope; Jinja there can run shell commands
(``cycler.__init__.__globals__``), print secrets (``config.extra``) and include files
through symlinks. We change three things after macros has set itself up:

- its ``on_page_markdown`` is skipped for post-mortem pages, whatever any setting says;
- its Jinja environment becomes a ``SandboxedEnvironment`` whose loader refuses
  files that resolve outside the include folder;
- variables that reach into the config (``config``, ``environment``, ``plugin``,
  ``git``, ``extra`` and the ``extra`` keys) are removed unless listed in the
  plugin's ``template_variables``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from jinja2 import FileSystemLoader, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

from . import mkdocs_private

CONFIG_VARIABLES = ("config", "environment", "plugin", "git", "extra")
_ENV_OPTIONS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "undefined",
)


class ConfinedLoader(FileSystemLoader):
    """Loads templates only from files that really live in the include folders."""

    def get_source(self, environment: Any, template: str):
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        roots = [os.path.realpath(p) for p in self.searchpath]
        if not any(real == root or real.startswith(root + os.sep) for root in roots):
            raise TemplateNotFound(f"{template} (resolves outside the include folder)")
        return source, filename, uptodate


def macros_plugins(config: MkDocsConfig) -> list[Any]:
    return [p for p in config.plugins.values() if type(p).__module__.startswith("mkdocs_macros")]


def contain(
    config: MkDocsConfig, is_postmortem: Callable[[Page], bool], exposed: tuple[str, ...]
) -> None:
    """Apply the three restrictions to every mkdocs-macros instance of this build."""
    for plugin in macros_plugins(config):
        _skip_postmortems(config, plugin, is_postmortem)
        _sandbox(plugin)
        _limit_variables(plugin, config, exposed)


def _skip_postmortems(
    config: MkDocsConfig, plugin: Any, is_postmortem: Callable[[Page], bool]
) -> None:
    events = config.plugins.events["page_markdown"]
    for index, method in enumerate(events):
        if getattr(method, "__self__", None) is not plugin:
            continue

        @functools.wraps(method)
        def guarded(markdown: str, *args: Any, _method: Any = method, **kwargs: Any) -> Any:
            page = kwargs.get("page", args[0] if args else None)
            if page is not None and is_postmortem(page):
                return markdown
            return _method(markdown, *args, **kwargs)

        events[index] = guarded
        origins = mkdocs_private.event_origins(config.plugins)
        origins[guarded] = origins.get(method, "macros")


def _sandbox(plugin: Any) -> None:
    old = mkdocs_private.macros_environment(plugin)
    if old is None:
        return
    options = {name: getattr(old, name) for name in _ENV_OPTIONS}
    loader = old.loader
    if isinstance(loader, FileSystemLoader):
        loader = ConfinedLoader(loader.searchpath, encoding=loader.encoding)
    env = SandboxedEnvironment(loader=loader, **options)
    env.globals.update(getattr(plugin, "macros", {}) or {})
    env.filters.update(getattr(plugin, "filters", {}) or {})
    mkdocs_private.set_macros_environment(plugin, env)


def _limit_variables(plugin: Any, config: MkDocsConfig, exposed: tuple[str, ...]) -> None:
    variables = mkdocs_private.macros_variables(plugin)
    if variables is None:
        return
    hidden = set(CONFIG_VARIABLES) | set(config.extra or {})
    for name in hidden - set(exposed):
        variables.pop(name, None)
