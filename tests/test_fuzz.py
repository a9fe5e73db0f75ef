"""No traceback, ever: arbitrary YAML and Markdown through every stage.

A few hundred examples run in `make test`; `make fuzz` runs 10,000 per property.
Every outcome must be a record or `path:line:` messages.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortems.catalog import catalog, metrics
from postmortems.catalog.graph import Graph
from postmortems.catalog.metrics import by_service
from postmortems.model.problems import ProblemSink
from postmortems.model.settings import Settings
from postmortems.read import block_yaml, placeholders, reader, schema, template, writing
from postmortems.read.body import CANONICAL, heading_title, sections
from postmortems.read.reader import parse_bytes
from postmortems.render import card, dashboard, export, feed, pages, reviews
from postmortems.render.linker import Linker
from postmortems.render.urls import SiteUrls

SETTINGS = Settings()
LINE_RE = re.compile(r"^pm\d*\.md:[1-9]\d*: (error|warning): ")
KEYS = [
    "id",
    "title",
    "severity",
    "status",
    "started",
    "detected",
    "mitigated",
    "resolved",
    "downtime_minutes",
    "detected_by",
    "services",
    "tags",
    "owner",
    "responders",
    "review_meeting",
    "impact",
    "recurrence",
    "related",
    "action_items",
    "render_macros",
    "serverity",
    "x",
]
YAML_BITS = [
    "HOT-1",
    "HOT-2",
    "P1",
    "P9",
    "Closed",
    "Draft",
    "2025-01-01T10:00:00Z",
    "2024-02-30",
    "1:30",
    "no",
    "~",
    "@me",
    "&a",
    "*a",
    "!!python/name:os.system",
    "#",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "|",
    ">",
    "'",
    '"',
    "\t",
    "\n",
    "  ",
    "<script>",
    "{{ 7*7 }}",
    "é",
    "١٣",
    "\u2011",
    "\ufeff",
    "\r\n",
    "---",
    "...",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(YAML_BITS),
    st.dates().map(str),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS + ["title", "owner"]), inner, max_size=4),
    ),
    max_leaves=12,
)
front_matters = st.dictionaries(st.sampled_from(KEYS), values, max_size=12)
raw_yaml = st.lists(
    st.one_of(
        st.sampled_from(KEYS).map(lambda k: k + ": "),
        st.sampled_from(YAML_BITS),
        st.text(max_size=8),
    ),
    max_size=40,
).map("".join)
bodies = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "```",
                "`HOT-1`",
                "HOT-1",
                "[HOT-2](x)",
                "<a>",
                "<div>",
                "\n\n",
                "    code",
                "- item",
                "[Name]",
                "| a | b |",
                "{% raw %}",
                "<!--",
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=30,
).map(" ".join)

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def run_everything(texts: list[str | bytes]) -> None:
    """Every stage on these files; fails on any exception or malformed message."""
    with tempfile.TemporaryDirectory() as folder:
        sources = []
        for n, text in enumerate(texts):
            path = Path(folder) / f"pm{n}.md"
            path.write_bytes(
                text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
            )
            sources.append(catalog.Source(str(path), f"pm{n}.md", f"pm{n}"))
        result = catalog.load(sources, SETTINGS)
        for problem in result.problems:
            assert LINE_RE.match(problem.text()), problem.text()
        href = lambda url: url  # noqa: E731
        url_of = SiteUrls("postmortems")
        graph = Graph(result)
        for record in result.records:
            card.page_head(
                record, SETTINGS, date(2026, 11, 23), graph.of(record), lambda r: url_of(r)
            )
            Linker(SETTINGS.id_pattern).link(record.body, lambda i: ("x/", "t"))
        pages.index_page(result, href, url_of)
        for year in pages.years(result):
            pages.year_page(year, result, href, url_of)
        services = by_service(result.records)
        pages.services_index(services, result, href, url_of)
        for service in services:
            pages.service_page(service, result, href, url_of)
        pages.recurring_page(graph, href, url_of)
        export.to_json(result)
        export.to_csv(result)
        # The pages about all incidents: the dashboard, every month's review, the feed.
        today = date(2026, 11, 23)
        dashboard.page(result, today, href, url_of)
        months = metrics.months(result.records, SETTINGS, today)
        reviews.index_page(months, href, url_of)
        open_now = reviews.OpenWork.of(result, today)
        for month in months:
            if month.count:
                reviews.month_page(month, months, result, graph, today, href, url_of, open_now)
        changed = {r.source.abs_path: datetime(2026, 11, 1) for r in result.records}
        feed.atom(result, changed, url_of, "Site", "postmortems/")


@FUZZ
@given(st.text(max_size=300))
def test_any_text_file(text):
    run_everything([text.replace("\x00", "")])


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes(data):
    parse_bytes(data, "pm.md")
    run_everything([data])


@FUZZ
@given(front_matters, bodies)
def test_any_yaml_mapping_and_markdown(front, body):
    dumped = yaml.safe_dump(front, allow_unicode=True, default_flow_style=None)
    run_everything([f"---\n{dumped}---\n{body}\n"])


@FUZZ
@given(raw_yaml, bodies)
def test_yaml_like_text(front, body):
    run_everything([f"---\n{front}\n---\n{body}\n"])


@FUZZ
@given(st.lists(st.tuples(front_matters, bodies), min_size=2, max_size=5))
def test_many_files_together(files):
    texts = []
    for n, (front, body) in enumerate(files):
        front = {"id": f"HOT-{n % 3}", "recurrence": [f"HOT-{(n + 1) % 3}"], **front}
        texts.append(f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{body}\n")
    run_everything(texts)


BODY_LINES = [
    "## Summary",
    "### Root cause",
    "#### Timeline",
    "# Title",
    "##NoSpace",
    "## ",
    "```",
    "````",
    "~~~",
    "  ```py",
    "    ```",
    "text with ``` inside",
    "",
    "| 10:00 | x |",
    "| --- | --- |",
    "<!-- c -->",
    "## Impact ##",
    "\t```",
    " ~~~~",
    "##\tTabbed",
    "\r",
]


def _lines(section) -> list[tuple[int, str]]:
    """(file line, text) of each content line of a section."""
    return [
        (section.line + 1 + k, section.body_lines[index])
        for k, index in enumerate(range(section.start, section.end))
    ]


def _sections_line_by_line(text: str, first: int) -> dict[str, list[tuple[int, str]]]:
    """The plain reading of the rule: headings outside fences split the body."""
    found: dict[str, list[tuple[int, str]]] = {}
    current: list | None = None
    fence = None
    for offset, line in enumerate(text.split("\n")):
        opener = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
        if fence is None and not opener:
            heading = re.match(r"^(#{2,4})\s+(.+?)\s*#*\s*$", line)
            if heading:
                name = re.sub(r"[^a-z0-9 -]+", "", heading.group(2).lower()).strip()
                current = []
                found.setdefault(CANONICAL.get(name, name), current)
                continue
        if opener:
            if fence is None:
                fence = opener.group(1)
            elif opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
        if current is not None:
            current.append((first + offset, line))
    return found


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(BODY_LINES), st.text(max_size=12)), max_size=30))
def test_sections_are_found_as_a_line_by_line_reading_finds_them(lines):
    text = "\n".join(lines)
    found = sections(text, 7)
    assert {name: _lines(s) for name, s in found.items()} == _sections_line_by_line(text, 7)


def _rows_cell_by_cell(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The plain reading of the table rule: split every row into cells, keep the first."""
    rows, seen_rule = [], False
    for number, line in lines:
        stripped = line.strip()
        if not stripped.startswith("|"):
            if seen_rule and rows:
                break
            continue
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if not seen_rule:
            seen_rule = all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c)
            continue
        rows.append((number, cells[0]))
    return rows


