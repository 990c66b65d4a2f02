"""Who may do what: the one role check every data-changing action goes through.

Admins are the Telegram ids in `telegram.admins`; key figures are active rows in `key_figures`;
everyone else is a person. What a client shows (a menu, a button) is never proof of a role: each
action asks `Roles.require` again, and a refusal is logged with the action only, never the user.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import IntEnum

from bot.keyfigures.registry import KeyFigure, Registry

log = logging.getLogger("bot.roles")


class Role(IntEnum):
    PERSON = 0
    KEY_FIGURE = 1
    ADMIN = 2


@dataclass(frozen=True)
class Actor:
    """Someone acting, with the strings the audit trail and offer sources use for them."""

    user_id: int
    role: Role
    key_figure: KeyFigure | None = None

    @property
    def trusted(self) -> bool:
        """Whether their offers publish without an admin's approval."""
        return self.role is Role.ADMIN or bool(self.key_figure and self.key_figure.trusted)

    @property
    def audit(self) -> str:
        """The actor in the audit trail: the admin's Telegram id, or the key figure's number (no name)."""
        if self.role is Role.ADMIN:
            return f"admin:{self.user_id}"
        if self.key_figure is not None:
            return f"keyfigure:{self.key_figure.id}"
        return "person"

    @property
    def source(self) -> str:
        """`offers.source` for what they forward: 'telegram:<key figure>' without personal data."""
        if self.key_figure is not None:
            return f"telegram:{self.key_figure.label}"
        return "telegram:coördinator"


class Roles:
    def __init__(self, admins: tuple[int, ...], registry: Registry) -> None:
        self.admins = frozenset(admins)
        self.registry = registry

    async def of(self, user_id: int) -> Actor:
        key_figure = await self.registry.by_user(user_id)
        if key_figure is not None and not key_figure.active:
            key_figure = None
        if user_id in self.admins:
            return Actor(user_id, Role.ADMIN, key_figure)
        if key_figure is not None:
            return Actor(user_id, Role.KEY_FIGURE, key_figure)
        return Actor(user_id, Role.PERSON)

    async def require(self, user_id: int, role: Role, action: str) -> Actor | None:
        """The actor when they have at least `role`; None (and a log line without who) when not."""
        actor = await self.of(user_id)
        if actor.role >= role:
            return actor
        log.warning("refused %s: needs the %s role", action[:40], role.name.lower())
        return None
