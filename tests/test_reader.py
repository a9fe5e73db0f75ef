"""Reading files: every key at its own line, YAML surprises caught, bad files explained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import good

from postmortems.catalog import catalog
from postmortems.model.problems import ProblemSink
from postmortems.model.settings import Settings
from postmortems.read import block_yaml, reader


def check(tmp_path: Path, content: str | bytes, name: str = "pm.md") -> list[str]:
    """Every problem line for one file, as the command line prints them."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    result = catalog.load([catalog.Source(str(path), name, name[:-3])], Settings())
    return [p.text() for p in result.problems]


def test_good_file_has_no_problems(tmp_path):
    assert check(tmp_path, good()) == []


def test_bom_and_crlf_are_read_as_if_absent(tmp_path):
    text = "\ufeff" + good().replace("\n", "\r\n")
    assert check(tmp_path, text.encode("utf-8")) == []
    broken = "\ufeff" + good(severity="P9").replace("\n", "\r\n")
    assert check(tmp_path, broken.encode("utf-8")) == [
        "pm.md:4: error: severity: 'P9' is not one of P1, P2, P3, P4"
    ]


def test_duplicate_key_is_an_error_at_the_second_line(tmp_path):
    text = good().replace("severity: P2\n", "severity: P2\nseverity: P1\n")
    assert check(tmp_path, text) == [
        "pm.md:5: error: severity: duplicate key; it is already set on line 4 and YAML "
        "would silently keep only the last one"
    ]


def test_no_in_a_list_of_services_is_not_false(tmp_path):
    text = good().replace("services: [checkout-api]", "services:\n  - checkout-api\n  - no")
    assert check(tmp_path, text) == [
        "pm.md:13: error: services[1]: 'no' is read by YAML as the boolean false; "
        'put it in quotes: "no"'
    ]


def test_sexagesimal_number_is_caught(tmp_path):
    text = good().replace("owner:", "downtime_minutes: 1:30\nowner:", 1)
    assert check(tmp_path, text) == [
        "pm.md:12: error: downtime_minutes: '1:30' is read by YAML 1.1 as 90 (base 60); "
        "write the plain number: 90"
    ]


def test_unquoted_handle_is_explained(tmp_path):
    text = good().replace('owner: "@sre"', "owner: @sre", 1)
    assert check(tmp_path, text) == [
        "pm.md:12: error: owner: a value cannot start with '@' unless quoted; write it as \"@sre\""
    ]


def test_tab_indentation_is_explained(tmp_path):
    text = good().replace("services: [checkout-api]", "services:\n\t- checkout-api")
    assert check(tmp_path, text) == [
        "pm.md:12: error: a tab character in the front matter; YAML needs spaces for indentation"
    ]


def test_missing_closing_fence(tmp_path):
    text = good().replace("---\n## Summary", "## Summary")
    assert check(tmp_path, text) == [
        "pm.md:1: error: the front matter opened on line 1 is never closed; "
        "add a line '---' after the last key"
    ]


def test_empty_file(tmp_path):
    assert check(tmp_path, "") == [
        "pm.md:1: error: the file is empty; a post-mortem starts with front matter between '---' lines"
    ]


def test_no_front_matter(tmp_path):
    assert check(tmp_path, "# Just a heading\n") == [
        "pm.md:1: error: no front matter: a post-mortem starts with a line '---', then YAML "
        "keys (id, title, severity, status, started), then '---'"
    ]


def test_front_matter_that_is_not_a_mapping(tmp_path):
    assert check(tmp_path, "---\n- id: HOT-1\n---\nbody\n") == [
        "pm.md:2: error: the front matter must be a mapping of keys to values (key: value), "
        "not a list"
    ]


def test_non_utf8_file(tmp_path):
    data = good().encode("utf-8").replace(b"Checkout errors", b"Checkout \xe9rrors")
    assert check(tmp_path, data) == [
        "pm.md:3: error: the file is not valid UTF-8 (byte 0xe9 at column 17); save it as UTF-8"
    ]


def test_anchors_and_aliases_are_refused(tmp_path):
    text = good().replace("services: [checkout-api]", "services: &s [checkout-api]\ntags: *s")
    assert check(tmp_path, text) == [
        "pm.md:12: error: tags: YAML anchors and aliases (&name, *name) are not allowed; "
        "write the value out"
    ]


def test_an_alias_is_refused_on_its_own_line_and_an_unused_anchor_is_harmless(tmp_path):
    text = good().replace(
        "services: [checkout-api]",
        "services: &s [checkout-api]\ntags:\n  - db\n  - *s\n  - *nowhere",
    )
    assert check(tmp_path, text) == [
        "pm.md:14: error: tags: YAML anchors and aliases (&name, *name) are not allowed; "
        "write the value out",
        "pm.md:15: error: tags: YAML anchors and aliases (&name, *name) are not allowed; "
        "write the value out",
    ]
    assert (
        check(tmp_path, good().replace("services: [checkout-api]", "services: &s [checkout-api]"))
        == []
    )


