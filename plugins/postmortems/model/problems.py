"""Problems found in post-mortem files, and the three ways they are printed.

Every problem is one GCC-style line, ``path:line: error|warning: field: message``,
so editors, CI logs and people all read the same thing.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import Literal, NamedTuple

Level = Literal["error", "warning"]
ERROR: Level = "error"
WARNING: Level = "warning"


class Problem(NamedTuple):
    """One thing wrong with one file, at one line."""

    path: str
    line: int
    level: Level
    field: str
    message: str

    def text(self) -> str:
        """The GCC-style line: ``path:line: level: field: message``."""
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}: {self.level}: {where}{self.message}"

    def github(self) -> str:
        """A GitHub Actions workflow annotation for this problem."""
        where = f"{self.field}: " if self.field else ""
        props = f"file={_gh_property(self.path)},line={self.line}"
        if self.field:
            props += f",title={_gh_property(self.field)}"
        return f"::{self.level} {props}::{_gh_data(where + self.message)}"

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def _gh_data(text: str) -> str:
    """Escape a workflow command's message as the runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """Escape a workflow command's property value (also ``:`` and ``,``)."""
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


class ProblemSink:
    """Collects the problems of one file; the parser and validator both write here."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Problem] = []

    def error(self, line: int, field: str, message: str) -> None:
        self.items.append(Problem(self.path, max(line, 1), ERROR, field, message))

    def warning(self, line: int, field: str, message: str) -> None:
        self.items.append(Problem(self.path, max(line, 1), WARNING, field, message))


def count(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings) among ``problems``."""
    errors = warnings = 0
    for p in problems:
        if p.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def render(problems: list[Problem], fmt: str) -> str:
    """All problems in one of the command line's formats: text, github or json."""
    if fmt == "json":
        return json.dumps([p._asdict() for p in problems], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(p.github() for p in problems)
    return "\n".join(p.text() for p in problems)


def closest(text: str, options: Iterable[str]) -> str | None:
    """The option ``text`` most likely meant: the same but for case, or a near spelling."""
    options = tuple(options)
    folded = {o.lower(): o for o in options}
    if text.lower() in folded:
        return folded[text.lower()]
    close = difflib.get_close_matches(text, options, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(text: str, options: Iterable[str]) -> str:
    """'; did you mean 'severity'?' for the closest option, or '' when none is close."""
    meant = closest(text, options)
    return f"; did you mean '{meant}'?" if meant is not None else ""
