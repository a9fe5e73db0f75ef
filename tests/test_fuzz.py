"""No traceback, ever: arbitrary YAML and Markdown through every stage.

A few hundred examples run in `make test`; `make fuzz` runs 10,000 per property.
Every outcome must be a record or `path:line:` messages.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from postmortems import card, catalog, export, pages, placeholders, writing
from postmortems.body import CANONICAL, heading_title, sections
from postmortems.graph import Graph
from postmortems.linker import Linker
from postmortems.metrics import by_service
from postmortems.problems import ProblemSink
from postmortems.reader import parse_bytes
from postmortems.settings import Settings

SETTINGS = Settings()
LINE_RE = re.compile(r"^pm\d*\.md:[1-9]\d*: (error|warning): ")
KEYS = ["id", "title", "severity", "status", "started", "detected", "mitigated", "resolved",
        "downtime_minutes", "detected_by", "services", "tags", "owner", "responders",
        "review_meeting", "impact", "recurrence", "related", "action_items", "render_macros",
        "serverity", "x"]
YAML_BITS = ["HOT-1", "HOT-2", "P1", "P9", "Closed", "Draft", "2025-01-01T10:00:00Z",
             "2024-02-30", "1:30", "no", "~", "@me", "&a", "*a", "!!python/name:os.system", "#",
             "[", "]", "{", "}", ": ", "- ", "|", ">", "'", '"', "\t", "\n", "  ", "<script>",
             "{{ 7*7 }}", "é", "١٣", "\u2011", "\ufeff", "\r\n", "---", "..."]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30), st.sampled_from(YAML_BITS), st.dates().map(str))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS + ["title", "owner"]), inner,
                                                 max_size=4)), max_leaves=12)
front_matters = st.dictionaries(st.sampled_from(KEYS), values, max_size=12)
raw_yaml = st.lists(st.one_of(st.sampled_from(KEYS).map(lambda k: k + ": "),
                              st.sampled_from(YAML_BITS), st.text(max_size=8)),
                    max_size=40).map("".join)
bodies = st.lists(st.one_of(st.sampled_from(["```", "`HOT-1`", "HOT-1", "[HOT-2](x)", "<a>",
                                             "<div>", "\n\n", "    code", "- item", "[Name]",
                                             "| a | b |", "{% raw %}", "<!--"]),
                            st.text(max_size=20)), max_size=30).map(" ".join)

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def run_everything(texts: list[str | bytes]) -> None:
    """Every stage on these files; fails on any exception or malformed message."""
    with tempfile.TemporaryDirectory() as folder:
        sources = []
        for n, text in enumerate(texts):
            path = Path(folder) / f"pm{n}.md"
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
            sources.append(catalog.Source(str(path), f"pm{n}.md", f"pm{n}"))
        result = catalog.load(sources, SETTINGS)
        for problem in result.problems:
            assert LINE_RE.match(problem.text()), problem.text()
        href = lambda url: url  # noqa: E731
        url_of = export.default_url
        graph = Graph(result)
        for record in result.records:
            card.page_markdown(record, SETTINGS, date(2026, 11, 23), graph.of(record),
                               lambda r: url_of(r))
            Linker(SETTINGS.id_pattern).link(record.body, lambda i: ("x/", "t"))
        pages.index_page(result, href, url_of, "postmortems.json")
        for year in pages.years(result):
            pages.year_page(year, result, href, url_of)
        services = by_service(result.records)
        pages.services_index(services, result, href)
        for service in services:
            pages.service_page(service, result, href, url_of)
        pages.recurring_page(graph, href, url_of)
        export.to_json(result)
        export.to_csv(result)


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


BODY_LINES = ["## Summary", "### Root cause", "#### Timeline", "# Title", "##NoSpace", "## ", "```",
              "````", "~~~", "  ```py", "    ```", "text with ``` inside", "", "| 10:00 | x |",
              "| --- | --- |", "<!-- c -->", "## Impact ##", "\t```", " ~~~~", "##\tTabbed", "\r"]


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
    assert {name: s.lines for name, s in found.items()} == _sections_line_by_line(text, 7)


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


TABLE_LINES = ["| Time | Event |", "| --- | --- |", "|:---:|---|", "| 10:00 | x |", "||10:01|",
               "| 10:02", "|", "| |", "  | 11:00 | y | z |", "|||", "text", "", "| -- |", "|a|b|c|"]


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(TABLE_LINES), st.text(alphabet="| -:a1", max_size=8)),
                max_size=12))
def test_timeline_rows_are_the_first_cells_a_cell_by_cell_reading_finds(lines):
    section = sections("## Timeline\n" + "\n".join(lines), 3)["timeline"]
    assert [(r.line, r.when) for r in section.table_rows] == _rows_cell_by_cell(section.lines)


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


PROSE_BITS = ["<NAME>", "<A B>", "[Name]", "[Team name](x)", "_REPLACE_WITH_X", "`<ID>`", "``",
              "```", "~~~", "  ```", "human error", "Human Errors", "should have known",
              "careless", "the fault of", "@ann caused", "@bob\tforgot", "@c\ncaused", "x@d broke",
              " ", "\n", "\t", "`", "[", "]", "<", ">", "a", "B", "!", "<A_REPLACE_WITH_B>", "[Ab <CD>]"]


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(PROSE_BITS), st.text(max_size=6)), max_size=25))
def test_wording_checks_find_what_a_line_by_line_reading_finds(bits):
    body = "".join(bits)
    lines = list(_prose_lines_reference(body, 5))
    assert list(placeholders.find_in_body(body, 5)) == [
        (number, found) for number, text in lines for found in placeholders.PLACEHOLDER_RE.findall(text)]
    sink = ProblemSink("pm.md")
    writing._check_language(body, 5, sink)
    expected = [(number, label) for number, text in lines
                for pattern, label, *_ in writing.BLAME if pattern.search(text)]
    assert [(p.line, p.message.split("'")[1]) for p in sink.items] == expected