TABLE_LINES = [
    "| Time | Event |",
    "| --- | --- |",
    "|:---:|---|",
    "| 10:00 | x |",
    "||10:01|",
    "| 10:02",
    "|",
    "| |",
    "  | 11:00 | y | z |",
    "|||",
    "text",
    "",
    "| -- |",
    "|a|b|c|",
]


@FUZZ
@given(
    st.lists(
        st.one_of(st.sampled_from(TABLE_LINES), st.text(alphabet="| -:a1", max_size=8)), max_size=12
    )
)
def test_timeline_rows_are_the_first_cells_a_cell_by_cell_reading_finds(lines):
    section = sections("## Timeline\n" + "\n".join(lines), 3)["timeline"]
    assert [(r.line, r.when) for r in section.table_rows] == _rows_cell_by_cell(_lines(section))


@FUZZ
@given(st.text(alphabet="## \t\r\xa0\u2003a-", max_size=12))
def test_a_heading_is_read_as_the_heading_regex_reads_it(line):
    match = re.match(r"^(#{2,4})\s+(.+?)\s*#*\s*$", line)
    assert heading_title(line) == (match.group(2) if match else None)


def _prose_lines_reference(body: str, first: int):
    """The plain reading: line by line, fenced code skipped, inline code removed."""
    fence = None
    for offset, line in enumerate(body.split("\n")):
        opener = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            continue
        yield first + offset, re.sub(r"(`+)(?:(?!\1).)+\1", "", line)


