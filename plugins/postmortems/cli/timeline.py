"""``postmortems timeline``: an incident channel's export as the Timeline table, printed
or written into a post-mortem.

The window is ``--from``/``--to``, or the post-mortem's ``started`` to ``resolved``
widened by the site's timeline tolerance (its first and last rows then fall where the
validator looks for them). ``--into`` replaces the rows of the Timeline section, or adds
the section where the template puts it, and keeps every other line as it was; it
refuses to overwrite rows a person wrote unless ``--replace``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from postmortems.catalog import catalog
from postmortems.model import zones
from postmortems.model.settings import Settings
from postmortems.read import chat, placeholders, template
from postmortems.read.body import sections
from postmortems.read.reader import split_front_matter


class TimelineError(ValueError):
    """What stops the command, said to the user; exit 2."""


def add_parser(commands, shared: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "timeline",
        parents=[shared],
        help="turn an incident channel's export (Slack, or a plain-text log) into the "
        "Timeline table",
    )
    parser.add_argument("export", help="a Slack export (.zip or its folder) or a text log")
    parser.add_argument("--channel", help="the Slack channel, e.g. inc-2041 (not for a log)")
    parser.add_argument("--from", dest="start", help="ISO 8601, e.g. 2026-11-18T14:00Z")
    parser.add_argument("--to", dest="end", help="ISO 8601 (default with --for: resolved)")
    parser.add_argument(
        "--for",
        dest="postmortem",
        help="a post-mortem: the window is its started to resolved, widened by the "
        "timeline tolerance",
    )
    parser.add_argument("--zone", help="the times' zone (default: the site's timezone)")
    parser.add_argument(
        "--only",
        help="keep only 'pinned' messages, or those with a reaction: 'reaction:pushpin'",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=chat.DEFAULT_LIMIT,
        help="characters of a message kept (default: %(default)s); the rest is cut with …",
    )
    parser.add_argument("--into", help="write the table into this post-mortem")
    parser.add_argument(
        "--replace", action="store_true", help="with --into: overwrite rows a person wrote"
    )
    return parser


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        zone = zones.zone(args.zone) if args.zone else settings.tz
        zone_name = args.zone or settings.timezone
        target = Path(args.into or args.postmortem) if (args.into or args.postmortem) else None
        start, end = _window(args, target, settings)
        rows = _rows(args, start, end, zone)
        table = render_table(rows, zone_name)
        if args.into:
            written = write_into(Path(args.into), table, settings, args.replace)
            print(f"{written}: {len(rows)} row(s) in its Timeline section")
        else:
            print("## Timeline\n\n" + table)
        return 0
    except (TimelineError, chat.ChatError, zones.ZoneError) as exc:
        print(f"postmortems timeline: {exc}", file=sys.stderr)
        return 2


def _window(args: argparse.Namespace, target: Path | None, settings: Settings):
    """The messages' window: as given, else the post-mortem's, widened."""
    start = _when(args.start, "--from", settings) if args.start else None
    end = _when(args.end, "--to", settings) if args.end else None
    if (start is None or end is None) and target is not None:
        meta = _front_matter(target, settings)
        slack = timedelta(minutes=settings.timeline_tolerance_minutes)
        for key, given, option in (("started", start, "--from"), ("resolved", end, "--to")):
            if given is None and not meta.get(key):
                raise TimelineError(
                    f"{target}: {key} is not written yet; give {option} (ISO 8601), or "
                    f"write {key} first"
                )
        start = start or meta["started"] - slack
        end = end or meta["resolved"] + slack
    if start is None or end is None:
        raise TimelineError(
            "give the window with --from and --to, or name the post-mortem with --for "
            "(its started and resolved)"
        )
    if end < start:
        raise TimelineError(f"the window ends ({end.isoformat()}) before it starts")
    return start, end


def _when(text: str, option: str, settings: Settings) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise TimelineError(
            f"{option}: {text!r} is not an ISO 8601 time; write 2026-11-18T14:00Z"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=settings.tz)


def _front_matter(path: Path, settings: Settings) -> dict:
    """The typed front matter of a post-mortem; its problems are validate's to say."""
    if not path.is_file():
        raise TimelineError(f"{path}: no such file")
    loaded = catalog.load(catalog.discover(str(path)), settings, bodies=False)
    if not loaded.records:
        raise TimelineError(f"{path}: not a post-mortem")
    return loaded.records[0].meta


