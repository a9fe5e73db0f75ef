"""`postmortems timeline`: an incident channel's export becomes the Timeline table the
validator accepts. The exports are built here from Slack's published export format
(users.json, channels.json, one folder per channel of YYYY-MM-DD.json message lists)."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import Site

STARTED = datetime(2026, 11, 18, 23, 40, tzinfo=timezone.utc)
POSTMORTEM = """\
---
id: HOT-2041
title: Tracking API returned 503s during node pool rotation
severity: P2
status: In Review
started: 2026-11-18T23:40:00Z
detected: 2026-11-18T23:46:00Z
mitigated: 2026-11-19T00:35:00Z
resolved: 2026-11-19T01:05:00Z
services: [tracking-api]
owner: "@alice"
---
## Summary

Requests to the tracking API failed while nodes were rotated.

## Impact

About 8% of tracking lookups failed for 55 minutes.

{timeline}## Five whys

1. Why did requests fail? Pods were drained faster than new ones became ready.
"""
TEMPLATE_TIMELINE = """## Timeline

<!-- One row per event, in order. -->

| Time (UTC) | Event |
| --- | --- |
| <YYYY-MM-DD HH:MM> | Impact begins. |

"""


def ts(hour: int, minute: int, day: int = 18, second: int = 0) -> str:
    moment = datetime(2026, 11, day, hour, minute, second, tzinfo=timezone.utc)
    return f"{moment.timestamp():.6f}"


def message(user: str, text: str, when: str, **extra) -> dict:
    return {"type": "message", "user": user, "text": text, "ts": when, **extra}


DAY_18 = [
    {
        "type": "message",
        "subtype": "channel_join",
        "user": "U03",
        "text": "<@U03> has joined",
        "ts": ts(23, 41),
    },
    message("U01", "Paging: tracking API 503s climbing <!here>", ts(23, 45), pinned_to=["C900"]),
    message(
        "U02",
        "I see it too &amp; it's the <https://grafana.example/d/abc|503 dashboard>",
        ts(23, 47),
        reactions=[{"name": "eyes", "users": ["U01"], "count": 1}],
    ),
    {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "B1",
        "text": "Alert fired",
        "ts": ts(23, 48),
    },
    message(
        "U01",
        "draining too fast? <@U02> check `kubectl get pods | grep tracking`",
        ts(23, 52),
        thread_ts=ts(23, 45),
    ),
    message("U03", "typo here", ts(23, 55)),
    {
        "type": "message",
        "subtype": "message_changed",
        "ts": ts(23, 56),
        "message": message(
            "U03",
            "Pausing the rotation in <#C901|deploys>",
            ts(23, 55),
            edited={"user": "U03", "ts": ts(23, 56)},
        ),
    },
    message("U04", "oops wrong channel", ts(23, 57)),
    {"type": "message", "subtype": "message_deleted", "deleted_ts": ts(23, 57), "ts": ts(23, 58)},
]
HOSTILE = (  # as Slack stores what was typed (it escapes <, > and &), and once as raw HTML
    "closing | table &lt;script&gt;alert(1)&lt;/script&gt; {{ config }} "
    "[x](javascript:alert(1)) <img src=x onerror=alert(2)> *done*"
)
DAY_19 = [
    message(
        "U02",
        "Rotation paused; error rate falling",
        ts(0, 35, 19),
        reactions=[{"name": "pushpin", "users": ["U01"], "count": 1}],
    ),
    message("U01", "Replying in thread: new nodes ready", ts(0, 30, 19), thread_ts=ts(23, 45)),
    message("U01", HOSTILE, ts(1, 2, 19), pinned_to=["C900"]),
    message("U02", "later chatter, after the window", ts(3, 0, 19)),
]


def write_export(root: Path) -> Path:
    root.mkdir(parents=True)
    users = [
        {
            "id": "U01",
            "name": "alice",
            "profile": {"display_name": "alice", "real_name": "Alice A"},
        },
        {"id": "U02", "name": "bob", "profile": {"display_name": "", "real_name": "Bob B"}},
        {"id": "U03", "name": "carol", "profile": {"display_name": "carol"}},
        {"id": "U04", "name": "dave", "profile": {}},
    ]
    (root / "users.json").write_text(json.dumps(users))
    channels = [{"id": "C900", "name": "inc-2041"}, {"id": "C901", "name": "deploys"}]
    (root / "channels.json").write_text(json.dumps(channels))
    (root / "inc-2041").mkdir()
    (root / "inc-2041/2026-11-18.json").write_text(json.dumps(DAY_18))
    (root / "inc-2041/2026-11-19.json").write_text(json.dumps(DAY_19))
    (root / "deploys").mkdir()
    (root / "deploys/2026-11-18.json").write_text(
        json.dumps([message("U01", "unrelated", ts(23, 50))])
    )
    return root


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path / "site")
    site.add("2026-11-18-tracking-503.md", POSTMORTEM.format(timeline=TEMPLATE_TIMELINE))
    return site


@pytest.fixture
def export(tmp_path):
    return write_export(tmp_path / "slack-export")


def cells(line: str) -> list[str]:
    """A row's cells as Python-Markdown splits them: not at an escaped pipe, nor in code."""
    out, cell, code = [], "", False
    for index, char in enumerate(line.strip()[1:-1]):
        if char == "`":
            code = not code
        if char == "|" and not code and (index == 0 or line.strip()[index] != "\\"):
            out.append(cell.strip())
            cell = ""
        else:
            cell += char
    return [*out, cell.strip()]


