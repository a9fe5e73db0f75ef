"""An incident channel's messages, read from a Slack workspace export or a plain-text log,
as timeline rows: when, who, and what was said as safe Markdown for one table cell.

A Slack export (the zip, or its unpacked folder) holds ``users.json``, ``channels.json``
and one folder per channel of ``YYYY-MM-DD.json`` message lists. People's messages are
kept; joins, topic changes, bot messages and deletions are dropped, and an edit replaces
the message it edits. Thread replies take their place in time order.

Chat markup becomes Markdown once: mentions become names, links keep their labels,
Slack's ``&lt;`` ``&gt;`` ``&amp;`` are unescaped, and then everything a table cell or
the page could take as markup (pipes, HTML) is escaped. Code spans stay code.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any

# Message subtypes that are not something a person said in the incident.
NOISE = {
    "channel_join",
    "channel_leave",
    "channel_topic",
    "channel_purpose",
    "channel_name",
    "channel_archive",
    "group_join",
    "group_leave",
    "bot_message",
    "bot_add",
    "bot_remove",
    "pinned_item",
    "unpinned_item",
    "reminder_add",
    "tombstone",
    "joiner_notification",
}
DEFAULT_LIMIT = 280  # characters of a message kept; the rest is cut with an ellipsis


class ChatError(ValueError):
    """An export or log that cannot be read; the message says what is wrong."""


@dataclass
class Message:
    when: datetime  # aware
    who: str
    text: str  # chat markup, as the export holds it
    pinned: bool = False
    reactions: tuple[str, ...] = ()


# --- Slack -------------------------------------------------------------------------


class SlackExport:
    """The files of a Slack export, from a zip or a folder."""

    def __init__(self, path: Path) -> None:
        import zipfile  # 4 ms (with shutil, bz2, lzma) that only this command pays

        self.path = path
        if path.is_dir():
            self._zip = None
        elif zipfile.is_zipfile(path):
            self._zip = zipfile.ZipFile(path)
            names = self._zip.namelist()
            # Some exports put everything in one top folder.
            tops = {n.split("/", 1)[0] for n in names if "/" in n}
            self._prefix = (
                next(iter(tops)) + "/"
                if len(tops) == 1 and not any(n == "users.json" for n in names)
                else ""
            )
        else:
            raise ChatError(f"{path}: not a Slack export (a .zip, or the folder unpacked from one)")

    def read(self, name: str) -> Any:
        try:
            if self._zip is None:
                text = (self.path / name).read_text(encoding="utf-8")
            else:
                text = self._zip.read(self._prefix + name).decode("utf-8")
        except (FileNotFoundError, KeyError):
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise ChatError(f"{self.path}: {name}: {exc}") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ChatError(f"{self.path}: {name}: not JSON ({exc})") from None

    def days(self, folder: str) -> list[str]:
        """The day files of a channel's folder, in order."""
        if self._zip is None:
            base = self.path / folder
            return sorted(p.name for p in base.glob("*.json")) if base.is_dir() else []
        prefix = f"{self._prefix}{folder}/"
        return sorted(
            PurePosixPath(n).name
            for n in self._zip.namelist()
            if n.startswith(prefix) and n.endswith(".json") and n.count("/") == prefix.count("/")
        )


def _user_names(export: SlackExport) -> dict[str, str]:
    names = {}
    for user in export.read("users.json") or []:
        if not isinstance(user, dict) or "id" not in user:
            continue
        profile = user.get("profile") or {}
        names[user["id"]] = (
            profile.get("display_name")
            or user.get("name")
            or profile.get("real_name")
            or user.get("real_name")
            or user["id"]
        )
    return names


def _channels(export: SlackExport) -> dict[str, str]:
    """Channel ids to names, of every public and private channel the export lists."""
    found = {}
    for listing in ("channels.json", "groups.json"):
        for channel in export.read(listing) or []:
            if isinstance(channel, dict) and "id" in channel and "name" in channel:
                found[channel["id"]] = channel["name"]
    return found


def channel_names(path: Path) -> list[str]:
    """The channels a Slack export holds, by name."""
    return sorted(_channels(SlackExport(path)).values())


