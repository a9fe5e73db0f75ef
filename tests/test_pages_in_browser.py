"""The pages people look at, in headless Chromium at desktop and phone widths, in
Material's light and dark palettes: no page wider than the screen, readable controls and
chart lines (WCAG AA: 4.5:1 for text, 3:1 for lines), no dashboard control covering
another, no console error, no request leaving the machine. Screenshots of each go to
`.artifacts/` for a person to look at; the review page is also printed to PDF."""

from __future__ import annotations

import re

import pytest
from conftest import ARTIFACTS, Served, build_example

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1440, "phone": 390}
PALETTES = {"light": "default", "dark": "slate"}
ONE = "postmortems/2026-08-12-checkout-pool-exhausted-replica-failover/"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = build_example(tmp_path_factory.mktemp("pages") / "site")
    server = Served(out)
    yield server, out
    server.close()


def latest_review(out) -> str:
    months = sorted(p.name for p in (out / "reviews").iterdir() if p.is_dir())
    return f"reviews/{months[-1]}/"


# Contrast as WCAG defines it; colours as the browser computes them, blended onto the page.
CONTRAST_JS = """
(function () {
  function parse(text) {
    var m = (text || "").match(/rgba?\\(([^)]+)\\)/);
    if (!m) {
      var hex = (text || "").trim().match(/^#([0-9a-f]{6})$/i);
      if (!hex) return null;
      var n = parseInt(hex[1], 16);
      return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 1];
    }
    var p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, under) {
    var a = top[3];
    return [0, 1, 2].map(function (i) { return top[i] * a + under[i] * (1 - a); }).concat([1]);
  }
  function lum(c) {
    var v = c.slice(0, 3).map(function (x) {
      x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function ratio(a, b) {
    var x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  window.pmContrast = { parse: parse, over: over, ratio: ratio };
})();
"""


def page_background(page) -> list[float]:
    return page.evaluate("() => pmContrast.parse(getComputedStyle(document.body).backgroundColor)")


GLANCE_JS = """
window.pmLines = function (el) {  // lines of text in an element, from its text's own boxes
  var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), tops = [], node;
  while ((node = walker.nextNode())) {
    var range = document.createRange(); range.selectNodeContents(node);
    Array.from(range.getClientRects()).filter(r => r.width > 0).forEach(r => tops.push(r.top));
  }
  tops.sort((a, b) => a - b);
  return tops.filter((t, i) => i === 0 || t - tops[i - 1] > 4).length;
};
"""


def open_page(browser, base, url, width, palette):
    page = browser.page(width=width, height=900, color_scheme=palette)
    page.add_init_script(CONTRAST_JS)
    page.add_init_script(GLANCE_JS)
    page.goto(base + url)
    page.wait_for_load_state("load")
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert scheme == PALETTES[palette]
    return page


def assert_fits(page, url):
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{url} is {widths[0]} px wide in a {widths[1]} px window"


def apart(a: dict, b: dict, slack: float) -> bool:
    """Whether two boxes on the page do not overlap (by more than ``slack`` px)."""
    return (
        a["right"] <= b["left"] + slack
        or b["right"] <= a["left"] + slack
        or a["bottom"] <= b["top"] + slack
        or b["bottom"] <= a["top"] + slack
    )


