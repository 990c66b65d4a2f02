"""A newcomer's answers on a real core (the sample offers of data/): the same offers as in Dutch, every text of
the bot in their language, the offer's own text Dutch and said so once, help lines and reminders too."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.chat.cards import hours_text, period_text
from bot.chat.conversation import Who
from bot.core import Core, open_core
from bot.insights.generate import make_report
from bot.insights.period import Period as ReportPeriod
from bot.lang.speaking import current_language, speaking
from bot.platform.calendar import Period
from bot.platform.hours import OpeningHours
from bot.reminders.outbox import _row
from tests.helpers import clock_at, make_settings

# The same question in Dutch and in each language, about the sample offers.
SAME_QUESTION = {
    "nl": "zwemmen met de kinderen",
    "en": "swimming with my kids",
    "fr": "nager avec mes enfants",
    "uk": "плавати з дітьми",
    "ar": "السباحة مع أولادي",
    "tr": "çocuklarla yüzmek",
    "ru": "плавать с детьми",
}


@pytest.fixture
async def core(tmp_path) -> AsyncIterator[Core]:
    opened = await open_core(make_settings(tmp_path), clock=clock_at(2027, 1, 13, 10, 0))
    yield opened
    await opened.close()


def plain(reply) -> str:
    return "\n".join(m.plain for m in reply.messages)


async def test_a_question_finds_the_same_offers_in_every_language(core):
    dutch = await core.search.search(SAME_QUESTION["nl"], lang="nl")
    expected = {h.offer_id for h in dutch.hits[:2]}
    assert expected
    for lang, question in SAME_QUESTION.items():
        found = await core.search.search(question, lang=lang)
        assert expected <= {h.offer_id for h in found.hits[:3]}, lang


async def test_the_answer_speaks_the_question_language_and_says_once_that_offers_are_dutch(core):
    reply = await core.conversation.ask(Who(71, 71), SAME_QUESTION["en"])
    text = plain(reply)
    with speaking("en"):
        in_dutch = core.texts("answer.offer_in_dutch").striptags()
        assert text.startswith(core.texts("answer.found_one").striptags())
        info = core.texts.label("buttons.info")
    assert text.count(in_dutch) == 1
    assert info in [b.text for row in reply.messages[0].buttons for b in row]
    assert "Dit vond ik" not in text and "Meer info" not in text


async def test_nothing_found_in_another_language_gives_no_dutch_did_you_mean(core):
    reply = await core.conversation.ask(Who(72, 72), "i need a lawyer for my divorce")
    text = plain(reply)
    assert "Bedoelde je" not in text and "🔎" not in str(reply.messages[-1].buttons)
    with speaking("en"):
        assert core.texts.label("buttons.activities") in [b.text for row in reply.messages[-1].buttons for b in row]


async def test_a_period_is_said_with_the_dates_in_the_persons_language(core):
    reply = await core.conversation.ask(Who(73, 73), "what can we do this weekend")
    text = plain(reply)
    assert "dit weekend" not in text
    with speaking("en"):
        assert "saturday" in text.lower() or "sunday" in text.lower() or core.texts("nothing.text").striptags() in text


async def test_the_contact_hours_come_from_the_structured_opening_hours(core):
    with speaking("fr"):
        hours = hours_text(OpeningHours.parse(["maandag-vrijdag 09:00-12:00", "zaterdag 10:00-12:00"]), core.texts)
    assert hours == "du lundi au vendredi 9:00-12:00; samedi 10:00-12:00"
    reply = await core.conversation.help(Who(74, 74, language_code="fr"))
    assert "maandag" not in plain(reply) and "089 00 01 00" in plain(reply)


def test_period_text_keeps_the_dutch_words_in_dutch_and_gives_dates_elsewhere():
    from bot.lang.catalog import Catalog
    from tests.helpers import DATA

    catalog = Catalog.load(DATA)
    weekend = Period.days(dt.date(2027, 1, 16), dt.date(2027, 1, 17), "dit weekend")
    assert str(period_text(weekend, catalog["nl"])) == "dit weekend"
    english = str(period_text(weekend, catalog["en"], today=dt.date(2027, 1, 13)))
    assert "16" in english and "17" in english and "weekend" not in english
    evening = Period(dt.datetime(2027, 1, 13, 18), dt.datetime(2027, 1, 14), "vanavond")
    assert "18:00" in str(period_text(evening, catalog["uk"], today=dt.date(2027, 1, 13)))


async def test_care_answers_name_the_same_lines_in_the_persons_language(core):
    dutch = plain(await core.conversation.ask(Who(75, 75), "ik wil niet meer leven"))
    ukrainian = plain(await core.conversation.ask(Who(76, 76, language_code="uk"), "я не хочу більше жити"))
    assert "1813" in dutch and "1813" in ukrainian  # the same help line
    assert "dag en nacht" in dutch and "dag en nacht" not in ukrainian
    assert "цілодобово" in ukrainian  # its hours in Ukrainian (data/care.toml [lines.zelfmoordlijn.uk])


def test_every_help_line_has_its_name_and_hours_in_every_language(core):
    for key, line in core.care.data.lines.items():
        for lang in ("en", "fr", "uk", "ar", "tr", "ru"):
            words = line.translations.get(lang, {})
            assert words.get("name"), f"[lines.{key}.{lang}] name"
            if line.hours:
                assert words.get("hours"), f"[lines.{key}.{lang}] hours"
            if line.chat_hours:
                assert words.get("chat_hours"), f"[lines.{key}.{lang}] chat_hours"


async def test_a_reminder_sent_later_is_in_its_recipients_language(core):
    who = Who(77, 77)
    await core.people.seen(who.user_id, who.chat_id)
    await core.languages.choose(who.user_id, "ru")
    stored = await core.offers.get("chiro-zondagnamiddag")
    assert stored is not None
    await core.reminders.subscribe(who.user_id, stored.pk, day_before=True, hours_before=False, every_time=False)
    row = _row(
        await core.db.fetchone(
            "SELECT o.*, p.chat_id FROM outbox o JOIN people p USING (user_id) "
            "WHERE user_id = 77 ORDER BY due_at LIMIT 1"
        )
    )
    message = await core.dispatcher.render(row, core.clock.now())
    assert message is not None
    with speaking("ru"):
        info = core.texts.label("buttons.info")
    assert "Chiro op zondagnamiddag" in message.plain  # the offer's own title stays Dutch
    with speaking("ru"):
        going = core.texts.label("reminders.buttons.going")
    labels = [b.text for r in message.buttons for b in r]
    assert going in labels or info in labels
    assert current_language() == "nl"  # only within the rendering


async def test_two_people_answered_at_once_each_get_their_own_language(core):
    await asyncio.gather(*(core.people.seen(u, u) for u in (78, 79)))
    first, second = await asyncio.gather(
        core.conversation.start(Who(78, 78, language_code="tr")),
        core.conversation.start(Who(79, 79, language_code="ar")),
    )
    with speaking("tr"):
        turkish = core.texts.label("buttons.help")
    with speaking("ar"):
        arabic = core.texts.label("buttons.help")
    assert turkish in [b.text for row in first.messages[0].buttons for b in row]
    assert arabic in [b.text for row in second.messages[0].buttons for b in row]


async def test_the_report_counts_questions_per_language_with_the_small_groups_hidden(core):
    for user, question in enumerate(["swimming for kids"] * 4 + ["басейн для дітей"]):
        await core.conversation.ask(Who(200 + user, 200 + user), question)
    rows = await core.db.fetchall("SELECT lang, count(*) AS n FROM question_log GROUP BY lang")
    assert {r["lang"]: r["n"] for r in rows} == {"en": 4, "uk": 1}
    report = await make_report(
        core.db,
        core.texts,
        core.analyzer,
        ReportPeriod(dt.date(2027, 1, 1), dt.date(2027, 1, 31)),
        now=core.clock.now(),
        tz=core.settings.timezone,
        with_charts=False,
    )
    table = next(t for s in report.sections for t in s.tables if t.key == "languages")
    assert ("Engels", "4", "80%") in table.rows
    assert ("Oekraïens", "<3", "–") in table.rows


async def test_the_language_follows_the_app_then_a_clear_question_then_the_persons_choice(core):
    who = Who(80, 80, language_code="en-GB")
    await core.people.seen(who.user_id, who.chat_id)
    assert await core.languages.of(who) == "en"  # first contact: the app's language, kept
    assert await core.languages.for_question(who, "zwembad") == "en"  # one Dutch word switches nothing
    assert await core.languages.for_question(who, "басейн для дітей") == "uk"  # clearly Ukrainian
    assert await core.languages.of(Who(80, 80, language_code="en")) == "uk"  # kept over the app's language
    await core.languages.choose(80, "fr")
    assert (await core.people.get(80)).lang == "fr"
    await core.people.forget(80)
    assert await core.languages.stored(80) is None
    with pytest.raises(ValueError):
        await core.languages.choose(80, "pt")
