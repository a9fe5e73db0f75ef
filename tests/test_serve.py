"""`mkdocs serve` stays up while files change under it, with no stale or duplicate ids."""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import Site, good

ROUNDS = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except (urllib.error.URLError, OSError):
        return 0, b""


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def stop(process: subprocess.Popen) -> None:
    """Never leave a server behind: asked to end, then made to."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(params=["full", "dirty"])
def server(tmp_path, request):
    """`mkdocs serve`, plain and with --dirty as `make serve` runs it."""
    site = Site(tmp_path / "src")
    for n in range(5):
        site.add(f"2025-03-0{n + 1}-base.md", good(id=f"HOT-{n + 1}"))
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "serve",
            "--dev-addr",
            f"127.0.0.1:{port}",
            *(["--dirty"] if request.param == "dirty" else []),
        ],
        cwd=site.root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        assert wait_until(lambda: get(base + "postmortems/")[0] == 200, 60), "serve did not start"
        yield site, process, base, tmp_path / "serve.log"
    finally:  # never leave a server behind, even when it failed to start
        stop(process)
        log.close()


def test_serve_survives_edits_renames_and_deletes(server):
    site, process, base, log_path = server
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
        status, _ = get(base + "postmortems/")
        assert status == 200, f"round {round_}: the server answered {status}"
        assert process.poll() is None, "mkdocs serve exited"
        if round_ in (10, ROUNDS - 1):
            memory.append(rss_kib(process.pid))

    expected = sorted(live.values())

    def settled() -> bool:
        status, body = get(base + "postmortems.json")
        return (
            status == 200 and sorted(r["id"] for r in json.loads(body)["postmortems"]) == expected
        )

    assert wait_until(settled, 60), "the catalog never settled on the files on disk"
    rows = json.loads(get(base + "postmortems.json")[1])["postmortems"]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate ids after renames"
    assert process.poll() is None

    builds = re.split(r"Building documentation", log_path.read_text())[1:]
    assert len(builds) >= 10
    for build in builds:
        problems = [
            line for line in build.splitlines() if re.search(r"\.md:\d+: (error|warning):", line)
        ]
        assert len(problems) == len(set(problems)), "a problem was reported twice in one build"
    assert any("2025-04-01-bad.md:4: error: severity: 'P9'" in build for build in builds)
    growth_mib = (memory[-1] - memory[0]) / 1024
    assert growth_mib < 20, f"serve grew by {growth_mib:.0f} MiB over {ROUNDS - 10} rebuilds"


def _pm(ident: str, title: str, hour: int, severity: str = "P2", refs: str = "") -> str:
    """A valid post-mortem with ``refs`` (YAML lines) added to its front matter."""
    text = good(id=ident, title=title, severity=severity, started=f"2025-03-04T0{hour}:00:00Z")
    return text.replace("\n---\n", f"\n{refs}---\n", 1) if refs else text


def _shown(html: str) -> str:
    """A page as the fresh build wrote it: without what serve adds (live reload, the
    canonical address of its own server) and with whitespace folded."""
    html = re.sub(r"<script[^>]*>[^<]*livereload[^<]*</script>", "", html)
    html = re.sub(r'<link rel="canonical"[^>]*>', "", html)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _builds(log: Path) -> int:
    """Builds finished: the first is followed by "Serving on", each rebuild by "Reloading
    browsers" (MkDocs drops a "Documentation built in" line equal to the one before)."""
    text = log.read_text(encoding="utf-8", errors="replace")
    return text.count("Reloading browsers") + ("Serving on" in text)


def _problems(text: str) -> set[str]:
    return set(re.findall(r"\S+\.md:\d+: (?:error|warning): [^\n]*", text))