def dashboard_checks(page, name):
    page.wait_for_function(
        "document.querySelectorAll('.pm-chart').length > 0 && "
        "document.querySelectorAll('.pm-chart[data-drawn]').length === "
        "document.querySelectorAll('.pm-chart').length",
        timeout=30000,
    )
    assert page.locator(".modebar").count() == 0  # it would cover the buttons on a phone
    background = page_background(page)
    # Range buttons (plotly's, SVG) and scale buttons (ours, HTML): text against the face.
    faces = page.evaluate(
        """() => Array.from(document.querySelectorAll('.rangeselector .button')).map(b => {
              const rect = b.querySelector('rect'), text = b.querySelector('text');
              const face = getComputedStyle(rect), ink = getComputedStyle(text);
              return [face.fill, face.fillOpacity, ink.fill, ink.fillOpacity,
                      b.getBoundingClientRect().toJSON(),
                      b.closest('.pm-chart').getAttribute('data-chart')];
            }).concat(Array.from(document.querySelectorAll('.pm-chart-scale button')).map(b => {
              const style = getComputedStyle(b);
              return [style.backgroundColor, '1', style.color, '1', b.getBoundingClientRect().toJSON(),
                      b.parentNode.nextElementSibling.getAttribute('data-chart')];
            }))"""
    )
    assert any(f[5] == "downtime" for f in faces), "no range or scale buttons drawn"
    assert page.locator(".pm-chart-scale button").count() >= 4
    for fill, opacity, text, text_opacity, _, chart in faces:
        ratio = page.evaluate(
            """([fill, opacity, text, textOpacity, bg]) => {
                const face = pmContrast.parse(fill); face[3] *= Number(opacity);
                const under = pmContrast.over(face, bg);
                const ink = pmContrast.parse(text); ink[3] *= Number(textOpacity);
                return pmContrast.ratio(pmContrast.over(ink, under), under);
            }""",
            [fill, opacity, text, text_opacity, background],
        )
        assert ratio >= 4.5, f"{name}: a button of chart {chart} has contrast {ratio:.2f}"
    # No control over another, within each chart.
    by_chart: dict[str, list[dict]] = {}
    for *_, box, chart in faces:
        by_chart.setdefault(chart, []).append(box)
    for chart, boxes in by_chart.items():
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert apart(a, b, 0.5), f"{name}: two controls of chart {chart} overlap"
    # The lines of line charts against the page.
    lines = page.evaluate(
        """() => Array.from(document.querySelectorAll('.scatterlayer .trace path.js-line'))
            .map(p => [getComputedStyle(p).stroke, p.closest('.pm-chart').getAttribute('data-chart')])"""
    )
    assert lines
    for stroke, chart in lines:
        ratio = page.evaluate(
            "([s, bg]) => pmContrast.ratio(pmContrast.over(pmContrast.parse(s), bg), bg)",
            [stroke, background],
        )
        assert ratio >= 3, f"{name}: a line of chart {chart} ({stroke}) has contrast {ratio:.2f}"


@pytest.mark.parametrize("palette", list(PALETTES))
@pytest.mark.parametrize("width", list(WIDTHS))
def test_pages_at_each_width_and_palette(served, browser, width, palette):
    server, out = served
    browser.console_errors.clear()
    browser.outside_requests.clear()
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {
        "index": "postmortems/",
        "postmortem": ONE,
        "dashboard": "dashboard/",
        "review": latest_review(out),
        "reviews": "reviews/",
        "themes": "themes/",
        "services": "services/",
        "recurring": "recurring/",
    }
    for name, url in pages.items():
        page = open_page(browser, server.base, url, WIDTHS[width], palette)
        if name == "index":
            page.wait_for_selector(".pm-table tbody tr")
            index_checks(page, width)
        if name == "dashboard":
            dashboard_checks(page, f"{name} at {width}, {palette}")
            durations_checks(page, width, palette)
        if name != "postmortem":
            assert_reads_at_a_glance(page, f"{name} at {width}, {palette}", width)
        assert_fits(page, url)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}-{palette}.png"), full_page=True)
        page.close()
    assert browser.console_errors == []
    assert browser.outside_requests == []


def test_index_table_looks_like_materials_and_sorts(served, browser):
    server, _ = served
    page = open_page(browser, server.base, "postmortems/", 1440, "light")
    page.wait_for_selector(".pm-table tbody tr")
    table = page.locator(".pm-table .md-typeset__scrollwrap .md-typeset__table table")
    assert table.count() == 1 and table.get_attribute("class") is None  # Material's style
    assert page.locator(".pm-table tbody .pm-badge.pm-sev").count() > 0
    assert page.locator(".pm-table tbody .pm-badge.pm-status").count() > 0
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.pm-badge')).fontSize) / "
        "parseFloat(getComputedStyle(document.documentElement).fontSize)"
    )
    assert size >= 0.7, f"badges are {size:.2f} rem"
    # Every cell but the title, services and a team's own fields stays on one line.
    wrapped = page.evaluate(
        """() => Array.from(document.querySelectorAll('.pm-table tbody td:not(.pm-wrap)'))
            .filter(td => pmLines(td) > 1)
            .map(td => td.className + ': ' + td.innerText)"""
    )
    assert page.locator(".pm-table tbody td:not(.pm-wrap)").count() > 100 and wrapped == []
    # The header stays in view while the table scrolls.
    position = page.evaluate(
        "getComputedStyle(document.querySelector('.pm-table thead th')).position"
    )
    assert position == "sticky"
    page.click(".pm-table th[data-key=downtime]")
    assert "sort=downtime" in page.url


