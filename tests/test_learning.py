"""Learning across incidents: contributing factors from the site's vocabulary, the themes
page, follow-up deadlines by priority, and "possibly related" earlier incidents."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from conftest import Site, good
from test_build import Text

VOCABULARY = """\
factors_required_from: Reviewed
contributing_factors:
  config-change: {description: A configuration change, group: change}
  capacity-limit: {description: A pool or limit ran out, group: capacity}
  missing-alert: {description: No alert fired, group: detection}
  retry-storm: Retries multiplied the load
"""


def with_front(text: str, extra: str) -> str:
    return text.replace("detected_by: monitoring\n", f"detected_by: monitoring\n{extra}")


def dated(day: date, **keys: str) -> str:
    """A valid post-mortem that started on ``day``: every date of the example moved."""
    moved = {
        "2025-03-04": day,
        "2025-03-06": day + timedelta(days=2),  # the review meeting
        "2025-03-20": day + timedelta(days=16),  # the action item's due date
    }
    text = good(**keys)
    return re.sub(r"2025-03-(04|06|20)", lambda m: moved[m.group(0)].isoformat(), text)


def factors(*names: str) -> str:
    return f"contributing_factors: [{', '.join(names)}]\n"


def quarter_start(today: date, back: int) -> date:
    """The first day of the quarter ``back`` quarters before today's."""
    index = today.year * 4 + (today.month - 1) // 3 - back
    return date(index // 4, (index % 4) * 3 + 1, 1)


@pytest.fixture
def site(tmp_path):
    return Site(tmp_path / "learning", options=VOCABULARY)


def test_factors_are_checked_against_the_vocabulary_at_their_lines(site):
    site.add(
        "2025-03-04-a.md", with_front(good(id="HOT-1"), factors("config-chnage", "capacity-limit"))
    )
    site.add(
        "2025-03-05-b.md",
        dated(date(2025, 3, 5), id="HOT-2", status="Reviewed"),
    )
    site.add(
        "2025-03-06-c.md",
        with_front(
            dated(date(2025, 3, 6), id="HOT-3", status="Closed"),
            "contributing_factors: []\n",
        ),
    )
    result = site.validate("validate")
    lines = result.stdout.splitlines()
    assert (
        "docs/postmortems/2025-03-04-a.md:11: error: contributing_factors[0]: 'config-chnage' is "
        "not one of config-change, capacity-limit, missing-alert, retry-storm; did you mean "
        "'config-change'?"
    ) in lines, result.stdout
    # Required from Reviewed on: at status when absent, at the key when the list is empty.
    assert any(
        re.match(
            r"docs/postmortems/2025-03-05-b\.md:5: error: contributing_factors: required once status is Reviewed",
            line,
        )
        for line in lines
    ), result.stdout
    assert any(
        line.startswith(
            "docs/postmortems/2025-03-06-c.md:11: error: contributing_factors: required"
        )
        for line in lines
    ), result.stdout
    assert result.returncode == 1
    assert len(lines) == 3, result.stdout  # those three problems and nothing else
    # The same rule for the editor: the schema lists the names and requires the key.
    schema = json.loads(site.validate("schema").stdout)
    listed = json.dumps(schema["properties"]["contributing_factors"])
    assert (
        listed.count('"enum": ["config-change", "capacity-limit", "missing-alert", "retry-storm"]')
        == 2
    )
    reviewed = [
        c for c in schema["allOf"] if c["if"]["properties"]["status"]["const"] == "Reviewed"
    ]
    assert "contributing_factors" in reviewed[0]["then"]["required"]


def test_a_site_without_a_vocabulary_takes_any_factor(tmp_path):
    site = Site(tmp_path / "free")
    site.add(
        "2025-03-04-a.md", with_front(good(id="HOT-1", status="Closed"), factors("whatever-we-say"))
    )
    result = site.validate("validate", "--strict")
    assert result.returncode == 0, result.stdout


def test_factors_reach_the_card_the_data_the_csv_and_the_index_filter(site):
    site.add(
        "2025-03-04-a.md",
        with_front(good(id="HOT-1", status="Closed"), factors("config-change", "missing-alert")),
    )
    assert site.build("--strict").returncode == 0
    card = Text.of(site.article("postmortems/2025-03-04-a")).text
    assert "Contributing factors config-change, missing-alert" in card
    data = json.loads((site.root / "site/postmortems.json").read_text())
    assert data["postmortems"][0]["contributing_factors"] == ["config-change", "missing-alert"]
    assert data["settings"]["factors"][:2] == ["config-change", "capacity-limit"]
    exported = site.validate("export", "--format", "csv").stdout
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["contributing_factors"] == "config-change; missing-alert"


def test_the_themes_page_puts_the_factors_that_grew_first_and_pairs_them(site):
    today = date.today()
    last, before = quarter_start(today, 1), quarter_start(today, 2)
    n = 0

    def incident(day: date, *names: str) -> None:
        nonlocal n
        n += 1
        site.add(
            f"{day.isoformat()}-i{n}.md",
            with_front(dated(day, id=f"HOT-{n}", status="Closed"), factors(*names)),
        )

    # retry-storm: 0 -> 3, capacity-limit: 1 -> 3, config-change: 2 -> 1, missing-alert 1 -> 1
    incident(before, "config-change", "missing-alert")
    incident(before.replace(day=5), "config-change")
    incident(before.replace(day=9), "capacity-limit")
    for day in (3, 7, 11):
        incident(last.replace(day=day), "capacity-limit", "retry-storm")
    incident(last.replace(day=20), "config-change", "missing-alert")
    result = site.build()
    assert result.returncode == 0, result.stderr
    page = site.article("themes")
    table = page[page.index("<table") : page.index("</table>")]
    order = re.findall(r'href="#factor-([a-z-]+)"', table)
    assert order == ["retry-storm", "capacity-limit", "missing-alert", "config-change"]
    growth = {
        f: re.search(rf'#factor-{f}".*?</tr>', table, re.S).group(0) for f in ("config-change",)
    }
    assert "-1" in growth["config-change"]
    text = Text.of(page).text
    assert "capacity-limit and retry-storm: 3 incidents" in text
    assert "config-change and missing-alert: 2 incidents" in text
    assert "No incident lists it yet." not in text.split("missing-alert")[0]
    # The month's review lists the month's factors, linked to their themes.
    month = last.replace(day=3).strftime("%Y-%m")
    review = site.article(f"reviews/{month}")
    assert re.search(r'themes/#factor-capacity-limit">capacity-limit</a>: 3 of 4 incident', review)


def test_an_item_with_a_priority_and_no_due_date_gets_its_deadline(site):
    text = good(id="HOT-1", status="Closed").replace(
        "action_items:\n",
        'action_items:\n  - title: Load-test the pool\n    owner: "@sre"\n    priority: High\n'
        '  - title: Document the limits\n    owner: "@sre"\n    priority: Low\n',
    )
    site.add("2025-03-04-a.md", with_front(text, factors("capacity-limit")))
    assert site.build("--strict").returncode == 0
    items = Text.of(site.article("postmortems/2025-03-04-a")).text
    # The review meeting was 2025-03-06: High is due 4 weeks later; Low has no deadline.
    assert "Load-test the pool @sre High 2025-04-03 by priority · overdue" in items
    assert re.search(r"Document the limits @sre Low — Open", items)
    data = json.loads((site.root / "site/postmortems.json").read_text())
    item = data["postmortems"][0]["action_items"][0]
    assert item["due"] == "2025-04-03" and item["due_derived"] is True
    review = Text.of(site.article("reviews/2025-03")).text
    assert "Load-test the pool 2025-04-03 by priority" in review


def test_action_item_deadlines_can_be_changed_or_turned_off(tmp_path):
    text = good(id="HOT-1", status="Closed").replace(
        "action_items:\n",
        'action_items:\n  - title: Load-test\n    owner: "@sre"\n    priority: Medium\n',
    )
    weeks = Site(tmp_path / "w", options="action_item_deadlines: {Medium: 10 business days}\n")
    weeks.add("2025-03-04-a.md", text)
    assert weeks.build("--strict").returncode == 0
    assert "2025-03-20 by priority" in Text.of(weeks.article("postmortems/2025-03-04-a")).text
    off = Site(tmp_path / "o", options="action_item_deadlines: {}\n")
    off.add("2025-03-04-a.md", text)
    assert off.build("--strict").returncode == 0
    assert "by priority" not in Text.of(off.article("postmortems/2025-03-04-a")).text


def test_possibly_related_lists_earlier_incidents_alike_never_as_a_problem(site):
    def add(n: int, day: str, title: str, services: str, *names: str) -> None:
        text = dated(date.fromisoformat(day), id=f"HOT-{n}", status="Closed", title=title)
        text = text.replace("services: [checkout-api]", f"services: [{services}]")
        site.add(f"{day}-i{n}.md", with_front(text, factors(*names)))

    add(1, "2025-01-10", "Orders database pool exhausted", "orders-db", "capacity-limit")
    add(2, "2025-02-10", "Search index rebuild failed", "search-api", "config-change")
    add(
        3,
        "2025-03-10",
        "Checkout slow as the orders database pool exhausted",
        "orders-db",
        "capacity-limit",
    )
    add(4, "2025-04-10", "Label printer firmware rollback", "labels", "missing-alert")
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    page = Text.of(site.article("postmortems/2025-03-10-i3")).text
    similar = page[page.index("Possibly related") :]
    assert (
        similar.split("Action items")[0].count("HOT-") == 1 and "HOT-1 Orders database" in similar
    )
    assert "capacity-limit" in similar and "orders-db" in similar
    # The first incident has nothing earlier; a linked one is not suggested again.
    assert "Possibly related" not in Text.of(site.article("postmortems/2025-01-10-i1")).text
    linked = site.pm / "2025-03-10-i3.md"
    linked.write_text(
        linked.read_text().replace(
            "detected_by: monitoring\n", "detected_by: monitoring\nrecurrence: [HOT-1]\n"
        )
    )
    assert site.build("--strict").returncode == 0
    assert "Possibly related" not in Text.of(site.article("postmortems/2025-03-10-i3")).text


def test_new_shows_the_earlier_incidents_most_like_the_new_one(site):
    site.add(
        "2025-03-04-a.md",
        with_front(
            good(id="HOT-7", status="Closed", title="Checkout pool exhausted"),
            factors("capacity-limit"),
        ),
    )
    result = site.validate(
        "new",
        "--title",
        "Checkout errors: the pool was exhausted again",
        "--severity",
        "P2",
        "--services",
        "checkout-api",
    )
    assert result.returncode == 0, result.stderr
    said = result.stdout.splitlines()
    at = said.index(
        "Possibly related earlier incidents (list one under recurrence: or related: if so):"
    )
    assert said[at + 1].startswith(
        "  HOT-7  Checkout pool exhausted  (shares the service checkout-api"
    )
