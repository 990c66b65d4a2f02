"""The conversation with a person, independent of Telegram: a question or a button in, a Reply out.

Telegram handlers and the terminal chat both drive this class, so both give the same answers.
Button actions are short strings ("i:12" = more info on offer 12) that fit Telegram's 64-byte
callback limit; they are parsed and checked here, never trusted: a forged action for an offer
that does not exist gets a polite answer, not an error.

Actions of this module:
  i:<pk>  Meer info        g:<pk>  Hoe geraak ik er?    a:<pk>  Ik wil niet alleen gaan
  c:<pk>  Wie past op de kinderen?                      s:<token>  a 'bedoelde je' suggestion
  p:<token>:<offset>  Meer resultaten (the result list is kept in memory under the token)
  b:<list>  open a list (act, disc, tran, supp, week);   b:<list>:<offset>  another page of it
  menu, h  the menu and the help;   f:y / f:n  /vergeet confirmed or not
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from markupsafe import Markup

from bot.chat.cards import card, price_text, when_text, where_text
from bot.chat.people import People
from bot.chat.replies import Button, Message, Reply, join_lines, rows
from bot.offers.model import Offer
from bot.offers.store import OfferStore, StoredOffer
from bot.platform.calendar import Clock, local_naive, next_occurrence
from bot.platform.config import Settings
from bot.platform.texts import Texts
from bot.search.matcher import Hit, SearchResult
from bot.search.service import SearchService
from bot.search.text import MAX_QUESTION_CHARS

log = logging.getLogger(__name__)

BROWSE = {  # browse action -> (text key, offer kind or None for 'the coming 7 days')
    "act": ("browse.activities", "activity"),
    "disc": ("browse.discounts", "discount"),
    "tran": ("browse.transport", "transport"),
    "supp": ("browse.support", "support"),
    "week": ("browse.week", None),
}
# 'Wie past op de kinderen?' is for a parent who goes to something without the children: an activity
# open to grown-ups that is not itself for children or families (there the children come along).
GROWN_UP_GROUPS = {"iedereen", "volwassenen"}
CHILD_GROUPS = {"kinderen", "gezinnen"}
CHILD_CATEGORIES = {"gezin", "jeugd"}
NEEDS_CHECKED_EVERY = dt.timedelta(minutes=1)  # whether any childcare offer exists, cached this long
MAX_PAGES_KEPT = 5000
MAX_CARDS_KEPT = 2000
MEDIA = {  # what arrived that is not a question -> the pointer it gets
    "photo": "media.photo",
    "voice": "media.voice",
    "sticker": "media.sticker",
    "location": "media.location",
    "document": "media.document",
    "other": "media.other",
}
MAX_BUTTON_LABEL = 60  # characters of an offer title on a button; Telegram shows about that much
_NUMBER = re.compile(r"[0-9]{1,12}")  # offer numbers and offsets in button actions (ASCII digits only)


def number(arg: str) -> int | None:
    """A number from a button action, or None: clients are not trusted ('²', '99999999999999999999')."""
    return int(arg) if _NUMBER.fullmatch(arg) else None


@dataclass(frozen=True)
class Who:
    """Who is talking: ids to answer them. The first name is only used to greet, never stored."""

    user_id: int
    chat_id: int
    first_name: str | None = None


ActionHandler = Callable[[Who, list[str]], Awaitable[Reply]]
CardButtons = Callable[[Who, StoredOffer], Awaitable[Sequence[Button]]]
BrowseButtons = Callable[[Who, str], Awaitable[Sequence[Button]]]  # (who, browse key like "week")


class QuestionLog(Protocol):
    """Where questions are counted anonymously for the network's report (see bot.insights).

    `who` is only there to compute a keyed hash that rotates every month (distinct people, and which
    question a 'Meer info' press followed); an implementation never stores the user id or the name.
    `text` is the question as typed: the log scrubs it before anything is written.
    Actions: 'info', 'remind' (a reminder planned), 'remind_sent', 'remind_blocked', 'remind_late',
    'remind_failed', 'going', 'not_going'.
    """

    async def record_question(self, result: SearchResult, *, who: Who, text: str) -> None: ...

    async def record_action(self, action: str, offer_id: str, *, who: Who | None = None) -> None: ...


def _without_children(offer: Offer) -> bool:
    """An activity a parent goes to alone: open to grown-ups, not for children or families."""
    groups = set(offer.audience.groups)
    open_to_grown_ups = not groups or bool(groups & GROWN_UP_GROUPS)
    for_children = bool(groups & CHILD_GROUPS or set(offer.categories) & CHILD_CATEGORIES)
    min_age, max_age = offer.audience.min_age, offer.audience.max_age
    young_parents_welcome = (max_age is None or max_age >= 18) and (min_age is None or min_age < 50)
    return open_to_grown_ups and not for_children and young_parents_welcome


class ResultPages:
    """Result lists kept in memory for 'Meer resultaten', under a short random token.

    Lost on restart on purpose: a person who pages through an old list gets a friendly
    'ask again', and nothing of their questions is written to disk.
    """

    def __init__(self, limit: int = MAX_PAGES_KEPT) -> None:
        self._pages: OrderedDict[str, tuple[Hit, ...]] = OrderedDict()
        self._suggestions: OrderedDict[str, str] = OrderedDict()
        self._limit = limit

    def keep(self, hits: Sequence[Hit]) -> str:
        token = secrets.token_urlsafe(6)
        self._pages[token] = tuple(hits)
        while len(self._pages) > self._limit:
            self._pages.popitem(last=False)
        return token

    def get(self, token: str) -> tuple[Hit, ...] | None:
        return self._pages.get(token)

    def keep_suggestion(self, suggestion: str) -> str:
        token = secrets.token_urlsafe(6)
        self._suggestions[token] = suggestion
        while len(self._suggestions) > self._limit:
            self._suggestions.popitem(last=False)
        return token

    def suggestion(self, token: str) -> str | None:
        return self._suggestions.get(token)


class Conversation:
    def __init__(
        self,
        *,
        settings: Settings,
        texts: Texts,
        offers: OfferStore,
        search: SearchService,
        people: People,
        clock: Clock,
        question_log: QuestionLog | None = None,
    ) -> None:
        self.settings = settings
        self.texts = texts
        self.offers = offers
        self.search = search
        self.people = people
        self.clock = clock
        self.question_log = question_log
        self.pages = ResultPages()
        self.card_buttons: list[CardButtons] = []
        self.menu_buttons: list[Button] = []  # extra buttons other parts add to the main menu
        self.browse_buttons: list[BrowseButtons] = []  # extra buttons under a browse list ("Deze week")
        self._need_cache: dict[str, tuple[dt.datetime, bool]] = {}
        self._cards: OrderedDict[tuple[object, ...], Markup] = OrderedDict()
        self._actions: dict[str, ActionHandler] = {
            "i": self._info,
            "g": self._route,
            "a": self._alone,
            "c": self._childcare,
            "p": self._page_action,
            "b": self._browse_action,
            "s": self._suggestion_action,
            "menu": self._menu_action,
            "h": self._help_action,
            "f": self._forget_action,
        }

    # --- extension points -------------------------------------------------------------------

    async def record_action(self, action: str, offer_id: str, who: Who | None = None) -> None:
        """Tell the anonymous question log what happened with an offer (reminders call this too)."""
        if self.question_log is not None:
            await self.question_log.record_action(action, offer_id, who=who)

    def register_action(self, prefix: str, handler: ActionHandler) -> None:
        """Let another part (reminders, key figures) own the button actions starting with `prefix:`."""
        if prefix in self._actions:
            raise ValueError(f"action prefix {prefix!r} is taken")
        self._actions[prefix] = handler

    # --- time -----------------------------------------------------------------------------

    def _today(self) -> dt.date:
        return local_naive(self.clock.now(), self.settings.timezone).date()

    # --- entry points ------------------------------------------------------------------------

    async def start(self, who: Who, payload: str | None = None) -> Reply:
        """/start, also with a deep link payload ('offer-<id>' opens that offer's card)."""
        await self.people.seen(who.user_id, who.chat_id)
        if payload and payload.startswith("offer-"):
            key = payload.removeprefix("offer-")
            stored = await self.offers.get(key)
            if stored is None and key.isdigit():  # ids too long for a deep link are shared by number
                stored = await self.offers.get_by_pk(int(key))
            if stored is not None and stored.status == "published":
                return Reply((await self._card_message(who, stored, full=True),))
        name = who.first_name or self.texts.label("welcome.name_unknown")
        return Reply((Message(self.texts("welcome.text", name=name), self.main_menu()),))

    async def menu(self, who: Who) -> Reply:
        await self.people.seen(who.user_id, who.chat_id)
        return Reply((Message(self.texts("menu.text"), self.main_menu()),))

    async def help(self, who: Who) -> Reply:
        await self.people.seen(who.user_id, who.chat_id)
        return Reply((Message(self.texts("help.text", **self._contact_values()), rows([self._menu_button()])),))

    async def privacy(self, who: Who) -> Reply:
        months = self.settings.privacy.retention_months  # how long anonymous questions are kept (bot.insights)
        text = self.texts("privacy.text", months=months, **self._contact_values())
        return Reply((Message(text, rows([self._menu_button()])),))

    async def media(self, who: Who, kind: str) -> Reply:
        """A photo, voice message, sticker, location, file or anything else that is not text: a friendly
        pointer and the menu, so someone who finds typing hard can go on with buttons alone."""
        await self.people.seen(who.user_id, who.chat_id)
        return Reply((Message(self.texts(MEDIA.get(kind, "media.other")), self.main_menu()),))

    async def forget(self, who: Who) -> Reply:
        """/vergeet: ask first; the yes-button does the deleting."""
        buttons = rows(
            [
                Button(self.texts.label("buttons.forget_yes"), "f:y"),
                Button(self.texts.label("buttons.forget_no"), "f:n"),
            ]
        )
        return Reply((Message(self.texts("forget.confirm"), buttons),))

    async def stop(self, who: Who) -> Reply:
        await self.people.stop(who.user_id)
        return Reply((Message(self.texts("stop.text")),))

    async def ask(self, who: Who, text: str) -> Reply:
        """A question in the person's own words: up to a page of result cards, or an honest 'nothing'."""
        await self.people.seen(who.user_id, who.chat_id)
        result = await self.search.search(text)
        if self.question_log is not None:
            await self.question_log.record_question(result, who=who, text=text)
        notes: list[Markup] = []
        if len(text) > MAX_QUESTION_CHARS:
            notes.append(self.texts("answer.question_too_long"))
        asked = result
        if not result.hits:
            later = await self.search.later(text, result)
            if later is None:
                return self.nothing(result, notes)
            result = later
        token = self.pages.keep(result.hits)
        hits = result.hits
        page_size = self.settings.search.page_size
        if result is not asked:
            intro = self.texts("answer.found_later", period=asked.query.period.label)  # type: ignore[union-attr]
        elif result.later_than is not None:  # only a time was asked, and nothing is on then
            intro = self.texts("answer.found_later", period=result.later_than.label)
        elif result.query.period is not None and not result.query.content_concepts:
            intro = self.texts("answer.found_period", period=result.query.period.label)
        elif len(hits) > page_size:
            intro = self.texts("answer.found_many", shown=page_size, total=len(hits))
        else:
            intro = self.texts("answer.found_one")
        if result.query.corrections:
            intro = join_lines(
                [intro, self.texts("answer.searched_for", words=" ".join(result.query.corrections.values()))]
            )
        messages = await self._result_page(who, hits, 0, token, intro=join_lines([*notes, intro]))
        return Reply(tuple(messages), data={"hits": [h.offer_id for h in hits]})

    async def act(self, who: Who, action: str) -> Reply:
        """A button press. Unknown or malformed actions get the menu, never an exception."""
        await self.people.seen(who.user_id, who.chat_id)
        prefix, _, rest = action.partition(":")
        handler = self._actions.get(prefix)
        if handler is None:
            log.info("unknown button action %r", prefix[:20])
            return self._unknown_button()
        return await handler(who, rest.split(":") if rest else [])

    def _unknown_button(self) -> Reply:
        """A button the bot does not know (an old version's, or forged): say so kindly and show the menu."""
        return Reply(
            (Message(self.texts("menu.text"), self.main_menu()),), notice=self.texts.label("answer.unknown_button")
        )

    # --- building replies --------------------------------------------------------------------

    def main_menu(self) -> tuple[tuple[Button, ...], ...]:
        label = self.texts.label
        return rows(
            [Button(label("buttons.activities"), "b:act"), Button(label("buttons.discounts"), "b:disc")],
            [Button(label("buttons.transport"), "b:tran"), Button(label("buttons.support"), "b:supp")],
            [Button(label("buttons.week"), "b:week"), *self.menu_buttons],
            [Button(label("buttons.help"), "h")],
        )

    def _menu_button(self) -> Button:
        return Button(self.texts.label("buttons.menu"), "menu")

    def _contact_values(self) -> dict[str, str]:
        c = self.settings.contact
        return {"name": c.name, "phone": c.phone, "email": c.email, "hours": c.hours, "address": c.address}

    def nothing(self, result: SearchResult, notes: Sequence[Markup] = ()) -> Reply:
        """The honest 'nothing found': why, a suggestion when there is one, the topics, and whom to call."""
        texts = self.texts
        key = {"empty": "nothing.empty", "out_of_scope": "nothing.out_of_scope"}.get(
            result.reason or "", "nothing.text"
        )
        parts: list[Markup | None] = [*notes, texts(key)]
        suggestion_row: list[Button] = []
        if result.suggestion:
            parts.append(texts("nothing.did_you_mean", suggestion=result.suggestion))
            token = self.pages.keep_suggestion(result.suggestion)
            label = texts.label("buttons.did_you_mean", suggestion=result.suggestion)
            suggestion_row.append(Button(label[:MAX_BUTTON_LABEL], f"s:{token}"))
        parts.append(texts("nothing.contact", **self._contact_values()))
        buttons = rows(suggestion_row, *self.main_menu())
        return Reply((Message(Markup("\n\n").join(p for p in parts if p), buttons),), data={"hits": []})

    async def _offer_buttons(self, who: Who, stored: StoredOffer, *, full: bool) -> tuple[tuple[Button, ...], ...]:
        offer = stored.offer
        label = self.texts.label
        first = [] if full else [Button(label("buttons.info"), f"i:{stored.pk}")]
        for hook in self.card_buttons:
            first.extend(await hook(who, stored))
        second = []
        if offer.location is not None or offer.transport:
            second.append(Button(label("buttons.route"), f"g:{stored.pk}"))
        third = []
        if offer.kind == "activity":
            third.append(Button(label("buttons.alone"), f"a:{stored.pk}"))
        if offer.kind == "activity" and _without_children(offer) and await self._has_need_offers("childcare"):
            third.append(Button(label("buttons.childcare"), f"c:{stored.pk}"))
        url_row = [Button(label("buttons.website"), url=offer.contact.url)] if full and offer.contact.url else []
        menu_row = [self._menu_button()] if full else []  # a card on its own; in lists the list has the menu
        return rows(first, second, third, url_row, menu_row)

    def _card_body(
        self, stored: StoredOffer, next_start: dt.datetime | None, next_end: dt.datetime | None, *, full: bool
    ) -> Markup:
        """The card's text, made once per offer version, date shown and day: the same cards are shown again
        and again, and building one was a good part of answering a question (bench/e2e.py)."""
        today = self._today()
        key = (stored.pk, stored.updated_at, stored.status, next_start, next_end, today, full)
        body = self._cards.get(key)
        if body is None:
            cancelled = stored.status == "cancelled"
            when = {"next_start": next_start, "next_end": next_end, "today": today}
            body = card(stored.offer, self.texts, **when, full=full, cancelled=cancelled)
            self._cards[key] = body
            if len(self._cards) > MAX_CARDS_KEPT:
                self._cards.popitem(last=False)
        else:
            self._cards.move_to_end(key)
        return body

    async def _card_message(
        self, who: Who, stored: StoredOffer, *, hit: Hit | None = None, full: bool = False, intro: Markup | None = None
    ) -> Message:
        offer = stored.offer
        next_start, next_end = (hit.next_start, hit.next_end) if hit else (None, None)
        if hit is None and offer.when is not None:
            occurrence = next_occurrence(offer.when, local_naive(self.clock.now(), self.settings.timezone))
            if occurrence is not None:
                next_start, next_end = occurrence
        body = self._card_body(stored, next_start, next_end, full=full)
        if intro:
            body = intro + Markup("\n\n") + body
        if stored.status == "published":
            buttons = await self._offer_buttons(who, stored, full=full)
        else:
            buttons = rows([self._menu_button()]) if full else ()
        photo = stored.offer.extra.get("photo")  # the flyer a key figure forwarded with the offer
        return Message(body, buttons, photo=photo if isinstance(photo, str) and photo else None)

    async def _result_page(
        self, who: Who, hits: Sequence[Hit], offset: int, token: str, *, intro: Markup | None
    ) -> list[Message]:
        size = self.settings.search.page_size
        page = hits[offset : offset + size]
        stored = await self.offers.get_many([h.offer_id for h in page])
        messages: list[Message] = []
        for hit in page:
            found = stored.get(hit.offer_id)
            if found is None or found.status != "published":
                continue  # withdrawn since the search: skip rather than show something stale
            messages.append(await self._card_message(who, found, hit=hit, intro=intro if not messages else None))
        if not messages:
            return [Message(self.texts("answer.no_more"), rows([self._menu_button()]))]
        last = messages[-1]
        extra: list[Button] = []
        if offset + size < len(hits):
            extra.append(Button(self.texts.label("buttons.more"), f"p:{token}:{offset + size}"))
        extra.append(self._menu_button())
        messages[-1] = Message(last.html, (*last.buttons, tuple(extra)), last.photo)
        return messages

    # --- actions ------------------------------------------------------------------------------

    async def _stored_from(self, args: list[str]) -> StoredOffer | None:
        pk = number(args[0]) if args else None
        return None if pk is None else await self.offers.get_by_pk(pk)

    def _gone(self) -> Reply:
        return Reply((Message(self.texts("offer.gone"), self.main_menu()),))

    async def _info(self, who: Who, args: list[str]) -> Reply:
        stored = await self._stored_from(args)
        if stored is None or stored.status not in ("published", "cancelled"):
            return self._gone()
        await self.record_action("info", stored.offer.id, who)
        return Reply((await self._card_message(who, stored, full=True),))

    async def _route(self, who: Who, args: list[str]) -> Reply:
        stored = await self._stored_from(args)
        if stored is None or stored.status != "published":
            return self._gone()
        offer = stored.offer
        lines: list[Markup | None] = [
            self.texts("transport.intro", title=offer.title),
            where_text(offer, self.texts),
            self.texts("card.transport", transport=offer.transport) if offer.transport else None,
        ]
        helpers = await self._need_offers("transport")
        buttons = [(Button(self._offer_label(s), f"i:{s.pk}"),) for s in helpers if s.pk != stored.pk][:5]
        if buttons:
            lines.append(self.texts("transport.offers"))
        return Reply((Message(join_lines(lines), (*buttons, (self._menu_button(),))),))

    async def _need_list(self, who: Who, need: str, intro_key: str, none_key: str) -> Reply:
        found = await self._need_offers(need)
        if not found:
            return Reply((Message(self.texts(none_key, **self._contact_values()), rows([self._menu_button()])),))
        messages = [
            await self._card_message(who, s, intro=self.texts(intro_key) if i == 0 else None)
            for i, s in enumerate(found[:3])
        ]
        last = messages[-1]
        messages[-1] = Message(last.html, (*last.buttons, (self._menu_button(),)), last.photo)
        return Reply(tuple(messages))

    async def _has_need_offers(self, need: str) -> bool:
        """Whether any published offer answers the need; checked at most once a minute (cards ask it often)."""
        now = self.clock.now()
        cached = self._need_cache.get(need)
        if cached is None or now - cached[0] >= NEEDS_CHECKED_EVERY or now < cached[0]:
            cached = (now, bool(await self.search.need_offers(need)))
            self._need_cache[need] = cached
        return cached[1]

    async def _need_offers(self, need: str) -> list[StoredOffer]:
        ids = await self.search.need_offers(need)
        stored = await self.offers.get_many(ids)
        return [stored[i] for i in ids if i in stored]

    async def _alone(self, who: Who, args: list[str]) -> Reply:
        return await self._need_list(who, "company", "alone.intro", "alone.none")

    async def _childcare(self, who: Who, args: list[str]) -> Reply:
        return await self._need_list(who, "childcare", "childcare.intro", "childcare.none")

    async def _page_action(self, who: Who, args: list[str]) -> Reply:
        """'Meer resultaten': the next cards as new messages; the used button disappears from the old ones."""
        hits = self.pages.get(args[0]) if args else None
        offset = number(args[1]) if len(args) == 2 else None
        if hits is None or offset is None or offset >= len(hits):
            return Reply((Message(self.texts("answer.expired"), self.main_menu()),))
        size = self.settings.search.page_size
        intro = self.texts("answer.page", first=offset + 1, last=min(offset + size, len(hits)), total=len(hits))
        return Reply(tuple(await self._result_page(who, hits, offset, args[0], intro=intro)), spent=True)

    async def _browse_action(self, who: Who, args: list[str]) -> Reply:
        """A topic of the menu as a short list, a page at a time: one line per offer with a button to its card.

        The list's name and offset are in the buttons ("b:week:5"), so its pages work after a restart too.
        Opening a list adds a message; ◀ Vorige and Volgende ▶ turn the page in that same message.
        """
        what = args[0] if args else ""
        offset = number(args[1]) if len(args) == 2 else None
        if what not in BROWSE or len(args) > 2 or (len(args) == 2 and offset is None):
            return self._unknown_button()
        text_key, kind = BROWSE[what]
        hits = await self.search.browse(kind=kind, days=7 if kind is None else None)
        turning = offset is not None
        if not hits:
            text = self.texts("browse.empty", **self._contact_values())
            return Reply((Message(text, self.main_menu()),), replace=turning)
        size = self.settings.search.list_size
        start = min(offset or 0, (len(hits) - 1) // size * size)  # the list may have become shorter
        page = hits[start : start + size]
        stored = await self.offers.get_many([h.offer_id for h in page])
        title = self.texts(text_key)
        if len(hits) > size:
            counter = self.texts("browse.page", first=start + 1, last=start + len(page), total=len(hits))
            title = title + Markup(" ") + counter
        lines: list[Markup] = [title]
        item_buttons: list[tuple[Button, ...]] = []
        for position, hit in enumerate(page, start=start + 1):
            found = stored.get(hit.offer_id)
            if found is None or found.status != "published":
                continue  # withdrawn since the list was made
            lines.append(self._list_item(position, found, hit))
            label = self.texts.label("browse.item_button", number=position, title=found.offer.title)
            item_buttons.append((Button(label[:MAX_BUTTON_LABEL], f"i:{found.pk}"),))
        lines.append(self.texts("browse.hint"))
        paging = []
        if start > 0:
            paging.append(Button(self.texts.label("buttons.previous_page"), f"b:{what}:{max(start - size, 0)}"))
        if start + size < len(hits):
            paging.append(Button(self.texts.label("buttons.next_page"), f"b:{what}:{start + size}"))
        extra = [button for hook in self.browse_buttons for button in await hook(who, what)]
        buttons = (*item_buttons, *rows(paging, extra, [self._menu_button()]))
        return Reply((Message(Markup("\n\n").join(lines), buttons),), replace=turning)

    def _list_item(self, position: int, stored: StoredOffer, hit: Hit) -> Markup:
        """One offer in a browse list: number and title, when, price."""
        offer = stored.offer
        when = None
        if hit.next_start is not None and hit.next_end is not None:
            moment = when_text(hit.next_start, hit.next_end, self.texts, today=self._today())
            when = self.texts("card.when", when=moment)
        elif offer.when is None and offer.kind == "activity":
            when = self.texts("card.always")
        return join_lines(
            [self.texts("browse.item", number=position, title=offer.title), when, price_text(offer, self.texts)]
        )

    def _offer_label(self, stored: StoredOffer) -> str:
        return self.texts.label("browse.offer_button", title=stored.offer.title)[:MAX_BUTTON_LABEL]

    async def _suggestion_action(self, who: Who, args: list[str]) -> Reply:
        suggestion = self.pages.suggestion(args[0]) if args else None
        if suggestion is None:
            return Reply((Message(self.texts("answer.expired"), self.main_menu()),))
        return await self.ask(who, suggestion)

    async def _menu_action(self, who: Who, args: list[str]) -> Reply:
        return await self.menu(who)

    async def _help_action(self, who: Who, args: list[str]) -> Reply:
        return await self.help(who)

    async def _forget_action(self, who: Who, args: list[str]) -> Reply:
        if args == ["y"]:
            await self.people.forget(who.user_id)
            return Reply((Message(self.texts("forget.done")),), replace=True)
        return Reply((Message(self.texts("forget.kept"), self.main_menu()),), replace=True)
