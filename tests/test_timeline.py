"""Timelines as people write them, modelled on public write-ups: an overnight database
failover, a multi-day regional outage, a configuration push that took down a CDN."""

from __future__ import annotations

from datetime import date, time, timedelta, timezone

import pytest
from test_reader import check

from postmortems.read.timeline import read_cell


def postmortem(rows: str, header: str, started: str, resolved: str, mitigated: str = "") -> str:
    more = f"mitigated: {mitigated}\n" if mitigated else ""
    return (
        f"---\nid: INC-1\ntitle: T\nseverity: P1\nstatus: In Review\nstarted: {started}\n"
        f"{more}resolved: {resolved}\n---\n## Summary\n\nS.\n\n## Impact\n\nI.\n\n"
        f"## Timeline\n\n{header}\n| --- | --- |\n{rows}"
    )


# First table row is on line 21 of these files: 8 lines of front matter (9 with mitigated).
FAILOVER = """\
| Oct 21, 2018 22:52 | A network partition separates the primary data centre. |
| 22:54 | Monitoring pages the on-call engineer. |
| 23:07 | Responders lock deployment tooling. |
| 23:13 | Database engineers are paged; writes are failing in one region. |
| — | Decision: restore from backups rather than fail back (data integrity first). |
| 00:05 | Restoring from backups begins. |
| Oct 22 06:51 | Several clusters restored; replication catching up. |
| 11:12 | Primaries back in the original data centre. |
| 4:14 PM | Backlog processed; site fully operational. |
"""


def test_an_overnight_failover_in_utc_reads_with_no_problem(tmp_path):
    text = postmortem(
        FAILOVER, "| Time (UTC) | Event |", "2018-10-21T22:52:00Z", "2018-10-22T16:14:00Z"
    )
    assert check(tmp_path, text) == []


REGIONAL = """\
| Nov 25 | |
| 9:52 AM | Capacity added to the front-end fleet begins. |
| 10:12 AM | Errors on the API rise; alarms fire. |
| 1:15 PM | The cause is found: threads exceed an OS limit. |
| - | Days of diagnosis and slow restarts follow. |
| Nov 26 | |
| 12:03 AM | Most requests succeed again. |
| 10:23 PM | All traffic served; the event is over. |
"""


def test_a_multi_day_regional_outage_with_day_rows_and_a_named_zone(tmp_path):
    text = postmortem(
        REGIONAL,
        "| Time (PST) | Event |",
        "2020-11-25T09:52:00-08:00",
        "2020-11-26T22:23:00-08:00",
    )
    assert check(tmp_path, text) == []


CDN = """\
| 2019-07-02 13:42 UTC | A new WAF rule is deployed everywhere at once. |
| 13:45 UTC | CPU exhaustion alerts; HTTP 502 errors world-wide. |
| 14:02 | The WAF is disabled globally. |
| 14:07 | Traffic returns to normal. |
| 2019-07-02T15:52:00Z | The WAF is turned back on with the rule removed. |
"""


def test_a_config_push_with_zones_in_the_cells(tmp_path):
    text = postmortem(CDN, "| Time | Event |", "2019-07-02T13:42:00Z", "2019-07-02T15:52:00Z")
    assert check(tmp_path, text) == []


def test_a_header_zone_that_is_none_is_an_error_at_the_header(tmp_path):
    text = postmortem(
        "| 14:02 | Begins. |\n",
        "| Time (Pacific) | Event |",
        "2026-06-15T14:02:00Z",
        "2026-06-15T14:02:00Z",
    )
    assert check(tmp_path, text) == [
        "pm.md:19: error: timeline: in the header: 'Pacific' is not a time zone; write an IANA "
        "name such as 'Europe/Berlin' or 'America/Los_Angeles', an offset such as +01:00, or UTC"
    ]


def test_rows_in_no_known_form_are_reported_once_with_the_incidents_date(tmp_path):
    rows = "| 14:02 | Begins. |\n| around noon | ? |\n| later | ? |\n| 14:10 | Ends. |\n"
    text = postmortem(
        rows, "| Time (UTC) | Event |", "2026-06-15T14:02:00Z", "2026-06-15T14:10:00Z"
    )
    (problem,) = check(tmp_path, text)
    assert problem.startswith(
        "pm.md:22: error: timeline: 'around noon' is not a time this reads, nor is the row at "
        "line 23; write '2026-06-15 14:02', '06-15 14:02', 'Jun 15 14:02', '14:02' or '2:02 PM'"
    )
    assert "('| Time (UTC) |')" in problem and "'14:02 PDT'" in problem


