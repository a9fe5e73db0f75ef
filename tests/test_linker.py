"""Ids in prose become links; code, links, raw HTML and longer tokens are left alone."""

from __future__ import annotations

from postmortems.model.settings import DEFAULT_ID_PATTERN
from postmortems.render.linker import Linker

KNOWN = {"HOT-13432": "Build pods fail", "HOT-12001": 'Auth <keys> & "quotes"'}


def resolve(ident):
    return (f"../{ident.lower()}/", KNOWN[ident]) if ident in KNOWN else None


def link(text: str) -> str:
    return Linker(DEFAULT_ID_PATTERN).link(text, resolve)


A = '<a class="pm-ref" href="../hot-13432/" title="Build pods fail">HOT-13432</a>'


def test_mentions_in_prose_become_links():
    assert link("Same as HOT-13432, again.") == f"Same as {A}, again."
    assert link("(HOT-13432)") == f"({A})"
    assert link("| HOT-13432 | table cell |") == f"| {A} | table cell |"
    assert link("*HOT-13432*") == f"*{A}*"


def test_tooltip_is_escaped():
    assert link("HOT-12001") == (
        '<a class="pm-ref" href="../hot-12001/" '
        'title="Auth &lt;keys&gt; &amp; &quot;quotes&quot;">HOT-12001</a>'
    )


def test_code_is_left_alone():
    assert link("run `grep HOT-13432` now") == "run `grep HOT-13432` now"
    assert link("a ``HOT-13432 ` x`` b") == "a ``HOT-13432 ` x`` b"
    fenced = "```\nHOT-13432\n```\nHOT-13432"
    assert link(fenced) == f"```\nHOT-13432\n```\n{A}"
    tilde = "~~~~\n```\nHOT-13432\n~~~~\n"
    assert link(tilde) == tilde
    indented = "Text.\n\n    HOT-13432 in a code block\n"
    assert link(indented) == indented


def test_list_continuation_is_not_code():
    text = "- item\n\n    more about HOT-13432\n"
    assert link(text) == f"- item\n\n    more about {A}\n"


def test_existing_links_and_raw_html_are_left_alone():
    for text in (
        "[HOT-13432](https://elsewhere/)",
        "[see HOT-13432][ref]",
        "![HOT-13432](img.png)",
        '<a href="x">HOT-13432</a>',
        '<span title="HOT-13432">x</span>',
        "<https://t.example/HOT-13432>",
        "<!-- HOT-13432 -->",
    ):
        assert link(text) == text, text
    block = '<div class="x">\nHOT-13432\n</div>\n\nHOT-13432'
    assert link(block) == f'<div class="x">\nHOT-13432\n</div>\n\n{A}'


def test_longer_tokens_and_lookalikes_are_not_ids():
    for text in (
        "XHOT-13432",
        "HOT-134321",
        "HOT-13432a",
        "hot-13432",
        "HOT_13432",
        "HOT-13432-7",
        "HOT‑13432",
        "HOT-１３４３２",
        "HOT-١٣٤٣٢",
        "v2.HOT-13432x",
    ):
        assert link(text) == text, text


def test_unknown_ids_stay_text():
    assert link("HOT-99999 and HOT-13432") == f"HOT-99999 and {A}"


def test_linear_in_the_page():
    text = "\n".join(f"Line {n} mentions HOT-13432 and HOT-{n}." for n in range(5000))
    result = link(text)
    assert result.count('class="pm-ref"') == 5000


def test_ids_of_any_pattern_are_linked():
    for pattern, text, ident in (
        (r"INC#\d+", "See INC#42.", "INC#42"),
        (r"[A-Z]+-?\d+", "See INC42.", "INC42"),
        (r"(?:[A-Z]+-)?\d+", "See 4242.", "4242"),
    ):
        linked = Linker(pattern).link(text, lambda i: ("x/", "t"))
        assert linked == f'See <a class="pm-ref" href="x/" title="t">{ident}</a>.', pattern
    assert (
        Linker(r"INC\d+").link("See INC42.", lambda i: ("x/", "t"))
        == 'See <a class="pm-ref" href="x/" title="t">INC42</a>.'
    )
