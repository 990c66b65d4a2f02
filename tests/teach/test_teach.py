"""Teaching the bot from unanswered questions (bot/teach): the store, 'worded like it', the answers, /leren, the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys

import pytest

from bot.chat.conversation import Who
from bot.core import open_core
from bot.platform.config import PROJECT_ROOT
from bot.teach import actions, exchange
from bot.teach.likeness import Wording, likeness
from bot.teach.store import LessonError
from tests.helpers import brussels, clock_at, make_settings
from tests.insights.activity import ANSWERABLE, generate

ADMIN = 4242
PERSON = Who(7, 7, "Test")
SURGERY = "ik moet binnenkort geopereerd worden, wie zorgt er dan voor mijn kinderen"
EMERGENCY = "noodopvang-ckg-molenberg"


@pytest.fixture
async def core(tmp_path):
    settings = make_settings(tmp_path)
    settings = dataclasses.replace(settings, telegram=dataclasses.replace(settings.telegram, admins=(ADMIN,)))
    core = await open_core(settings, clock=clock_at(2027, 1, 20, 10, 0))
    core.teacher.embed = None  # words only: fast, and the same answers on every machine
    yield core
    await core.close()


def hits(reply) -> list[str]:
    return list(reply.data.get("hits", []))


# --- the store -------------------------------------------------------------------------------------


async def test_a_step_is_kept_with_who_and_when_and_undo_marks_it_without_deleting(core):
    store = core.teacher.store
    generation = await store.generation()
    lesson = await store.add("link", ["Bel 0470 12 34 56 voor OPVANG", "opvang"], offers=[EMERGENCY], actor="admin:1")
    assert lesson.questions == ("bel [telefoon] voor opvang", "opvang")  # scrubbed like the question log
    assert await store.generation() != generation
    await store.undo(lesson.id, actor="admin:2")
    again = await store.get(lesson.id)
    assert again is not None and not again.active and again.undone_by == "admin:2"
    assert [e["action"] for e in await store.history(lesson.id)] == ["taught", "undone"]
    assert [e["actor"] for e in await store.history(lesson.id)] == ["admin:1", "admin:2"]
    with pytest.raises(LessonError):
        await store.undo(lesson.id, actor="admin:1")


@pytest.mark.parametrize(
    ("kind", "questions", "offers", "note"),
    [("link", ["zwemmen"], [], None), ("refer", ["werk"], [], " "), ("link", ["  ", "!!"], ["x"], None)],
)
async def test_a_step_that_makes_no_sense_is_refused(core, kind, questions, offers, note):
    with pytest.raises(LessonError):
        await core.teacher.store.add(kind, questions, offers=offers, note=note, actor="cli")
    assert await core.teacher.store.lessons() == []


# --- worded like it ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "other",
    [
        "wie zorgt er voor mijn kinderen als ik binnenkort geopereerd moet worden",  # another word order
        "ik moet binnenkort geopereerd worden, wie zorgt er dan voor mijn kindjes",  # inflection
        "ik moet binenkort geopereerd worden, wie zorgt er dan voor mijn kinderen",  # a typo
    ],
)
async def test_another_word_order_inflection_or_typo_is_worded_like_it(core, other):
    teacher = core.teacher
    taught, new = await teacher.wording(SURGERY), await teacher.wording(other)
    assert likeness(taught, new).words >= 0.8
    unrelated = await teacher.wording("goedkoop zwemmen in het weekend")
    assert likeness(taught, unrelated).words < 0.3


def test_the_model_adds_meaning_and_is_optional():
    a = Wording("a", (), None)
    assert likeness(a, a).meaning is None  # without vectors the words decide alone


# --- answers ---------------------------------------------------------------------------------------


async def test_a_linked_question_and_other_wordings_find_the_offer_and_undo_takes_it_back(core):
    assert hits(await core.conversation.ask(PERSON, SURGERY)) == []
    lesson = await core.teacher.store.add("link", [SURGERY], offers=[EMERGENCY], actor="admin:1")
    for question in (SURGERY, "wie zorgt er voor mijn kinderen als ik binnenkort geopereerd moet worden"):
        assert hits(await core.conversation.ask(PERSON, question))[:1] == [EMERGENCY]
    assert (await core.teacher.store.get(lesson.id)).uses == 2  # type: ignore[union-attr]
    await core.teacher.store.undo(lesson.id, actor="admin:1")
    assert hits(await core.conversation.ask(PERSON, SURGERY)) == []


async def test_teaching_leaves_unrelated_answers_exactly_as_they_were(core):
    before = {q: hits(await core.conversation.ask(PERSON, q)) for q in ANSWERABLE}
    await core.teacher.store.add("link", [SURGERY], offers=[EMERGENCY], actor="admin:1")
    await core.teacher.store.add("refer", ["ik zoek werk"], note="Voor werk: VDAB", actor="admin:1")
    await core.teacher.store.add("link", ["zwemmen met de kleine"], offers=[EMERGENCY], actor="admin:1")
    after = {q: hits(await core.conversation.ask(PERSON, q)) for q in ANSWERABLE}
    assert after == before


async def test_a_referral_answers_instead_of_nothing_and_a_wish_says_the_network_knows(core):
    await core.teacher.store.add(
        "refer", ["ik zoek werk als poetsvrouw"], note="Voor werk: VDAB, 0800 30 700", actor="cli"
    )
    await core.teacher.store.add("wish", ["yoga voor vrouwen"], actor="cli")
    reply = await core.conversation.ask(PERSON, "ik zoek werk als poetsvrouw")
    assert "VDAB, 0800 30 700" in reply.messages[0].plain and reply.data["referral"] is True
    reply = await core.conversation.ask(PERSON, "yoga voor vrouwen")
    assert core.texts.label("teach.wish_known") in reply.messages[0].plain


async def test_what_was_taught_survives_reindex_and_a_restart(core, tmp_path):
    await core.teacher.store.add("link", [SURGERY], offers=[EMERGENCY], actor="cli")
    await core.offers.rebuild_index()
    assert hits(await core.conversation.ask(PERSON, SURGERY))[:1] == [EMERGENCY]
    settings = core.settings
    again = await open_core(settings, clock=clock_at(2027, 1, 21, 10, 0))
    again.teacher.embed = None
    try:
        assert hits(await again.conversation.ask(PERSON, SURGERY))[:1] == [EMERGENCY]
    finally:
        await again.close()


async def test_export_and_import_move_what_was_learnt_once(core, tmp_path):
    store = core.teacher.store
    await store.add("link", [SURGERY], offers=[EMERGENCY], actor="admin:1")
    await store.add("refer", ["werk"], note="VDAB", actor="admin:1")
    path = tmp_path / "geleerd.json"
    path.write_text(exchange.dump(await store.lessons()), encoding="utf-8")
    undone = await store.add("wish", ["x y"], actor="cli")
    await store.undo(undone.id, actor="cli")
    assert await exchange.load(store, path, actor="import:geleerd.json") == (0, 2)
    for lesson in await store.lessons(active_only=True):
        await store.undo(lesson.id, actor="cli")
    assert await exchange.load(store, path, actor="import:geleerd.json") == (2, 0)
    imported = (await store.lessons(active_only=True))[0]
    assert (await store.history(imported.id))[0]["details"]["taught_by"] == "admin:1"
    path.write_text(json.dumps({"format": "bilzen-teach", "version": 1, "lessons": [{"kind": "nope"}]}))
    with pytest.raises(LessonError):
        await exchange.load(store, path, actor="import")


# --- /leren ----------------------------------------------------------------------------------------


async def test_only_coordinators_may_teach_whatever_the_button_says(core):
    refused = core.texts.label("teach.not_allowed")
    assert (await core.teach_desk.command(PERSON.user_id)).messages[0].plain == refused
    for action in (actions.TakeStep("link", False, 1), actions.Themes(0), actions.Undo(1)):
        reply = await core.conversation.act(PERSON, actions.encode(action))
        assert reply.messages[0].plain == refused
    assert await core.teach_desk.incoming_text(PERSON.user_id, "zwemmen") is None


BROKEN = ["t1", "t1:", "t1:p", "t1:p:x", "t1:l:z:1", "t1:l:q", "t1:o:-1", "t1:ok:1", "t1:²", "t1:u:99999999999999"]
OLD = ["le:l:q:1", "le:ok", "le:p:0"]  # the first version's buttons, still in a coordinator's chat


@pytest.mark.parametrize("data", BROKEN + OLD)
async def test_a_broken_forged_or_old_button_gets_the_friendly_unknown_button(core, data):
    assert actions.decode(data) is None
    reply = await core.conversation.act(Who(ADMIN, ADMIN), data)
    assert reply.messages and reply.notice == core.texts.label("answer.unknown_button")


@pytest.mark.parametrize(
    ("action", "key"),
    [(actions.Undo(999_999_999_999), "teach.gone"), (actions.PickOffer(999_999_999_999), "teach.expired")],
)
async def test_a_well_formed_button_for_something_gone_says_so(core, action, key):
    reply = await core.conversation.act(Who(ADMIN, ADMIN), actions.encode(action))
    assert reply.messages[0].plain == core.texts.label(key)


async def test_a_coordinator_links_a_theme_in_a_few_presses_and_the_next_person_is_answered(core):
    admin = Who(ADMIN, ADMIN)
    for text in (SURGERY, SURGERY, "ik word geopereerd, wie zorgt voor mijn kinderen"):
        await core.conversation.ask(PERSON, text)
    listing = await core.teach_desk.command(ADMIN)
    assert "geopereerd" in listing.messages[0].plain
    theme = listing.messages[0].buttons[0][0].action
    opened = await core.conversation.act(admin, theme)  # the theme, with the four steps
    link = opened.messages[0].buttons[0][0].action
    named = actions.decode(theme)
    assert isinstance(named, actions.OpenTheme)
    assert actions.decode(link) == actions.TakeStep("link", True, named.question_id)  # the whole theme
    await core.conversation.act(admin, link)
    choice = await core.teach_desk.incoming_text(ADMIN, "opvang thuis")
    assert choice is not None
    pick = next(
        b.action
        for row in choice.messages[0].buttons
        for b in row
        if b.action and isinstance(actions.decode(b.action), actions.PickOffer)
    )
    await core.conversation.act(admin, pick)
    done = await core.conversation.act(admin, actions.encode(actions.ConfirmLink()))
    assert "✅" in done.messages[0].plain
    lesson = (await core.teacher.store.lessons())[-1]
    assert lesson.kind == "link" and lesson.created_by == f"admin:{ADMIN}" and len(lesson.questions) >= 1
    assert "geopereerd" in " ".join(lesson.questions)
    assert hits(await core.conversation.ask(PERSON, SURGERY))[:1] == list(lesson.offers[:1])
    assert "geopereerd" not in (await core.teach_desk.command(ADMIN)).messages[0].plain  # handled: off the list
    undone = await core.conversation.act(admin, actions.encode(actions.Undo(lesson.id)))
    assert "↩️" in undone.messages[0].plain


# --- the command line --------------------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )


def test_after_teach_link_ask_shows_the_linked_offer(tmp_path):
    db = str(tmp_path / "bot.sqlite3")
    question = "wie past op mijn kinderen als ik naar het ziekenhuis moet voor een operatie"
    assert run("teach", "link", "--db", db, question, "nope").returncode == 1
    taught = run("teach", "link", "--db", db, question, EMERGENCY)
    assert taught.returncode == 0, taught.stderr
    answer = json.loads(run("ask", "--db", db, "--json", question).stdout)
    assert answer["results"][0]["id"] == EMERGENCY
    listed = [json.loads(line) for line in run("teach", "list", "--db", db, "--json").stdout.splitlines()]
    assert [(x["kind"], x["offers"], x["created_by"]) for x in listed] == [("link", [EMERGENCY], "cli")]
    assert run("teach", "undo", "--db", db, str(listed[0]["id"])).returncode == 0
    assert run("teach", "undo", "--db", db, str(listed[0]["id"])).returncode == 1


# --- the generated half-year ---------------------------------------------------------------------------


async def test_teaching_from_the_half_year_answers_the_later_questions(tmp_path):
    settings = make_settings(tmp_path)
    clock = clock_at(2026, 12, 1, 7, 0)
    core = await open_core(settings, clock=clock)
    core.teacher.embed = None
    try:
        await generate(core, clock)
        clock.set(brussels(2027, 7, 1, 9, 0))
        before = {q: hits(await core.conversation.ask(PERSON, q)) for q in ANSWERABLE}
        themes = {item.theme.label: item for item in await core.teach_desk.unanswered()}
        assert {"yoga", "rijbewijs", "werk"} <= set(themes)  # the month's unmet demand, most asked first
        store = core.teacher.store
        await store.add("wish", themes["yoga"].theme.examples, note="vraag bij de sportdienst", actor="admin:1")
        await store.add("refer", themes["werk"].theme.examples, note="Voor werk: VDAB, 0800 30 700", actor="admin:1")
        await store.add("refer", themes["rijbewijs"].theme.examples, note="Rijbewijs: het OCMW", actor="admin:1")
        later = {
            "ik zoek werk": "VDAB",
            "werk zoeken in bilzen": "VDAB",
            "hulp bij het rijbewijs": "OCMW",
            "theorie van het rijbewijs": "OCMW",
        }
        for question, where in later.items():
            assert where in (await core.conversation.ask(PERSON, question)).messages[0].plain, question
        wish = core.texts.label("teach.wish_known")
        assert wish in (await core.conversation.ask(PERSON, "yogales voor vrouwen")).messages[0].plain
        assert {q: hits(await core.conversation.ask(PERSON, q)) for q in ANSWERABLE} == before
        remaining = {item.theme.label for item in await core.teach_desk.unanswered()}
        assert not remaining & {"yoga", "rijbewijs", "werk"}
        uses = await store.uses_between(dt.date(2027, 7, 1), dt.date(2027, 7, 1))
        assert sum(uses.values()) == len(later) + 1
    finally:
        await core.close()


async def test_the_report_says_what_the_bot_learnt_and_which_words_to_add(core):
    from bot.insights.generate import make_report
    from bot.insights.period import Period

    store = core.teacher.store
    question = "wie vangt mijn kroost op als ik geopereerd word"
    lesson = await store.add("link", [question], offers=[EMERGENCY], actor="cli")
    await store.add("refer", ["werk"], note="VDAB", actor="cli")
    for _ in range(3):
        await core.conversation.ask(PERSON, "wie vangt mijn kroost op als ik geopereerd word")
    period = Period(dt.date(2027, 1, 1), dt.date(2027, 1, 31))
    now, tz = core.clock.now(), core.settings.timezone
    report = await make_report(core.db, core.texts, core.analyzer, period, now=now, tz=tz)
    kinds = {row[0]: row[1:] for row in report.table("teach_kinds").rows}
    assert kinds[core.texts.label("report.teach.kind_link")] == ("<3", "3")
    (step,) = report.table("teach_steps").rows
    assert step[0] == lesson.questions[0] and step[-1] == "3"
    (_offer, added) = report.table("teach_words").rows[0]
    assert "kroost" in added and "geopereerd" in added
