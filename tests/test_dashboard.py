"""The dashboard, review pages, feed and macros of the example site, against figures
computed here independently from the example files (python-frontmatter, not our reader)."""

from __future__ import annotations

import json
import re
import statistics
import xml.dom.minidom
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

import frontmatter
import pytest
from conftest import REPO, build_example
from test_build import Text

from postmortems.model.figures import human_minutes


@pytest.fixture(scope="module")
def example_site(tmp_path_factory):
    return build_example(tmp_path_factory.mktemp("example") / "site")


def read(out, url):
    return (out / url / "index.html").read_text(encoding="utf-8")


def chart_data(html: str) -> dict:
    specs = []
    for raw in re.findall(
        r'<script type="application/json" class="pm-chart-data"[^>]*>(.*?)</script>', html, re.S
    ):
        assert "</" not in raw and "<!--" not in raw
        specs += json.loads(raw)
    return {spec["key"]: spec["figure"] for spec in specs}


def as_utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(timezone.utc)


@pytest.fixture(scope="module")
def expected():
    """Per month: counts and downtime by severity, and TTR values, computed from the files."""
    counts = defaultdict(lambda: defaultdict(int))
    downtime = defaultdict(lambda: defaultdict(float))
    ttr = defaultdict(list)
    for path in sorted((REPO / "docs/postmortems").glob("2*.md")):
        meta = frontmatter.load(path).metadata
        started = as_utc(meta["started"])
        month = started.strftime("%Y-%m")
        counts[month][meta["severity"]] += 1
        end = meta.get("mitigated") or meta.get("resolved")  # the contract: to mitigation
        if "downtime_minutes" in meta:
            downtime[month][meta["severity"]] += meta["downtime_minutes"]
        elif end:
            downtime[month][meta["severity"]] += (as_utc(end) - started).total_seconds() / 60
        if "resolved" in meta and "detected" in meta:
            ttr[month].append(
                (as_utc(meta["resolved"]) - as_utc(meta["detected"])).total_seconds() / 60
            )
    # Plain dicts: a lookup of an empty month must not add it for the tests that follow.
    return (
        {m: dict(c) for m, c in counts.items()},
        {m: dict(d) for m, d in downtime.items()},
        dict(ttr),
    )


def trace(figure, name):
    return next(t for t in figure["data"] if t.get("name") == name)


def test_incidents_and_downtime_per_month_match(example_site, expected):
    counts, downtime, _ = expected
    charts = chart_data(read(example_site, "dashboard"))
    for severity in ("P1", "P2", "P3", "P4"):
        bars = trace(charts["incidents"], severity)
        for month, value in zip(bars["x"], bars["y"]):
            assert value == counts.get(month, {}).get(severity, 0), (severity, month)
        down = trace(charts["downtime"], severity)
        for month, value, said in zip(down["x"], down["y"], down["customdata"]):
            want = downtime.get(month, {}).get(severity, 0)
            assert value == pytest.approx(want, abs=1e-6), (severity, month)  # exact minutes
            assert said == human_minutes(want)  # the hover says it in words


def test_every_month_is_present_and_empty_months_are_zero(example_site, expected):
    counts, _, _ = expected
    bars = trace(chart_data(read(example_site, "dashboard"))["incidents"], "P1")
    months = bars["x"]
    assert months[0] == min(counts) and months[-1] == date.today().strftime("%Y-%m")
    assert len(months) == len(set(months))
    for a, b in zip(months, months[1:]):
        ya, ma = int(a[:4]), int(a[5:])
        assert (int(b[:4]), int(b[5:])) == ((ya + 1, 1) if ma == 12 else (ya, ma + 1))
    assert all(isinstance(v, (int, float)) for v in bars["y"])  # zero, never a gap


def test_mttr_mean_and_median_per_month_match(example_site, expected):
    _, _, ttr = expected
    times = chart_data(read(example_site, "dashboard"))["times"]
    mean, median = trace(times, "MTTR (mean)"), trace(times, "TTR median")
    for month, m, md in zip(mean["x"], mean["y"], median["y"]):
        if ttr.get(month):
            assert m == pytest.approx(statistics.fmean(ttr[month]), abs=1e-6)
            assert md == pytest.approx(statistics.median(ttr[month]), abs=1e-6)
        else:
            assert m is None and md is None


def test_definitions_say_which_clock_ttr_uses(example_site):
    text = Text.of(read(example_site, "dashboard")).text
    assert "TTR = resolved − detected (the site's ttr_start is 'detected')" in text
    assert "left out" in text


def test_chart_data_stays_per_month(example_site):
    html = read(example_site, "dashboard")
    charts = chart_data(html)
    months = len(trace(charts["incidents"], "P1")["x"])
    for figure in charts.values():
        for t in figure["data"]:
            assert len(t.get("x") or t.get("y") or []) <= max(months, 10)
    assert "plotly.min.js" in html and "cdn" not in html.lower()
    assert (example_site / "assets/postmortems/plotly.min.js").stat().st_size > 1_000_000