PROSE_BITS = [
    "<NAME>",
    "<A B>",
    "[Name]",
    "[Team name](x)",
    "_REPLACE_WITH_X",
    "`<ID>`",
    "``",
    "```",
    "~~~",
    "  ```",
    "human error",
    "Human Errors",
    "should have known",
    "careless",
    "the fault of",
    "@ann caused",
    "@bob\tforgot",
    "@c\ncaused",
    "x@d broke",
    " ",
    "\n",
    "\t",
    "`",
    "[",
    "]",
    "<",
    ">",
    "a",
    "B",
    "!",
    "<A_REPLACE_WITH_B>",
    "[Ab <CD>]",
]


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(PROSE_BITS), st.text(max_size=6)), max_size=25))
def test_wording_checks_find_what_a_line_by_line_reading_finds(bits):
    body = "".join(bits)
    lines = list(_prose_lines_reference(body, 5))
    blanked = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), body, flags=re.S)
    raw = blanked.split("\n")
    expected = []
    for number, text in _prose_lines_reference(blanked, 5):
        line = raw[number - 5]
        found = placeholders.PLACEHOLDER_RE.findall(text) or re.findall(r"_REPLACE_WITH_\w*", line)
        if found:
            expected.append((number, "placeholder", "', '".join(dict.fromkeys(found))))
    assert (
        list(template.leftovers(body, 5, Settings(template=("a line no fuzz can write",))))
        == expected
    )
    sink = ProblemSink("pm.md")
    writing._check_language(body, 5, sink)
    expected = [  # each kind once a line, quoted as first written there
        (number, found.group(0).strip())
        for number, text in lines
        for pattern, *_ in writing.BLAME
        if (found := pattern.search(text))
    ]
    said = [(p.line, re.match(r"'(.*?)': ", p.message, re.S).group(1)) for p in sink.items]
    assert said == expected


