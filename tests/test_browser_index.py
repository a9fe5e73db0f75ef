"""The index as a person uses it, in headless Chromium: sort, filter, follow a row."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS, Served, Site, good

pytestmark = pytest.mark.browser

SERVICES = {
    "HOT-1": "checkout-api",
    "HOT-2": "search-api",
    "HOT-3": "checkout-api",
    "HOT-4": "orders-db",
    "HOT-5": "search-api",
}
SEVERITIES = {"HOT-1": "P3", "HOT-2": "P1", "HOT-3": "P4", "HOT-4": "P2", "HOT-5": "P1"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("browser") / "src")
    for n, ident in enumerate(SERVICES, start=1):
        text = good(
            id=ident,
            title=f"Incident number {n}",
            severity=SEVERITIES[ident],
            started=f"2025-03-0{n}T10:00:00Z",
        )
        text = (
            text.replace("2025-03-04T1", f"2025-03-0{n}T1")
            .replace("2025-03-04 11:30", f"2025-03-0{n} 11:30")
            .replace("services: [checkout-api]", f"services: [{SERVICES[ident]}]")
        )
        site.add(f"2025-03-0{n}-incident.md", text)
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    server = Served(site.root / "site")
    yield server
    server.close()


def column(page, index: int) -> list[str]:
    return page.locator(f".pm-table tbody tr td:nth-child({index})").all_inner_texts()


def test_sort_filter_and_follow_a_row(served, browser):
    page = browser.page()
    page.goto(served.base + "postmortems/")
    page.wait_for_selector(".pm-table tbody tr")
    assert len(column(page, 1)) == 5
    assert column(page, 1)[0] == "HOT-5"  # newest first by default

    page.click(".pm-table th[data-key=severity]")
    assert column(page, 3) == ["P1", "P1", "P2", "P3", "P4"]
    page.click(".pm-table th[data-key=severity]")
    assert column(page, 3) == ["P4", "P3", "P2", "P1", "P1"]

    page.select_option("select[data-filter=service]", "search-api")
    assert sorted(column(page, 1)) == ["HOT-2", "HOT-5"]
    assert "service=search-api" in page.url  # the filtered view can be shared

    page.fill(".pm-table input[type=search]", "number 2")
    assert column(page, 1) == ["HOT-2"]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "index-filtered.png"), full_page=True)
    page.click(".pm-table tbody tr td a")
    page.wait_for_selector(".pm-card")
    assert page.url.endswith("/postmortems/2025-03-02-incident/")
    card = page.locator(".pm-card").inner_text()
    assert "HOT-2" in card and "P1" in card and "search-api" in card
    assert "1 h 15 min" in card  # time to resolve, 10:15 to 11:30
    page.screenshot(path=str(ARTIFACTS / "postmortem-card.png"), full_page=True)

    assert browser.console_errors == []
    assert browser.outside_requests == []


def test_filter_link_from_a_section(served, browser):
    page = browser.page()
    page.goto(served.base + "postmortems/?severity=P1#all")
    page.wait_for_selector(".pm-table tbody tr")
    assert sorted(column(page, 1)) == ["HOT-2", "HOT-5"]
    assert page.locator("select[data-filter=severity]").input_value() == "P1"
    assert browser.console_errors == []
    assert browser.outside_requests == []