def test_review_pages_for_every_month_with_incidents(example_site, expected):
    counts, _, _ = expected
    for month in counts:
        assert (example_site / f"reviews/{month}/index.html").exists(), month
    index = Text.of(read(example_site, "reviews")).text
    assert "June 2026" in index
    june = Text.of(read(example_site, "reviews/2026-06")).text
    assert "HOT-13432" in june
    assert "Recap the timeline" in june and "How could it have been caught earlier?" in june
    assert "Post-mortems overdue for review" in june
    august = Text.of(read(example_site, "reviews/2026-08")).text
    assert "Recurrences seen this month" in august
    assert "same root cause as HOT-11942 (2024-11-29), HOT-12210 (2025-04-02)" in august


def test_review_page_lists_action_items_in_one_table_by_owner(example_site):
    html = read(example_site, "reviews/2026-11")  # a current month: overdue items in full
    section = html[
        html.index('id="overdue-action-items"') : html.index('id="post-mortems-overdue-for-review"')
    ]
    assert section.count("<table>") == 1  # one table, the owner a column
    owners = re.findall(r"<tr><td><span[^>]*>(.*?)</span></td>", section)
    assert len(set(owners)) > 1 and owners == sorted(owners, key=str.lower)
    assert "pm-sortable" in section


def test_feed_lists_post_mortems_with_status_in_the_entry_id(example_site):
    doc = xml.dom.minidom.parse(str(example_site / "feed.xml"))
    entries = doc.getElementsByTagName("entry")
    assert len(entries) == 33
    ids = [e.getElementsByTagName("id")[0].firstChild.data for e in entries]
    assert "urn:postmortem:HOT-13432:in-review" in ids
    assert all(" " not in i for i in ids)


def test_macros_on_the_guide_page(example_site):
    text = Text.of(read(example_site, "guide/macros")).text
    assert "MTTR in October 2026: 13 h 22 min" in text
    assert "incidents on checkout-api in April 2025: 1." in text
    assert "HOT-13590" in text  # the P1 table
    assert chart_data(read(example_site, "guide/macros"))


@pytest.mark.browser
def test_dashboard_and_review_page_draw_in_a_browser(example_site, browser):
    from conftest import ARTIFACTS, Served

    server = Served(example_site)
    try:
        page = browser.page(height=1200)
        page.goto(server.base + "dashboard/")
        page.wait_for_function(
            "document.querySelectorAll('.pm-chart[data-drawn]').length === "
            "document.querySelectorAll('.pm-chart').length",
            timeout=30000,
        )
        charts = page.locator(".pm-chart")
        spec_keys = list(chart_data(read(example_site, "dashboard")))
        assert charts.count() == len(spec_keys) == 9  # every chart of the example has data
        for n in range(charts.count()):
            chart = charts.nth(n)
            assert int(chart.get_attribute("data-drawn")) > 0
            assert chart.locator(".main-svg").count() > 0  # plotly drew into it
            assert chart.locator(".trace, .bars, .boxlayer path, .scatterlayer path").count() > 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-light.png"), full_page=True)
        page.click("label[for='__palette_1']")  # Material's palette toggle
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "dashboard-dark.png"), full_page=True)
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"

        page.goto(server.base + "reviews/2026-08/")
        page.wait_for_selector(".pm-headline")
        assert "HOT-13590" in page.inner_text("article")
        page.screenshot(path=str(ARTIFACTS / "review-2026-08.png"), full_page=True)

        page.goto(server.base + "guide/macros/")
        page.wait_for_selector(".pm-chart[data-drawn]")
    finally:
        server.close()
    assert browser.console_errors == []
    assert browser.outside_requests == []