# Plain scalars whose YAML 1.1 type is not a string, or nearly: what the reader must resolve
# as YAML's own resolver does, with or without asking it.
TYPED_BITS = [
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "Y",
    "~",
    "null",
    "Null",
    "NULL",
    "",
    "0o17",
    "0x1F",
    "0b101",
    "017",
    "1:30",
    "-1:30",
    "1_000",
    ".inf",
    "-.Inf",
    ".NaN",
    "-.5",
    "+1",
    "1e3",
    "6.8523015e+5",
    "2024-01-01",
    "2024-1-1 10:00:00",
    "2024-01-01t10:00Z",
    "<<",
    "=",
    "!",
    "&",
    "*",
    "true",
    "True",
    "tRUE",
    "t",
    "f",
    "o",
    "-",
    ".",
    "+",
    "0",
    "Off",
    "nO",
    "n/a",
    "01:02:03",
    "12:00",
    "@x",
    "1.0.0",
    "~x",
    "=x",
    "<<x",
]
typed_lines = st.lists(
    st.tuples(
        st.sampled_from(KEYS + TYPED_BITS),
        st.sampled_from(TYPED_BITS),
        st.sampled_from(
            [
                "{}: {}",
                "{}: [{}, x]",
                "{}:\n  - {}",
                "{}: '{}'",
                "? {}\n: {}",
                "{}: !!str {}",
                "{}: ! {}",
                "{}: {{a: {}}}",
            ]
        ),
    ),
    max_size=8,
).map(lambda rows: "\n".join(form.format(key, value) for key, value, form in rows))
nested = st.tuples(st.integers(15, 25), st.sampled_from(["[{}]", "{{a: {}}}", "\n- {}"])).map(
    lambda t: "a: " + functools.reduce(lambda inner, _: t[1].format(inner), range(t[0]), "x")
)
# Lines in the shapes the line-by-line reading takes, and in shapes near them it must leave
# to libyaml: indents, dashes, keys and values that YAML reads in other ways.
BLOCK_KEYS = [
    "id",
    "title",
    "a",
    "x_y",
    "k-1",
    "true",
    "no",
    "<<",
    "a b",
    "é",
    "-",
    "? a",
    "'q'",
    "A" * 130,
    "a:b",
]
BLOCK_VALUES = TYPED_BITS + [
    "plain text",
    "HOT-1",
    "'quoted'",
    '"dq"',
    "'it''s'",
    '"a\\"b"',
    "[a, b]",
    "[]",
    "[ a , 'b', \"c\" ]",
    "[a,]",
    "[a: b]",
    "[1, 2.5, no]",
    "- x",
    "-1",
    "-x",
    "a: b",
    "a:",
    "x # c",
    "x#c",
    "# c",
    "&a x",
    "*a",
    "!t x",
    "|",
    ">",
    "{a: 1}",
    "`x",
    "%x",
    "? x",
    ": x",
    "C#",
    "http://x",
    "a,b",
    "é ü",
    "\u00a0x",
    "x\u3000",
    "...",
    "---",
    "- - x",
    "'open",
    '"open',
    "'a' x",
    "[a, [b]]",
    '["a, b"]',
    "\tx",
    "x\t",
    "a\\b",
    "x\u2028y",
    "x\x85y",
    "[@a]",
    "[a b, c]",
    "[a #b]",
    "['a''b']",
    "x:",
    "a : b",
    "\ufeffx",
    "a\u2029",
    "#c",
    "C #42",
    "'a' # c",
    '"a"#c',
    "[a] # c]",
    "[a, 'b]'] # c",
    "1 # c",
    "a # b: c",
]
block_line = st.tuples(
    st.sampled_from([0, 0, 0, 1, 2, 2, 3, 4, 6]),
    st.sampled_from(["", "", "", "- ", "-  ", "-"]),
    st.sampled_from(BLOCK_KEYS + [""] * 4),
    st.sampled_from(BLOCK_VALUES),
    st.sampled_from(["", "", "  ", " # c", " #c", "  #", " # a: b", "\t"]),
).map(
    lambda p: (
        " " * p[0] + p[1] + (f"{p[2]}:" + (f" {p[3]}" if p[3] else "") if p[2] else p[3]) + p[4]
    )
)
block_texts = st.lists(
    st.one_of(block_line, st.sampled_from(["# note", "", "   ", "  # note"])),
    min_size=1,
    max_size=14,
).map("\n".join)


def _block_lines(node, indent: int, step: int, indentless: bool) -> list[str]:
    """A mapping written in block style, by hand (for shapes yaml.safe_dump never writes)."""
    lines = []
    for key, value in node.items():
        if not isinstance(value, (dict, list)):
            lines.append(" " * indent + (f"{key}: {value}" if value else f"{key}:"))
            continue
        lines.append(" " * indent + f"{key}:")
        if isinstance(value, dict):
            lines += _block_lines(value, indent + step, step, indentless)
            continue
        dash = indent if indentless else indent + step
        for item in value:
            if isinstance(item, dict):
                inner = _block_lines(item, dash + 2, step, indentless)
                lines += [" " * dash + "- " + inner[0].lstrip(" ")] + inner[1:]
            elif isinstance(item, list):
                lines += [" " * dash + "-"] + [" " * (dash + 2) + f"- {bit}" for bit in item]
            else:
                lines.append(" " * dash + f"- {item}")
    return lines


