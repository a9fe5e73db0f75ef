""" "Possibly related": for each post-mortem, the earlier incidents most like it.

Two incidents are alike by what they share: a contributing factor (3 points), a
service (2), a tag (1) or a word of their titles (1). A feature most incidents share
(more than a tenth of them, and more than MIN_COMMON) says nothing and is skipped. Each
incident is compared only with the NEAREST earlier incidents of each feature it has,
so the work grows with the number of post-mortems, not its square. Incidents already
linked either way (recurrence, related) are not suggested again. A suggestion is never
a warning: an author decides.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .records import PostMortem

WEIGHTS = {"factor": 3, "service": 2, "tag": 1, "word": 1}
THRESHOLD = 3  # points: a shared factor, or a service and a word, ...
LIMIT = 3  # suggestions a post-mortem shows
NEAREST = 25  # earlier incidents of each feature compared
MIN_COMMON = 30
_WORD = re.compile(r"[a-z][a-z0-9]{3,}")
STOPWORDS = frozenset(
    "after again from into over that than then this were when with while during "
    "because about before under some their there what which".split()
)


class Feature(NamedTuple):
    kind: str  # a key of WEIGHTS
    value: str


class Suggestion(NamedTuple):
    record: PostMortem
    score: int
    shared: tuple[Feature, ...]  # what makes them alike, the weightiest first

    @property
    def why(self) -> str:
        """'shares the factor capacity-limit; the service orders-db; the title word pool'."""
        parts = []
        for kind in ("factor", "service", "tag"):
            values = [f.value for f in self.shared if f.kind == kind]
            if values:
                plural = "s" if len(values) > 1 else ""
                parts.append(f"the {kind}{plural} {', '.join(values)}")
        words = [f.value for f in self.shared if f.kind == "word"]
        if words:
            plural = "s" if len(words) > 1 else ""
            parts.append(f"the title word{plural} {', '.join(words)}")
        return "shares " + "; ".join(parts)


def words(title: str) -> set[str]:
    """A title's telling words: four letters or more, not stop words, plural 's' off."""
    out = set()
    for word in _WORD.findall(title.lower()):
        if word in STOPWORDS:
            continue
        out.add(word[:-1] if word.endswith("s") and len(word) > 4 else word)
    return out


def features(
    title: str,
    services: Iterable[str] = (),
    factors: Iterable[str] = (),
    tags: Iterable[str] = (),
) -> set[Feature]:
    found = {Feature("word", w) for w in words(title)}
    found |= {Feature("service", str(s)) for s in services}
    found |= {Feature("factor", str(f)) for f in factors}
    found |= {Feature("tag", str(t)) for t in tags}
    return found


def of(record: PostMortem) -> set[Feature]:
    meta = record.meta
    return features(
        str(meta.get("title") or ""),
        meta.get("services") or (),
        meta.get("contributing_factors") or (),
        meta.get("tags") or (),
    )


def _linked(record: PostMortem) -> set[str]:
    return set((record.meta.get("recurrence") or []) + (record.meta.get("related") or []))


class Index:
    """The catalog's incidents by feature, oldest first, to find the ones most alike."""

    def __init__(self, records: Iterable[PostMortem]) -> None:
        dated = [r for r in records if r.started is not None]
        self.records = sorted(dated, key=lambda r: (r.started, r.name))
        self.features = [of(r) for r in self.records]
        counts = Counter(f for found in self.features for f in found)
        self.common = {f for f, n in counts.items() if n > max(MIN_COMMON, len(self.records) // 10)}

    def all(self) -> dict[str, list[Suggestion]]:
        """Every post-mortem's suggestions, by record name, in one pass oldest first."""
        postings: dict[Feature, list[int]] = defaultdict(list)
        out: dict[str, list[Suggestion]] = {}
        for index, (record, found) in enumerate(zip(self.records, self.features)):
            out[record.name] = self._best(record, found, postings)
            for feature in found - self.common:
                postings[feature].append(index)
        return out

    def like(self, found: set[Feature], limit: int = LIMIT) -> list[Suggestion]:
        """The incidents most like a new one described by ``found`` (``postmortems new``)."""
        postings: dict[Feature, list[int]] = defaultdict(list)
        for index, features_ in enumerate(self.features):
            for feature in features_ - self.common:
                postings[feature].append(index)
        return self._best(None, found, postings, limit)

    def _best(
        self,
        record: PostMortem | None,
        found: set[Feature],
        postings: dict[Feature, list[int]],
        limit: int = LIMIT,
    ) -> list[Suggestion]:
        telling = found - self.common
        scores: dict[int, int] = defaultdict(int)
        for feature in telling:
            weight = WEIGHTS[feature.kind]
            for other in postings.get(feature, ())[-NEAREST:]:
                scores[other] += weight
        linked = _linked(record) if record is not None else set()
        # The most alike first, the latest of equals first; linked ones are passed over.
        ranked = heapq.nlargest(
            limit + len(linked) + 2,
            ((score, other) for other, score in scores.items() if score >= THRESHOLD),
        )
        out = []
        for score, other in ranked:
            candidate = self.records[other]
            if candidate.id in linked or (record is not None and record.id in _linked(candidate)):
                continue
            common = sorted(
                telling & self.features[other], key=lambda f: (-WEIGHTS[f.kind], f.value)
            )
            out.append(Suggestion(candidate, score, tuple(common)))
            if len(out) == limit:
                break
        return out
