"""Our HTTP transport (handlers/http.py) against the fake Bot API: what PTB needs from it, failures included.

The conversation tests run the whole bot over this transport; these check the edges they do not reach:
uploads, and every way a call can fail, as the PTB errors the rest of the bot handles.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from handlers.http import AiohttpRequest
from tests.fakebotapi import FakeBotApi, UploadedFile

CHAT = 4711


@pytest.fixture
async def bot(fake_api: FakeBotApi) -> AsyncIterator[Bot]:
    transport = AiohttpRequest(8, read_timeout=0.5, connect_timeout=0.5, pool_timeout=0.5, media_read_timeout=2)
    async with Bot(fake_api.token, base_url=fake_api.base_url, request=transport) as bot:
        yield bot


async def test_a_message_with_html_and_buttons_goes_through_as_sent(bot, fake_api):
    sent = await bot.send_message(CHAT, "<b>Spaghetti &amp; co</b> – één €", parse_mode="HTML")
    (stored,) = fake_api.sent_to(CHAT)
    assert stored.text == sent.text == "Spaghetti & co – één €"
    assert bot.username == "BilzenTestBot", "getMe at start-up"


async def test_a_file_is_uploaded_as_multipart_with_its_name_and_caption(bot, fake_api):
    data = b"<html>rapport</html>" * 1000
    await bot.send_document(CHAT, InputFile(io.BytesIO(data), filename="rapport.html"), caption="Het rapport")
    (call,) = fake_api.calls_to("sendDocument")
    upload = call.params["document"]
    assert isinstance(upload, UploadedFile)
    assert (upload.filename, upload.data) == ("rapport.html", data)
    assert call.params["caption"] == "Het rapport"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"status": 403}, Forbidden),
        ({"status": 400, "description": "Bad Request: message is too long"}, BadRequest),
        ({"status": 429, "retry_after": 3}, RetryAfter),
        ({"status": 502}, NetworkError),
        ({"status": 500}, NetworkError),
        ({"hang": 3}, TimedOut),
        ({"drop": True}, NetworkError),
    ],
)
async def test_failures_become_the_errors_ptb_and_our_error_handler_expect(bot, fake_api, fault, error):
    fake_api.faults.add("sendMessage", **fault)
    with pytest.raises(error) as caught:
        await bot.send_message(CHAT, "hallo")
    if error is RetryAfter:
        assert caught.value.retry_after.total_seconds() == 3
    await bot.send_message(CHAT, "weer goed")  # the connection pool is fine afterwards
    assert [m.text for m in fake_api.sent_to(CHAT)] == ["weer goed"]


async def test_a_long_poll_waits_for_the_next_update(bot, fake_api):
    fake_api.push_update(
        {"message": {"message_id": 1, "date": 0, "chat": {"id": CHAT, "type": "private"}, "text": "x"}}
    )
    (update,) = await bot.get_updates(timeout=1)
    assert update.message.text == "x"
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0.2) == ()


async def test_unused_or_closed_transport_says_so():
    transport = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await transport.do_request("http://127.0.0.1:1/bot", "POST")
    await transport.initialize()
    await transport.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await transport.do_request("http://127.0.0.1:1/bot", "POST")
