"""What coordinators (admins) do from Telegram: invite and manage key figures, approve or refuse forwarded
offers, and edit, cancel ('afgelast') or delete any offer. Every action checks the admin role again here,
whatever the button said; offers change only through OfferStore, so the audit trail keeps who and when.
"""

from __future__ import annotations

import datetime as dt
import logging

from markupsafe import Markup

from bot.chat.replies import Button, Message, Reply, join_lines, rows
from bot.keyfigures import actions
from bot.keyfigures.common import Announce, Shared, photo_of
from bot.keyfigures.registry import KeyFigure
from bot.keyfigures.roles import Actor, Role
from bot.offers.store import StoredOffer

log = logging.getLogger("bot.keyfigures")
MAX_REVIEW_LIST = 10


class AdminDesk:
    def __init__(self, shared: Shared, announce: Announce) -> None:
        self.s = shared
        self.t = shared.texts
        self.announce = announce

    def _label(self, key: str, **values: object) -> str:
        return self.t.label(key, **values)

    def _text(self, key: str, *, replace: bool = False, **values: object) -> Reply:
        return Reply((Message(self.t(key, **values)),), replace=replace)

    async def _admin(self, user_id: int, action: str) -> Actor | None:
        return await self.s.roles.require(user_id, Role.ADMIN, action)

    # --- invites and key figures -----------------------------------------------------------------

    async def invite(self, user_id: int) -> Reply:
        """/uitnodiging: a one-time link for a new key figure."""
        actor = await self._admin(user_id, "/uitnodiging")
        if actor is None:
            return self.s.not_allowed()
        link, expires = await self.create_invite(actor.audit)
        return self._text("keyfigures.invite.made", link=link, until=self._date(expires))

    async def create_invite(self, created_by: str, *, days: int | None = None) -> tuple[str, dt.datetime]:
        """The invite link (or the bare code while the bot's username is unknown) and its expiry (UTC);
        valid `days` days (default: keyfigures.invite_days)."""
        code, expires = await self.s.registry.create_invite(
            created_by=created_by, days=days or self.s.settings.keyfigures.invite_days
        )
        return self.s.start_link(code) or code, expires

    def _date(self, moment: dt.datetime) -> str:
        local = moment.astimezone(self.s.settings.timezone)
        months = self.t.items("calendar.months")
        return f"{local.day} {months[local.month - 1]} {local.year} {local:%H:%M}"

    async def key_figures(self, user_id: int, *, replace: bool = False) -> Reply:
        """/sleutelfiguren: who they are, with buttons to mark trusted and to revoke."""
        actor = await self._admin(user_id, "/sleutelfiguren")
        if actor is None:
            return self.s.not_allowed()
        found = await self.s.registry.key_figures()
        if not found:
            return self._text("keyfigures.list.empty", replace=replace)
        lines = [self.t("keyfigures.list.intro")]
        buttons: list[tuple[Button, ...]] = []
        for kf in found:
            trusted = self.t("keyfigures.list.trusted") if kf.trusted else Markup("")
            lines.append(self.t("keyfigures.list.line", n=kf.id, name=kf.name, org=kf.organisation, trusted=trusted))
            buttons.append(self._key_figure_buttons(kf))
        return Reply((Message(join_lines(lines), tuple(buttons)),), replace=replace)

    def _key_figure_buttons(self, kf: KeyFigure) -> tuple[Button, ...]:
        short = kf.name if len(kf.name) <= 18 else kf.name[:17] + "…"
        trust_label = "keyfigures.buttons.untrust" if kf.trusted else "keyfigures.buttons.trust"
        return (
            Button(self._label(trust_label, name=short), actions.encode_admin(actions.Trust(kf.id, not kf.trusted))),
            Button(self._label("keyfigures.buttons.revoke", name=short), actions.encode_admin(actions.Revoke(kf.id))),
        )

    async def _trust(self, actor: Actor, key_figure: int, trusted: bool) -> Reply:
        kf = await self.s.registry.set_flag(key_figure, trusted=trusted, changed_by=actor.audit)
        if kf is None:
            return self._text("keyfigures.list.gone")
        return await self.key_figures(actor.user_id, replace=True)

    async def _revoke(self, actor: Actor, key_figure: int) -> Reply:
        kf = await self.s.registry.set_flag(key_figure, active=False, changed_by=actor.audit)
        if kf is None:
            return self._text("keyfigures.list.gone")
        await self.s.registry.clear_session(kf.user_id)
        await self.s.registry.unsubscribe(kf.user_id)
        await self.s.send(kf.user_id, Message(self.t("keyfigures.list.revoked_notice", **self._contact())))
        reply = await self.key_figures(actor.user_id, replace=True)
        return Reply(reply.messages, replace=True, notice=self._label("keyfigures.list.revoked", name=kf.name))

    def _contact(self) -> dict[str, str]:
        c = self.s.settings.contact
        return {"name": c.name, "phone": c.phone, "email": c.email}

    # --- review ---------------------------------------------------------------------------------

    async def review_request(self, stored: StoredOffer, actor: Actor) -> int:
        """Tell every admin a forwarded offer waits for approval; returns how many were reached."""
        message = await self._review_message(stored)
        return await self.s.tell_admins(message)

    async def _who_sent(self, stored: StoredOffer) -> str:
        submitter = await self.s.registry.submitter(stored.offer.id)
        kf = await self.s.registry.by_user(submitter) if submitter is not None else None
        if kf is not None:
            return f"{kf.name} ({kf.organisation})"
        if submitter is not None and submitter in self.s.settings.telegram.admins:
            return self._label("keyfigures.review.by_admin")
        return stored.source

    async def _review_message(self, stored: StoredOffer, notes: tuple[Markup, ...] = ()) -> Message:
        pk = stored.pk
        intro = self.t("keyfigures.review.intro", who=await self._who_sent(stored))
        body = join_lines([intro, *notes]) + Markup("\n\n") + self.s.card(stored)
        if self.s.is_past(stored):
            body += Markup("\n\n") + self.t("keyfigures.preview.past")
        buttons = rows(
            [
                Button(self._label("keyfigures.buttons.approve"), actions.encode_admin(actions.Approve(pk))),
                Button(self._label("keyfigures.buttons.adjust"), actions.encode(actions.EditMenu(pk))),
                Button(self._label("keyfigures.buttons.refuse"), actions.encode_admin(actions.Refuse(pk))),
            ]
        )
        return Message(body, buttons, photo=photo_of(stored))

    async def pending(self, user_id: int) -> Reply:
        """/nakijken: the offers that wait for approval (also when a notice did not arrive)."""
        actor = await self._admin(user_id, "/nakijken")
        if actor is None:
            return self.s.not_allowed()
        waiting = await self.s.offers.select(statuses=("pending",))
        if not waiting:
            return self._text("keyfigures.review.none")
        messages = [Message(self.t("keyfigures.review.list", count=len(waiting)))]
        for stored in waiting[:MAX_REVIEW_LIST]:
            messages.append(await self._review_message(stored))
        return Reply(tuple(messages))

    async def view(self, stored: StoredOffer, *, notes: tuple[Markup, ...] = ()) -> Reply:
        """After an admin's edit: the review card of a pending offer, the manage card of the others."""
        if stored.status == "pending":
            return Reply((await self._review_message(stored, notes),))
        if stored.status == "draft":
            return self.s.preview(stored, notes=notes)
        return self._manage_reply(stored, notes)

    async def _approve(self, actor: Actor, stored: StoredOffer) -> Reply:
        try:
            stored = await self.s.offers.set_status(
                stored.offer.id, "published", actor=actor.audit, expected=("pending",)
            )
        except (ValueError, LookupError):
            return await self._already(stored)
        await self._tell_submitter(
            stored,
            Message(self.t("keyfigures.result.approved", title=stored.offer.title), rows(self.s.share_button(stored))),
        )
        await self.announce(stored, skip=None)
        return Reply(
            (Message(self.t("keyfigures.review.approved", title=stored.offer.title)),),
            replace=True,
            notice=self._label("keyfigures.review.approved_notice"),
        )

    async def _refuse(self, actor: Actor, stored: StoredOffer) -> Reply:
        try:
            stored = await self.s.offers.set_status(
                stored.offer.id, "draft", actor=actor.audit, expected=("pending",), note="geweigerd"
            )
        except (ValueError, LookupError):
            return await self._already(stored)
        pk = stored.pk
        buttons = rows(
            [
                Button(self._label("keyfigures.buttons.edit"), actions.encode(actions.EditMenu(pk))),
                Button(self._label("keyfigures.buttons.cancel"), actions.encode(actions.Cancel(pk))),
            ]
        )
        await self._tell_submitter(
            stored, Message(self.t("keyfigures.result.refused", title=stored.offer.title, **self._contact()), buttons)
        )
        return Reply((Message(self.t("keyfigures.review.refused", title=stored.offer.title)),), replace=True)

    async def _already(self, stored: StoredOffer) -> Reply:
        """Another admin was first (or the offer changed meanwhile): say what it is now, change nothing."""
        now = await self.s.offers.get(stored.offer.id)
        status = now.status if now is not None else "deleted"
        text = self.t(
            "keyfigures.review.already", title=stored.offer.title, status=self._label(f"keyfigures.status.{status}")
        )
        return Reply((Message(text),), replace=True, notice=self._label(f"keyfigures.status.{status}"))

    async def _tell_submitter(self, stored: StoredOffer, message: Message) -> None:
        submitter = await self.s.registry.submitter(stored.offer.id)
        if submitter is not None and not await self.s.send(submitter, message):
            log.info("the key figure could not be told the result of a review")

    # --- manage any offer ---------------------------------------------------------------------------

    def _manage_reply(self, stored: StoredOffer, notes: tuple[Markup, ...] = ()) -> Reply:
        pk = stored.pk
        status = self.t("keyfigures.manage.status", status=self._label(f"keyfigures.status.{stored.status}"))
        body = join_lines([*notes, status]) + Markup("\n\n") + self.s.card(stored)
        first = [Button(self._label("keyfigures.buttons.adjust"), actions.encode(actions.EditMenu(pk)))]
        if stored.status == "published":
            first.append(Button(self._label("keyfigures.buttons.call_off"), actions.encode_admin(actions.CallOff(pk))))
        elif stored.status == "cancelled":
            first.append(
                Button(self._label("keyfigures.buttons.republish"), actions.encode_admin(actions.Republish(pk)))
            )
        elif stored.status == "pending":
            first.append(Button(self._label("keyfigures.buttons.approve"), actions.encode_admin(actions.Approve(pk))))
        delete = actions.encode_admin(actions.Delete(pk))
        buttons = rows(first, [Button(self._label("keyfigures.buttons.delete"), delete)])
        return Reply((Message(body, buttons, photo=photo_of(stored)),))

    def _confirm_reply(self, key: str, yes: actions.AdminAction, stored: StoredOffer) -> Reply:
        buttons = rows(
            [
                Button(self._label(f"keyfigures.buttons.{key}_yes"), actions.encode_admin(yes)),
                Button(self._label("keyfigures.buttons.no"), actions.encode_admin(actions.Manage(stored.pk))),
            ]
        )
        return Reply((Message(self.t(f"keyfigures.manage.{key}_confirm", title=stored.offer.title), buttons),))

    async def _call_off(self, actor: Actor, stored: StoredOffer) -> Reply:
        try:
            stored = await self.s.offers.set_status(
                stored.offer.id, "cancelled", actor=actor.audit, expected=("published",)
            )
        except (ValueError, LookupError):
            return await self._already(stored)
        return Reply((Message(self.t("keyfigures.manage.called_off", title=stored.offer.title)),), replace=True)

    async def _republish(self, actor: Actor, stored: StoredOffer) -> Reply:
        try:
            stored = await self.s.offers.set_status(
                stored.offer.id, "published", actor=actor.audit, expected=("cancelled",)
            )
        except (ValueError, LookupError):
            return await self._already(stored)
        return Reply((Message(self.t("keyfigures.manage.republished", title=stored.offer.title)),), replace=True)

    async def _delete(self, actor: Actor, stored: StoredOffer) -> Reply:
        if not await self.s.offers.delete(stored.offer.id, actor=actor.audit):
            return await self._already(stored)
        return Reply((Message(self.t("keyfigures.manage.deleted", title=stored.offer.title)),), replace=True)

    # --- buttons (bot/keyfigures/actions.py) -----------------------------------------------------

    async def action(self, user_id: int, action: actions.AdminAction) -> Reply:
        actor = await self._admin(user_id, actions.log_name(action))
        if actor is None:
            return self.s.not_allowed()
        match action:
            case actions.Trust(key_figure, trusted):
                return await self._trust(actor, key_figure, trusted)
            case actions.Revoke(key_figure):
                return await self._revoke(actor, key_figure)
        stored = await self.s.offers.get_by_pk(action.pk)
        if stored is None:
            return self._text("keyfigures.gone")
        match action:
            case actions.Approve():
                return await self._approve(actor, stored)
            case actions.Refuse():
                return await self._refuse(actor, stored)
            case actions.Manage():
                return self._manage_reply(stored)
            case actions.CallOff():
                return self._confirm_reply("call_off", actions.CallOffConfirmed(stored.pk), stored)
            case actions.CallOffConfirmed():
                return await self._call_off(actor, stored)
            case actions.Republish():
                return await self._republish(actor, stored)
            case actions.Delete():
                return self._confirm_reply("delete", actions.DeleteConfirmed(stored.pk), stored)
            case actions.DeleteConfirmed():
                return await self._delete(actor, stored)
        return self._manage_reply(stored)
