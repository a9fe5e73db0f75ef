"""The nav is rendered once per folder for pages outside it: every page must still get
exactly the nav it would get if rendered on its own."""

from __future__ import annotations

import textwrap
from pathlib import Path

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
