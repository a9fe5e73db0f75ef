"""The nav is rendered once per folder for pages outside it: every page must still get
exactly the nav it would get if rendered on its own."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from conftest import Site
from test_pages import INCIDENTS, pm


def nav_site(root: Path, options: str) -> Site:
    site = Site(root, options=options)
    for ident, started, detected, resolved, sev, status, services, downtime in INCIDENTS:
        site.add(
            f"{started[:10]}-{ident.lower()}.md",
            pm(ident, started, resolved, sev, status, services, detected, downtime),
        )
    (site.docs / "team").mkdir()
    (site.docs / "team" / "oncall.md").write_text("# On-call\n\nThe rota.\n", encoding="utf-8")
    return site


def pages(site: Site) -> dict[str, str]:
    """Every built page by URL, with whitespace runs collapsed."""
    out = site.root / "site"
    return {
        str(p.parent.relative_to(out)): " ".join(p.read_text(encoding="utf-8").split())
        for p in out.rglob("index.html")
    }


def test_every_page_gets_the_nav_it_would_render_on_its_own(tmp_path):
    cached = nav_site(tmp_path / "cached", "recent_in_nav: 2\n")
    uncached = nav_site(tmp_path / "uncached", "recent_in_nav: 2\ncache_nav: false\n")
    for site in (cached, uncached):
        result = site.build("--strict")
        assert result.returncode == 0, result.stderr
    got, want = pages(cached), pages(uncached)
    assert got.keys() == want.keys()
    # pages outside the nav in several folders, and pages in it, all compared whole
    for url in (
        "postmortems/2025-06-01-hot-3",
        "postmortems/2025",
        "services/checkout-api",
        "postmortems/2025-08-01-hot-5",
        "team/oncall",
        "postmortems",
        ".",
    ):
        assert url in got
    assert {url for url in want if got[url] != want[url]} == set()
    assert "../../postmortems/2025-08-01-hot-5/" in got["services/checkout-api"]


def test_a_sites_own_nav_template_is_the_one_rendered(tmp_path):
    site = nav_site(tmp_path / "custom", "recent_in_nav: 2\n")
    overrides = site.root / "overrides" / "partials"
    overrides.mkdir(parents=True)
    (overrides / "nav.html").write_text(
        textwrap.dedent("""\
        <nav class="md-nav md-nav--primary team-nav">
        {% for item in nav.pages %}<a class="team-link" href="{{ item.url | url }}">{{ item.title }}</a>{% endfor %}
        </nav>
        """),
        encoding="utf-8",
    )
    config = site.config.read_text(encoding="utf-8")
    site.config.write_text(
        config.replace("  font: false\n", "  font: false\n  custom_dir: overrides\n"),
        encoding="utf-8",
    )
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    service = site.html("services/checkout-api")
    assert 'class="team-link" href="../../team/oncall/"' in service
    post_mortem = site.html("postmortems/2025-02-01-hot-2")
    assert 'class="team-link" href="../../team/oncall/"' in post_mortem


def test_the_cached_nav_loses_its_indentation_but_not_a_word_of_what_it_shows():
    from markupsafe import Markup

    from postmortems.adapter.navigation import compact

    nav = (
        '<nav class="md-nav">\n    \n  <ul>\n      <li class="md-nav__item">\n        '
        '<a href="../a/" title="two\nlines">\n          <span>\n            Dashboard  '
        "page\n          </span>\n        </a>\n      </li>\n  </ul>\n</nav>\n"
    )
    small = compact(Markup(nav))
    assert isinstance(small, Markup)
    assert " ".join(small.split()) == " ".join(nav.split())
    assert len(small) < len(nav) * 0.7
    assert 'title="two\nlines"' in small and "Dashboard  page" in small
    with_pre = nav.replace("<span>", "<pre>")
    assert compact(with_pre) == with_pre


def nav_entries(site: Site, url: str = "") -> list[tuple[int, str]]:
    """The primary nav of a built page as (depth, label), in order."""
    import re

    html = (site.root / "site" / url / "index.html").read_text(encoding="utf-8")
    nav = html[html.index('class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index('<div class="md-sidebar md-sidebar--secondary"')]
    found = []
    depth = 0
    for tag in re.finditer(r"<(/?)(ul|nav)\b|<(a|label)\b[^>]*>(.*?)</\3>", nav, re.S):
        if tag.group(2) == "ul":
            depth += -1 if tag.group(1) else 1
        elif tag.group(3):
            label = " ".join(re.sub(r"<[^>]+>", " ", tag.group(4)).split())
            if label and label != "Table of contents":
                found.append((depth, label))
    return found


SECTION = ["Dashboard", "Monthly reviews", "Themes", "Services", "Recurring causes"]


def children(entries: list[tuple[int, str]], label: str) -> list[str]:
    """The labels one level below the section ``label``, in order."""
    start = next(i for i, (_, text) in enumerate(entries) if text == label)
    depth = entries[start][0]
    out = []
    for level, text in entries[start + 1 :]:
        if level <= depth and out:
            break
        if level == depth + 1:
            out.append(text)
    return out


def test_our_pages_come_together_before_the_newest_incidents(tmp_path):
    site = nav_site(tmp_path / "auto", "recent_in_nav: 2\n")
    assert site.build("--strict").returncode == 0
    entries = nav_entries(site)
    section = children(entries, "Post-mortems")
    # the section's own link (the index), then the pages about all incidents, then the newest
    assert section[: len(SECTION) + 1] == ["Post-mortems", *SECTION]
    assert len(section) == len(SECTION) + 3 and all(
        label.startswith("HOT-") for label in section[len(SECTION) + 1 :]
    )
    assert "On-call" in [label for _, label in entries]  # the site's own pages stay


def test_a_sites_own_nav_names_our_section_with_one_line(tmp_path):
    site = nav_site(tmp_path / "own", "recent_in_nav: 2\n")
    site.config.write_text(
        site.config.read_text()
        + textwrap.dedent(
            """\
            nav:
              - Home: index.md
              - Incidents: "@postmortems"
              - Team:
                  - team/oncall.md
            """
        ),
        encoding="utf-8",
    )
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    entries = nav_entries(site)
    section = children(entries, "Incidents")
    assert section[: len(SECTION) + 1] == ["Post-mortems", *SECTION]
    assert len(section) == len(SECTION) + 3 and section[len(SECTION) + 1].startswith("HOT-")
    assert entries[-1][1] == "On-call"


def test_each_generated_page_can_be_named_in_a_sites_own_nav(tmp_path):
    site = nav_site(tmp_path / "named", "recent_in_nav: 0\n")
    site.config.write_text(
        site.config.read_text()
        + textwrap.dedent(
            """\
            nav:
              - index.md
              - Reports:
                  - Dashboard: dashboard/index.md
                  - Reviews: reviews/index.md
              - All incidents: postmortems/index.md
              - Services: services/index.md
              - Repeats: recurring/index.md
              - team/oncall.md
            """
        ),
        encoding="utf-8",
    )
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    assert "not found in the documentation files" not in result.stderr
    labels = [label for _, label in nav_entries(site)]
    for label in ("Reports", "Dashboard", "Reviews", "All incidents", "Services", "Repeats"):
        assert label in labels


def test_a_site_with_materials_blog_and_its_own_nav_builds_with_the_plugin(tmp_path):
    site = nav_site(tmp_path / "blog", "recent_in_nav: 2\n")
    posts = site.docs / "blog" / "posts"
    posts.mkdir(parents=True)
    (site.docs / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
    (posts / "hello.md").write_text(
        "---\ndate: 2025-03-01\ncategories: [News]\n---\n# Hello\n\nHOT-1 was fixed.\n",
        encoding="utf-8",
    )
    config = site.config.read_text().replace("  - search\n", "  - search\n  - blog\n")
    site.config.write_text(
        config
        + textwrap.dedent(
            """\
            nav:
              - Home: index.md
              - Blog: blog/index.md
              - "@postmortems"
              - team/oncall.md
            """
        ),
        encoding="utf-8",
    )
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    section = children(nav_entries(site), "Post-mortems")
    assert section[: len(SECTION) + 1] == ["Post-mortems", *SECTION]
    post = next((site.root / "site" / "blog").rglob("hello/index.html")).read_text()
    article = post[post.index("<article") : post.index("</article>")]
    assert re.search(r'<a [^>]*href="[^"]*postmortems/[^"]*"[^>]*>HOT-1</a>', article)


@pytest.mark.parametrize(
    "entry",
    [
        '- Incidents: "@postmortems"',
        "- Incidents:\n"
        "    - incidents/index.md\n"
        "    - dashboard/index.md\n"
        "    - reviews/index.md\n"
        "    - themes/index.md\n"
        "    - services/index.md\n"
        "    - recurring/index.md",
    ],
    ids=["marker", "one by one"],
)
def test_the_label_a_site_writes_is_kept_with_its_own_folder(tmp_path, entry):
    site = nav_site(tmp_path / "own", "recent_in_nav: 2\nfolder: incidents\n")
    site.pm.rename(site.docs / "incidents")
    nav = "nav:\n  - Home: index.md\n" + textwrap.indent(entry, "  ") + "\n  - team/oncall.md\n"
    site.config.write_text(site.config.read_text() + nav, encoding="utf-8")
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    labels = [label for depth, label in nav_entries(site) if depth == 1]
    assert "Incidents" in labels and "Post-mortems" not in labels, labels
    assert children(nav_entries(site), "Incidents")[1 : len(SECTION) + 1] == SECTION
