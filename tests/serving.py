"""A real `mkdocs serve` in a child process, as the tests, the soak run and the bench
drive it: started on a free port, its builds counted from its own log, its memory read
from /proc, and always stopped."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    """Status and body; 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except (urllib.error.URLError, OSError):
        return 0, b""


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def rss_mib(pid: int) -> float:
    """Resident memory of one process, MiB."""
    match = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) / 1024 if match else 0.0


class Serve:
    """`mkdocs serve` of the site at ``root`` (``--dirty`` when ``dirty``), its output
    in ``log``. Use as a context manager: the server never outlives it."""

    def __init__(self, root: Path, log: Path, dirty: bool = True, config: str = "mkdocs.yml"):
        self.root, self.log_path = root, log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.args = [sys.executable, "-m", "mkdocs", "serve", "-f", config]
        self.args += ["--dev-addr", f"127.0.0.1:{self.port}"] + (["--dirty"] if dirty else [])
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Serve:
        self._log = self.log_path.open("w", encoding="utf-8")
        env = dict(os.environ, PYTHONUNBUFFERED="1", NO_MKDOCS_2_WARNING="1")  # as `make serve`
        self.process = subprocess.Popen(
            self.args, cwd=self.root, stdout=self._log, stderr=subprocess.STDOUT, env=env
        )
        return self

    def __exit__(self, *exc: object) -> None:
        """Asked to end, then made to."""
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def builds(self) -> int:
        """Builds finished: the first is followed by "Serving on", each rebuild by
        "Reloading browsers" (MkDocs drops a "Documentation built in" line equal to the
        one before)."""
        text = self.text()
        return text.count("Reloading browsers") + ("Serving on" in text)

    def started(self, timeout: float = 120) -> bool:
        return wait_until(lambda: self.builds() >= 1, timeout)

    def rebuilt(self, before: int, timeout: float = 120) -> bool:
        """Whether a build finished after the ``before``-th, then no further one began
        within a moment (a rename may bring two)."""
        if not wait_until(lambda: self.builds() > before, timeout, step=0.05):
            return False
        while True:
            seen = self.builds()
            time.sleep(0.6)
            if self.builds() == seen and "Detected file changes" not in self.last_lines():
                return True

    def last_lines(self) -> str:
        """The log since the last finished build."""
        return self.text().rsplit("Reloading browsers", 1)[-1]

    def last_build(self) -> str:
        """The log of the last build, from its start."""
        return self.text().rsplit("Building documentation", 1)[-1]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def rss_mib(self) -> float:
        assert self.process is not None
        return rss_mib(self.process.pid)


def problems(text: str) -> set[str]:
    """The post-mortem problems a build printed."""
    return set(re.findall(r"\S+\.md:\d+: (?:error|warning): [^\n]*", text))
