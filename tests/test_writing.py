"""Writing a post-mortem: `postmortems new`, what each status requires, the timeline table,
blameless wording, and the pre-commit hook."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import REPO, Site, good
from test_messages import BASE
from test_reader import check


def test_new_writes_a_valid_draft_with_the_next_id(site):
    site.add("2025-03-04-a.md", good(id="HOT-0041"))
    site.add("2025-03-05-b.md", good(id="HOT-0099", started="2025-03-04T10:05:00Z"))
    (site.pm / "_template.md").write_text((REPO / "docs/postmortems/_template.md").read_text())
    result = site.validate(
        "new",
        "--title",
        'Card payments "declined"',
        "--severity",
        "P2",
        "--started",
        "2026-11-20T09:15:00Z",
        "--services",
        "payments, fraud",
    )
    assert result.returncode == 0, result.stderr
    path = site.root / result.stdout.strip()
    assert path.name == "2026-11-20-card-payments-declined.md"
    meta = yaml.safe_load(path.read_text().split("---\n")[1])
    assert meta["id"] == "HOT-0100"  # the series and its zero padding
    assert meta["title"] == 'Card payments "declined"'
    assert (meta["severity"], meta["status"], meta["services"]) == (
        "P2",
        "Draft",
        ["payments", "fraud"],
    )
    assert "## Five whys" in path.read_text() and "## Backlog check" in path.read_text()
    assert site.validate("validate").returncode == 0


def test_new_refuses_bad_input_clearly(site):
    result = site.validate("new", "--title", "X", "--severity", "P7")
    assert result.returncode == 2
    assert "--severity: 'P7' is not one of P1, P2, P3, P4" in result.stderr
    result = site.validate("new", "--severity", "P2")
    assert "--title is required" in result.stderr


DRAFT = """---
id: HOT-1
title: Walk through the statuses
severity: P2
status: {status}
started: 2025-03-04T10:00:00Z
detected: 2025-03-04T10:10:00Z
{extra}---
## Summary

<!-- guidance -->

## Impact

## Timeline