def test_a_second_yaml_document_is_refused(tmp_path):
    text = good().replace("services: [checkout-api]", "services: [checkout-api]\n--- tags: [x]")
    assert check(tmp_path, text) == [
        "pm.md:12: error: '---' starts a second YAML document; the front matter is one "
        "mapping: remove the line, or quote a value that starts with '---'"
    ]


def test_yaml_tags_are_refused(tmp_path):
    text = good().replace('owner: "@sre"', "owner: !!python/object/apply:os.system [id]", 1)
    assert check(tmp_path, text) == [
        "pm.md:12: error: owner: YAML tags such as '!!python/object/apply:os.system' are not "
        "allowed; remove the tag"
    ]


def test_unquoted_hash_cutting_a_title_warns(tmp_path):
    text = good(title="Fix #12 now")
    assert check(tmp_path, text) == [
        "pm.md:3: warning: title: the value stops before '#12 now': YAML reads an unquoted ' #' "
        "as the start of a comment, so this is 'Fix'; put the whole value in quotes"
    ]


def test_a_comment_after_a_value_is_fine(tmp_path):
    assert check(tmp_path, good(severity="P2   # worst is P1")) == []


def test_impossible_date_names_file_line_and_field(tmp_path):
    text = good(started="2024-02-30T10:00:00Z")
    assert check(tmp_path, text) == [
        "pm.md:6: error: started: '2024-02-30T10:00:00Z' is not a real date and time: "
        "day is out of range for month"
    ]


def test_syntax_error_keeps_line_and_key(tmp_path):
    text = good().replace("services: [checkout-api]", "services: [checkout-api")
    assert check(tmp_path, text) == [
        "pm.md:11: error: services: invalid YAML: the list or mapping opened with '[' or '{' on "
        "this line is not closed (did not find expected ',' or ']')"
    ]


@pytest.mark.parametrize(
    "key,line",
    [("id", 2), ("title", 3), ("severity", 4), ("status", 5), ("started", 6), ("owner", 12)],
)
def test_every_key_is_reported_at_its_own_line(tmp_path, key, line):
    text = good().replace(f"\n{key}:", f"\n{key}: [1, 2]\nx_{key}:", 1)
    problems = [p for p in check(tmp_path, text) if f": {key}: " in p]
    assert problems and problems[0].startswith(f"pm.md:{line}: error: {key}: expected")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    from postmortems.read.reader import read_file

    path = tmp_path / "pm.md"
    path.write_text(good() + "x" * 5000, encoding="utf-8")
    result = catalog.load([catalog.Source(str(path), "pm.md", "pm")], Settings(max_file_size=4096))
    assert [p.text() for p in result.problems] == [
        f"pm.md:1: error: the file is {path.stat().st_size:,} bytes, over the limit of 4,096 "
        "(max_file_size); it is not published. Move logs and large pastes elsewhere"
    ]
    assert [p.message for p in read_file(str(path), "pm.md", max_size=4096).problems.items] == [
        "the file is over the size limit of 4,096 bytes (max_file_size); move logs and large "
        "pastes out of the post-mortem"
    ]
    assert read_file(str(path), "pm.md", max_size=len(path.read_bytes())).front is not None


def test_a_file_reached_through_a_folder_linked_outside_the_repository_is_refused(tmp_path):
    """MkDocs follows linked folders; a file is judged by where its folder really is."""
    import os

    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "pm").mkdir(parents=True)
    outside.mkdir()
    (repo / "shared").mkdir()
    for folder in (outside, repo / "shared", repo / "pm"):
        (folder / "a.md").write_text(good(), encoding="utf-8")
    os.symlink(outside, repo / "pm/linked-out")
    os.symlink(repo / "shared", repo / "pm/linked-in")
    os.symlink(outside / "a.md", repo / "pm/file-out.md")
    sources = [
        catalog.Source(str(repo / "pm" / name), name, name[:-3], str(repo))
        for name in ("a.md", "linked-out/a.md", "linked-in/a.md", "file-out.md")
    ]
    refused = [r.path for r in catalog.load(sources, Settings()).records if r.refused]
    assert sorted(refused) == ["file-out.md", "linked-out/a.md"]