def read_slack(
    path: Path, channel: str, start: datetime, end: datetime
) -> tuple[list[Message], "Names"]:
    """The messages people wrote in ``channel`` from ``start`` to ``end`` (inclusive)."""
    export = SlackExport(path)
    channels = _channels(export)
    wanted = channel.lstrip("#")
    if wanted not in channels.values() and not export.days(wanted):
        known = ", ".join(sorted(channels.values())) or "none"
        raise ChatError(f"{path}: no channel {wanted!r} in the export (it has: {known})")
    channel_id = next((i for i, n in channels.items() if n == wanted), "")
    names = Names(_user_names(export), channels)
    by_ts: dict[str, Message] = {}
    first, last = start.astimezone(timezone.utc).date(), end.astimezone(timezone.utc).date()
    for day in export.days(wanted):
        try:
            on = date.fromisoformat(day[: -len(".json")])
        except ValueError:
            continue
        if not first - timedelta(days=1) <= on <= last + timedelta(days=1):
            continue  # day files are in UTC; a day either side holds the zone's edges
        for raw in export.read(f"{wanted}/{day}") or []:
            _take(raw, by_ts, names, channel_id)
    kept = [m for m in by_ts.values() if start <= m.when <= end]
    return sorted(kept, key=lambda m: m.when), names


def _take(raw: Any, by_ts: dict[str, Message], names: "Names", channel_id: str) -> None:
    if not isinstance(raw, dict) or raw.get("type", "message") != "message":
        return
    subtype = raw.get("subtype")
    if subtype == "message_deleted":
        by_ts.pop(str(raw.get("deleted_ts")), None)
        return
    if subtype == "message_changed":  # an edit: the new text replaces the message's
        raw = raw.get("message") or {}
        subtype = raw.get("subtype")
    if subtype in NOISE or raw.get("bot_id") and not raw.get("user"):
        return
    ts, text = raw.get("ts"), raw.get("text")
    if not ts or not isinstance(text, str) or not text.strip():
        return
    try:
        when = datetime.fromtimestamp(float(ts), timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return
    pinned = bool(raw.get("pinned_to")) and (not channel_id or channel_id in raw["pinned_to"])
    reactions = tuple(str(r.get("name")) for r in raw.get("reactions") or [] if isinstance(r, dict))
    who = names.user(str(raw.get("user") or ""), raw.get("user_profile"))
    by_ts[str(ts)] = Message(when, who, text, pinned, reactions)


# --- Plain-text logs -----------------------------------------------------------------

_LOG_LINE = re.compile(
    r"^\s*\[?(?:(?P<date>\d{4}-\d{2}-\d{2})[ T])?(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"(?:\s*(?P<ampm>[AaPp][Mm]))?\]?\s+"
    r"(?:<(?P<nick>[^>\s]+)>|(?P<name>[^\s:<>][^:<>]{0,40}?):)\s?(?P<text>.*)$"
)


# What loggers write about the channel, not what people said: joins, parts, topic changes.
_LOG_NOISE = re.compile(r"^\s*(\[[^\]]*\]\s*)?(\*{1,3} |-!- |--> |<-- |-- )")


def read_log(text: str, start: datetime, end: datetime, zone: tzinfo) -> list[Message]:
    """Messages of a log copied from a chat client or an IRC-style logger, one a line:
    ``[14:02] alice: restarted the pool`` or ``2026-11-18 14:02:11 <alice> ...``. A time
    without a date is on the day of the line before (the window's first day at first),
    the next day when it goes back past midnight. Other lines continue the message above."""
    messages: list[Message] = []
    day = start.astimezone(zone).date()
    previous: datetime | None = None
    for line in text.splitlines():
        match = _LOG_LINE.match(line)
        if match is None:
            if messages and line.strip() and not _LOG_NOISE.match(line):
                messages[-1].text += "\n" + line.strip()
            continue
        clock = datetime.strptime(
            match["time"], "%H:%M:%S" if match["time"].count(":") == 2 else "%H:%M"
        )
        hour = clock.hour
        if match["ampm"]:
            hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
        if match["date"]:
            day = date.fromisoformat(match["date"])
        when = datetime(day.year, day.month, day.day, hour, clock.minute, clock.second, tzinfo=zone)
        if not match["date"] and previous is not None and when < previous - timedelta(hours=1):
            day += timedelta(days=1)
            when += timedelta(days=1)
        previous = when
        messages.append(Message(when, match["nick"] or match["name"].strip(), match["text"]))
    return [m for m in messages if start <= m.when <= end]