| Time (UTC) | Event |
| --- | --- |
| <YYYY-MM-DD HH:MM> | Impact begins. |
"""


def test_walk_a_file_through_each_status(tmp_path):
    assert check(tmp_path, DRAFT.format(status="Draft", extra="")) == []
    assert check(tmp_path, DRAFT.format(status="In Review", extra="")) == [
        "pm.md:9: error: body: section 'Summary' is not written yet; it is required once status is In Review",
        "pm.md:13: error: body: section 'Impact' is not written yet; it is required once status is In Review",
        # one message for the sample row, at it: the section is not written, not its time wrong
        "pm.md:19: error: body: section 'Timeline' is not written yet; it is required once status is In Review",
    ]
    written = (
        DRAFT.replace("<!-- guidance -->", "Checkout failed.")
        .replace("## Impact\n", "## Impact\n\nA third of users.\n")
        .replace("| <YYYY-MM-DD HH:MM> |", "| 2025-03-04 10:00 |")
    )
    assert check(tmp_path, written.format(status="In Review", extra="")) == []
    assert check(
        tmp_path, written.format(status="Reviewed", extra="resolved: 2025-03-04T11:00:00Z\n")
    ) == [
        "pm.md:5: error: action_items: at least one action item with an owner and a due date is "
        "required once status is Reviewed",
        "pm.md:5: error: body: section '## Five whys' is missing; it is required once status is Reviewed",
        "pm.md:5: error: body: section '## Root cause' is missing; it is required once status is Reviewed",
        "pm.md:5: error: review_meeting: required once status is Reviewed; add the date of the "
        "post-mortem meeting",
        "pm.md:22: warning: timeline: no row is within 30 minutes of resolved (2025-03-04 11:00 UTC); "
        "the nearest is 2025-03-04 10:00 UTC. Fix the table or the front matter",
    ]
    complete = written.replace(
        "| 2025-03-04 10:00 | Impact begins. |",
        "| 2025-03-04 10:00 | Impact begins. |\n| 11:00 | Resolved. |",
    )
    complete += "\n## Five whys\n\n1. Why? A guard was missing.\n\n## Root cause\n\nNo guard.\n"
    extra = (
        "resolved: 2025-03-04T11:00:00Z\nreview_meeting: 2025-03-05\naction_items:\n"
        '  - title: Add the guard\n    owner: "@sre"\n    due: 2025-03-20\n'
    )
    for status in ("Reviewed", "Closed"):
        assert check(tmp_path, complete.format(status=status, extra=extra)) == []


def timeline(
    rows: str,
    header: str = "| Time (UTC) | Event |",
    started: str = "2025-03-04T23:30:00Z",
    resolved: str = "2025-03-05T01:10:00Z",
) -> str:
    return (
        f"---\nid: HOT-1\ntitle: T\nseverity: P3\nstatus: In Review\nstarted: {started}\n"
        f"resolved: {resolved}\n---\n## Summary\n\nS.\n\n## Impact\n\nI.\n\n## Timeline\n\n"
        f"{header}\n| --- | --- |\n{rows}"
    )


def test_timeline_across_midnight_with_times_of_day(tmp_path):
    rows = (
        "| 23:30 | Begins. |\n| 23:55 | Paged. |\n| 00:40 | Mitigated. |\n| 01:10 | Resolved. |\n"
    )
    assert check(tmp_path, timeline(rows)) == []


def test_timeline_rows_out_of_order_and_unreadable(tmp_path):
    rows = (
        "| 2025-03-04 23:30 | Begins. |\n| 2025-03-04 23:20 | Earlier? |\n| soon | Later. |\n"
        "| 2025-03-05 01:10 | Resolved. |\n"
    )
    problems = check(tmp_path, timeline(rows))
    assert problems[0] == (
        "pm.md:22: error: timeline: '2025-03-04 23:20' is before the row above it "
        "(2025-03-04 23:30 UTC); dated rows must run in order"
    )
    assert problems[1].startswith("pm.md:23: error: timeline: 'soon' is not a time this reads")
    assert len(problems) == 2


def test_timeline_in_another_zone_and_far_from_the_front_matter(tmp_path):
    rows = "| 2025-03-05 00:30 | Begins. |\n| 2025-03-05 02:10 | Resolved. |\n"
    assert check(tmp_path, timeline(rows, header="| Time (+01:00) | Event |")) == []
    late = "| 2025-03-05 03:00 | Begins. |\n| 2025-03-05 03:10 | Resolved. |\n"
    assert check(tmp_path, timeline(late)) == [
        "pm.md:21: warning: timeline: no row is within 30 minutes of resolved (2025-03-05 01:10 UTC); "
        "the nearest is 2025-03-05 03:00 UTC. Fix the table or the front matter",
        "pm.md:21: warning: timeline: no row is within 30 minutes of started (2025-03-04 23:30 UTC); "
        "the nearest is 2025-03-05 03:00 UTC. Fix the table or the front matter",
    ]


def test_blaming_words_are_warned_with_a_rewording(tmp_path):
    body = (
        "\nIt was human error.\n\n@bwilson forgot to drain the node.\n\n"
        "They should've noticed sooner.\n\n`careless` in code is fine.\n"
    )
    problems = check(tmp_path, good() + body)
    assert problems == [
        "pm.md:43: warning: language: 'human error': it names a person as the cause, where the "
        "system let the error happen; describe what made the mistake easy: a missing guard, an "
        "unclear runbook, a risky default (blameless: false turns this check off)",
        "pm.md:45: warning: language: '@bwilson forgot': it makes a responder "
        "the cause; make the system the subject: 'the deploy ran without a canary' rather than "
        "'@x forgot the canary' (blameless: false turns this check off)",
        "pm.md:47: warning: language: 'should've noticed': it judges with hindsight what could "
        "not be known then; say what information the responders had at the time (blameless: "
        "false turns this check off)",
    ]


def test_blaming_words_are_found_in_any_case_on_every_line_but_not_in_code(tmp_path):
    """Each kind once a line, on the right line, however the words are written; a word
    only in code, or a line with the word but not the phrase, gives nothing. The dotted
    capital I lowers to two characters, so the text's length changes: still right."""
    body = (
        "\nİstanbul's DNS went away.\n\nSHOULD HAVE CHECKED the zone; we should wait.\n\n"
        "```\n@ops caused nothing here\n```\n\nThe Fault Of nobody. Should've seen it.\n\n"
        "Paging @oncall (who missed it) ... then @oncall\tmissed the page"
    )
    import re

    lines = [
        " ".join(re.match(r"(.*?): warning: language: '(.*?)': ", p).groups())
        for p in check(tmp_path, good() + body)
    ]
    assert lines == [
        "pm.md:45 SHOULD HAVE CHECKED",  # quoted as written
        "pm.md:51 Should've seen",
        "pm.md:51 The Fault Of",
        "pm.md:53 @oncall\tmissed",
    ]


