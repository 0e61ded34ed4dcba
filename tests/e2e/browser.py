"""Debian's chromium driven by Playwright, shared by the browser tests (never a download)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags chromium keeps trying hosts this machine cannot
# reach; as root it needs --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium_context(
    *, height: int = 768, timeout_ms: int = 15_000, **options: Any
) -> Iterator[Any]:
    """Yield a Playwright browser context (skips, with the reason, when chromium is missing,
    or fails instead when ``EKTP_TEST_REQUIRE_BROWSER=1``)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("EKTP_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1366, "height": height}, locale="id-ID", **options
        )
        context.set_default_timeout(timeout_ms)
        try:
            yield context
        finally:
            context.close()
            browser.close()


def screenshots_dir(tmp_path: Path) -> Path:
    """Return where screenshots go: ``EKTP_TEST_SCREENSHOTS`` or the test's temporary folder."""
    directory = Path(os.environ.get("EKTP_TEST_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory
