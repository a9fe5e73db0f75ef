"""When each page last changed: the last commit for committed, unmodified files, else the
file's modification time. Shown as the page's revision date and in the feed."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timezone

from postmortems.render.history import last_changed

COMMITTED = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
TOUCHED = datetime(2024, 6, 7, 8, 9, 10, tzinfo=timezone.utc)


def _git(folder, *args: str) -> None:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_AUTHOR_DATE=COMMITTED.isoformat(),
        GIT_COMMITTER_DATE=COMMITTED.isoformat(),
    )
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


def _write(path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (TOUCHED.timestamp(), TOUCHED.timestamp()))
    return str(path)


def test_committed_files_date_from_git_and_changed_ones_from_their_mtime(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    kept, edited = _write(docs / "kept.md", "a"), _write(docs / "edited.md", "b")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "first")
    edited = _write(docs / "edited.md", "b, changed")
    new = _write(docs / "new.md", "c")

    changed = last_changed(str(docs), [kept, edited, new])

    assert changed == {kept: COMMITTED, edited: TOUCHED, new: TOUCHED}


def test_outside_a_repository_every_date_is_the_mtime(tmp_path):
    paths = [_write(tmp_path / "a.md", "a"), _write(tmp_path / "b.md", "b")]
    assert last_changed(str(tmp_path), paths) == {path: TOUCHED for path in paths}
