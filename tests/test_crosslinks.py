"""Recurrence on a real build: links in every page, backlinks, graph warnings, chains."""

from __future__ import annotations

import json
import re

import pytest
from conftest import Site
from test_build import Text
from test_pages import pm


def chain_site(root, options=""):
    site = Site(root, options=options)
    site.add(
        "2025-01-01-a.md",
        pm(
            "HOT-1",
            "2025-01-01T10:00:00Z",
            "2025-01-01T11:00:00Z",
            detected="2025-01-01T10:10:00Z",
            services=["db"],
        ),
    )
    site.add(
        "2025-03-01-b.md",
        pm(
            "HOT-2",
            "2025-03-01T10:00:00Z",
            "2025-03-01T12:00:00Z",
            detected="2025-03-01T10:30:00Z",
            services=["db", "api"],
            extra="recurrence: [HOT-1]\n",
        ),
    )
    site.add(
        "2025-06-01-c.md",
        pm(
            "HOT-3",
            "2025-06-01T10:00:00Z",
            "2025-06-01T10:20:00Z",
            detected="2025-06-01T10:05:00Z",
            services=["api"],
            downtime=300,
            extra="recurrence: [HOT-2]\nrelated: [HOT-4]\naction_items:\n"
            '  - title: Fix the pool\n    owner: "@x"\n    status: Open\n'
            "  - title: Done one\n    status: Verified\n",
        ),
    )
    site.add(
        "2025-07-01-d.md",
        pm(
            "HOT-4",
            "2025-07-01T10:00:00Z",
            "2025-07-01T10:30:00Z",
            services=["web"],
            extra="",
        ).replace(
            "## Summary\n\nText.", "## Summary\n\nLike HOT-1, see `HOT-2` and [HOT-3](https://x/)."
        ),
    )
    site.add(
        "2025-08-01-e.md",
        pm(
            "HOT-5",
            "2025-08-01T10:00:00Z",
            "2025-08-01T10:10:00Z",
            services=["web"],
            extra="recurrence: [HOT-6]\n",
        ),
    )
    site.add(
        "2025-09-01-f.md",
        pm(
            "HOT-6",
            "2025-09-01T10:00:00Z",
            "2025-09-01T10:40:00Z",
            services=["web"],
            extra="recurrence: [HOT-5]\n",
        ),
    )
    (site.docs / "notes.md").write_text(
        "# Notes\n\nWe keep hitting HOT-2; also HOT-77777.\n", encoding="utf-8"
    )
    (site.docs / "review.md").write_text(
        "# Review\n\n## Follow-up to HOT-2\n\nWe saw *HOT-1* again.\n\n"
        "Second look at HOT-3\n---\n\n| Incident | Note |\n| --- | --- |\n| HOT-4 | pool |\n",
        encoding="utf-8",
    )
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = chain_site(tmp_path_factory.mktemp("links") / "src")
    result = site.build()
    assert result.returncode == 0, result.stderr
    site.log = result.stderr
    return site


