"""A team's own front-matter fields, declared under `fields` in mkdocs.yml: validated with
lines like ours, in the JSON Schema, on the card, in the index table's columns and
filters, in postmortems.json and in the CSV export."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import Site, good
from test_build import Text

FIELDS = """\
fields:
  customer_tier:
    type: choice
    values: [enterprise, business, free]
    required_from: In Review
    column: true
    help: the tier of the customers hit hardest
  region: {type: list, column: true}
  cost_eur: {type: number, label: Cost (EUR)}
  contract_review: date
  internal_note: {type: text, card: false}
"""


def with_fields(text: str, extra: str) -> str:
    return text.replace("detected_by: monitoring\n", f"detected_by: monitoring\n{extra}")


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path / "fields", options=FIELDS)
    site.add(
        "2025-03-04-a.md",
        with_fields(
            good(id="HOT-1", status="Closed"),
            "customer_tier: enterprise\nregion: [eu-west-1, eu-central-1]\ncost_eur: 12500.5\n"
            "contract_review: 2025-04-01\ninternal_note: seen before in staging\n",
        ),
    )
    site.add(
        "2025-03-05-b.md",
        with_fields(
            good(id="HOT-2", status="Draft", started="2025-03-04T10:05:00Z"),
            "customer_tier: free\nregion: [us-east-1]\n",
        ),
    )
    return site


def test_fields_are_validated_at_their_lines_like_ours(site):
    site.add(
        "2025-03-06-c.md",
        with_fields(
            good(id="HOT-3", status="In Review", started="2025-03-04T10:06:00Z"),
            "customer_tier: enterprize\ncost_eur: lots\ncontract_review: 2025-13-01\n",
        ),
    )
    site.add(
        "2025-03-07-d.md",
        with_fields(good(id="HOT-4", status="In Review", started="2025-03-04T10:07:00Z"), ""),
    )
    result = site.validate("validate")
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert lines == [
        "docs/postmortems/2025-03-06-c.md:11: error: customer_tier: 'enterprize' is not one of "
        "enterprise, business, free; did you mean 'enterprise'?",
        "docs/postmortems/2025-03-06-c.md:12: error: cost_eur: expected a number, got 'lots'",
        "docs/postmortems/2025-03-06-c.md:13: error: contract_review: '2025-13-01' is not a real "
        "date: month must be in 1..12",
        "docs/postmortems/2025-03-07-d.md:5: error: customer_tier: required once status is "
        "In Review (fields in mkdocs.yml); add the tier of the customers hit hardest",
    ]


def test_fields_in_the_schema_the_card_the_json_and_the_csv(site):
    assert site.build("--strict").returncode == 0
    schema = json.loads(site.validate("schema").stdout)
    assert schema["properties"]["customer_tier"]["anyOf"][0]["enum"] == [
        "enterprise",
        "business",
        "free",
    ]
    assert {"type": "array", "items": {"type": "string", "minLength": 1}} in (
        schema["properties"]["region"]["anyOf"][0]["anyOf"]
    )
    card = Text.of(site.article("postmortems/2025-03-04-a")).text
    assert "Customer tier enterprise" in card and "Cost (EUR) 12,500.5" in card
    assert "Region eu-west-1, eu-central-1" in card and "Contract review 2025-04-01" in card
    assert "seen before in staging" not in card  # card: false
    data = json.loads((site.root / "site/postmortems.json").read_text())
    row = next(p for p in data["postmortems"] if p["id"] == "HOT-1")
    assert row["customer_tier"] == "enterprise" and row["contract_review"] == "2025-04-01"
    assert [f["name"] for f in data["settings"]["fields"]] == ["customer_tier", "region"]
    rows = list(csv.DictReader(io.StringIO(site.validate("export", "--format", "csv").stdout)))
    first = next(r for r in rows if r["id"] == "HOT-1")
    assert first["region"] == "eu-west-1; eu-central-1" and first["cost_eur"] == "12500.5"


@pytest.mark.browser
def test_index_table_has_a_column_and_a_filter_for_each_field(site, browser):
    from conftest import Served

    assert site.build("--strict").returncode == 0
    server = Served(site.root / "site")
    try:
        page = browser.page()
        page.goto(server.base + "postmortems/?customer_tier=free")
        page.wait_for_selector(".pm-table tbody tr")
        headers = page.locator(".pm-table th").all_inner_texts()
        assert "Customer tier" in headers and "Region" in headers
        assert page.locator(".pm-table tbody tr").count() == 1  # the filter from the URL
        assert page.input_value("select[data-filter=customer_tier]") == "free"
        page.select_option("select[data-filter=customer_tier]", "")
        page.select_option("select[data-filter=region]", "eu-central-1")
        assert page.locator(".pm-table tbody tr td:first-child").all_inner_texts() == ["HOT-1"]
        assert "region=eu-central-1" in page.url
    finally:
        server.close()
    assert browser.console_errors == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("fields:\n  severity: text\n", "fields: severity: the front matter already has a key"),
        ("fields:\n  tier: {type: choise}\n", "type 'choise' is not one of text, number, date, "),
        ("fields:\n  tier: {type: choice}\n", "a choice needs its values"),
        (
            "fields:\n  tier: {type: text, required_from: Reviewd}\n",
            "required_from 'Reviewd' is not one of statuses",
        ),
    ],
)
def test_a_wrong_field_definition_stops_both_commands(tmp_path, fields, message):
    site = Site(tmp_path / "bad", options=fields)
    site.add("2025-03-04-a.md", good(id="HOT-1"))
    validated = site.validate("validate")
    assert validated.returncode == 2
    assert message in validated.stderr
    assert "mkdocs.yml:9: plugins: postmortems: fields: " in validated.stderr
    built = site.build()
    assert built.returncode == 1 and message.split(": ", 1)[-1] in built.stderr
    assert "(mkdocs.yml, line 9)" in built.stderr
