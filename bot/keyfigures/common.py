"""What the key figure, admin and notice parts share: texts, stores, the clock, cards, links, sending.

Sending to someone other than the person who acts (admins, subscribers, the key figure who forwarded
an offer) goes through `Shared.send`, on the messenger bot/core.py passes in. Without one (terminal,
command line) nothing is sent and the callers say so; the data is in the database either way, so a
failed notice never loses an offer: admins find pending offers with /nakijken.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote

from markupsafe import Markup

from bot.chat.actions import offer_link
from bot.chat.messenger import Messenger
from bot.chat.people import People
from bot.chat.replies import Button, Message, Reply, rows
from bot.keyfigures import actions, draftview
from bot.keyfigures.draftview import is_past, offer_card
from bot.keyfigures.registry import Registry
from bot.keyfigures.roles import Actor, Roles
from bot.offers.store import OfferStore, StoredOffer
from bot.platform.calendar import Clock, local_naive
from bot.platform.config import Settings
from bot.platform.texts import Texts
from bot.reminders.sending import Blocked, SendError

log = logging.getLogger("bot.keyfigures")


class Announce(Protocol):
    """Tell subscribers about a just-published offer (skip: who needs no notice); returns how many got it."""

    async def __call__(self, stored: StoredOffer, *, skip: int | None) -> int: ...


class AdminView(Protocol):
    """The card an admin sees of an offer after an edit: review (pending) or manage (the others)."""

    async def __call__(self, stored: StoredOffer, *, notes: tuple[Markup, ...] = ()) -> Reply: ...


class Review(Protocol):
    """Tell every admin a forwarded offer waits for approval; returns how many were reached."""

    async def __call__(self, stored: StoredOffer, actor: Actor) -> int: ...


def photo_of(stored: StoredOffer) -> str | None:
    """The Telegram file id of the flyer photo a key figure forwarded with the offer, if any."""
    photo = stored.offer.extra.get("photo")
    return photo if isinstance(photo, str) and photo else None


@dataclass
class Shared:
    settings: Settings
    texts: Texts
    offers: OfferStore
    people: People
    registry: Registry
    roles: Roles
    clock: Clock
    messenger: Messenger | None = None  # None: the terminal or the command line, nothing is sent unasked
    _warned_no_sender: bool = field(default=False, repr=False)

    @property
    def bot_username(self) -> str | None:
        """From the config, else as Telegram told it at start-up (deep links need it)."""
        if self.settings.telegram.bot_username:
            return self.settings.telegram.bot_username
        return self.messenger.username if self.messenger is not None else None

    # --- time ---------------------------------------------------------------------------------

    def now_local(self) -> dt.datetime:
        return local_naive(self.clock.now(), self.settings.timezone)

    def today(self) -> dt.date:
        return self.now_local().date()

    # --- links ----------------------------------------------------------------------------------

    def start_link(self, payload: str) -> str | None:
        """`https://t.me/<bot>?start=<payload>`, or None while the bot's username is unknown."""
        if not self.bot_username:
            return None
        return f"https://t.me/{self.bot_username}?start={payload}"

    def offer_link(self, stored: StoredOffer) -> str | None:
        """The deep link that opens this offer's card (by number when the id is too long for Telegram)."""
        return self.start_link(offer_link(stored.offer.id, stored.pk))

    def share_url(self, stored: StoredOffer) -> str | None:
        """Telegram's share dialog with the offer's deep link: one tap, pick the person, sent."""
        link = self.offer_link(stored)
        if link is None:
            return None
        text = self.texts.label("keyfigures.share_text", title=stored.offer.title)
        return f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(text, safe='')}"

    # --- cards ----------------------------------------------------------------------------------

    def card(self, stored: StoredOffer, *, full: bool = True) -> Markup:
        """The offer's card as people see it; a past one-off date is still shown (for previews)."""
        return offer_card(stored.offer, self.texts, self.now_local(), full=full, cancelled=stored.status == "cancelled")

    def is_past(self, stored: StoredOffer) -> bool:
        return is_past(stored.offer, self.now_local())

    def share_button(self, stored: StoredOffer) -> list[Button]:
        url = self.share_url(stored) if stored.status == "published" else None
        return [Button(self.texts.label("keyfigures.buttons.share"), url=url)] if url else []

    # --- sending to others ------------------------------------------------------------------------

    async def send(self, user_id: int, message: Message) -> bool:
        """Send something unasked to one person; False when it could not be sent (logged, never raised)."""
        if self.messenger is None:
            if not self._warned_no_sender:
                log.warning("no Telegram connection: notices to admins and key figures are not sent")
                self._warned_no_sender = True
            return False
        person = await self.people.get(user_id)
        if person is not None and not person.reachable:
            return False
        chat_id = person.chat_id if person is not None else user_id
        try:
            await self.messenger.send(chat_id, message)
        except Blocked:
            await self.people.blocked(chat_id)  # private chats: chat id == user id
            log.info("a notice was refused: the person blocked the bot")
            return False
        except SendError as error:
            log.warning("a notice could not be sent: %s", type(error).__name__)
            return False
        except Exception:  # a notice must never break the action that caused it
            log.exception("sending a notice failed")
            return False
        return True

    async def tell_admins(self, message: Message) -> int:
        """Send to every admin in the config; returns how many got it."""
        sent = 0
        for admin in self.settings.telegram.admins:
            sent += await self.send(admin, message)
        return sent

    # --- shared replies ---------------------------------------------------------------------------

    def not_allowed(self) -> Reply:
        c = self.settings.contact
        text = self.texts("keyfigures.not_allowed", name=c.name, phone=c.phone, email=c.email)
        return Reply((Message(text),), notice=None)

    def preview(
        self,
        stored: StoredOffer,
        *,
        notes: list[Markup] | tuple[Markup, ...] = (),
        duplicate: StoredOffer | None = None,
        instead_of_confirm: Sequence[Button] = (),
    ) -> Reply:
        """The draft as people will see it (bot/keyfigures/draftview.py), with Bevestig / Pas aan / Annuleer and
        📅 Datum aanpassen when the date needs a look. With a probable `duplicate`, that offer is shown under
        it and Bevestig makes way for `instead_of_confirm` (the desk's Toch toevoegen / Samenvoegen)."""
        pk = stored.pk
        shown = draftview.preview(
            stored.offer,
            self.texts,
            self.now_local(),
            notes=notes,
            duplicate=duplicate.offer if duplicate is not None else None,
        )
        set_date = Button(self.texts.label("keyfigures.buttons.set_date"), actions.encode(actions.AskField(pk, "w")))
        first = [Button(self.texts.label("keyfigures.buttons.confirm"), actions.encode(actions.Confirm(pk)))]
        if duplicate is not None and instead_of_confirm:
            first = list(instead_of_confirm)
        buttons = rows(
            [*first, Button(self.texts.label("keyfigures.buttons.edit"), actions.encode(actions.EditMenu(pk)))],
            [
                Button(self.texts.label("keyfigures.buttons.cancel"), actions.encode(actions.Cancel(pk))),
                *([set_date] if shown.asks_date else []),
            ],
        )
        return Reply((Message(shown.body, buttons, photo=photo_of(stored)),))
