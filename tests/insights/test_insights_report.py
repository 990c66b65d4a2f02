"""The report on a generated half-year: every figure checked against counts made here from the generator's ledger.

The half-year (tests/insights/activity.py, fixed seed) runs once per module through the real core on
a real SQLite file. The expected numbers below are counted from what the generator did (who wrote
when, what they asked, what the bot answered, what they pressed), not with the report's SQL.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import datetime as dt
import io
import re
import shutil
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import html5lib
import pytest
from PIL import Image

from bot.cli import main
from bot.core import open_core
from bot.insights.figures import CAMPAIGN_WINDOW_DAYS, FOUND_RANK, TOP_OFFERS
from bot.insights.generate import make_report
from bot.insights.period import Period
from bot.insights.questionlog import MAX_LOGGED_OFFERS
from bot.insights.render import csv_text, html_page, markdown_text
from bot.insights.report import MAX_THEMES, Report, ReportBuilder, count, share
from bot.insights.scrub import normalise
from bot.offers.store import StoredOffer
from bot.platform.calendar import last_end
from bot.platform.texts import Texts
from tests.helpers import DATA, TZ, clock_at, make_settings
from tests.insights.activity import ONCE, RARE, THEMES, Asked, Ledger, generate

PERIOD = Period(dt.date(2027, 1, 1), dt.date(2027, 6, 30))
MONTHS = ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06"]


@dataclass
class HalfYear:
    path: Path
    ledger: Ledger
    report: Report
    offers: dict[str, StoredOffer]
    html: str
    csv: str
    md: str


@pytest.fixture(scope="module")
def half_year(tmp_path_factory: pytest.TempPathFactory) -> HalfYear:
    folder = tmp_path_factory.mktemp("halfyear")

    async def play() -> HalfYear:
        clock = clock_at(2026, 12, 1, 7, 0)
        core = await open_core(make_settings(folder), clock=clock)
        try:
            ledger = await generate(core, clock)
            clock.set(dt.datetime(2027, 7, 1, 9, 0, tzinfo=TZ))
            report = await make_report(
                core.db, core.texts, core.analyzer, PERIOD, now=clock.now(), tz=TZ, town="Bilzen"
            )
            offers = {
                s.offer.id: s for s in await core.offers.select(statuses=("draft", "pending", "published", "cancelled"))
            }
        finally:
            await core.close()
        return HalfYear(folder / "bot.sqlite3", ledger, report, offers, html_page(report), csv_text(report),
                        markdown_text(report))  # fmt: skip

    return asyncio.run(play())


# --- counting by hand -----------------------------------------------------------------------------


def in_period(moment: dt.datetime | dt.date) -> bool:
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    return PERIOD.contains(day)


def month(moment: dt.datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def questions(ledger: Ledger) -> list[Asked]:
    return [q for q in ledger.questions if in_period(q.at)]


def numbers(row: tuple[str, ...]) -> tuple[str, ...]:
    return row[1:]


def test_the_generated_half_year_is_what_it_claims(half_year):
    ledger = half_year.ledger
    assert len(questions(ledger)) > 500
    assert all(not q.hits for q in ledger.questions if q.kind == "greeting")
    meant = [q for q in ledger.questions if q.kind in ("theme", "rare", "once")]
    drifted = sorted({q.text for q in meant if q.hits})
    assert sum(not q.hits for q in meant) >= 0.8 * len(meant), f"these now find an offer, pick others: {drifted}"
    assert sum(1 for q in ledger.questions if q.kind == "answerable" and q.hits) > 300
    assert not ledger.once, "every one-off question was asked"


def test_people_reached_per_month_and_in_the_period(half_year):
    ledger = half_year.ledger
    first: dict[int, dt.datetime] = {}
    active: dict[str, set[int]] = defaultdict(set)
    for at, user in sorted(half_year.ledger.contacts):
        first.setdefault(user, at)
        active[month(at)].add(user)
    expected = []
    for m in MONTHS:
        new = {u for u in active[m] if month(first[u]) == m}
        expected.append((count(len(active[m])), count(len(new)), count(len(active[m]) - len(new))))
    in_range = {u for at, u in ledger.contacts if in_period(at)}
    new_in_range = {u for u in in_range if in_period(first[u])}
    expected.append((count(len(in_range)), count(len(new_in_range)), count(len(in_range - new_in_range))))
    assert [numbers(r) for r in half_year.report.table("people").rows] == expected
    assert len(in_range - new_in_range) > 0, "some people came before the period: the 'known before' case is tested"
    highlights = dict(half_year.report.highlights)
    assert highlights["Mensen bereikt"] == count(len(in_range))
    assert highlights["Nieuwe mensen"] == count(len(new_in_range))


def test_questions_outcomes_and_what_followed(half_year):
    asked = questions(half_year.ledger)
    answered = [q for q in asked if q.hits]
    greetings = [q for q in asked if q.kind == "greeting"]
    unanswered = len(asked) - len(answered) - len(greetings)
    rows = {r[0]: r[1:] for r in half_year.report.table("outcomes").rows}
    assert rows["Beantwoord met aanbod"] == (count(len(answered)), share(len(answered), len(asked)))
    assert rows["Groet of bericht zonder vraag"][0] == count(len(greetings))
    assert int(rows["Niets gevonden"][0]) + int(rows["Buiten ons aanbod (bv. werk, geld, wonen)"][0]) == unanswered
    assert rows["Totaal"] == (count(len(asked)), "100%")

    info = sum(q.info for q in answered)
    reminder = sum(q.remind for q in answered)
    either = sum(q.info or q.remind for q in answered)
    followed = [numbers(r) for r in half_year.report.table("followed").rows]
    assert followed == [
        (count(info), share(info, len(answered))),
        (count(reminder), share(reminder, len(answered))),
        (count(either), share(either, len(answered))),
    ]
    highlights = dict(half_year.report.highlights)
    assert highlights["Vragen gesteld"] == count(len(asked))
    assert highlights["Vragen beantwoord"] == share(len(answered), len(asked))
    assert highlights["Vragen zonder antwoord"] == count(unanswered)


def test_questions_per_week(half_year):
    per_week: dict[dt.date, list[int]] = {monday: [0, 0] for monday in PERIOD.weeks()}
    for q in questions(half_year.ledger):
        day = q.at.date()
        week = per_week[day - dt.timedelta(days=day.weekday())]
        week[0] += 1
        week[1] += bool(q.hits)
    expected = [(count(n), count(a), share(a, n)) for _, (n, a) in sorted(per_week.items())]
    rows = half_year.report.table("weeks").rows
    assert [numbers(r) for r in rows] == expected
    assert rows[0][0] == "1/1 – 3/1" and rows[-1][0] == "28/6 – 30/6"  # partial weeks say which days


def test_kinds_and_categories_found(half_year):
    kinds: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for q in questions(half_year.ledger):
        if q.hits:
            found = [half_year.offers[i].offer for i in q.hits[:FOUND_RANK]]
            kinds.update({o.kind for o in found})
            categories.update({c for o in found for c in o.categories})
    texts = ReportBuilder(_texts(half_year))
    assert dict(half_year.report.table("kinds").rows) == {texts.t(f"kind_{k}"): count(n) for k, n in kinds.items()}
    assert dict(half_year.report.table("categories").rows) == {c: count(n) for c, n in categories.items()}


def test_most_asked_offers(half_year):
    found: Counter[str] = Counter()
    for q in questions(half_year.ledger):
        found.update(q.hits[:FOUND_RANK])
    actions = Counter((offer, action) for day, offer, action in half_year.ledger.actions if in_period(day))
    top = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:TOP_OFFERS]
    expected = [
        (half_year.offers[i].offer.title, count(n), count(actions[i, "info"]), count(actions[i, "remind"]))
        for i, n in top
    ]
    rows = half_year.report.table("top_offers").rows
    assert [(r[0], *r[2:]) for r in rows] == expected


def test_offers_nobody_found(half_year):
    seen = {i for q in questions(half_year.ledger) for i in q.hits[:MAX_LOGGED_OFFERS]}  # the offers a question keeps
    seen |= {offer for day, offer, _ in half_year.ledger.actions if in_period(day)}
    expected = set()
    for stored in half_year.offers.values():
        end = last_end(stored.offer.when) if stored.offer.when else None
        available = stored.created_at < "2027-07-01" and (end is None or end.date() >= PERIOD.start)
        if stored.status == "published" and available and stored.offer.id not in seen:
            expected.add(stored.offer.title)
    rows = half_year.report.table("unfound").rows
    assert {r[0] for r in rows} == expected
    assert "Bingo met de buren" in expected  # a key figure's offer nobody asked about


def test_unmet_demand_grouped_in_themes(half_year):
    groups: dict[str, list[Asked]] = defaultdict(list)
    for q in questions(half_year.ledger):
        if not q.hits and q.kind != "greeting":
            groups[q.theme or q.text].append(q)  # a rare or one-off question is a theme of its own
    variants = {name: {normalise(v) for v in THEMES.get(name, (name,))} for name in groups}

    def people(items: list[Asked]) -> int:
        by_month: dict[str, set[int]] = defaultdict(set)
        for q in items:
            by_month[month(q.at)].add(q.user)
        return max(len(users) for users in by_month.values())

    shown = sorted(
        ((name, items) for name, items in groups.items() if len(items) >= 3 and people(items) >= 3),
        key=lambda item: -len(item[1]),
    )[:MAX_THEMES]
    other = sum(len(items) for name, items in groups.items() if name not in dict(shown))
    rows = half_year.report.table("themes").rows
    assert len(rows) == len(shown) + 1
    for name, items in shown:
        matching = [r for r in rows if r[2] and set(r[2].split(" · ")) <= variants[name]]
        assert len(matching) == 1, f"theme {name!r}: {rows}"
        assert matching[0][1] == count(len(items))
    assert rows[-1] == ("Andere vragen (thema's met minder dan 3 vragen of mensen)", count(other), "")
    assert other >= len(ONCE)
    assert {r[0] for r in rows} >= {"yoga", "rijbewijs", "werk"}
    for row in rows:
        assert not re.search(r"\d{3}|@", row[2]), f"an example still holds a number: {row[2]}"
    assert any("[telefoon]" in r[2] for r in rows) and any("[e-mail]" in r[2] for r in rows)
    assert RARE  # the rare questions are among the themes counted above


def test_reminders_and_ik_ga(half_year):
    actions = Counter(action for day, _, action in half_year.ledger.actions if in_period(day))
    # 'Ik ga': people, not presses. Per date the last answer wins; per activity and month a person counts once
    # (going when they go to one of its dates); the totals count each person once a month.
    last: dict[tuple[str, dt.datetime, int], bool] = {}
    for when, user, offer, going in half_year.ledger.answers:
        if in_period(when):
            last[(offer, when.replace(second=0, microsecond=0), user)] = going
    people: dict[tuple[str, tuple[int, int], int], bool] = {}
    monthly: dict[tuple[tuple[int, int], int], bool] = {}
    for (offer, when, user), going in last.items():
        month = (when.year, when.month)
        people[(offer, month, user)] = people.get((offer, month, user), False) or going
        monthly[(month, user)] = monthly.get((month, user), False) or going
    going_total = sum(monthly.values())
    dropped = actions["remind_blocked"] + actions["remind_late"] + actions["remind_dropped"] + actions["remind_failed"]
    expected = [
        actions["remind"], actions["remind_sent"], dropped, actions["remind_blocked"], actions["remind_late"],
        actions["remind_dropped"], actions["remind_failed"], going_total, len(monthly) - going_total,
    ]  # fmt: skip
    assert going_total >= 3 and len(monthly) - going_total >= 3  # the generator makes figures worth showing
    assert [r[1] for r in half_year.report.table("reminders").rows] == [count(n) for n in expected]
    per_offer: dict[str, Counter[str]] = defaultdict(Counter)
    for day, offer, action in half_year.ledger.actions:
        if in_period(day):
            per_offer[offer][action] += 1
    for (offer, _, _), going in people.items():
        per_offer[offer]["going" if going else "not_going"] += 1
    for row in half_year.report.table("reminders_per_activity").rows:
        (offer_id,) = [i for i, s in half_year.offers.items() if s.offer.title == row[0]]
        c = per_offer[offer_id]
        assert row[1:] == (count(c["remind"]), count(c["remind_sent"]), count(c["going"]), count(c["not_going"]))


def test_offers_added_by_key_figures(half_year):
    by_org: dict[str, list] = defaultdict(list)
    for _, organisation, outcome, hours, submitted in half_year.ledger.submissions:
        if in_period(submitted.astimezone(TZ).date()):
            by_org[organisation].append((outcome, hours))
    builder = ReportBuilder(_texts(half_year))
    expected = []
    for organisation, items in sorted(by_org.items(), key=lambda item: (-len(item[1]), item[0])):
        outcomes = Counter(o for o, _ in items)
        waits = [h for o, h in items if o == "approved"]
        expected.append(
            (organisation, str(len(items)), str(outcomes["approved"]), str(outcomes["direct"]),
             str(outcomes["refused"]), str(outcomes["waiting"]),
             builder.hours(statistics.median(waits) if waits else None), builder.hours(max(waits) if waits else None))
        )  # fmt: skip
    assert list(half_year.report.table("keyfigures").rows) == expected
    assert expected[0][:2] == ("OCMW Bilzen", "4") and expected[0][6:] == ("5 u", "26 u")


def test_campaign_before_and_after(half_year):
    tag, day, offer_id = half_year.ledger.campaign
    before = Period(day - dt.timedelta(days=CAMPAIGN_WINDOW_DAYS), day - dt.timedelta(days=1))
    after = Period(day, day + dt.timedelta(days=CAMPAIGN_WINDOW_DAYS - 1))

    def counted(window: Period) -> tuple[str, str, str]:
        asked = sum(1 for q in half_year.ledger.questions if window.contains(q.at.date()) and offer_id in q.hits[:3])
        acts = Counter(a for d, o, a in half_year.ledger.actions if o == offer_id and window.contains(d))
        return count(asked), count(acts["info"]), count(acts["remind"])

    (row,) = half_year.report.table("campaigns").rows
    b, a = counted(before), counted(after)
    assert row[0] == tag and row[3] == str(CAMPAIGN_WINDOW_DAYS)
    assert row[4:] == (b[0], a[0], b[1], a[1], b[2], a[2])
    assert int(a[0]) > int(b[0]), "the generated flyer made people ask about swimming more"


# --- the outputs ----------------------------------------------------------------------------------


def test_html_is_valid_html5_and_every_chart_is_a_png_of_its_stated_size(half_year):
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(half_year.html)  # raises on the first parse error
    assert document.get("lang") == "nl"
    assert document.find("head/meta").get("charset") == "utf-8"
    images = document.findall(".//img")
    assert len(images) == sum(len(s.charts) for s in half_year.report.sections) == 4
    for img in images:
        src = img.get("src")
        assert src.startswith("data:image/png;base64,")
        data = base64.b64decode(src.removeprefix("data:image/png;base64,"), validate=True)
        with Image.open(io.BytesIO(data)) as picture:
            assert picture.format == "PNG"
            assert picture.size == (int(img.get("width")), int(img.get("height")))
        assert img.get("alt")
    assert "http://" not in half_year.html and "https://" not in half_year.html, "self-contained: nothing to fetch"


def test_html_tables_hold_exactly_the_report_figures(half_year):
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(half_year.html)
    tables = document.findall(".//table")
    reported = [t for s in half_year.report.sections for t in s.tables if t.rows]
    assert len(tables) == len(reported)
    for element, table in zip(tables, reported, strict=True):
        rows = [tuple("".join(cell.itertext()) for cell in tr) for tr in element.find("tbody")]
        assert rows == list(table.rows), table.key


def test_csv_and_markdown_show_the_same_tables(half_year):
    lines = list(csv.reader(io.StringIO(half_year.csv.removeprefix("\ufeff")), delimiter=";"))
    for section in half_year.report.sections:
        for table in section.tables:
            start = lines.index([table.title])
            if not table.rows:
                assert lines[start + 1] == [table.empty]
                continue
            assert tuple(lines[start + 1]) == table.columns
            assert [tuple(r) for r in lines[start + 2 : start + 2 + len(table.rows)]] == list(table.rows)
            assert f"### {table.title}" in half_year.md
    people = half_year.report.table("people").rows[-1]
    assert f"| {' | '.join(people)} |" in half_year.md


def test_report_command_writes_html_csv_and_markdown(half_year, tmp_path, capsys):
    db = tmp_path / "copy.sqlite3"
    shutil.copy(half_year.path, db)
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    base = ["--config", str(config), "report", "--db", str(db), "--from", "2027-01-01", "--to", "2027-06-30"]
    assert main([*base, "--out", str(tmp_path / "rapport.html")]) == 0
    page = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    assert "Periode: 1 januari 2027 tot en met 30 juni 2027" in page
    capsys.readouterr()
    assert main([*base, "--format", "csv"]) == 0
    assert capsys.readouterr().out == half_year.csv  # the same figures, whoever asks and when
    assert main([*base, "--out", str(tmp_path / "rapport.md")]) == 0
    assert (tmp_path / "rapport.md").read_text(encoding="utf-8") == half_year.md.replace(
        half_year.report.generated_text,
        (tmp_path / "rapport.md").read_text(encoding="utf-8").split("· ")[1].split("\n")[0],
    )
    assert main([*base[:-4], "--from", "2027-06-30", "--to", "2027-01-01"]) == 2
    assert "before" in capsys.readouterr().err
    assert main([*base[:-4], "--from", "2027-02-30"]) == 2
    assert "2027-02-30" in capsys.readouterr().err


def _texts(half_year: HalfYear) -> Texts:
    return Texts.load(DATA / "texts.nl.toml")
