"""The conversation with a person, independent of Telegram: a question or a button in, a Reply out.

Telegram handlers and the terminal chat both drive this class, so both give the same answers.
Button data is built and parsed by bot/chat/actions.py (this module's: "c1:..."); the features that add
buttons (reminders, key figures: ChatExtension) own their prefixes and codecs. Nothing a client sends is
trusted: a forged action for an offer that does not exist gets a polite answer, an unknown or old button
the friendly 'unknown button' and the menu, never an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from markupsafe import Markup

from bot.care.desk import CareDesk
from bot.care.detect import Assessment
from bot.chat import actions
from bot.chat.cards import card, childcare_text, hours_text, period_text, price_text, when_text, where_text
from bot.chat.people import People
from bot.chat.replies import Button, Document, Message, Reply, join_lines, rows
from bot.lang import actions as language_actions
from bot.lang.choice import Languages
from bot.lang.languages import DUTCH, LANGUAGES
from bot.lang.speaking import SpokenTexts, speaking
from bot.offers.agenda import filename_for, ics_for
from bot.offers.availability import proposable
from bot.offers.model import Offer
from bot.offers.store import OfferStore, StoredOffer
from bot.platform.calendar import Clock, Period, is_occurrence, iter_occurrences, local_naive, next_occurrence
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
TRANSPORT_MARGIN = dt.timedelta(hours=3)  # transport 'runs then': on the activity's day, this close to it
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


@dataclass(frozen=True)
class Who:
    """Who is talking: ids to answer them. The first name is only used to greet, never stored; the
    language of their app (Telegram's `language_code`, 'en-GB') only until they have a language of
    their own with the bot (bot/lang/choice.py)."""

    user_id: int
    chat_id: int
    first_name: str | None = None
    language_code: str | None = None


# Button data of a feature (its whole callback data) -> the answer; None: not a valid action of that feature.
ActionHandler = Callable[[Who, str], Awaitable[Reply | None]]


class ChatExtension(Protocol):
    """A feature that adds to the conversation (reminders, key figures), given to it by bot/core.py:
    its own button actions, buttons under offer cards, in the main menu and under a browse list."""

    def action_handlers(self) -> Mapping[str, ActionHandler]:
        """Button action prefix -> the handler of the actions that start with it."""
        ...

    def menu_buttons(self) -> Sequence[Button]:
        """Extra buttons in the main menu."""
        ...

    async def card_buttons(self, who: Who, stored: StoredOffer) -> Sequence[Button]:
        """Extra buttons under an offer's card."""
        ...

    async def browse_buttons(self, who: Who, what: str) -> Sequence[Button]:
        """Extra buttons under a browse list (`what`: its key, like "week")."""
        ...


P = ParamSpec("P")
R = TypeVar("R")


def in_their_language(
    method: Callable[Concatenate[Conversation, Who, P], Awaitable[R]],
) -> Callable[Concatenate[Conversation, Who, P], Awaitable[R]]:
    """An entry point of the conversation that answers in the person's language (bot/lang)."""

    @functools.wraps(method)
    async def answer(self: Conversation, who: Who, /, *args: P.args, **kwargs: P.kwargs) -> R:
        async with self.languages.speaking_to(who):
            return await method(self, who, *args, **kwargs)

    return answer


class QuestionLog(Protocol):
    """Where questions are counted anonymously for the network's report (see bot.insights).

    `who` is only there to compute a keyed hash that rotates every month (distinct people, and which
    question a 'Meer info' press followed); an implementation never stores the user id or the name.
    `text` is the question as typed: the log scrubs it before anything is written.
    Actions: 'info', 'remind' (a new reminder), 'remind_sent', 'remind_blocked', 'remind_late',
    'remind_failed' ('going' and 'not_going' are still accepted, but 'Ik ga' is counted per person by
    the reminder part itself: bot/reminders/answers.py).
    """

    async def record_question(self, result: SearchResult, *, who: Who, text: str, lang: str = DUTCH) -> None: ...

    async def record_care(self, category: str, *, topic: str | None, sent_to: str, who: Who) -> None: ...

    async def record_action(self, action: str, offer_id: str, *, who: Who | None = None) -> None: ...


class TaughtAnswer(Protocol):
    """What coordinators taught made of a search result (see bot.teach.teacher.Taught)."""

    @property
    def result(self) -> SearchResult: ...  # the result to show (a taught offer first, or unchanged)

    @property
    def referral(self) -> str | None: ...  # where to go instead, for a question outside the offer

    @property
    def wish(self) -> object | None: ...  # set when the network knows this offer is missing


class Teaching(Protocol):
    """What coordinators taught the bot from unanswered questions (bot.teach), applied after the search."""

    async def apply(self, question: str, result: SearchResult) -> TaughtAnswer: ...


def _without_children(offer: Offer) -> bool:
    """An activity a parent goes to alone: open to grown-ups, not for children or families."""
    groups = set(offer.audience.groups)
    open_to_grown_ups = not groups or bool(groups & GROWN_UP_GROUPS)
    for_children = bool(groups & CHILD_GROUPS or set(offer.categories) & CHILD_CATEGORIES)
    min_age, max_age = offer.audience.min_age, offer.audience.max_age
    young_parents_welcome = (max_age is None or max_age >= 18) and (min_age is None or min_age < 50)
    return open_to_grown_ups and not for_children and young_parents_welcome


def _covers(helper: Offer, occurrence: tuple[dt.datetime, dt.datetime] | None) -> bool:
    """Whether childcare can be there for the whole activity: always available, or a date that spans it."""
    if helper.when is None:
        return True
    if occurrence is None:
        return False  # an activity without a date: only help that is always there fits
    start, end = occurrence
    for helper_start, helper_end in iter_occurrences(helper.when, after=start - dt.timedelta(minutes=1)):
        if helper_start > start:
            return False
        if helper_end >= end:
            return True
    return False


def _runs_then(helper: Offer, occurrence: tuple[dt.datetime, dt.datetime] | None) -> bool:
    """Whether transport runs then: always, or on the activity's day close to its start or end."""
    if helper.when is None:
        return True
    if occurrence is None:
        return False
    start, end = occurrence
    for helper_start, helper_end in iter_occurrences(helper.when, after=start - TRANSPORT_MARGIN):
        if helper_start > end + TRANSPORT_MARGIN:
            return False
        if helper_start.date() in (start.date(), end.date()) or helper_end.date() in (start.date(), end.date()):
            return True
    return False


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
        care: CareDesk,
        languages: Languages,
        question_log: QuestionLog | None = None,
        extensions: Sequence[ChatExtension] = (),
        teaching: Teaching | None = None,
    ) -> None:
        self.settings = settings
        self.care = care  # the care check before every search (bot.care): required, so no channel can skip it
        self.texts = texts  # SpokenTexts in the bot: each answer in the language of the person it is for
        self.languages = languages  # which language that is (bot/lang/choice.py)
        self.offers = offers
        self.search = search
        self.people = people
        self.clock = clock
        self.question_log = question_log
        self.teaching = teaching
        self.pages = ResultPages()
        self.extensions = tuple(extensions)
        self._menu_buttons: dict[str, tuple[Button, ...]] = {}  # per language: made once each
        self._need_cache: dict[str, tuple[dt.datetime, bool]] = {}
        self._cards: OrderedDict[tuple[object, ...], Markup] = OrderedDict()
        self._actions: dict[str, ActionHandler] = {actions.PREFIX: self._act, language_actions.PREFIX: self._language}
        for extension in self.extensions:
            for prefix, handler in extension.action_handlers().items():
                if prefix in self._actions:
                    raise ValueError(f"action prefix {prefix!r} is taken")
                self._actions[prefix] = handler

    # --- the question log ----------------------------------------------------------------------

    async def record_action(self, action: str, offer_id: str, who: Who | None = None) -> None:
        """Tell the anonymous question log what happened with an offer (reminders call this too)."""
        if self.question_log is not None:
            await self.question_log.record_action(action, offer_id, who=who)

    # --- time -----------------------------------------------------------------------------

    def _today(self) -> dt.date:
        return local_naive(self.clock.now(), self.settings.timezone).date()

    # --- entry points ------------------------------------------------------------------------

    @in_their_language
    async def start(self, who: Who, payload: str | None = None) -> Reply:
        """/start, also with a deep link payload ('offer-<id>' opens that offer's card)."""
        await self.people.seen(who.user_id, who.chat_id)
        link = actions.decode_start(payload)
        if link is not None:
            stored = await self.offers.get(link.offer_id) if link.offer_id else None
            if stored is None and link.pk is not None:  # ids too long for a deep link are shared by number
                stored = await self.offers.get_by_pk(link.pk)
            if stored is not None and stored.status == "published":
                return Reply((await self._card_message(who, stored, full=True),))
        name = who.first_name or self.texts.label("welcome.name_unknown")
        return Reply((Message(self.texts("welcome.text", name=name), self.main_menu(language=True)),))

    @in_their_language
    async def menu(self, who: Who) -> Reply:
        await self.people.seen(who.user_id, who.chat_id)
        return Reply((Message(self.texts("menu.text"), self.main_menu()),))

    @in_their_language
    async def help(self, who: Who) -> Reply:
        await self.people.seen(who.user_id, who.chat_id)
        buttons = rows([self._menu_button(), self._language_button()])
        return Reply((Message(self.texts("help.text", **self._contact_values()), buttons),))

    @in_their_language
    async def languages_menu(self, who: Who) -> Reply:
        """/taal: every language by its own name; the person's own is marked."""
        await self.people.seen(who.user_id, who.chat_id)
        return self._language_chooser()

    def _language_chooser(self) -> Reply:
        current = self.texts.lang
        names = []
        for lang in LANGUAGES:
            own_texts = self._texts_in(lang)
            name = own_texts.label("language.name")
            label = f"✅ {name}" if lang == current else name
            names.append(Button(label, language_actions.encode(language_actions.Choose(lang))))
        buttons = rows(names[:2], names[2:4], names[4:6], names[6:])
        return Reply((Message(self.texts("language.choose"), buttons),))

    def _texts_in(self, lang: str) -> Texts:
        return self.texts.in_language(lang) if isinstance(self.texts, SpokenTexts) else self.texts

    async def _language(self, who: Who, data: str) -> Reply | None:
        """The language buttons: open the chooser, or speak the chosen language from now on."""
        action = language_actions.decode(data)
        match action:
            case language_actions.OpenChooser():
                return self._language_chooser()
            case language_actions.Choose(lang):
                await self.languages.choose(who.user_id, lang)
                with speaking(lang):
                    return Reply((Message(self.texts("language.chosen"), self.main_menu()),), replace=True)
        return None

    @in_their_language
    async def privacy(self, who: Who) -> Reply:
        months = self.settings.privacy.retention_months  # how long anonymous questions are kept (bot.insights)
        text = self.texts("privacy.text", months=months, **self._contact_values())
        return Reply((Message(text, rows([self._menu_button()])),))

    @in_their_language
    async def media(self, who: Who, kind: str) -> Reply:
        """A photo, voice message, sticker, location, file or anything else that is not text: a friendly
        pointer and the menu, so someone who finds typing hard can go on with buttons alone."""
        await self.people.seen(who.user_id, who.chat_id)
        return Reply((Message(self.texts(MEDIA.get(kind, "media.other")), self.main_menu()),))

    @in_their_language
    async def forget(self, who: Who) -> Reply:
        """/vergeet: ask first; the yes-button does the deleting."""
        buttons = rows(self.forget_buttons())
        return Reply((Message(self.texts("forget.confirm"), buttons),))

    async def my_id(self, who: Who) -> Reply:
        """/mijnid: a coordinator needs their Telegram id to put it in config.toml as admin."""
        return Reply((Message(Markup(str(who.user_id))),))

    @in_their_language
    async def stop(self, who: Who) -> Reply:
        await self.people.stop(who.user_id)
        return Reply((Message(self.texts("stop.text")),))

    async def ask(self, who: Who, text: str) -> Reply:
        """A question in the person's own words: up to a page of result cards, or an honest 'nothing'.

        The care check comes first: a person in trouble gets the right help line, and a crisis never
        reaches the search, the 'bedoelde je' or the question log's text (bot.care)."""
        await self.people.seen(who.user_id, who.chat_id)
        lang = await self.languages.for_question(who, text)  # a question clearly in another language switches
        with speaking(lang):
            return await self._ask(who, text, lang)

    async def _ask(self, who: Who, text: str, lang: str) -> Reply:
        assessment = await self.care.assess(text)
        if assessment.category is not None:
            return await self._care_reply(who, text, assessment, lang)
        reply = await self._answer(who, text, lang)
        found = bool(reply.data.get("hits"))
        if self.care.points_to_106(assessment, text, found=found) and reply.messages:
            *first, last = reply.messages
            pointed = Message(last.html + Markup("\n\n") + self.care.pointer(), last.buttons, last.photo)
            reply = Reply((*first, pointed), data=reply.data)
        return reply

    async def _care_reply(self, who: Who, text: str, assessment: Assessment, lang: str) -> Reply:
        """The human answer for a person in trouble; only the category is counted, nothing of the message."""
        if self.question_log is not None:
            await self.question_log.record_care(
                assessment.category or "", topic=assessment.topic, sent_to=self.care.sent_to(assessment), who=who
            )
        message = self.care.message(assessment)
        data: dict[str, object] = {"hits": [], "care": assessment.category}
        if assessment.crisis and not assessment.sure:
            return await self._unsure_crisis(message, text, data, lang)
        if assessment.crisis:
            return Reply((message,), data=data)
        extra: list[tuple[Button, ...]] = []
        if assessment.category == "distress":  # company is leisure too: who goes along, where you are welcome
            company = await self._need_offers("company")
            if company:
                message = Message(join_lines([message.html, self.texts("care.distress.company")]), message.buttons)
                extra = [(Button(self._offer_label(s), actions.encode(actions.Info(s.pk))),) for s in company[:5]]
        result = await self._proposable(await self.search.search(self.care.searched(text, assessment), lang=lang))
        cards: list[Message] = []
        if result.hits:
            token = self.pages.keep(result.hits)
            intro = join_lines([self.texts("care.money.also_found"), self._offers_in_dutch()])
            cards = await self._result_page(who, result.hits, 0, token, intro=intro)
            data["hits"] = [h.offer_id for h in result.hits]
        buttons = (*message.buttons, *extra) if cards else (*message.buttons, *extra, (self._menu_button(),))
        return Reply((Message(message.html, buttons), *cards), data=data)

    async def _unsure_crisis(self, message: Message, text: str, data: dict[str, object], lang: str) -> Reply:
        """Only the model saw a crisis: the help lines first, and one tap away the leisure answer for who
        asked about leisure after all. The offers are not shown unasked; nothing is logged of the message."""
        result = await self._proposable(await self.search.search(text, lang=lang))
        if not result.hits:
            return Reply((message,), data=data)
        token = self.pages.keep(result.hits)
        button = Button(self.texts.label("care.buttons.unsure"), actions.encode(actions.Page(token, 0)))
        html = join_lines([message.html, Markup("\n") + self.texts("care.unsure")])
        return Reply((Message(html, (*message.buttons, (button,))),), data=data)

    async def _answer(self, who: Who, text: str, lang: str = DUTCH) -> Reply:
        result = await self._proposable(await self.search.search(text, lang=lang))
        # What coordinators taught (bot/teach) comes after the care check and the search: a question worded
        # like a taught one finds the linked offer, a referral or a note that the network knows it is missing.
        taught = await self.teaching.apply(text, result) if self.teaching is not None else None
        if taught is not None:
            result = await self._proposable(taught.result)
        if self.question_log is not None:
            await self.question_log.record_question(result, who=who, text=text, lang=lang)
        notes: list[Markup] = []
        if len(text) > MAX_QUESTION_CHARS:
            notes.append(self.texts("answer.question_too_long"))
        asked = result
        if not result.hits:
            if taught is not None and taught.referral:
                return self.referral(taught.referral, notes)
            later = await self.search.later(text, result, lang=lang)
            later = None if later is None else await self._proposable(later)
            if later is None or not later.hits:
                if taught is not None and taught.wish is not None:
                    notes.append(self.texts("teach.wish_known"))
                return self.nothing(result, notes)
            result = later
        token = self.pages.keep(result.hits)
        hits = result.hits
        page_size = self.settings.search.page_size
        if result is not asked:
            assert asked.query.period is not None  # `later` only answers a question about a period
            intro = self.texts("answer.found_later", period=self._period(asked.query.period))
        elif result.later_than is not None:  # only a time was asked, and nothing is on then
            intro = self.texts("answer.found_later", period=self._period(result.later_than))
        elif result.query.period is not None and not result.query.content_concepts:
            intro = self.texts("answer.found_period", period=self._period(result.query.period))
        elif len(hits) > page_size:
            intro = self.texts("answer.found_many", shown=page_size, total=len(hits))
        else:
            intro = self.texts("answer.found_one")
        if result.query.corrections and lang == DUTCH:  # a glossed question's words are not the person's
            intro = join_lines(
                [intro, self.texts("answer.searched_for", words=" ".join(result.query.corrections.values()))]
            )
        intro = join_lines([*notes, intro, self._offers_in_dutch()])
        messages = await self._result_page(who, hits, 0, token, intro=intro)
        return Reply(tuple(messages), data={"hits": [h.offer_id for h in hits]})

    def forget_buttons(self) -> list[Button]:
        """/vergeet's yes and no (key figures get the same question with more words)."""
        label = self.texts.label
        return [
            Button(label("buttons.forget_yes"), actions.encode(actions.Forget(yes=True))),
            Button(label("buttons.forget_no"), actions.encode(actions.Forget(yes=False))),
        ]

    @in_their_language
    async def act(self, who: Who, data: str) -> Reply:
        """A button press. Unknown, old or malformed button data gets the menu, never an exception."""
        await self.people.seen(who.user_id, who.chat_id)
        prefix = actions.prefix_of(data)
        handler = self._actions.get(prefix)
        reply = await handler(who, data) if handler is not None else None
        if reply is None:
            log.info("unknown button action %r", prefix[:20])
            return self._unknown_button()
        return reply

    async def _act(self, who: Who, data: str) -> Reply | None:
        action = actions.decode(data)
        match action:
            case actions.Info(pk):
                return await self._info(who, pk)
            case actions.Route(pk, on):
                return await self._route(who, pk, on)
            case actions.Alone():
                return await self._need_list(who, "company", "alone.intro", "alone.none")
            case actions.Childcare(pk, on):
                return await self._childcare(who, pk, on)
            case actions.Agenda(pk, on):
                return await self._agenda(who, pk, on)
            case actions.Page(token, offset):
                return await self._page_action(who, token, offset)
            case actions.Browse(what, offset):
                return await self._browse_action(who, what, offset)
            case actions.Suggestion(token):
                return await self._suggestion_action(who, token)
            case actions.Menu():
                return await self.menu(who)
            case actions.Help():
                return await self.help(who)
            case actions.Forget(yes):
                return await self._forget_action(who, yes)
        return None

    def _unknown_button(self) -> Reply:
        """A button the bot does not know (an old version's, or forged): say so kindly and show the menu."""
        return Reply(
            (Message(self.texts("menu.text"), self.main_menu()),), notice=self.texts.label("answer.unknown_button")
        )

    # --- building replies --------------------------------------------------------------------

    def _local_now(self) -> dt.datetime:
        return local_naive(self.clock.now(), self.settings.timezone)

    async def _open_hits(self, hits: Sequence[Hit]) -> list[Hit]:
        """The hits a person can still go to: past a registration deadline, full or postponed is not proposed."""
        stored = await self.offers.get_many([h.offer_id for h in hits])
        now = self._local_now()
        return [h for h in hits if h.offer_id not in stored or proposable(stored[h.offer_id].offer, now)]

    async def _proposable(self, result: SearchResult) -> SearchResult:
        hits = await self._open_hits(result.hits)
        if len(hits) == len(result.hits):
            return result
        return dataclasses.replace(result, hits=tuple(hits), reason=result.reason if hits else "no_match")

    @property
    def menu_buttons(self) -> tuple[Button, ...]:
        """The extensions' buttons in the main menu, in the current language (made once per language)."""
        lang = self.texts.lang
        if lang not in self._menu_buttons:
            self._menu_buttons[lang] = tuple(b for e in self.extensions for b in e.menu_buttons())
        return self._menu_buttons[lang]

    def main_menu(self, *, language: bool = False) -> tuple[tuple[Button, ...], ...]:
        """The topics, the extensions' buttons and help; `language`: the language button beside help (/start)."""
        label = self.texts.label

        def browse(key: str, what: str) -> Button:
            return Button(label(key), actions.encode(actions.Browse(what)))

        return rows(
            [browse("buttons.activities", "act"), browse("buttons.discounts", "disc")],
            [browse("buttons.transport", "tran"), browse("buttons.support", "supp")],
            [browse("buttons.week", "week"), *self.menu_buttons],
            [Button(label("buttons.help"), actions.encode(actions.Help())), *([self._language_button()] * language)],
        )

    def _menu_button(self) -> Button:
        return Button(self.texts.label("buttons.menu"), actions.encode(actions.Menu()))

    def _language_button(self) -> Button:
        return Button(self.texts.label("buttons.language"), language_actions.encode(language_actions.OpenChooser()))

    def _offers_in_dutch(self) -> Markup | None:
        """'The details of the activity are in Dutch': once per answer, for a person who reads another language."""
        return None if self.texts.lang == DUTCH else self.texts("answer.offer_in_dutch")

    def _period(self, period: Period) -> Markup:
        return period_text(period, self.texts, today=self._today())

    def _contact_values(self) -> dict[str, str]:
        c = self.settings.contact
        # The coordinator's own words in Dutch; in another language the same hours from `[contact] open`.
        hours = c.hours if self.texts.lang == DUTCH or c.open.always else hours_text(c.open, self.texts)
        return {"name": c.name, "phone": c.phone, "email": c.email, "hours": hours, "address": c.address}

    def nothing(self, result: SearchResult, notes: Sequence[Markup] = ()) -> Reply:
        """The honest 'nothing found': why, a suggestion when there is one, the topics, and whom to call."""
        texts = self.texts
        key = {"empty": "nothing.empty", "out_of_scope": "nothing.out_of_scope"}.get(
            result.reason or "", "nothing.text"
        )
        parts: list[Markup | None] = [*notes, texts(key)]
        suggestion_row: list[Button] = []
        if result.suggestion and texts.lang == DUTCH:  # never a Dutch word for a question in another language
            parts.append(texts("nothing.did_you_mean", suggestion=result.suggestion))
            token = self.pages.keep_suggestion(result.suggestion)
            label = texts.label("buttons.did_you_mean", suggestion=result.suggestion)
            suggestion_row.append(Button(label[:MAX_BUTTON_LABEL], actions.encode(actions.Suggestion(token))))
        parts.append(texts("nothing.contact", **self._contact_values()))
        parts.append(self.care.closed_note())  # outside office hours: when the Sociaal Huis opens again
        buttons = rows(suggestion_row, *self.main_menu())
        return Reply((Message(Markup("\n\n").join(p for p in parts if p), buttons),), data={"hits": []})

    def referral(self, referral: str, notes: Sequence[Markup] = ()) -> Reply:
        """A question outside the offer that a coordinator taught a referral for: where to go instead."""
        parts = [*notes, self.texts("teach.referral", referral=referral)]
        parts.append(self.texts("nothing.contact", **self._contact_values()))
        return Reply((Message(Markup("\n\n").join(parts), self.main_menu()),), data={"hits": [], "referral": True})

    async def _offer_buttons(
        self, who: Who, stored: StoredOffer, *, full: bool, start: dt.datetime | None = None
    ) -> tuple[tuple[Button, ...], ...]:
        """The buttons under a card; `start` is the date the card shows (the agenda, childcare and transport
        buttons carry it, so their answers fit that date)."""
        offer = stored.offer
        label = self.texts.label
        first = [] if full else [Button(label("buttons.info"), actions.encode(actions.Info(stored.pk)))]
        for extension in self.extensions:
            first.extend(await extension.card_buttons(who, stored))
        second = []
        if offer.location is not None or offer.transport:
            second.append(Button(label("buttons.route"), actions.encode(actions.Route(stored.pk, start))))
        if offer.kind == "activity" and start is not None:
            second.append(Button(label("buttons.agenda"), actions.encode(actions.Agenda(stored.pk, start))))
        third = []
        if offer.kind == "activity":
            third.append(Button(label("buttons.alone"), actions.encode(actions.Alone(stored.pk))))
        if (
            offer.kind == "activity"
            and _without_children(offer)
            and (offer.childcare is not None or await self._has_need_offers("childcare"))
        ):
            third.append(Button(label("buttons.childcare"), actions.encode(actions.Childcare(stored.pk, start))))
        url_row = [Button(label("buttons.website"), url=offer.contact.url)] if full and offer.contact.url else []
        menu_row = [self._menu_button()] if full else []  # a card on its own; in lists the list has the menu
        return rows(first, second, third, url_row, menu_row)

    def _card_body(
        self, stored: StoredOffer, next_start: dt.datetime | None, next_end: dt.datetime | None, *, full: bool
    ) -> Markup:
        """The card's text, made once per offer version, date shown and day: the same cards are shown again
        and again, and building one was a good part of answering a question (bench/e2e.py)."""
        today = self._today()
        key = (stored.pk, stored.updated_at, stored.status, next_start, next_end, today, full, self.texts.lang)
        body = self._cards.get(key)
        if body is None:
            cancelled = stored.status == "cancelled"
            body = card(
                stored.offer,
                self.texts,
                next_start=next_start,
                next_end=next_end,
                today=today,
                full=full,
                cancelled=cancelled,
            )
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
        if full and intro is None:  # the card on its own, with the offer's description: say once it is Dutch
            intro = self._offers_in_dutch()
        if intro:
            body = intro + Markup("\n\n") + body
        if stored.status == "published":
            buttons = await self._offer_buttons(who, stored, full=full, start=next_start)
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
            more = actions.encode(actions.Page(token, offset + size))
            extra.append(Button(self.texts.label("buttons.more"), more))
        extra.append(self._menu_button())
        messages[-1] = Message(last.html, (*last.buttons, tuple(extra)), last.photo)
        return messages

    # --- actions ------------------------------------------------------------------------------

    def _gone(self) -> Reply:
        return Reply((Message(self.texts("offer.gone"), self.main_menu()),))

    async def _info(self, who: Who, pk: int) -> Reply:
        stored = await self.offers.get_by_pk(pk)
        if stored is None or stored.status not in ("published", "cancelled"):
            return self._gone()
        await self.record_action("info", stored.offer.id, who)
        return Reply((await self._card_message(who, stored, full=True),))

    async def _route(self, who: Who, pk: int, on: dt.datetime | None) -> Reply:
        """'Hoe geraak ik er?': where, the offer's own transport note, and transport that runs on the card's date."""
        stored = await self.offers.get_by_pk(pk)
        if stored is None or stored.status != "published":
            return self._gone()
        offer = stored.offer
        lines: list[Markup | None] = [
            self.texts("transport.intro", title=offer.title),
            where_text(offer, self.texts),
            self.texts("card.transport", transport=offer.transport) if offer.transport else None,
        ]
        occurrence = self._occurrence(stored, on)
        helpers = [h for h in await self._need_offers("transport") if h.pk != stored.pk]
        fitting = [h for h in helpers if _runs_then(h.offer, occurrence)]
        buttons = [(Button(self._offer_label(s), actions.encode(actions.Info(s.pk))),) for s in fitting][:5]
        if buttons and occurrence is not None:
            when = when_text(*occurrence, self.texts, today=self._today())
            lines.append(self.texts("transport.offers_on", when=when))
        elif buttons:
            lines.append(self.texts("transport.offers"))
        return Reply((Message(join_lines(lines), (*buttons, (self._menu_button(),))),))

    def _occurrence(self, stored: StoredOffer, start: dt.datetime | None) -> tuple[dt.datetime, dt.datetime] | None:
        """The date a button asked about, when it is a real date of the offer; else the next one (or None)."""
        when = stored.offer.when
        if when is None:
            return None
        if start is not None and is_occurrence(when, start):
            return next(o for o in iter_occurrences(when, after=start - dt.timedelta(minutes=1)) if o[0] == start)
        return next_occurrence(when, self._local_now())

    async def _agenda(self, who: Who, pk: int, on: dt.datetime) -> Reply:
        """'Zet in mijn agenda': the card's date as an .ics file."""
        stored = await self.offers.get_by_pk(pk)
        if stored is None or stored.status != "published":
            return self._gone()
        occurrence = self._occurrence(stored, on)
        if occurrence is None or occurrence[1] <= self._local_now():
            return Reply((Message(self.texts("agenda.none"), rows([self._menu_button()])),))
        start, end = occurrence
        data = ics_for(stored.offer, start, end, tz=self.settings.timezone, now=self.clock.now())
        text = self.texts(
            "agenda.sent", title=stored.offer.title, when=when_text(start, end, self.texts, today=self._today())
        )
        document = Document(filename_for(stored.offer, start), data)
        return Reply((Message(text, document=document),))

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
        now = self._local_now()
        return [stored[i] for i in ids if i in stored and proposable(stored[i].offer, now)]

    async def _childcare(self, who: Who, pk: int, on: dt.datetime | None) -> Reply:
        """'Wie past op de kinderen?': childcare at the activity itself, and the help that covers its date
        (the babysitting that can come then, not the next holiday camp)."""
        stored = await self.offers.get_by_pk(pk)
        if stored is None:
            return await self._need_list(who, "childcare", "childcare.intro", "childcare.none")
        if stored.status != "published":
            return self._gone()
        occurrence = self._occurrence(stored, on)
        helpers = await self._need_offers("childcare")
        # someone or somewhere that minds the children: a reduction on camps is no help on the day itself
        fitting = [
            h for h in helpers if h.pk != stored.pk and h.offer.kind != "discount" and _covers(h.offer, occurrence)
        ]
        fitting.sort(key=lambda h: h.offer.when is not None)  # help that is always there (a babysitter) first
        when = None if occurrence is None else when_text(*occurrence, self.texts, today=self._today())
        messages: list[Message] = []
        if stored.offer.childcare is not None:
            at = self.texts("childcare.at_activity", title=stored.offer.title)
            messages.append(Message(join_lines([at, childcare_text(stored.offer, self.texts)])))
        for i, helper in enumerate(fitting[:3]):
            intro = None
            if i == 0:
                intro = self.texts("childcare.intro_on", when=when) if when else self.texts("childcare.intro")
            messages.append(await self._card_message(who, helper, intro=intro))
        if not messages:
            if when:
                text = self.texts("childcare.none_on", when=when, **self._contact_values())
            else:
                text = self.texts("childcare.none", **self._contact_values())
            return Reply((Message(text, rows([self._menu_button()])),))
        last = messages[-1]
        messages[-1] = Message(last.html, (*last.buttons, (self._menu_button(),)), last.photo)
        return Reply(tuple(messages))

    async def _page_action(self, who: Who, token: str, offset: int) -> Reply:
        """'Meer resultaten': the next cards as new messages; the used button disappears from the old ones."""
        hits = self.pages.get(token)
        if hits is None or offset >= len(hits):
            return Reply((Message(self.texts("answer.expired"), self.main_menu()),))
        size = self.settings.search.page_size
        intro = self.texts("answer.page", first=offset + 1, last=min(offset + size, len(hits)), total=len(hits))
        return Reply(tuple(await self._result_page(who, hits, offset, token, intro=intro)), spent=True)

    async def _browse_action(self, who: Who, what: str, offset: int | None) -> Reply:
        """A topic of the menu as a short list, a page at a time: one line per offer with a button to its card.

        The list's name and offset are in the buttons ("c1:b:week:5"), so its pages work after a restart too.
        Opening a list adds a message; ◀ Vorige and Volgende ▶ turn the page in that same message.
        """
        if what not in BROWSE:
            return self._unknown_button()
        text_key, kind = BROWSE[what]
        hits = await self._open_hits(await self.search.browse(kind=kind, days=7 if kind is None else None))
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
        in_dutch = self._offers_in_dutch()
        if in_dutch is not None:
            lines.append(in_dutch)
        item_buttons: list[tuple[Button, ...]] = []
        for position, hit in enumerate(page, start=start + 1):
            found = stored.get(hit.offer_id)
            if found is None or found.status != "published":
                continue  # withdrawn since the list was made
            lines.append(self._list_item(position, found, hit))
            label = self.texts.label("browse.item_button", number=position, title=found.offer.title)
            item_buttons.append((Button(label[:MAX_BUTTON_LABEL], actions.encode(actions.Info(found.pk))),))
        lines.append(self.texts("browse.hint"))
        paging = []
        if start > 0:
            previous = actions.encode(actions.Browse(what, max(start - size, 0)))
            paging.append(Button(self.texts.label("buttons.previous_page"), previous))
        if start + size < len(hits):
            following = actions.encode(actions.Browse(what, start + size))
            paging.append(Button(self.texts.label("buttons.next_page"), following))
        extra = [button for e in self.extensions for button in await e.browse_buttons(who, what)]
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

    async def _suggestion_action(self, who: Who, token: str) -> Reply:
        suggestion = self.pages.suggestion(token)
        if suggestion is None:
            return Reply((Message(self.texts("answer.expired"), self.main_menu()),))
        return await self.ask(who, suggestion)

    async def _forget_action(self, who: Who, yes: bool) -> Reply:
        if yes:
            await self.people.forget(who.user_id)
            return Reply((Message(self.texts("forget.done")),), replace=True)
        return Reply((Message(self.texts("forget.kept"), self.main_menu()),), replace=True)
