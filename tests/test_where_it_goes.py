"""The example site built the ways teams ship it, opened in headless Chromium: Material's
``offline`` plugin with ``use_directory_urls: false`` opened from file:// (a file share),
under a ``site_url`` with a sub-path, and built by ProperDocs (the maintained fork of
MkDocs 1.x). Each time the index table fills, the dashboard draws, and every link of
those pages and of a post-mortem leads to a file that exists."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import REPO, Served, example_site

pytestmark = pytest.mark.browser

POSTMORTEMS = len(
    [p for p in (REPO / "docs/postmortems").glob("*.md") if not p.name.startswith("_")]
)
MATERIAL_SHIM = "https://unpkg.com/iframe-worker/shim"
ONE = "2026-08-12-checkout-pool-exhausted-replica-failover"


def _build(root: Path, command: str, config: str) -> Path:
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", command, "build", "--strict", "-f", "mkdocs.yml"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return root / "site"


def _config(offline: bool = False, site_url: str = "") -> str:
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if offline:
        text = text.replace("plugins:\n  - search\n", "plugins:\n  - search\n  - offline\n")
        text += "\nuse_directory_urls: false\n"
    if site_url:
        text = text.replace("site_name:", f"site_url: {site_url}\nsite_name:", 1)
    return text


def _pages(offline: bool) -> dict[str, str]:
    if offline:
        return {
            "index": "postmortems/index.html",
            "dashboard": "dashboard/index.html",
            "one": f"postmortems/{ONE}.html",
        }
    return {"index": "postmortems/", "dashboard": "dashboard/", "one": f"postmortems/{ONE}/"}


def _check_site(browser, base: str, site: Path, offline: bool) -> None:
    """Open the index, the dashboard and a post-mortem from ``base``; ``site`` is the
    folder that ``base`` shows, for checking that each link's target exists."""
    pages = _pages(offline)
    page = browser.page()
    page.goto(base + pages["index"])
    page.wait_for_selector(".pm-table tbody tr", timeout=30000)
    assert f"of {POSTMORTEMS} post-mortems" in page.inner_text(".pm-count")
    _check_links(page, base, site)
    page.click(".pm-table tbody tr:first-child td:first-child a")
    page.wait_for_load_state()
    assert page.inner_text("h1").startswith("HOT-")

    page.goto(base + pages["dashboard"])
    page.wait_for_function(
        "document.querySelectorAll('.pm-chart').length > 0 && "
        "document.querySelectorAll('.pm-chart[data-drawn]').length === "
        "document.querySelectorAll('.pm-chart').length",
        timeout=30000,
    )
    _check_links(page, base, site)
    page.goto(base + pages["one"])
    assert "HOT-" in page.inner_text("h1")
    _check_links(page, base, site)
    page.close()


def _check_links(page, base: str, site: Path) -> None:
    hrefs = page.eval_on_selector_all(
        "article a[href], .md-nav a[href]", "links => links.map(a => a.href)"
    )
    assert len(hrefs) > 10, f"no links read on {page.url}"
    missing = []
    for href in hrefs:
        url = urljoin(page.url, href).split("#")[0].split("?")[0]
        if not url.startswith(base):
            continue  # the repository's edit links, mail links
        path = site / unquote(urlsplit(url).path[len(urlsplit(base).path) :])
        if path.is_dir():
            path = path / "index.html"
        if not path.exists():
            missing.append(href)
    assert missing == [], f"links to nothing from {page.url}"


def test_offline_bundle_opened_from_a_file_share(tmp_path, browser):
    root = example_site(tmp_path / "offline")
    site = _build(root, "mkdocs", _config(offline=True))
    browser.console_errors.clear()
    browser.outside_requests.clear()
    _check_site(browser, site.as_uri() + "/", site, offline=True)
    # Material's offline plugin itself asks unpkg for its search shim unless the site lists
    # a copy under extra.polyfills (see reference/adopting); nothing of ours leaves the machine.
    assert set(browser.outside_requests) <= {MATERIAL_SHIM}
    failed = "Failed to load resource: net::ERR_FAILED"
    assert [e for e in browser.console_errors if e != failed] == []


def test_under_a_site_url_with_a_sub_path(tmp_path, browser):
    root = example_site(tmp_path / "sub")
    site = _build(root, "mkdocs", _config(site_url="https://intranet.example/teams/sre/pm/"))
    served_root = tmp_path / "served"
    shutil.copytree(site, served_root / "teams/sre/pm")
    server = Served(served_root)
    try:
        browser.console_errors.clear()
        browser.outside_requests.clear()
        _check_site(browser, server.base + "teams/sre/pm/", site, offline=False)
    finally:
        server.close()
    assert browser.console_errors == []
    assert browser.outside_requests == []


def test_built_with_properdocs(tmp_path, browser):
    root = example_site(tmp_path / "properdocs")
    site = _build(root, "properdocs", _config())
    server = Served(site)
    try:
        browser.console_errors.clear()
        browser.outside_requests.clear()
        _check_site(browser, server.base, site, offline=False)
    finally:
        server.close()
    assert browser.console_errors == []
    assert browser.outside_requests == []