def test_without_bodies_every_problem_is_found_and_nothing_body_less_is_cached(tmp_path):
    """The command line parses without keeping bodies; the checks of the body still run."""
    examples = catalog.discover(Path(__file__).parent.parent / "docs/postmortems")
    (tmp_path / "blame.md").write_text(
        good(id="HOT-7", status="Closed")
        .replace("## Summary", "## Summary\n\nA human error.\n", 1)
        .replace("| 2025-03-04 10:", "| yesterday-ish |\n| 2025-03-04 10:", 1),
        encoding="utf-8",
    )
    (tmp_path / "bare.md").write_text(
        good(id="HOT-8", status="Closed").split("## ")[0], encoding="utf-8"
    )
    sources = examples + catalog.discover(tmp_path)
    with_bodies = catalog.load(sources, Settings())
    without = catalog.load(sources, Settings(), bodies=False)
    assert sum(1 for r in with_bodies.records if r.body) == len(sources) - 1  # bare.md has none
    assert not any(r.body for r in without.records)
    assert [p.text() for p in without.problems] == [p.text() for p in with_bodies.problems]
    assert {"body", "timeline", "language"} <= {p.field for p in without.problems}
    cache = catalog.ParseCache()
    assert not any(p.body for p in cache.get_all(sources, Settings(), bodies=False))
    assert sum(1 for p in cache.get_all(sources, Settings()) if p.body) == len(sources) - 1


def _shape(node):
    if isinstance(node, reader.Scalar):
        return (node.text, node.tag, node.plain, node.line)
    if isinstance(node, reader.Sequence):
        return ("list", node.line, node.item_lines, [_shape(item) for item in node])
    if isinstance(node, reader.Mapping):
        return ("map", node.line, dict(node.key_lines), {k: _shape(v) for k, v in node.items()})
    return node


NEAR_MISSES = [
    "title: a long title\n  that goes on\nid: HOT-1",  # a plain value over two lines
    "title:\n  a title below its key",
    "services:\n- a\n  b",
    "title: Fix #12 now",  # the reader warns that the value stops before '#12'
    "title: text #cut",
    'title: "quoted"# no space',
    "services: [a # b]",
    "- # item below\n  x: 1",
    'title: "tab\\there"',
    "title: 'it''s'",
    "title: &t x\nowner: *t",
    "id: HOT-1\nid: HOT-2",
    "action_items:\n  - title: x\n     owner: y",
    "services: [a,\n  b]",
    "services: [a, [b]]",
    "services: ['a, b']",
    "title: x:",
    "title: - x",
    "title: =",
    "title: <<",
    "<<: {a: 1}",
    "title: !!str 12",
    "title:\tx",
    "title: x\u2028y",
    "title: |\n  block",
    "  id: HOT-1\n  title: indented",
    "- id: HOT-1",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_front_matter_near_the_usual_shapes_reads_as_libyaml_reads_it(text):
    """The line-by-line reading of the usual front matter takes none of these (each is
    read another way by YAML, or has a problem to report): their tree and problems are
    those libyaml's events give."""
    assert block_yaml.read(text, reader.implicit_types()) is None
    ours, events = ProblemSink("pm.md"), ProblemSink("pm.md")
    assert _shape(reader._compose(text, ours)) == _shape(reader.compose_events(text, events))
    assert [p.text() for p in ours.items] == [p.text() for p in events.items]


COMMENTED = [
    "title: text # a comment",
    "severity: P2   # worst is P1\nid: HOT-1  #",
    "impact:  # figures below\n  users_affected: 3 # about\n  # a line of its own\n",
    "title: 'quoted' # c\nowner: \"@sre\"  # #oncall\nservices: [a, 'b]'] # c]",
    "action_items: # none yet\n  - title: x # c: d\n    due: 2025-01-02 # late",
    "tags: # below\n- a # first\n- b",
]


@pytest.mark.parametrize("text", COMMENTED)
def test_comments_after_values_are_read_line_by_line_as_libyaml_reads_them(text):
    """A comment after a value (or after a key whose value is below it) keeps the usual
    front matter on the fast reading, with libyaml's tree and no problem."""
    fast = block_yaml.read(text, reader.implicit_types())
    assert fast is not None
    events = ProblemSink("pm.md")
    assert _shape(fast) == _shape(reader.compose_events(text, events))
    assert events.items == []


def test_the_usual_front_matter_is_read_line_by_line():
    """Every example post-mortem keeps to the shapes read without libyaml (what makes
    validation fast), and that reading gives libyaml's tree."""
    for path in sorted((Path(__file__).parent.parent / "docs/postmortems").rglob("*.md")):
        parts = reader.split_front_matter(path.read_text(encoding="utf-8"))
        if parts is None:
            continue
        fast = block_yaml.read(parts[0], reader.implicit_types())
        assert fast is not None, path.name
        assert _shape(fast) == _shape(reader.compose_events(parts[0], ProblemSink("pm.md")))


def test_the_line_by_line_reading_leaves_exactly_the_characters_it_cannot_read():
    """A tab, a backslash, control characters, NEL, the line and paragraph separators,
    surrogates, a byte order mark and the two non-characters go to libyaml; every other
    character YAML allows is read line by line (checked over every code point)."""
    readable = re.compile(
        "[\n -\\[\\]-~\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    )
    every = "".join(map(chr, range(0x110000)))
    left = "".join(block_yaml._OUTSIDE.findall(every))
    assert left == readable.sub("", every) and len(left) == 2118
    assert {"\t", "\\", "\x85", "\u2028", "\ufeff"} <= set(left)
