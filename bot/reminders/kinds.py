"""The kinds of message the reminder outbox holds, in one place.

The outbox plans and sends them, the screens word them, the subscriptions cancel them and the
network's report counts them: each reads the kinds from here, so a new kind cannot be forgotten in one.
"""

from __future__ import annotations

from typing import Final

DAY_BEFORE: Final = "day_before"  # the evening before, at reminders.day_before_at (wall-clock time)
HOURS_BEFORE: Final = "hours_before"  # reminders.hours_before hours of real time before the start
REMINDER_KINDS: Final = (DAY_BEFORE, HOURS_BEFORE)  # the reminders a person asked for under a card
MOVED: Final = "moved"  # the offer moved to another moment
CANCELLED: Final = "cancelled"  # the offer was called off
NOTICE_KINDS: Final = (MOVED, CANCELLED)  # told unasked about an offer someone is reminded of
WEEKLY: Final = "weekly"  # the weekly overview (/weekoverzicht)
