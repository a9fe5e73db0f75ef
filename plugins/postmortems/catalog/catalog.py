"""The catalog: a folder of post-mortem files turned into records, figures and problems.

One function, :func:`load`, used by the command line and the MkDocs plugin alike.
Parsing is cached by path, modification time, size and settings, so a
``mkdocs serve`` rebuild re-reads only the files that changed; rules that depend
on the clock or on other files are re-applied on every load (they are linear).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import stat
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from postmortems import fast
from postmortems.fast import parallel
from postmortems.model import figures
from postmortems.model.paths import is_postmortem
from postmortems.model.problems import Problem, ProblemSink
from postmortems.model.settings import Settings
from postmortems.read import rules
from postmortems.read.reader import read_file, salvage
from postmortems.read.schema import REFERENCE_KEYS, convert_front_matter

from .graph import Graph
from .records import Catalog, FrontLines, PostMortem, Source, reference_items

if TYPE_CHECKING:  # the command line's disk cache; its hashlib is not wanted by a build
    from .diskcache import DiskCache


class _Parsed:
    """What the cache keeps per file: everything that depends only on its content."""

    def __init__(
        self,
        meta: dict[str, Any],
        body: str,
        body_line: int,
        front: FrontLines | None,
        problems: list[Problem],
        todo: list[str] | None = None,
        refused: bool = False,
        mention_regex: Any = None,
        figures: figures.Figures = figures.NONE,
        review_due: date | None = None,
    ) -> None:
        self.meta = meta
        self.body = body
        self.body_line = body_line
        self.front = front
        self.problems = problems
        self.todo = [] if todo is None else todo
        self.refused = refused
        self.mention_regex = mention_regex
        self.figures = figures
        self.review_due = review_due

    def without_body(self) -> _Parsed:
        """The same content with no body (and nothing found in it cached)."""
        return _Parsed(
            self.meta,
            "",
            self.body_line,
            self.front,
            self.problems,
            self.todo,
            self.refused,
            self.mention_regex,
            self.figures,
            self.review_due,
        )

    @functools.cached_property
    def shown(self) -> str:
        """:func:`shown_digest` of this content, made once: a serve rebuild asks for it of
        every file to find the pages a change reaches."""
        return shown_digest(self.meta, self.figures)

    @functools.cached_property
    def mentions(self) -> frozenset[str]:
        """Ids written in the body: found once per file content, and only when asked
        (serve rebuilds ask; the command line never does)."""
        if self.mention_regex is None:
            return frozenset()
        return frozenset(m.group(0) for m in self.mention_regex.finditer(self.body))


def shown_digest(meta: dict[str, Any], derived: figures.Figures) -> str:
    """A digest of the front matter and figures as other pages show them."""
    shown = (sorted(meta.items(), key=lambda kv: kv[0]), derived)
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


class ParseCache:
    """Parsed files keyed by path; an entry is reused only while mtime, size and settings match."""

    def __init__(self, disk: DiskCache | None = None) -> None:
        self._entries: dict[str, tuple[tuple[int, int, Settings], _Parsed]] = {}
        self.disk = disk  # the command line's results of earlier runs, if it keeps them
        # Parsing begun before it was asked for: the job, and each file's (source, key, index).
        self._early: tuple[parallel.ForkedMap, dict[str, tuple[Source, tuple, int]]] | None = None

    def parse_early(self, sources: list[Source], settings: Settings) -> None:
        """Begin parsing the files the cache lacks on the other cores, before they are asked
        for: the MkDocs plugin calls this when the configuration is read, and MkDocs spends
        a while gathering its files before ``on_files`` asks. :meth:`get_all` takes what
        matches (the same source, unchanged since) and parses anything else itself."""
        self.drop_early()
        wanted: list[Source] = []
        keys: list[tuple] = []
        for source in sources:
            key = self._key(source, settings)
            cached = self._entries.get(source.abs_path)
            if key is not None and (cached is None or cached[0] != key):
                wanted.append(source)
                keys.append(key)
        with collection_paused():  # in the workers: they make objects, and no garbage
            job = begin_parse(wanted, settings)
        if job is not None:
            self._early = (
                job,
                {
                    source.abs_path: (source, key, index)
                    for index, (source, key) in enumerate(zip(wanted, keys))
                },
            )

    def drop_early(self) -> None:
        """Stop parsing begun early whose results will not be asked for (a build stopped
        between reading its configuration and gathering its files)."""
        if self._early is not None:
            self._early[0].cancel()
            self._early = None

    def _take_early(self, sources: list[Source], keys: list, found: list[_Parsed | None]) -> None:
        """Fill ``found`` from the parsing begun early, where source and key still match."""
        if self._early is None:
            return
        job, begun = self._early
        self._early = None
        results = job.results()
        for index, source in enumerate(sources):
            early = begun.get(source.abs_path)
            if (
                found[index] is None
                and early is not None
                and early[0] == source
                and early[1] == keys[index]
            ):
                found[index] = results[early[2]]
                self._entries[source.abs_path] = (keys[index], found[index])

    def get_all(
        self, sources: list[Source], settings: Settings, bodies: bool = True
    ) -> list[_Parsed]:
        """Each source parsed, from the cache where the file is unchanged; the rest are
        parsed on all cores when there are enough of them to pay for it. Parsed without
        ``bodies``, a file is not kept in memory (a later call may want its body)."""
        keys = [self._key(source, settings) for source in sources]
        found: list[_Parsed | None] = []
        for source, key in zip(sources, keys):
            cached = self._entries.get(source.abs_path)
            found.append(
                cached[1] if key is not None and cached is not None and cached[0] == key else None
            )
        self._take_early(sources, keys, found)
        if self.disk is not None:
            for index, parsed in enumerate(found):
                if parsed is None:
                    found[index] = self.disk.get(sources[index])
        missing = [index for index, parsed in enumerate(found) if parsed is None]
        fresh = parse_many([sources[index] for index in missing], settings, bodies)
        for index, parsed in zip(missing, fresh):
            found[index] = parsed
            if keys[index] is not None and bodies:
                self._entries[sources[index].abs_path] = (keys[index], parsed)
            if self.disk is not None:
                self.disk.put(sources[index], parsed)
        if self.disk is not None:
            self.disk.save()
        return found  # type: ignore[return-value]

    @staticmethod
    def _key(source: Source, settings: Settings) -> tuple[int, int, Settings] | None:
        try:
            stat = os.stat(source.abs_path)
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size, settings)

    def forget_missing(self, keep: Iterable[str]) -> None:
        """Drop entries of files that are gone, so a long serve session does not grow."""
        alive = set(keep)
        for path in list(self._entries):
            if path not in alive:
                del self._entries[path]


def refusal(source: Source, settings: Settings) -> str | None:
    """Why a file must not be read or published, or None."""
    try:
        info: os.stat_result | None = os.lstat(source.abs_path)
    except OSError:
        return None
    is_link = stat.S_ISLNK(info.st_mode)
    if source.root is not None and not _inside_root(source.abs_path, source.root, is_link):
        return (
            "the file is a link to a place outside the repository; it is not read and not published"
        )
    if is_link:
        info = _stat_or_none(source.abs_path)
    if info is not None and info.st_size > settings.max_file_size:
        return (
            f"the file is {info.st_size:,} bytes, over the limit of "
            f"{settings.max_file_size:,} (max_file_size); it is not published. "
            "Move logs and large pastes elsewhere"
        )
    return None


def _inside_root(path: str, root: str, is_link: bool) -> bool:
    """Whether the file's real place is inside the repository. A file that is not itself a
    link is where its folder really is, so the answer is worked out once a folder."""
    if is_link:
        return _contains(_real_folder(root), os.path.realpath(path))
    return _folder_inside_root(os.path.dirname(path), root)


@functools.cache
def _folder_inside_root(folder: str, root: str) -> bool:
    return _contains(_real_folder(root), _real_folder(folder) + os.sep)


def _contains(real_root: str, real: str) -> bool:
    return real == real_root or real.startswith(real_root + os.sep)


def _stat_or_none(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


@functools.cache
def _real_folder(folder: str) -> str:
    """A folder's real path: resolved once a folder (cleared on each parse), not once a file,
    as resolving walks every component of the path."""
    return os.path.realpath(folder)


# Parsing in parallel pays off from about this many files a worker.
FILES_PER_WORKER = 150


def parse_many(sources: list[Source], settings: Settings, bodies: bool = True) -> list[_Parsed]:
    """Parse files, in order; on Linux, shared with forked workers when there are many.

    Parsing is pure and CPU-bound, so a 2-core CI machine halves it. Forking is safe only
    while no other thread runs (``mkdocs serve`` has a server thread, but its rebuilds
    parse only the changed files); ``POSTMORTEMS_WORKERS`` overrides the worker count.
    Workers are forked with garbage collection paused (inside load(), or by parse_early).
    Without ``bodies`` (the command line never shows them) the results hold none: less
    to keep, and to send back from a worker.
    """
    job = begin_parse(sources, settings, bodies)
    if job is None:
        usual = fast.enabled(settings.fast)
        return [_parse(source, settings, bodies, usual) for source in sources]
    return job.results()


def begin_parse(
    sources: list[Source], settings: Settings, bodies: bool = True
) -> parallel.ForkedMap | None:
    """Parsing of ``sources`` begun in forked workers, for ``results()`` to finish; None
    where forking does not pay (too few files) or is not safe."""
    _real_folder.cache_clear()  # links may have changed since the last rebuild
    _folder_inside_root.cache_clear()
    usual = fast.enabled(settings.fast)
    workers = parallel.worker_count(len(sources), FILES_PER_WORKER) if usual else 1
    if workers < 2:
        return None
    return parallel.ForkedMap(
        functools.partial(_parse, settings=settings, bodies=bodies, usual=usual), sources, workers
    )


def _parse(source: Source, settings: Settings, bodies: bool = True, usual: bool = True) -> _Parsed:
    """One file parsed; ``usual``: the fast paths are on (asked once a parse, not a file)."""
    refused = refusal(source, settings)
    if refused:
        problem = Problem(source.display_path, 1, "error", "", refused)
        return _Parsed({}, "", 1, None, [problem], refused=True)
    parsed = read_file(source.abs_path, source.display_path, settings.max_file_size, usual)
    sink = parsed.problems
    meta: dict[str, Any] = {}
    lines, todo = None, []
    if parsed.front is not None:
        meta = convert_front_matter(parsed.front, settings, sink)
        figures.derive_dues(meta, settings)
        todo = rules.check(
            parsed.front,
            meta,
            parsed.body,
            parsed.body_line,
            settings,
            sink,
            front_text=parsed.front_text,
        )
        lines = FrontLines.of(parsed.front, meta)
    elif parsed.front_text is not None:  # invalid YAML: keep what its lines still say
        salvaged = salvage(parsed.front_text)
        if salvaged is not None:
            meta = convert_front_matter(salvaged, settings, ProblemSink(source.display_path))
            lines = FrontLines.of(salvaged, meta)
    return _Parsed(
        meta,
        parsed.body if bodies else "",
        parsed.body_line,
        lines,
        list(sink.items),
        todo,
        mention_regex=settings.mention_regex,
        figures=figures.compute(meta, settings),
        review_due=figures.review_due(meta, settings),
    )


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Tens of thousands of new objects and no garbage: a collection meanwhile only costs
    time, growing with everything else the process holds (all of MkDocs' pages)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(
    sources: Iterable[Source],
    settings: Settings,
    *,
    now: datetime | None = None,
    cache: ParseCache | None = None,
    bodies: bool = True,
) -> Catalog:
    """Read, validate and index every source; never raises for anything a file contains.
    With ``bodies=False`` the records' bodies are left empty (the command line's checks
    and exports never show them); every problem is found all the same."""
    with collection_paused():
        return _load(sources, settings, now, cache, bodies)


def _load(
    sources: Iterable[Source],
    settings: Settings,
    now: datetime | None,
    cache: ParseCache | None,
    bodies: bool,
) -> Catalog:
    now = now or datetime.now(timezone.utc)
    today = now.astimezone(settings.tz).date()
    sources = list(sources)
    if cache is None:  # nothing kept for later: no file is looked up or keyed
        parsed = parse_many(sources, settings, bodies)
    else:
        parsed = cache.get_all(sources, settings, bodies)
        cache.forget_missing(s.abs_path for s in sources)
    records = [_record(source, one, settings, now, today) for source, one in zip(sources, parsed)]
    _check_unique_ids(records)
    _check_references(records, settings)
    records.sort(key=_newest_first)
    result = Catalog(records, settings)
    _check_graph(result)
    return result


def _check_graph(result: Catalog) -> None:
    result.graph = Graph(result)  # made from the records' links alone: kept for the pages
    by_path = {r.path: r for r in result.records}
    for problem in result.graph.problems():
        by_path[problem.path].problems.append(problem)


def _record(
    source: Source, parsed: _Parsed, settings: Settings, now: datetime, today: date
) -> PostMortem:
    sink = ProblemSink(source.display_path)
    if parsed.front is not None:
        rules.check_not_future(parsed.front.key_lines, parsed.meta, now, settings, sink)
    return PostMortem(
        source=source,
        meta=parsed.meta,
        body=parsed.body,
        body_line=parsed.body_line,
        front=parsed.front,
        figures=parsed.figures,
        review=figures.review_state(parsed.meta, settings, today, parsed.review_due),
        problems=parsed.problems + sink.items,
        todo=parsed.todo,
        refused=parsed.refused,
        parsed=parsed,
    )


def _newest_first(record: PostMortem) -> tuple[int, float, str]:
    started = record.started
    return (started is None, -started.timestamp() if started else 0.0, record.name)


def _check_unique_ids(records: list[PostMortem]) -> None:
    by_id: dict[str, list[PostMortem]] = defaultdict(list)
    for record in records:
        ident = record.id
        if ident:
            by_id[ident].append(record)
    for ident, holders in by_id.items():
        if len(holders) < 2:
            continue
        for record in holders:
            others = ", ".join(f"{o.path}:{o.line_of('id')}" for o in holders if o is not record)
            record.problems.append(
                Problem(
                    record.path,
                    record.line_of("id"),
                    "error",
                    "id",
                    f"{ident} is also used by {others}; ids must be unique",
                )
            )


def _check_references(records: list[PostMortem], settings: Settings) -> None:
    known = {r.id for r in records}
    for record in records:
        own = record.id
        for key in REFERENCE_KEYS:
            for _, ident, line in reference_items(record, key):
                if ident in known or ident == own or settings.in_tracker(ident):
                    continue  # a post-mortem here, or one in the external tracker
                record.problems.append(
                    Problem(
                        record.path,
                        line,
                        "warning",
                        key,
                        f"{ident} names no post-mortem on this site",
                    )
                )


def discover(
    root: str | Path, display_base: str | Path | None = None, repository: str | Path | None = None
) -> list[Source]:
    """Post-mortem files below ``root`` (:func:`~postmortems.model.paths.is_postmortem`)."""
    root = Path(root)
    repo = str(repository) if repository is not None else None
    if root.is_file():
        return [
            Source(os.path.abspath(root), display_path(root, display_base), root.name[:-3], repo)
        ]
    found = []
    abs_root = os.path.abspath(root)
    for folder, dirs, names in os.walk(abs_root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(("_", ".")))
        # Paths are made once a folder: relpath per file cost more than parsing the file.
        below = os.path.relpath(folder, abs_root).replace(os.sep, "/")
        below = "" if below == "." else below + "/"
        shown = display_path(folder, display_base)
        shown = "" if shown == "." else shown + "/"
        inside = os.path.join(folder, "")  # joined once a folder, not once a file
        for name in sorted(names):
            if is_postmortem(below + name):
                found.append(Source(inside + name, shown + name, below + name[:-3], repo))
    return found


def display_path(path: str | Path, display_base: str | Path | None = None) -> str:
    """The path as messages show it: relative to ``display_base`` (or here), with '/'."""
    try:
        return os.path.relpath(path, display_base or os.curdir).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return str(path).replace(os.sep, "/")
