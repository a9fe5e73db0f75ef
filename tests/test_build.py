"""Real `mkdocs build`s of temporary sites: strict fails, plain publishes everything it can."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from conftest import good


class Text(HTMLParser):
    """The visible text of a page, and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs).get("href", ""))

    def handle_data(self, data):
        self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> "Text":
        parser = cls()
        parser.feed(html)
        return parser

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def test_strict_build_fails_on_a_bad_file_with_its_line(site):
    site.add("2025-03-04-good.md", good(id="HOT-1"))
    site.add("2025-03-05-bad.md", good(id="HOT-2", severity="P9"))
    result = site.build("--strict")
    assert result.returncode == 1
    assert (
        "docs/postmortems/2025-03-05-bad.md:4: error: severity: 'P9' is not one of P1, P2, P3, P4"
        in result.stderr
    )
    assert "Aborted with" in result.stdout + result.stderr


def test_strict_build_fails_on_a_warning(site):
    site.add("a.md", good(id="HOT-1").replace("owner:", "related: [HOT-404]\nowner:", 1))
    result = site.build("--strict")
    assert result.returncode == 1
    assert (
        "docs/postmortems/a.md:12: warning: related: HOT-404 names no post-mortem on this site"
        in result.stderr
    )


def test_strict_build_of_a_clean_site_passes(site):
    site.add("2025-03-04-good.md", good(id="HOT-1"))
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    assert "HOT-1" in site.article("postmortems/2025-03-04-good")


def test_plain_build_publishes_every_page_and_lists_problems(site):
    site.add("2025-03-04-good.md", good(id="HOT-1", title="The good one"))
    site.add("2025-03-05-bad.md", good(id="HOT-2", severity="P9", title="The bad one"))
    site.add("2025-03-06-broken.md", "---\ntitle: [unclosed\n---\n## Summary\n\nStill here.\n")
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert "2025-03-05-bad.md:4: error: severity" in result.stderr

    good_page = Text.of(site.article("postmortems/2025-03-04-good")).text
    assert "HOT-1 · The good one" in good_page
    bad_page = Text.of(site.article("postmortems/2025-03-05-bad")).text
    assert "This post-mortem has 1 problem(s)" in bad_page
    assert "'P9' is not one of P1, P2, P3, P4" in bad_page
    broken_page = Text.of(site.article("postmortems/2025-03-06-broken")).text
    assert "Still here." in broken_page

    index = site.article("postmortems")
    attention = index[index.index("Needs attention") :]
    parsed = Text.of(attention)
    assert "docs/postmortems/2025-03-05-bad.md" in parsed.text
    assert "docs/postmortems/2025-03-06-broken.md" in parsed.text
    assert "2025-03-04-good.md" not in parsed.text


def test_post_mortem_urls_and_catalog_json(site):
    site.add("2025-03-04-checkout.md", good(id="HOT-1"))
    site.add(
        "2025/2025-05-01-nested.md",
        good(id="HOT-2", started="2025-05-01T10:00:00Z")
        .replace("2025-03-04", "2025-05-01")
        .replace("2025-03-06", "2025-05-06"),
    )
    assert site.build("--strict").returncode == 0
    assert (site.root / "site/postmortems/2025-03-04-checkout/index.html").exists()
    assert (site.root / "site/postmortems/2025/2025-05-01-nested/index.html").exists()
    data = json.loads((site.root / "site/postmortems.json").read_text())
    by_id = {row["id"]: row for row in data["postmortems"]}
    assert by_id["HOT-1"]["url"] == "postmortems/2025-03-04-checkout/"
    # downtime ends at mitigation (the contract): 10:00 to 10:45
    assert by_id["HOT-1"]["figures"] == {"ttd": 15, "ttm": 30, "ttr": 75, "downtime": 45}


def test_templates_are_not_published(site):
    site.add("_template.md", "---\nid: _REPLACE_WITH_ID_\n---\n")
    site.add("a.md", good(id="HOT-1"))
    assert site.build("--strict").returncode == 0
    assert not (site.root / "site/postmortems/_template").exists()


