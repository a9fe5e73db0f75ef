"""The example post-mortems: the default site and the dashboards' data must stay rich and clean."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import REPO

from postmortems.catalog import catalog
from postmortems.cli.site_config import load_site_config
from postmortems.read.schema import json_schema


@pytest.fixture(scope="module")
def examples():
    site = load_site_config(REPO / "mkdocs.yml")
    return catalog.load(catalog.discover(site.postmortems_dir, REPO), site.settings)


def test_examples_validate_cleanly(examples):
    assert [p.text() for p in examples.problems] == []


def test_examples_cover_every_severity_status_and_action_state(examples):
    settings = examples.settings
    assert len(examples.records) >= 30
    assert set(settings.severities) <= {r.meta["severity"] for r in examples.records}
    assert set(settings.statuses) <= {r.meta["status"] for r in examples.records}
    states = Counter(
        item["status"] for r in examples.records for item in r.meta.get("action_items", [])
    )
    assert set(settings.action_item_statuses) <= set(states)


def test_examples_span_two_years_up_to_now(examples):
    months = sorted({r.month(examples.settings) for r in examples.records})
    first, last = months[0], months[-1]
    span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    assert span >= 24
    assert len(months) >= 20


def test_examples_have_recurrence_chains(examples):
    pointing = [r for r in examples.records if r.meta.get("recurrence")]
    assert len(pointing) >= 5
    # at least one chain of three: a recurrence that points at one that itself recurs
    by_id = examples.by_id
    assert any(by_id[ref].meta.get("recurrence") for r in pointing for ref in r.meta["recurrence"])


def test_examples_cross_midnight_and_days(examples):
    settings = examples.settings
    days = [
        (
            r.meta["started"].astimezone(settings.tz).date(),
            r.meta["resolved"].astimezone(settings.tz).date(),
        )
        for r in examples.records
        if r.meta.get("resolved")
    ]
    assert any((end - start).days == 1 for start, end in days)
    assert any((end - start).days >= 2 for start, end in days)


def test_schema_follows_the_site_settings():
    site = load_site_config(REPO / "mkdocs.yml")
    schema = json_schema(site.settings)
    assert schema["properties"]["severity"]["enum"] == list(site.settings.severities)
    assert set(schema["required"]) == {"id", "title", "severity", "status", "started"}


def test_json_schema_accepts_every_example_and_rejects_a_bad_one(examples):
    import jsonschema
    import yaml

    schema = json_schema(load_site_config(REPO / "mkdocs.yml").settings)
    validator = jsonschema.Draft7Validator(schema)

    class Yaml12ish(yaml.SafeLoader):
        """Like an editor's YAML 1.2 core schema: timestamps and dates stay strings."""

    Yaml12ish.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    for record in examples.records:
        text = (REPO / record.path).read_text(encoding="utf-8").split("\n---\n", 1)[0]
        data = yaml.load(text.removeprefix("---\n"), Loader=Yaml12ish)
        assert [e.message for e in validator.iter_errors(data)] == [], record.path
    bad = {"id": "hot-1", "title": "", "severity": "P9", "status": "Done", "started": "yesterday"}
    assert len(list(validator.iter_errors(bad))) == 5