def table_rows(text: str) -> list[list[str]]:
    return [cells(line) for line in text.splitlines() if line.startswith("| 2026")]


def test_a_slack_channel_becomes_the_timeline_table(site, export):
    result = site.validate(
        "timeline",
        str(export),
        "--channel",
        "inc-2041",
        "--for",
        "docs/postmortems/2026-11-18-tracking-503.md",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("## Timeline\n\n| Time (UTC) | Who | What |\n| --- | --- | --- |\n")
    rows = table_rows(out)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # thread replies in time order
    assert [r[1] for r in rows] == [
        "@alice",
        "@bob",
        "@alice",
        "@carol",
        "@alice",
        "@bob",
        "@alice",
    ]
    said = [r[2] for r in rows]
    assert said[0] == "Paging: tracking API 503s climbing @here"
    assert said[1] == "I see it too &amp; it's the [503 dashboard](https://grafana.example/d/abc)"
    assert said[2] == "draining too fast? @bob check `kubectl get pods | grep tracking`"
    assert said[3] == "Pausing the rotation in #deploys"  # the edit, once; no join, bot or deletion
    assert "oops" not in out and "Alert fired" not in out and "has joined" not in out
    assert "after the window" not in out and "unrelated" not in out
    hostile = said[-1]
    assert "<script>" not in hostile and "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile
    assert "<img" not in hostile and "&lt;img src=x onerror=alert(2)&gt;" in hostile
    assert "\\|" in hostile and "{{ config }}" in hostile and "\\[x\\]" in hostile
    assert "**done**" in hostile


WINDOW = ("--channel", "inc-2041", "--from", "2026-11-18T23:00Z", "--to", "2026-11-19T02:00Z")


def test_only_pinned_or_reacted_messages_and_long_ones_cut(site, export):
    pinned = site.validate(
        "timeline",
        str(export),
        *WINDOW,
        "--only",
        "pinned",
    )
    assert [r[2][:12] for r in table_rows(pinned.stdout)] == ["Paging: trac", "closing \\| t"]
    pushpin = site.validate(
        "timeline",
        str(export),
        *WINDOW,
        "--only",
        "reaction:pushpin",
    )
    assert [r[2] for r in table_rows(pushpin.stdout)] == ["Rotation paused; error rate falling"]
    cut = site.validate(
        "timeline",
        str(export),
        *WINDOW,
        "--limit",
        "20",
        "--zone",
        "Europe/Berlin",
    )
    rows = table_rows(cut.stdout)
    assert "| Time (Europe/Berlin) |" in cut.stdout and rows[0][0] == "2026-11-19 00:45"
    assert all(len(r[2]) <= 40 for r in rows) and rows[0][2].endswith("…")


def test_into_writes_the_rows_keeps_every_other_line_and_validates(site, export, tmp_path):
    target = site.pm / "2026-11-18-tracking-503.md"
    before = target.read_text()
    zipped = tmp_path / "export.zip"
    with zipfile.ZipFile(zipped, "w") as archive:  # the zip as Slack hands it over
        for path in export.rglob("*.json"):
            archive.write(path, f"slack-export/{path.relative_to(export)}")
    result = site.validate("timeline", str(zipped), "--channel", "inc-2041", "--into", str(target))
    assert result.returncode == 0, result.stderr
    after = target.read_text()
    assert "<YYYY-MM-DD HH:MM>" not in after and "<!-- One row per event, in order. -->" in after
    kept = [line for line in before.splitlines() if "|" not in line]
    assert [line for line in after.splitlines() if "|" not in line] == kept
    checked = site.validate("validate", "--strict", str(target))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = site.build("--strict")
    assert built.returncode == 0, built.stderr
    page = site.article("postmortems/2026-11-18-tracking-503")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "{{ config }}" in page
    assert '<a href="https://grafana.example/d/abc">503 dashboard</a>' in page
    assert "<code>kubectl get pods | grep tracking</code>" in page
    # Run again on the same export: its own rows are not a person's; the file stays.
    again = site.validate("timeline", str(zipped), "--channel", "inc-2041", "--into", str(target))
    assert again.returncode == 0, again.stderr
    assert target.read_text() == after
    # A row a person added is kept: the command refuses unless --replace.
    own = after.replace(
        "| 2026-11-19 00:35 |",
        "| 2026-11-19 00:33 | @alice | Mistyped the drain command |\n| 2026-11-19 00:35 |",
        1,
    )
    target.write_text(own)
    refused = site.validate("timeline", str(zipped), "--channel", "inc-2041", "--into", str(target))
    assert refused.returncode == 2 and target.read_text() == own
    assert re.search(
        r"2026-11-18-tracking-503\.md:\d+: the Timeline section has 1 row\(s\) a person wrote; "
        r"add --replace",
        refused.stderr,
    )
    replaced = site.validate(
        "timeline",
        str(zipped),
        "--channel",
        "inc-2041",
        "--into",
        str(target),
        "--replace",
        "--only",
        "pinned",
    )
    assert replaced.returncode == 0 and len(table_rows(target.read_text())) == 2


def test_into_adds_the_section_where_the_template_puts_it(site, export):
    target = site.add("2026-11-18-tracking-503.md", POSTMORTEM.format(timeline=""))
    result = site.validate("timeline", str(export), "--channel", "inc-2041", "--into", str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text()
    assert text.index("## Impact") < text.index("## Timeline") < text.index("## Five whys")
    assert site.validate("validate", "--strict", str(target)).returncode == 0


def test_a_plain_text_log_works_the_same(site, tmp_path):
    log = tmp_path / "irc.log"
    log.write_text(
        "[23:44] alice: paging, 503s climbing\n"
        "[23:50] bob: draining too fast? | see <b>this</b>\n"
        "  continued on the next line\n"
        "2026-11-19 00:36:10 <carol> rotation paused\n"
        "[00:40] * dave has joined #inc-2041\n"
        "[01:04] alice: resolved\n"
        "[05:00] alice: much later\n",
        encoding="utf-8",
    )
    result = site.validate(
        "timeline", str(log), "--for", "docs/postmortems/2026-11-18-tracking-503.md"
    )
    assert result.returncode == 0, result.stderr
    rows = table_rows(result.stdout)
    assert [r[:2] for r in rows] == [
        ["2026-11-18 23:44", "@alice"],
        ["2026-11-18 23:50", "@bob"],
        ["2026-11-19 00:36", "@carol"],
        ["2026-11-19 01:04", "@alice"],
    ]
    assert rows[2][2] == "rotation paused"  # the join line below it is not part of it
    assert (
        rows[1][2]
        == "draining too fast? \\| see &lt;b&gt;this&lt;/b&gt; continued on the next line"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--channel", "nope", "--from", "2026-11-18T23:00Z", "--to", "2026-11-19T02:00Z"],
            "no channel 'nope' in the export (it has: deploys, inc-2041)",
        ),
        (
            ["--channel", "inc-2041"],
            "give the window with --from and --to, or name the post-mortem with --for",
        ),
        (
            ["--channel", "inc-2041", "--from", "yesterday", "--to", "2026-11-19T02:00Z"],
            "--from: 'yesterday' is not an ISO 8601 time",
        ),
        (
            ["--from", "2026-11-18T23:00Z", "--to", "2026-11-19T02:00Z"],
            "a Slack export needs --channel NAME (it has: deploys, inc-2041)",
        ),
    ],
)
def test_what_stops_it_is_said_in_one_line(site, export, args, said):
    result = site.validate("timeline", str(export), *args)
    assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr


def test_a_draft_without_resolved_is_told_what_to_give(site, export):
    target = site.add(
        "2026-11-18-draft.md",
        POSTMORTEM.format(timeline="").replace("resolved: 2026-11-19T01:05:00Z", "resolved:"),
    )
    result = site.validate("timeline", str(export), "--channel", "inc-2041", "--into", str(target))
    assert result.returncode == 2
    assert "2026-11-18-draft.md: resolved is not written yet; give --to (ISO 8601)" in result.stderr
    given = site.validate(
        "timeline",
        str(export),
        "--channel",
        "inc-2041",
        "--into",
        str(target),
        "--to",
        "2026-11-19T01:30Z",
    )
    assert given.returncode == 0, given.stderr
