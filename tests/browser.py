"""Headless Debian Chromium driven by Playwright, for the page tests (Playwright's own
browsers are never downloaded: the machines are offline)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Every browser test module carries these marks: skipped with the install command where absent.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed (apt-get install chromium fonts-noto-core; .ci/run does)"),
]


@contextmanager
def chromium() -> Iterator[object]:
    """A launched headless Chromium, closed afterwards."""
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", "0")
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        try:
            yield launched
        finally:
            launched.close()