def test_services_and_recurring_tables_sort_by_any_column(served, browser):
    server, _ = served
    page = open_page(browser, server.base, "services/", 1440, "light")
    minutes = (
        "() => Array.from(document.querySelectorAll('.pm-sortable tbody tr'))"
        ".map(r => Number(r.cells[2].getAttribute('data-sort')))"
    )
    page.click(".pm-sortable th:nth-child(3)")  # Downtime, by its minutes
    shown = page.evaluate(minutes)
    assert shown == sorted(shown) and len(shown) > 3
    page.click(".pm-sortable th:nth-child(3)")
    assert page.evaluate(minutes) == sorted(shown, reverse=True)
    page.goto(server.base + "recurring/")
    page.click(".pm-sortable th:nth-child(2)")
    counts = page.evaluate(
        "() => Array.from(document.querySelectorAll('.pm-sortable tbody tr'))"
        ".map(r => Number(r.cells[1].innerText))"
    )
    assert counts == sorted(counts)
    # Each chain reads as sentences with titles, not bare ids.
    chain = page.inner_text(".pm-chain")
    assert chain.startswith("The same root cause hit") and "First HOT-" in chain


def test_the_review_page_prints_as_a_clean_handout(served, browser):
    server, out = served
    url = latest_review(out)
    page = open_page(browser, server.base, url, 1440, "light")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.md-header', '.md-sidebar--primary', '.md-sidebar--secondary', '.md-footer']
            .map(s => document.querySelector(s))
            .filter(Boolean).map(e => getComputedStyle(e).display)"""
    )
    assert hidden and set(hidden) == {"none"}  # no nav, no search, no footer
    kept_whole = page.evaluate(
        """() => ['.md-typeset tr', '.pm-tile', '.pm-agenda']
            .map(s => document.querySelector(s))
            .filter(Boolean).map(e => getComputedStyle(e).breakInside)"""
    )
    assert kept_whole and set(kept_whole) == {"avoid"}
    tables = page.locator(".md-typeset table").count()
    assert tables >= 2 and page.locator(".pm-actions table, .pm-list table").count() >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "review-handout.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2


TYPICAL_TITLE = 90  # characters: most of the example's titles, and of public write-ups


def assert_reads_at_a_glance(page, name, width):
    """No table of contents beside the tables; at desktop width every column of each table
    in view without scrolling it; the tiles in an even grid."""
    toc = page.evaluate(
        "() => { const t = document.querySelector('.md-sidebar--secondary');"
        " return t ? t.hidden || getComputedStyle(t).display === 'none' || "
        "t.getBoundingClientRect().width === 0 : true; }"
    )
    assert toc, f"{name}: a table of contents takes the tables' width"
    if width == "desktop":
        cut = page.evaluate(
            """() => Array.from(document.querySelectorAll('.md-typeset__scrollwrap'))
                .filter(w => w.querySelector('table') && w.scrollWidth > w.clientWidth + 1)
                .map(w => w.querySelector('th').innerText + ': ' + w.scrollWidth + ' > ' + w.clientWidth)"""
        )
        assert cut == [], f"{name}: a table scrolls sideways at 1440 px: {cut}"
    grids = page.evaluate(
        """() => Array.from(document.querySelectorAll('.pm-tiles')).map(g =>
              Array.from(g.querySelectorAll('.pm-tile')).map(t => {
                const r = t.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.left)];
              }))"""
    )
    for tiles in grids:
        assert len({w for w, _ in tiles}) <= 1, f"{name}: tiles of uneven widths {tiles}"
        if width == "desktop" and len(tiles) > 1:
            assert len({left for _, left in tiles}) > 1, f"{name}: tiles in one column"


def tick_labels(page) -> dict[str, list[dict]]:
    """Every tick label of every drawn chart, by chart and axis, with its box."""
    return page.evaluate(
        """() => {
          const out = {};
          document.querySelectorAll('.pm-chart[data-drawn]').forEach(chart => {
            ['xtick', 'ytick'].forEach(axis => {
              out[chart.dataset.chart + ' ' + axis] = Array.from(chart.querySelectorAll('g.' + axis + ' text'))
                .filter(t => t.textContent.trim()).map(t => {
                  const r = t.getBoundingClientRect();
                  return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
                });
            });
          });
          return out;
        }"""
    )


def assert_ticks_apart_and_in_words(page, name):
    duration = r"^(0|\d+ (min|h|d)( \d+ (min|h))?)$"
    for key, labels in tick_labels(page).items():
        chart, axis = key.split()
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                assert apart(a, b, 1), (
                    f"{name}: tick labels {a['text']!r} and {b['text']!r} of {key} overlap"
                )
        is_duration = (chart in ("downtime", "times", "ttr-distribution") and axis == "ytick") or (
            chart == "services" and axis == "xtick"
        )
        if is_duration:
            words = [label["text"] for label in labels]
            assert words and all(re.match(duration, w) for w in words), f"{name}: {key}: {words}"


def durations_checks(page, width, palette):
    """Duration axes in words at round values, never crowded, on either scale; the time
    axis on the last 12 months with the month under review shaded; hovers in words."""
    name = f"dashboard at {width}, {palette}"
    assert_ticks_apart_and_in_words(page, name)
    for button in page.locator(".pm-chart-scale button").all():
        button.click()
        page.wait_for_timeout(150)
    assert_ticks_apart_and_in_words(page, f"{name}, other scale")
    months = [t["text"] for t in tick_labels(page)["downtime xtick"]]
    assert 2 <= len(months) <= 12, months
    assert page.locator(".pm-chart[data-chart=downtime] .shapelayer path").count() >= 1
    chart = page.locator(".pm-chart[data-chart=downtime]")
    chart.scroll_into_view_if_needed()
    plot = chart.locator(".nsewdrag").first.bounding_box()
    bars = [b.bounding_box() for b in chart.locator(".barlayer .point path").all()]
    box = max(
        (
            b
            for b in bars
            if b
            and b["width"] > 0
            and plot["x"] < b["x"] + b["width"] / 2 < plot["x"] + plot["width"]
        ),
        key=lambda b: b["height"],
    )
    page.mouse.move(box["x"] + box["width"] / 2, plot["y"] + plot["height"] / 2)  # its month
    hovered = "document.querySelector('.pm-chart[data-chart=downtime] .hoverlayer').textContent"
    page.wait_for_function(f"{hovered}.length > 0")
    hover = page.evaluate(hovered)
    assert " min" in hover or " h" in hover, hover
    assert not re.search(r"\d\.\d", hover), f"a hover in decimals: {hover}"


def index_checks(page, width):
    """The catalog table: every default column, a typical title on two lines at most."""
    titles = page.evaluate(
        """() => Array.from(document.querySelectorAll('.pm-table tbody td.pm-col-title'))
            .map(td => [td.innerText, pmLines(td)])"""
    )
    assert len(titles) >= 20
    if width == "desktop":
        long = [(t, n) for t, n in titles if len(t) <= TYPICAL_TITLE and n > 2]
        assert long == [], f"titles over two lines at 1440 px: {long}"
    headers = page.evaluate(
        "() => Array.from(document.querySelectorAll('.pm-table thead th')).map(th => th.innerText)"
    )
    assert headers[:8] == [
        "Id",
        "Title",
        "Severity",
        "Status",
        "Started",
        "Downtime",
        "TTR",
        "Services",
    ]


@pytest.fixture(scope="module")
def quiet_year(tmp_path_factory):
    """A site whose incidents all started over a year ago."""
    from conftest import Site, good

    site = Site(tmp_path_factory.mktemp("quiet") / "src")
    palettes = (
        "  palette:\n"
        '    - media: "(prefers-color-scheme: light)"\n      scheme: default\n'
        '    - media: "(prefers-color-scheme: dark)"\n      scheme: slate\n'
    )
    config = site.config.read_text(encoding="utf-8")
    site.config.write_text(config.replace("  font: false\n", "  font: false\n" + palettes, 1))
    for n, month in enumerate(("2023-02", "2023-05", "2024-01")):
        site.add(f"{month}-10-old-{n}.md", good(id=f"HOT-{n + 1}", started=f"{month}-10T10:00:00Z"))
    built = site.build()
    assert built.returncode == 0, built.stderr
    server = Served(site.root / "site")
    yield server
    server.close()


@pytest.mark.parametrize("palette", list(PALETTES))
@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_quiet_year_is_said_not_drawn_empty(quiet_year, browser, width, palette):
    page = open_page(browser, quiet_year.base, "dashboard/", WIDTHS[width], palette)
    page.wait_for_selector(".pm-chart[data-drawn]")
    notes = page.locator(".pm-chart-note").all_inner_texts()
    assert "No incidents in the last 12 months." in notes  # the services chart, not drawn
    assert page.locator(".pm-chart[data-chart=services]").count() == 0
    assert any(
        n.startswith("No incidents in the last 12 months; the chart shows every") for n in notes
    )
    tiles = page.inner_text(".pm-headline")
    assert "No incidents in " in tiles and "same" not in tiles and "—" not in tiles
    assert_fits(page, "dashboard/")
    page.screenshot(path=str(ARTIFACTS / f"dashboard-quiet-{width}-{palette}.png"), full_page=True)
