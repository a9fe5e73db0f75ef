"""The stash that keeps generated HTML out of Markdown: what the search indexer sees
(``hide``) and what the published page shows (``restore``)."""

from __future__ import annotations

import random
import re

from postmortems.render.html import Stash


def stash_with_blocks() -> tuple[Stash, str, str, str]:
    stash = Stash()
    card = stash.put('<div class="pm-card">Severity P1</div>')
    summary = stash.put('<p class="pm-summary-line">P1 · Closed</p>', searchable=True)
    link = stash.put_inline('<a href="../b/">HOT-2</a>')
    return stash, card, summary, link


def test_search_sees_summary_and_links_but_not_the_card_and_the_page_shows_all():
    stash, card, summary, link = stash_with_blocks()
    html = f"<p>{card}</p>\n<p>{summary}</p>\n<p>Same as {link} last week.</p>"
    indexed = stash.hide(html)
    assert indexed == (
        f'<!--{card}-->\n<p class="pm-summary-line">P1 · Closed</p>\n'
        '<p>Same as <a href="../b/">HOT-2</a> last week.</p>'
    )
    published = stash.restore(indexed)
    assert published == (
        '<div class="pm-card">Severity P1</div>\n<p class="pm-summary-line">'
        'P1 · Closed</p>\n<p>Same as <a href="../b/">HOT-2</a> last week.</p>'
    )
    assert stash.restore(html) == published  # restore alone does both steps


def test_keys_out_of_place_and_look_alikes_are_left_as_written():
    stash, card, _, _ = stash_with_blocks()
    html = f"<pre><code>{card}</code></pre> PMSTASH PMSTASHx <p>PMSTASH</p>"
    assert stash.restore(html) == html


def test_blocks_put_in_are_not_read_again_for_keys():
    stash = Stash()
    inner = stash.put_inline("<b>inner</b>")
    outer = stash.put_inline(f"literal {inner}")
    assert stash.hide(f"<p>{outer}</p>") == f"<p>literal {inner}</p>"


def _reference_hide(stash: Stash, html: str) -> str:
    """The two regex passes hide was first written as."""

    def swap(match: re.Match[str]) -> str:
        key = match.group(1)
        return stash.blocks.get(key, "") if key.endswith("S") else f"<!--{key}-->"

    html = re.sub(r"<p>(PMSTASH\d+[XS])</p>", swap, html)
    return re.sub(r"PMSTASH\d+I", lambda m: stash.blocks.get(m.group(0), m.group(0)), html)


def _reference_restore(stash: Stash, html: str) -> str:
    return re.sub(
        r"<!--(PMSTASH\d+X)-->",
        lambda m: stash.blocks.get(m.group(1), ""),
        _reference_hide(stash, html),
    )


def test_one_pass_swap_matches_the_regex_passes_on_random_pages():
    rng = random.Random(7)
    stash = Stash()
    keys = [stash.put(f"<div>block {n}</div>", searchable=n % 3 == 0) for n in range(20)]
    keys += [stash.put_inline(f"<a href='#{n}'>link {n}</a>") for n in range(20)]
    keys += ["PMSTASH99999999X", "PMSTASH99999998S", "PMSTASH99999997I"]  # unknown keys
    pieces = ["<p>", "</p>", "<!--", "-->", "\n", " text ", "PMSTASH", "PMSTASHx", "<p>PMSTASH12"]
    for _ in range(3000):
        html = "".join(
            rng.choice(keys) if rng.random() < 0.4 else rng.choice(pieces)
            for _ in range(rng.randint(0, 12))
        )
        assert stash.hide(html) == _reference_hide(stash, html), html
        assert stash.restore(html) == _reference_restore(stash, html), html
        hidden = stash.hide(html)
        assert stash.restore(hidden) == _reference_restore(stash, hidden), hidden
