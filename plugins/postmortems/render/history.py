"""When each file last changed: from git when the site is a repository, else mtime.

One ``git log`` over the folder gives every file's last commit time at once
(linear, not one call per file); it is cached by the HEAD commit, so serve
rebuilds do not run it again until something is committed.
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timezone
from functools import lru_cache


def _git(folder: str, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", folder, *args], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


@lru_cache(maxsize=4)
def _commit_times(folder: str, head: str, top: str) -> dict[str, int]:
    """Absolute path -> Unix time of the last commit that touched it."""
    log = _git(folder, "log", "--format=@%ct", "--name-only", "--", ".") or ""
    times: dict[str, int] = {}
    current = 0
    for line in log.splitlines():
        if line.startswith("@"):
            current = int(line[1:])
        elif line.strip():
            times.setdefault(os.path.normpath(os.path.join(top, line.strip())), current)
    return times


def last_changed(folder: str, paths: list[str]) -> dict[str, datetime]:
    """Each path's last change: the last commit where committed and unmodified, else mtime."""
    # One call for both; it fails outside a repository or before the first commit.
    head_and_top = (_git(folder, "rev-parse", "HEAD", "--show-toplevel") or "").splitlines()
    if len(head_and_top) != 2:
        return {path: _modified(path) for path in paths}
    head, top = head_and_top
    committed = _commit_times(os.path.abspath(folder), head, top)
    status = _git(folder, "status", "--porcelain", "--", ".") or ""
    dirty = {
        os.path.normpath(os.path.join(top, line[3:].strip('"'))) for line in status.splitlines()
    }
    out = {}
    for path in paths:
        real = os.path.normpath(os.path.abspath(path))
        if real in committed and real not in dirty:
            out[path] = datetime.fromtimestamp(committed[real], timezone.utc)
        else:
            out[path] = _modified(path)
    return out


def _modified(path: str) -> datetime:
    try:
        return datetime.fromtimestamp(os.path.getmtime(path), timezone.utc)
    except OSError:
        return datetime.now(timezone.utc)
