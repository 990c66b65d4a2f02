"""The fake Bot API server, proven against the real python-telegram-bot Application over HTTP."""

import asyncio
import html
import time

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakebotapi import ApiError, FakeBotApi, UploadedFile, html_to_text

# ---- a tiny bot, defined here so the tests show what the fake server sees -------------------------

MENU = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Sport", callback_data="topic:sport")],
        [InlineKeyboardButton("Website", url="https://www.bilzen.be")],
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    payload = " ".join(context.args or [])
    await update.message.reply_text(f"Welkom! ({payload or 'geen payload'})", reply_markup=MENU)


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("Gekozen")
    await query.edit_message_text(f"Je koos {query.data.split(':')[1]}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_chat.send_action("typing")
    await update.message.reply_text(update.message.text)


async def describe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Says what PTB made of the update, to prove the simulated updates parse as the real ones."""
    message = update.effective_message
    if update.edited_message:
        text = f"bewerkt: {message.text}"
    elif message.forward_origin:
        text = f"doorgestuurd ({message.forward_origin.type}): {message.text}"
    elif message.photo:
        text = f"foto {message.photo[-1].width}px: {message.caption}"
    elif message.sticker:
        text = f"sticker {message.sticker.emoji}"
    elif message.voice:
        text = f"spraak {message.voice.duration.total_seconds():.0f}s"
    elif message.location:
        text = f"locatie {message.location.latitude:.3f},{message.location.longitude:.3f}"
    elif message.document:
        data = await (await message.document.get_file()).download_as_bytearray()
        await message.reply_document(bytes(data).upper(), filename="KOPIE.TXT", caption="terug")
        return
    else:
        text = f"iets anders: {message.text}"
    await message.reply_text(text)


def bilzen_bot(builder: ApplicationBuilder) -> Application:
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(choose, pattern=r"^topic:"))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, describe))
    app.add_handler(MessageHandler(filters.FORWARDED, describe))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.ALL, describe))
    return app


@pytest.fixture
def bot_app(app_builder: ApplicationBuilder) -> Application:
    return bilzen_bot(app_builder)


# ---- conversations through the real Application ------------------------------------------------


async def test_start_reaches_the_command_handler_with_its_payload(fake_api, bot_app, running_app):
    async with running_app(bot_app):
        replies = await fake_api.user(1001).send("/start vrijetijd")

    assert replies.texts == ["Welkom! (vrijetijd)"]
    assert replies[0].buttons == [[("Sport", "topic:sport")], [("Website", "https://www.bilzen.be")]]
    assert [c.method for c in fake_api.calls[:2]] == ["getMe", "deleteWebhook"]


async def test_echo_arrives_and_the_chat_looks_like_the_user_sees_it(fake_api, bot_app, running_app):
    anna = fake_api.user(1001, first_name="Anna")
    async with running_app(bot_app):
        replies = await anna.send("Wat kan ik doen in Bilzen?")

    assert replies.texts == ["Wat kan ik doen in Bilzen?"]
    assert replies.new == list(replies)
    assert fake_api.calls_to("sendChatAction")[0].params == {"chat_id": 1001, "action": "typing"}
    reply = fake_api.calls_to("sendMessage")[0].result
    assert reply["chat"]["id"] == 1001 and reply["from"]["username"] == "BilzenTestBot"
    assert "reply_to_message" not in reply  # reply_text only quotes in groups
    seen = [(m.from_bot, m.text) for m in fake_api.messages(1001)]
    assert seen == [(False, "Wat kan ik doen in Bilzen?"), (True, "Wat kan ik doen in Bilzen?")]
    assert [m.text for m in anna.inbox] == [m.text for m in fake_api.sent_to(1001)]


async def test_button_press_edits_the_message_and_answers_the_query(fake_api, bot_app, running_app):
    user = fake_api.user(1001)
    async with running_app(bot_app):
        (menu,) = await user.send("/start")
        with pytest.raises(AssertionError, match=r"buttons are: \[\['Sport'\], \['Website'\]\]"):
            await user.press(menu, "Cultuur")
        replies = await user.press(menu, "Sport")

    assert replies.texts == ["Je koos sport"]
    assert replies.edited == list(replies) and replies.new == []
    assert replies[0].buttons == []  # an edit without reply_markup removes the keyboard, like Telegram
    assert replies.callback_answer["text"] == "Gekozen"
    assert fake_api.sent_to(1001)[0].text == "Je koos sport"
    assert menu.text == "Welkom! (geen payload)"  # replies are snapshots, not live views


async def test_press_fails_clearly_when_the_bot_forgets_to_answer_the_query(fake_api, app_builder, running_app):
    async def forgetful(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.edit_message_text("Gekozen, maar de knop blijft draaien")

    app = app_builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(forgetful))
    user = fake_api.user(1001)
    async with running_app(app):
        (menu,) = await user.send("/start")
        with pytest.raises(AssertionError, match="did not call answerCallbackQuery"):
            await user.press(menu, "Sport")


async def test_simulated_updates_parse_as_real_ones(fake_api, bot_app, running_app):
    user = fake_api.user(1001)
    async with running_app(bot_app):
        assert (await user.forward("Zwemmen aan halve prijs")).texts == [
            "doorgestuurd (channel): Zwemmen aan halve prijs"
        ]
        assert (await user.forward("Tip", "Marie", origin="hidden_user")).texts == ["doorgestuurd (hidden_user): Tip"]
        assert (await user.send_photo(caption="affiche")).texts == ["foto 1280px: affiche"]
        assert (await user.send_sticker("🎉")).texts == ["sticker 🎉"]
        assert (await user.send_voice(duration=4)).texts == ["spraak 4s"]
        assert (await user.send_location(50.873, 5.519)).texts == ["locatie 50.873,5.519"]
        await user.send("eerste versie")
        own = user.own_messages[-1]
        assert (await user.edit(own, "tweede versie")).texts == ["bewerkt: tweede versie"]
        group_replies = await fake_api.group(-1001999).send("/start@BilzenTestBot groep")
    assert group_replies.texts == ["Welkom! (groep)"]
    assert group_replies[0].raw["chat"]["type"] == "supergroup"
    assert group_replies[0].raw["reply_to_message"]["text"] == "/start@BilzenTestBot groep"


async def test_uploads_keep_bytes_and_filename_and_files_download(fake_api, bot_app, running_app):
    user = fake_api.user(1001)
    async with running_app(bot_app):
        replies = await user.send_document("aanvraag.txt", "text/plain", data=b"uitpas bilzen")

    (copy_back,) = replies
    assert copy_back.kind == "document" and copy_back.text == "terug"
    assert copy_back.file == UploadedFile("document", "KOPIE.TXT", "text/plain", b"UITPAS BILZEN")
    upload = fake_api.calls_to("sendDocument")[0].params["document"]
    assert upload.filename == "KOPIE.TXT" and upload.data == b"UITPAS BILZEN"
    assert fake_api.file_data(copy_back.raw["document"]["file_id"]) == b"UITPAS BILZEN"


async def test_a_silent_bot_fails_with_a_report_of_what_happened(fake_api, app_builder, running_app):
    async with running_app(app_builder.build()):
        with pytest.raises(AssertionError, match=r"(?s)did not answer 'hallo'.*Calls for this chat: none"):
            await fake_api.user(1001).send("hallo", timeout=0.3)
        assert await fake_api.user(1002).send("stil", expect_reply=False) == []


# ---- Telegram's validation -------------------------------------------------------------------------


async def test_html_validation_rejects_broken_markup_and_accepts_escaped_text(fake_api, app_builder):
    async with app_builder.build() as app:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await app.bot.send_message(1001, "<b>x", parse_mode=ParseMode.HTML)
        text = f"<b>{html.escape('Zwemmen < 5 euro & gratis koffie')}</b>"
        sent = await app.bot.send_message(1001, text, parse_mode=ParseMode.HTML)

    assert sent.text == "Zwemmen < 5 euro & gratis koffie"  # what the user sees
    assert fake_api.sent_to(1001)[0].source_text == text
    assert [c.status for c in fake_api.calls_to("sendMessage")] == [400, 200]


@pytest.mark.parametrize(
    "source",
    [
        "<b>x",
        "a < b",
        "R&D",
        "&nbsp;",
        "<div>x</div>",
        "<b><i>x</b></i>",
        "x</b>",
        '<span class="x">y</span>',
    ],
)
def test_html_parser_refuses_what_telegram_refuses(source):
    with pytest.raises(ApiError, match=r"^400 Bad Request: can't parse entities: "):
        html_to_text(source)


def test_html_parser_renders_what_telegram_accepts():
    source = (
        "<b>a</b><strong>b</strong><i>c</i><u>d</u><s>e</s><tg-spoiler>f</tg-spoiler>"
        '<span class="tg-spoiler">g</span><a href="https://bilzen.be?a=1&amp;b=2">h</a><code>i</code>'
        '<pre><code class="language-py">j'
        "</code></pre><blockquote expandable>k</blockquote> &lt;&gt;&amp;&quot;&#33;&#x21; >"
    )
    assert html_to_text(source) == 'abcdefghijk <>&"!! >'


async def test_text_and_markup_limits(fake_api, app_builder):
    async with app_builder.build() as app:
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await app.bot.send_message(1001, "  ")
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await app.bot.send_message(1001, "x" * 4097)
        await app.bot.send_message(1001, "x" * 4096)
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("Lang", callback_data="é" * 33)]])  # 66 bytes
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await app.bot.send_message(1001, "menu", reply_markup=too_long)
        just_fits = InlineKeyboardMarkup([[InlineKeyboardButton("Kort", callback_data="x" * 64)]])
        sent = await app.bot.send_message(1001, "menu", reply_markup=just_fits)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await sent.edit_text("menu", reply_markup=just_fits)
        edited = await sent.edit_text("menu", reply_markup=MENU)
        assert edited.reply_markup == MENU


# ---- faults: what PTB makes of them ----------------------------------------------------------------


async def test_429_is_served_and_the_rate_limiter_retries(fake_api, app_builder):
    fake_api.faults.add("sendMessage", chat_id=1001, status=429, retry_after=0.3)
    app = app_builder.rate_limiter(AIORateLimiter(max_retries=1)).build()
    async with app:
        sent = await app.bot.send_message(1001, "na het wachten")

    assert sent.text == "na het wachten"
    first, second = fake_api.calls_to("sendMessage")
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.3  # AIORateLimiter waits retry_after + 0.1 s
    assert fake_api.faults.served["429"] == 1 and not fake_api.faults.active


async def test_429_without_a_rate_limiter_raises_retry_after(fake_api, app_builder):
    fault = fake_api.faults.add("sendMessage", status=429, retry_after=3)
    async with app_builder.build() as app:
        with pytest.raises(RetryAfter) as caught:
            await app.bot.send_message(1001, "te snel")
        await app.bot.send_message(1001, "nu wel")  # times=1: the next call goes through
    assert caught.value.retry_after.total_seconds() == 3  # a timedelta with PTB_TIMEDELTA=true
    assert fault.served == 1


async def test_a_blocked_user_reaches_ptb_as_forbidden(fake_api, app_builder):
    fake_api.block(2002)
    async with app_builder.build() as app:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await app.bot.send_message(2002, "herinnering")
        with pytest.raises(Forbidden):
            await app.bot.send_chat_action(2002, "typing")
        await app.bot.send_message(2003, "andere gebruiker")  # only that chat is blocked
        fake_api.unblock(2002)
        await app.bot.send_message(2002, "weer welkom")
    assert fake_api.faults.served["403"] == 2
    assert [m.text for m in fake_api.sent_to(2002)] == ["weer welkom"]


@pytest.mark.parametrize(
    ("fault", "error", "match"),
    [
        ({"drop": True}, NetworkError, "RemoteProtocolError"),
        ({"status": 500}, NetworkError, "Internal Server Error"),
        ({"status": 502}, NetworkError, r"Bad Gateway \(502\)"),
        ({"hang": 5}, TimedOut, None),
    ],
)
async def test_network_faults_surface_as_ptb_errors(fake_api, app_builder, fault, error, match):
    fake_api.faults.add("sendMessage", **fault)
    async with app_builder.build() as app:
        with pytest.raises(error, match=match):
            await app.bot.send_message(1001, "hallo", read_timeout=0.3)
        await app.bot.send_message(1001, "tweede poging")
    assert [m.text for m in fake_api.sent_to(1001)] == ["tweede poging"]


async def test_wrong_token_is_401_and_unknown_methods_404(fake_api):
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=fake_api.base_url):  # initialize() calls getMe
            pass
    async with Bot(fake_api.token, base_url=fake_api.base_url) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendCarrierPigeon", api_kwargs={"chat_id": 1001})
    assert fake_api.unknown_methods == ["sendCarrierPigeon"]
    assert fake_api.calls_to("sendCarrierPigeon")[0].status == 404


# ---- long polling and the rate observer ---------------------------------------------------------


async def test_long_polling_answers_as_soon_as_an_update_is_pushed(fake_api: FakeBotApi):
    async with Bot(fake_api.token, base_url=fake_api.base_url) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=0.3) == ()
        assert time.monotonic() - started >= 0.3

        poll = asyncio.create_task(bot.get_updates(timeout=5, read_timeout=10))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        fake_api.push_update({"message": {"message_id": 1, "date": 0, "chat": {"id": 1001, "type": "private"}}})
        (update,) = await poll
        assert time.monotonic() - started < 0.5
        assert update.message.chat.id == 1001

        # Not confirmed yet: offset confirms it, and an empty queue answers at once with timeout=0.
        assert len(await bot.get_updates(timeout=0)) == 1
        assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


async def test_rate_observer_counts_sends_per_chat(fake_api, app_builder):
    async with app_builder.build() as app:
        for chat_id in (1001, 1002, 1001):
            await app.bot.send_message(chat_id, "nieuws")
            await asyncio.sleep(0.05)
        await app.bot.send_chat_action(1001, "typing")  # not a message: not counted

    rate = fake_api.rate
    assert rate.total == 3 and len(rate.timestamps(1001)) == 2
    assert rate.peak(window=1.0) == 3 and rate.peak(window=1.0, chat_id=1002) == 1
    assert 5 < rate.rate() < 40
    assert set(rate.per_chat()) == {1001, 1002}


async def test_a_second_poller_terminates_the_first_like_two_running_bots(fake_api):
    async with (
        Bot(fake_api.token, base_url=fake_api.base_url) as first,
        Bot(fake_api.token, base_url=fake_api.base_url) as second,
    ):
        polling = asyncio.create_task(first.get_updates(timeout=2, read_timeout=5))
        await asyncio.sleep(0.1)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await polling


# ---- bookkeeping methods ---------------------------------------------------------------------------


async def test_commands_webhook_chat_and_reply_keyboard(fake_api, app_builder):
    async with app_builder.build() as app:
        bot = app.bot
        await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("zoek", "Zoek een aanbod")])
        assert [c.command for c in await bot.get_my_commands()] == ["start", "zoek"]
        assert await bot.get_my_commands(language_code="fr") == ()
        with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([BotCommand("Zoek", "hoofdletters mogen niet")])
        await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()

        await bot.set_webhook("https://bot.example.org/hook")
        assert (await bot.get_webhook_info()).url == "https://bot.example.org/hook"
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await bot.delete_webhook()

        anna = fake_api.user(1001, "Anna", username="anna_b")
        chat = await bot.get_chat(1001)
        assert (chat.type, chat.first_name, chat.username) == ("private", "Anna", "anna_b")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.get_chat(777)

        keyboard = ReplyKeyboardMarkup([["Sport", "Cultuur"], ["Help"]])
        await bot.send_message(1001, "Kies een thema", reply_markup=keyboard)
        assert anna.reply_keyboard == [["Sport", "Cultuur"], ["Help"]]
        await bot.send_message(1001, "Bedankt", reply_markup=ReplyKeyboardRemove())
        assert anna.reply_keyboard is None
        assert await bot.log_out() is True
