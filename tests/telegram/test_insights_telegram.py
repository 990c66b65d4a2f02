"""/rapport end to end: the real Application on the fake Bot API; admins get a summary and the HTML document."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import html5lib
import pytest

from bot.platform.config import TelegramSettings
from tests.helpers import make_settings

ADMIN = 900_001


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, telegram=TelegramSettings(admins=(ADMIN,)))


async def until(done: Callable[[], bool], timeout: float = 15.0) -> None:  # noqa: ASYNC109
    """Wait for the bot's work (drawing the charts takes a second or two), not for a moment in time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not done():
        assert loop.time() < deadline, "the report did not arrive in time"
        await asyncio.sleep(0.02)


async def report_for(fake_api, command: str) -> tuple:
    """The admin's /rapport: the summary and the document, once both have arrived."""
    admin = fake_api.user(ADMIN, first_name="Coördinator")
    before = len(admin.inbox)
    await admin.send(command)
    await until(lambda: any(m.kind == "document" for m in admin.inbox[before:]))
    return tuple(admin.inbox[before:])


async def test_admin_gets_a_summary_and_the_report_as_a_document(core, bot, fake_api):
    for user_id, question in [(501, "zwemmen"), (502, "yoga"), (503, "yoga voor vrouwen"), (504, "gratis yoga")]:
        await fake_api.user(user_id).send(question)
    summary, document = await report_for(fake_api, "/rapport 2027-01-01 2027-01-31")
    assert "Vrijetijdsbot Bilzen" in summary.text
    assert "Periode: 1 januari 2027 tot en met 31 januari 2027" in summary.text
    assert "Mensen bereikt: 4" in summary.text  # the admin's own /rapport does not count: it is no question
    assert "yoga (3 keer gevraagd)" in summary.text
    assert document.kind == "document"
    assert document.file is not None and document.file.filename == "rapport-2027-01-01-2027-01-31.html"
    page = document.file.data.decode("utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    assert "data:image/png;base64," in page
    assert document.text == "Rapport 2027-01-01 tot 2027-01-31"  # the caption


async def test_without_dates_the_report_covers_the_last_six_months(bot, fake_api):
    summary, document = await report_for(fake_api, "/rapport")
    assert "Periode: 14 juli 2026 tot en met 13 januari 2027" in summary.text
    assert document.file.filename == "rapport-2026-07-14-2027-01-13.html"


async def test_a_person_who_is_not_an_admin_gets_a_polite_refusal(bot, fake_api):
    (answer,) = await fake_api.user(501).send("/rapport")
    assert "alleen voor de coördinatoren" in answer.text
    assert fake_api.calls_to("sendDocument") == []


async def test_a_date_that_cannot_be_read_is_explained(bot, fake_api):
    (answer,) = await fake_api.user(ADMIN).send("/rapport 31/02/2027")
    assert "31/02/2027" in answer.text and "niet lezen" in answer.text
    assert "/rapport 2027-03" in answer.text  # how to ask instead
    (answer,) = await fake_api.user(ADMIN).send("/rapport 2027-06-30 2027-01-01")
    assert "vóór de begindatum" in answer.text
    assert fake_api.calls_to("sendDocument") == []
