"""Who may see the network's report. One small function, so the key-figures part can swap in its roles."""

from __future__ import annotations

from bot.platform.config import Settings


def may_see_report(settings: Settings, user_id: int) -> bool:
    """Admins only: the coordinators' Telegram ids in `telegram.admins`."""
    return user_id in settings.telegram.admins
