"""An operator at the desk of set 1 in a browser, while the set's device talks to the API:
the called resident shows, the captures appear as they arrive, complete marks them recorded.

Drives Debian's chromium through Playwright against a real uvicorn server (see
tests/e2e/test_browser.py); the device is plain HTTP with the operator's API token.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ektp.recording import capture_rules as rules
from ektp.recording.models import QueueTicket
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from tests.e2e.browser import chromium_context, screenshots_dir
from tests.e2e.conftest import PASSWORD
from tests.e2e.desk_city import SUKARAMI, build_planned, call_to_set, copy_of, token_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def planned(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the planned small city, built once for the module."""
    return build_planned(web_template, tmp_path_factory.mktemp("desk-browser"))


@pytest.fixture
def web_runtime(planned: Path, tmp_path: Path) -> Iterator[Runtime]:
    """Yield a runtime on this test's copy of the planned city (the live server uses it)."""
    runtime = copy_of(planned, tmp_path)
    try:
        yield runtime
    finally:
        runtime.dispose()


@pytest.fixture
def page() -> Iterator[object]:
    """Yield a Playwright page in Debian's chromium (skipped, with the reason, without it)."""
    with chromium_context(height=900) as context:
        yield context.new_page()


def test_the_desk_shows_the_called_resident_the_captures_as_they_come_and_completes(
    page: object, live_server: str, web_runtime: Runtime, tmp_path: Path
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    shots = screenshots_dir(tmp_path)
    ticket = call_to_set(web_runtime, SUKARAMI, 1)
    with web_runtime.transaction() as session:
        resident = session.get(Resident, ticket.resident_id)
        assert resident is not None
        nama, nik = resident.nama, resident.nik
    device = httpx.Client(
        base_url=live_server,
        headers={"Authorization": f"Bearer {token_for(web_runtime, 'camat')}"},
        timeout=20,
    )

    page.goto(f"{live_server}/login?next=/perekaman/{SUKARAMI}/1")
    page.get_by_label("Nama pengguna").fill("camat")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{live_server}/perekaman/{SUKARAMI}/1")
    expect(page.locator("#desk-person")).to_contain_text(nama)
    expect(page.locator("#desk-biodata")).to_contain_text(nik)
    page.screenshot(path=str(shots / "desk-called.png"), full_page=True)

    started = device.post(
        "/api/v1/recording/start", json={"ticket_id": ticket.id, "set_no": 1}
    ).json()
    steps = page.locator("#desk-steps table.steps")
    expect(steps).to_be_visible()  # the poll saw the device start and redrew the desk
    template = base64.b64encode(b"T" * 400).decode()
    poor = {"modality": "r_thumb", "quality": 15, "template_b64": template}
    assert device.post(f"/api/v1/recording/{started['id']}/captures", json=poor).status_code == 201
    thumb = steps.locator("tr[data-modality='r_thumb']")
    expect(thumb).to_contain_text("Ulangi")
    for modality in rules.MODALITIES:
        body = {"modality": modality, "quality": 85, "template_b64": template}
        answer = device.post(f"/api/v1/recording/{started['id']}/captures", json=body)
        assert answer.status_code == 201, answer.text
    expect(thumb).to_contain_text("Diterima")
    expect(page.locator("#desk-missing")).to_contain_text("Semua langkah selesai")
    page.screenshot(path=str(shots / "desk-captured.png"), full_page=True)

    page.get_by_role("button", name="Selesai: tandai terekam").click()
    expect(page.get_by_role("status")).to_contain_text(f"{nama} terekam")
    expect(page.locator("main")).to_contain_text("Belum ada nomor antrean yang dipanggil")
    page.screenshot(path=str(shots / "desk-recorded.png"), full_page=True)
    with web_runtime.transaction() as session:
        stored = session.get(QueueTicket, ticket.id)
        assert stored is not None and stored.status == "recorded"
    device.close()
