"""What a `mkdocs serve --dirty` rebuild must render again after a file changed.

MkDocs' dirty mode renders only pages whose source changed, leaving pages that
show a changed post-mortem (backlinks, id tooltips, listings) stale; and it always
renders generated pages, even when their content did not change. From what the
previous build showed of each post-mortem, we mark exactly the pages whose content
derives from a change, and mark unchanged generated pages as not modified. When
the nav itself changes, every page is rendered again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from postmortems.catalog.catalog import shown_digest
from postmortems.catalog.records import Catalog, PostMortem
from postmortems.render.card import nav_title

from . import mkdocs_private

if TYPE_CHECKING:
    from mkdocs.structure.files import Files

    from .site import SiteBuild


def fingerprint(record: PostMortem) -> str:
    """Everything other pages show of a post-mortem (its body aside): its front matter and
    figures (digested once per file content), its review state and its problems."""
    content = (
        record.parsed.shown
        if record.parsed is not None
        else shown_digest(record.meta, record.figures)
    )
    shown = (record.name, content, record.review, [p.text() for p in record.problems])
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass
class Memory:
    """What one build showed, to compare the next build with."""

    fingerprints: dict[str, str]  # record name -> fingerprint
    ids: dict[str, str | None]  # record name -> id
    references: dict[str, frozenset[str]]  # record name -> ids under recurrence and related
    generated: dict[str, str]  # generated page -> digest of its Markdown
    nav: tuple
    page_mentions: dict[str, frozenset[str]] = field(default_factory=dict)  # hand-written pages
    similar: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "possibly related"
    data_pages: frozenset[str] = frozenset()  # hand-written pages that may show the catalog


def remember(
    catalog: Catalog,
    fingerprints: dict[str, str],
    generated: dict[str, str],
    nav: tuple,
    page_mentions: dict[str, frozenset[str]],
    data_pages: frozenset[str] = frozenset(),
) -> Memory:
    return Memory(
        fingerprints=dict(fingerprints),
        ids={r.name: r.id for r in catalog.records},
        references={
            r.name: frozenset((r.meta.get("recurrence") or []) + (r.meta.get("related") or []))
            for r in catalog.records
        },
        generated=generated,
        nav=nav,
        page_mentions=dict(page_mentions),
        data_pages=data_pages,
        similar={
            name: tuple(s.record.name for s in found) for name, found in catalog.suggestions.items()
        },
    )


@dataclass
class Plan:
    """Pages to render again although their source did not change, and generated pages
    that may be skipped; ``full`` when everything must be rendered."""

    full: bool
    records: set[str]
    pages: set[str]
    unchanged_generated: set[str]


def plan(before: Memory, now: Memory, catalog: Catalog) -> Plan:
    if before.nav != now.nav:
        return Plan(True, set(), set(), set())
    changed = {n for n, fp in now.fingerprints.items() if before.fingerprints.get(n) != fp}
    removed = set(before.fingerprints) - set(now.fingerprints)
    touched = changed | removed
    changed_ids = {before.ids.get(n) for n in touched} | {now.ids.get(n) for n in changed}
    changed_ids.discard(None)
    records: set[str] = set()
    for record in catalog.records:
        name = record.name
        pointing = now.references.get(name, frozenset()) | before.references.get(name, frozenset())
        if pointing & changed_ids or record.mentions & changed_ids:
            records.add(name)  # shows a changed incident: backlink, related, tooltip
    for name, found in now.similar.items():  # "possibly related": another list, or a change in it
        if before.similar.get(name) != found or touched.intersection(found):
            records.add(name)
    for name in touched:  # incidents a changed one points (or pointed) at show it back
        targets = now.references.get(name, frozenset()) | before.references.get(name, frozenset())
        records.update(n for n, ident in now.ids.items() if ident in targets)
    pages = {uri for uri, ids in now.page_mentions.items() if ids & changed_ids}
    if touched:  # tables, charts and lists of the catalog on the site's own pages
        pages |= now.data_pages
    unchanged = {uri for uri, d in now.generated.items() if before.generated.get(uri) == d}
    # A changed record whose file did not change (a warning about a deleted reference, a
    # review now overdue) is skipped by MkDocs unless forced, like the pages showing it.
    return Plan(False, records | changed, pages, unchanged)


DATA_SIGNS = ("{{", "{%", "<!--")  # macros, and markers that pages' hooks replace


class Rebuilds:
    """What the last build showed, kept across ``mkdocs serve --dirty`` rebuilds, and the
    marking of what the next one must render again."""

    def __init__(self) -> None:
        self.memory: Memory | None = None
        self.page_mentions: dict[str, frozenset[str]] = {}  # hand-written page -> ids on it
        self.data_pages: set[str] = set()  # hand-written pages that may show the catalog

    def page_read(self, src_uri: str, markdown: str) -> None:
        """A page of the site's own as written: one with template code (macros) or a
        marker (ours, or a site's hooks') may show the catalog, and is rendered again
        whenever an incident changes."""
        if any(sign in markdown for sign in DATA_SIGNS):
            self.data_pages.add(src_uri)
        else:
            self.data_pages.discard(src_uri)

    def plan(self, build: SiteBuild, files: Files, recent: int) -> None:
        """Mark the pages that derive from a change as modified, unchanged generated pages
        as not (MkDocs would render them all again), and remember this build."""
        nav = tuple((r.name, nav_title(r)) for r in build.catalog.records[:recent])
        memory = remember(
            build.catalog,
            build.fingerprints,
            build.pages.digests(),
            nav,
            self.page_mentions,
            frozenset(self.data_pages),
        )
        if self.memory is None:
            for record in build.catalog.records:  # found once per file content, here at startup
                record.mentions  # noqa: B018
        else:
            planned = plan(self.memory, memory, build.catalog)
            for file in files.documentation_pages():
                record = build.record_for(file)
                if (
                    planned.full
                    or (record is not None and record.name in planned.records)
                    or file.src_uri in planned.pages
                ):
                    mkdocs_private.mark_modified(file, True)
                elif file.src_uri in planned.unchanged_generated:
                    mkdocs_private.mark_modified(file, False)
        self.memory = memory
