"""The records of a catalog: a post-mortem file as read, and every post-mortem of a site.

Plain objects shared by the graph, the metrics and the pages; :mod:`.catalog` makes them.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from postmortems.model.problems import Problem
from postmortems.model.settings import Settings
from postmortems.read.reader import Mapping, Scalar, Sequence
from postmortems.read.schema import REFERENCE_KEYS

from .similar import Index

if TYPE_CHECKING:
    from postmortems.model import figures

    from .catalog import _Parsed


class Source(NamedTuple):
    """A file to read: where it is, how to name it in messages, and its name in the section."""

    abs_path: str
    display_path: str
    name: str  # path below the post-mortems folder without '.md', e.g. 2026-06-15-buildeng
    root: str | None = None  # the repository: a file that resolves outside it is refused


class FrontLines(NamedTuple):
    """Where things are in the front matter, for messages: each top-level key's line and
    the valid ids listed under recurrence and related. Kept instead of the YAML tree,
    which cost more to hold and to send back from a parsing worker than to parse."""

    key_lines: dict[str, int]
    references: dict[str, list[tuple[int, str, int]]]  # key -> (index, id, line)

    @classmethod
    def of(cls, front: Mapping, meta: dict[str, Any]) -> "FrontLines":
        references = {}
        for key in REFERENCE_KEYS:
            valid = meta.get(key) or []
            node = front.get(key)
            items = (
                list(node)
                if isinstance(node, Sequence)
                else [node]
                if isinstance(node, Scalar)
                else []
            )
            references[key] = [
                (index, item.text.strip(), item.line)
                for index, item in enumerate(items)
                if isinstance(item, Scalar) and item.text.strip() in valid
            ]
        return cls(dict(front.key_lines), references)


class PostMortem:
    """One post-mortem: typed front matter, body, derived figures and its problems."""

    __slots__ = (
        "source",
        "meta",
        "body",
        "body_line",
        "front",
        "figures",
        "review",
        "problems",
        "todo",
        "refused",
        "parsed",
        "_months",
    )

    def __init__(
        self,
        source: Source,
        meta: dict[str, Any],
        body: str,
        body_line: int,
        front: FrontLines | None,
        figures: figures.Figures,
        review: figures.Review,
        problems: list[Problem] | None = None,
        todo: list[str] | None = None,
        refused: bool = False,
        parsed: _Parsed | None = None,
    ) -> None:
        self.source = source
        self.meta = meta
        self.body = body
        self.body_line = body_line
        self.front = front
        self.figures = figures
        self.review = review
        self.problems = [] if problems is None else problems
        self.todo = [] if todo is None else todo  # what the next status still needs
        self.refused = refused  # not read at all (outside the repository, too large): not published
        self.parsed = parsed  # the cached parse
        self._months: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"PostMortem({self.source.display_path!r})"

    @property
    def path(self) -> str:
        return self.source.display_path

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def id(self) -> str | None:
        return self.meta.get("id")

    @property
    def title(self) -> str:
        return self.meta.get("title") or self.source.name

    @property
    def started(self) -> datetime | None:
        return self.meta.get("started")

    @property
    def mentions(self) -> frozenset[str]:
        """Ids written in the body (known or not)."""
        return self.parsed.mentions if self.parsed is not None else frozenset()

    def line_of(self, key: str) -> int:
        if self.front is not None and key in self.front.key_lines:
            return self.front.key_lines[key]
        return 1

    def month(self, settings: Settings) -> str | None:
        """The calendar month of ``started`` in the site's time zone, 'YYYY-MM'."""
        if self.started is None:
            return None
        cached = self._months.get(settings.timezone)
        if cached is None:  # asked for many times a build, by every monthly figure
            cached = self._months[settings.timezone] = self.started.astimezone(
                settings.tz
            ).strftime("%Y-%m")
        return cached


class Catalog:
    """Every post-mortem of a site, newest first, with all problems found."""

    def __init__(self, records: list[PostMortem], settings: Settings) -> None:
        self.records = records
        self.settings = settings
        self.graph: Any = None  # the recurrence graph, set by load()
        self.by_id: dict[str, PostMortem] = {}
        for record in self.records:
            ident = record.id
            if ident and ident not in self.by_id:
                self.by_id[ident] = record

    @property
    def problems(self) -> list[Problem]:
        return sorted(p for r in self.records for p in r.problems)

    @property
    def needing_attention(self) -> list[PostMortem]:
        return [r for r in self.records if r.problems]

    @functools.cached_property
    def suggestions(self) -> dict[str, list[Any]]:
        """Each post-mortem's "possibly related" earlier incidents, by record name
        (:mod:`postmortems.catalog.similar`), found once a build."""
        return Index(self.records).all()


def reference_items(record: PostMortem, key: str) -> list[tuple[int, str, int]]:
    """(index, id, line) of each valid id listed under ``key``."""
    return record.front.references.get(key, []) if record.front is not None else []
