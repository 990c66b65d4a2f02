"""Whether the bot may still propose an offer: the registration deadline, a full or a postponed offer.

A small rule kept outside the matcher's scoring on purpose: the matcher says what answers a question,
this says what a person can still go to. It is applied where hits become cards (the conversation and the
human answer of `python -m bot ask`); `ask --json` stays the matcher's answer to the question as asked.
"""

from __future__ import annotations

import datetime as dt

from bot.offers.model import Offer

NOT_PROPOSED = ("full", "postponed")


def proposable(offer: Offer, now: dt.datetime) -> bool:
    """Not past its registration deadline, not full ('volzet'), not postponed. `now` is naive local time."""
    if offer.availability in NOT_PROPOSED:
        return False
    return offer.registration_deadline is None or now <= offer.registration_deadline
