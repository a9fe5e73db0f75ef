"""Hostile and broken input: exact messages, nothing evaluated, nothing unescaped, nothing lost."""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser

import pytest
from conftest import REPO, Site, good

from postmortems.catalog import catalog
from postmortems.model.settings import Settings

FIXTURES = REPO / "tests/fixtures/hostile"
SECRET = "TOPSECRET-7f3a"
OUTSIDE = "OUTSIDE-MARKER-91c2"


def test_each_hostile_fixture_gets_its_expected_messages():
    result = catalog.load(catalog.discover(FIXTURES, FIXTURES), Settings())
    expected = (FIXTURES / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert [p.text() for p in result.problems] == expected


class Scan(HTMLParser):
    """Everything in a page that would run: scripts with data, handlers, bad URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script" and dict(attrs).get("type") != "application/json"
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"<{tag} {name}>")
            if (
                name in ("href", "src", "action")
                and value
                and value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
            ):
                self.bad.append(f"<{tag} {name}={value}>")
            if name == "style" and tag not in ("span",):  # none of ours; only code highlighting
                self.bad.append(f"<{tag} style>")
        if tag in ("iframe", "object", "embed"):  # (Material itself uses inline svg and a form)
            self.bad.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and "alert(" in data:
            self.bad.append(f"script running data: {data[:60]!r}")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{OUTSIDE}\n", encoding="utf-8")
    (outside / "stolen.md").write_text(good(id="HOT-29999") + f"\n{OUTSIDE}\n", encoding="utf-8")
    site = Site(base / "repo")
    config = site.config.read_text(encoding="utf-8")
    config += (
        f"  - macros:\n      render_by_default: true\n      include_dir: includes\n"
        f"extra:\n  secret: {SECRET}\n  team: Skyline SRE\n"
    )
    config = config.replace(
        "  - postmortems\n", "  - postmortems:\n      template_variables: [team]\n"
    )
    site.config.write_text(config, encoding="utf-8")
    (site.root / "includes").mkdir()
    (site.root / "includes/ok.md").write_text("Included text.\n", encoding="utf-8")
    os.symlink(outside / "secret.txt", site.root / "includes/secret.txt")
    for fixture in FIXTURES.glob("*.md"):
        shutil.copy(fixture, site.pm / fixture.name)
    os.symlink(outside / "stolen.md", site.pm / "2025-02-01-stolen.md")
    site.add("2025-02-02-huge.md", good(id="HOT-29998") + "x" * 1_100_000)
    site.add("2025-02-03-good.md", good(id="HOT-20001", title="The real one"))
    recent = (
        good(
            id="HOT-20010",
            title="Recent <img src=x onerror=alert(12)>",
            started="2026-10-02T10:00:00Z",
        )
        .replace("2025-03-04", "2026-10-02")
        .replace(
            "services: [checkout-api]",
            'services: ["<img src=x onerror=alert(11)>", "</script><!--"]',
        )
    )
    site.add("2026-10-02-recent-hostile.md", recent)
    (site.docs / "ops.md").write_text(
        "# Ops\n\nSandboxed: {{ 6 * 1009 }}; team: {{ team }}; secret: {{ secret }}.\n\n"
        "{% include 'ok.md' %}\n\nSee HOT-20001.\n",
        encoding="utf-8",
    )
    (site.docs / "config.md").write_text(
        "# Config\n\n{{ config.extra.secret }}\n", encoding="utf-8"
    )
    (site.docs / "extra.md").write_text("# Extra\n\n{{ extra.secret }}\n", encoding="utf-8")
    (site.docs / "shell.md").write_text(
        "# Shell\n\n{{ cycler.__init__.__globals__.os.popen('echo PWNED-OPS').read() }}\n",
        encoding="utf-8",
    )
    (site.docs / "include.md").write_text(
        "# Include\n\n{% include 'secret.txt' %}\n", encoding="utf-8"
    )
    result = site.build()
    assert result.returncode == 0, result.stderr
    site.log = result.stderr
    return site


def site_files(site: Site):
    for path in (site.root / "site").rglob("*"):
        if (
            path.is_file()
            and path.suffix in (".html", ".json", ".xml", ".js")
            and "assets/javascripts" not in path.as_posix()
            and path.name != "plotly.min.js"
        ):
            yield path, path.read_text(encoding="utf-8", errors="replace")


def test_nothing_from_a_post_mortem_is_evaluated(hostile_site):
    for path, text in site_files(hostile_site):
        assert not re.search(r"(?<!echo )PWNED-", text), path  # only the command, never its output
        assert "uid=" not in text, path
    page = hostile_site.article("postmortems/jinja-everywhere")
    assert "{{ 7 * 191 }}" in page and "1337" not in page
    assert "{% include &#x27;secret.txt&#x27; %}" in page or "{% include 'secret.txt' %}" in page
    opted = hostile_site.article("postmortems/render-macros-opt-in")
    assert "{{ 6 * 1009 }}" in opted and "6054" not in opted


def test_opted_in_pages_render_in_the_sandbox_with_exposed_variables_only(hostile_site):
    page = hostile_site.article("ops")
    assert "Sandboxed: 6054; team: Skyline SRE; secret: {{ secret }}." in page
    assert "Included text." in page
    assert "HOT-20001</a>" in page  # linking runs after the macros
    assert "unsafe" in hostile_site.article("shell")  # the sandbox refused, and said so
    assert "secret.txt" in hostile_site.article("include")  # not found: outside the folder


def test_no_secret_and_no_file_from_outside_the_repository(hostile_site):
    for path, text in site_files(hostile_site):
        assert SECRET not in text, path
        assert OUTSIDE not in text, path
    assert not (hostile_site.root / "site/postmortems/2025-02-01-stolen").exists()
    assert not (hostile_site.root / "site/postmortems/2025-02-02-huge").exists()
    assert (
        "docs/postmortems/2025-02-01-stolen.md:1: error: the file is a link to a place "
        "outside the repository"
    ) in hostile_site.log
    assert "docs/postmortems/2025-02-02-huge.md:1: error: the file is " in hostile_site.log


def test_no_markup_from_data_runs_anywhere(hostile_site):
    for path, text in site_files(hostile_site):
        if path.suffix != ".html":
            continue
        scan = Scan()
        scan.feed(text)
        assert scan.bad == [], path


def test_markup_shows_as_typed(hostile_site):
    from test_build import Text

    title = (
        "</script><script>alert('title')</script> <img src=x onerror=alert(1)> | *em* "
        "`tick` [x](javascript:alert(2))"
    )
    page = hostile_site.html("postmortems/markup-in-front-matter")
    assert f"HOT-20003 · {title}" in Text.of(page).text  # <h1>, card and nav
    assert "<title>HOT-20003 · &lt;/script&gt;&lt;script&gt;" in page
    card = Text.of(hostile_site.article("postmortems/markup-in-front-matter")).text
    assert "<svg onload=alert(3)>" in card and "pipe|service" in card
    assert "<b onmouseover=alert(5)>owner</b>" in card
    assert "styled" in card  # the div's text survives the sanitizer, its handler does not


def test_catalog_json_and_search_index_carry_text_not_markup(hostile_site):
    raw = (hostile_site.root / "site/postmortems.json").read_text(encoding="utf-8")
    assert "</script" not in raw and "<!--" not in raw and "<svg" not in raw
    rows = {r["id"]: r for r in json.loads(raw)["postmortems"] if r.get("id")}
    assert rows["HOT-20003"]["services"][0] == "<svg onload=alert(3)>"
    index = json.loads((hostile_site.root / "site/search/search_index.json").read_text())
    titles = [d["title"] for d in index["docs"] if "markup-in-front-matter" in d["location"]]
    assert titles[0].startswith("HOT-20003 · &lt;/script&gt;")  # Material shows titles as HTML


@pytest.mark.browser
def test_hostile_pages_and_search_run_nothing_in_a_browser(hostile_site, browser):
    from conftest import Served

    server = Served(hostile_site.root / "site")
    dialogs: list[str] = []
    try:
        page = browser.page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for url in (
            "postmortems/markup-in-front-matter/",
            "postmortems/",
            "services/",
            "postmortems/jinja-everywhere/",
            "reviews/2026-10/",
            "recurring/",
            "dashboard/",
        ):
            page.goto(server.base + url)
            page.wait_for_load_state("networkidle")
        page.wait_for_selector('.pm-chart[data-chart="services"] .ytick text')
        ticks = page.locator('.pm-chart[data-chart="services"] .ytick text').evaluate_all(
            "els => els.map(e => e.textContent)"
        )
        assert "<img src=x onerror=alert(11)>" in ticks and "</script><!--" in ticks
        page.goto(server.base + "postmortems/markup-in-front-matter/")
        page.click(".md-search__input")
        page.keyboard.type("onmouseover")
        page.wait_for_selector(".md-search-result__item", timeout=10000)
        results = page.locator(".md-search-result").inner_text()
        assert "HOT-20003" in results
        page.fill(".md-search__input", "")
        page.keyboard.type("HOT-20003")
        page.wait_for_timeout(800)
        first = page.locator(".md-search-result__item").first.inner_text()
        assert first.startswith("HOT-20003 · </script><script>alert('title')</script>")
    finally:
        server.close()
    assert dialogs == []
    assert browser.outside_requests == []


def test_sites_can_trust_raw_html_in_bodies(tmp_path):
    body = '\n<div data-widget="status" style="color: red">kept</div>\n'
    trusted = Site(tmp_path / "trusted", options="trust_html: true\n")
    trusted.add("a.md", good(id="HOT-1") + body)
    assert trusted.build("--strict").returncode == 0
    assert 'data-widget="status" style="color: red"' in trusted.article("postmortems/a")
    default = Site(tmp_path / "default")
    default.add("a.md", good(id="HOT-1") + body)
    assert default.build("--strict").returncode == 0
    html = default.article("postmortems/a")
    assert "kept" in html and "data-widget" not in html and "style=" not in html


def test_markdown_links_and_attribute_lists_cannot_run_script(tmp_path):
    site = Site(tmp_path / "md")
    site.config.write_text(site.config.read_text())  # attr_list is enabled in the test sites
    body = (
        "\n[click](javascript:alert(1)) and ![i](javascript:alert(2))\n\n"
        "[ref]: javascript:alert(3)\n\nSee [the ref][ref].\n\n"
        'A paragraph {: onclick="alert(4)" }\n'
    )
    site.add("a.md", good(id="HOT-1") + body)
    assert site.build().returncode == 0
    scan = Scan()
    scan.feed(site.html("postmortems/a"))
    assert scan.bad == []
    assert "click" in site.article("postmortems/a")
