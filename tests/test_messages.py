"""Every kind of message, from a real write-up (Fastly's edge outage of 8 June 2021) with
one thing wrong at a time. The site's table of messages is checked against what
`validate` prints for each, so the table shows real messages and stays true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO

from postmortems.catalog import catalog
from postmortems.model.settings import Settings
from postmortems.read import template

BASE = """\
---
id: HOT-2107
title: Fastly edge returned 503 after a customer configuration change
severity: P1
status: Closed
started: 2021-06-08T09:47:00Z
detected: 2021-06-08T09:48:00Z
mitigated: 2021-06-08T10:36:00Z
resolved: 2021-06-08T12:35:00Z
detected_by: monitoring
services: [edge]
owner: "@edge-sre"
review_meeting: 2021-06-10
action_items:
  - title: Deploy the bug fix to every POP
    owner: "@edge-sre"
    due: 2021-06-20
    status: Completed
---
## Summary

A valid customer configuration triggered a latent bug; 85% of the network returned errors.

## Impact

Most sites behind the edge returned 503 for 49 minutes.

## Timeline

| Time (UTC) | Event |
| --- | --- |
| 2021-06-08 09:47 | Global disruption begins. |
| 09:48 | Monitoring pages the on-call engineer. |
| 10:36 | Services recover. |
| 12:35 | Bug fix deployment begins; resolved. |

## Five whys

1. Why did the edge fail? A configuration triggered a latent bug.

## Root cause

