"""The core modules on their own: the schema, the recurrence graph, the metrics and the
command line's disk cache, without a site build."""

from __future__ import annotations

import json
import os
from datetime import date

import jsonschema
import pytest
import yaml
from conftest import good

from postmortems.catalog import catalog, diskcache, metrics
from postmortems.catalog.graph import Graph
from postmortems.model.settings import Settings
from postmortems.read.schema import json_schema, parse_timestamp


def _pm(ident: str, started: str, refs: str = "", downtime: int | None = None, **fields) -> str:
    text = good(id=ident, started=started, **fields)
    extra = refs + (f"downtime_minutes: {downtime}\n" if downtime is not None else "")
    return text.replace("\n---\n", f"\n{extra}---\n", 1) if extra else text


def _load(tmp_path, files: dict[str, str], settings: Settings | None = None) -> catalog.Catalog:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return catalog.load(catalog.discover(tmp_path), settings or Settings())


# --- the schema ------------------------------------------------------------------------


def test_the_schema_accepts_a_real_front_matter_and_speaks_the_sites_words():
    settings = Settings.from_mapping(
        {"severities": ["SEV0", "SEV1"], "statuses": ["Open", "Reviewed", "Closed"]}
    )
    schema = json_schema(settings)
    jsonschema.validators.validator_for(schema).check_schema(schema)
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft7Validator
    front = yaml.safe_load(good(id="HOT-7", severity="SEV1", status="Open").split("---")[1])
    front = json.loads(json.dumps(front, default=lambda value: value.isoformat()))
    jsonschema.validate(front, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**front, "severity": "P1"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({k: v for k, v in front.items() if k != "title"}, schema)


def test_timestamps_without_an_offset_are_in_the_sites_zone():
    berlin = Settings(timezone="Europe/Berlin").tz
    assert parse_timestamp("2026-06-15T14:02:00", berlin).utcoffset().total_seconds() == 7200
    assert parse_timestamp("2026-06-15 14:02+01:00", berlin).hour == 14
    assert parse_timestamp("2026-06-15T14:02:00Z", berlin).tzinfo is not None
    with pytest.raises(ValueError, match="out of range"):
        parse_timestamp("2026-06-15T14:02:00+25:00", berlin)


# --- the recurrence graph ----------------------------------------------------------------


def test_recurrences_form_a_chain_oldest_first_with_links_both_ways(tmp_path):
    result = _load(
        tmp_path,
        {
            "a.md": _pm("HOT-1", "2025-01-01T10:00:00Z", downtime=10),
            "b.md": _pm("HOT-2", "2025-02-01T10:00:00Z", "recurrence: [HOT-1]\n", downtime=20),
            "c.md": _pm("HOT-3", "2025-03-01T10:00:00Z", "recurrence: [HOT-2]\nrelated: [HOT-9]\n"),
            "d.md": _pm("HOT-4", "2025-03-02T10:00:00Z", "related: [HOT-1]\n"),
        },
    )
    graph = Graph(result)
    (chain,) = graph.chains()
    assert [r.id for r in chain.records] == ["HOT-1", "HOT-2", "HOT-3"]
    assert chain.count == 3 and chain.first.id == "HOT-1" and chain.last.id == "HOT-3"
    first = graph.of(result.by_id["HOT-1"])
    assert [r.id for r in first.recurred_in] == ["HOT-2"]
    assert [r.id for r in first.related] == ["HOT-4"]  # related shows both ways
    assert [r.id for r in graph.of(result.by_id["HOT-3"]).same_cause_as] == ["HOT-2"]


def test_a_recurrence_that_points_forward_or_round_is_a_warning(tmp_path):
    result = _load(
        tmp_path,
        {
            "a.md": _pm("HOT-1", "2025-01-01T10:00:00Z", "recurrence: [HOT-2]\n"),
            "b.md": _pm("HOT-2", "2025-02-01T10:00:00Z", "recurrence: [HOT-1]\n"),
        },
    )
    texts = [p.text() for p in result.problems]
    assert any("HOT-2 started after HOT-1" in t and ":" in t for t in texts)
    assert all("warning" in t for t in texts if "recurrence" in t)


# --- metrics ------------------------------------------------------------------------------


def test_monthly_figures_follow_the_contract(tmp_path):
    result = _load(
        tmp_path,
        {
            "a.md": _pm("HOT-1", "2025-03-04T10:00:00Z", downtime=30, severity="P1"),
            "b.md": _pm("HOT-2", "2025-03-05T10:00:00Z", downtime=90),
            "c.md": _pm("HOT-3", "2025-05-01T10:00:00Z"),
        },
    )
    months = {m.month: m for m in metrics.months(result.records, result.settings, date(2025, 6, 1))}
    assert {"2025-03", "2025-04", "2025-05"} <= months.keys()  # empty months are shown too
    march = months["2025-03"]
    assert march.count == 2 and march.severe == 2 and march.downtime == 120
    assert months["2025-04"].count == 0 and months["2025-04"].ttr.mean is None
    ttrs = [r.figures.ttr for r in march.records]
    assert march.ttr.mean == pytest.approx(sum(ttrs) / 2) and march.ttr.count == 2


def test_small_helpers():
    assert metrics.median([3, 1, 2]) == 2 and metrics.median([1, 2, 3, 4]) == 2.5
    assert metrics.mean([]) is None and metrics.quantile([], 0.9) is None
    assert metrics.month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert metrics.previous_month("2025-01") == "2024-12"
    assert metrics.month_end("2024-02") == date(2024, 2, 29)
    assert metrics.Share(1, 3).percent == 33.3 and metrics.Share(0, 0).percent is None


def test_services_are_counted_across_post_mortems(tmp_path):
    result = _load(
        tmp_path,
        {
            "a.md": _pm("HOT-1", "2025-03-04T10:00:00Z", downtime=30),
            "b.md": _pm("HOT-2", "2025-03-04T11:00:00Z", downtime=10),
        },
    )
    (service,) = metrics.by_service(result.records)
    assert service.name == "checkout-api" and len(service.records) == 2
    assert service.downtime == 40 and service.slug == "checkout-api"


# --- the disk cache -----------------------------------------------------------------------


def test_the_disk_cache_keeps_results_by_content(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTMORTEMS_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "pm"
    folder.mkdir()
    (folder / "a.md").write_text(good(id="HOT-1"), encoding="utf-8")
    (source,) = catalog.discover(folder)
    settings = Settings()
    first = diskcache.DiskCache(str(tmp_path), settings)
    assert first.get(source) is None
    first.put(source, catalog.parse_many([source], settings)[0])
    first.save()
    again = diskcache.DiskCache(str(tmp_path), settings)
    kept = again.get(source)
    assert kept is not None and kept.meta["id"] == "HOT-1" and kept.body == ""
    (folder / "a.md").write_text(good(id="HOT-2"), encoding="utf-8")
    assert diskcache.DiskCache(str(tmp_path), settings).get(source) is None  # content changed
    other = diskcache.DiskCache(str(tmp_path), Settings(severities=("S1", "S2")))
    assert other.path != again.path  # other settings, other results


def test_a_damaged_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTMORTEMS_CACHE_DIR", str(tmp_path / "cache"))
    cache = diskcache.DiskCache(str(tmp_path), Settings())
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(b"not a pickle")
    assert diskcache.DiskCache(str(tmp_path), Settings()).entries == {}


def test_an_unwritable_cache_folder_does_not_fail_the_run(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("x")
    monkeypatch.setenv("POSTMORTEMS_CACHE_DIR", str(blocked / "cache"))  # under a file
    folder = tmp_path / "pm"
    folder.mkdir()
    (folder / "a.md").write_text(good(id="HOT-1"), encoding="utf-8")
    (source,) = catalog.discover(folder)
    cache = diskcache.DiskCache(str(tmp_path), Settings())
    cache.put(source, catalog.parse_many([source], Settings())[0])
    cache.save()
    assert not os.path.exists(blocked / "cache")  # and no exception reached the run