block_trees = st.recursive(
    st.sampled_from(BLOCK_VALUES),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3),
        st.dictionaries(st.sampled_from(BLOCK_KEYS[:8]), inner, min_size=1, max_size=3),
    ),
    max_leaves=12,
)
block_docs = st.tuples(
    st.dictionaries(st.sampled_from(KEYS), block_trees, min_size=1, max_size=6),
    st.sampled_from([1, 2, 4]),
    st.booleans(),
).map(lambda p: "\n".join(_block_lines(p[0], 0, p[1], p[2])))
block_dumps = st.tuples(front_matters, st.sampled_from([2, 4]), st.booleans()).map(
    lambda p: yaml.safe_dump(
        p[0], default_flow_style=False, indent=p[1], allow_unicode=p[2], sort_keys=False
    )
)
yaml_texts = st.one_of(
    raw_yaml,
    typed_lines,
    nested,
    block_texts,
    block_docs,
    block_dumps,
    st.tuples(typed_lines, typed_lines).map("\n--- x\n".join),
    front_matters.map(lambda f: yaml.safe_dump(f, default_flow_style=None)),
    front_matters.map(lambda f: yaml.safe_dump(f, default_flow_style=True)),
)


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "")


def _composed(text: str, sink: ProblemSink):
    """The tree in the reader's shape, read from the nodes ``yaml.compose`` gives (YAML's own
    composer and resolver): the reference. Its problems are given as (line, field) only."""
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        reader._report_yaml_error(exc, text, sink)
        return None, [(p.line, p.field, p.message) for p in sink.items]
    problems: list[tuple[int, str]] = []
    seen: set[int] = set()

    def walk(node, depth, field):
        line = node.start_mark.line + 2
        if depth > reader.MAX_DEPTH:
            problems.append((line, field, ""))
            return None
        assert id(node) not in seen, "an alias: the reference cannot say where it was written"
        seen.add(id(node))
        tag = _short(node.tag)
        if isinstance(node, yaml.ScalarNode):
            if tag in ("str", "int", "float", "bool", "null", "timestamp"):
                return ("scalar", node.value, tag, not node.style, line)
        elif isinstance(node, yaml.SequenceNode) and tag == "seq":
            items = [
                (item.start_mark.line + 2, walk(item, depth + 1, field)) for item in node.value
            ]
            return ("list", line, [item for item in items if item[1] is not None])
        elif isinstance(node, yaml.MappingNode) and tag == "map":
            pairs: dict[str, tuple] = {}
            for key, value in node.value:
                key_line = key.start_mark.line + 2
                if not isinstance(key, yaml.ScalarNode) or _short(key.tag) == "merge":
                    problems.append((key_line, field, ""))
                    continue
                name = f"{field}.{key.value}" if field else key.value
                if key.value in pairs:
                    problems.append((key_line, name, ""))
                    continue
                pairs[key.value] = (key_line, walk(value, depth + 1, name))
            return ("map", line, [(k, at, v) for k, (at, v) in pairs.items() if v is not None])
        problems.append((line, field, ""))
        return None

    if root is None:
        return ("map", 2, []), problems
    if not isinstance(root, yaml.MappingNode):
        return None, [(root.start_mark.line + 2, "", "")]
    tree = walk(root, 0, "")
    return tree, problems


def _ours(node):
    """Our tree in the reference's shape."""
    if isinstance(node, reader.Scalar):
        return ("scalar", node.text, node.tag, node.plain, node.line)
    if isinstance(node, reader.Sequence):
        return ("list", node.line, [(at, _ours(item)) for at, item in zip(node.item_lines, node)])
    return ("map", node.line, [(k, node.key_lines[k], _ours(v)) for k, v in node.items()])


