"""The fast paths change nothing a user sees: POSTMORTEMS_FAST=0 builds the same site,
with the same messages, as the fast build (forked parsing and rendering, the line-by-line
YAML reader, the nav cache), and `validate` prints the same problems."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import example_site

BROKEN = {
    "2026-11-30-bad-yaml.md": "---\nid: HOT-90001\ntitle: [unclosed\nseverity: P2\n---\nBody\n",
    "2026-11-29-dangling.md": (
        "---\nid: HOT-90002\ntitle: Points nowhere\nseverity: P3\nstatus: Draft\n"
        "started: 2026-11-29T10:00:00Z\nrelated: [HOT-99999]\nserverity: P2\n---\n\n"
        "## Summary\n\nSee HOT-13432 and HOT-99999.\n"
    ),
}


def _run(root, fast: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, POSTMORTEMS_FAST=fast, POSTMORTEMS_CACHE_DIR=str(root / f"cache{fast}"))
    if fast == "1":
        env["POSTMORTEMS_WORKERS"] = "2"  # fork even for the few example files
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def _shown(data: bytes) -> str:
    """A file as a browser shows it: the nav cache drops indentation between tags."""
    text = data.decode("utf-8", "replace")
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", text))


def _messages(stderr: str) -> list[str]:
    """What the build said, without its timing and output folder."""
    varying = re.compile(r"built in [\d.]+ seconds|Building documentation to directory")
    return sorted(line for line in stderr.splitlines() if not varying.search(line))


def test_the_site_is_the_same_without_the_fast_paths(tmp_path):
    root = example_site(tmp_path / "site", BROKEN)
    outputs, messages = [], []
    for fast in ("1", "0"):
        out = tmp_path / f"out{fast}"
        result = _run(root, fast, "mkdocs", "build", "--site-dir", str(out))
        assert result.returncode == 0, result.stderr
        messages.append(_messages(result.stderr))
        outputs.append(
            {
                str(p.relative_to(out)): _shown(p.read_bytes())
                for p in out.rglob("*")
                if p.is_file() and p.suffix != ".gz"
            }
        )
    fast, slow = outputs
    assert fast.keys() == slow.keys()
    assert {
        "postmortems.json",
        "feed.xml",
        "dashboard/index.html",
        "postmortems/index.html",
    } <= fast.keys()
    assert "postmortems/2026-11-29-dangling/index.html" in fast  # a file with problems is published
    assert [name for name in fast if fast[name] != slow[name]] == []
    assert messages[0] == messages[1]
    said = "\n".join(messages[0])
    assert "2026-11-30-bad-yaml.md:3" in said and "HOT-99999 names no post-mortem" in said


def test_validate_says_the_same_without_the_fast_paths(tmp_path):
    root = example_site(tmp_path / "site", BROKEN)
    runs = [
        _run(root, fast, "postmortems.cli", "validate", "--format", "json")
        for fast in ("1", "0", "1")
    ]
    assert {r.returncode for r in runs} == {1}
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout  # the third from the disk cache
    assert "serverity" in runs[0].stdout
