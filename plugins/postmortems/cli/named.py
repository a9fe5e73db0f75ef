"""Which files a command reads when it is handed paths.

A file named is a file checked: each path is taken from the current folder, and its
site is the nearest ``mkdocs.yml`` above the file itself, so ``validate`` gives the same
verdict from the site's root, from the post-mortems folder or from anywhere else. A named
file that is not one of its site's post-mortems is checked all the same when it has front
matter, and refused with the reason otherwise; only a hook that hands over every changed
file asks for the others to be left out.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from postmortems.catalog.catalog import discover, display_path
from postmortems.catalog.records import Source
from postmortems.model.paths import TEMPLATE, is_postmortem

from .site_config import SiteConfig, find_config, load_site_config


class Named(NamedTuple):
    """The files to check, by site, and the paths refused with the reason for each."""

    groups: dict[Path | None, tuple[SiteConfig, list[Source]]]
    refused: list[str]  # "path: why", one a path


def resolve(paths: list[str], config: str | None, only_postmortems: bool) -> Named:
    """Each path's files and site (``config``, where given, for all of them). Raises
    SettingsError for a site whose mkdocs.yml is wrong."""
    sites: dict[Path | None, SiteConfig] = {}
    groups: dict[Path | None, tuple[SiteConfig, list[Source]]] = {}
    refused: list[str] = []
    for text in paths:
        path = Path(text)
        where = path if path.is_dir() else path.parent
        found = Path(config) if config else find_config(where)
        key = found.absolute() if found else None
        if key not in sites:
            sites[key] = load_site_config(found)
        site = sites[key]
        sources, why = _files(path, site, found is not None, only_postmortems)
        if why:
            refused.append(f"{text}: {why}")
        groups.setdefault(key, (site, []))[1].extend(sources)
    return Named(groups, refused)


def _files(
    path: Path, site: SiteConfig, has_site: bool, only_postmortems: bool
) -> tuple[list[Source], str]:
    """The post-mortems one path names, or the reason it names none."""
    folder = Path(os.path.abspath(site.postmortems_dir))
    full = Path(os.path.abspath(path))
    if path.is_dir():
        if has_site and _inside(full, folder):  # the site, docs/ or the folder itself
            return discover(folder, repository=site.root), ""
        if has_site and not _inside(folder, full):
            return [], f"not checked: the post-mortems of this site are in {display_path(folder)}/"
        return discover(path, repository=site.root), ""
    rel = _below(full, folder) if has_site else None
    if rel is not None and is_postmortem(rel):
        return [_source(path, rel[:-3], site)], ""
    if only_postmortems:
        return [], ""
    if rel is not None and not rel.endswith(".md"):
        return [], "not checked: post-mortems are Markdown files ending in .md"
    if rel is not None:  # the folder's index page, a template, a hidden draft
        what = "the site's template" if rel.rsplit("/", 1)[-1] == TEMPLATE else "never published"
        if rel == "index.md":
            what = "the folder's own index page"
        return [], f"not checked: it is {what}, not a post-mortem"
    if path.suffix.lower() not in (".md", ".markdown"):
        return [], "not checked: post-mortems are Markdown files ending in .md"
    if _has_front_matter(path):
        return [_source(path, path.stem, site, root=path.parent.absolute())], ""
    where = (
        f"this site's post-mortems are in {display_path(folder)}/"
        if has_site
        else "and there is no mkdocs.yml above it"
    )
    return [], f"not checked: it has no front matter (a first line '---'), {where}"


def _source(path: Path, name: str, site: SiteConfig, root: Path | None = None) -> Source:
    shown = str(path) if path.is_absolute() else display_path(path)  # as it was typed
    return Source(os.path.abspath(path), shown, name, str(root or site.root))


def _inside(outer: Path, inner: Path) -> bool:
    return inner == outer or outer in inner.parents


def _below(path: Path, folder: Path) -> str | None:
    """The path below the post-mortems folder, '/'-separated, or None when it is outside."""
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        try:  # the same file by another spelling of the path (a link in between)
            return path.resolve().relative_to(folder.resolve()).as_posix()
        except ValueError:
            return None


def _has_front_matter(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            first = handle.readline(64)
    except OSError:
        return False
    return first.removeprefix(b"\xef\xbb\xbf").rstrip() == b"---"
