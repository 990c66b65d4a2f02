"""A generated half-year of bot activity (fixed seed), for the report tests and for trying the report by hand.

People come and go from December 2026 to June 2027: they ask questions the sample offers answer,
questions they do not (grouped in known themes, with variants and a phone number now and then),
greetings and one-off oddities; they press "Meer info" and ask for reminders; reminders are sent,
dropped and answered with "Ik ga". Key figures submit offers that coordinators approve (or not) and
one offer carries a campaign tag. Everything goes through the real core (Conversation, OfferStore)
on a real SQLite file with a hand-moved clock, and everything done is written down in a `Ledger`
that the tests count independently of the report's SQL.

    python -m tests.insights.activity var/demo.sqlite3      # then: python -m bot report --db var/demo.sqlite3
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import heapq
import itertools
import random
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.chat.conversation import Who
from bot.core import Core, open_core
from bot.offers.model import Offer
from bot.platform.calendar import ManualClock, local_naive, to_aware

SEED = 2027
START = dt.date(2026, 12, 1)  # activity starts a month before the report period, so some people are not new
END = dt.date(2027, 6, 30)
PEOPLE = 90
CAMPAIGN_OFFER = "zwemlessen-kinderen-zaterdag"
CAMPAIGN = ("flyer-maart", dt.date(2027, 3, 15))

ANSWERABLE = (
    "zwemmen", "film", "fiets lenen", "iets voor de kinderen", "museum", "voetbal", "speelplein",
    "bibliotheek", "bioscoop", "pretpark", "dansles", "naaiatelier", "taxi", "kinderopvang", "zwembad",
)  # fmt: skip
GREETINGS = ("hallo", "dank je", "👍")
# Unmet demand: each theme's variants should get no answer from the sample offers and group together.
# (The tests count from what the bot really answered, so a matcher that learns one of them breaks nothing.)
THEMES = {
    "yoga": ("yoga", "yogales", "yoga voor vrouwen", "gratis yoga", "bel me op 0470 12 34 56 voor yoga"),
    "rijbewijs": ("examen rijbewijs", "hulp bij rijbewijs", "theorie rijbewijs", "rijbewijs"),
    "werk": ("werk zoeken", "ik zoek werk", "werk zoeken, mail jan.peeters@example.be"),
    "belastingbrief": ("hulp bij belastingbrief", "belastingbrief invullen"),
    "computer": ("computerles", "les computer"),
}
THEME_WEIGHTS = {"yoga": 5, "rijbewijs": 4, "werk": 3, "belastingbrief": 1, "computer": 1}
RARE = ("paardrijles voor kinderen", "schaakclub", "karaoke", "bowling", "mijn rekening BE68 5390 0754 7034 klopt niet")
# Asked once each, by one person: never shown as a theme of their own (fewer than 3).
ONCE = (
    "kan iemand mijn rijksregisternummer 85.07.30-033.61 nakijken",
    "duivenmelkers",
    "bel mij op 0470 99 88 77 over de hondenschool",
)
REMINDER_OUTCOMES = (("remind_sent", 8), ("remind_blocked", 1), ("remind_late", 1))
ANSWERS = (("going", 5), ("not_going", 2), (None, 3))

# (offer id, organisation source, actor, status at submission, decision, hours until the decision, submitted at)
SUBMISSIONS = (
    ("kf-bingo", "OCMW Bilzen", 1, "pending", "published", 3, dt.datetime(2027, 1, 20, 10)),
    ("kf-petanque", "OCMW Bilzen", 1, "pending", "published", 26, dt.datetime(2027, 2, 3, 9)),
    ("kf-quiz", "OCMW Bilzen", 1, "pending", "published", 5, dt.datetime(2027, 4, 7, 14)),
    ("kf-breiclub", "OCMW Bilzen", 1, "pending", "cancelled", 30, dt.datetime(2027, 5, 2, 11)),
    ("kf-wandeling", "Welzijnsschakel De Brug", 2, "published", None, 0, dt.datetime(2027, 3, 1, 16)),
    ("kf-filmclub", "Welzijnsschakel De Brug", 2, "pending", None, 0, dt.datetime(2027, 6, 28, 12)),
    ("kf-oud", "OCMW Bilzen", 1, "pending", "published", 8, dt.datetime(2026, 12, 10, 9)),  # before the period
)


@dataclass
class Asked:
    at: dt.datetime  # local wall-clock time
    user: int
    text: str
    kind: str  # 'answerable', 'theme', 'greeting', 'rare', 'once'
    theme: str | None
    hits: list[str]
    info: bool = False  # 'Meer info' pressed on its first offer right after
    remind: bool = False  # a reminder asked for its first offer right after


@dataclass
class Ledger:
    """What the generator did, for counting by hand."""

    contacts: list[tuple[dt.datetime, int]] = field(default_factory=list)  # every message or button press
    questions: list[Asked] = field(default_factory=list)
    actions: list[tuple[dt.date, str, str]] = field(default_factory=list)  # (day, offer id, action)
    answers: list[tuple[dt.datetime, int, str, bool]] = field(default_factory=list)  # (date, user, offer, going)
    submissions: list[tuple[str, str, str, float | None, dt.datetime]] = field(default_factory=list)
    # (offer id, organisation, outcome 'approved'/'direct'/'refused'/'waiting', hours to approval, submitted UTC)
    campaign: tuple[str, dt.date, str] = ("", START, "")  # (tag, date, offer id)
    once: list[str] = field(default_factory=lambda: list(ONCE))  # still to be asked


class _Timeline:
    """Events in time order; running one may add later ones (a reminder's fate, an approval)."""

    def __init__(self, clock: ManualClock, tz: dt.tzinfo) -> None:
        self.clock = clock
        self.tz = tz
        self._events: list[tuple[dt.datetime, int, Callable[[], Awaitable[None]]]] = []
        self._seq = itertools.count()

    def at(self, local: dt.datetime, action: Callable[[], Awaitable[None]]) -> None:
        heapq.heappush(self._events, (local, next(self._seq), action))

    async def run(self) -> None:
        while self._events:
            local, _, action = heapq.heappop(self._events)
            # Sessions take a few minutes; time never runs back for the next event.
            self.clock.set(max(self.clock.now(), to_aware(local, self.tz)))  # type: ignore[arg-type]
            await action()


async def generate(core: Core, clock: ManualClock, *, seed: int = SEED) -> Ledger:
    """Play the half-year on `core` (whose clock is `clock`); return what was done."""
    rng = random.Random(seed)
    tz = core.settings.timezone
    # A made-up history needs no safety against power cuts: skip the fsync per commit (3x faster).
    await core.db.execute("PRAGMA synchronous = OFF")
    ledger = Ledger()
    timeline = _Timeline(clock, tz)
    clock.set(to_aware(dt.datetime.combine(START, dt.time(7, 0)), tz))
    await _tag_campaign(core, ledger)
    for submission in SUBMISSIONS:
        _plan_submission(core, timeline, ledger, *submission)
    for user in range(PEOPLE):
        _plan_person(core, timeline, ledger, rng, 50_000 + user)
    await timeline.run()
    return ledger


async def _tag_campaign(core: Core, ledger: Ledger) -> None:
    stored = await core.offers.get(CAMPAIGN_OFFER)
    assert stored is not None, f"the sample offers changed: {CAMPAIGN_OFFER} is missing"
    data = stored.offer.to_dict() | {"campaign": CAMPAIGN[0], "campaign_date": CAMPAIGN[1].isoformat()}
    await core.offers.save(Offer.from_dict(data), source="sample", actor="admin:1", status="published")
    ledger.campaign = (CAMPAIGN[0], CAMPAIGN[1], CAMPAIGN_OFFER)


def _plan_submission(
    core: Core,
    timeline: _Timeline,
    ledger: Ledger,
    offer_id: str,
    organisation: str,
    number: int,
    status: str,
    decision: str | None,
    hours: int,
    at: dt.datetime,
) -> None:
    offer = Offer.from_dict(
        {"id": offer_id, "kind": "activity", "title": f"{offer_id.removeprefix('kf-').title()} met de buren",
         "keywords": [offer_id.removeprefix("kf-")],
         "when": {"start": "2027-07-10T14:00", "end": "2027-07-10T16:00"}}
    )  # fmt: skip
    source = f"telegram:sleutelfiguur-{number} ({organisation})"

    async def submit() -> None:
        await core.offers.save(offer, source=source, actor=f"keyfigure:{number}", status=status)

    async def decide() -> None:
        await core.offers.set_status(offer_id, decision, actor="admin:1", expected=("pending",))  # type: ignore[arg-type]

    timeline.at(at, submit)
    utc = to_aware(at, timeline.tz).astimezone(dt.UTC)  # type: ignore[arg-type]
    if status == "published":
        ledger.submissions.append((offer_id, organisation, "direct", None, utc))
    elif decision is None:
        ledger.submissions.append((offer_id, organisation, "waiting", None, utc))
    else:
        timeline.at(at + dt.timedelta(hours=hours), decide)
        outcome = "approved" if decision == "published" else "refused"
        ledger.submissions.append((offer_id, organisation, outcome, hours if outcome == "approved" else None, utc))


def _plan_person(core: Core, timeline: _Timeline, ledger: Ledger, rng: random.Random, user: int) -> None:
    """When this person comes by: a first day, then now and then (or never again)."""
    days = (END - START).days
    first = START + dt.timedelta(days=rng.randrange(days - 5))
    loyalty = rng.choice((0.0, 0.0, 0.03, 0.06, 0.12))
    day = first
    while day <= END:
        if day == first or rng.random() < loyalty:
            moment = dt.datetime.combine(day, dt.time(rng.randrange(8, 21), rng.randrange(60)))
            questions = rng.choices((1, 2, 3), weights=(5, 3, 1))[0]
            timeline.at(moment, _session(core, timeline, ledger, random.Random(rng.random()), user, questions))
        day += dt.timedelta(days=1)


def _session(
    core: Core, timeline: _Timeline, ledger: Ledger, rng: random.Random, user: int, questions: int
) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        who = Who(user, user, "Test")
        for _ in range(questions):
            now = local_naive(timeline.clock.now(), timeline.tz)  # type: ignore[arg-type]
            kind, theme, text = _pick(rng, now.date(), ledger.once)
            reply = await core.conversation.ask(who, text)
            ledger.contacts.append((now, user))
            asked = Asked(now, user, text, kind, theme, list((reply.data or {}).get("hits", [])))
            ledger.questions.append(asked)
            if asked.hits and rng.random() < 0.35:
                stored = await core.offers.get(asked.hits[0])
                assert stored is not None
                await core.conversation.act(who, f"c1:i:{stored.pk}")
                ledger.contacts.append((now, user))
                ledger.actions.append((now.date(), asked.hits[0], "info"))
                asked.info = True
            if asked.hits and rng.random() < 0.2:
                await core.conversation.record_action("remind", asked.hits[0], who)
                ledger.actions.append((now.date(), asked.hits[0], "remind"))
                asked.remind = True
                _plan_reminder_fate(core, timeline, ledger, rng, asked.hits[0], now, user)
            timeline.clock.advance(dt.timedelta(minutes=rng.randrange(1, 4)))

    return run


def _pick(rng: random.Random, day: dt.date, once: list[str]) -> tuple[str, str | None, str]:
    roll = rng.random()
    if roll < 0.01 and once:
        return "once", None, once.pop()
    if roll < 0.08:
        return "greeting", None, rng.choice(GREETINGS)
    if roll < 0.11:
        return "rare", None, rng.choice(RARE)
    if roll < 0.38:
        theme = rng.choices(list(THEME_WEIGHTS), weights=list(THEME_WEIGHTS.values()))[0]
        return "theme", theme, rng.choice(THEMES[theme])
    # The flyer works: after the campaign date people ask about swimming more often.
    weights = [6 if q == "zwemmen" and day >= CAMPAIGN[1] else 1 for q in ANSWERABLE]
    return "answerable", None, rng.choices(ANSWERABLE, weights=weights)[0]


def _plan_reminder_fate(
    core: Core, timeline: _Timeline, ledger: Ledger, rng: random.Random, offer_id: str, asked: dt.datetime, user: int
) -> None:
    fate = rng.choices([a for a, _ in REMINDER_OUTCOMES], weights=[w for _, w in REMINDER_OUTCOMES])[0]
    answer = rng.choices([a for a, _ in ANSWERS], weights=[w for _, w in ANSWERS])[0] if fate == "remind_sent" else None
    when = asked + dt.timedelta(days=rng.randrange(1, 6), hours=rng.randrange(0, 3))
    if when.date() > END:
        return

    async def happen() -> None:
        await core.conversation.record_action(fate, offer_id)
        ledger.actions.append((when.date(), offer_id, fate))
        if answer is not None:  # as the reminder part keeps it: the person's answer for that date
            async with core.db.transaction() as tx:
                await core.reminders.answers.record(tx, user, offer_id, when, going=answer == "going")
            ledger.answers.append((when, user, offer_id, answer == "going"))

    timeline.at(when, happen)


async def _main(path: Path) -> None:
    from tests.helpers import clock_at, make_settings

    clock = clock_at(START.year, START.month, START.day, 7, 0)
    settings = dataclasses.replace(make_settings(path.parent), database_path=path)
    core = await open_core(settings, clock=clock)
    try:
        ledger = await generate(core, clock)
    finally:
        await core.close()
    print(f"{len(ledger.questions)} questions by {PEOPLE} people written to {path}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.insights.activity DATABASE_FILE")
    asyncio.run(_main(Path(sys.argv[1])))
