"""`mkdocs serve` as an author uses it: up through every edit, a true preview after each,
memory steady."""

from __future__ import annotations

import json
import random
import re
import time

import pytest
from conftest import Site, example_site, good
from serve_soak import KINDS, soak
from serving import Serve, get, problems, wait_until

ROUNDS = 50
SOAK_SEED = 2026
SOAK_EDITS = 40


@pytest.fixture(params=["full", "dirty"])
def server(tmp_path, request):
    """`mkdocs serve`, plain and with --dirty as `make serve` runs it."""
    site = Site(tmp_path / "src")
    for n in range(5):
        site.add(f"2025-03-0{n + 1}-base.md", good(id=f"HOT-{n + 1}"))
    with Serve(site.root, tmp_path / "serve.log", dirty=request.param == "dirty") as served:
        assert wait_until(lambda: get(served.base + "postmortems/")[0] == 200, 60), (
            "serve did not start"
        )
        yield site, served


def test_serve_survives_edits_renames_and_deletes(server):
    site, served = server
    rng = random.Random(7)
    live: dict[str, str] = {f"2025-03-0{n + 1}-base.md": f"HOT-{n + 1}" for n in range(5)}
    memory = []
    for round_ in range(ROUNDS):
        action = round_ % 4
        if action == 0:  # a bad file
            site.add("2025-04-01-bad.md", good(id="HOT-90", severity="P9"))
            live["2025-04-01-bad.md"] = "HOT-90"
        elif action == 1:  # a good new file
            name = f"2025-05-{round_ % 28 + 1:02d}-new.md"
            site.add(name, good(id=f"HOT-{100 + round_}"))
            live[name] = f"HOT-{100 + round_}"
        elif action == 2 and len(live) > 3:  # rename one
            old = rng.choice(sorted(live))
            new = f"2025-06-{round_ % 28 + 1:02d}-renamed-{round_}.md"
            (site.pm / old).rename(site.pm / new)
            live[new] = live.pop(old)
        elif action == 3 and len(live) > 3:  # delete one
            gone = rng.choice(sorted(live))
            (site.pm / gone).unlink()
            live.pop(gone)
        time.sleep(rng.uniform(0.05, 0.4))  # often mid-build
        status, _ = get(served.base + "postmortems/")
        assert status == 200, f"round {round_}: the server answered {status}"
        assert served.alive(), "mkdocs serve exited"
        if round_ in (10, ROUNDS - 1):
            memory.append(served.rss_mib())

    expected = sorted(live.values())

    def settled() -> bool:
        status, body = get(served.base + "postmortems.json")
        return (
            status == 200 and sorted(r["id"] for r in json.loads(body)["postmortems"]) == expected
        )

    assert wait_until(settled, 60), "the catalog never settled on the files on disk"
    rows = json.loads(get(served.base + "postmortems.json")[1])["postmortems"]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate ids after renames"
    assert served.alive()

    builds = re.split(r"Building documentation", served.text())[1:]
    assert len(builds) >= 10
    for build in builds:
        found = [line for line in build.splitlines() if problems(line)]
        assert len(found) == len(set(found)), "a problem was reported twice in one build"
    assert any("2025-04-01-bad.md:4: error: severity: 'P9'" in build for build in builds)
    growth_mib = memory[-1] - memory[0]
    assert growth_mib < 20, f"serve grew by {growth_mib:.0f} MiB over {ROUNDS - 10} rebuilds"


def test_the_preview_equals_a_fresh_build_through_an_afternoon_of_edits(tmp_path):
    """The mode `make serve` uses, on the example site with a team's own macro page: after
    each of SOAK_EDITS edits of every kind, every served page, the plugin's data, the
    search index and the printed problems equal a fresh build's; removed pages answer 404."""
    report = soak(tmp_path, SOAK_SEED, SOAK_EDITS)
    assert report.failures == []
    assert len(report.edits) == SOAK_EDITS + 1
    assert set(report.kinds) == set(KINDS), "an edit kind was never tried"


# What a rebuild under `make serve` may print: MkDocs' own lines and the site's problems.
EXPECTED_LINE = re.compile(
    r"INFO    -  (\[[\d:]+\] (Detected file changes|Reloading browsers|Watching paths for changes.*"
    r"|Serving on .*)|Building documentation\.\.\.|Documentation built in [\d.]+ seconds"
    r"|\d+ post-mortem file\(s\) have problems; .*)"
    r"|WARNING -  A 'dirty' build is being performed.*"
    r"|(ERROR   |WARNING )-  \S+\.md:\d+: (error|warning): .*"
)


def test_a_rebuild_prints_mkdocs_lines_and_problems_only(tmp_path):
    root = example_site(tmp_path / "site")
    with Serve(root, tmp_path / "serve.log", dirty=True) as served:
        assert served.started(), "serve did not start"
        target = next((root / "docs" / "postmortems").glob("2026-06-15-*.md"))
        text = target.read_text(encoding="utf-8")
        target.write_text(text.replace("severity: P1", "severity: P9", 1), encoding="utf-8")
        assert wait_until(lambda: served.builds() >= 2, 120), "no rebuild"
    lines = [line for line in served.text().splitlines() if line.strip()]
    assert any("severity: 'P9' is not one of P1, P2, P3, P4" in line for line in lines)
    assert [line for line in lines if not EXPECTED_LINE.fullmatch(line)] == []