def _rows(args: argparse.Namespace, start: datetime, end: datetime, zone: tzinfo):
    source = Path(args.export)
    if not source.exists():
        raise TimelineError(f"{source}: no such file or folder")
    slack = source.is_dir() or source.suffix.lower() == ".zip"
    if slack:
        if not args.channel:
            known = ", ".join(chat.channel_names(source)) or "none"
            raise TimelineError(f"a Slack export needs --channel NAME (it has: {known})")
        messages, names = chat.read_slack(source, args.channel, start, end)
    else:
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TimelineError(f"{source}: {exc}") from None
        messages, names = chat.read_log(text, start, end, zone), chat.Names()
    messages = [m for m in messages if _kept(m, args.only)]
    return [
        (m.when.astimezone(zone), m.who, chat.to_markdown(m.text, names, args.limit, slack))
        for m in messages
    ]


def _kept(message: chat.Message, only: str | None) -> bool:
    if not only:
        return True
    if only == "pinned":
        return message.pinned
    if only.startswith("reaction:"):
        return only.split(":", 1)[1].strip(":") in message.reactions
    raise TimelineError(f"--only: {only!r}; write 'pinned' or 'reaction:NAME'")


def render_table(rows, zone_name: str) -> str:
    """The rows as the table the validator reads: full dates, the zone in the header."""
    lines = [f"| Time ({zone_name}) | Who | What |", "| --- | --- | --- |"]
    for when, who, what in rows:
        name = chat.to_markdown(who if who.startswith("@") else f"@{who}", chat.Names(), 80, False)
        lines.append(f"| {when:%Y-%m-%d %H:%M} | {name} | {what} |")
    return "\n".join(lines) + "\n"


def write_into(path: Path, table: str, settings: Settings, replace: bool) -> Path:
    """The table into the post-mortem's Timeline section; every other line kept."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TimelineError(f"{path}: {exc}") from None
    try:
        split = split_front_matter(text)
    except ValueError:
        split = None
    if split is None:
        raise TimelineError(f"{path}: no front matter; is it a post-mortem?")
    _, body, body_line = split
    lines = text.split("\n")
    present = sections(body, body_line)
    found = present.get("timeline")
    table_lines = table.rstrip("\n").split("\n")
    header = found.table_header if found is not None else None
    if found is None:
        at = _where_timeline_goes(present, settings, len(lines))
        lines[at:at] = ["## Timeline", "", *table_lines, ""]
    elif header is None:
        lines[found.line : found.line] = ["", *table_lines]
    else:
        rows = found.table_rows  # file lines, after the header and its rule
        ours = {_plain(line) for line in table_lines[2:]}  # a run again brings the same rows
        written = [
            row.line
            for row in rows
            if not _template_row(lines[row.line - 1]) and _plain(lines[row.line - 1]) not in ours
        ]
        if written and not replace:
            raise TimelineError(
                f"{path}:{written[0]}: the Timeline section has {len(written)} row(s) a "
                "person wrote; add --replace to overwrite them"
            )
        last = rows[-1].line if rows else header.line + 1  # the rule, in a table with no rows
        lines[header.line - 1 : last] = table_lines
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _plain(line: str) -> str:
    return " ".join(line.split())


def _template_row(line: str) -> bool:
    """A row left from the template: a placeholder, or no time at all."""
    first = line.strip().strip("|").split("|", 1)[0].strip()
    return bool(placeholders.find_in_text(line)) or first in ("", "—", "-")


def _where_timeline_goes(present: dict, settings: Settings, length: int) -> int:
    """The 0-based line before which a new Timeline section goes: before the first
    section the template puts after it, else at the end."""
    order = template.sections(settings)
    after = order[order.index("timeline") + 1 :] if "timeline" in order else []
    lines_of = [present[name].line for name in after if name in present]
    return min(lines_of) - 1 if lines_of else length