def test_own_index_receives_the_generated_content_at_the_marker(site):
    site.add(
        "index.md",
        "# Our incidents\n\nRead this first.\n\n<!-- postmortems:index -->\n\nFooter text.\n",
    )
    site.add("a.md", good(id="HOT-1"))
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    text = Text.of(site.article("postmortems")).text
    assert text.index("Read this first.") < text.index("By severity") < text.index("Footer text.")
    # The table gets the page's width, as on our own index: no table of contents beside it.
    assert re.search(r'md-sidebar--secondary"[^>]*\bhidden>', site.html("postmortems"))


def test_own_index_that_says_what_to_hide_keeps_its_choice(site):
    site.add(
        "index.md",
        "---\nhide:\n  - navigation\n---\n\n# Our incidents\n\n<!-- postmortems:index -->\n",
    )
    site.add("a.md", good(id="HOT-1"))
    assert site.build("--strict").returncode == 0
    page = site.html("postmortems")
    assert not re.search(r'md-sidebar--secondary"[^>]*\bhidden>', page)
    assert re.search(r'md-sidebar--primary"[^>]*\bhidden>', page)


def test_bad_setting_stops_the_build_with_a_clear_message(tmp_path):
    from conftest import Site

    site = Site(tmp_path / "s", options="review_deadlines: {P1: soon}\n")
    result = site.build()
    assert result.returncode == 1
    assert (
        "option 'review_deadlines': P1: 'soon' is not a deadline; "
        "write '3 days', '5 business days' or '4 weeks'" in result.stderr
    )


def test_a_file_with_broken_yaml_keeps_its_place_in_the_data_and_the_links(site):
    import csv
    import io
    import json

    site.add("2025-03-04-first.md", good(id="HOT-1", title="Webhook retries overload payments"))
    # The title's quote is never closed; the lines after it still say what they meant.
    broken = good(id="HOT-7", started="2025-03-10T10:00:00Z").replace(
        "title: Checkout errors", 'title: "Payments: webhook retries: again'
    )
    broken = broken.replace("services: [checkout-api]", "services: [payments]\nrecurrence: [HOT-1]")
    site.add("2025-03-10-again.md", broken)
    site.add(
        "2025-03-12-later.md",
        good(id="HOT-9", started="2025-03-12T10:00:00Z").replace(
            "services: [checkout-api]", "services: [payments]\nrelated: [HOT-7]"
        ),
    )
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert (
        '2025-03-10-again.md:3: error: title: invalid YAML: the quote " opened on this line is '
        "not closed on it, so the lines below were read as part of this value; end the value "
        'with "'
    ) in result.stderr
    assert "HOT-7 names no post-mortem" not in result.stderr  # its id is still known
    data = json.loads((site.root / "site/postmortems.json").read_text())
    entry = next(p for p in data["postmortems"] if p["path"].endswith("again.md"))
    assert (entry["id"], entry["title"], entry["severity"], entry["problems"]) == (
        "HOT-7",
        None,
        "P2",
        1,
    )
    assert all("id" in p and "title" in p for p in data["postmortems"])
    export = site.validate("export", "--format", "csv", "--no-cache")
    rows = list(csv.DictReader(io.StringIO(export.stdout)))
    assert [(r["id"], r["title"]) for r in rows if r["path"].endswith("again.md")] == [
        ("HOT-7", "")
    ]
    # HOT-1 shows it recurred in HOT-7; HOT-9's link to HOT-7 resolves to its page.
    first = site.article("postmortems/2025-03-04-first")
    assert "2025-03-10-again/" in first
    assert "2025-03-10-again/" in site.article("postmortems/2025-03-12-later")
    # A file with nothing left to read still has its keys, as null.
    site.add("2025-03-11-gone.md", "---\n: [\n---\nText.\n")
    site.build()
    data = json.loads((site.root / "site/postmortems.json").read_text())
    gone = next(p for p in data["postmortems"] if p["path"].endswith("gone.md"))
    assert (gone["id"], gone["title"]) == (None, None)
