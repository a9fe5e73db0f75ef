"""Post-mortem pages' Markdown converted in the forked rendering process: the same page,
the same table of contents, the same warnings (counted by --strict), as MkDocs' own."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections import Counter

import pytest
from conftest import Site, good
from markdown.extensions import Extension

from postmortems.adapter import prerender
from postmortems.fast import parallel

linux_only = pytest.mark.skipif(
    sys.platform != "linux", reason="the rendering process is forked on Linux only"
)

BODY_WITH_LINKS = """
## Links

A [missing page](missing-{n}.md), a [missing anchor](#nowhere-{n}) and
[the home page](../index.md#no-such-heading-{n}).
"""


def test_only_extensions_that_keep_nothing_between_pages_are_trusted_elsewhere():
    class SiteOwnExtension(Extension):
        pass

    config = type("Config", (), {})()
    for extensions, safe in (
        (["toc", "tables", "pymdownx.superfences", "material.extensions.emoji"], True),
        (["markdown.extensions.footnotes"], True),
        (["toc", "my_company.markdown_glossary"], False),
        (["toc", "glossary"], False),  # a module of the site's own
        (["toc", SiteOwnExtension()], False),
    ):
        config.markdown_extensions = extensions
        assert prerender.is_safe(config) is safe, extensions


@linux_only
def test_a_page_converted_in_another_process_is_the_page_mkdocs_makes(tmp_path, caplog):
    from mkdocs.commands.build import get_files
    from mkdocs.config import load_config
    from mkdocs.structure.pages import Page

    site = Site(tmp_path / "s")
    site.add("2025-03-04-a.md", good("HOT-1"))
    config = load_config(str(site.config), validation={"anchors": "warn"})
    files = get_files(config)
    file = files.get_file_from_path("postmortems/2025-03-04-a.md")
    markdown = "# Title\n\n## Part one\n\nSee [that](../other.md) and [home](../index.md#gone).\n"

    def in_worker(_: int) -> prerender.Rendered:
        return prerender.render(markdown, file, config, files)

    tasks = parallel.ForkedMap(in_worker, [0], workers=2, chunk_size=1)
    for pid in list(tasks.children):
        os.waitpid(pid, 0)  # the worker has taken the one task and delivered it
    (rendered,) = tasks.result(0)
    tasks.cancel()

    expected = Page(None, file, config)
    expected.markdown = markdown
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        expected.render(config, files)
    own_messages = [r.getMessage() for r in caplog.records]
    caplog.clear()

    page = Page(None, file, config)
    page.markdown = markdown
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        prerender.take(page, markdown, rendered, config, files)
    assert page.content == expected.content
    assert [(a.title, a.id, a.level) for a in page.toc] == [
        (a.title, a.id, a.level) for a in expected.toc
    ]
    assert page.present_anchor_ids == expected.present_anchor_ids
    assert page.links_to_anchors == expected.links_to_anchors
    assert next(iter(page.links_to_anchors)) is files.get_file_from_path("index.md")
    assert [r.getMessage() for r in caplog.records] == own_messages
    assert any("'../other.md'" in m and "not found" in m for m in own_messages)


def many_with_broken_links(root, count: int = 120) -> Site:
    site = Site(root)
    for n in range(count):
        site.add(f"2025-03-04-pm-{n}.md", good(f"HOT-{n}") + BODY_WITH_LINKS.format(n=n))
    site.config.write_text(
        site.config.read_text(encoding="utf-8") + "validation:\n  anchors: warn\n", encoding="utf-8"
    )
    return site


def warnings_of(stderr: str) -> Counter:
    return Counter(line for line in stderr.splitlines() if line.startswith("WARNING"))


@linux_only
def test_warnings_of_pages_converted_elsewhere_are_each_printed_once_and_fail_strict(
    tmp_path, monkeypatch
):
    site = many_with_broken_links(tmp_path / "s")
    monkeypatch.delenv("POSTMORTEMS_WORKERS", raising=False)
    forked = site.build("--strict")
    monkeypatch.setenv("POSTMORTEMS_WORKERS", "1")  # everything in line, by MkDocs itself
    alone = site.build("--strict")
    assert forked.returncode == alone.returncode == 1
    assert warnings_of(forked.stderr) == warnings_of(alone.stderr)
    found = warnings_of(forked.stderr)
    missing = [w for w in found if re.search(r"link 'missing-\d+\.md', but the target", w)]
    anchors = [w for w in found if re.search(r"'#nowhere-\d+'|#no-such-heading-\d+", w)]
    assert len(missing) == 120 and len(anchors) == 240
    assert set(found.values()) == {1}
    assert "Aborted with 360 warnings in strict mode!" in forked.stdout + forked.stderr


def test_markdown_a_late_hook_changes_is_converted_as_changed(tmp_path):
    site = Site(tmp_path / "s")
    for n in range(40):
        site.add(f"2025-03-04-pm-{n}.md", good(f"HOT-{n}"))
    (site.root / "hook.py").write_text(
        "from mkdocs.plugins import event_priority\n\n"
        "@event_priority(-500)  # after every plugin's, ours included\n"
        "def on_page_markdown(markdown, page, **kwargs):\n"
        "    if page.file.src_uri.startswith('postmortems/2025'):\n"
        "        return markdown + '\\n\\n## Added late\\n\\nBy a hook.\\n'\n",
        encoding="utf-8",
    )
    with site.config.open("a", encoding="utf-8") as config:
        config.write("hooks: [hook.py]\n")
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    for n in (0, 17, 39):
        html = site.html(f"postmortems/2025-03-04-pm-{n}")
        assert '<h2 id="added-late">Added late</h2>' in html
        assert 'href="#added-late"' in html  # in the table of contents too
