"""Every option of the plugin, defined once: name, kind, default and one line of help.

The MkDocs plugin's typed config (:mod:`postmortems.adapter.config`), the command
line's reading of ``mkdocs.yml`` and :class:`~postmortems.model.settings.Settings` are
all made from this table; the kind names the check that both apply
(:func:`postmortems.model.settings.check_option`). Defaults are written as in
``mkdocs.yml``.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Option(NamedTuple):
    name: str
    kind: str  # a key of settings.CHECKS
    default: Any
    help: str
    choices: tuple[str, ...] = ()  # for kind "choice"


OPTIONS: tuple[Option, ...] = (
    Option(
        "enabled",
        "flag",
        True,
        "false turns the plugin off (the site builds without it)",
    ),
    Option(
        "folder",
        "folder",
        "postmortems",
        "the folder below docs_dir that holds the post-mortems",
    ),
    Option(
        "severities",
        "names",
        ["P1", "P2", "P3", "P4"],
        "severity levels, worst first",
    ),
    Option(
        "statuses",
        "names",
        ["Draft", "In Review", "Reviewed", "Closed"],
        "workflow statuses",
    ),
    Option(
        "reviewed_statuses",
        "names",
        ["Reviewed", "Closed"],
        "statuses that need resolved, review_meeting and no placeholders",
    ),
    Option(
        "action_item_statuses",
        "names",
        ["Open", "In Progress", "Completed", "Verified"],
        "statuses of action items",
    ),
    Option(
        "action_item_done",
        "names",
        ["Completed", "Verified"],
        "action item statuses that count as done",
    ),
    Option(
        "priorities",
        "names",
        ["High", "Medium", "Low"],
        "action item priorities",
    ),
    Option(
        "detection_sources",
        "names",
        ["monitoring", "staff", "customer", "third-party"],
        "values of detected_by",
    ),
    Option(
        "id_pattern",
        "pattern",
        r"^[A-Z][A-Z0-9]+(-[0-9]+)+$",
        "incident ids (matched on ASCII only)",
    ),
    Option(
        "id_series",
        "text",
        "",
        "prefix of new ids; default: the newest incident's",
    ),
    Option(
        "timezone",
        "zone",
        "UTC",
        "for times without an offset, and for months",
    ),
    Option(
        "review_deadlines",
        "deadlines",
        None,
        "meeting due after resolved, by severity; default: 3 days for the worst, "
        "5 business days for the next",
    ),
    Option(
        "sections_in_review",
        "names",
        ["summary", "impact", "timeline"],
        "sections required from In Review on",
    ),
    Option(
        "sections_reviewed",
        "names_or_none",
        ["root cause", "five whys"],
        "sections also required once reviewed",
    ),
    Option(
        "timeline_tolerance_minutes",
        "whole",
        30,
        "how far the timeline may stray from started and resolved",
    ),
    Option(
        "blameless",
        "flag",
        True,
        "warn about wording that blames people",
    ),
    Option(
        "mitigation_target_minutes",
        "whole",
        30,
        "target for detect + mitigate, for its share",
    ),
    Option(
        "mttr_target_minutes",
        "whole_or_none",
        None,
        "drawn on the MTTR chart when set",
    ),
    Option(
        "downtime_until",
        "choice",
        "mitigated",
        "without downtime_minutes, downtime ends at mitigated (else resolved), or at resolved",
        ("mitigated", "resolved"),
    ),
    Option(
        "ttr_start",
        "choice",
        "detected",
        "time to resolve counts from",
        ("detected", "started"),
    ),
    Option(
        "tracker_url",
        "tracker_url",
        "",
        "link for ids not on the site, with {id} in it",
    ),
    Option(
        "tracker_pattern",
        "pattern_or_empty",
        "",
        "ids the tracker knows; default: id_pattern",
    ),
    Option(
        "max_file_size",
        "whole",
        1_000_000,
        "bytes; a larger file is refused",
    ),
    Option(
        "recent_in_nav",
        "whole",
        10,
        "newest post-mortems listed in the nav",
    ),
    Option(
        "trust_html",
        "flag",
        False,
        "publish raw HTML in post-mortem bodies as written",
    ),
    Option(
        "fields",
        "fields",
        {},
        "the team's own front-matter fields: {name: {type, values, required_from, card, "
        "column, label}}",
    ),
    Option(
        "contributing_factors",
        "factors",
        {},
        "the team's vocabulary of contributing factors: {name: {description, group}} "
        "(or {name: description})",
    ),
    Option(
        "factors_required_from",
        "text",
        "",
        "the first status that requires contributing_factors (empty: never)",
    ),
    Option(
        "action_item_deadlines",
        "deadlines",
        None,
        "an action item's due date by priority, from the review meeting (else resolved) "
        "when it gives none; default: 4 weeks for the highest, 8 weeks for the next; {} "
        "turns it off",
    ),
    Option(
        "template_variables",
        "names_or_none",
        [],
        "mkdocs-macros variables pages may read",
    ),
    Option(
        "cache_nav",
        "flag",
        True,
        "render the nav once per folder (a nav showing per-page data: false)",
    ),
    Option(
        "fast",
        "flag",
        True,
        "the fast paths (see Performance); POSTMORTEMS_FAST=0 also turns them off",
    ),
)