def refs(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="pm-ref" href="([^"]*)" title="([^"]*)">', html)


def test_hand_written_page_links_ids_with_title_tooltip(built):
    html = built.article("notes")
    assert refs(html) == [("../postmortems/2025-03-01-b/", "Incident HOT-2")]
    assert "HOT-77777" in Text.of(html).text


def test_ids_link_in_headings_emphasis_and_tables_with_plain_text_in_toc_and_search(built):
    html = built.html("review")
    article = html[html.index("<article") : html.index("</article>")]
    assert [href for href, _ in refs(article)] == [
        "../postmortems/2025-03-01-b/",
        "../postmortems/2025-01-01-a/",
        "../postmortems/2025-06-01-c/",
        "../postmortems/2025-07-01-d/",
    ]
    assert re.search(r'<em><a class="pm-ref" [^>]*>HOT-1</a></em>', article)
    assert re.search(r'<td><a class="pm-ref" [^>]*>HOT-4</a></td>', article)
    toc = html[html.index('<nav class="md-nav md-nav--secondary"') :]
    assert 'href="#follow-up-to-hot-2"' in toc and "Follow-up to HOT-2" in Text.of(toc).text
    assert 'href="#second-look-at-hot-3"' in toc
    index = json.loads((built.root / "site/search/search_index.json").read_text(encoding="utf-8"))
    review = " ".join(
        d["text"] + d["title"] for d in index["docs"] if d["location"].startswith("review/")
    )
    assert all(ident in review for ident in ("HOT-1", "HOT-2", "HOT-3", "HOT-4"))
    leaked = [
        str(p)
        for p in (built.root / "site").rglob("*")
        if p.is_file()
        and p.suffix in (".html", ".json", ".xml")
        and "PMSTASH" in p.read_text(encoding="utf-8")
    ]
    assert leaked == []


def test_post_mortem_body_links_only_plain_mentions(built):
    html = built.article("postmortems/2025-07-01-d")
    body = html[html.index('id="summary"') :]
    assert refs(body) == [("../2025-01-01-a/", "Incident HOT-1")]
    assert "<code>HOT-2</code>" in body and 'href="https://x/">HOT-3</a>' in body


def test_backlinks_and_related_both_ways(built):
    first = Text.of(built.article("postmortems/2025-01-01-a")).text
    assert "Recurred in HOT-2 Incident HOT-2 · 2025-03-01 P2" in first
    middle = Text.of(built.article("postmortems/2025-03-01-b")).text
    assert "Same root cause as HOT-1" in middle and "Recurred in HOT-3" in middle
    assert "Related HOT-3" in Text.of(built.article("postmortems/2025-07-01-d")).text
    assert "Related HOT-4" in Text.of(built.article("postmortems/2025-06-01-c")).text


def test_graph_warnings(built):
    assert (
        "docs/postmortems/2025-08-01-e.md:9: warning: recurrence: HOT-6 started after HOT-5; "
        "recurrence lists earlier incidents with the same root cause"
    ) in built.log
    assert (
        "warning: recurrence: recurrence links form a cycle: HOT-5 -> HOT-6 -> HOT-5" in built.log
        or "warning: recurrence: recurrence links form a cycle: HOT-6 -> HOT-5 -> HOT-6"
        in built.log
    )


def test_recurring_page_with_independent_chain_figures(built):
    html = built.article("recurring")
    table = html[: html.index('id="chain-1"')]
    rows = [
        Text.of(r).text.strip() for r in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "<td" in r
    ]
    # Chain HOT-1 -> HOT-2 -> HOT-3: downtime 60 + 120 + 300 = 480 min = 8 h; one open action
    assert rows == [
        "Incident HOT-1 3 2025-01-01 2025-06-01 8 h 1",
        # HOT-5 <-> HOT-6 (a cycle is still one chain): 10 + 40 = 50 min downtime
        "Incident HOT-5 2 2025-08-01 2025-09-01 50 min 0",
    ]
    assert 'data-sort="480"' in table  # the downtime column sorts by minutes
    chain = Text.of(html[html.index('id="chain-1"') : html.index('id="chain-2"')]).text
    assert (
        "The same root cause hit 3 times between 2025-01-01 and 2025-06-01, in db, api, for "
        "8 h of downtime in all; 1 corrective action is still open." in chain
    )
    assert "First HOT-1 P2 on 2025-01-01: Incident HOT-1, 1 h of downtime." in chain
    assert "Then HOT-3 P2 on 2025-06-01: Incident HOT-3, 5 h of downtime." in chain
    assert "Fix the pool" in Text.of(html).text and "Done one" not in Text.of(html).text


def test_unknown_ids_link_to_the_tracker_when_set(tmp_path):
    site = chain_site(
        tmp_path / "src", options="tracker_url: https://tracker.example/browse/{id}\n"
    )
    site.add(
        "2025-10-01-g.md",
        pm("HOT-7", "2025-10-01T10:00:00Z", "2025-10-01T10:10:00Z", extra="related: [OPS-404]\n"),
    )
    result = site.build()
    assert "OPS-404 names no post-mortem" not in result.stderr
    assert refs(site.article("notes"))[-1] == (
        "https://tracker.example/browse/HOT-77777",
        "HOT-77777 in the tracker",
    )


def test_text_another_plugin_adds_to_a_post_mortem_is_linked_too(tmp_path):
    """A post-mortem's own Markdown is made (ids linked) beside MkDocs' work; a hook that
    changes it afterwards gets its ids linked all the same, and the card stays on top."""
    site = chain_site(tmp_path / "src")
    (site.root / "hook.py").write_text(
        "def on_page_markdown(markdown, page, **kwargs):\n"
        "    if page.file.src_uri.startswith('postmortems/2025-07'):\n"
        "        return markdown + '\\n\\nAdded by a hook: see HOT-6.\\n'\n",
        encoding="utf-8",
    )
    with site.config.open("a", encoding="utf-8") as config:
        config.write("hooks: [hook.py]\n")
    result = site.build()
    assert result.returncode == 0, result.stderr
    html = site.article("postmortems/2025-07-01-d")
    assert ("../2025-09-01-f/", "Incident HOT-6") in refs(html)
    assert ("../2025-01-01-a/", "Incident HOT-1") in refs(html)  # the author's own text
    assert html.index('class="pm-card"') < html.index("Added by a hook")
    assert "PMSTASH" not in html
