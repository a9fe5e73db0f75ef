"""Reading the site's mkdocs.yml without MkDocs, so the command line uses the site's settings.

mkdocs.yml may hold tags such as ``!!python/name:`` (Material's emoji set-up) or
``!ENV``; they are read as nothing here, since only our own options matter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import yaml

from postmortems.model.settings import Settings, SettingsError
from postmortems.read import template
from postmortems.read.schema import check_fields
from postmortems.read.site_file import PLUGIN_NAME, option_line


class _LenientLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that reads any tag as null instead of failing (libyaml's, where
    PyYAML has it: the Python one takes a millisecond for a short mkdocs.yml)."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_LenientLoader.add_multi_constructor("", _ignore_tag)


class SiteConfig(NamedTuple):
    """The parts of mkdocs.yml the command line needs."""

    docs_dir: Path
    settings: Settings
    root: Path  # the folder of mkdocs.yml: files resolving outside it are refused
    config_file: Path | None = None  # None where there is no mkdocs.yml

    @property
    def postmortems_dir(self) -> Path:
        return self.docs_dir / self.settings.folder


CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")  # the names MkDocs itself looks for


def find_config(start: Path) -> Path | None:
    """The nearest site configuration in ``start`` or a folder above it, as a path from
    here, or None."""
    here = Path.cwd()
    start = start.absolute()
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate.relative_to(here) if here in candidate.parents else candidate
    return None


def load_site_config(config_file: str | Path | None = "mkdocs.yml") -> SiteConfig:
    """The site's docs folder and plugin settings; defaults where there is no mkdocs.yml."""
    path = Path(config_file) if config_file is not None else None
    if path is None or not path.exists():
        settings = template.applied(Settings(), Path("docs") / Settings().folder)
        return SiteConfig(Path("docs"), settings, Path.cwd())
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LenientLoader) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: cannot read it as YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: expected a mapping of settings")
    docs_dir = path.parent / str(raw.get("docs_dir") or "docs")
    try:
        settings = Settings.from_mapping(_plugin_options(raw.get("plugins")))
        check_fields(settings)
    except SettingsError as exc:
        line = option_line(path.read_text(encoding="utf-8"), exc.option)
        where = f"{path}:{line}" if line else str(path)
        raise SettingsError(f"{where}: plugins: {PLUGIN_NAME}: {exc}", exc.option) from exc
    settings = template.applied(settings, docs_dir / settings.folder)
    return SiteConfig(docs_dir, settings, path.parent.absolute(), path)


def _plugin_options(plugins: Any) -> dict[str, Any]:
    """Our plugin's options from the ``plugins`` list or mapping of mkdocs.yml."""
    entries: list[Any] = []
    if isinstance(plugins, dict):
        entries = [{k: v} for k, v in plugins.items()]
    elif isinstance(plugins, list):
        entries = plugins
    for entry in entries:
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            options = entry[PLUGIN_NAME] or {}
            return dict(options)
    return {}