def test_a_time_earlier_than_the_row_above_is_a_warning_at_its_row(tmp_path):
    rows = "| 14:02 | Begins. |\n| 13:50 | Noticed. |\n| 16:10 | Ends. |\n"
    text = postmortem(
        rows, "| Time (UTC) | Event |", "2026-06-15T14:02:00Z", "2026-06-15T16:10:00Z"
    )
    assert check(tmp_path, text) == [
        "pm.md:22: warning: timeline: 2026-06-15 13:50 UTC is before the row above it "
        "(2026-06-15 14:02 UTC): out of order, or a later day whose date should be written "
        "('06-16 13:50')"
    ]


def test_dated_rows_that_go_backwards_are_an_error(tmp_path):
    rows = "| 06-15 14:02 | Begins. |\n| 06-15 13:00 | Earlier. |\n| 06-14 | A day back. |\n"
    text = postmortem(
        rows, "| Time (UTC) | Event |", "2026-06-15T14:02:00Z", "2026-06-15T14:02:00Z"
    )
    assert check(tmp_path, text) == [
        "pm.md:22: error: timeline: '06-15 13:00' is before the row above it "
        "(2026-06-15 14:02 UTC); dated rows must run in order",
        "pm.md:23: error: timeline: '06-14' is before the row above it (2026-06-15); "
        "dated rows must run in order",
    ]


def test_a_new_year_in_the_middle_of_the_table(tmp_path):
    rows = "| Dec 31 23:40 | Begins. |\n| Jan 1 00:20 | Ends. |\n"
    text = postmortem(
        rows, "| Time (UTC) | Event |", "2025-12-31T23:40:00Z", "2026-01-01T00:20:00Z"
    )
    assert check(tmp_path, text) == []


@pytest.mark.parametrize(
    ("cell", "day", "clock", "offset"),
    [
        ("2026-11-20 13:55 UTC", date(2026, 11, 20), time(13, 55), 0),
        ("14:02 UTC", None, time(14, 2), 0),
        ("Nov 20 14:02", date(2026, 11, 20), time(14, 2), None),
        ("10-21 22:52", date(2026, 10, 21), time(22, 52), None),
        ("2:02 PM", None, time(14, 2), None),
        ("12:30 a.m.", None, time(0, 30), None),
        ("04-14", date(2026, 4, 14), None, None),
        ("15 Jun 14:02", date(2026, 6, 15), time(14, 2), None),
        ("Jun 15, 2025 14:02", date(2025, 6, 15), time(14, 2), None),
        ("2026-06-15T14:02:00+01:00", date(2026, 6, 15), time(14, 2), 60),
        ("**14:02 PDT**", None, time(14, 2), -7 * 60),
        ("Tue, Jun 16 01:00", date(2026, 6, 16), time(1, 0), None),
    ],
)
def test_each_form_of_the_contract_is_read(cell, day, clock, offset):
    moment = read_cell(cell, 2026)
    assert moment is not None and (moment.day, moment.clock) == (day, clock)
    if offset is None:
        assert moment.zone is None
    else:
        assert moment.zone.utcoffset(None) == timedelta(minutes=offset)


@pytest.mark.parametrize("cell", ["soon", "25:00", "Feb 30 10:00", "13:00 PM", "14:02 XYZ", "12"])
def test_what_is_not_a_time_is_refused(cell):
    assert read_cell(cell, 2026) is None


def test_utc_is_pythons_own():
    assert read_cell("14:02 Z", 2026).zone is timezone.utc


# GitLab's database outage of 31 January 2017, as its write-up dates every row.
GITLAB = """\
| 2017/01/31 16:00 | A database snapshot is taken by hand for staging. |
| 2017/01/31 21:00 | Spam load on the database begins. |
| 2017/01/31 22:00 | Replication lag alerts; the secondary falls behind. |
| 2017/01/31 23:00-ish | An engineer runs rm -rf on the wrong host's data folder. |
| 2017/01/31 23:27 | The removal is stopped; about 300 GB are gone. |
| 2017/02/01 00:36 | Restoring from the staging snapshot begins. |
| 2017/02/01 18:14 | GitLab.com is back, with data as of 17:20 UTC the day before. |
"""


