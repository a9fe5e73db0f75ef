"""Turning incident ids in Markdown prose into links, in one pass per page.

One regular expression scans the page once; at each position it matches either
something to leave alone (code, links, raw HTML, autolinks) or an id. Ids are
looked up in a dict, so the cost is linear in the page, not in the number of ids.
Block-level code and raw HTML blocks are skipped line by line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from postmortems.model.settings import id_body, mention_source

# A resolver gets an id and returns (href, tooltip) or None to leave the text alone.
Resolver = Callable[[str], "tuple[str, str] | None"]
# Given a link's HTML, what to write into the Markdown instead (e.g. a placeholder word).
Keep = Callable[[str], str]

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
_SETEXT_RE = re.compile(r"^ {0,3}(?:=+|-+)\s*$")
_HTML_BLOCK_RE = re.compile(r"^ {0,3}<(?:[A-Za-z][A-Za-z0-9-]*|!--)(?:[\s/>]|$)")
_SKIP = (
    r"(?P<code>(?P<ticks>`+).+?(?P=ticks))"  # inline code
    r"|(?P<link>!?\[(?:[^\[\]]|\[[^\]]*\])*\]"  # [text] or ![alt] ...
    r"(?:\((?:[^()]|\([^)]*\))*\)|\[[^\]]*\]))"  # ... (url) or [ref]
    r"|(?P<anchor><a[\s>].*?</a\s*>)"  # a raw HTML link, with its text
    r"|(?P<tag></?[A-Za-z][^>]*>|<!--.*?-->)"  # any other HTML tag or comment
    r"|(?P<auto><(?:https?|mailto|ftp):[^>]*>)"  # autolink
)


class Linker:
    """Links every known id in Markdown text; knows nothing of MkDocs."""

    def __init__(self, id_pattern: str) -> None:
        self._inline = re.compile(_SKIP + "|" + mention_source(id_pattern), re.ASCII)
        # Without '`', '[' or '<' a line holds nothing to skip: ids alone are found faster.
        self._mention = re.compile(mention_source(id_pattern), re.ASCII)
        self._probe = re.compile(id_body(id_pattern), re.ASCII)  # most lines mention no id

    def link(self, markdown: str, resolve: Resolver, keep: Keep | None = None) -> str:
        """``markdown`` with each resolvable id mention replaced by an HTML link.

        With ``keep``, the link's HTML is handed to it and what it returns is written
        instead, except in headings, whose text becomes the table of contents.
        """
        hits = self._lines_with_ids(markdown)
        if not hits:
            return markdown  # most pages mention no id at all
        out: list[str] = []
        fence: str | None = None
        in_html = False
        previous_blank = True
        lines = markdown.split("\n")
        last = max(hits)  # the lines after it are written as they are
        for index, line in enumerate(lines[: last + 1]):
            stripped = line.strip()
            opener = _FENCE_RE.match(line) if "`" in line or "~" in line else None
            if fence is not None:
                if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                    fence = None
                out.append(line)
            elif opener:
                fence = opener.group(1)
                out.append(line)
            elif in_html or (previous_blank and _HTML_BLOCK_RE.match(line)):
                in_html = bool(stripped)  # a raw HTML block runs to the next blank line
                out.append(line)
            elif previous_blank and line.startswith(("    ", "\t")) and not _in_list(out):
                out.append(line)  # indented code block
            elif index in hits:
                heading = _HEADING_RE.match(line) or (
                    index + 1 < len(lines) and _SETEXT_RE.match(lines[index + 1])
                )
                out.append(self._link_line(line, resolve, None if heading else keep))
            else:
                out.append(line)
            previous_blank = not stripped
        out.extend(lines[last + 1 :])
        return "\n".join(out)

    def _lines_with_ids(self, markdown: str) -> set[int]:
        """The numbers of the lines where an id is: one scan of the page, not a regex call
        on each of its lines."""
        hits: set[int] = set()
        line, counted_to = 0, 0
        for match in self._probe.finditer(markdown):
            line += markdown.count("\n", counted_to, match.start())
            counted_to = match.start()
            hits.add(line)
        return hits

    def _link_line(self, line: str, resolve: Resolver, keep: Keep | None) -> str:
        def replace(match: re.Match[str]) -> str:
            ident = match.group("id")
            if ident is None:
                return match.group(0)
            target = resolve(ident)
            if target is None:
                return ident
            href, tooltip = target
            html = f'<a class="pm-ref" href="{_attr(href)}" title="{_attr(tooltip)}">{ident}</a>'
            return keep(html) if keep is not None else html

        skippable = "`" in line or "[" in line or "<" in line
        return (self._inline if skippable else self._mention).sub(replace, line)


def _in_list(lines: list[str]) -> bool:
    """Whether the last non-blank line belongs to a list, whose continuation is indented."""
    for line in reversed(lines):
        if line.strip():
            return bool(re.match(r"^\s*(?:[-*+]|\d+[.)])\s", line)) or line.startswith(
                ("    ", "\t")
            )
    return False


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", " ")
    )
