"""The care desk: the check before any search, and the human answer for each kind of trouble.

Every channel goes through here first (the conversation for Telegram and the terminal chat, the `ask`
command): a message recognised as suicide, violence, an emergency or acute material need gets help lines
and the Sociaal Huis, never a leisure offer and never a "bedoelde je"; distress and money worries get their
line first and the normal answer under it. What the answer says lives in `data/texts.nl.toml` ([care]);
the numbers, hours and chat pages in `data/care.toml`. Nothing here stores or logs the message.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from bot.care.data import CRISIS, CareData, HelpLine
from bot.care.detect import NOTHING, Assessment, Detector
from bot.care.probe import CareProbe, Guess
from bot.chat.cards import hours_text
from bot.chat.replies import Button, Message, join_lines
from bot.lang.languages import DUTCH
from bot.platform.calendar import Clock, local_naive
from bot.platform.config import Settings
from bot.platform.texts import Texts, TextsError
from bot.search.matcher import SearchResult
from bot.search.service import SearchService

HONEST = ("suicide", "violence", "emergency", "distress")  # answers that say plainly that nobody is alerted
OFFICE = ("suicide", "violence", "distress")  # answers that name the Sociaal Huis for later
LONG_STORY_WORDS = 30  # a message this long that finds nothing gets the line to 106 under the answer
TALK_LINES = ("zelfmoordlijn", "geweldlijn", "awel", "teleonthaal")  # a person listens now (not 112, 101, CAW)


@dataclass(frozen=True)
class CareAnswer:
    """What `ask` and the benchmark get: the assessment, and the search only when it may be shown."""

    assessment: Assessment
    result: SearchResult | None  # None: not searched (no care check passed, or a crisis)

    @property
    def result_ids(self) -> list[str]:
        return [h.offer_id for h in self.result.hits] if self.result is not None else []


def second_opinion(assessment: Assessment, guess: Guess, text: str) -> Assessment:
    """Only the model sees trouble: answered as that trouble, but not sure (the person can still get the
    leisure answer with one tap), and the whole message is what is left to search."""
    return dataclasses.replace(
        assessment, category=guess.category, rules=("model",), rest=text, sure=False, pointer=False
    )


class CareDesk:
    def __init__(
        self,
        *,
        data: CareData,
        texts: Texts,
        settings: Settings,
        clock: Clock,
        search: SearchService,
        probe: CareProbe | None = None,
    ) -> None:
        self.data = data
        self.probe = probe  # the model's second opinion, when the model runs
        self.texts = texts
        self.settings = settings
        self.clock = clock
        self.search = search
        self.detector = Detector(data)
        self._keys = frozenset(texts.keys())
        self._check_texts()

    # --- recognising ---------------------------------------------------------------------------

    async def assess(self, text: str) -> Assessment:
        """The care check: run before the search on every message, from every channel.

        The word lists answer at once; the model's second opinion (about 20 ms for a question, more for a
        long story) runs in a worker thread so that other people's answers do not wait for it."""
        assessment = self.assess_words(text)
        if assessment.category is not None or self.probe is None:
            return assessment
        guess = await asyncio.to_thread(self.probe.guess, text)
        return assessment if guess is None else second_opinion(assessment, guess, text)

    def assess_words(self, text: str) -> Assessment:
        """The word lists of data/care.toml alone."""
        try:
            return self.detector.assess(text)
        except RecursionError:  # pragma: no cover - a pathological message; the words list keeps phrases short
            return NOTHING

    async def answer_for(self, question: str, *, today: dt.date | None = None, lang: str = DUTCH) -> CareAnswer:
        """The care check, then the search unless it is a crisis (the path of `python -m bot ask`); `lang`:
        the language the question is written in (bot/lang), which the search reads it in."""
        assessment = await self.assess(question)
        if assessment.crisis:
            return CareAnswer(assessment, None)
        searched = self.searched(question, assessment)
        return CareAnswer(assessment, await self.search.search(searched, today=today, lang=lang))

    @staticmethod
    def searched(question: str, assessment: Assessment) -> str:
        """What is searched for: the whole question, or for distress and money worries only what is left
        once the words of the trouble are taken out ('huur niet betalen' must not find a bike to rent)."""
        return assessment.rest if assessment.category is not None else question

    # --- answering -----------------------------------------------------------------------------

    def local_now(self) -> dt.datetime:
        return local_naive(self.clock.now(), self.settings.timezone)

    def message(self, assessment: Assessment) -> Message:
        """The care answer as one message: the lines as text (numbers in bold) and the chat pages as buttons."""
        category = assessment.category
        if category is None:
            raise ValueError("no care answer for an ordinary question")
        now = self.local_now()
        values = self.values(now)
        plan = self.data.plans[category]
        parts: list[Markup | None] = [self._text(f"care.{category}.intro", values)]
        shown = list(plan.lines)
        if category == "violence" and assessment.child:
            shown[1:1] = plan.young  # right after "in danger now? 112"
        elif category == "violence" or assessment.child:
            shown += plan.young  # violence: also a child who wrote like a grown-up sees Awel
        line_texts = [self._line(category, self.line(key), now, values) for key in dict.fromkeys(shown)]
        talk = [self.data.lines[key] for key in shown if key in TALK_LINES]
        if talk and not any(line.open.is_open(now) for line in talk) and "teleonthaal" not in shown:
            line_texts.append(self.texts("care.night", **values))
        parts.append(join_lines(line_texts) if line_texts else None)
        if category in ("material", "money") and assessment.topic:
            parts.append(self._text(f"care.{category}.{assessment.topic}", values))
            parts.append(self._office(category, now, values))
        elif category in ("material", "money"):
            parts.append(self._office(category, now, values))
        for other in assessment.also:
            parts.append(self._text(f"care.also.{other}", values))
        chat_keys = dict.fromkeys([*plan.chat, *(plan.young if assessment.child else ())])
        chats = [self.line(key) for key in chat_keys if self.data.lines[key].chat]
        if chats:
            parts.append(self.texts("care.chat"))
        if category in HONEST:
            parts.append(self._text(f"care.{category}.honest", values) or self.texts("care.honest", **values))
        if category in OFFICE:
            parts.append(self._office(category, now, values))
        label = self.texts.label
        buttons = tuple((Button(label("care.buttons.chat", line=line.name), url=line.chat),) for line in chats)
        return Message(Markup("\n\n").join(p for p in parts if p), buttons)

    @staticmethod
    def points_to_106(assessment: Assessment, question: str, *, found: bool) -> bool:
        """Whether an ordinary answer gets the line to Tele-Onthaal: a hint of loneliness or sorrow, or a long
        story the bot found nothing for (someone who writes that much and gets nothing may need a listener)."""
        if assessment.category is not None:
            return False
        return assessment.pointer or (not found and len(question.split()) >= LONG_STORY_WORDS)

    def pointer(self) -> Markup:
        """One line to Tele-Onthaal under a normal answer, when a message hints at loneliness or sorrow."""
        return self.texts("care.pointer", **self.values(self.local_now()))

    def closed_note(self) -> Markup | None:
        """'The Sociaal Huis is closed now; it opens again monday at 9', or None while it is open."""
        now = self.local_now()
        opening = self.settings.contact.open
        if opening.is_open(now):
            return None
        when = opening.next_open(now)
        if when is None:
            return None
        return self.texts("nothing.closed", name=self.settings.contact.name, when=self.when(when, now))

    def sent_to(self, assessment: Assessment) -> str:
        """Where this answer sends the person, as the anonymous count records it."""
        if assessment.category is None:
            return ""
        if assessment.child and assessment.category in ("violence", "suicide", "distress"):
            young = self.data.plans[assessment.category].young
            if young:
                return f"{self.data.plans[assessment.category].sent_to} + {young[0]}"
        return self.data.plans[assessment.category].sent_to

    # --- pieces ----------------------------------------------------------------------------------

    def line(self, key: str) -> HelpLine:
        """A help line as the person being answered reads it: its name and hours in their language."""
        return self.data.lines[key].in_language(self.texts.lang)

    def when(self, moment: dt.datetime, now: dt.datetime) -> str:
        """'vandaag om 13 uur', 'morgen om 9 uur', 'maandag om 9.30 uur'."""
        if moment.minute == 0:
            time = self.texts.label("care.hour", hour=moment.hour)
        else:
            time = self.texts.label("care.hour_minute", hour=moment.hour, minute=f"{moment.minute:02d}")
        days = (moment.date() - now.date()).days
        if days == 0:
            return self.texts.label("care.today", time=time)
        if days == 1:
            return self.texts.label("care.tomorrow", time=time)
        weekday = self.texts.items("calendar.weekdays")[moment.weekday()]
        return self.texts.label("care.weekday", weekday=weekday, time=time)

    def values(self, now: dt.datetime) -> dict[str, str]:
        c = self.settings.contact
        # The coordinator's own words in Dutch; in another language the same hours from `[contact] open`.
        hours = c.hours if self.texts.lang == DUTCH or c.open.always else hours_text(c.open, self.texts)
        values = {"name": c.name, "phone": c.phone, "email": c.email, "hours": hours, "address": c.address}
        for key in self.data.lines:
            line = self.line(key)
            values[key] = line.number or ""
            values[f"{key}_line"] = line.name
            values[f"{key}_hours"] = line.hours
        return values

    def _line(self, category: str, line: HelpLine, now: dt.datetime, values: Mapping[str, str]) -> Markup:
        mine = {
            **values,
            "number": line.number or "",
            "line": line.name,
            "line_hours": line.hours,
            "chat_hours": line.chat_hours,
            "site": _site(line.site or line.chat),
        }
        text = self._text(f"care.{category}.{line.key}", mine) or self.texts("care.line", **mine)
        if not line.open.is_open(now):
            opens = line.open.next_open(now)
            if opens is not None:
                closed = self.texts("care.line_closed", line=line.name, when=self.when(opens, now))
                text = text + Markup(" ") + closed
        return text

    def _office(self, category: str, now: dt.datetime, values: Mapping[str, str]) -> Markup:
        """The Sociaal Huis: call now, or when it opens again (and what to do until then)."""
        opening = self.settings.contact.open
        if opening.is_open(now):
            key = "care.office_open" if category in OFFICE else f"care.{category}.call"
            return self.texts(key, **values)
        when = opening.next_open(now)
        opens = self.when(when, now) if when else ""
        if category in OFFICE:
            closed = self.texts("care.office_later", **values, when=opens)
        else:
            closed = self.texts("care.office_closed", **values, when=opens)
        if category == "material":
            return join_lines([closed, self.texts("care.material.night", **values)])
        return closed

    def _text(self, key: str, values: Mapping[str, Any]) -> Markup | None:
        """A text that may be left out of the file (an optional piece of an answer)."""
        if key not in self._keys:
            return None
        return self.texts(key, **values)

    def _check_texts(self) -> None:
        """Render every care text now with every value there is, so a wrong placeholder stops the start."""
        values = {
            **self.values(self.local_now()),
            "number": "1",
            "line": "x",
            "line_hours": "x",
            "chat_hours": "x",
            "site": "x",
            "when": "x",
            "time": "x",
            "weekday": "x",
            "hour": "9",
            "minute": "30",
        }
        for key in sorted(k for k in self._keys if k.startswith("care.")):
            try:
                self.texts.label(key, **values)
            except TextsError as error:
                raise TextsError(f"{error} (the values of data/care.toml are: {', '.join(sorted(values))})") from None
        for category in self.data.plans:
            if category in ("material", "money"):
                continue
            for key in self.data.plans[category].lines:
                if self.data.lines[key].number is None and f"care.{category}.{key}" not in self._keys:
                    raise TextsError(f"[answers.{category}] names {key!r}, which has no number: give it a text")


def _site(url: str | None) -> str:
    """'caw.be' for 'https://www.caw.be/contact': what a person reads and types."""
    if not url:
        return ""
    host = urlsplit(url).netloc
    return host.removeprefix("www.")


__all__ = ["CRISIS", "CareAnswer", "CareDesk"]
