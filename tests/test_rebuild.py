"""`mkdocs serve --dirty` rebuilds: the edited page and every page derived from it are
rendered again, unrelated pages are not."""

from __future__ import annotations

import os
import time

from conftest import Site
from mkdocs.commands.build import build
from mkdocs.config import load_config
from test_build import Text
from test_pages import pm


def serve_like(site: Site):
    """Load the config as `mkdocs serve --dirty` does for each rebuild, and build."""
    old = os.getcwd()
    os.chdir(site.root)
    try:
        config = load_config("mkdocs.yml", site_dir="site")
        for instance in config.plugins.values():
            if hasattr(instance, "on_startup"):
                instance.on_startup(command="serve", dirty=True)
        build(config, dirty=True)
    finally:
        os.chdir(old)


def mtime(site: Site, url: str) -> float:
    return (site.root / "site" / url / "index.html").stat().st_mtime_ns


def test_dirty_rebuild_renders_exactly_the_dependent_pages(tmp_path):
    site = Site(tmp_path / "src", options="recent_in_nav: 1\n")
    site.add(
        "2025-01-01-a.md",
        pm("HOT-1", "2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z", title="Old title"),
    )
    site.add(
        "2025-02-01-b.md",
        pm("HOT-2", "2025-02-01T10:00:00Z", "2025-02-01T11:00:00Z", extra="recurrence: [HOT-1]\n"),
    )
    site.add(
        "2025-03-01-c.md",
        pm("HOT-3", "2025-03-01T10:00:00Z", "2025-03-01T11:00:00Z", services=["unrelated"]).replace(
            "Text.", "Mentions HOT-1 in prose."
        ),
    )
    site.add(
        "2025-04-01-d.md",
        pm("HOT-4", "2025-04-01T10:00:00Z", "2025-04-01T11:00:00Z", services=["elsewhere"]),
    )
    (site.docs / "notes.md").write_text("# Notes\n\nAbout HOT-1.\n", encoding="utf-8")
    (site.docs / "other.md").write_text("# Other\n\nNothing here.\n", encoding="utf-8")
    serve_like(site)
    before = {
        url: mtime(site, url)
        for url in (
            "postmortems/2025-04-01-d",
            "other",
            "services/elsewhere",
            "postmortems/2025-02-01-b",
        )
    }
    time.sleep(0.05)
    path = site.pm / "2025-01-01-a.md"
    path.write_text(path.read_text().replace("Old title", "New title"))
    serve_like(site)

    assert "HOT-1 · New title" in Text.of(site.article("postmortems/2025-01-01-a")).text
    assert "HOT-1 New title" in Text.of(site.article("postmortems/2025-02-01-b")).text  # same cause
    assert 'title="New title"' in site.article("postmortems/2025-03-01-c")  # tooltip in prose
    assert 'title="New title"' in site.article("notes")  # hand-written page
    assert "New title" in site.article("postmortems")  # the index lists it
    assert "New title" in site.article("recurring")
    assert mtime(site, "postmortems/2025-04-01-d") == before["postmortems/2025-04-01-d"]
    assert mtime(site, "other") == before["other"]
    assert mtime(site, "services/elsewhere") == before["services/elsewhere"]


def test_a_change_to_the_nav_renders_every_page(tmp_path):
    site = Site(tmp_path / "src", options="recent_in_nav: 2\n")
    site.add("2025-01-01-a.md", pm("HOT-1", "2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z"))
    site.add("2025-02-01-b.md", pm("HOT-2", "2025-02-01T10:00:00Z", "2025-02-01T11:00:00Z"))
    (site.docs / "other.md").write_text("# Other\n", encoding="utf-8")
    serve_like(site)
    path = site.pm / "2025-02-01-b.md"
    path.write_text(path.read_text().replace("Incident HOT-2", "Renamed incident"))
    serve_like(site)
    assert "HOT-2 · Renamed incident" in Text.of(site.html("other")).text  # in every page's nav


def test_a_build_leaves_nothing_frozen_for_the_next_serve_rebuild(tmp_path):
    """During a build the plugin spares the garbage collector the catalog and MkDocs' set-up;
    after it, failed builds included, they must be collectable again, or every serve
    rebuild would keep the last one's pages."""
    import gc

    import pytest

    site = Site(tmp_path / "src")
    site.add("2025-01-01-a.md", pm("HOT-1", "2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z"))
    serve_like(site)
    assert gc.get_freeze_count() == 0
    (site.root / "hook.py").write_text(
        "def on_env(env, **kwargs):\n    raise RuntimeError('a broken hook')\n", encoding="utf-8"
    )
    with site.config.open("a", encoding="utf-8") as config:
        config.write("hooks: [hook.py]\n")
    with pytest.raises(Exception, match="a broken hook"):
        serve_like(site)
    assert gc.get_freeze_count() == 0
