"""Finding text left over from the post-mortem template.

Allowed in a Draft, an error once the post-mortem is Reviewed or Closed (see
:mod:`template`, which also skips code: a log line may well contain ``<ID>``).
"""

from __future__ import annotations

import re

PLACEHOLDER_RE = re.compile(
    r"_REPLACE_WITH_\w*"  # _REPLACE_WITH_SERVICE
    r"|<[A-Z][A-Z0-9]*(?:[ _:-][A-Z0-9]+)*>"  # <SERVICE NAME>, <YYYY-MM-DD HH:MM>
    r"|\[(?<![\]!\w]\[)[A-Z][a-z]+(?: [A-Za-z]+)*\](?![(\[:])"  # [Name], [Team name]
)
# Each kind above starts with its literal (the lookbehind comes after the '['), so the regex
# engine skips to the characters that can start one instead of trying every position.
# For may_hold, each kind's first character is found by a one-character search, at memory
# speed; only text that holds one is searched with a regex, from there on.
_ANGLE_RE = re.compile(r"<[A-Z]")
_BRACKET_RE = re.compile(r"\[[A-Z][a-z]")


def may_hold(text: str, escapes: bool = False) -> bool:
    """Whether ``text`` can hold a placeholder. With ``escapes``, the text is YAML, where an
    escape in a double-quoted value (``"\\x3cNAME>"``) can make one the raw text does not
    show."""
    if "_REPLACE_WITH_" in text or (escapes and "\\" in text):
        return True
    for first, quick in (("<", _ANGLE_RE), ("[", _BRACKET_RE)):
        start = text.find(first)
        if start != -1 and quick.search(text, start):
            return True
    return False


def find_in_text(text: str) -> list[str]:
    """The placeholders in one value of front matter."""
    if "_REPLACE_WITH_" not in text and "<" not in text and "[" not in text:
        return []  # most values: no regex at all
    return PLACEHOLDER_RE.findall(text)
