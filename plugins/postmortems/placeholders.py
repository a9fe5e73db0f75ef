"""Finding text left over from the post-mortem template.

Allowed in a Draft, an error once the post-mortem is Reviewed or Closed. Code
(fenced blocks and inline spans) is skipped: a log line may well contain ``<ID>``.
"""

from __future__ import annotations

import re
from typing import Iterator

from .body import prose_lines

PLACEHOLDER_RE = re.compile(
    r"_REPLACE_WITH_\w*"                          # _REPLACE_WITH_SERVICE
    r"|<[A-Z][A-Z0-9]*(?:[ _:-][A-Z0-9]+)*>"      # <SERVICE NAME>, <YYYY-MM-DD HH:MM>
    r"|(?<![\]!\w])\[[A-Z][a-z]+(?: [A-Za-z]+)*\](?![(\[:])"  # [Name], [Team name]
)
# Each kind on its own starts with a literal, which the regex engine finds fast.
_QUICK = [re.compile(p) for p in (r"_REPLACE_WITH_", r"<[A-Z]", r"\[[A-Z][a-z]")]


def may_hold(text: str, escapes: bool = False) -> bool:
    """Whether ``text`` can hold a placeholder: each kind starts with a literal that is
    found fast. With ``escapes``, the text is YAML, where an escape in a double-quoted
    value (``"\\x3cNAME>"``) can make one the raw text does not show."""
    return any(quick.search(text) for quick in _QUICK) or (escapes and "\\" in text)


def find_in_text(text: str) -> list[str]:
    """The placeholders in one value of front matter."""
    if "_REPLACE_WITH_" not in text and "<" not in text and "[" not in text:
        return []  # most values: no regex at all
    return PLACEHOLDER_RE.findall(text)


def find_in_body(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(file line, placeholder) for each placeholder in the Markdown body, outside code."""
    if not may_hold(body):  # the common case: nothing to report
        return
    for number, text in prose_lines(body, first_line):
        for found in PLACEHOLDER_RE.findall(text):
            yield number, found