def test_blameless_check_can_be_turned_off(tmp_path):
    site = Site(tmp_path / "s", options="blameless: false\n")
    site.add("a.md", good(id="HOT-1") + "\nIt was human error.\n")
    assert site.validate("validate", "--strict").returncode == 0


def test_pre_commit_hook_definition_rejects_a_bad_file(site):
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    import re

    bad = site.add("2025-03-05-bad.md", good(id="HOT-2", severity="P9"))
    good_file = site.add("2025-03-04-good.md", good(id="HOT-1"))
    template = site.add("_template.md", good(id="HOT-3", severity="P8"))
    names = [str(p.relative_to(site.root)) for p in (bad, good_file, template)]
    names.append("docs/index.md")  # every changed Markdown file is handed over
    assert all(re.search(hook["files"], n) for n in names)
    entry = shlex.split(hook["entry"]) + hook["args"]
    command = [str(Path(sys.executable).parent / entry[0]), *entry[1:], *names]
    result = subprocess.run(command, cwd=site.root, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "docs/postmortems/2025-03-05-bad.md:4: error: severity: 'P9' is not one of P1, P2, P3, P4"
    ]
    only_others = [*entry[1:], "docs/index.md", str(template.relative_to(site.root))]
    command = [str(Path(sys.executable).parent / entry[0]), *only_others]
    result = subprocess.run(command, cwd=site.root, capture_output=True, text=True)
    assert result.returncode == 0 and "0 post-mortem(s) checked" in result.stderr
    # The command on its own refuses what it was handed and did not check.
    result = subprocess.run(
        [str(Path(sys.executable).parent / "postmortems"), "validate", "docs/index.md"],
        cwd=site.root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "docs/index.md: not checked: it has no front matter" in result.stderr


def test_workflow_validates_with_annotations_and_builds_strictly():
    workflow = yaml.safe_load((REPO / ".github/workflows/postmortems.yml").read_text())
    steps = " ".join(
        str(step.get("run", "")) for step in workflow["jobs"]["validate-and-build"]["steps"]
    )
    assert "postmortems validate --format github --strict" in steps
    assert "mkdocs build --strict" in steps
    cached = [
        s
        for s in workflow["jobs"]["validate-and-build"]["steps"]
        if str(s.get("uses", "")).startswith("actions/cache")
    ]
    assert cached and cached[0]["with"]["path"] == "~/.cache/postmortems"


def test_new_keeps_the_letters_of_a_title_in_any_script(site):
    site.add("2025-03-04-a.md", good(id="HOT-1"))
    made = []
    for title in ("Ünïcode: café", "決済が失敗した", "!!!"):
        result = site.validate("new", "--title", title, "--started", "2026-11-20T09:15:00Z")
        assert result.returncode == 0, result.stderr
        made.append(Path(result.stdout.strip()).name)
    assert made[0] == "2026-11-20-ünïcode-café.md"
    assert made[1] == "2026-11-20-決済が失敗した.md"
    assert made[2].startswith("2026-11-20-incident-") and made[2].endswith(".md")


# Fastly, 8 June 2021 (fastly.com/blog/summary-of-june-8-outage), written from the site's
# template by someone who left some of it behind.
FASTLY = (
    BASE[: BASE.index("---\n## Summary")]
    + """---

## Summary

A customer pushed a valid configuration that triggered a latent bug: 85% of the
network returned errors. Affected: `_REPLACE_WITH_ share` of requests.

## Impact

Most sites behind the edge returned 503 for 49 minutes.

## Recovery

<!-- How impact was stopped and service restored. -->

The configuration was disabled and the network recovered within 49 minutes.

## Timeline

| Time (UTC) | Event |
| --- | --- |
| 2021-06-08 09:47 | Initial onset of global disruption. |
| 2021-06-08 09:48 | Global disruption identified by monitoring. |
| 2021-06-08 09:58 | Status post is published. |
| <YYYY-MM-DD HH:MM> | Impact begins. |
| 2021-06-08 10:27 | Engineering identified the customer configuration. |
| 2021-06-08 10:36 | Impacted services began to recover. |
| 2021-06-08 11:00 | The majority of services recovered. |
| 2021-06-08 12:35 | Incident mitigated; bug fix deployment begins. |

## Five whys

1. Why ...?

## Root cause

A software deployment in May introduced a bug that a specific configuration could trigger.
"""
)


def _template_site(site, template: str | None = None):
    (site.pm / "_template.md").write_text(
        template or (REPO / "docs/postmortems/_template.md").read_text(), encoding="utf-8"
    )
    return site


def test_template_text_left_in_a_closed_postmortem_is_an_error_at_its_line(site):
    _template_site(site).add("2021-06-08-fastly.md", FASTLY)
    result = site.validate("validate")
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    path = "docs/postmortems/2021-06-08-fastly.md"
    assert errors == [
        f"{path}:24: error: body: placeholder '_REPLACE_WITH_' left from the template; "
        "replace it before status Closed",
        # Line 32 keeps the guidance comment "How impact was stopped ...": no reader sees it.
        f"{path}:43: error: body: text left from the template: "
        "'| <YYYY-MM-DD HH:MM> | Impact begins. |'; write what happened here, or delete the "
        "line, before status Closed",
        # The only line of a required section: the section is not written, said at the line.
        f"{path}:51: error: body: section 'Five whys' is not written yet; it is required once "
        "status is Closed",
    ], result.stdout
    assert "'Timeline' is not written" not in result.stdout  # it has seven real rows
    # A Draft may keep all of it.
    site.add("2021-06-08-fastly.md", FASTLY.replace("status: Closed", "status: Draft"))
    assert site.validate("validate").returncode == 0


def test_the_sites_own_template_is_the_reference(site):
    ours = (REPO / "docs/postmortems/_template.md").read_text()
    theirs = ours.replace("1. Why ...?", "- Because: TODO (ask why five times)\n- More: TODO")
    _template_site(site, theirs).add(
        "2021-06-08-fastly.md",
        FASTLY.replace("`_REPLACE_WITH_ share`", "most")
        .replace("<!-- How impact was stopped and service restored. -->", "")
        .replace("| <YYYY-MM-DD HH:MM> | Impact begins. |\n", ""),
    )
    # Their template has no '1. Why ...?': a line of theirs is what they must replace.
    assert site.validate("validate").returncode == 0
    site.add(
        "2021-06-08-fastly.md",
        site.pm.joinpath("2021-06-08-fastly.md")
        .read_text()
        .replace("1. Why ...?", "1. Why? A bug.\n-   Because:  TODO (ask why five times)"),
    )
    result = site.validate("validate")
    assert result.returncode == 1
    assert result.stdout.startswith(
        "docs/postmortems/2021-06-08-fastly.md:51: error: body: text left from the template: "
        "'-   Because:  TODO (ask why five times)'"
    ), result.stdout


# Slack, 4 January 2021 (slack.engineering/slacks-outage-on-january-4th-2021), as a team
# first wrote it up: the places a person must change, one message each.
SLACK = """\
---
id: HOT-2101
title: Slack unavailable after the holidays as AWS transit gateways saturated
severity: P1
status: Closed
started: 2021-01-04T15:00:00Z
mitigated: 2021-01-04T16:15:00Z
resolved: 2021-01-04T18:30:00Z
resolved:
services: [messaging]
owner: "@infra"
review_meeting: 2021-01-08 10:00
impact:
  downtime_minutes: 75
  user_affected: 12000000
action_items: []
---
## Summary

Transit gateways did not scale fast enough for the first working day's load.

## Impact

Most users could not load Slack for 75 minutes.

## Incident timeline

| Time (UTC) | Event |
| --- | --- |
| 15:00 | Error rates rise. |
| 16:15 | Dashboards recover; impact mitigated. |
| 18:30 | Resolved. |

## Five whys

1. Why did Slack fail? Gateways saturated.

## Root casue

Transit gateways scaled too slowly for the spike after the holidays.
"""


def test_each_message_is_at_the_line_to_change(tmp_path):
    text = SLACK.replace("resolved:\n", "", 1)
    assert check(tmp_path, text) == [
        "pm.md:11: error: review_meeting: '2021-01-08 10:00' has a time; this is a date alone: "
        "write 2021-01-08",
        "pm.md:13: warning: impact.downtime_minutes: unknown key under impact; downtime_minutes "
        "belongs at the top level",
        "pm.md:14: warning: impact.user_affected: unknown key; did you mean 'users_affected'?",
        "pm.md:15: error: action_items: at least one action item with an owner and a due date "
        "is required once status is Closed",
        "pm.md:25: error: body: heading 'Incident timeline' names no section; did you mean "
        "'## Timeline'? section 'Timeline' is required once status is Closed",
        "pm.md:37: error: body: heading 'Root casue' names no section; did you mean "
        "'## Root cause'? section 'Root cause' is required once status is Closed",
    ]


def test_a_required_key_left_empty_is_reported_at_the_key(tmp_path):
    text = (
        SLACK.replace("resolved: 2021-01-04T18:30:00Z\nresolved:\n", "resolved:\n")
        .replace("review_meeting: 2021-01-08 10:00", "review_meeting:")
        .replace("## Incident timeline", "## Timeline")
        .replace("Root casue", "Root cause")
    )
    problems = [p for p in check(tmp_path, text) if ": error: " in p]
    assert problems == [
        "pm.md:8: error: resolved: required once status is Closed; add when the incident was "
        "resolved",
        "pm.md:11: error: review_meeting: required once status is Closed; add the date of the "
        "post-mortem meeting",
        "pm.md:15: error: action_items: at least one action item with an owner and a due date "
        "is required once status is Closed",
    ]
    # Absent altogether, they are reported at status:, the line that asks for them.
    absent = text.replace("resolved:\n", "").replace("review_meeting:\n", "")
    absent = absent.replace("action_items: []\n", "")
    assert [p.split(": error: ")[0] for p in check(tmp_path, absent) if ": error: " in p] == [
        "pm.md:5"
    ] * 3


def test_guidance_comments_may_stay_but_a_section_of_comments_alone_is_not_written(site):
    """Every guidance comment of the template kept under its heading, in a Closed
    post-mortem that is otherwise written: no problem. The same post-mortem with one
    required section emptied to its comment: that section is not written, at the comment."""
    _template_site(site)
    written = FASTLY.replace("`_REPLACE_WITH_ share`", "most").replace(
        "| <YYYY-MM-DD HH:MM> | Impact begins. |\n", ""
    )
    written = written.replace("1. Why ...?", "1. Why did the edge fail? A latent bug.")
    from postmortems.read.template import GUIDANCE, title

    for name, guidance in GUIDANCE.items():
        written = written.replace(
            f"## {title(name)}\n", f"## {title(name)}\n\n<!-- {guidance} -->\n"
        )
    site.add("2021-06-08-fastly.md", written)
    result = site.validate("validate")
    assert result.returncode == 0, result.stdout
    assert "comment" not in result.stdout

    lines = written.split("\n")
    start = lines.index("## Root cause")
    emptied = "\n".join(lines[: start + 3])  # the heading, a blank line, the comment
    site.add("2021-06-08-fastly.md", emptied + "\n")
    result = site.validate("validate")
    assert (
        f"docs/postmortems/2021-06-08-fastly.md:{start + 3}: error: body: section 'Root cause' "
        "is not written yet; it is required once status is Closed"
    ) in result.stdout.splitlines(), result.stdout
