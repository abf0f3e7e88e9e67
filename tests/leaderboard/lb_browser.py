"""Headless Debian chromium driven through chromium-driver (selenium), no network."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000"]


def find_binaries() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("chromium and chromium-driver are not installed (run .ci/setup-leaderboard.sh)")
    return chromium, driver


@contextmanager
def chromium_session():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    chromium, driver = find_binaries()
    profile = tempfile.mkdtemp(prefix="lb-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    # an explicit driver path: selenium never tries to download one
    browser = webdriver.Chrome(service=Service(executable_path=driver), options=opts)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def full_page_screenshot(browser, path: Path) -> Path:
    """Resize the window to the page's height, then take the picture."""
    height = browser.execute_script("return Math.min(document.body.scrollHeight, 6000)")
    browser.set_window_size(1400, max(800, int(height) + 40))
    browser.save_screenshot(str(path))
    return path
