"""The recurrence graph: backlinks, related incidents both ways, chains and cycles.

``recurrence`` on a post-mortem names earlier incidents with the same root cause;
``related`` names incidents with a different cause. Everything here is computed
from the catalog in linear time (a dict of edges, one union-find pass).
"""

from __future__ import annotations

from postmortems.model.problems import Problem

from .records import Catalog, PostMortem, reference_items


class Links:
    """What one post-mortem's recurrence section shows."""

    __slots__ = ("same_cause_as", "recurred_in", "related")

    def __init__(self) -> None:
        self.same_cause_as: list[PostMortem] = []  # earlier, named here
        self.recurred_in: list[PostMortem] = []  # later, pointing back here
        self.related: list[PostMortem] = []  # both ways


class Chain:
    """Incidents joined by recurrence: one root cause, several occurrences."""

    __slots__ = ("records",)

    def __init__(self, records: list[PostMortem]) -> None:
        self.records = records  # oldest first

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def first(self) -> PostMortem:
        return self.records[0]

    @property
    def last(self) -> PostMortem:
        return self.records[-1]

    @property
    def downtime(self) -> float:
        return round(sum(r.figures.downtime or 0 for r in self.records), 2)

    @property
    def ttr(self) -> float:
        return round(sum(r.figures.ttr or 0 for r in self.records), 2)

    @property
    def services(self) -> list[str]:
        return list(dict.fromkeys(s for r in self.records for s in r.meta.get("services") or []))


class Graph:
    """Recurrence and related links of a whole catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # Only post-mortems with a link have an entry: most have none, and a build of
        # thousands should not make (and sort) three empty lists for each.
        self.links: dict[str, Links] = {}
        by_id = catalog.by_id
        related_seen: set[tuple[str, str]] = set()
        for record in catalog.records:
            meta = record.meta
            if not meta.get("recurrence") and not meta.get("related"):
                continue
            for target in _targets(record, "recurrence", by_id):
                self._entry(record).same_cause_as.append(target)
                self._entry(target).recurred_in.append(record)
            for target in _targets(record, "related", by_id):
                for a, b in ((record, target), (target, record)):
                    if (a.name, b.name) not in related_seen:
                        related_seen.add((a.name, b.name))
                        self._entry(a).related.append(b)
        for entry in self.links.values():
            for group in (entry.same_cause_as, entry.recurred_in, entry.related):
                group.sort(key=_oldest_first)

    def _entry(self, record: PostMortem) -> Links:
        entry = self.links.get(record.name)
        if entry is None:
            entry = self.links[record.name] = Links()
        return entry

    def of(self, record: PostMortem) -> Links:
        return self.links.get(record.name) or Links()

    def _same_cause_as(self, record: PostMortem) -> list[PostMortem]:
        entry = self.links.get(record.name)
        return entry.same_cause_as if entry is not None else []

    def chains(self) -> list[Chain]:
        """Groups of two or more incidents joined by recurrence, costliest first."""
        parent = {r.name: r.name for r in self.catalog.records}

        def find(name: str) -> str:
            while parent[name] != name:
                parent[name] = parent[parent[name]]
                name = parent[name]
            return name

        for record in self.catalog.records:
            for target in self._same_cause_as(record):
                parent[find(record.name)] = find(target.name)
        groups: dict[str, list[PostMortem]] = {}
        for record in self.catalog.records:
            groups.setdefault(find(record.name), []).append(record)
        chains = [Chain(sorted(g, key=_oldest_first)) for g in groups.values() if len(g) > 1]
        chains.sort(key=lambda c: (-c.downtime, -c.ttr, c.first.name))
        return chains

    def problems(self) -> list[Problem]:
        """Recurrences that point forward in time, and cycles, as warnings."""
        found = []
        for record in self.catalog.records:
            started = record.started
            for _, ident, line in reference_items(record, "recurrence"):
                target = self.catalog.by_id.get(ident)
                if target is None or target is record or started is None or target.started is None:
                    continue
                if target.started > started:
                    found.append(
                        Problem(
                            record.path,
                            line,
                            "warning",
                            "recurrence",
                            f"{ident} started after {record.id}; recurrence lists earlier "
                            f"incidents with the same root cause (list {ident} under related, "
                            f"or add {record.id} to {ident}'s recurrence)",
                        )
                    )
        found.extend(self._cycles())
        return found

    def _cycles(self) -> list[Problem]:
        """Each cycle of recurrence links once, as a warning on its first member."""
        state: dict[str, int] = {}  # 1 on the current path, 2 done
        found: list[Problem] = []
        for start in self.catalog.records:
            if state.get(start.name) or not self._same_cause_as(start):
                continue  # done, or no link out: in no cycle
            stack = [(start, iter(self._same_cause_as(start)))]
            path = [start]
            state[start.name] = 1
            while stack:
                node, children = stack[-1]
                child = next(children, None)
                if child is None:
                    stack.pop()
                    path.pop()
                    state[node.name] = 2
                elif state.get(child.name) == 1:
                    cycle = path[path.index(child) :]
                    names = " -> ".join(r.id or r.name for r in cycle + [child])
                    first = min(cycle, key=lambda r: r.path)
                    found.append(
                        Problem(
                            first.path,
                            first.line_of("recurrence"),
                            "warning",
                            "recurrence",
                            f"recurrence links form a cycle: {names}",
                        )
                    )
                elif not state.get(child.name):
                    state[child.name] = 1
                    path.append(child)
                    stack.append((child, iter(self._same_cause_as(child))))
        return found

    def open_actions(self, chain: Chain) -> list[tuple[PostMortem, dict]]:
        from .metrics import open_action_items  # 11 ms at every start of validate, for pages

        return [
            (r, item) for r in chain.records for item in open_action_items(r, self.catalog.settings)
        ]


def _targets(record: PostMortem, key: str, by_id: dict[str, PostMortem]) -> list[PostMortem]:
    seen: list[PostMortem] = []
    for ident in record.meta.get(key) or []:
        target = by_id.get(ident)
        if target is not None and target is not record and target not in seen:
            seen.append(target)
    return seen


def _oldest_first(record: PostMortem) -> tuple[bool, float, str]:
    started = record.started
    return (started is None, started.timestamp() if started else 0.0, record.name)
