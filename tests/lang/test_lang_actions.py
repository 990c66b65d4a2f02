"""The language buttons' codec ("l1"): any text parses without raising, and it accepts exactly what it builds."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.chat.actions import fits
from bot.lang import actions
from bot.lang.languages import LANGUAGES

DATA = st.text(st.characters(exclude_categories=())) | st.builds(
    lambda verb, parts: ":".join(["l1", verb, *parts]),
    st.sampled_from(("o", "c", "x", "", "C")),
    st.lists(st.sampled_from((*LANGUAGES, "", "NL", "pt", "uk-UA", "ar ", "٣")) | st.text(max_size=8), max_size=3),
)


@settings(max_examples=400, deadline=None)
@given(DATA)
@example("l1:c:uk\u0000")
@example("l1:c:" + "x" * 100)
@example("l1:o:")
def test_parsing_never_raises_and_round_trips(data: str) -> None:
    action = actions.decode(data)
    if action is not None:
        assert actions.encode(action) == data


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_round_trips_within_telegrams_limit(lang: str) -> None:
    data = actions.encode(actions.Choose(lang))
    assert fits(data) and data.startswith("l1:")
    assert actions.decode(data) == actions.Choose(lang)
    assert actions.decode(actions.encode(actions.OpenChooser())) == actions.OpenChooser()


def test_a_language_the_bot_does_not_speak_is_neither_built_nor_read() -> None:
    with pytest.raises(ValueError):
        actions.encode(actions.Choose("pt"))
    assert actions.decode("l1:c:pt") is None
    assert actions.decode("l0:c:uk") is None  # another version