# --- Markup -------------------------------------------------------------------------


class Names:
    """Who is who in an export: user and channel ids to the names people know."""

    def __init__(self, users: dict[str, str] | None = None, channels: dict[str, str] | None = None):
        self.users = users or {}
        self.channels = channels or {}

    def user(self, user_id: str, profile: Any = None) -> str:
        if user_id in self.users:
            return self.users[user_id]
        if isinstance(profile, dict):
            return profile.get("display_name") or profile.get("real_name") or user_id
        return user_id or "unknown"


_TOKEN = re.compile(r"<([^<>\s][^<>]*)>")
_CODE = re.compile(r"```(.*?)```|`([^`\n]+)`", re.S)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def to_markdown(text: str, names: Names, limit: int = DEFAULT_LIMIT, slack: bool = True) -> str:
    """A message as Markdown for one cell of a table: one line, nothing that can break the
    table or the page, at most ``limit`` characters of what it says (then an ellipsis)."""
    out: list[str] = []
    left = limit
    for kind, value, target in _segments(text, names, slack):
        if len(value) > left:  # what a reader sees is counted, not the markup
            if kind == "text":
                cut = value[:left].rsplit(" ", 1)[0] if " " in value[:left] else value[:left]
                out.append(_escape(cut.rstrip()))
            out.append("…")
            return "".join(out).strip()
        left -= len(value)
        if kind == "code":
            out.append(_code(value))
        elif kind == "link":
            out.append(f"[{_escape(value)}]({target.replace(')', '%29').replace(' ', '%20')})")
        else:
            out.append(_escape(value))
    return "".join(out).strip()


def _segments(text: str, names: Names, slack: bool) -> Iterable[tuple[str, str, str]]:
    """(kind, text, link target) pieces of a message, text unescaped once: 'code',
    'link' or 'text'."""
    text = " ".join(text.split("\n")) if "```" not in text else text
    position = 0
    for match in _CODE.finditer(text):
        yield from _text_segments(text[position : match.start()], names, slack)
        code = match.group(1) if match.group(1) is not None else match.group(2)
        yield "code", " ".join((html.unescape(code) if slack else code).split()), ""
        position = match.end()
    yield from _text_segments(text[position:], names, slack)


def _text_segments(text: str, names: Names, slack: bool) -> Iterable[tuple[str, str, str]]:
    text = re.sub(r"\s+", " ", text)  # one line; the space next to a code span kept
    if not slack:
        yield "text", text, ""
        return
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            yield "text", _bold(html.unescape(text[position : match.start()])), ""
        yield _token(match.group(1), names)
        position = match.end()
    if position < len(text):
        yield "text", _bold(html.unescape(text[position:])), ""


def _token(inner: str, names: Names) -> tuple[str, str, str]:
    """One of Slack's <...> forms: a mention, a channel, a special mention or a link."""
    target, _, label = inner.partition("|")
    label = html.unescape(label)
    if target.startswith("@"):
        return "text", "@" + (label or names.user(target[1:])), ""
    if target.startswith("#"):
        return "text", "#" + (label or names.channels.get(target[1:], target[1:])), ""
    if target.startswith("!"):
        special = target[1:].split("^", 1)[0]
        if special in ("here", "channel", "everyone"):
            return "text", "@" + special, ""
        return "text", label or special, ""
    url = html.unescape(target)
    if url.startswith(("http://", "https://", "mailto:")):
        return "link", label or url, url
    return "text", html.unescape(f"<{inner}>"), ""  # not Slack's: as typed, escaped later


def _bold(text: str) -> str:
    """Slack's *bold* as Markdown's **bold** (its _italic_ is Markdown's already)."""
    return _BOLD.sub(r"**\1**", text)


def _escape(text: str) -> str:
    """Text that reads as itself in a table cell: no column break, no HTML, no
    Markdown link or image syntax made by accident."""
    text = html.escape(text, quote=False).replace("\\", "\\\\")
    for mark in "|[]`":
        text = text.replace(mark, "\\" + mark)
    return text


def _code(code: str) -> str:
    """A code span that keeps its text as typed: pipes inside code spans do not split a
    table's cells, and a span escapes its own HTML."""
    code = code.replace("|", "¦") if "`" in code else code
    fence = "``" if "`" in code else "`"
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{pad}{code}{pad}{fence}"