A May deployment introduced a bug that one configuration could trigger.
"""


def r(old, new, text=BASE):
    assert old in text, old
    return text.replace(old, new, 1)


# (what is wrong, {file: text}[, options]): what `validate` prints for each.
CASES = [
    ("empty file", {"pm.md": ""}),
    ("no front matter", {"pm.md": "# Fastly outage\n\nNotes.\n"}),
    ("front matter never closed", {"pm.md": BASE.split("---\n## Summary")[0]}),
    ("not UTF-8", {"pm.md": r("Fastly", "Fastly\udcff")}),
    ("list not closed", {"pm.md": r("services: [edge]", "services: [edge, cdn")}),
    ("quote not closed", {"pm.md": r("title: Fastly edge", 'title: "Fastly edge')}),
    ("tab for indentation", {"pm.md": r("  - title: Deploy", "\t- title: Deploy")}),
    ("value starting with @", {"pm.md": r('owner: "@edge-sre"', "owner: @edge-sre")}),
    ("': ' inside a value", {"pm.md": r("title: Fastly edge", "title: Outage: Fastly edge")}),
    ("front matter not a mapping", {"pm.md": "---\n- HOT-2107\n---\n## Summary\n"}),
    ("YAML tag", {"pm.md": r("severity: P1", "severity: !!python/name:os.system P1")}),
    (
        "anchor or alias",
        {
            "pm.md": r(
                'owner: "@edge-sre"\nreview',
                'owner: &o "@edge-sre"\nincident_commander: *o\nreview',
            )
        },
    ),
    (
        "value cut by ' #'",
        {
            "pm.md": r("services: [edge]", "services: [edge]\ntags: [cdn #edge]").replace(
                "tags: [cdn #edge]", "description: Edge 503s #fastly"
            )
        },
    ),
    ("duplicate key", {"pm.md": r("severity: P1", "severity: P1\nseverity: P2")}),
    ("required key missing", {"pm.md": r("severity: P1\n", "")}),
    ("required key misspelled", {"pm.md": r("severity: P1", "serverity: P1")}),
    ("unknown key", {"pm.md": r("detected_by: monitoring", "detected_via: monitoring")}),
    (
        "key at the wrong level",
        {"pm.md": r("services: [edge]", "services: [edge]\nimpact:\n  downtime_minutes: 49")},
    ),
    ("value not among the choices", {"pm.md": r("severity: P1", "severity: SEV1")}),
    ("id not matching the pattern", {"pm.md": r("id: HOT-2107", "id: 2107")}),
    ("not a timestamp", {"pm.md": r("detected: 2021-06-08T09:48:00Z", "detected: June 8th 09:48")}),
    ("not a date", {"pm.md": r("review_meeting: 2021-06-10", "review_meeting: 10/06/2021")}),
    (
        "a date with a time",
        {"pm.md": r("review_meeting: 2021-06-10", "review_meeting: 2021-06-10 10:00")},
    ),
    (
        "not a number",
        {"pm.md": r("services: [edge]", "services: [edge]\ndowntime_minutes: about 49")},
    ),
    (
        "YAML 1.1 base-60 number",
        {"pm.md": r("services: [edge]", "services: [edge]\ndowntime_minutes: 1:30")},
    ),
    (
        "below the minimum",
        {"pm.md": r("services: [edge]", "services: [edge]\ndowntime_minutes: -5")},
    ),
    ("a list expected", {"pm.md": r("services: [edge]", "services:\n  name: edge")}),
    (
        "value YAML reads as another type",
        {"pm.md": r("detected_by: monitoring", "detected_by: yes")},
    ),
    (
        "empty required value",
        {
            "pm.md": r(
                "title: Fastly edge returned 503 after a customer configuration change", "title:"
            )
        },
    ),
    (
        "ticket neither key nor link",
        {
            "pm.md": r(
                "    status: Completed", "    status: Completed\n    ticket: jira.example/EDGE-88"
            )
        },
    ),
    ("forbidden key", {"pm.md": r("services: [edge]", "services: [edge]\nrender_macros: true")}),
    (
        "timestamps going backwards",
        {"pm.md": r("mitigated: 2021-06-08T10:36:00Z", "mitigated: 2021-06-08T09:36:00Z")},
    ),
    (
        "in the future",
        {"pm.md": r("resolved: 2021-06-08T12:35:00Z", "resolved: 2099-06-08T12:35:00Z")},
    ),
    (
        "meeting before the start",
        {"pm.md": r("review_meeting: 2021-06-10", "review_meeting: 2021-06-01")},
    ),
    (
        "meeting in the future, yet reviewed",
        {"pm.md": r("review_meeting: 2021-06-10", "review_meeting: 2099-06-10")},
    ),
    (
        "required once reviewed, left empty",
        {"pm.md": r("review_meeting: 2021-06-10", "review_meeting:")},
    ),
    ("no action item with owner and due date", {"pm.md": r("    due: 2021-06-20\n", "")}),
    (
        "placeholder in front matter",
        {"pm.md": r('owner: "@edge-sre"', 'owner: "@_REPLACE_WITH_OWNER_"')},
    ),
    ("refers to itself", {"pm.md": r("services: [edge]", "services: [edge]\nrelated: [HOT-2107]")}),
    (
        "section missing",
        {
            "pm.md": r(
                "## Five whys\n\n1. Why did the edge fail? A configuration triggered a latent bug.\n\n",
                "",
            )
        },
    ),
    ("heading close to a section", {"pm.md": r("## Root cause", "## Root casue")}),
    (
        "section not written",
        {
            "pm.md": r(
                "Most sites behind the edge returned 503 for 49 minutes.",
                "<!-- Who was affected? -->",
            )
        },
    ),
    (
        "template text left",
        {
            "pm.md": r(
                "1. Why did the edge fail? A configuration triggered a latent bug.",
                "1. Why did the edge fail? A latent bug.\n1. Why ...?",
            )
        },
    ),
    (
        "placeholder in the body",
        {"pm.md": r("85% of the network", "`_REPLACE_WITH_SHARE` of the network")},
    ),
    (
        "timeline without a table",
        {
            "pm.md": r(
                "| Time (UTC) | Event |\n| --- | --- |\n| 2021-06-08 09:47 | Global disruption begins. |\n| 09:48 | Monitoring pages the on-call engineer. |\n| 10:36 | Services recover. |\n| 12:35 | Bug fix deployment begins; resolved. |",
                "- 09:47 disruption begins",
            )
        },
    ),
    ("unknown zone in the header", {"pm.md": r("| Time (UTC) |", "| Time (Pacific) |")}),
    ("times not read", {"pm.md": r("| 09:48 |", "| 9.48am |").replace("| 10:36 |", "| 10.36am |")}),
    ("a row out of order", {"pm.md": r("| 10:36 |", "| 09:40 |")}),
    ("dated rows going backwards", {"pm.md": r("| 10:36 |", "| 2021-06-07 10:36 |")}),
    (
        "no row near a timestamp",
        {
            "pm.md": r(
                "| 12:35 | Bug fix deployment begins; resolved. |",
                "| 11:00 | Bug fix deployment begins. |",
            )
        },
    ),
    ("blaming words", {"pm.md": r("## Root cause\n\n", "## Root cause\n\nHuman error. ")}),
    (
        "octal in YAML 1.1",
        {"pm.md": r("services: [edge]", "services: [edge]\ndowntime_minutes: 030")},
    ),
    (
        "above the maximum",
        {"pm.md": r("services: [edge]", "services: [edge]\nimpact:\n  percent_users: 185")},
    ),
    (
        "not a whole number",
        {"pm.md": r("services: [edge]", "services: [edge]\nimpact:\n  users_affected: 1.5")},
    ),
    ("a mapping expected", {"pm.md": r("services: [edge]", "services: [edge]\nimpact: 85%")}),
    (
        "link that is not http(s)",
        {
            "pm.md": r(
                "    status: Completed", "    status: Completed\n    ticket: javascript:alert(1)"
            )
        },
    ),
    ("merge key", {"pm.md": r("services: [edge]", "services: [edge]\n<<: {tags: [cdn]}")}),
    (
        "file over the size limit",
        {"pm.md": r("## Root cause", "## Logs\n\n" + "x" * 120 + "\n\n## Root cause")},
        {"max_file_size": 1024},
    ),
    (
        "a recurrence of a later incident",
        {
            "pm.md": r("services: [edge]", "services: [edge]\nrecurrence: [HOT-2200]"),
            "pm-later.md": r("id: HOT-2107", "id: HOT-2200").replace("2021-06-", "2021-07-"),
        },
    ),
    ("duplicate id", {"pm.md": BASE, "pm-copy.md": r("title: Fastly", "title: Copy of Fastly")}),
    (
        "reference to no post-mortem",
        {"pm.md": r("services: [edge]", "services: [edge]\nrecurrence: [HOT-1999]")},
    ),
]


_START, _END = "<!-- messages:start -->", "<!-- messages:end -->"
_NOW = re.compile(r"now is [^)]*")


def messages(tmp_path: Path, files: dict[str, str], options: dict | None = None) -> list[str]:
    """What `validate` prints for these files, on a site with this repository's template."""
    settings = template.applied(Settings(**(options or {})), REPO / "docs/postmortems")
    sources = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        sources.append(catalog.Source(str(path), name, name[:-3]))
    return [_NOW.sub("now is …", p.text()) for p in catalog.load(sources, settings).problems]


def messages_table() -> dict[str, list[str]]:
    """The site's table of messages: what is wrong -> the lines shown for it."""
    text = (REPO / "docs/reference/messages.md").read_text(encoding="utf-8")
    table = text[text.index(_START) + len(_START) : text.index(_END)]
    rows: dict[str, list[str]] = {}
    for line in table.strip().splitlines()[2:]:
        what, shown = re.fullmatch(r"\| (.+?) \| (.+) \|", line).groups()
        rows[what] = [
            _NOW.sub("now is …", code.replace("\\|", "|"))
            for code in re.findall(r"`(.+?)`(?:<br>|$)", shown)
        ]
    return rows


def test_the_base_write_up_is_clean(tmp_path):
    assert messages(tmp_path, {"pm.md": BASE}) == []


@pytest.mark.parametrize(
    "what, files, options",
    [(c[0], c[1], c[2] if len(c) > 2 else None) for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_the_messages_page_shows_what_validate_prints(tmp_path, what, files, options):
    shown = messages_table()
    assert what in shown, f"docs/reference/messages.md has no row '{what}'"
    assert messages(tmp_path, files, options) == shown[what]


def test_the_messages_page_has_no_row_without_a_case():
    assert list(messages_table()) == [c[0] for c in CASES]
