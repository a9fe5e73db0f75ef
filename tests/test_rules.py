"""Every rule of the contract, with the exact line and message a user sees."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from conftest import good
from test_reader import check

from postmortems.catalog import catalog
from postmortems.model.settings import Settings


def load_dir(tmp_path: Path, files: dict[str, str], settings: Settings | None = None):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return catalog.load(catalog.discover(tmp_path, tmp_path), settings or Settings())


def test_required_fields_are_named(tmp_path):
    assert check(tmp_path, "---\ntitle: Only a title\n---\n") == [
        "pm.md:2: error: id: required field is missing; add an id such as HOT-13432",
        "pm.md:2: error: severity: required field is missing; add one of P1, P2, P3, P4",
        "pm.md:2: error: started: required field is missing; add a date and time such as "
        "2026-06-15T14:02:00Z (ISO 8601)",
        "pm.md:2: error: status: required field is missing; add one of Draft, In Review, "
        "Reviewed, Closed",
    ]


def test_enum_with_did_you_mean(tmp_path):
    assert check(tmp_path, good(status="in review")) == [
        "pm.md:5: error: status: 'in review' is not one of Draft, In Review, Reviewed, Closed; "
        "did you mean 'In Review'?"
    ]


def test_id_pattern(tmp_path):
    assert check(tmp_path, good(id="hot-13432")) == [
        "pm.md:2: error: id: 'hot-13432' does not match the id pattern ^[A-Z][A-Z0-9]+(-[0-9]+)+$ "
        "(like HOT-13432); did you mean 'HOT-13432'?"
    ]


def test_ids_in_other_scripts_never_match(tmp_path):
    problems = check(tmp_path, good(id="HOT-١٣٤٣٢"))
    assert problems == [
        "pm.md:2: error: id: 'HOT-١٣٤٣٢' does not match the id pattern ^[A-Z][A-Z0-9]+(-[0-9]+)+$ "
        "(like HOT-13432); ids use ASCII letters, digits and '-' only"
    ]


def test_types(tmp_path):
    text = good().replace(
        "owner:",
        'downtime_minutes: "95"\nimpact:\n  users_affected: 1.5\n  percent_users: 140\nowner:',
        1,
    )
    assert check(tmp_path, text) == [
        "pm.md:12: error: downtime_minutes: expected a number, got '95'; remove the quotes",
        "pm.md:14: error: impact.users_affected: expected a whole number, got 1.5",
        "pm.md:15: error: impact.percent_users: 140 is above the maximum of 100",
    ]


def test_timestamps_must_not_go_backwards(tmp_path):
    text = good().replace("mitigated: 2025-03-04T10:45:00Z", "mitigated: 2025-03-04T10:05:00Z")
    assert check(tmp_path, text) == [
        "pm.md:8: error: mitigated: 2025-03-04 10:05 UTC is before detected (2025-03-04 10:15 UTC); "
        "timestamps must not go backwards: started <= detected <= mitigated <= resolved"
    ]


def test_timestamp_offsets_are_respected(tmp_path):
    # 12:10+02:00 is 10:10Z: after started (10:00Z), before mitigated.
    text = good().replace("detected: 2025-03-04T10:15:00Z", "detected: 2025-03-04T12:10:00+02:00")
    assert check(tmp_path, text) == []


def test_timestamps_without_offset_are_in_the_site_zone(tmp_path):
    # 11:05 in Berlin (UTC+1 in March) is 10:05Z: before detected at 10:15Z, fine.
    settings = Settings(timezone="Europe/Berlin")
    path = tmp_path / "pm.md"
    path.write_text(good().replace("detected: 2025-03-04T10:15:00Z", "detected: 2025-03-04 11:05"))
    result = catalog.load([catalog.Source(str(path), "pm.md", "pm")], settings)
    assert result.problems == []
    assert result.records[0].figures.ttd == 5


def test_timestamp_in_the_future(tmp_path):
    future = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:00Z")
    text = good().replace("resolved: 2025-03-04T11:30:00Z", f"resolved: {future}")
    [problem] = [p for p in check(tmp_path, text) if ": resolved: " in p]
    assert problem.startswith(f"pm.md:9: error: resolved: {future[:10]} ")
    assert "is in the future" in problem


def test_date_without_time_is_refused_for_timestamps(tmp_path):
    assert check(tmp_path, good(started="2025-03-04")) == [
        "pm.md:6: error: started: '2025-03-04' has no time of day; write it as "
        "2025-03-04T00:00:00Z with the real time and offset"
    ]


def test_resolved_required_once_reviewed(tmp_path):
    text = good(status="Reviewed").replace("resolved: 2025-03-04T11:30:00Z\n", "")
    assert check(tmp_path, text) == [
        "pm.md:5: error: resolved: required once status is Reviewed; add when the incident was resolved"
    ]


def test_placeholders_allowed_in_draft_not_once_closed(tmp_path):
    body = "\n## Summary\n\nOwner: [Name] fixed _REPLACE_WITH_SERVICE on <DATE>.\n\n```\nlog <ID>\n```\n"
    assert check(tmp_path, good(status="Draft") + body) == []
    assert check(tmp_path, good(status="Closed", title="Fix <SERVICE NAME>") + body) == [
        "pm.md:3: error: title: placeholder '<SERVICE NAME>' left from the template; "
        "replace it before status Closed",
        # one message for the line, naming each placeholder in it
        "pm.md:45: error: body: placeholders '[Name]', '_REPLACE_WITH_SERVICE', '<DATE>' left "
        "from the template; replace them before status Closed",
    ]


def test_placeholder_written_with_a_yaml_escape_is_still_found(tmp_path):
    """The raw text shows no '<S', but YAML reads "\x3cSERVICE>" as '<SERVICE>'."""
    text = good(status="Closed").replace("owner:", 'incident_commander: "\\x3cNAME>"\nowner:', 1)
    assert check(tmp_path, text) == [
        "pm.md:12: error: incident_commander: placeholder '<NAME>' left from the template; "
        "replace it before status Closed"
    ]


def test_unknown_key_with_did_you_mean(tmp_path):
    text = good().replace("owner:", "serverity: P1\nowner:", 1)
    assert check(tmp_path, text) == [
        "pm.md:12: warning: serverity: unknown key; did you mean 'severity'?"
    ]


def test_self_reference_is_an_error(tmp_path):
    text = good().replace("owner:", "recurrence: [HOT-100]\nowner:", 1)
    assert check(tmp_path, text) == [
        "pm.md:12: error: recurrence[0]: HOT-100 refers to itself; list other incidents here"
    ]


def test_render_macros_in_a_post_mortem_is_an_error(tmp_path):
    text = good().replace("owner:", "render_macros: true\nowner:", 1)
    assert check(tmp_path, text) == [
        "pm.md:12: error: render_macros: post-mortems are never "
        "rendered as templates; remove this key"
    ]


def test_duplicate_ids_name_both_files(tmp_path):
    result = load_dir(
        tmp_path, {"a.md": good(id="HOT-1"), "b.md": good(id="HOT-1"), "c.md": good(id="HOT-2")}
    )
    assert [p.text() for p in result.problems] == [
        "a.md:2: error: id: HOT-1 is also used by b.md:2; ids must be unique",
        "b.md:2: error: id: HOT-1 is also used by a.md:2; ids must be unique",
    ]


def test_dangling_reference_is_a_warning(tmp_path):
    text = good(id="HOT-2").replace(
        "owner:", "recurrence: [HOT-1, HOT-99999]\nrelated: HOT-7\nowner:", 1
    )
    result = load_dir(tmp_path, {"a.md": good(id="HOT-1"), "b.md": text})
    assert [p.text() for p in result.problems] == [
        "b.md:12: warning: recurrence: HOT-99999 names no post-mortem on this site",
        "b.md:13: warning: related: HOT-7 names no post-mortem on this site",
    ]


def test_one_bad_file_never_hides_another(tmp_path):
    result = load_dir(
        tmp_path,
        {
            "a.md": good(id="HOT-1", severity="P7"),
            "b.md": "",
            "c.md": good(id="HOT-3", status="Done"),
            "d.md": good(id="HOT-4"),
        },
    )
    assert sorted({p.path for p in result.problems}) == ["a.md", "b.md", "c.md"]
    assert len(result.records) == 4


def test_configured_levels_and_pattern_apply(tmp_path):
    settings = Settings(severities=("SEV0", "SEV1", "SEV2"), id_pattern=r"^INC-\d{4}-\d{4}$")
    result = load_dir(
        tmp_path,
        {
            "a.md": good(id="INC-2023-0042", severity="SEV1"),
            "b.md": good(id="HOT-1", severity="P1"),
        },
        settings,
    )
    assert [p.text() for p in result.problems] == [
        r"b.md:2: error: id: 'HOT-1' does not match the id pattern ^INC-\d{4}-\d{4}$",
        "b.md:4: error: severity: 'P1' is not one of SEV0, SEV1, SEV2",
    ]


def test_derived_figures(tmp_path):
    result = load_dir(tmp_path, {"a.md": good()})
    figures = result.records[0].figures
    assert (figures.ttd, figures.ttm, figures.ttr, figures.downtime) == (15, 30, 75, 45)


def test_downtime_ends_at_mitigation_unless_the_site_says_resolved(tmp_path):
    """A root-cause fix days later is not downtime; a site may still measure to resolved."""
    text = good().replace("resolved: 2025-03-04T11:30:00Z", "resolved: 2025-03-06T11:30:00Z")
    text = text.replace("| 2025-03-04 11:30 | Resolved. |", "| 2025-03-06 11:30 | Resolved. |")
    assert load_dir(tmp_path, {"a.md": text}).records[0].figures.downtime == 45
    to_resolved = Settings(downtime_until="resolved")
    (tmp_path / "b").mkdir()
    result = load_dir(tmp_path / "b", {"a.md": text}, to_resolved)
    assert result.records[0].figures.downtime == 2 * 24 * 60 + 90
    unmitigated = text.replace("mitigated: 2025-03-04T10:45:00Z\n", "")
    (tmp_path / "c").mkdir()
    assert load_dir(tmp_path / "c", {"a.md": unmitigated}).records[0].figures.downtime == (
        2 * 24 * 60 + 90
    )


def test_figures_across_midnight_and_days(tmp_path):
    text = (
        good(started="2025-03-04T23:50:00Z")
        .replace("detected: 2025-03-04T10:15:00Z", "detected: 2025-03-05T00:10:00+00:00")
        .replace("mitigated: 2025-03-04T10:45:00Z", "mitigated: 2025-03-06T01:10:00+01:00")
        .replace("resolved: 2025-03-04T11:30:00Z", "resolved: 2025-03-07T00:00:00Z")
        .replace("| 2025-03-04 11:30 | Resolved. |", "| 2025-03-07 00:00 | Resolved. |")
    )
    result = load_dir(tmp_path, {"a.md": text})
    assert result.problems == []
    figures = result.records[0].figures
    assert figures.ttd == 20
    assert figures.ttm == 24 * 60 + 0  # 00:10Z on the 5th to 00:10Z on the 6th
    assert figures.ttr == 2 * 24 * 60 - 10
    assert figures.downtime == 24 * 60 + 20  # to mitigation: 23:50Z on the 4th to 00:10Z on the 6th


def test_empty_optional_keys_count_as_not_given(tmp_path):
    text = (
        good()
        .replace("detected: 2025-03-04T10:15:00Z", "detected:")
        .replace('owner: "@sre"', "owner:", 1)
        .replace("review_meeting: 2025-03-06", "review_meeting: ~")
    )
    assert check(tmp_path, text) == []
    assert check(tmp_path, good().replace("title: Checkout errors", "title:")) == [
        "pm.md:3: error: title: is empty; a value is required"
    ]


def test_a_ticket_is_a_key_or_a_whole_link(tmp_path):
    for ticket, problems in (
        ("OPS-1234", []),
        ("https://jira.example/browse/DB-88", []),
        (
            "jira.example/DB-88",
            [
                "pm.md:{line}: error: action_items[0].ticket: 'jira.example/DB-88' is neither a "
                "ticket key such as OPS-1234 nor a link; write the whole link, such as "
                "https://jira.example/DB-88"
            ],
        ),
    ):
        body = good().replace(
            "    status: Completed\n", f"    status: Completed\n    ticket: {ticket}\n"
        )
        line = body.splitlines().index(f"    ticket: {ticket}") + 1
        assert check(tmp_path, body) == [p.format(line=line) for p in problems], ticket


def test_the_review_meeting_is_after_the_start_and_not_yet_to_come_once_reviewed(tmp_path):
    before = good().replace("review_meeting: 2025-03-06", "review_meeting: 2025-03-01")
    line = before.splitlines().index("review_meeting: 2025-03-01") + 1
    assert check(tmp_path, before) == [
        f"pm.md:{line}: error: review_meeting: 2025-03-01 is before the incident started "
        "(2025-03-04); write the date the meeting was held"
    ]
    future = good(status="Closed").replace(
        "review_meeting: 2025-03-06", "review_meeting: 2999-01-01"
    )
    problems = [p for p in check(tmp_path, future) if "review_meeting: 2999" in p]
    assert (
        problems
        and "is in the future, but status Closed says the meeting took place" in problems[0]
    )
    planned = good(status="Draft").replace(
        "review_meeting: 2025-03-06", "review_meeting: 2999-01-01"
    )
    assert not [p for p in check(tmp_path, planned) if "review_meeting" in p]


def test_a_misspelled_required_key_is_one_error_at_the_key(tmp_path):
    text = good().replace("severity: P2\n", "serverity: P2\n", 1)
    line = text.splitlines().index("serverity: P2") + 1
    assert check(tmp_path, text) == [
        f"pm.md:{line}: error: serverity: unknown key; did you mean 'severity'? severity is required"
    ]
