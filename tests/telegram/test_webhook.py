"""Webhook mode: `run_bot` with `telegram.mode = "webhook"` registers the webhook with its secret and answers
updates POSTed to it on 127.0.0.1 by PTB's own webhook server; a request without the secret, or with a
wrong one, is refused and never reaches the bot."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time

import httpx
import pytest

from handlers.app import run_bot
from tests.helpers import clock_at, eventually, free_port, make_settings

SECRET = "a-Secret_for-the-webhook-123"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
URL = "https://bot.example.be/telegram"


def update(update_id: int, user_id: int, text: str) -> dict:
    """An update as Telegram POSTs it to a webhook: a private message, with a command entity if it is one."""
    message = {
        "message_id": update_id,
        "from": {"id": user_id, "is_bot": False, "first_name": "Anna"},
        "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def webhook_registered_and_listening(fake_api, bot: asyncio.Task, port: int) -> None:
    """Wait until the bot told Telegram its webhook and its server accepts connections.

    PTB calls setWebhook before its server listens, so on a loaded machine the port opens a moment
    later; Telegram itself would retry, a test waits."""
    await eventually(lambda: fake_api.webhook["url"] or bot.done(), what="setWebhook")
    await eventually(lambda: listening(port) or bot.done(), what="the webhook server")
    assert not bot.done(), bot.exception()


@pytest.fixture
def webhook_settings(tmp_path, fake_api):
    settings = make_settings(tmp_path)
    telegram = dataclasses.replace(
        settings.telegram,
        token=fake_api.token,
        api_base_url=fake_api.base_url,
        mode="webhook",
        webhook_listen="127.0.0.1",
        webhook_port=free_port(),
        webhook_url=URL,
        webhook_secret=SECRET,
    )
    return dataclasses.replace(settings, telegram=telegram)


async def test_webhook_mode_answers_posted_updates_and_refuses_a_missing_or_wrong_secret(
    webhook_settings, fake_api, app_builder
):
    stop = asyncio.Event()
    bot = asyncio.create_task(
        run_bot(webhook_settings, stop=stop, builder=app_builder, clock=clock_at(2027, 1, 13, 10, 0))
    )
    try:
        port = webhook_settings.telegram.webhook_port
        await webhook_registered_and_listening(fake_api, bot, port)
        # Telegram was told where to call and which secret to send along.
        assert fake_api.webhook["url"] == URL
        assert fake_api.webhook["secret_token"] == SECRET
        assert not fake_api.calls_to("getUpdates")  # no polling beside the webhook
        endpoint = f"http://127.0.0.1:{port}/telegram"
        async with httpx.AsyncClient(timeout=5) as client:
            refused = {
                "no secret": await client.post(endpoint, json=update(1, 501, "/start")),
                "wrong secret": await client.post(
                    endpoint,
                    json=update(2, 502, "/start"),
                    headers={HEADER: "not-the-secret"},
                ),
            }
            accepted = await client.post(endpoint, json=update(3, 503, "/start"), headers={HEADER: SECRET})
            question = await client.post(endpoint, json=update(4, 503, "zwemmen"), headers={HEADER: SECRET})
        assert {why: r.status_code for why, r in refused.items()} == {"no secret": 403, "wrong secret": 403}
        assert accepted.status_code == 200 and question.status_code == 200

        await eventually(lambda: len(fake_api.sent_to(503)) >= 2, what="the answers to the accepted updates")
        welcome, *answers = fake_api.sent_to(503)
        assert "Anna" in (welcome.text or "")
        assert any("Dit vond ik voor jou" in (m.text or "") for m in answers)
        # The refused updates never reached the bot: nothing was sent to those people.
        assert fake_api.sent_to(501) == [] and fake_api.sent_to(502) == []
    finally:
        stop.set()
        await asyncio.wait_for(bot, 10)
    # The webhook server is gone with the bot.
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(timeout=2) as client:
            await client.post(endpoint, json=update(5, 503, "/start"), headers={HEADER: SECRET})


async def test_webhook_without_a_configured_secret_gets_a_random_one(webhook_settings, fake_api, app_builder):
    settings = dataclasses.replace(
        webhook_settings, telegram=dataclasses.replace(webhook_settings.telegram, webhook_secret=None)
    )
    stop = asyncio.Event()
    bot = asyncio.create_task(run_bot(settings, stop=stop, builder=app_builder, clock=clock_at(2027, 1, 13, 10, 0)))
    try:
        await webhook_registered_and_listening(fake_api, bot, settings.telegram.webhook_port)
        secret = fake_api.webhook["secret_token"]
        assert isinstance(secret, str) and len(secret) >= 32
        endpoint = f"http://127.0.0.1:{settings.telegram.webhook_port}/telegram"
        async with httpx.AsyncClient(timeout=5) as client:
            assert (await client.post(endpoint, json=update(1, 601, "/start"))).status_code == 403
            ok = await client.post(endpoint, json=update(2, 601, "/start"), headers={HEADER: secret})
            assert ok.status_code == 200
        await eventually(lambda: fake_api.sent_to(601), what="the welcome")
    finally:
        stop.set()
        await asyncio.wait_for(bot, 10)
