"""What each status requires is one table: the validator, the guide's status table, the
JSON Schema and the format page's key table all follow it when a site changes it."""

from __future__ import annotations

import json

from conftest import Site, good

from postmortems.model import requirements
from postmortems.model.settings import Settings

OPTIONS = """\
reviewed_statuses: [Closed]
sections_reviewed: [root cause]
fields:
  customer_comms:
    type: text
    required_from: In Review
    help: what customers were told
"""


def test_a_site_that_changes_the_requirements_changes_all_four(tmp_path):
    site = Site(tmp_path / "s", options=OPTIONS)
    (site.docs / "rules.md").write_text(
        "# Our rules\n\n<!-- postmortems:workflow -->\n\n## Keys\n\n<!-- postmortems:fields -->\n"
        "\nA marker quoted in text stays: `<!-- postmortems:fields -->`.\n",
        encoding="utf-8",
    )
    in_review = good(id="HOT-1", status="In Review")
    site.add("2025-03-04-a.md", in_review)
    # Reviewed is no longer a reviewed status: no meeting needed there.
    site.add(
        "2025-03-05-b.md",
        good(id="HOT-2", status="Reviewed").replace("review_meeting: 2025-03-06\n", ""),
    )
    site.add(
        "2025-03-06-c.md",
        good(id="HOT-3", status="Closed").replace("review_meeting: 2025-03-06\n", ""),
    )

    # 1. The validator.
    said = site.validate("validate").stdout.splitlines()
    assert said == [
        "docs/postmortems/2025-03-04-a.md:5: error: customer_comms: required once status is "
        "In Review (fields in mkdocs.yml); add what customers were told",
        "docs/postmortems/2025-03-05-b.md:5: error: customer_comms: required once status is "
        "In Review (fields in mkdocs.yml); add what customers were told",
        "docs/postmortems/2025-03-06-c.md:5: error: customer_comms: required once status is "
        "In Review (fields in mkdocs.yml); add what customers were told",
        "docs/postmortems/2025-03-06-c.md:5: error: review_meeting: required once status is "
        "Closed; add the date of the post-mortem meeting",
    ]

    built = site.build()
    assert built.returncode == 0, built.stderr
    page = site.article("rules")
    # 2. The guide's status table.
    assert (
        "<td>In Review</td>\n<td>also the sections Summary, Impact, Timeline written; <code>customer_comms</code>"
        in page
    )
    assert "<td>Reviewed</td>\n<td>as In Review</td>" in page
    assert (
        "<td>Closed</td>\n<td>also the section Root cause written; <code>resolved</code>, <code>review_meeting</code>"
        in page
    )
    # 3. The JSON Schema, as published.
    schema = json.loads((site.root / "site/schema/postmortem.schema.json").read_text())
    then = {
        c["if"]["properties"]["status"]["const"]: c["then"]["required"] for c in schema["allOf"]
    }
    assert "customer_comms" in then["In Review"] and "review_meeting" not in then["Reviewed"]
    assert {"resolved", "review_meeting", "action_items"} <= set(then["Closed"])
    assert "<code>&lt;!-- postmortems:fields --&gt;</code>" in page
    # 4. The format page's table of keys.
    assert (
        "<td><code>customer_comms</code></td>\n<td>what customers were told</td>\n<td>from In Review</td>"
        in page
    )
    assert (
        "<td><code>resolved</code></td>\n<td>When the incident was fully resolved.</td>\n<td>from Closed</td>"
        in page
    )


def test_each_status_requires_what_the_one_before_did_with_the_default_workflow():
    settings = Settings()
    rows = requirements.table(settings)
    for (_, before, _), (_, now, _) in zip(rows, rows[1:]):
        assert set(before) <= set(now)
    assert [status for status, _, new in rows if not new] == ["Closed"]