def test_dirty_rebuilds_show_what_a_fresh_build_shows(tmp_path):
    """After each edit, every page `mkdocs serve --dirty` serves is the page a fresh
    `mkdocs build` of the same files makes, and the log shows the current problems."""
    site = Site(tmp_path / "src")
    (site.docs / "index.md").write_text("# Home\n\nSee HOT-2 and HOT-4.\n", encoding="utf-8")
    (site.docs / "guide.md").write_text("# A guide of our own\n\nText.\n", encoding="utf-8")
    # A page of the site's own that shows the catalog through the plugin's macros.
    (site.docs / "tables.md").write_text(
        "# Our tables\n\n## P2\n\n{{ postmortems_table(severity='P2') }}\n\n"
        "## P1\n\n{{ postmortems_table(severity='P1') }}\n",
        encoding="utf-8",
    )
    site.config.write_text(
        site.config.read_text()
        + "  - macros:\n      modules: [postmortems.macros]\n"
        + "      render_by_default: false\n      force_render_paths: tables.md\n",
        encoding="utf-8",
    )
    site.add("2025-03-01-one.md", _pm("HOT-1", "One", 1, refs="related: [HOT-2]\n"))
    site.add("2025-03-02-two.md", _pm("HOT-2", "Two", 2))
    site.add("2025-03-03-three.md", _pm("HOT-3", "Three", 3, refs="recurrence: [HOT-2]\n"))
    site.add("2025-03-04-four.md", _pm("HOT-4", "Four", 4))
    site.add("2025-03-05-five.md", _pm("HOT-5", "Five", 5, refs="related: [HOT-4]\n"))
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=site.root,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),  # each line in the log as it is said
    )
    base = f"http://127.0.0.1:{port}/"
    edits = [
        ("title", lambda: site.add("2025-03-02-two.md", _pm("HOT-2", "Two renamed", 2))),
        (
            "severity",
            lambda: site.add(
                "2025-03-03-three.md", _pm("HOT-3", "Three", 3, "P1", "recurrence: [HOT-2]\n")
            ),
        ),
        ("id", lambda: site.add("2025-03-04-four.md", _pm("HOT-44", "Four", 4))),
        (
            "references",
            lambda: site.add(
                "2025-03-01-one.md", _pm("HOT-1", "One", 1, refs="related: [HOT-3]\n")
            ),
        ),
        ("delete", lambda: (site.pm / "2025-03-02-two.md").unlink()),
        (
            "rename",
            lambda: (site.pm / "2025-03-05-five.md").rename(site.pm / "2025-03-05-fifth.md"),
        ),
    ]
    served: set[str] = set()
    try:
        assert wait_until(lambda: _builds(log_path) >= 1, 60), "serve did not start"
        for step, (what, edit) in enumerate([("start", lambda: None), *edits]):
            before = _builds(log_path)
            edit()
            if what != "start":
                rebuilt = wait_until(lambda before=before: _builds(log_path) > before, 60)
                assert rebuilt, f"{what}: no rebuild"
            while True:  # until no further rebuild comes (a rename may bring two)
                seen = _builds(log_path)
                time.sleep(1.5)
                if _builds(log_path) == seen:
                    break
            fresh = tmp_path / f"fresh{step}"
            built = site.build("--site-dir", str(fresh))
            assert built.returncode == 0, built.stderr
            pages = sorted(p.relative_to(fresh) for p in fresh.rglob("index.html"))
            assert len(pages) > 10
            for page in pages:
                url = base + (str(page.parent) + "/" if str(page.parent) != "." else "")
                status, body = get(url)
                assert status == 200, f"{what}: {url} answered {status}"
                expected = _shown((fresh / page).read_text(encoding="utf-8"))
                assert _shown(body.decode("utf-8")) == expected, (
                    f"after the {what} edit, {page} differs"
                )
            # Pages a fresh build no longer has are not served any more.
            urls = {str(p.parent) for p in pages}
            for gone in sorted(served - urls):
                url = base + gone + "/"
                assert get(url)[0] == 404, f"after the {what} edit, {url} is still served"
            served = urls
            # The search index: the fresh build's entries, each once.
            entries = [
                (e["location"], e["title"])
                for e in json.loads(get(base + "search/search_index.json")[1])["docs"]
            ]
            fresh_index = json.loads((fresh / "search/search_index.json").read_text())["docs"]
            assert len(entries) == len(set(entries)), f"{what}: an entry is indexed twice"
            assert set(entries) == {(e["location"], e["title"]) for e in fresh_index}, what
            last_build = log_path.read_text(encoding="utf-8").split("Building documentation")[-1]
            assert _problems(last_build) == _problems(built.stderr), what
            assert "None" not in re.findall(
                r"md-nav__link[^>]*>\s*([^<]*)", get(base + "dashboard/")[1].decode()
            )
    finally:
        stop(process)
        log.close()


# What a rebuild under `make serve` may print: MkDocs' own lines and the site's problems.
EXPECTED_LINE = re.compile(
    r"INFO    -  (\[[\d:]+\] (Detected file changes|Reloading browsers|Watching paths for changes.*"
    r"|Serving on .*)|Building documentation\.\.\.|Documentation built in [\d.]+ seconds"
    r"|\d+ post-mortem file\(s\) have problems; .*)"
    r"|WARNING -  A 'dirty' build is being performed.*"
    r"|(ERROR   |WARNING )-  \S+\.md:\d+: (error|warning): .*"
)


def test_a_rebuild_prints_mkdocs_lines_and_problems_only(tmp_path):
    from conftest import example_site

    root = example_site(tmp_path / "site")
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_MKDOCS_2_WARNING="1")  # as `make serve`
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            assert wait_until(lambda: _builds(log_path) >= 1, 120), "serve did not start"
            target = next((root / "docs" / "postmortems").glob("2026-06-15-*.md"))
            text = target.read_text(encoding="utf-8")
            target.write_text(text.replace("severity: P1", "severity: P9", 1), encoding="utf-8")
            assert wait_until(lambda: _builds(log_path) >= 2, 120), "no rebuild"
        finally:
            stop(process)
    lines = [line for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert any("severity: 'P9' is not one of P1, P2, P3, P4" in line for line in lines)
    assert [line for line in lines if not EXPECTED_LINE.fullmatch(line)] == []
