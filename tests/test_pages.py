"""The generated pages of a real build, checked against figures computed here independently."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from conftest import REPO, Site
from test_build import Text

HOSTILE_TITLE = "Pipes | <script>alert(1)</script> *stars* [x](javascript:alert(2)) `tick`"


def pm(
    id,
    started,
    resolved=None,
    severity="P2",
    status="Closed",
    services=("checkout-api",),
    detected=None,
    downtime=None,
    title=None,
    extra="",
):
    """A complete post-mortem: what each status requires, a timeline agreeing with the times."""
    lines = [
        "---",
        f"id: {id}",
        f"title: {json.dumps(title or f'Incident {id}')}",
        f"severity: {severity}",
        f"status: {status}",
        f"started: {started}",
    ]
    if detected:
        lines.append(f"detected: {detected}")
    if resolved:
        lines.append(f"resolved: {resolved}")
    if downtime is not None:
        lines.append(f"downtime_minutes: {downtime}")
    lines.append("services: " + json.dumps(list(services)))
    reviewed = status in ("Reviewed", "Closed")
    if reviewed and "review_meeting" not in extra:
        extra += f"review_meeting: {(resolved or started)[:10]}\n"
    if reviewed and "action_items:" not in extra:
        extra += (
            'action_items:\n  - title: Guard the pool\n    owner: "@sre"\n'
            "    due: 2025-01-01\n    status: Verified\n"
        )
    rows = "".join(f"| {t[:16].replace('T', ' ')} | Event. |\n" for t in (started, resolved) if t)
    return (
        "\n".join(lines) + "\n" + extra + "---\n## Summary\n\nText.\n\n## Impact\n\nSome.\n\n"
        "## Timeline\n\n| Time (UTC) | Event |\n| --- | --- |\n"
        + rows
        + "\n## Five whys\n\n1. Why? Because.\n\n## Root cause\n\nA cause.\n"
    )


INCIDENTS = [
    # id, started, detected, resolved, severity, status, services, downtime
    (
        "HOT-1",
        "2024-12-30T23:00:00Z",
        "2024-12-30T23:10:00Z",
        "2024-12-31T01:00:00Z",
        "P1",
        "Closed",
        ["checkout-api", "orders-db"],
        None,
    ),
    (
        "HOT-2",
        "2025-02-01T10:00:00Z",
        "2025-02-01T10:05:00Z",
        "2025-02-01T10:35:00Z",
        "P2",
        "Reviewed",
        ["checkout-api"],
        20,
    ),
    (
        "HOT-3",
        "2025-06-01T08:00:00Z",
        "2025-06-01T09:00:00Z",
        "2025-06-03T09:00:00Z",
        "P3",
        "In Review",
        ["search-api"],
        None,
    ),
    ("HOT-4", "2025-07-01T08:00:00Z", None, None, "P4", "Draft", ["checkout-api"], None),
    (
        "HOT-5",
        "2025-08-01T08:00:00Z",
        "2025-08-01T08:01:00Z",
        "2025-08-01T09:01:00Z",
        "P1",
        "Closed",
        ["orders-db"],
        45,
    ),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("pages") / "src", options="recent_in_nav: 3\n")
    for ident, started, detected, resolved, sev, status, services, downtime in INCIDENTS:
        site.add(
            f"{started[:10]}-{ident.lower()}.md",
            pm(ident, started, resolved, sev, status, services, detected, downtime),
        )
    items = (
        "action_items:\n"
        '  - title: "Fix <b>it</b> | now"\n    owner: "@a"\n    priority: High\n'
        "    due: 2020-01-01\n    status: Open\n    ticket: https://tracker.example/OPS-1\n"
        '  - title: Done already\n    owner: "@b"\n    due: 2020-01-01\n    status: Completed\n'
    )
    site.add(
        "2025-09-01-hostile.md",
        pm(
            "HOT-6",
            "2025-09-01T08:00:00Z",
            "2025-09-01T09:35:00Z",
            "P3",
            "Closed",
            ["we|ird <svc>", "checkout-api"],
            "2025-09-01T08:00:00Z",
            title=HOSTILE_TITLE,
            extra=items,
        ),
    )
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    return site


def expected_rows():
    """(id, downtime minutes, TTR minutes, services), computed here from the inputs."""

    def minutes(a, b):
        if not a or not b:
            return None
        fmt = "%Y-%m-%dT%H:%M:%S%z"
        return (datetime.strptime(b, fmt) - datetime.strptime(a, fmt)).total_seconds() / 60

    rows = []
    for ident, started, detected, resolved, _sev, _status, services, downtime in INCIDENTS:
        rows.append(
            (
                ident,
                downtime if downtime is not None else minutes(started, resolved),
                minutes(detected, resolved),
                services,
            )
        )
    return rows


def test_catalog_json_matches_independent_figures(built):
    data = json.loads((built.root / "site/postmortems.json").read_text())
    by_id = {row["id"]: row for row in data["postmortems"]}
    for ident, downtime, ttr, services in expected_rows():
        assert by_id[ident]["figures"]["downtime"] == downtime
        assert by_id[ident]["figures"]["ttr"] == ttr
        assert by_id[ident]["services"] == services
    assert by_id["HOT-6"]["title"] == HOSTILE_TITLE  # data, exactly as typed


def test_index_headline_and_sections(built):
    text = Text.of(built.article("postmortems")).text
    assert "6 post-mortems" in text
    assert "2 awaiting review" in text  # Draft + In Review
    for severity, count in {"P1": 2, "P2": 1, "P3": 2, "P4": 1}.items():
        assert f"{severity} · {count}" in text
    for status, count in {"Draft": 1, "In Review": 1, "Reviewed": 1, "Closed": 3}.items():
        assert f"{status} · {count}" in text
    assert "Needs attention" not in text


def test_year_pages_list_each_year_in_full(built):
    y2024 = Text.of(built.article("postmortems/2024")).text
    y2025 = Text.of(built.article("postmortems/2025")).text
    assert "HOT-1" in y2024 and "HOT-2" not in y2024
    for ident in ("HOT-2", "HOT-3", "HOT-4", "HOT-5", "HOT-6"):
        assert ident in y2025


def test_summary_card_in_human_units(built):
    text = Text.of(built.article("postmortems/2024-12-30-hot-1")).text
    assert "Time to detect 10 min" in text
    assert "Time to resolve 1 h 50 min" in text
    assert "Downtime 2 h" in text
    assert "Started 2024-12-30 23:00 UTC" in text and "Resolved 2024-12-31 01:00 UTC" in text
    assert "HOT-1 P1 Closed" in text
    three_days = Text.of(built.article("postmortems/2025-06-01-hot-3")).text
    assert "Time to resolve 2 d" in three_days


def test_action_items_table_marks_overdue(built):
    html = built.article("postmortems/2025-09-01-hostile")
    rows = [
        r
        for r in re.findall(r"<tr>(.*?)</tr>", html[html.index('id="action-items"') :], re.S)
        if "<td>" in r
    ]
    open_row, done_row = rows[0], rows[1]
    assert "overdue" in open_row and "Fix &lt;b&gt;it&lt;/b&gt; | now" in open_row
    assert '<a href="https://tracker.example/OPS-1">' in open_row
    assert "overdue" not in done_row


def test_service_pages_with_independent_totals(built):
    index = Text.of(built.article("services")).text
    assert "checkout-api" in index and "orders-db" in index and "we|ird <svc>" in index
    rows = [r for r in expected_rows() if "orders-db" in r[3]]
    downtime = sum(r[1] for r in rows)
    ttrs = [r[2] for r in rows if r[2] is not None]
    mttr = sum(ttrs) / len(ttrs)
    page = Text.of(built.article("services/orders-db")).text
    assert "HOT-1" in page and "HOT-5" in page and "HOT-2" not in page
    assert f"{int(downtime // 60)} h {int(downtime % 60)} min downtime" in page
    assert f"{int(mttr // 60)} h {int(mttr % 60)} min MTTR (mean)" in page


def test_hostile_front_matter_shows_as_typed(built):
    html = built.html("postmortems/2025-09-01-hostile")
    assert "<script>alert(1)" not in html
    assert "javascript:alert(2)" not in re.findall(r'href="([^"]*)"', html)
    text = Text.of(built.article("postmortems/2025-09-01-hostile")).text
    assert HOSTILE_TITLE in text
    weird = Text.of(built.article("services/we-ird-svc")).text
    assert "we|ird <svc>" in weird


def test_nav_lists_the_recent_ones_newest_first(built):
    html = built.html("postmortems")
    nav = html[html.index('class="md-nav md-nav--primary"') : html.index("md-sidebar--secondary")]
    titles = re.findall(r"(HOT-\d+) · ", Text.of(nav).text)
    assert titles == ["HOT-6", "HOT-5", "HOT-4"]


def test_search_index_carries_the_id(built):
    index = json.loads((built.root / "site/search/search_index.json").read_text())
    titles = [
        d["title"] for d in index["docs"] if d["location"].startswith("postmortems/2025-08-01")
    ]
    assert titles and titles[0] == "HOT-5 · Incident HOT-5"


def test_export_command_writes_the_same_rows(built):
    as_json = built.validate("export")
    assert as_json.returncode == 0
    site_rows = json.loads((built.root / "site/postmortems.json").read_text())["postmortems"]
    assert json.loads(as_json.stdout)["postmortems"] == site_rows
    as_csv = built.validate("export", "--format", "csv")
    lines = as_csv.stdout.splitlines()
    assert lines[0].startswith("id,title,severity,status,started")
    assert len(lines) == 7


def test_home_page_hooks_show_latest_and_on_this_day(tmp_path):
    import shutil
    from datetime import date, timedelta

    site = Site(tmp_path / "home")
    shutil.copy(REPO / "hooks.py", site.root / "hooks.py")
    site.config.write_text(site.config.read_text() + "hooks: [hooks.py]\n")
    (site.docs / "index.md").write_text(
        "# Home\n\n<!-- home:latest -->\n\n<!-- home:on-this-day -->\n"
    )
    today = date.today()
    year_ago = (
        today.replace(year=today.year - 1)
        if not (today.month == 2 and today.day == 29)
        else today - timedelta(days=365)
    )
    site.add(
        "a.md",
        pm("HOT-1", f"{year_ago.isoformat()}T10:00:00Z", f"{year_ago.isoformat()}T11:00:00Z"),
    )
    site.add(
        "b.md", pm("HOT-2", f"{(today - timedelta(days=40)).isoformat()}T10:00:00Z", status="Draft")
    )
    assert site.build("--strict").returncode == 0
    html = site.article("")
    latest = html[: html.index('id="on-this-day"')] if 'id="on-this-day"' in html else html
    assert "HOT-2" in latest and "HOT-1" in latest
    on_this_day = html[html.rindex("<table") :]
    assert "HOT-1" in on_this_day and "HOT-2" not in on_this_day


def test_pages_show_what_is_still_to_do_edit_links_and_last_change(tmp_path):
    site = Site(tmp_path / "todo")
    site.config.write_text(
        site.config.read_text()
        .replace(
            "site_name: Test post-mortems\n",
            "site_name: Test post-mortems\nrepo_url: https://git.example/sre/pm\nedit_uri: edit/main/docs/\n",
        )
        .replace("  font: false\n", "  font: false\n  features: [content.action.edit]\n")
    )
    site.add(
        "a.md",
        pm("HOT-1", "2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z", status="Draft").replace(
            "## Five whys\n\n1. Why? Because.\n\n## Root cause\n\nA cause.\n", ""
        ),
    )
    assert site.build("--strict").returncode == 0
    page = site.html("postmortems/a")
    text = Text.of(site.article("postmortems/a")).text
    assert "Still to do before In Review" not in text  # summary, impact, timeline are written
    site.add(
        "a.md",
        pm("HOT-1", "2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z", status="In Review").replace(
            "## Five whys\n\n1. Why? Because.\n\n## Root cause\n\nA cause.\n", ""
        ),
    )
    assert site.build("--strict").returncode == 0
    text = Text.of(site.article("postmortems/a")).text
    assert "Still to do before Reviewed" in text
    assert "section '## Root cause' is missing" in text
    assert "review_meeting: required once status is Reviewed" in text
    assert "section 'Summary'" not in text  # written already
    page = site.html("postmortems/a")
    assert 'href="https://git.example/sre/pm/edit/main/docs/postmortems/a.md"' in page
    assert re.search(r"md-source-file__fact.*?\d{4}-\d{2}-\d{2}", site.html("postmortems/a"), re.S)
    assert "edit/main/docs/postmortems/index.md" not in site.html("postmortems")  # generated


def test_services_named_in_any_script_get_readable_urls_of_their_own(tmp_path):
    from conftest import Site, good

    site = Site(tmp_path / "s")
    for n, service in enumerate(["支付", "결제", "Checkout API", "checkout-api"]):
        text = good(id=f"HOT-{n + 1}").replace("services: [checkout-api]", f"services: [{service}]")
        site.add(f"2025-03-0{n + 1}-x.md", text)
    built = site.build("--strict")
    assert built.returncode == 0, built.stderr
    out = site.root / "site" / "services"
    assert (out / "支付" / "index.html").exists() and (out / "결제" / "index.html").exists()
    found = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert "checkout-api" in found
    other = [name for name in found if name.startswith("checkout-api-")]
    assert len(other) == 1 and len(other[0]) == len("checkout-api-") + 6  # a digest, not a count
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="支付/"' in index or 'href="%E6%94%AF%E4%BB%98/"' in index
    site.add(
        "2025-03-09-y.md", good(id="HOT-9").replace("services: [checkout-api]", "services: [배송]")
    )
    assert site.build("--strict").returncode == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted([*found, "배송"])


def test_a_meeting_held_after_its_deadline_is_marked_on_card_and_review_page(tmp_path):
    from conftest import Site, good

    site = Site(tmp_path / "late")
    # P1: the meeting is due 3 days after resolved (2025-03-04): on 2025-03-07.
    site.add(
        "2025-03-04-late.md",
        good(id="HOT-1", severity="P1", status="Closed").replace(
            "review_meeting: 2025-03-06", "review_meeting: 2025-03-11"
        ),
    )
    site.add(
        "2025-03-05-on-time.md",
        good(id="HOT-2", severity="P1", status="Closed", started="2025-03-04T10:05:00Z"),
    )
    assert site.build("--strict").returncode == 0
    late = Text.of(site.article("postmortems/2025-03-04-late")).text
    assert "2025-03-11 (due 2025-03-07) — 4 days late" in late
    on_time = Text.of(site.article("postmortems/2025-03-05-on-time")).text
    assert "2025-03-06 (due 2025-03-07)" in on_time and "days late" not in on_time
    review = Text.of(site.article("reviews/2025-03")).text
    assert review.count("days late") == 1 and "2025-03-11 (due 2025-03-07) — 4 days late" in review


def test_a_guide_marker_becomes_the_sites_own_workflow_and_deadlines(tmp_path):
    from conftest import Site, good

    options = (
        "severities: [SEV0, SEV1, SEV2, SEV3]\nstatuses: [Draft, Review, Published]\n"
        "reviewed_statuses: [Published]\nreview_deadlines: {SEV0: 2 days, SEV1: 5 business days}\n"
    )
    site = Site(tmp_path / "guide", options=options)
    site.add("2025-03-04-a.md", good(id="HOT-1", severity="SEV1", status="Published"))
    (site.docs / "guide.md").write_text(
        "# Writing a post-mortem\n\n<!-- postmortems:workflow -->\n", encoding="utf-8"
    )
    assert site.build("--strict").returncode == 0
    text = Text.of(site.article("guide")).text
    assert "Review also the sections Summary, Impact, Timeline written" in text
    assert "Published also the sections Root cause, Five whys written;" in text
    assert "an action item with an owner and a due date" in text
    assert "2 days after resolved for SEV0 and 5 business days after resolved for SEV1" in text
    assert "SEV2 and SEV3 have no deadline" in text
    assert "In Review" not in text and "P1" not in text


def test_a_sites_own_page_at_a_generated_path_is_kept_and_said(tmp_path):
    from conftest import Site, good

    site = Site(tmp_path / "own")
    site.add("2025-03-04-a.md", good(id="HOT-1"))
    (site.docs / "services").mkdir()
    (site.docs / "services" / "index.md").write_text("# Our service catalogue\n", encoding="utf-8")
    built = site.build("--strict")
    assert built.returncode == 0, built.stderr
    assert "Our service catalogue" in site.html("services")
    assert "services/index.md: the site's own page is kept at /services/" in built.stderr
    assert "checkout-api" in site.html("services/checkout-api")  # the rest is still made


def test_every_review_page_links_to_review_pages_that_exist(tmp_path):
    """Months without incidents have no page: the 'current review' an older month points
    to is the newest month that has one."""
    import re

    from conftest import Site, good

    site = Site(tmp_path / "reviews")
    for n, month in enumerate(("01", "02", "03", "05")):
        site.add(
            f"2025-{month}-04-a{n}.md",
            good(id=f"HOT-{n + 1}", started=f"2025-{month}-04T10:00:00Z"),
        )
    assert site.build().returncode == 0  # the sample's times disagree with these months
    out = site.root / "site" / "reviews"
    pages = sorted(out.glob("*/index.html"))
    assert [p.parent.name for p in pages] == ["2025-01", "2025-02", "2025-03", "2025-05"]
    for page in pages:
        for target in re.findall(r'href="\.\./(\d{4}-\d{2})/"', page.read_text()):
            assert (out / target / "index.html").exists(), (page.parent.name, target)


def test_still_to_do_names_every_key_the_next_status_requires(tmp_path):
    site = Site(tmp_path / "todo-keys")
    text = pm("HOT-1", "2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z", status="In Review")
    site.add("a.md", re.sub(r"resolved: .*\n", "", text))
    assert site.build().returncode == 0
    shown = Text.of(site.article("postmortems/a")).text
    assert "resolved: required once status is Reviewed" in shown
    assert "review_meeting: required once status is Reviewed" in shown
