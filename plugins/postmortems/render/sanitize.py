"""An allow-list sanitizer for the HTML of post-mortem pages.

Python-Markdown passes raw HTML through untouched, and post-mortems arrive from
hundreds of engineers pasting from chat and terminals. Unless the site trusts
them (``trust_html: true``), each post-mortem page's HTML keeps only harmless tags
and attributes: no scripts, no event handlers, no styles, only http(s), mailto
and relative links.
"""

from __future__ import annotations

import nh3

_EVERYWHERE = {"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-hidden"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": _EVERYWHERE,
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "details": {"open"},
    "div": {"data-id"},
}
TAGS = set(nh3.ALLOWED_TAGS) - {"map", "area"}
SCHEMES = {"http", "https", "mailto"}


def clean(html: str) -> str:
    """``html`` with everything outside the allow-list removed."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def needed(markdown: str) -> bool:
    """Whether a body can produce anything the allow-list would remove: raw HTML, an entity,
    a link (Python-Markdown keeps any URL scheme, javascript: included) or an attribute
    list (attr_list writes any attribute, onclick included)."""
    return any(mark in markdown for mark in ("<", "&", "](", "]:", "{"))
