"""Key figures forward offers: registration by invite, the draft, its preview, field-by-field editing,
the duplicate check and the confirmation. Independent of Telegram: messages in, Replies out.

What counts as an offer from a key figure (and not as a question): a forwarded message, a photo with a
caption, a text after /nieuw, and a long pasted text (LONG_PASTE characters or more). A short typed text
is a question like anyone's. People who are not key figures and forward something get a polite 'only key
figures can add offers' and nothing of it is stored.

A paste is read as the key figure wrote it: a second text is glued to the first only when Telegram split
one long message (the first part near its 4096-character limit, the rest at once); a time typed under
✏️ Pas aan is applied as written and said back, and a date without a time makes the bot ask for the time;
a probable duplicate is shown in the preview, before Bevestig.

Where a key figure is in an exchange (registering, answering a field, pasting) lives in the database
(`keyfigure_sessions`), so a restart in the middle loses nothing. Every change of an offer goes through
OfferStore, so the audit trail holds who (a key figure's number or an admin's id) and when.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from bot.chat.cards import age_text, contact_text, date_text, price_text, when_text, where_text
from bot.chat.replies import Button, Message, Reply, join_lines, rows
from bot.intake import find_duplicates
from bot.keyfigures import actions
from bot.keyfigures.common import AdminView, Announce, Review, Shared, photo_of
from bot.keyfigures.draftview import DraftRead, notes_for, read_draft
from bot.keyfigures.editor import FIELDS, apply, parse_answer, valid_offer
from bot.keyfigures.registry import INVITE_PREFIX, MAX_NAME, MAX_ORGANISATION, InviteResult, Session
from bot.keyfigures.roles import Actor, Role
from bot.offers.model import KINDS, Offer, OfferError
from bot.offers.store import StoredOffer

log = logging.getLogger("bot.keyfigures")

LONG_PASTE = 200  # a typed text this long from a key figure is an offer, not a question
# Telegram splits a paste longer than 4096 characters (UTF-16 units) into messages that arrive at once. Only a
# part that came close to that limit can have been cut off; a shorter text was whole, even if the next paste
# follows seconds later ("two announcements pasted 3 s apart are two drafts").
SPLIT_NEAR = 3000  # a part at least this long may have been cut at the limit
CONTINUATION_SECONDS = 10
MAX_RAW = 20_000  # what is kept of a pasted text while it may still grow
# A question the bot asked (a field, 'paste the text now') is forgotten after this long, so a key figure who
# walked away is not stuck: their next short text is a question again. The draft itself stays.
SESSION_HOURS = 24
MERGE_TEXT_FIELDS = ("summary", "description", "organizer", "registration", "transport", "eligibility")


@dataclass(frozen=True)
class Incoming:
    """A message as the core needs it: never the sender's name, only what the offer is made of.

    `origin` is the forward origin's chat title (a channel or group: an organisation), never a person.
    `kind` is 'text', 'photo', 'voice', 'document', 'sticker', 'location' or 'other'.
    """

    text: str | None = None
    forwarded: bool = False
    origin: str | None = None
    photo: str | None = None
    kind: str = "text"


class KeyFigureDesk:
    def __init__(self, shared: Shared, announce: Announce, *, admin_view: AdminView, review_request: Review) -> None:
        self.s = shared
        self.t = shared.texts
        self.announce = announce
        self.admin_view = admin_view  # an admin's card of an offer after an edit (the admin part)
        self.review_request = review_request  # tell the admins an offer waits for approval (the admin part)
        # One message of a person at a time (a paste split in parts, a field answer): a lock per person who
        # is being served, with how many of their messages hold or wait for it; gone when that is none.
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    # --- helpers ------------------------------------------------------------------------------

    def _label(self, key: str, **values: Any) -> str:
        return self.t.label(key, **values)

    def _text(self, key: str, **values: Any) -> Reply:
        return Reply((Message(self.t(key, **values)),))

    def not_allowed(self) -> Reply:
        return self.s.not_allowed()

    def _contact(self) -> dict[str, str]:
        c = self.s.settings.contact
        return {"name": c.name, "phone": c.phone, "email": c.email}

    def _gone(self) -> Reply:
        return self._text("keyfigures.gone")

    async def may_edit(self, actor: Actor, stored: StoredOffer) -> bool:
        """Admins edit any offer; a key figure only their own draft."""
        if actor.role is Role.ADMIN:
            return True
        if actor.role is not Role.KEY_FIGURE or stored.status != "draft":
            return False
        return await self.s.registry.submitter(stored.offer.id) == actor.user_id

    async def _editable(self, user_id: int, pk: int, action: str) -> tuple[Actor, StoredOffer] | Reply:
        actor = await self.s.roles.require(user_id, Role.KEY_FIGURE, action)
        if actor is None:
            return self.not_allowed()
        stored = await self.s.offers.get_by_pk(pk)
        if stored is None:
            return self._gone()
        if not await self.may_edit(actor, stored):
            if actor.role is Role.KEY_FIGURE and stored.status != "draft":
                return self._text("keyfigures.confirm.already", title=stored.offer.title)
            log.warning("refused %s: not the key figure's own draft", action)
            return self.not_allowed()
        return actor, stored

    # --- registration -----------------------------------------------------------------------

    async def start(self, user_id: int, chat_id: int, payload: str | None) -> Reply | None:
        """/start with an invite code; None for every other payload (the normal welcome handles it)."""
        if not payload or not payload.startswith(INVITE_PREFIX):
            return None
        await self.s.people.seen(user_id, chat_id)
        result = await self.s.registry.claim_invite(payload, user_id)
        if result in (InviteResult.CLAIMED, InviteResult.CONTINUE):
            await self.s.registry.set_session(user_id, "reg_name", data={"code": payload})
            return self._text("keyfigures.register.ask_name")
        key = {
            InviteResult.ALREADY: "keyfigures.register.already",
            InviteResult.USED: "keyfigures.register.used",
            InviteResult.EXPIRED: "keyfigures.register.expired",
            InviteResult.UNKNOWN: "keyfigures.register.unknown",
        }[result]
        log.info("invite link refused: %s", result.value)
        return self._text(key, **self._contact())

    async def _registration(self, user_id: int, session: Session, message: Incoming) -> Reply:
        code = str(session.data.get("code", ""))
        if not await self.s.registry.has_claimed(code, user_id):
            await self.s.registry.clear_session(user_id)
            return self._text("keyfigures.register.unknown", **self._contact())
        answer = (message.text or "").strip() if message.kind == "text" and not message.forwarded else ""
        if session.step == "reg_name":
            if not 2 <= len(answer) <= MAX_NAME:
                return self._text("keyfigures.register.ask_name_again")
            await self.s.registry.set_session(user_id, "reg_org", data={"code": code, "name": answer})
            return self._text("keyfigures.register.ask_org")
        if not 2 <= len(answer) <= MAX_ORGANISATION:
            return self._text("keyfigures.register.ask_org_again")
        name = str(session.data.get("name", ""))
        key_figure = await self.s.registry.register(user_id, name, answer, changed_by="invite")
        await self.s.registry.clear_session(user_id)
        await self.s.tell_admins(
            Message(self.t("keyfigures.register.admin_notice", name=key_figure.name, org=key_figure.organisation))
        )
        return Reply((Message(self.t("keyfigures.register.welcome", name=key_figure.name)),))

    # --- everything a key figure (or anyone) sends -----------------------------------------------

    async def incoming(self, user_id: int, chat_id: int, message: Incoming) -> Reply | None:
        """A message in the private chat. None: not for this part (a question, a sticker): the rest answers."""
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        self._users[user_id] += 1
        try:
            async with lock:
                return await self._incoming(user_id, chat_id, message)
        finally:
            self._users[user_id] -= 1
            if not self._users[user_id]:  # nobody else holds or waits for it
                del self._users[user_id]
                del self._locks[user_id]

    async def _incoming(self, user_id: int, chat_id: int, message: Incoming) -> Reply | None:
        registry = self.s.registry
        session = await registry.session(user_id)
        if session is not None and session.step in ("reg_name", "reg_org"):
            return await self._registration(user_id, session, message)
        if session is not None and self._stale(session):
            await registry.clear_session(user_id)
            session = None
        actor = await self.s.roles.of(user_id)
        if actor.role is Role.PERSON:
            if message.forwarded:
                log.info("a forward from someone who is not a key figure: answered, nothing stored")
                return self._text("keyfigures.only_keyfigures", **self._contact())
            return None
        await self.s.people.seen(user_id, chat_id)
        text = (message.text or "").strip()
        if message.kind in ("voice", "document"):
            return self._text(f"keyfigures.unsupported.{message.kind}")
        if message.kind not in ("text", "photo"):
            return self._text("keyfigures.unsupported.other") if message.forwarded else None
        if message.kind == "photo" and not text:
            await registry.set_session(user_id, "paste", data={"photo": message.photo})
            return self._text("keyfigures.draft.photo_needs_text")
        pasted = message.kind == "text" and not message.forwarded
        if session is not None and pasted and len(text) >= LONG_PASTE and self._continues(session):
            return await self._continue_paste(actor, session, text)
        if session is not None and session.step == "field" and pasted:
            return await self._answer_field(actor, session, text)
        if session is not None and session.step == "paste" and message.kind == "text":
            photo = session.data.get("photo") if isinstance(session.data.get("photo"), str) else None
            await registry.clear_session(user_id)
            return await self._draft(actor, text, origin=message.origin, photo=photo, pasted=pasted)
        if message.forwarded or message.kind == "photo":
            return await self._draft(actor, text, origin=message.origin, photo=message.photo, pasted=False)
        if len(text) >= LONG_PASTE:
            return await self._draft(actor, text, origin=None, photo=None, pasted=True)
        return None  # a short text: a question, searched like anyone's

    def _stale(self, session: Session) -> bool:
        if not session.updated_at:
            return False
        age = self.s.clock.now() - dt.datetime.fromisoformat(session.updated_at)
        return age > dt.timedelta(hours=SESSION_HOURS)

    def _continues(self, session: Session) -> bool:
        """Is this text the rest of a message Telegram split? Only when the part before was cut near the
        limit and this one follows at once."""
        at = session.data.get("raw_at")
        raw = session.data.get("raw")
        if not isinstance(at, str) or not isinstance(raw, str):
            return False
        part = session.data.get("part_units")
        if not isinstance(part, int):
            part = utf16_units(raw)
        if part < SPLIT_NEAR:
            return False
        elapsed = self.s.clock.now() - dt.datetime.fromisoformat(at)
        return dt.timedelta(0) <= elapsed <= dt.timedelta(seconds=CONTINUATION_SECONDS)

    async def new_command(self, user_id: int, chat_id: int) -> Reply:
        """/nieuw: the next text (or photo with caption) is an offer, however short."""
        actor = await self.s.roles.require(user_id, Role.KEY_FIGURE, "/nieuw")
        if actor is None:
            return self.not_allowed()
        await self.s.people.seen(user_id, chat_id)
        await self.s.registry.set_session(user_id, "paste")
        drafts = await self.s.registry.open_drafts(user_id)
        if not drafts:
            return self._text("keyfigures.draft.paste_now")
        drafts_line = self.t("operations.open_drafts", count=len(drafts))
        text = self.t("keyfigures.draft.paste_now") + Markup("\n\n") + drafts_line
        buttons = tuple((Button(f"✏️ {title}"[:60], actions.encode(actions.Back(pk))),) for pk, title in drafts)
        return Reply((Message(text, buttons),))

    # --- making the draft -----------------------------------------------------------------------

    async def _free_id(self, base: str) -> str:
        candidate, n = base, 1
        while await self.s.offers.get(candidate) is not None:
            n += 1
            suffix = f"-{n}"
            candidate = base[: 80 - len(suffix)].rstrip("-") + suffix
        return candidate

    def _extract(self, text: str, origin: str | None, photo: str | None) -> DraftRead:
        return read_draft(
            text, today=self.s.today(), tz=self.s.settings.timezone_name, texts=self.t, origin=origin, photo=photo
        )

    async def _draft(self, actor: Actor, text: str, *, origin: str | None, photo: str | None, pasted: bool) -> Reply:
        if not any(ch.isalnum() for ch in text) and photo is None:
            return self._text("keyfigures.draft.empty")
        read = self._extract(text, origin, photo)
        if "empty_text" in read.warnings or (not text.strip() and photo is None):
            return self._text("keyfigures.draft.empty")
        data = dict(read.data, id=await self._free_id(str(read.data["id"])))
        offer = valid_offer(data)
        stored = await self.s.offers.save(offer, source=actor.source, actor=actor.audit, status="draft")
        await self.s.registry.record_submission(
            offer.id, user_id=actor.user_id, key_figure_id=actor.key_figure.id if actor.key_figure else None
        )
        raw = self._raw(text[:MAX_RAW], part=text) if pasted else {}
        return await self._after_draft(actor, stored, read.missing, notes_for(read, self.t, pasted=pasted), raw)

    async def _after_draft(
        self, actor: Actor, stored: StoredOffer, missing: list[str], notes: list[Markup], raw: dict[str, Any]
    ) -> Reply:
        """Ask what is missing (title, then date), else show the preview."""
        codes = [{"title": "t", "when": "w"}[m] for m in missing if m in ("title", "when")]
        if codes:
            await self.s.registry.set_session(
                actor.user_id, "field", offer_id=stored.offer.id, field=codes[0], data={"then": codes[1:], **raw}
            )
            intro = join_lines([self.t("keyfigures.draft.made"), *notes, self.s.card(stored)])
            return Reply((Message(intro, photo=photo_of(stored)), self._prompt(stored, codes[0])))
        if raw:
            await self.s.registry.set_session(actor.user_id, "pasted", offer_id=stored.offer.id, data=raw)
        else:
            await self.s.registry.clear_session(actor.user_id)
        return await self.draft_preview(stored, notes=notes)

    def _raw(self, whole: str, *, part: str) -> dict[str, Any]:
        """What the session keeps of a paste, to glue a part Telegram split off back on."""
        return {"raw": whole, "raw_at": self.s.clock.now().isoformat(), "part_units": utf16_units(part)}

    async def _continue_paste(self, actor: Actor, session: Session, text: str) -> Reply:
        """The next part of a long text Telegram split up: read the whole text again into the same draft."""
        stored = await self.s.offers.get(session.offer_id or "")
        if stored is None or not await self.may_edit(actor, stored):
            await self.s.registry.clear_session(actor.user_id)
            return await self._draft(actor, text, origin=None, photo=None, pasted=True)
        whole = (str(session.data["raw"]) + "\n" + text)[:MAX_RAW]
        read = self._extract(whole, None, photo_of(stored))
        offer = valid_offer(dict(read.data, id=stored.offer.id))
        stored = await self.s.offers.save(offer, source=stored.source, actor=actor.audit, status="draft")
        raw = self._raw(whole, part=text)
        notes = [self.t("keyfigures.draft.glued"), *notes_for(read, self.t, pasted=False)]
        return await self._after_draft(actor, stored, read.missing, notes, raw)

    # --- preview and editing ------------------------------------------------------------------

    async def draft_preview(self, stored: StoredOffer, *, notes: list[Markup] | tuple[Markup, ...] = ()) -> Reply:
        """The preview (Shared.preview), with the warning that the offer is already there when it probably is:
        then Bevestig makes way for Toch toevoegen / Samenvoegen, before the key figure confirms."""
        duplicate = await self._duplicate_of(stored)
        if duplicate is None:
            return self.s.preview(stored, notes=notes)
        buttons = self._duplicate_buttons(stored, duplicate)
        return self.s.preview(stored, notes=notes, duplicate=duplicate, instead_of_confirm=buttons)

    def _current(self, offer: Offer, code: str) -> str:
        """The field's value as plain text, to show next to the question."""
        value: Markup | str | None
        if code == "w":
            value = when_text(offer.when.start, offer.when.end, self.t, today=self.s.today()) if offer.when else None
        elif code == "p":
            value = where_text(offer, self.t)
        elif code == "m":
            value = price_text(offer, self.t)
        elif code == "a":
            value = age_text(offer, self.t)
        elif code == "c":
            value = contact_text(offer, self.t)
        elif code == "k":
            value = self._label(f"keyfigures.kinds.{offer.kind}")
        else:
            value = {"t": offer.title, "o": offer.organizer, "r": offer.registration, "d": offer.description}.get(code)
        if not value:
            return self._label("keyfigures.edit.nothing_yet")
        return Markup(value).striptags() if isinstance(value, Markup) else value

    def _prompt(self, stored: StoredOffer, code: str) -> Message:
        pk = stored.pk
        buttons: list[Button] = []
        if code == "w":
            buttons.append(Button(self._label("keyfigures.buttons.no_date"), actions.encode(actions.NoDate(pk))))
        buttons.append(Button(self._label("keyfigures.buttons.back"), actions.encode(actions.Back(pk))))
        text = join_lines(
            [
                self.t(f"keyfigures.ask.{code}"),
                self.t("keyfigures.edit.current", value=self._current(stored.offer, code)),
            ]
        )
        return Message(text, rows(buttons))

    def edit_menu(self, stored: StoredOffer) -> Reply:
        pk = stored.pk
        buttons = [
            Button(self._label(f"keyfigures.fields.{code}"), actions.encode(actions.AskField(pk, code)))
            for code in FIELDS
        ]
        pairs = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        back = [Button(self._label("keyfigures.buttons.back"), actions.encode(actions.Back(pk)))]
        return Reply((Message(self.t("keyfigures.edit.which", title=stored.offer.title), rows(*pairs, back)),))

    async def show(self, actor: Actor, stored: StoredOffer, *, notes: tuple[Markup, ...] = ()) -> Reply:
        """Back to where an edit came from: the preview of a draft, an admin's review or manage card."""
        if stored.status == "draft":
            return await self.draft_preview(stored, notes=notes)
        if actor.role is Role.ADMIN:
            return await self.admin_view(stored, notes=notes)
        return self._text("keyfigures.confirm.already", title=stored.offer.title)

    async def _answer_field(self, actor: Actor, session: Session, text: str) -> Reply:
        registry = self.s.registry
        stored = await self.s.offers.get(session.offer_id or "")
        if stored is None or not await self.may_edit(actor, stored):
            await registry.clear_session(actor.user_id)
            return self._gone()
        code = session.field or ""
        update = parse_answer(code, text, today=self.s.today(), current=stored.offer)
        if update.problem is not None or update.changes is None:
            problem = self.t(update.problem or "keyfigures.edit.invalid")
            prompt = self._prompt(stored, code)
            return Reply((Message(problem), prompt))
        try:
            offer = apply(stored.offer, update.changes)
        except OfferError:
            return Reply((Message(self.t("keyfigures.edit.invalid")), self._prompt(stored, code)))
        stored = await self.s.offers.save(offer, source=stored.source, actor=actor.audit, status=stored.status)
        if code != "w":
            return await self._next_field(actor, session, stored, self.t("keyfigures.edit.saved"))
        read = self._current(stored.offer, "w")
        if update.ask_time:
            # The date is in; the time is asked, not assumed: no silent 00:00-23:59.
            await self.s.registry.set_session(
                actor.user_id, "field", offer_id=stored.offer.id, field="w", data=dict(session.data)
            )
            day = date_text(stored.offer.when.start.date(), self.t, today=self.s.today()) if stored.offer.when else read
            return Reply((Message(self.t("keyfigures.edit.ask_time", day=day)), self._prompt(stored, "w")))
        return await self._next_field(actor, session, stored, self.t("keyfigures.edit.saved_when", when=read))

    async def _next_field(self, actor: Actor, session: Session, stored: StoredOffer, note: Markup) -> Reply:
        then = [c for c in session.data.get("then", []) if c in FIELDS]
        if then and then[0] == "w" and stored.offer.when is not None:
            then = then[1:]
        raw = {k: v for k, v in session.data.items() if k in ("raw", "raw_at", "part_units")}
        if then:
            await self.s.registry.set_session(
                actor.user_id, "field", offer_id=stored.offer.id, field=then[0], data={"then": then[1:], **raw}
            )
            return Reply((Message(note), self._prompt(stored, then[0])))
        await self.s.registry.clear_session(actor.user_id)
        return await self.show(actor, stored, notes=(note,))

    # --- buttons (bot/keyfigures/actions.py) -------------------------------------------------------

    async def action(self, user_id: int, action: actions.DraftAction) -> Reply:
        match action:
            case actions.Confirm(pk):
                return await self._confirm(user_id, pk)
            case actions.ConfirmAnyway(pk):
                return await self._confirm(user_id, pk, check=False)
            case actions.EditMenu(pk):
                return await self._edit_menu(user_id, pk)
            case actions.AskField(pk, code):
                return await self._ask_field(user_id, pk, code)
            case actions.SetKind(pk, kind):
                return await self._set_kind(user_id, pk, kind)
            case actions.NoDate(pk):
                return await self._no_date(user_id, pk)
            case actions.Back(pk):
                return await self._back(user_id, pk)
            case actions.Cancel(pk):
                return await self._cancel(user_id, pk)
            case actions.Merge(pk, other):
                return await self._merge(user_id, pk, other)

    async def _edit_menu(self, user_id: int, pk: int) -> Reply:
        found = await self._editable(user_id, pk, "kf:ed")
        if isinstance(found, Reply):
            return found
        await self.s.registry.clear_session(user_id)
        return self.edit_menu(found[1])

    async def _ask_field(self, user_id: int, pk: int, code: str) -> Reply:
        found = await self._editable(user_id, pk, "kf:f")
        if isinstance(found, Reply):
            return found
        _actor, stored = found
        if code not in FIELDS:
            return self.edit_menu(stored)
        if code == "k":
            buttons = [
                Button(self._label(f"keyfigures.kinds.{k}"), actions.encode(actions.SetKind(stored.pk, k)))
                for k in KINDS
            ]
            back = [Button(self._label("keyfigures.buttons.back"), actions.encode(actions.Back(stored.pk)))]
            return Reply((Message(self.t("keyfigures.ask.k"), rows(buttons[:2], buttons[2:], back)),))
        await self.s.registry.set_session(user_id, "field", offer_id=stored.offer.id, field=code)
        return Reply((self._prompt(stored, code),))

    async def _set_kind(self, user_id: int, pk: int, kind: str) -> Reply:
        found = await self._editable(user_id, pk, "kf:k")
        if isinstance(found, Reply):
            return found
        actor, stored = found
        if kind not in KINDS:
            return self.edit_menu(stored)
        offer = apply(stored.offer, {"kind": kind})
        stored = await self.s.offers.save(offer, source=stored.source, actor=actor.audit, status=stored.status)
        return await self.show(actor, stored, notes=(self.t("keyfigures.edit.saved"),))

    async def _no_date(self, user_id: int, pk: int) -> Reply:
        found = await self._editable(user_id, pk, "kf:nd")
        if isinstance(found, Reply):
            return found
        actor, stored = found
        if stored.offer.when is not None:
            offer = apply(stored.offer, {"when": None})
            stored = await self.s.offers.save(offer, source=stored.source, actor=actor.audit, status=stored.status)
        session = await self.s.registry.session(user_id)
        if session is not None and session.offer_id == stored.offer.id and session.step == "field":
            return await self._next_field(actor, session, stored, self.t("keyfigures.edit.no_date"))
        await self.s.registry.clear_session(user_id)
        return await self.show(actor, stored, notes=(self.t("keyfigures.edit.no_date"),))

    async def _back(self, user_id: int, pk: int) -> Reply:
        found = await self._editable(user_id, pk, "kf:pv")
        if isinstance(found, Reply):
            return found
        await self.s.registry.clear_session(user_id)
        return await self.show(*found)

    async def _cancel(self, user_id: int, pk: int) -> Reply:
        found = await self._editable(user_id, pk, "kf:x")
        if isinstance(found, Reply):
            return found
        actor, stored = found
        if stored.status != "draft":
            return self._text("keyfigures.confirm.already", title=stored.offer.title)
        await self.s.offers.delete(stored.offer.id, actor=actor.audit)
        await self.s.registry.clear_session(user_id)
        return self._text("keyfigures.draft.cancelled")

    # --- confirming -----------------------------------------------------------------------------

    async def _confirm(self, user_id: int, pk: int, *, check: bool = True) -> Reply:
        found = await self._editable(user_id, pk, "kf:ok")
        if isinstance(found, Reply):
            return found
        actor, stored = found
        if stored.status != "draft":
            return self._text("keyfigures.confirm.already", title=stored.offer.title)
        if check:
            duplicate = await self._duplicate_of(stored)
            if duplicate is not None:
                return self._duplicate_reply(stored, duplicate)
        target = "published" if actor.trusted else "pending"
        try:
            stored = await self.s.offers.set_status(stored.offer.id, target, actor=actor.audit, expected=("draft",))
        except (ValueError, LookupError):
            return self._text("keyfigures.confirm.already", title=stored.offer.title)
        await self.s.registry.clear_session(user_id)
        if target == "published":
            await self.announce(stored, skip=user_id)
            card = Message(self.s.card(stored), rows(self.s.share_button(stored)), photo=photo_of(stored))
            return Reply((Message(self.t("keyfigures.confirm.published", title=stored.offer.title)), card))
        sent = await self.review_request(stored, actor)
        key = "keyfigures.confirm.pending" if sent else "keyfigures.confirm.pending_unsent"
        return self._text(key, title=stored.offer.title, **self._contact())

    async def _duplicate_of(self, stored: StoredOffer) -> StoredOffer | None:
        found = await self._duplicates(stored)
        return found[0] if found else None

    async def _duplicates(self, stored: StoredOffer) -> list[StoredOffer]:
        others = await self.s.offers.select(statuses=("published", "pending"))
        by_id = {o.offer.id: o for o in others if o.offer.id != stored.offer.id}
        found = find_duplicates(stored.offer.to_dict(), [o.offer.to_dict() for o in by_id.values()])
        return [by_id[offer_id] for offer_id, *_ in found]

    def _duplicate_buttons(self, stored: StoredOffer, other: StoredOffer) -> list[Button]:
        """Toch toevoegen / Samenvoegen: the only place their actions are made."""
        pk = stored.pk
        return [
            Button(self._label("keyfigures.buttons.add_anyway"), actions.encode(actions.ConfirmAnyway(pk))),
            Button(self._label("keyfigures.buttons.merge"), actions.encode(actions.Merge(pk, other.pk))),
        ]

    def _duplicate_reply(self, stored: StoredOffer, other: StoredOffer) -> Reply:
        """A duplicate that appeared after the preview, found at Bevestig."""
        cancel = Button(self._label("keyfigures.buttons.cancel"), actions.encode(actions.Cancel(stored.pk)))
        buttons = rows(self._duplicate_buttons(stored, other), [cancel])
        body = self.t("keyfigures.duplicate.text") + Markup("\n\n") + self.s.card(other, full=False)
        return Reply((Message(body, buttons),))

    async def _merge(self, user_id: int, pk: int, other_pk: int) -> Reply:
        """Fill what the existing offer lacks from the draft (never overwrite), then drop the draft."""
        found = await self._editable(user_id, pk, "kf:dm")
        if isinstance(found, Reply):
            return found
        actor, draft = found
        other = await self.s.offers.get_by_pk(other_pk)
        if other is None or other.status not in ("published", "pending") or other.pk == draft.pk:
            return self._gone()
        if actor.role is not Role.ADMIN and other.pk not in {d.pk for d in await self._duplicates(draft)}:
            # The button only ever names a probable duplicate; merging into any other offer (a forged
            # action) would let a key figure add keywords and categories to offers that are not theirs.
            log.warning("refused kf:dm: the offer is not a duplicate the bot proposed")
            return self.not_allowed()
        merged = merge_offers(other.offer, draft.offer)
        if merged != other.offer:
            other = await self.s.offers.save(merged, source=other.source, actor=actor.audit, status=other.status)
        await self.s.offers.delete(draft.offer.id, actor=actor.audit)
        await self.s.registry.clear_session(user_id)
        if actor.role is not Role.ADMIN:
            note = self.t("keyfigures.duplicate.admin_notice", title=other.offer.title)
            for message in (await self.admin_view(other, notes=(note,))).messages:
                await self.s.tell_admins(message)
        return self._text("keyfigures.duplicate.merged", title=other.offer.title)


def utf16_units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def merge_offers(existing: Offer, draft: Offer) -> Offer:
    """`existing` with its empty fields filled from `draft`; categories and keywords joined."""
    data = existing.to_dict()
    new = draft.to_dict()
    for name in MERGE_TEXT_FIELDS:
        if not data.get(name) and new.get(name):
            data[name] = new[name]
    for name in ("location", "when"):
        if data.get(name) is None and new.get(name) is not None:
            data[name] = new[name]
    if data["price"]["regular"] is None and data["price"]["reduced"] is None:
        data["price"] = new["price"]
    audience = data["audience"]
    if audience["min_age"] is None and audience["max_age"] is None and not audience["groups"]:
        data["audience"] = new["audience"]
    for key in ("phone", "email", "url"):
        if not data["contact"].get(key) and new["contact"].get(key):
            data["contact"][key] = new["contact"][key]
    for name in ("categories", "keywords"):
        data[name] = list(dict.fromkeys([*data[name], *new[name]]))[:50]
    if "photo" not in data and isinstance(new.get("photo"), str):
        data["photo"] = new["photo"]
    return Offer.from_dict(data)
