"""Each private attribute of MkDocs and mkdocs-macros that the adapter relies on
(postmortems/adapter/mkdocs_private.py) still exists, and still means what it did.
A failure here names what a new release changed: fix mkdocs_private.py, nothing else."""

from __future__ import annotations

from pathlib import Path

import mkdocs.commands.build as build
from mkdocs.config import load_config
from mkdocs.plugins import PluginCollection
from mkdocs.structure import nav as mkdocs_nav
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page

from postmortems.adapter import mkdocs_private


def _page(tmp_path):
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    return config, Page(None, _file(config, "a.md", "# Heading one\n\ntext\n"), config)


def _file(config, name: str, text: str) -> File:
    (Path(config.docs_dir) / name).write_text(text, encoding="utf-8")
    return File(name, config.docs_dir, config.site_dir, config.use_directory_urls)


def test_mkdocs_sets_the_current_page_while_rendering(tmp_path):
    """A real build: while each page's Markdown is handled, the config names that page."""
    from mkdocs.plugins import BasePlugin

    seen = []

    class Watch(BasePlugin):
        def on_page_markdown(self, markdown, page, config, files):
            seen.append((page.file.src_uri, mkdocs_private.current_page(config) is page))

        def on_page_content(self, html, page, config, files):
            seen.append((page.file.src_uri, mkdocs_private.current_page(config) is page))

    config, _ = _page(tmp_path)
    _file(config, "b.md", "# B\n")
    config.plugins["watch"] = Watch()
    build.build(config)
    assert sorted(seen) == [("a.md", True), ("a.md", True), ("b.md", True), ("b.md", True)]


def test_render_sets_the_title_from_the_first_heading(tmp_path):
    config, page = _page(tmp_path)
    page.read_source(config)
    page.render(config, _files(config, page))
    assert mkdocs_private.title_from_render(page) == "Heading one"
    mkdocs_private.set_title_from_render(page, "Other")
    assert page.title == "Other"


def _files(config, page):
    from mkdocs.structure.files import Files

    return Files([page.file])


def test_current_page_round_trips(tmp_path):
    config, page = _page(tmp_path)
    mkdocs_private.set_current_page(config, page)
    assert mkdocs_private.current_page(config) is page
    mkdocs_private.set_current_page(config, None)


def test_plugin_collection_keeps_event_origins():
    """Each registered handler maps to the name its plugin was registered under."""
    from mkdocs.plugins import BasePlugin

    class Ours(BasePlugin):
        def on_page_markdown(self, markdown, **kwargs):
            return markdown

    plugins, ours = PluginCollection(), Ours()
    plugins["ours"] = ours
    origins = mkdocs_private.event_origins(plugins)
    assert origins[ours.on_page_markdown] == "ours"


def test_nav_linking_functions_exist_and_link(tmp_path):
    for name in ("_get_by_type", "_add_previous_and_next_links", "_add_parent_links"):
        assert callable(getattr(mkdocs_nav, name)), name
    config, first = _page(tmp_path)
    second = Page("B", _file(config, "b.md", "b"), config)
    section = mkdocs_nav.Section("S", [first, second])
    pages = mkdocs_private.link_pages([section])
    assert pages == [first, second]
    assert first.next_page is second and second.previous_page is first
    assert second.parent is section


def test_replaced_methods_are_per_object(tmp_path):
    config, page = _page(tmp_path)
    other = _file(config, "c.md", "c")
    assert "is_modified" in vars(File) and "render" in vars(Page)
    mkdocs_private.mark_modified(page.file, False)
    assert page.file.is_modified() is False
    mkdocs_private.mark_modified(page.file, True)
    assert page.file.is_modified() is True and other.is_modified() is not None
    mkdocs_private.replace_render(page, lambda *a: "ours")
    assert page.render() == "ours"
    mkdocs_private.restore_render(page)
    assert page.render.__func__ is Page.render


def test_macros_plugin_keeps_its_environment_and_variables(tmp_path):
    """After mkdocs-macros has set itself up, its Jinja environment and its variables are
    where the adapter reads and replaces them."""
    import jinja2

    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - macros\nextra:\n  team: sre\n", encoding="utf-8"
    )
    config = load_config(str(tmp_path / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    plugin = config.plugins["macros"]
    env = mkdocs_private.macros_environment(plugin)
    assert isinstance(env, jinja2.Environment)
    variables = mkdocs_private.macros_variables(plugin)
    assert variables["extra"]["team"] == "sre" and "config" in variables
    replacement = jinja2.Environment()
    mkdocs_private.set_macros_environment(plugin, replacement)
    assert mkdocs_private.macros_environment(plugin) is replacement


def test_materials_search_keeps_the_last_index_under_dirty_and_takes_a_merged_one(tmp_path):
    """Material's search plugin keeps the last dirty build's index in ``search_index_prev``
    and its entries in ``search_index.entries``; with the previous index cleared it writes
    exactly the entries it holds."""
    import json

    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ntheme: {name: material}\nplugins: [search]\n", encoding="utf-8"
    )
    config = load_config(str(tmp_path / "mkdocs.yml"))
    search = mkdocs_private.material_search(config)
    assert search is not None and search.search_index_prev is None
    search.on_startup(command="serve", dirty=True)
    config = config.plugins.on_config(config)  # Material makes each build's index here
    search.search_index.entries = [{"location": "a/", "title": "A", "text": ""}]
    search.on_post_build(config=config)
    previous = search.search_index_prev
    assert previous is search.search_index  # kept for the next dirty build
    search.on_config(config)  # the next build renders b/ only; a/ and gone/ as they were
    previous.entries += [{"location": "gone/", "title": "Gone", "text": ""}]
    search.search_index.entries = [{"location": "b/#x", "title": "B", "text": ""}]
    mkdocs_private.merge_search_entries(search, rendered={"b/"}, pages={"a/", "b/"})
    search.on_post_build(config=config)
    written = json.loads((Path(config.site_dir) / "search/search_index.json").read_text())
    assert [d["location"] for d in written["docs"]] == ["a/", "b/#x"]
