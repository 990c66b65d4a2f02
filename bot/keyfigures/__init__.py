"""Key figures forward offers to the bot; coordinators approve them (issue 4). No Telegram in here.

    KeyFigures(settings=, texts=, offers=, people=, conversation=, db=, clock=)
        .start(who, payload) -> Reply | None           /start with an invite code (None: not an invite)
        .incoming(who, Incoming) -> Reply | None        anything sent in private (None: a question or the like)
        .command(who, name) -> Reply                    nieuw, uitnodiging, sleutelfiguren, nakijken, abonneren
        .forget_confirm(who) -> Reply | None            /vergeet of a key figure: says what stays
        .create_invite(created_by) -> (link, expires)   python -m bot invite
        .send_weekly_due() -> int                       the weekly list (the scheduler calls it hourly)
        .shared.sender                                  the hook the Telegram app fills to send notices
        button actions 'kf:...' (key figures) and 'ad:...' (admins); card buttons Deel and Beheer

Modules: registry (tables), roles (the one role check), editor (field answers), desk (forward -> draft ->
preview -> edit -> confirm), admin (review, manage offers and key figures), notices (subscriptions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.chat.conversation import Conversation, Who
from bot.chat.people import People
from bot.chat.replies import Button, Message, Reply
from bot.keyfigures.admin import AdminDesk
from bot.keyfigures.common import Shared
from bot.keyfigures.desk import Incoming, KeyFigureDesk
from bot.keyfigures.notices import Notices
from bot.keyfigures.registry import Registry
from bot.keyfigures.roles import Role, Roles
from bot.offers.store import OfferStore, StoredOffer
from bot.platform.calendar import Clock
from bot.platform.config import Settings
from bot.platform.db import Database
from bot.platform.texts import Texts

__all__ = ["Incoming", "KeyFigures", "Role"]

COMMANDS = ("nieuw", "abonneren", "uitnodiging", "sleutelfiguren", "nakijken")


class KeyFigures:
    def __init__(
        self,
        *,
        settings: Settings,
        texts: Texts,
        offers: OfferStore,
        people: People,
        conversation: Conversation,
        db: Database,
        clock: Clock,
    ) -> None:
        registry = Registry(db, clock)
        self.registry = registry
        self.roles = Roles(settings.telegram.admins, registry)
        self.shared = Shared(
            settings=settings,
            texts=texts,
            offers=offers,
            people=people,
            registry=registry,
            roles=self.roles,
            clock=clock,
            bot_username=settings.telegram.bot_username,
        )
        self.notices = Notices(self.shared)
        self.desk = KeyFigureDesk(self.shared, self.notices.announce)
        self.admin = AdminDesk(self.shared, self.desk, self.notices.announce)
        conversation.register_action("kf", self._kf_action)
        conversation.register_action("ad", self._ad_action)
        conversation.card_buttons.append(self._card_buttons)

    @property
    def bot_username(self) -> str | None:
        return self.shared.bot_username

    @bot_username.setter
    def bot_username(self, name: str | None) -> None:
        self.shared.bot_username = name

    # --- entry points ---------------------------------------------------------------------------

    async def start(self, who: Who, payload: str | None) -> Reply | None:
        return await self.desk.start(who.user_id, who.chat_id, payload)

    async def incoming(self, who: Who, message: Incoming) -> Reply | None:
        return await self.desk.incoming(who.user_id, who.chat_id, message)

    async def command(self, who: Who, name: str) -> Reply:
        if name == "nieuw":
            return await self.desk.new_command(who.user_id, who.chat_id)
        if name == "abonneren":
            return await self.notices.menu(who.user_id)
        if name == "uitnodiging":
            return await self.admin.invite(who.user_id)
        if name == "sleutelfiguren":
            return await self.admin.key_figures(who.user_id)
        if name == "nakijken":
            return await self.admin.pending(who.user_id)
        raise ValueError(f"unknown key figure command {name!r}")

    async def forget_confirm(self, who: Who) -> Reply | None:
        """/vergeet of a key figure: the same question, plus what happens to their offers."""
        if await self.registry.by_user(who.user_id) is None:
            return None
        texts = self.shared.texts
        buttons = ((Button(texts.label("buttons.forget_yes"), "f:y"), Button(texts.label("buttons.forget_no"), "f:n")),)
        return Reply((Message(texts("keyfigures.forget_confirm"), buttons),))

    async def create_invite(self, created_by: str) -> tuple[str, dt.datetime]:
        """The invite link (or the bare code while the bot's username is unknown) and its expiry (UTC)."""
        return await self.admin.create_invite(created_by)

    async def send_weekly_due(self) -> int:
        return await self.notices.send_weekly_due()

    # --- conversation hooks -----------------------------------------------------------------------

    async def _kf_action(self, who: Who, args: list[str]) -> Reply:
        verb = args[0] if args else ""
        if verb in ("cat", "sc", "sub", "uns"):
            return await self.notices.action(who.user_id, verb, args[1:])
        return await self.desk.action(who.user_id, args)

    async def _ad_action(self, who: Who, args: list[str]) -> Reply:
        return await self.admin.action(who.user_id, args)

    async def _card_buttons(self, who: Who, stored: StoredOffer) -> Sequence[Button]:
        """Under every offer card: Deel for key figures and admins, Beheer for admins."""
        actor = await self.roles.of(who.user_id)
        if actor.role is Role.PERSON:
            return []
        buttons = list(self.shared.share_button(stored))
        if actor.role is Role.ADMIN:
            buttons.append(Button(self.shared.texts.label("keyfigures.buttons.manage"), f"ad:m:{stored.pk}"))
        return buttons