@FUZZ
@given(yaml_texts)
def test_the_tree_is_what_yaml_compose_reads(text):
    text = text.replace("\r", "").replace("\ufeff", "")
    if "*" in text:
        return  # aliases: the composed tree no longer says where they were written
    ours = ProblemSink("pm.md")
    tree = reader._compose(text, ours)
    expected_tree, expected_problems = _composed(text, ProblemSink("pm.md"))
    if any(
        "anchor" in message or "second occurrence" in message for *_, message in expected_problems
    ):
        return  # compose refuses an anchor set twice; an anchor changes nothing for us
    assert (None if tree is None else _ours(tree)) == expected_tree
    assert sorted(
        (p.line, p.field) for p in ours.items if not p.message.startswith("the value stops before")
    ) == sorted(problem[:2] for problem in expected_problems)


@FUZZ
@given(st.one_of(block_docs, block_texts, block_dumps, yaml_texts))
def test_the_line_by_line_reading_builds_the_tree_libyaml_events_build(text):
    """Where the reading of the usual front matter takes a text, it gives the tree the
    reading of libyaml's events gives, and that reading finds nothing wrong."""
    text = text.replace("\r", "")
    fast = block_yaml.read(text, reader.implicit_types())
    if fast is None:
        return
    sink = ProblemSink("pm.md")
    full = reader.compose_events(text, sink)
    assert [p.text() for p in sink.items] == []
    assert _ours(fast) == _ours(full)


ID_BITS = [
    "HOT-1",
    "HOT-12-3",
    "XHOT-1",
    "HOT-1a",
    "-",
    "--",
    "| --- |",
    "2024-01-01",
    "HOT-",
    "A-1",
    "AB-1",
    "\n",
    " ",
    "`",
    "HOT-13432\nHOT-2",
    "é-1",
    "HOT-1-",
]


@FUZZ
@given(
    st.lists(st.one_of(st.sampled_from(ID_BITS), st.text(max_size=5)), max_size=30),
    st.sampled_from([r"^[A-Z][A-Z0-9]+(-[0-9]+)+$", r"^[A-Z]+-?[0-9]+$"]),
)
def test_the_lines_holding_ids_are_those_a_search_of_each_line_finds(bits, pattern):
    text = "".join(bits)
    probe = re.compile(pattern.strip("^$"), re.ASCII)
    expected = {number for number, line in enumerate(text.split("\n")) if probe.search(line)}
    assert Linker(pattern)._lines_with_ids(text) == expected


def _split_line_by_line(text: str):
    """The plain reading of the fences: line by line."""
    lines = text.split("\n")
    if not re.fullmatch(r"---[ \t]*", lines[0]):
        return None
    for index in range(1, len(lines)):
        if re.fullmatch(r"(?:---|\.\.\.)[ \t]*", lines[index]):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return "unclosed"


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "---",
                "...",
                "--- ",
                "---\t",
                "----",
                "-- -",
                ".. .",
                "\n",
                "a: 1",
                " ",
                "x",
                "---x",
                "\n---",
                "\n...",
            ]
        ),
        max_size=20,
    )
)
def test_the_fences_are_found_as_a_line_by_line_reading_finds_them(bits):
    text = "".join(bits)
    try:
        found = reader.split_front_matter(text)
    except ValueError:
        found = "unclosed"
    assert found == _split_line_by_line(text)


typed_values = st.one_of(
    st.sampled_from(TYPED_BITS),
    st.text(alphabet="0123456789-+.:_eExXoObBTtZz \tyesnoYESNOulfrai~<=", max_size=14),
    st.tuples(st.datetimes(), st.sampled_from(["T", " ", "t"])).map(lambda p: p[0].isoformat(p[1])),
)


@FUZZ
@given(typed_values)
def test_a_plain_value_gets_the_type_yaml_resolves(value):
    """One alternation a first character gives the tag YAML's resolver loop gives."""
    resolver = yaml.CSafeLoader("")
    expected = resolver.resolve(yaml.ScalarNode, value, (True, False))
    types = reader.implicit_types()
    assert (types.tag(value) if types.may_type(value) else "tag:yaml.org,2002:str") == expected


