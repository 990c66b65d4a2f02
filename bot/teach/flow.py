"""/leren: a coordinator works through the questions the bot could not answer, as plain-data Replies.

The unanswered questions of the last weeks come from the anonymous question log (scrubbed, no person),
grouped into themes with the report's ThemeFinder, most asked first, a page at a time. For a theme or a
single question the coordinator picks: Hoort bij … (search offers by title, pick them), Buiten ons
aanbod (an earlier referral or a new text), Aanbod ontbreekt (a wish, with an optional note) or Negeren.
Every step answers with ↩️ Ongedaan maken and ▶ Volgende, which opens the next theme at once, so a month
of questions takes minutes. The admin role is checked in the database on every press and every typed
answer (`Roles.require`), whatever a button says. What the flow waits for (search words, a referral,
a note) is kept in memory for a few minutes: a restart only means pressing the button again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.chat.conversation import ActionHandler, Who
from bot.chat.replies import Button, Message, Reply, join_lines, rows
from bot.insights.themes import Asked, Theme, ThemeFinder
from bot.keyfigures.roles import Role, Roles
from bot.offers.store import OfferStore, StoredOffer
from bot.platform.calendar import Clock, local_naive
from bot.platform.db import Database
from bot.platform.texts import Texts
from bot.search.analyzer import Analyzer
from bot.search.text import fold, words
from bot.teach import actions
from bot.teach.actions import TeachAction
from bot.teach.store import Kind, Lesson, LessonError
from bot.teach.teacher import Teacher

log = logging.getLogger(__name__)

WEEKS = 4  # 'the unanswered questions of recent weeks': a month, what a coordinator handles in one sitting
THEMES_PER_PAGE = 5
QUESTIONS_SHOWN = 6  # wordings of a theme listed (each with its own button)
OFFERS_SHOWN = 8
REFERRALS_SHOWN = 6
WAIT_SECONDS = 15 * 60  # how long a typed answer is waited for
MAX_LABEL = 40
UNANSWERED = ("nothing", "out_of_scope")
WaitingFor = Literal["link", "refer", "note"]  # offer search words, a referral text, a note to a wish


@dataclass
class Waiting:
    """What the flow waits for from one coordinator: search words, a referral text or a note."""

    step: WaitingFor
    questions: tuple[str, ...] = ()
    lesson_id: int | None = None
    picked: list[str] = field(default_factory=list)  # offer ids picked for a link
    since: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Open:
    """One theme of unanswered questions as the flow shows it."""

    theme: Theme
    ids: tuple[int, ...]  # per example text, a question-log id naming it in buttons
    counts: tuple[int, ...]  # per example text, how often it was asked


class TeachDesk:
    """The /leren flow; a ChatExtension of the conversation (bot/core.py passes it), for its buttons 't1:...'."""

    def __init__(
        self,
        *,
        teacher: Teacher,
        offers: OfferStore,
        db: Database,
        roles: Roles,
        texts: Texts,
        analyzer: Analyzer,
        clock: Clock,
        tz: ZoneInfo,
        town: str = "",
    ) -> None:
        self.teacher = teacher
        self.store = teacher.store
        self.offers = offers
        self.db = db
        self.roles = roles
        self.texts = texts
        self.themes = ThemeFinder(analyzer, town=town)
        self.clock = clock
        self.tz = tz
        self._waiting: dict[int, Waiting] = {}

    # --- entry points -----------------------------------------------------------------------------

    async def command(self, user_id: int) -> Reply:
        """/leren: the first page of themes (coordinators only)."""
        if await self.roles.require(user_id, Role.ADMIN, "/leren") is None:
            return self._not_allowed()
        self._waiting.pop(user_id, None)
        return await self._list(0, replace=False)

    async def action(self, user_id: int, action: TeachAction) -> Reply:
        """A button of the flow; the role is checked again on every press, whatever the button says."""
        if await self.roles.require(user_id, Role.ADMIN, actions.log_name(action)) is None:
            return self._not_allowed()
        actor = f"admin:{user_id}"
        try:
            return await self._act(user_id, actor, action)
        except LessonError as error:
            log.info("a teaching step was refused: %s", type(error).__name__)
            return Reply((Message(self.texts("teach.gone"), self._back_row()),))

    async def incoming_text(self, user_id: int, text: str) -> Reply | None:
        """A typed answer the flow waits for (search words, a referral, a note); None when it waits for nothing."""
        waiting = self._waiting.get(user_id)
        if waiting is None:
            return None
        if time.monotonic() - waiting.since > WAIT_SECONDS:
            self._waiting.pop(user_id, None)
            return None
        if await self.roles.require(user_id, Role.ADMIN, "t1:text") is None:
            self._waiting.pop(user_id, None)
            return None
        text = text.strip()
        if not text:
            return None
        actor = f"admin:{user_id}"
        if waiting.step == "link":
            return await self._offer_choice(waiting, text)
        self._waiting.pop(user_id, None)
        if waiting.step == "refer":
            lesson = await self.store.add("refer", waiting.questions, note=text, actor=actor)
            return await self._done(lesson)
        if waiting.step == "note" and waiting.lesson_id is not None:
            lesson = await self.store.set_note(waiting.lesson_id, text, actor=actor)
            return Reply((Message(self.texts("teach.noted"), self._after_row(lesson)),))
        return None

    # --- the conversation's extension (bot.chat.conversation.ChatExtension) ------------------------------

    def action_handlers(self) -> dict[str, ActionHandler]:
        return {actions.PREFIX: self._button}

    def menu_buttons(self) -> Sequence[Button]:
        return ()

    async def card_buttons(self, who: Who, stored: StoredOffer) -> Sequence[Button]:
        return ()

    async def browse_buttons(self, who: Who, what: str) -> Sequence[Button]:
        return ()

    async def _button(self, who: Who, data: str) -> Reply | None:
        """Button data 't1:...'; None (the conversation's 'unknown button') when it is not a valid action."""
        action = actions.decode(data)
        return None if action is None else await self.action(who.user_id, action)

    # --- the list of themes -------------------------------------------------------------------------

    async def unanswered(self) -> list[Open]:
        """The themes of questions without an answer in the last WEEKS, most asked first, minus what was taught."""
        since = local_naive(self.clock.now(), self.tz).date() - dt.timedelta(weeks=WEEKS)
        marks = ",".join("?" * len(UNANSWERED))
        rows_ = await self.db.fetchall(
            f"SELECT id, text, asked_at, asker FROM question_log WHERE outcome IN ({marks}) AND asked_at >= ? "
            "ORDER BY id",
            (*UNANSWERED, since.isoformat()),
        )
        handled = await self._handled({row["text"] for row in rows_})
        first_id: dict[str, int] = {}
        count: dict[str, int] = {}
        asked: list[Asked] = []
        for row in rows_:
            text = row["text"]
            if text in handled:
                continue
            first_id.setdefault(text, row["id"])
            count[text] = count.get(text, 0) + 1
            asked.append(Asked(text, (row["asked_at"][:7], row["asker"])))
        found = []
        for theme in self.themes.group(asked):
            ids = tuple(first_id[text] for text in theme.examples)
            found.append(Open(theme, ids, tuple(count[text] for text in theme.examples)))
        return found

    async def _handled(self, texts: set[str]) -> set[str]:
        """Texts a step covers already: taught as such, or worded like a taught question (by the words)."""
        lessons = await self.store.lessons(active_only=True)
        taught = {q for lesson in lessons for q in lesson.questions}
        handled = texts & taught
        for text in texts - taught:
            if await self.teacher.matches(text, words_only=True):
                handled.add(text)
        return handled

    async def _list(self, page: int, *, replace: bool) -> Reply:
        themes = await self.unanswered()
        if not themes:
            return Reply((Message(self.texts("teach.empty", weeks=WEEKS)),), replace=replace)
        last_page = (len(themes) - 1) // THEMES_PER_PAGE
        page = min(page, last_page)
        shown = themes[page * THEMES_PER_PAGE : (page + 1) * THEMES_PER_PAGE]
        total = sum(o.theme.questions for o in themes)
        lines = [self.texts("teach.intro", weeks=WEEKS, questions=total, themes=len(themes))]
        buttons: list[tuple[Button, ...]] = []
        for number, item in enumerate(shown, start=page * THEMES_PER_PAGE + 1):
            examples = ", ".join(item.theme.examples[:3])
            theme = item.theme
            lines.append(
                self.texts(
                    "teach.theme_line", number=number, label=theme.label, count=theme.questions, examples=examples
                )
            )
            label = self.texts.label("teach.buttons.theme", number=number, label=_short(item.theme.label))
            buttons.append((Button(label, actions.encode(actions.OpenTheme(item.ids[0]))),))
        paging = []
        if page > 0:
            paging.append(Button(self.texts.label("buttons.previous_page"), actions.encode(actions.Themes(page - 1))))
        if page < last_page:
            paging.append(Button(self.texts.label("buttons.next_page"), actions.encode(actions.Themes(page + 1))))
        return Reply((Message(Markup("\n\n").join(lines), (*buttons, *rows(paging))),), replace=replace)

    # --- one theme or question ----------------------------------------------------------------------

    async def _find(self, question_id: int) -> tuple[Open | None, str | None]:
        """The open theme holding this question-log id's text, and the text itself (None: gone)."""
        text = await self.db.fetchval("SELECT text FROM question_log WHERE id = ?", (question_id,))
        if text is None:
            return None, None
        for item in await self.unanswered():
            if text in item.theme.examples:
                return item, text
        return None, text

    async def _show_theme(self, question_id: int) -> Reply:
        item, text = await self._find(question_id)
        if item is None:
            return await self._show_question(question_id) if text else self._gone()
        lines = [
            self.texts("teach.theme", label=item.theme.label, count=item.theme.questions, people=item.theme.people)
        ]
        single: list[tuple[Button, ...]] = []
        for number, (example, qid, n) in enumerate(zip(item.theme.examples, item.ids, item.counts, strict=True), 1):
            if number > QUESTIONS_SHOWN:
                lines.append(self.texts("teach.more_questions", count=len(item.theme.examples) - QUESTIONS_SHOWN))
                break
            lines.append(self.texts("teach.question_line", number=number, text=example, count=n))
            if len(item.theme.examples) > 1:
                only = actions.encode(actions.OpenQuestion(qid))
                single.append((Button(self.texts.label("teach.buttons.only", number=number), only),))
        lines.append(self.texts("teach.choose_theme"))
        buttons = (*self._steps(True, item.ids[0]), *single, *self._back_row())
        return Reply((Message(join_lines(lines), buttons),))

    async def _show_question(self, question_id: int) -> Reply:
        text = await self.db.fetchval("SELECT text FROM question_log WHERE id = ?", (question_id,))
        if text is None:
            return self._gone()
        message = join_lines([self.texts("teach.question", text=text), self.texts("teach.choose_question")])
        return Reply((Message(message, (*self._steps(False, question_id), *self._back_row())),))

    def _steps(self, whole_theme: bool, question_id: int) -> tuple[tuple[Button, ...], ...]:
        label = self.texts.label

        def step(name: actions.Step) -> Button:
            data = actions.encode(actions.TakeStep(name, whole_theme, question_id))
            return Button(label(f"teach.buttons.{name}"), data)

        return rows([step("link")], [step("refer")], [step("wish"), step("ignore")])

    async def _questions(self, whole_theme: bool, question_id: int) -> tuple[str, ...]:
        """The texts a step is about: the whole theme, or the one question."""
        item, text = await self._find(question_id)
        if text is None:
            return ()
        if whole_theme and item is not None:
            return tuple(item.theme.examples)
        return (text,)

    # --- steps ------------------------------------------------------------------------------------------

    async def _act(self, user_id: int, actor: str, action: TeachAction) -> Reply:
        match action:
            case actions.Themes(page):
                return await self._list(page, replace=True)
            case actions.NextTheme():
                self._waiting.pop(user_id, None)
                themes = await self.unanswered()
                return await self._show_theme(themes[0].ids[0]) if themes else await self._list(0, replace=False)
            case actions.Stop():
                self._waiting.pop(user_id, None)
                return Reply((Message(self.texts("teach.stopped"), self._back_row()),), replace=True)
            case actions.OpenTheme(question_id):
                return await self._show_theme(question_id)
            case actions.OpenQuestion(question_id):
                return await self._show_question(question_id)
            case actions.TakeStep(step, whole_theme, question_id):
                questions = await self._questions(whole_theme, question_id)
                if not questions:
                    return self._gone()
                return await self._start_step(user_id, actor, step, questions)
            case actions.PickOffer(pk):
                return await self._pick(user_id, pk)
            case actions.ConfirmLink():
                return await self._teach_link(user_id, actor)
            case actions.ReuseReferral(lesson_id):
                return await self._reuse_referral(user_id, actor, lesson_id)
            case actions.AddNote(lesson_id):
                self._waiting[user_id] = Waiting("note", lesson_id=lesson_id)
                return Reply((Message(self.texts("teach.ask_note"), rows([self._cancel()])),))
            case actions.Undo(lesson_id):
                lesson = await self.store.undo(lesson_id, actor=actor)
                next_row = rows([Button(self.texts.label("teach.buttons.next"), actions.encode(actions.NextTheme()))])
                return Reply((Message(self.texts("teach.undone", text=lesson.questions[0]), next_row),), replace=True)
        raise TypeError(f"not a teaching action: {action!r}")

    async def _start_step(self, user_id: int, actor: str, step: actions.Step, questions: tuple[str, ...]) -> Reply:
        if step == "link":
            self._waiting[user_id] = Waiting("link", questions)
            return Reply((Message(self.texts("teach.ask_offer", text=questions[0]), rows([self._cancel()])),))
        if step == "refer":
            self._waiting[user_id] = Waiting("refer", questions)
            known = await self._referrals()
            buttons = [
                (Button(_short(note), actions.encode(actions.ReuseReferral(lesson_id))),) for lesson_id, note in known
            ]
            key = "teach.ask_referral_or_pick" if known else "teach.ask_referral"
            return Reply((Message(self.texts(key), (*buttons, *rows([self._cancel()]))),))
        kind: Kind = step
        lesson = await self.store.add(kind, questions, actor=actor)
        return await self._done(lesson)

    async def _offer_choice(self, waiting: Waiting, words_typed: str) -> Reply:
        """The offers whose title has the typed words (else the bot's own search for them), to pick."""
        wanted = words(words_typed)
        published = await self.offers.select(statuses=("published",))
        found = [s for s in published if wanted and all(w in fold(s.offer.title) for w in wanted)]
        if not found:
            result = await self.teacher.search.search(words_typed)
            by_id = await self.offers.get_many([h.offer_id for h in result.hits[:OFFERS_SHOWN]])
            found = [by_id[h.offer_id] for h in result.hits[:OFFERS_SHOWN] if h.offer_id in by_id]
        if not found:
            return Reply((Message(self.texts("teach.no_offer", words=words_typed), rows([self._cancel()])),))
        buttons = []
        for stored in found[:OFFERS_SHOWN]:
            label = _short(_ticked(stored.offer.id in waiting.picked) + stored.offer.title, 58)
            buttons.append((Button(label, actions.encode(actions.PickOffer(stored.pk))),))
        done = Button(self.texts.label("teach.buttons.confirm"), actions.encode(actions.ConfirmLink()))
        message = self.texts("teach.pick_offer", text=waiting.questions[0])
        return Reply((Message(message, (*buttons, (done, self._cancel()))),))

    async def _pick(self, user_id: int, pk: int) -> Reply:
        waiting = self._waiting.get(user_id)
        stored = await self.offers.get_by_pk(pk)
        if waiting is None or waiting.step != "link" or stored is None:
            return Reply((Message(self.texts("teach.expired"), self._back_row()),))
        if stored.offer.id in waiting.picked:
            waiting.picked.remove(stored.offer.id)
        else:
            waiting.picked.append(stored.offer.id)
        titles = await self.offers.get_many(waiting.picked)
        picked = ", ".join(titles[i].offer.title for i in waiting.picked if i in titles) or "-"
        done = Button(self.texts.label("teach.buttons.confirm"), actions.encode(actions.ConfirmLink()))
        message = self.texts("teach.picked", titles=picked)
        return Reply((Message(message, rows([done, self._cancel()])),), notice=_short(stored.offer.title))

    async def _teach_link(self, user_id: int, actor: str) -> Reply:
        waiting = self._waiting.get(user_id)
        if waiting is None or waiting.step != "link":
            return Reply((Message(self.texts("teach.expired"), self._back_row()),))
        if not waiting.picked:
            return Reply((Message(self.texts("teach.pick_first")),), notice=self.texts.label("teach.pick_first"))
        self._waiting.pop(user_id, None)
        lesson = await self.store.add("link", waiting.questions, offers=waiting.picked, actor=actor)
        return await self._done(lesson)

    async def _referrals(self) -> list[tuple[int, str]]:
        """Referral texts taught before (the newest of each text), to pick instead of typing again."""
        seen: dict[str, int] = {}
        for lesson in await self.store.lessons(active_only=True, kinds=("refer",)):
            if lesson.note:
                seen[lesson.note] = lesson.id
        return sorted(((i, note) for note, i in seen.items()), reverse=True)[:REFERRALS_SHOWN]

    async def _reuse_referral(self, user_id: int, actor: str, lesson_id: int) -> Reply:
        waiting = self._waiting.get(user_id)
        earlier = await self.store.get(lesson_id)
        if waiting is None or waiting.step != "refer" or earlier is None or not earlier.note:
            return Reply((Message(self.texts("teach.expired"), self._back_row()),))
        self._waiting.pop(user_id, None)
        lesson = await self.store.add("refer", waiting.questions, note=earlier.note, actor=actor)
        return await self._done(lesson)

    # --- replies ----------------------------------------------------------------------------------------

    async def _done(self, lesson: Lesson) -> Reply:
        """After a step: what the bot does from now on, with undo and the next theme."""
        found = await self.offers.get_many(list(lesson.offers))
        titles = ", ".join(found[i].offer.title if i in found else i for i in lesson.offers)
        text = self.texts(
            f"teach.done.{lesson.kind}", text=lesson.questions[0], count=len(lesson.questions), offers=titles
        )
        return Reply((Message(text, self._after_row(lesson)),))

    def _after_row(self, lesson: Lesson) -> tuple[tuple[Button, ...], ...]:
        label = self.texts.label
        first = [Button(label("teach.buttons.undo"), actions.encode(actions.Undo(lesson.id)))]
        if lesson.kind == "wish":
            first.append(Button(label("teach.buttons.note"), actions.encode(actions.AddNote(lesson.id))))
        return rows(first, [Button(label("teach.buttons.next"), actions.encode(actions.NextTheme()))])

    def _back_row(self) -> tuple[tuple[Button, ...], ...]:
        return rows([Button(self.texts.label("teach.buttons.back"), actions.encode(actions.Themes(0)))])

    def _cancel(self) -> Button:
        return Button(self.texts.label("teach.buttons.cancel"), actions.encode(actions.Stop()))

    def _gone(self) -> Reply:
        return Reply((Message(self.texts("teach.gone"), self._back_row()),))

    def _not_allowed(self) -> Reply:
        return Reply((Message(self.texts("teach.not_allowed")),))


def _ticked(picked: bool) -> str:
    return "☑ " if picked else "☐ "


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
