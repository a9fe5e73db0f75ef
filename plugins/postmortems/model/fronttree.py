"""The front matter as read: scalars with their text, YAML type and line; mappings and
lists that remember the line of each key and item. Both readers build it (:mod:`reader`
from libyaml's events, :mod:`block_yaml` from the lines of the usual front matter)."""

from __future__ import annotations

from typing import NamedTuple, Union


class Scalar(NamedTuple):
    """A YAML scalar as typed: its text, the type YAML 1.1 gives it, and where it is.
    (Named tuples, like every record on the command line's path: dataclasses are costly
    to import and to define at every start of the command.)"""

    text: str
    tag: str  # str, int, float, bool, null or timestamp
    plain: bool  # unquoted: only plain scalars get YAML's implicit types
    line: int  # 1-based line in the file


class Mapping(dict):
    """A YAML mapping of text keys; remembers the file line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class Sequence(list):
    """A YAML sequence; remembers its own line and each item's line."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


Node = Union[Scalar, Mapping, Sequence]  # noqa: UP007 (a runtime alias, for Python 3.10)