def test_duration_axes_tick_at_round_durations_said_in_words(example_site):
    charts = chart_data(read(example_site, "dashboard"))
    specs = {
        spec["key"]: spec
        for spec in json.loads(
            re.search(
                r'class="pm-chart-data"[^>]*>(.*?)</script>', read(example_site, "dashboard"), re.S
            ).group(1)
        )
    }
    round_values = {1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080, 20160}
    for key, axis, values in (
        ("downtime", "yaxis", "y"),
        ("times", "yaxis", "y"),
        ("ttr-distribution", "yaxis", "y"),
        ("services", "xaxis", "x"),
    ):
        layout = charts[key]["layout"][axis]
        scale = specs[key]["scale"]
        assert scale["axis"] == axis and layout["tickmode"] == "array"
        for kind, (ticks, labels) in scale["ticks"].items():
            assert labels == ["0" if t == 0 else human_minutes(t) for t in ticks], key
            assert 2 <= len(ticks) <= 8, (key, kind, labels)  # never crowded
            if kind == "linear":  # evenly spaced at a round step, from zero past the top
                step = ticks[1] - ticks[0]
                assert ticks[0] == 0 and step in round_values, (key, labels)
                assert all(b - a == step for a, b in zip(ticks, ticks[1:]))
                if key in ("downtime", "services"):  # the largest month, the largest service
                    data = charts[key]["data"]
                    top = max(map(sum, zip(*(t[values] for t in data))))
                    assert ticks[-1] >= top > ticks[-2], (key, top, labels)
            else:  # one round mark a decade or so
                assert all(b / a >= 2 for a, b in zip(ticks, ticks[1:])), (key, labels)
        shown = scale["ticks"]["log" if scale["log"] else "linear"]
        assert [layout["tickvals"], layout["ticktext"]] == shown
    assert charts["downtime"]["layout"]["yaxis"]["title"]["text"] == "downtime"
    assert charts["shares"]["layout"]["yaxis"]["title"] == {"text": "percent"}
    assert all("template" in figure["layout"] for figure in charts.values())  # plotly's look


def test_time_charts_open_on_the_last_12_months_with_the_month_under_review_shaded(
    example_site,
):
    charts = chart_data(read(example_site, "dashboard"))
    today = date.today()
    review = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    for key in ("downtime", "times", "incidents", "action-items", "shares"):
        layout = charts[key]["layout"]
        start, end = layout["xaxis"]["range"]
        opened = date.fromisoformat(start)
        assert (today.year * 12 + today.month) - (opened.year * 12 + opened.month) == 11, key
        assert date.fromisoformat(end) > today
        [band] = layout["shapes"]
        assert band["x0"] == review.isoformat(), key
        assert [b["label"] for b in layout["xaxis"]["rangeselector"]["buttons"]] == [
            "6 months",
            "12 months",
            "all",
        ]


def test_chart_json_is_valid_json_with_gaps_for_non_finite_values_and_no_raw_markup():
    from postmortems.render import charts as charts_module

    figure = charts_module.Figure()
    figure.add_scatter(name="</script><b>", x=["2026-01", "2026-02"], y=[float("nan"), 3.5])
    text = charts_module.to_json([charts_module.Chart("k", "t", figure, "d")])
    assert "<" not in text and ">" not in text and "NaN" not in text
    [spec] = json.loads(text)
    assert spec["figure"]["data"][0]["y"] == [None, 3.5]
    assert spec["figure"]["data"][0]["name"] == "</script><b>"


def _front_matters() -> list[dict]:
    return [frontmatter.load(p).metadata for p in sorted((REPO / "docs/postmortems").glob("2*.md"))]


def test_the_factor_chart_counts_the_last_12_months_incidents(example_site):
    today = date.today()
    first = (today.year * 12 + today.month - 1) - 11
    since = f"{first // 12:04d}-{first % 12 + 1:02d}"
    counts: dict[str, int] = defaultdict(int)
    for meta in _front_matters():
        if as_utc(meta["started"]).strftime("%Y-%m") >= since:
            for factor in set(meta.get("contributing_factors") or []):
                counts[factor] += 1
    bars = chart_data(read(example_site, "dashboard"))["factors"]["data"][0]
    shown = dict(zip(bars["y"], bars["x"]))
    assert shown and len(shown) == min(10, len(counts))
    assert all(counts[name] == n for name, n in shown.items())
    left_out = set(counts) - set(shown)
    assert all(counts[name] <= min(shown.values()) for name in left_out)
    assert bars["x"] == sorted(bars["x"])  # the most frequent on top


def test_follow_ups_closed_in_time_by_quarter_match_the_files(example_site):
    """Each action item's due date (stated, or 4 weeks after the meeting for High and 8
    for Medium), counted in its quarter once passed or done."""
    today = date.today()
    weeks = {"High": 4, "Medium": 8}
    quarters: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for meta in _front_matters():
        for item in meta.get("action_items") or []:
            due = item.get("due")
            if due is None and item.get("priority") in weeks and meta.get("review_meeting"):
                due = meta["review_meeting"] + timedelta(weeks=weeks[item["priority"]])
            done = item.get("status") in ("Completed", "Verified")
            if due is None or (due >= today and not done) or (done and not item.get("completed")):
                continue
            label = f"{due.year}-Q{(due.month - 1) // 3 + 1}"
            quarters[label][1] += 1
            quarters[label][0] += bool(done and item["completed"] <= due)
    bars = chart_data(read(example_site, "dashboard"))["follow-ups"]["data"][0]
    assert bars["x"] == sorted(quarters)[-8:]
    for label, percent, (in_time, due) in zip(bars["x"], bars["y"], bars["customdata"]):
        assert [in_time, due] == quarters[label], label
        assert percent == round(100 * in_time / due, 1)