def test_a_write_up_with_year_first_slashes_and_ish_times(tmp_path):
    text = postmortem(
        GITLAB, "| Time (UTC) | Event |", "2017-01-31T21:00:00Z", "2017-02-01T18:14:00Z"
    )
    assert check(tmp_path, text) == []


# Facebook's outage of 4 October 2021 and Atlassian's of April 2022 in their own words.
SOFTENED = """\
| October 4th, 2021 approximately 15:39 UTC | A backbone maintenance command withdraws routes. |
| ~15:40 UTC | DNS servers stop advertising their prefixes. |
| around 15:50 UTC | Engineers are sent to the data centres. |
| 21:00 - 21:20 UTC | Backbone capacity restored step by step. |
| 21:20–23:00 UTC | Services come back as load is ramped up. |
| 2021 October 4 23:50:12 UTC | All services restored. |
"""


def test_ordinals_approximate_times_ranges_and_seconds(tmp_path):
    text = postmortem(SOFTENED, "| Time | Event |", "2021-10-04T15:39:00Z", "2021-10-04T23:50:12Z")
    assert check(tmp_path, text) == []


# Google Cloud's incident reports give times in US/Pacific, a legacy name the tz database keeps.
def test_a_legacy_zone_name_in_the_header_and_a_generic_zone_in_a_cell(tmp_path):
    rows = (
        "| 2019-06-02 11:45 | Configuration change rolls out. |\n"
        "| 12:53 | Network congestion detected. |\n"
        "| 4:00 PM PT | Capacity restored. |\n"
    )
    text = postmortem(
        rows,
        "| Time (US/Pacific) | Event |",
        "2019-06-02T11:45:00-07:00",
        "2019-06-02T16:00:00-07:00",
    )
    assert check(tmp_path, text) == []


def test_every_unreadable_row_is_named_in_one_message(tmp_path):
    rows = (
        "| 14:02 | Begins. |\n| shortly after | ? |\n| 14:10 | ok |\n| later | ? |\n"
        "| next morning | ? |\n"
    )
    text = postmortem(
        rows, "| Time (UTC) | Event |", "2026-06-15T14:02:00Z", "2026-06-15T14:10:00Z"
    )
    (problem,) = check(tmp_path, text)
    assert problem.startswith(
        "pm.md:22: error: timeline: 'shortly after' is not a time this reads, nor are the rows "
        "at lines 24, 25;"
    )


@pytest.mark.parametrize(
    ("cell", "day", "clock", "offset"),
    [
        ("2017/01/31 23:27", date(2017, 1, 31), time(23, 27), None),
        ("23:00-ish", None, time(23, 0), None),
        ("~14:02", None, time(14, 2), None),
        ("approx. 14:02", None, time(14, 2), None),
        ("14:02 (approx.)", None, time(14, 2), None),
        ("June 15th, 14:02", date(2026, 6, 15), time(14, 2), None),
        ("1st September 2020 09:12", date(2020, 9, 1), time(9, 12), None),
        ("2026 June 15 14:02", date(2026, 6, 15), time(14, 2), None),
        ("14:02:33", None, time(14, 2, 33), None),
        ("14:02 - 14:30", None, time(14, 2), None),
        ("14:02–14:30 UTC", None, time(14, 2), 0),
        ("2:02 PM to 2:30 PM EST", None, time(14, 2), -5 * 60),
        ("Jun 15 – Jun 17", date(2026, 6, 15), None, None),
        ("3am", None, time(3, 0), None),
        ("Jun 15 3 PM PDT", date(2026, 6, 15), time(15, 0), -7 * 60),
    ],
)
def test_the_forms_public_write_ups_use(cell, day, clock, offset):
    moment = read_cell(cell, 2026)
    assert moment is not None and (moment.day, moment.clock) == (day, clock)
    if offset is None:
        assert moment.zone is None
    else:
        assert moment.zone.utcoffset(None) == timedelta(minutes=offset)


@pytest.mark.parametrize("cell", ["around noon", "14:02-ish later", "06/15 14:02", "~", "- 14:02"])
def test_softened_and_spanned_forms_stay_strict(cell):
    assert read_cell(cell, 2026) is None
