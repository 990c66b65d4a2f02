"""Key figures forward offers to the bot; coordinators approve them (issue 4). No Telegram in here.

    KeyFigures(settings=, texts=, offers=, people=, db=, clock=, messenger=)
        .start(who, payload) -> Reply | None           /start with an invite code (None: not an invite)
        .incoming(who, Incoming) -> Reply | None        anything sent in private (None: a question or the like)
        .command(who, name) -> Reply                    nieuw, uitnodiging, sleutelfiguren, nakijken, abonneren
        .forget_confirm(who) -> Reply | None            /vergeet of a key figure: says what stays
        .create_invite(created_by) -> (link, expires)   python -m bot invite
        .send_weekly_due() -> int                       the weekly list (the scheduler calls it hourly)
        a ChatExtension of the conversation: button actions 'k1:...' (key figures) and 'a1:...' (admins),
        card buttons Deel and Beheer; notices go out through the messenger (None: nothing is sent)

Modules: registry (tables), roles (the one role check), editor (field answers), desk (forward -> draft ->
preview -> edit -> confirm), admin (review, manage offers and key figures), notices (subscriptions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.chat import actions as chat_actions
from bot.chat.conversation import ActionHandler, Who
from bot.chat.messenger import Messenger
from bot.chat.people import People
from bot.chat.replies import Button, Message, Reply
from bot.keyfigures import actions
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
        db: Database,
        clock: Clock,
        messenger: Messenger | None = None,
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
            messenger=messenger,
        )
        self.notices = Notices(self.shared)
        self.admin = AdminDesk(self.shared, self.notices.announce)
        self.desk = KeyFigureDesk(
            self.shared, self.notices.announce, admin_view=self.admin.view, review_request=self.admin.review_request
        )

    @property
    def bot_username(self) -> str | None:
        return self.shared.bot_username

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
        yes = Button(texts.label("buttons.forget_yes"), chat_actions.encode(chat_actions.Forget(yes=True)))
        no = Button(texts.label("buttons.forget_no"), chat_actions.encode(chat_actions.Forget(yes=False)))
        return Reply((Message(texts("keyfigures.forget_confirm"), ((yes, no),)),))

    async def create_invite(self, created_by: str, *, days: int | None = None) -> tuple[str, dt.datetime]:
        """The invite link (or the bare code while the bot's username is unknown) and its expiry (UTC)."""
        return await self.admin.create_invite(created_by, days=days)

    async def send_weekly_due(self) -> int:
        return await self.notices.send_weekly_due()

    # --- the conversation's extension (bot.chat.conversation.ChatExtension) ------------------------

    def action_handlers(self) -> dict[str, ActionHandler]:
        return {actions.KEY_FIGURE_PREFIX: self._kf_action, actions.ADMIN_PREFIX: self._ad_action}

    def menu_buttons(self) -> list[Button]:
        return []

    async def card_buttons(self, who: Who, stored: StoredOffer) -> Sequence[Button]:
        return await self._card_buttons(who, stored)

    async def browse_buttons(self, who: Who, what: str) -> list[Button]:
        return []

    async def _kf_action(self, who: Who, data: str) -> Reply | None:
        action = actions.decode(data)
        if action is None:
            return None
        if isinstance(action, actions.Categories | actions.ChooseCategory | actions.Subscribe | actions.Unsubscribe):
            return await self.notices.action(who.user_id, action)
        return await self.desk.action(who.user_id, action)

    async def _ad_action(self, who: Who, data: str) -> Reply | None:
        action = actions.decode_admin(data)
        return None if action is None else await self.admin.action(who.user_id, action)

    async def _card_buttons(self, who: Who, stored: StoredOffer) -> Sequence[Button]:
        """Under every offer card: Deel for key figures and admins, Beheer for admins."""
        actor = await self.roles.of(who.user_id)
        if actor.role is Role.PERSON:
            return []
        buttons = list(self.shared.share_button(stored))
        if actor.role is Role.ADMIN:
            manage = actions.encode_admin(actions.Manage(stored.pk))
            buttons.append(Button(self.shared.texts.label("keyfigures.buttons.manage"), manage))
        return buttons
