"""Small HTML builders for generated pages. Every value from front matter goes through
:func:`esc`; nothing from a post-mortem reaches a page unescaped.

Generated content is raw HTML inside Markdown, so Markdown syntax in titles
(``*``, ``|``, ``[x](y)``) stays literal and cannot break a table.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import NamedTuple

from postmortems.catalog.records import PostMortem
from postmortems.model.figures import human_minutes
from postmortems.model.settings import Settings

# How a page names another: ``href(url)`` is a site URL made relative to the page being
# rendered; ``url_of(record)`` is where a post-mortem's page lives.
Href = Callable[[str], str]
UrlOf = Callable[[PostMortem], str]


def esc(value: object) -> str:
    """HTML-escape any value, quotes included; newlines become spaces."""
    return _escape_text(value if isinstance(value, str) else str(value))


@functools.lru_cache(maxsize=1 << 16)
def _escape_text(text: str) -> str:
    """Memoised by text: the same titles, names and states recur on every listing page."""
    return html.escape(text, quote=True).replace("\n", " ").replace("\r", " ")


def severity_badge(severity: str | None, settings: Settings) -> str:
    if not severity:
        return ""
    rank = min(settings.severity_rank(severity), 4)
    return f'<span class="pm-badge pm-sev pm-sev-{rank}">{esc(severity)}</span>'


def status_badge(status: str | None, settings: Settings) -> str:
    if not status:
        return ""
    slug = esc(status.lower().replace(" ", "-"))
    return f'<span class="pm-badge pm-status pm-status-{slug}">{esc(status)}</span>'


class Cell(NamedTuple):
    """A table cell whose order is not its text's (a duration: its minutes)."""

    html: str
    sort: float | str | None


def _cell(cell: str | Cell) -> str:
    if isinstance(cell, Cell):
        if cell.sort is None:
            key = ""
        elif isinstance(cell.sort, str):
            key = esc(cell.sort)
        else:
            key = f"{cell.sort:g}"
        return f'<td data-sort="{key}">{cell.html}</td>'
    return f"<td>{cell}</td>"


def minutes_cell(minutes: float | None) -> Cell:
    """A duration as shown ('2 h 5 min'), sorted by its minutes, never wrapped."""
    return Cell(f'<span class="pm-nowrap">{esc(human_minutes(minutes))}</span>', minutes)


