"""Opening hours in a form the bot can count with (bot/platform/hours.py): outside them, an answer says when
the Sociaal Huis opens again (`[contact] open` in config.toml; used by the care answers, bot/care)."""

from __future__ import annotations

import pytest

from bot.platform.config import ConfigError, parse_settings
from bot.platform.hours import HoursError, OpeningHours
from tests.helpers import brussels


def test_opening_hours_say_when_it_opens_again():
    hours = OpeningHours.parse(["maandag-donderdag 09:00-12:00, 13:00-16:00", "vrijdag 09:00-12:00"])
    friday_noon = brussels(2027, 1, 15, 12, 30).replace(tzinfo=None)
    assert not hours.is_open(friday_noon)
    assert hours.next_open(friday_noon) == brussels(2027, 1, 18, 9, 0).replace(tzinfo=None)  # monday
    assert hours.is_open(brussels(2027, 1, 14, 13, 0).replace(tzinfo=None))
    assert OpeningHours.parse([]).always


@pytest.mark.parametrize("entry", ["maandag", "zondag-maandag 9:00-10:00", "dinsdag 12:00-09:00", "maan 09:00-12:00"])
def test_wrong_opening_hours_are_refused(entry):
    with pytest.raises(HoursError):
        OpeningHours.parse([entry])


def test_office_hours_in_the_config():
    settings = parse_settings({"contact": {"open": ["dinsdag 13:00-16:00"]}}, environ={})
    assert settings.contact.open.is_open(brussels(2027, 1, 12, 14, 0).replace(tzinfo=None))
    with pytest.raises(ConfigError, match=r"contact\.open"):
        parse_settings({"contact": {"open": ["dinsdag"]}}, environ={})
