"""End to end in a real browser (Debian's Chromium driven by Playwright; nothing is downloaded):
the Dagster UI against the session's Dagster instance, and the scorecard report."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT, WAREHOUSE_DIR_VAR

CHROMIUM = Path(os.environ.get("MISSION_TRACKER_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = PROJECT_ROOT / "artifacts"
LOCATION = "orchestration.definitions"
# Without the background-networking flags Chromium keeps trying to reach Google on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium (make test does it)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(built_warehouse) -> Iterator[str]:
    """`dagster-webserver` on 127.0.0.1 over the session's Dagster instance as the session refresh left
    it (a copy: tests that run refreshes on the session instance, in whatever order, cannot change it)."""
    port = _free_port()
    env = {
        **os.environ,
        WAREHOUSE_DIR_VAR: str(built_warehouse.settings.warehouse_dir),
        "DAGSTER_HOME": str(built_warehouse.dagster_home),
    }
    executable = str(Path(sys.executable).with_name("dagster-webserver"))
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / "dagster-webserver.log").open("w")
    process = subprocess.Popen(
        [executable, "-h", "127.0.0.1", "-p", str(port), "-w", str(PROJECT_ROOT / "workspace.yaml")],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, "dagster-webserver exited; see artifacts/dagster-webserver.log"
            assert time.monotonic() < deadline, "dagster-webserver did not answer within 180 s"
            time.sleep(1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _open(browser, url: str):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url)
    with contextlib.suppress(PlaywrightTimeout):  # a first-visit newsletter dialog may cover the page
        page.get_by_role("button", name="Skip").click(timeout=5000)
    return page


@pytest.mark.slow(seconds=30)  # the whole module: its webserver and Chromium start with this test
def test_ui_shows_the_asset_graph_with_the_publish_step(browser, webserver):
    page = _open(browser, f"{webserver}/locations/{LOCATION}/asset-groups/publish")
    for name in ("published_warehouse", "scorecard_report", "warehouse_exports"):
        page.get_by_text(name, exact=True).first.wait_for(state="visible", timeout=60_000)
    # each node shows its latest event (which, after the suite's failing refreshes, may be a failure)
    page.get_by_text("Latest event").first.wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "ui-asset-graph-publish.png"))
    assert page.get_by_text("Latest event").count() >= 3
    page.close()


def test_ui_shows_the_blocking_checks_of_a_mart(browser, webserver):
    page = _open(browser, f"{webserver}/assets/mission_summary?view=checks")
    page.get_by_text("gx_mission_summary", exact=True).first.wait_for(state="visible", timeout=60_000)
    page.get_by_text("Succeeded").first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "ui-checks-mission-summary.png"))
    page.close()


def test_ui_shows_the_session_refresh_as_a_successful_run(browser, webserver, built_warehouse):
    with built_warehouse.instance() as instance:
        run = instance.get_run_by_id(built_warehouse.summary.run_id)
    assert run.job_name == "nightly_refresh" and run.status.value == "SUCCESS"
    page = _open(browser, f"{webserver}/runs/{run.run_id}")
    page.get_by_text("Success", exact=True).first.wait_for(state="visible", timeout=60_000)
    page.get_by_text("nightly_refresh").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "ui-run-success.png"))
    page.close()


def test_the_report_renders_with_charts_and_maps(browser, built_warehouse):
    report = built_warehouse.settings.report_path
    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    started = time.perf_counter()
    page.goto(report.as_uri(), wait_until="load")
    seconds = time.perf_counter() - started
    assert page.locator("section.mission").count() == 12
    charts = page.locator("svg.chart")
    assert charts.count() >= 30
    box = charts.first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 150  # laid out, not collapsed
    # the HLE map: its <use> elements render real shapes (a non-zero box) for Hartlepool
    hartlepool = page.locator('#M07 use[data-code="E06000001"]')
    assert hartlepool.count() == 1 and (hartlepool.bounding_box() or {}).get("width", 0) > 0
    assert page.locator(".synthetic-banner").count() == 0  # no synthetic sample is published
    page.locator("#M07").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "report-health.png"))
    page.close()
    (ARTIFACTS / "report-render-seconds.txt").write_text(f"{seconds:.2f}\n")


#: Every text box that overflows: an HTML block whose content is wider than its box, or an SVG text
#: outside its drawing's viewBox. Returns one line per overflow.
OVERFLOWS_JS = """
(root) => {
  const bad = [];
  const describe = (el) => el.tagName + '.' + (el.getAttribute('class') || '') + ': '
    + (el.textContent || '').trim().slice(0, 60);
  for (const el of root.querySelectorAll('td, th, p, figcaption, dt, dd, li, h1, h2, div')) {
    if (el.closest('svg')) continue;
    if (el.scrollWidth > el.clientWidth + 1) bad.push(`html ${describe(el)} (${el.scrollWidth} > ${el.clientWidth})`);
  }
  for (const text of root.querySelectorAll('svg text')) {
    const view = text.ownerSVGElement.viewBox.baseVal;
    const box = text.getBBox();
    if (box.width === 0) continue;
    if (box.x < view.x - 0.5 || box.x + box.width > view.x + view.width + 0.5
        || box.y < view.y - 0.5 || box.y + box.height > view.y + view.height + 0.5) {
      bad.push(`svg ${describe(text)} (${box.x.toFixed(1)}+${box.width.toFixed(1)} in ${view.width})`);
    }
  }
  return bad;
}
"""

#: Two boxes that do overflow, to show the detector finds what it looks for.
PLANT_OVERFLOWS_JS = """
(root) => {
  const div = document.createElement('div');
  div.style.cssText = 'width:40px;white-space:nowrap;overflow:hidden';
  div.textContent = 'a label far too long for its forty pixel box';
  root.appendChild(div);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 50 20'); svg.setAttribute('width', '50'); svg.setAttribute('height', '20');
  const text = document.createElementNS(ns, 'text');
  text.setAttribute('x', '30'); text.setAttribute('y', '12'); text.textContent = 'runs off the edge';
  svg.appendChild(text); root.appendChild(svg);
}
"""


def _assert_no_overflow(page, selector: str) -> None:
    root = page.locator(selector).first
    assert root.evaluate(OVERFLOWS_JS) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    root.evaluate(PLANT_OVERFLOWS_JS)
    planted = root.evaluate(OVERFLOWS_JS)
    assert len(planted) == 2 and planted[0].startswith("html DIV") and planted[1].startswith("svg text"), (
        planted
    )


def test_blackpools_profile_renders_with_no_text_overflowing(browser, built_warehouse):
    profile = built_warehouse.settings.profiles_dir / "E06000009.html"
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(profile.as_uri(), wait_until="load")
    assert page.locator("h1").inner_text() == "Blackpool"
    assert page.locator("section.mission").count() == 12
    spines = page.locator("svg.spine")
    assert spines.count() >= 20
    box = spines.first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 20  # laid out at its drawn size
    page.screenshot(path=str(ARTIFACTS / "profile-blackpool.png"), full_page=True)
    _assert_no_overflow(page, "body")
    page.close()


def test_the_reports_mission_1_section_renders_with_no_text_overflowing(browser, built_warehouse):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(built_warehouse.settings.report_path.as_uri(), wait_until="load")
    section = page.locator("#M01")
    assert section.locator("figure").count() >= 5
    section.screenshot(path=str(ARTIFACTS / "report-mission-1.png"))
    _assert_no_overflow(page, "#M01")
    page.close()