def table(
    headers: Iterable[str],
    rows: Iterable[Iterable[str | Cell]],
    css: str = "",
    sortable: bool = False,
) -> str:
    """A table on as few lines as possible: blank lines would end Markdown's raw HTML block.
    ``sortable``: the reader sorts it by any column (see assets/table.js)."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    # The class sits on a wrapper: Material styles only tables without a class.
    table_html = f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    css = f"{css} pm-sortable" if sortable else css
    return f'<div class="pm-table-wrap {css}">\n{table_html}\n</div>' if css else table_html


def record_link(record: PostMortem, href: str, with_title: bool = True) -> str:
    label = esc(record.id or record.name)
    title = f' title="{esc(record.title)}"' if with_title else ""
    return f'<a href="{esc(href)}"{title}>{label}</a>'


def started_day(record: PostMortem, settings: Settings) -> str:
    if record.started is None:
        return "—"
    return record.started.astimezone(settings.tz).strftime("%Y-%m-%d")


def duration(record: PostMortem) -> str:
    return human_minutes(record.figures.downtime)


def due_shown(item: dict) -> str:
    """An action item's due date, escaped, marked where the priority's deadline set it."""
    due = item.get("due")
    if due is None:
        return "—"
    if item.get("due_derived"):
        title = f"set by the {item.get('priority')} priority's deadline"
        mark = f'<small class="pm-derived" title="{esc(title)}">by priority</small>'
        return f"{esc(due.isoformat())} {mark}"
    return esc(due.isoformat())


def month_title(month: str) -> str:
    """'2026-11' as people say it: November 2026."""
    return date(int(month[:4]), int(month[5:]), 1).strftime("%B %Y")


def join_list(values: Iterable[str] | None) -> str:
    return ", ".join(esc(v) for v in values or []) or "—"


class Stash:
    """Generated HTML kept out of Markdown and put back into the rendered page.

    Python-Markdown runs every raw HTML block through its own HTML parser, which cost
    more than all the rest of a page; our blocks are built escaped and need none of it.
    Each block becomes a one-word paragraph. ``hide`` turns the paragraphs into comments,
    which the search indexer skips (the card's fields would triple its work and add only
    noise to results); ``restore`` then puts the blocks in, after indexing.

    Inline pieces (the links to other post-mortems) become one word inside the text and
    are put back by ``hide``, before indexing: Markdown's inline HTML handling of a
    dozen links a page cost more than all our other page work.
    """

    _KEY = re.compile(r"PMSTASH\d+[XSI]")
    CHILD = 10**9  # keys a forked process numbers from here (and the main process's ahead
    # of it, from twice that), so that blocks made in two processes never share a key

    def __init__(self, first: int = 0) -> None:
        self.blocks: dict[str, str] = {}
        self._next = first  # a process filling a stash of its own numbers its keys apart

    def take(self) -> dict[str, str]:
        """The blocks put since the last take, handed over (to the process that renders)."""
        blocks, self.blocks = self.blocks, {}
        return blocks

    def receive(self, blocks: dict[str, str]) -> None:
        """Blocks another process put (with keys numbered apart from this stash's)."""
        self.blocks.update(blocks)

    def put(self, block: str, searchable: bool = False) -> str:
        """A key for ``block``; a searchable block is put back before indexing."""
        return self._key(block, "S" if searchable else "X")

    @staticmethod
    def hides(blocks: dict[str, str]) -> bool:
        """Whether any of these blocks waits as a comment until after search indexing (the
        blocks that are not searchable, nor inline)."""
        return any(key.endswith("X") for key in blocks)

    def put_inline(self, html: str) -> str:
        """A word standing for ``html`` within a paragraph, put back before indexing."""
        return self._key(html, "I")

    def _key(self, html: str, kind: str) -> str:
        key = f"PMSTASH{self._next:08d}{kind}"
        self._next += 1
        self.blocks[key] = html
        return key

    def stash_blocks(self, markdown: str) -> str:
        """Replace each run of blank-line separated chunks that are raw HTML by one stash
        key: one paragraph for Markdown to pass over, not one per chunk."""
        return "\n\n".join(
            self.put(text) if raw else text for raw, text in _raw_html_runs(markdown)
        )

    def hide(self, html: str) -> str:
        """Searchable blocks and inline pieces put in, other blocks' paragraphs made
        comments (which the search indexer skips)."""
        return self._swap(html, restore=False)

    def restore(self, html: str) -> str:
        """Every block put in: after the search indexer has seen the page."""
        return self._swap(html, restore=True)

    def _swap(self, html: str, restore: bool) -> str:
        """One pass over the page, from key to key: one regex search finds every kind of
        key (most pages hold a dozen keys or none)."""
        out: list[str] = []
        done = 0  # how much of html is in out
        blocks = self.blocks
        for match in self._KEY.finditer(html):
            start, end = match.span()
            key = match.group()
            kind = key[-1]
            if kind == "I":
                out += (html[done:start], blocks.get(key, key))
                done = end
            elif (
                html.startswith("</p>", end)
                and start - 3 >= done
                and html.startswith("<p>", start - 3)
            ):
                block = blocks.get(key, "") if kind == "S" or restore else f"<!--{key}-->"
                out += (html[done : start - 3], block)
                done = end + 4
            elif (
                restore
                and kind == "X"
                and html.startswith("-->", end)
                and start - 4 >= done
                and html.startswith("<!--", start - 4)
            ):
                out += (html[done : start - 4], blocks.get(key, ""))
                done = end + 3
        if not done:  # no key swapped: most pages, once their own keys are swapped
            return html
        out.append(html[done:])
        return "".join(out)


@functools.lru_cache(maxsize=256)
def _raw_html_runs(markdown: str) -> tuple[tuple[bool, str], ...]:
    """The blank-line separated chunks of ``markdown`` as (raw HTML?, text), each run of
    raw HTML chunks joined into one. Memoised by text: a serve rebuild hands back the
    last build's generated pages, the same strings, whose hash Python keeps."""
    out: list[tuple[bool, str]] = []
    run: list[str] = []
    for chunk in markdown.split("\n\n"):
        if chunk.lstrip().startswith("<"):
            run.append(chunk)
            continue
        if run:
            out.append((True, "\n\n".join(run)))
            run = []
        out.append((False, chunk))
    if run:
        out.append((True, "\n\n".join(run)))
    return tuple(out)


def review_meeting(record: PostMortem) -> str:
    """The meeting's date against its deadline, marked where it was held late or is
    overdue: the same words on the card and the review pages."""
    meeting = record.meta.get("review_meeting")
    review = record.review
    text = meeting.isoformat() if meeting else "not held yet"
    if review.due:
        text += f" (due {review.due.isoformat()})"
    if review.overdue:
        return f'<span class="pm-overdue">{esc(text)} — overdue</span>'
    if meeting and review.on_time is False:
        late = (meeting - review.due).days
        return (
            f'<span class="pm-overdue" title="held after its deadline">{esc(text)} — '
            f"{late} day{'s' if late != 1 else ''} late</span>"
        )
    return esc(text)
