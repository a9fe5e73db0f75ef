"""`mkdocs serve` stays up while files change under it, with no stale or duplicate ids."""

from __future__ import annotations

import json
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
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
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
    assert growth_mib < 64, f"serve grew by {growth_mib:.0f} MiB over {ROUNDS - 10} rebuilds"
