"""Reminders in the conversation: the buttons and screens, and the messages the outbox sends.

Button data is built and parsed by bot/reminders/actions.py only (all checked, never trusted: a forged
action gets a polite answer, an unknown one the conversation's 'unknown button').
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from markupsafe import Markup

from bot.chat import actions as chat_actions
from bot.chat.cards import date_text, price_text, repeat_text, when_text, where_text
from bot.chat.conversation import ActionHandler, QuestionLog, Who
from bot.chat.replies import Button, Message, Reply, join_lines, rows
from bot.offers.store import OfferStore, StoredOffer
from bot.platform.calendar import Clock, local_naive
from bot.platform.config import Settings
from bot.platform.texts import Texts
from bot.reminders import actions
from bot.reminders.kinds import CANCELLED, DAY_BEFORE, MOVED, REMINDER_KINDS, WEEKLY
from bot.reminders.outbox import OutboxRow, Planned, parse_occurrence
from bot.reminders.subscriptions import WEEKLY_TOPICS, NotRemindable, Reminders

WHEN_CHOICES = {"d": (True, False), "h": (False, True), "b": (True, True)}
MAX_LISTED = 20  # reminders shown in "Mijn herinneringen" (Telegram allows 100 buttons)
WEEKLY_MAX_ITEMS = 15
WEEKLY_MAX_BUTTONS = 6
# Outcomes of reminder messages -> the actions the anonymous question log counts (bot.insights).
OUTCOME_ACTIONS = {"sent": "remind_sent", "dropped:blocked": "remind_blocked", "dropped:too_late": "remind_late"}


class ReminderChat:
    """The reminders' part of the conversation (a ChatExtension: bot/core.py gives it to the Conversation):
    its actions, a button under dated activity cards, one in the menu and one under 'Deze week'."""

    def __init__(
        self,
        *,
        settings: Settings,
        texts: Texts,
        offers: OfferStore,
        reminders: Reminders,
        clock: Clock,
        question_log: QuestionLog | None = None,
    ) -> None:
        self.settings = settings
        self.texts = texts
        self.offers = offers
        self.reminders = reminders
        self.clock = clock
        self.question_log = question_log
        self.tz = settings.timezone
        self._offer_ids: dict[int, str] = {}  # offer pk -> id, for reporting outcomes without a lookup

    def action_handlers(self) -> dict[str, ActionHandler]:
        return {actions.PREFIX: self.act}

    def menu_buttons(self) -> list[Button]:
        return [self._my_reminders_button()]

    async def act(self, who: Who, data: str) -> Reply | None:
        """A button of ours; None when the data is not a valid action (the conversation says so kindly)."""
        action = actions.decode(data)
        match action:
            case actions.Remind():
                return await self._choose(who, action)
            case actions.MyReminders():
                return await self.my_reminders(who)
            case actions.StopSubscription(subscription_id):
                stopped = await self.reminders.unsubscribe(who.user_id, subscription_id=subscription_id)
                reply = await self.my_reminders(who, replace=True)
                label = self.texts.label
                notice = label("reminders.stopped") if stopped else label("reminders.already_stopped")
                return Reply(reply.messages, replace=True, notice=notice)
            case actions.StopOffer(pk):
                return await self._stop_offer(who, pk)
            case actions.Answer(pk, occurrence, going):
                return await self._answer(who, pk, occurrence, going=going)
            case actions.Weekly():
                return await self.weekly_action(who, action)
        return None

    # --- small helpers -------------------------------------------------------------------------

    def _today(self) -> dt.date:
        return local_naive(self.clock.now(), self.tz).date()

    def _menu(self) -> Button:
        return Button(self.texts.label("buttons.menu"), chat_actions.encode(chat_actions.Menu()))

    def _my_reminders_button(self) -> Button:
        return Button(self.texts.label("buttons.reminders"), actions.encode(actions.MyReminders()))

    def _weekly_button(self) -> Button:
        return Button(self.texts.label("reminders.buttons.weekly"), actions.encode(actions.Weekly()))

    def _gone(self) -> Reply:
        return Reply((Message(self.texts("offer.gone"), rows([self._menu()])),))

    def _when(self, stored: StoredOffer, start: dt.datetime) -> Markup:
        assert stored.offer.when is not None
        end = start + stored.offer.when.duration
        return when_text(start, end, self.texts, today=self._today())

    def _moment(self, at: dt.datetime) -> tuple[Markup, str]:
        local = local_naive(at, self.tz)
        return date_text(local.date(), self.texts, today=self._today()), f"{local:%H:%M}"

    def _time_lines(self, planned: Sequence[Planned]) -> Markup:
        return join_lines(
            self.texts("reminders.time_line", date=date, time=time)
            for date, time in (self._moment(p.at) for p in sorted(planned, key=lambda p: p.at))
        )

    def _topics_label(self, topics: frozenset[str]) -> str:
        if not topics:
            return self.texts.label("reminders.topics_all")
        names = [self.texts.label(f"reminders.topics.{key}") for key in WEEKLY_TOPICS if key in topics]
        return self.texts.label("reminders.topics_separator").join(names)

    def _weekly_when(self) -> dict[str, str]:
        r = self.settings.reminders
        return {
            "weekday": self.texts.items("calendar.weekdays")[r.weekly_weekday],
            "time": f"{r.weekly_at:%H:%M}",
        }

    async def _stored(self, pk: int) -> StoredOffer | None:
        return await self.offers.get_by_pk(pk)

    # --- hooks ---------------------------------------------------------------------------------

    async def card_buttons(self, who: Who, stored: StoredOffer) -> list[Button]:
        if not self.reminders.remindable(stored):
            return []
        subscribed = await self.reminders.subscription(who.user_id, stored.pk) is not None
        label = self.texts.label
        text = label("reminders.buttons.remind_on") if subscribed else label("buttons.remind")
        return [Button(text, actions.encode(actions.Remind(stored.pk)))]

    async def browse_buttons(self, who: Who, what: str) -> list[Button]:
        """Under 'Deze week': get this every week."""
        if what != "week" or await self.reminders.weekly_topics(who.user_id) is not None:
            return []
        return [Button(self.texts.label("reminders.buttons.week_opt_in"), actions.encode(actions.Weekly()))]

    # --- "Herinner mij" --------------------------------------------------------------------------

    async def _choose(self, who: Who, action: actions.Remind) -> Reply:
        stored = await self._stored(action.pk)
        if stored is None or stored.status != "published":
            return self._gone()
        if not self.reminders.remindable(stored):
            return Reply((Message(self.texts("reminders.not_possible"), rows([self._menu()])),))
        label = self.texts.label
        start = self.reminders.next_start(stored)
        assert start is not None and stored.offer.when is not None
        if action.when is None:
            r = self.settings.reminders
            existing = await self.reminders.subscription(who.user_id, stored.pk)
            text = self.texts("reminders.choose", title=stored.offer.title, when=self._when(stored, start))
            if existing:
                text = join_lines([text, self.texts("reminders.choose_again")])
            choose = [
                (label("reminders.buttons.day_before", time=f"{r.day_before_at:%H:%M}"), "d"),
                (label("reminders.buttons.hours_before", hours=r.hours_before), "h"),
                (label("reminders.buttons.both"), "b"),
            ]
            choices = [[Button(text, actions.encode(actions.Remind(stored.pk, when)))] for text, when in choose]
            if existing:
                choices.append(
                    [Button(label("reminders.buttons.stop_offer"), actions.encode(actions.StopOffer(stored.pk)))]
                )
            return Reply((Message(text, rows(*choices, [self._menu()])),))
        choice = WHEN_CHOICES[action.when]
        recurring = bool(stored.offer.when.rrule)
        if action.repeat is None and recurring:
            text = self.texts(
                "reminders.choose_repeat",
                title=stored.offer.title,
                repeat=repeat_text(stored.offer.when.rrule or "", self.texts, today=self._today()),
                date=date_text(start.date(), self.texts, today=self._today()),
            )
            buttons = rows(
                [Button(label("reminders.buttons.once"), actions.encode(actions.Remind(stored.pk, action.when, "1")))],
                [Button(label("reminders.buttons.every"), actions.encode(actions.Remind(stored.pk, action.when, "e")))],
                [self._menu()],
            )
            return Reply((Message(text, buttons),), replace=True)
        every = action.repeat == "e"
        try:
            result = await self.reminders.subscribe(
                who.user_id, stored.pk, day_before=choice[0], hours_before=choice[1], every_time=every
            )
        except NotRemindable:
            return Reply((Message(self.texts("reminders.not_possible"), rows([self._menu()])),), replace=True)
        title = stored.offer.title
        if result.subscription is not None and result.new:  # people who asked, not presses: a change is not counted
            await self._record("remind", stored.offer.id, who)
        if result.subscription is None:
            text = self.texts("reminders.too_soon")
        elif result.subscription.every_time and result.planned:
            text = self.texts("reminders.saved_every", title=title, times=self._time_lines(result.planned))
        elif result.subscription.every_time:
            text = self.texts("reminders.saved_every_later", title=title)
        else:
            text = self.texts("reminders.saved", title=title, times=self._time_lines(result.planned))
        if result.subscription is not None:
            text = join_lines([text, self.texts("reminders.stop_hint")])
        buttons = rows([self._my_reminders_button(), self._menu()])
        return Reply((Message(text, buttons),), replace=True)

    async def _stop_offer(self, who: Who, pk: int) -> Reply:
        stored = await self._stored(pk)
        if stored is None:
            return self._gone()
        stopped = await self.reminders.unsubscribe(who.user_id, offer_pk=stored.pk)
        if not stopped:
            return Reply(notice=self.texts.label("reminders.already_stopped"))
        text = self.texts("reminders.stopped_offer", title=stored.offer.title)
        return Reply((Message(text, rows([self._my_reminders_button(), self._menu()])),))

    async def _answer(self, who: Who, pk: int, start: dt.datetime, *, going: bool) -> Reply:
        stored = await self._stored(pk)
        if stored is None or not self.reminders.is_occurrence(stored, start):
            return self._gone()
        assert stored.offer.when is not None  # is_occurrence: a dated offer
        if start + stored.offer.when.duration < local_naive(self.clock.now(), self.tz):
            return Reply(notice=self.texts.label("reminders.answer_expired"))
        label = self.texts.label
        if not await self.reminders.answer(who.user_id, stored, start, going=going):
            return Reply(notice=label("reminders.answer_not_yours"))
        # Counted in the answers themselves, one per person and date: not as presses in the question log.
        return Reply(notice=label("reminders.going") if going else label("reminders.not_going"))

    async def my_reminders(self, who: Who, *, replace: bool = False) -> Reply:
        """'Mijn herinneringen': everything planned, each with a stop button, and the weekly overview."""
        texts, label = self.texts, self.texts.label
        subs = await self.reminders.subscriptions(who.user_id)
        planned = await self.reminders.outbox.planned_for(who.user_id)
        weekly = await self.reminders.weekly_topics(who.user_id)
        lines: list[Markup | None] = [texts("reminders.list_title")]
        buttons: list[list[Button]] = []
        if not subs:
            lines.append(texts("reminders.list_empty"))
        for sub, stored in subs[:MAX_LISTED]:
            start = self.reminders.person_next(sub, stored)
            when = self._when(stored, start) if start is not None else texts("card.cancelled")
            lines.append(texts("reminders.list_item", title=stored.offer.title, when=when))
            nxt = next((p for p in planned if p.offer_pk == sub.offer_pk and p.kind != WEEKLY), None)
            if nxt is not None:
                date, time = self._moment(nxt.due_at)
                lines.append(texts("reminders.list_next", date=date, time=time))
            if sub.every_time:
                lines.append(texts("reminders.list_every"))
            stop = actions.encode(actions.StopSubscription(sub.id))
            buttons.append([Button(label("reminders.buttons.cancel_item", title=stored.offer.title)[:60], stop)])
        lines.append(Markup(""))
        if weekly is not None:
            lines.append(texts("reminders.list_weekly_on", topics=self._topics_label(weekly), **self._weekly_when()))
        else:
            lines.append(texts("reminders.list_weekly_off"))
        if subs:
            lines.append(texts("reminders.list_hint"))
        buttons.append([self._weekly_button()])
        buttons.append([self._menu()])
        return Reply((Message(_lines(lines), rows(*buttons)),), replace=replace)

    # --- weekly overview -----------------------------------------------------------------------

    async def weekly_action(self, who: Who, action: actions.Weekly) -> Reply:
        verb = action.change
        if verb == "on":
            at = await self.reminders.weekly_subscribe(who.user_id)
            date, time = self._moment(at)
            reply = await self.weekly_screen(who, replace=True)
            return Reply(
                reply.messages, replace=True, notice=self.texts.label("reminders.weekly_started", date=date, time=time)
            )
        if verb == "off":
            await self.reminders.weekly_unsubscribe(who.user_id)
            buttons = rows([self._weekly_button(), self._menu()])
            return Reply((Message(self.texts("reminders.weekly_stopped"), buttons),), replace=True)
        if verb == "t" and action.topic in WEEKLY_TOPICS:
            topics = await self.reminders.weekly_topics(who.user_id)
            if topics is not None:
                await self.reminders.weekly_subscribe(who.user_id, topics ^ {action.topic})
            return await self.weekly_screen(who, replace=True)
        return await self.weekly_screen(who)

    async def weekly_command(self, who: Who) -> Reply:
        """/weekoverzicht."""
        await self.reminders.people.seen(who.user_id, who.chat_id)
        return await self.weekly_screen(who)

    async def weekly_screen(self, who: Who, *, replace: bool = False) -> Reply:
        """/weekoverzicht: opt in, or choose topics and stop."""
        label = self.texts.label
        topics = await self.reminders.weekly_topics(who.user_id)
        if topics is None:
            text = self.texts("reminders.weekly_offer", **self._weekly_when())
            yes = actions.encode(actions.Weekly("on"))
            buttons = rows([Button(label("reminders.buttons.weekly_yes"), yes)], [self._menu()])
            return Reply((Message(text, buttons),), replace=replace)
        text = self.texts("reminders.weekly_on", topics=self._topics_label(topics), **self._weekly_when())
        toggles = [
            Button(
                label("reminders.buttons.topic_on", topic=label(f"reminders.topics.{key}"))
                if key in topics
                else label("reminders.buttons.topic_off", topic=label(f"reminders.topics.{key}")),
                actions.encode(actions.Weekly("t", key)),
            )
            for key in WEEKLY_TOPICS
        ]
        pairs = [toggles[i : i + 2] for i in range(0, len(toggles), 2)]
        stop = actions.encode(actions.Weekly("off"))
        buttons = rows(*pairs, [Button(label("reminders.buttons.weekly_stop"), stop)], [self._menu()])
        return Reply((Message(text, buttons),), replace=replace)

    # --- counting for the network's report (anonymous, per offer) ---------------------------------

    async def _record(self, action: str, offer_id: str, who: Who | None = None) -> None:
        if self.question_log is not None:
            await self.question_log.record_action(action, offer_id, who=who)

    async def report_outcome(self, row: OutboxRow, outcome: str) -> None:
        """What became of a reminder, per offer (the dispatcher's `on_outcome`); the weekly overview and
        notices are not reminders and are only in the daily counts."""
        if row.kind not in REMINDER_KINDS or row.offer_pk is None:
            return
        action = OUTCOME_ACTIONS.get(outcome) or (
            "remind_failed" if outcome.startswith("failed:") else "remind_dropped"
        )
        offer_id = self._offer_ids.get(row.offer_pk)
        if offer_id is None:
            stored = await self.offers.get_by_pk(row.offer_pk)
            if stored is None:
                return
            offer_id = stored.offer.id
        await self._record(action, offer_id)

    # --- the messages the outbox sends -----------------------------------------------------------

    async def render(self, row: OutboxRow, now: dt.datetime) -> Message | None:
        """The message for an outbox row, from the offer as it is now; None: nothing to send any more."""
        if row.kind == WEEKLY:
            return await self._weekly_message(row)
        stored = await self.offers.get_by_pk(row.offer_pk) if row.offer_pk is not None else None
        if stored is None:
            return None
        self._offer_ids[stored.pk] = stored.offer.id
        start = parse_occurrence(row.occurrence)
        if row.kind == CANCELLED:
            when = self._when_or_date(stored, start)
            if stored.offer.availability == "postponed":  # the source says a new date will come
                text = self.texts("reminders.postponed", title=stored.offer.title, when=when)
            else:
                text = self.texts("reminders.cancelled", title=stored.offer.title, when=when)
            return Message(text, rows([self._menu()]))
        if stored.status != "published" or not self.reminders.is_occurrence(stored, start):
            return None
        if row.kind == MOVED:
            text = self.texts("reminders.moved", title=stored.offer.title, when=self._when(stored, start))
            buttons = rows(
                [Button(self.texts.label("buttons.info"), chat_actions.encode(chat_actions.Info(stored.pk)))],
                [Button(self.texts.label("reminders.buttons.stop"), actions.encode(actions.StopOffer(stored.pk)))],
            )
            return Message(text, buttons)
        return self._reminder_message(row, stored, start, now)

    def _when_or_date(self, stored: StoredOffer, start: dt.datetime) -> Markup:
        if stored.offer.when is None:
            return date_text(start.date(), self.texts, today=self._today())
        return self._when(stored, start)

    def _reminder_message(self, row: OutboxRow, stored: StoredOffer, start: dt.datetime, now: dt.datetime) -> Message:
        texts, offer = self.texts, stored.offer
        time = f"{start:%H:%M}"
        if row.late(now):
            today = self._today()
            day = texts("reminders.soon") if start.date() == today else date_text(start.date(), texts, today=today)
            head = texts("reminders.late", day=day, time=time)
        elif row.kind == DAY_BEFORE:
            head = texts("reminders.day_before")
        else:
            head = texts("reminders.hours_before", time=time)
        bring = offer.extra.get("bring")
        body = _lines(
            [
                head,
                "",
                texts("card.title", title=offer.title),
                texts("card.when", when=self._when(stored, start)),
                where_text(offer, texts),
                texts("card.transport", transport=offer.transport) if offer.transport else None,
                price_text(offer, texts),
                texts("reminders.bring", bring=bring) if isinstance(bring, str) and bring.strip() else None,
                texts("card.registration", registration=offer.registration) if offer.registration else None,
                "",
                texts("reminders.question"),
            ]
        )
        label = texts.label
        buttons: list[list[Button]] = [
            [
                Button(label("reminders.buttons.going"), actions.encode(actions.Answer(stored.pk, start, going=True))),
                Button(
                    label("reminders.buttons.not_going"), actions.encode(actions.Answer(stored.pk, start, going=False))
                ),
            ]
        ]
        if row.kind == DAY_BEFORE and (offer.location is not None or offer.transport):
            buttons.append([Button(label("buttons.route"), chat_actions.encode(chat_actions.Route(stored.pk)))])
        buttons.append([Button(label("reminders.buttons.stop"), actions.encode(actions.StopOffer(stored.pk)))])
        return Message(body, rows(*buttons))

    async def _weekly_message(self, row: OutboxRow) -> Message | None:
        topics = await self.reminders.weekly_topics(row.user_id)
        if topics is None:
            return None
        items = await self.reminders.week_items(topics)
        texts = self.texts
        lines: list[Markup | str | None] = [texts("reminders.weekly_title", topics=self._topics_label(topics)), ""]
        if not items:
            lines.append(texts("reminders.weekly_empty"))
        for start, _end, stored in items[:WEEKLY_MAX_ITEMS]:
            price = price_text(stored.offer, texts)
            price_part = texts("reminders.weekly_price", price=price) if price else ""
            day = date_text(start.date(), texts, today=self._today())
            lines.append(
                texts(
                    "reminders.weekly_item", day=day, time=f"{start:%H:%M}", title=stored.offer.title, price=price_part
                )
            )
        if len(items) > WEEKLY_MAX_ITEMS:
            lines.append(texts("reminders.weekly_more", count=len(items) - WEEKLY_MAX_ITEMS))
        if items:
            lines += ["", texts("reminders.weekly_footer")]
        buttons = [
            [Button(f"ℹ️ {stored.offer.title}"[:60], chat_actions.encode(chat_actions.Info(stored.pk)))]
            for _, _, stored in items[:WEEKLY_MAX_BUTTONS]
        ]
        buttons.append([self._weekly_button(), self._menu()])
        return Message(_lines(lines), rows(*buttons))


def _lines(lines: Sequence[Markup | str | None]) -> Markup:
    """Lines of a message; None is left out, an empty string is a blank line."""
    return Markup("\n").join(line for line in lines if line is not None)
