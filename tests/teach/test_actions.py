"""The /leren buttons ("t1:..."): the parser takes any text without raising, and what it accepts is exactly
what the codec builds (round trip, within Telegram's 64 bytes), as for every feature's buttons
(tests/chat/test_actions.py)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.chat.actions import fits
from bot.teach import actions
from tests.chat.test_actions import ANY_TEXT, NUMBERS

VERBS = ("p", "t", "q", "l", "r", "w", "i", "o", "ok", "rr", "n", "u", "nx", "x", "le", "")
PARTS = NUMBERS | st.sampled_from(("", "t", "q", "z", "1", "0", "00", "-1")) | st.text(max_size=70)
BUTTON_DATA = st.builds(
    lambda prefix, verb, parts: ":".join([prefix, verb, *parts]),
    st.sampled_from(("t1", "t0", "t2", "le", "c1", "T1", "")),
    st.sampled_from(VERBS) | st.text(max_size=4),
    st.lists(PARTS, max_size=4),
)
IDS = st.integers(0, 10**12 - 1)
ACTIONS = st.one_of(
    st.builds(actions.Themes, IDS),
    st.builds(actions.OpenTheme, IDS),
    st.builds(actions.OpenQuestion, IDS),
    st.builds(actions.TakeStep, st.sampled_from(tuple(actions.STEPS.values())), st.booleans(), IDS),
    st.builds(actions.PickOffer, IDS),
    st.builds(actions.ReuseReferral, IDS),
    st.builds(actions.AddNote, IDS),
    st.builds(actions.Undo, IDS),
    st.just(actions.ConfirmLink()),
    st.just(actions.NextTheme()),
    st.just(actions.Stop()),
)


@settings(max_examples=600, deadline=None)
@given(ANY_TEXT | BUTTON_DATA)
@example("t1:p:²")
@example("t1:u:٣")
@example("t1:l:t:１")
@example("t1:l:t:007")
@example("t1:o:" + "9" * 13)
@example("t1:ok:")
@example("t1:l:x:1")
@example("t1::")
@example("le:l:q:1")
@example("t1:p:\ud800")
@example("")
def test_the_parser_never_raises_and_accepts_only_what_the_codec_builds(data):
    action = actions.decode(data)
    if action is not None:
        assert actions.encode(action) == data
        assert fits(data)


@settings(max_examples=300, deadline=None)
@given(ACTIONS)
def test_every_action_survives_the_trip_fits_in_64_bytes_and_logs_no_number(action):
    data = actions.encode(action)
    assert fits(data) and actions.decode(data) == action
    assert not any(c.isdigit() for c in actions.log_name(action).removeprefix(actions.PREFIX))
