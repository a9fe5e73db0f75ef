"""Shared helpers: temporary sites built for real, and a post-mortem text builder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

GOOD = """\
---
id: {id}
title: {title}
severity: {severity}
status: {status}
started: {started}
detected: 2025-03-04T10:15:00Z
mitigated: 2025-03-04T10:45:00Z
resolved: 2025-03-04T11:30:00Z
detected_by: monitoring
services: [checkout-api]
owner: "@sre"
review_meeting: 2025-03-06
action_items:
  - title: Add a guard
    owner: "@sre"
    due: 2025-03-20
    status: Completed
---
## Summary

A good post-mortem.

## Impact

Checkout failed for a share of users.

## Timeline

| Time (UTC) | Event |
| --- | --- |
| {first_row} | Impact begins. |
| 2025-03-04 11:30 | Resolved. |

## Five whys

1. Why did checkout fail? A guard was missing.

## Root cause

A missing guard on the pool.
"""


def good(
    id: str = "HOT-100",
    title: str = "Checkout errors",
    severity: str = "P2",
    status: str = "Draft",
    started: str = "2025-03-04T10:00:00Z",
) -> str:
    """A complete post-mortem, valid in every status."""
    try:
        first_row = datetime.fromisoformat(started.replace("Z", "+00:00")).strftime(
            "%Y-%m-%d %H:%M"
        )
    except ValueError:
        first_row = "2025-03-04 10:00"
    return GOOD.format(
        id=id, title=title, severity=severity, status=status, started=started, first_row=first_row
    )


MKDOCS_YML = """\
site_name: Test post-mortems
theme:
  name: material
  font: false
markdown_extensions: [tables, admonition, attr_list, md_in_html]
plugins:
  - search
  - postmortems{options}
"""


class Site:
    """A temporary MkDocs site on disk, with helpers to add files and build it."""

    def __init__(self, root: Path, options: str = "") -> None:
        self.root = root
        self.docs = root / "docs"
        self.pm = self.docs / "postmortems"
        self.pm.mkdir(parents=True)
        (self.docs / "index.md").write_text("# Home\n", encoding="utf-8")
        self.config = root / "mkdocs.yml"
        opts = (":\n" + textwrap.indent(textwrap.dedent(options), "      ")) if options else ""
        self.config.write_text(MKDOCS_YML.format(options=opts), encoding="utf-8")

    def add(self, name: str, text: str | bytes) -> Path:
        path = self.pm / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def build(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a real ``mkdocs build`` in a fresh process, from the site's folder."""
        return subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--site-dir", "site", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def validate(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run the ``postmortems`` command line from the site's folder, with ``env`` added
        to the environment."""
        return subprocess.run(
            [sys.executable, "-m", "postmortems.cli", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **env},
        )

    def html(self, url: str) -> str:
        return (self.root / "site" / url / "index.html").read_text(encoding="utf-8")

    def article(self, url: str) -> str:
        """The page's content, without the theme's nav and table of contents."""
        page = self.html(url)
        return page[page.index("<article") : page.index("</article>")]


@pytest.fixture(autouse=True, scope="session")
def _own_parse_cache(tmp_path_factory) -> None:
    """The command line's parse cache goes to a folder of this test run, not ~/.cache."""
    os.environ["POSTMORTEMS_CACHE_DIR"] = str(tmp_path_factory.mktemp("parse-cache"))


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "site-src")


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class Served:
    """A folder served over HTTP on a loopback port, in a background thread."""

    def __init__(self, root: Path) -> None:
        import functools
        import http.server
        import threading

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

        handler = functools.partial(Quiet, directory=str(root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving, once every browser page is closed: a page left open would go on
        asking (Material's search loads its index late) and log a refused connection."""
        while OPEN_PAGES:
            OPEN_PAGES.pop().close()
        self.server.shutdown()
        self.server.server_close()


OPEN_PAGES: list = []  # browser pages not closed yet, whatever test opened them


class Browser:
    """Headless Debian Chromium driven by playwright; records console errors and
    every request that would leave localhost (those are blocked)."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        if not Path(CHROMIUM).exists():
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        self.console_errors: list[str] = []
        self.outside_requests: list[str] = []

    def page(self, width: int = 1400, height: int = 1000, color_scheme: str = "light"):
        from urllib.parse import urlsplit

        page = self.browser.new_page(
            viewport={"width": width, "height": height}, color_scheme=color_scheme
        )
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

        def guard(route):
            host = urlsplit(route.request.url).hostname
            if route.request.url.startswith(("data:", "blob:", "file:")) or host in (
                "127.0.0.1",
                "localhost",
            ):
                route.continue_()
            else:
                self.outside_requests.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        OPEN_PAGES.append(page)
        return page

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()


@pytest.fixture(scope="session")
def browser():
    b = Browser()
    yield b
    b.close()


ARTIFACTS = REPO / ".artifacts"  # screenshots and PDFs for a person to look at (git ignores it)


def build_example(out: Path) -> Path:
    """This repository's example site built with --strict into ``out``."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


def example_site(root: Path, broken: dict[str, str] | None = None) -> Path:
    """A copy of this repository's example site outside it, with ``broken`` files added."""
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copy(REPO / "hooks.py", root / "hooks.py")
    for name, text in (broken or {}).items():
        (root / "docs" / "postmortems" / name).write_text(text, encoding="utf-8")
    return root


def run_clean(args: list[str], cwd: Path, path: list[Path] | None = None, **env: str):
    """A command as a user's shell runs it: no virtual environment active, ``path`` (and
    the system's folders) on PATH, none of this test run's own settings."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "NO_MKDOCS_2_WARNING", "PATH")
        and not k.startswith(("PYTEST", "POSTMORTEMS_"))
    }
    folders = [str(p) for p in path or []] + ["/usr/local/bin", "/usr/bin", "/bin"]
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env={**base, "PATH": os.pathsep.join(folders), **env},
    )


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The package as it is published: one wheel, built once a test run."""
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(out), str(REPO)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stderr
    said = built.stdout + built.stderr
    for notice in ("would be ignored", "SetuptoolsDeprecationWarning", "SetuptoolsWarning"):
        assert notice not in said, said
    (found,) = out.glob("mkdocs_postmortems-*.whl")
    return found


@pytest.fixture(scope="session")
def wheel_venv(wheel, tmp_path_factory) -> Path:
    """A clean virtual environment holding the wheel and what it declares, nothing else:
    the bin folder."""
    import venv

    env_dir = tmp_path_factory.mktemp("wheel-venv")
    venv.create(env_dir, with_pip=True)
    installed = run_clean(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], env_dir
    )
    assert installed.returncode == 0, installed.stderr
    return env_dir / "bin"
