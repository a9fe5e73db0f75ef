"""The command line's parse results, kept on disk between runs.

A pre-commit hook or an editor runs ``postmortems validate`` over the whole site again
and again, and between two runs most files have not changed. What depends only on a
file's bytes and the settings (its parse, its own problems, its figures) is kept per file,
keyed by the digest of its bytes, the path shown in messages, the settings and this
package's own code; checks against the clock and between files run every time.

The cache is a pickle, so it lives in the user's cache folder (``POSTMORTEMS_CACHE_DIR``,
else ``$XDG_CACHE_HOME/postmortems``), never in the repository where a pull request could
plant one, and a file not owned by the user or writable by others is ignored. Bodies are
not kept: the command line never shows them.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from postmortems.model.settings import Settings

if TYPE_CHECKING:
    from postmortems.catalog.catalog import _Parsed
    from postmortems.catalog.records import Source

FORMAT = 1


def folder() -> Path:
    explicit = os.environ.get("POSTMORTEMS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "postmortems")


def _code_digest() -> str:
    """This package's code as it is now: a rule that changes makes old results stale.
    By content, not modification time, so a fresh checkout in CI can reuse a saved cache."""
    code = hashlib.blake2b(str(FORMAT).encode(), digest_size=16)
    package = Path(__file__).parent.parent
    for path in sorted(package.rglob("*.py")):
        code.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return code.hexdigest()


class DiskCache:
    """Parse results of one set of files under one set of settings."""

    def __init__(self, root: str, settings: Settings) -> None:
        key = repr((os.path.abspath(root), repr(settings), _code_digest()))
        self.path = folder() / (
            hashlib.blake2b(key.encode(), digest_size=16).hexdigest() + ".pickle"
        )
        self.entries: dict[str, tuple[str, str, "_Parsed"]] = _read(self.path)
        self.used: dict[str, tuple[str, str, "_Parsed"]] = {}
        self.digests: dict[str, str | None] = {}  # each file's, read once a run
        self.changed = False

    def get(self, source: "Source") -> "_Parsed | None":
        """The kept result for this file's current bytes, or None."""
        digest = self._digest(source.abs_path)
        entry = self.entries.get(source.abs_path)
        if digest is None or entry is None or entry[:2] != (digest, source.display_path):
            return None
        self.used[source.abs_path] = entry
        return entry[2]

    def put(self, source: "Source", parsed: "_Parsed") -> None:
        digest = self._digest(source.abs_path)
        if digest is not None and not parsed.refused:
            self.used[source.abs_path] = (digest, source.display_path, parsed.without_body())
            self.changed = True

    def _digest(self, path: str) -> str | None:
        if path not in self.digests:
            self.digests[path] = _digest(path)
        return self.digests[path]

    def save(self) -> None:
        """Write what this run used (files gone since are dropped); never fails the run."""
        if not self.changed and self.used.keys() == self.entries.keys():
            return
        import tempfile  # 6 ms at every start, for the runs that change the cache

        temporary = None
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                pickle.dump(self.used, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except Exception:  # a full disk, a read-only home, a value pickle refuses: run on
            if temporary is not None and os.path.exists(temporary):
                os.unlink(temporary)


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:
        return None


def _read(path: Path) -> dict:
    try:
        status = path.stat()
        if status.st_mode & 0o022 or (hasattr(os, "getuid") and status.st_uid != os.getuid()):
            return {}  # somebody else could have written it: do not unpickle
        with open(path, "rb") as handle:
            entries = pickle.load(handle)
        return entries if isinstance(entries, dict) else {}
    except Exception:  # missing, truncated, from another version: parse afresh
        return {}
