"""Button data and deep links: every parser takes any text without raising, and what it accepts is exactly
what the codecs build (round trip, within Telegram's 64 bytes)."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.chat import actions as chat
from bot.chat.conversation import Who
from bot.keyfigures import actions as keyfigures
from bot.reminders import actions as reminders

PARSERS = (
    (chat.decode, chat.encode),
    (reminders.decode, reminders.encode),
    (keyfigures.decode, keyfigures.encode),
    (keyfigures.decode_admin, keyfigures.encode_admin),
)
PREFIXES = ("c1", "r1", "k1", "a1", "c0", "c2", "r9", "i", "r", "w", "kf", "ad", "menu", "")
VERBS = ("i", "g", "a", "c", "s", "p", "b", "m", "h", "f", "r", "l", "x", "y", "n", "w", "t", "on", "off", "ok")
VERBS += ("da", "ed", "pv", "nd", "dm", "k", "cat", "sc", "sub", "uns", "tr", "rv", "no", "cx", "cxy", "up", "de")
DIGITS = "0123456789²³¹٠١٢٣٤٥٦٧٨٩۳０１２３①"  # ASCII, superscript, Arabic-Indic, fullwidth, circled
NUMBERS = st.text(alphabet=DIGITS, min_size=0, max_size=14) | st.integers(-5, 10**14).map(str)
PARTS = NUMBERS | st.sampled_from(("", "d", "h", "b", "1", "e", "y", "n", "week", "act", "on", "off", "t", "w"))
PARTS = PARTS | st.text(max_size=70)
BUTTON_DATA = st.builds(
    lambda prefix, verb, parts: ":".join([prefix, verb, *parts]),
    st.sampled_from(PREFIXES),
    st.sampled_from(VERBS) | st.text(max_size=5),
    st.lists(PARTS, max_size=5),
)
ANY_TEXT = st.text(st.characters(exclude_categories=()))  # lone surrogates too: JSON can carry "\ud800"
ANY_DATA = ANY_TEXT | BUTTON_DATA | st.binary(max_size=80).map(lambda b: b.decode("utf-8", "replace"))


def check(data: str) -> None:
    for decode, encode in PARSERS:
        action = decode(data)  # must not raise
        if action is not None:
            assert encode(action) == data, (data, action)  # accepted: exactly what the codec builds
            assert chat.fits(data)
    # The flood guard's question (bot/chat/flood.py) never raises, and only real buttons can be browsing.
    if chat.browsing(data) or reminders.browsing(data):
        assert chat.decode(data) is not None or reminders.decode(data) is not None


@settings(max_examples=1500, deadline=None)
@given(ANY_DATA)
@example("c1:i:²")
@example("k1:sc:\ud800")
@example("c1:i:007")
@example("c1:i:٣")
@example("r1:r:²")
@example("r1:x:²")
@example("r1:s:²")
@example("r1:y:1:２０２７０１２０１４００")
@example("c1:k:1:２０２７０１２０１４００")
@example("c1:k:1:202702301200")
@example("c1:g:1:202701201460")
@example("c1:c:1:")
@example("c1:c:1:202701201400:")
@example("c1:k:1")
@example("c1:k:²:202701201400")
@example("a1:tr:²:1")
@example("k1:dm:1:²")
@example("c1:i:" + "9" * 70)
@example("c1:b:week:")
@example("c1::")
@example("c7:i:1")
@example("i:1")
@example("")
def test_no_parser_raises_and_what_it_accepts_is_what_the_codec_builds(data):
    check(data)


@settings(max_examples=500, deadline=None)
@given(st.text() | st.builds(lambda s: "offer-" + s, st.text(alphabet=DIGITS + "abc-_é", max_size=70)))
@example("offer-²")
@example("offer-٣")
@example("offer-")
@example("offer-" + "1" * 80)
def test_the_start_payload_never_raises(payload):
    link = chat.decode_start(payload)
    if link is not None:
        assert link.offer_id and payload == chat.OFFER_LINK + link.offer_id
        assert link.pk is None or int(link.offer_id) == link.pk


PKS = st.integers(0, 10**12 - 1)
MOMENTS = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(9999, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
TOKENS = st.text(alphabet="abcXYZ019_-", min_size=1, max_size=16)
CHAT_ACTIONS = st.one_of(
    st.builds(chat.Info, PKS),
    st.builds(chat.Route, PKS, st.none() | MOMENTS),
    st.builds(chat.Alone, PKS),
    st.builds(chat.Childcare, PKS, st.none() | MOMENTS),
    st.builds(chat.Agenda, PKS, MOMENTS),
    st.builds(chat.Suggestion, TOKENS),
    st.builds(chat.Page, TOKENS, PKS),
    st.builds(chat.Browse, st.sampled_from(("act", "disc", "tran", "supp", "week")), st.none() | PKS),
    st.just(chat.Menu()),
    st.just(chat.Help()),
    st.builds(chat.Forget, st.booleans()),
)
REMINDER_ACTIONS = st.one_of(
    st.builds(reminders.Remind, PKS),
    st.builds(reminders.Remind, PKS, st.sampled_from(reminders.WHEN)),
    st.builds(reminders.Remind, PKS, st.sampled_from(reminders.WHEN), st.sampled_from(reminders.REPEAT)),
    st.just(reminders.MyReminders()),
    st.builds(reminders.StopSubscription, PKS),
    st.builds(reminders.StopOffer, PKS),
    st.builds(reminders.Answer, PKS, MOMENTS, st.booleans()),
    st.just(reminders.Weekly()),
    st.builds(reminders.Weekly, st.sampled_from(("on", "off"))),
    st.builds(reminders.Weekly, st.just("t"), st.sampled_from(("sport", "cultuur", "gezin"))),
)
CATEGORIES = st.text(st.characters(exclude_categories=(), exclude_characters=":"), min_size=1, max_size=12)
KEY_FIGURE_ACTIONS = st.one_of(
    *(st.builds(cls, PKS) for cls in keyfigures.DRAFT_ACTIONS_BY_PK),
    st.builds(keyfigures.AskField, PKS, st.sampled_from("twpmacokrd")),
    st.builds(keyfigures.SetKind, PKS, st.sampled_from(("activity", "discount", "support", "transport"))),
    st.builds(keyfigures.Merge, PKS, PKS),
    st.just(keyfigures.Categories()),
    st.builds(keyfigures.ChooseCategory, CATEGORIES),
    st.builds(keyfigures.Subscribe, st.sampled_from(("each", "weekly")), st.just("") | CATEGORIES),
    st.just(keyfigures.Unsubscribe()),
)
ADMIN_ACTIONS = st.one_of(
    *(st.builds(cls, PKS) for cls in keyfigures.OFFER_ADMIN_ACTIONS),
    st.builds(keyfigures.Trust, PKS, st.booleans()),
    st.builds(keyfigures.Revoke, PKS),
)


def test_only_buttons_that_show_what_is_there_are_browsing():
    reading = [chat.Info(1), chat.Page("abc", 3), chat.Browse("week", 6), chat.Menu(), chat.Help(), chat.Route(1)]
    assert all(chat.browsing(chat.encode(a)) for a in reading)
    assert reminders.browsing(reminders.encode(reminders.MyReminders()))
    asking = [
        chat.encode(chat.Suggestion("abc")),  # runs a search
        chat.encode(chat.Agenda(1, dt.datetime(2027, 1, 20, 14, 0))),  # sends a file
        chat.encode(chat.Forget(True)),
        reminders.encode(reminders.Remind(1)),
        reminders.encode(reminders.Answer(1, dt.datetime(2027, 1, 20, 14, 0), going=True)),
        "c9:i:1",  # a version this bot does not know
    ]
    assert not any(chat.browsing(data) or reminders.browsing(data) for data in asking)


@settings(max_examples=800, deadline=None)
@given(
    st.one_of(
        CHAT_ACTIONS.map(lambda a: (a, chat)),
        REMINDER_ACTIONS.map(lambda a: (a, reminders)),
        KEY_FIGURE_ACTIONS.map(lambda a: (a, keyfigures)),
        ADMIN_ACTIONS.map(lambda a: (a, None)),
    )
)
def test_every_action_survives_the_trip_and_fits_in_64_bytes(case):
    action, module = case
    if module is None:
        data = keyfigures.encode_admin(action)
        decoded = keyfigures.decode_admin(data)
    else:
        data = module.encode(action)
        decoded = module.decode(data)
    if chat.fits(data):
        assert decoded == action
    else:  # only a category long in bytes can do this; such categories get no button (bot/keyfigures/notices.py)
        assert isinstance(action, keyfigures.ChooseCategory | keyfigures.Subscribe) and decoded is None
    last = dt.datetime(9999, 12, 31, 23, 59)
    longest = (chat.Info(10**12 - 1), chat.Page("A" * 16, 10**12 - 1), chat.Agenda(10**12 - 1, last))
    assert all(len(chat.encode(a).encode()) <= 64 for a in longest)


async def test_a_start_link_with_a_superscript_number_gets_the_welcome(tmp_path):
    from bot.core import open_core
    from tests.helpers import make_settings

    core = await open_core(make_settings(tmp_path))
    try:
        for payload in ("offer-²", "offer-٣", "offer-", "offer-" + "9" * 70, "sf_²"):
            reply = await core.conversation.start(Who(5, 5), payload)
            assert "Dag daar" in reply.messages[0].plain, payload
        for data in ("r1:r:²", "r1:x:²", "r1:s:²", "k1:ok:²", "a1:tr:²:1", "r:²", "r:x:²", "r:s:²"):
            reply = await core.conversation.act(Who(5, 5), data)
            assert reply.notice == core.texts.label("answer.unknown_button"), data
    finally:
        await core.close()