def test_a_resolver_added_to_yaml_is_heeded():
    """A site (or another plugin) that teaches YAML a new implicit type changes our reading too."""
    own = "yaml_implicit_resolvers" in yaml.CSafeLoader.__dict__
    saved = {
        first: list(entries) for first, entries in yaml.CSafeLoader.yaml_implicit_resolvers.items()
    }
    try:
        yaml.add_implicit_resolver(
            "tag:yaml.org,2002:int", re.compile(r"^\^[0-9]+$"), list("^"), Loader=yaml.CSafeLoader
        )
        parsed = parse_bytes(b"---\ncount: ^12\nday: 2024-06-01\nname: ^x\n---\n", "x.md")
        assert [parsed.front[k].tag for k in ("count", "day", "name")] == [
            "int",
            "timestamp",
            "str",
        ]
    finally:
        if own:
            yaml.CSafeLoader.yaml_implicit_resolvers = saved
        else:
            del yaml.CSafeLoader.yaml_implicit_resolvers
    assert parse_bytes(b"---\ncount: ^12\n---\n", "x.md").front["count"].tag == "str"


timestamp_texts = st.one_of(
    st.tuples(
        st.datetimes(min_value=datetime(1, 1, 1, 0, 0), max_value=datetime(9999, 12, 31)),
        st.sampled_from(["T", " ", "t", "  "]),
        st.sampled_from(
            [
                "",
                "Z",
                "z",
                "+00:00",
                "-00:00",
                "+05:30",
                "-0800",
                "+24:00",
                " Z",
                "+14:00",
                "-12:59",
                "+23:60",
            ]
        ),
        st.sampled_from(["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]),
    ).map(lambda p: p[0].strftime(f"%Y-%m-%d{p[1]}{p[3]}") + p[2]),
    st.text(alphabet="0123456789-:T Z+.", max_size=26),
)


@FUZZ
@given(timestamp_texts)
def test_the_usual_timestamps_read_as_field_by_field(text):
    """Python's fromisoformat, used for the usual forms, agrees with reading each field."""
    from datetime import timezone as tz_module
    from zoneinfo import ZoneInfo

    for zone in (tz_module.utc, ZoneInfo("America/New_York")):
        try:
            expected = schema.read_timestamp(text.strip(), zone)
        except ValueError as exc:
            with pytest.raises(ValueError) as raised:
                schema.parse_timestamp(text, zone)
            assert str(raised.value) == str(exc)
            continue
        got = schema.parse_timestamp(text, zone)
        assert (got, got.utcoffset(), got.tzinfo.tzname(got)) == (
            expected,
            expected.utcoffset(),
            expected.tzinfo.tzname(expected),
        )


TIME_BITS = ["14:02", "2:02 PM", "Jun 15", "06-15", "2026-06-15", "T", "Z", "UTC", "PDT", "+01:00",
             "—", "-", "Pacific", "America/Los_Angeles", "12:60", "25:00", ",", " ", "am"]  # fmt: skip
time_cells = st.lists(st.one_of(st.sampled_from(TIME_BITS), st.text(max_size=6)), max_size=4).map(
    " ".join
)


@FUZZ
@given(
    st.one_of(time_cells, st.text(max_size=12)),
    st.lists(time_cells, max_size=10),
    st.sampled_from(["Draft", "In Review", "Closed"]),
)
def test_any_timeline_table(header, cells, status):
    """Timeline tables with arbitrary headers and time cells: messages, never a traceback."""
    rows = "".join(f"| {cell.replace('|', '/')} | e |\n" for cell in cells)
    text = (
        f"---\nid: HOT-1\ntitle: T\nseverity: P2\nstatus: {status}\n"
        "started: 2026-06-15T14:02:00Z\nresolved: 2026-06-15T16:00:00Z\n---\n"
        "## Summary\n\nS.\n\n## Impact\n\nI.\n\n## Timeline\n\n"
        f"| Time ({header.replace('|', '/')}) | Event |\n| --- | --- |\n{rows}"
    )
    run_everything([text])
