"""The pages people look at, in headless Chromium at desktop and phone widths, in
Material's light and dark palettes: no page wider than the screen, readable controls and
chart lines (WCAG AA: 4.5:1 for text, 3:1 for lines), no dashboard control covering
another, no console error, no request leaving the machine. Screenshots of each go to
`.artifacts/` for a person to look at; the review page is also printed to PDF."""

from __future__ import annotations

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


def open_page(browser, base, url, width, palette):
    page = browser.page(width=width, height=900, color_scheme=palette)
    page.add_init_script(CONTRAST_JS)
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
                apart = (
                    a["right"] <= b["left"] + 0.5
                    or b["right"] <= a["left"] + 0.5
                    or a["bottom"] <= b["top"] + 0.5
                    or b["bottom"] <= a["top"] + 0.5
                )
                assert apart, f"{name}: two controls of chart {chart} overlap"
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
        "services": "services/",
        "recurring": "recurring/",
    }
    for name, url in pages.items():
        page = open_page(browser, server.base, url, WIDTHS[width], palette)
        if name == "index":
            page.wait_for_selector(".pm-table tbody tr")
        if name == "dashboard":
            dashboard_checks(page, f"{name} at {width}, {palette}")
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
    # A duration stays on one line.
    heights = page.evaluate(
        """() => Array.from(document.querySelectorAll('.pm-table tbody td.pm-nowrap'))
            .map(td => td.getClientRects().length ? td.innerText.includes('\\n') : false)"""
    )
    assert not any(heights)
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
