"""`python -m bot ...`: run the bot, chat in the terminal, ask, import, export, and more.

The `ask` command is a stable contract used by outside evaluations:

    python -m bot ask [--db PATH] [--today YYYY-MM-DD] [--limit N] [--json] [QUERY]

With --json it prints exactly one JSON object a line per question:
{"query": str, "results": [{"id": str, "title": str, "score": float}], "suggestion": str|null,
 "care": "suicide"|"violence"|"emergency"|"distress"|"material"|"money"|null, "lang": str}
`--lang nl|en|fr|uk|ar|tr|ru` says which language the questions are in; without it each question's language
is detected (bot/lang/detect.py: Dutch unless clearly another). "lang" is the language it was read and
answered in; a question in another language never gets a "suggestion" (a Dutch word it did not write).
The care check runs first (bot/care): for suicide, violence, emergency and material need "results" is
empty and "suggestion" null; for distress and money the results are the normal ones, the suggestion null.

So is `draft`, the draft the intake makes of a pasted announcement (it writes nothing anywhere):

    python -m bot draft [--today YYYY-MM-DD] [--json] [FILE|-]

Without --json it prints the preview a key figure sees; with --json one offer in the offer format
(docs/OFFER-FORMAT.md) on one line. FILE is read as UTF-8; without it (or with -) standard input.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from markupsafe import Markup

from bot.care.detect import Assessment
from bot.chat.cards import card, period_text
from bot.chat.replies import join_lines, to_plain
from bot.core import TEXTS_FILE, Core, open_core
from bot.keyfigures.draftview import notes_for, offer_card, preview, read_draft
from bot.keyfigures.editor import valid_offer
from bot.lang.detect import question_language
from bot.lang.languages import DUTCH, LANGUAGES
from bot.lang.speaking import speaking
from bot.offers.availability import proposable
from bot.offers.fileformat import MAX_FILE_BYTES, OfferFileError, dump_csv, dump_json, read_offer_file
from bot.offers.model import STATUSES, OfferError
from bot.offers.store import StoredOffer
from bot.ops import backup, runlock
from bot.platform import logs
from bot.platform.calendar import local_naive
from bot.platform.config import ConfigError, Settings, load_settings
from bot.platform.db import MigrationError
from bot.platform.frontend import FrontendMissing, load_frontend
from bot.platform.texts import Texts
from bot.search.matcher import Hit, SearchResult

log = logging.getLogger("bot")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
REPORT_FORMATS = ("html", "csv", "md")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2027-03-13, got {text!r}") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="De vrijetijdsbot van het Lokaal Netwerk Bilzen."
    )
    parser.add_argument("--config", type=Path, help="config file (default: $BOT_CONFIG or ./config.toml)")
    parser.add_argument("--verbose", "-v", action="store_true", help="log more, for debugging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", type=Path, help="SQLite database file (default: from the config)")
        return p

    with_db(sub.add_parser("run", help="run the Telegram bot (needs a token)"))
    chat = with_db(sub.add_parser("chat", help="chat with the bot in this terminal"))
    chat.add_argument("--lang", choices=LANGUAGES, default=None, help="the language to speak (default: detect)")

    ask = with_db(sub.add_parser("ask", help="answer questions (one argument, or one per line on stdin)"))
    ask.add_argument("--today", type=_date, help="the day relative dates refer to (YYYY-MM-DD)")
    ask.add_argument("--limit", type=_positive, default=None, help="at most this many offers (default 3)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--lang", choices=LANGUAGES, default=None, help="the questions' language (default: detect)")
    ask.add_argument("query", nargs="*", help="the question; without it, questions are read from stdin")

    imp = with_db(
        sub.add_parser("import", help="import offers from a JSON or CSV file, a UiTdatabank response or an .ics file")
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--max-mb", type=_positive, default=MAX_FILE_BYTES // 1_048_576, help="largest file accepted")

    syn = with_db(sub.add_parser("sync", help="fetch offers from UiTdatabank or the iCal feeds of the config now"))
    syn.add_argument("what", choices=("uit", "ical", "all"), help="uit: UiTdatabank; ical: the feeds; all: both")
    syn.add_argument("--feed", help="only this feed (its name in [[sync.ical]])")

    exp = with_db(sub.add_parser("export", help="write all offers as JSON or CSV"))
    exp.add_argument("--format", choices=("json", "csv"), default="json")
    exp.add_argument("--out", type=Path, help="file to write (default: standard output)")
    exp.add_argument("--status", choices=STATUSES, action="append", help="only offers with this status (repeatable)")

    hist = with_db(sub.add_parser("history", help="who changed an offer and when"))
    hist.add_argument("offer_id")

    invite = with_db(sub.add_parser("invite", help="a one-time invite link for a new key figure (sleutelfiguur)"))
    invite.add_argument("--days", type=_positive, help="how long the link works (default: keyfigures.invite_days)")

    with_db(sub.add_parser("reindex", help="rebuild the search index (after editing data/lexicon.toml)"))

    with_db(sub.add_parser("check", help="check config, data files, database, backups and token; exit 1 on a problem"))

    bak = with_db(sub.add_parser("backup", help="copy the database to DEST (safe while the bot runs)"))
    bak.add_argument("dest", type=Path, nargs="?", help="a file, or a folder for a dated copy (default: [backup])")

    res = with_db(sub.add_parser("restore", help="replace the database by a backup (stop the bot first)"))
    res.add_argument("file", type=Path)
    res.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    rep = with_db(sub.add_parser("report", help="the network's evaluation report: what people ask and what they miss"))
    rep.add_argument("--from", dest="start", metavar="DATE", help="first day (2027-01-01, or a month: 2027-01)")
    rep.add_argument("--to", dest="end", metavar="DATE", help="last day (default: today)")
    rep.add_argument("--format", choices=REPORT_FORMATS, help="html (default), csv or md; else from --out's suffix")
    rep.add_argument("--out", type=Path, help="file to write (default: rapport-FROM-TO.html; csv and md to stdout)")
    with_db(sub.add_parser("reminders", help="what the reminder outbox holds, and the anonymous counts"))

    draft = sub.add_parser("draft", help="the draft the bot makes of a pasted announcement (writes nothing)")
    draft.add_argument("--today", type=_date, help="the day dates without a year refer to (YYYY-MM-DD)")
    draft.add_argument("--json", action="store_true", help="one offer in the offer format, on one line")
    draft.add_argument("file", nargs="?", default="-", help="the text (UTF-8); - or nothing: standard input")
    _teach_parser(sub, with_db)
    return parser


def _teach_parser(sub: argparse._SubParsersAction, with_db: Callable[[argparse.ArgumentParser], object]) -> None:
    """`teach ...`: what coordinators taught the bot from unanswered questions (a stable contract)."""
    teach = sub.add_parser("teach", help="teach the bot from questions it could not answer (list, link, undo ...)")
    steps = teach.add_subparsers(dest="teach_command", metavar="STEP", required=True)
    listing = steps.add_parser("list", help="everything taught: who, when, later questions answered")
    listing.add_argument("--json", action="store_true", help="one JSON object per step")
    link = steps.add_parser("link", help="questions like QUESTION find these offers from now on")
    link.add_argument("question")
    link.add_argument("offer_ids", nargs="+", metavar="OFFER_ID")
    refer = steps.add_parser("refer", help="questions like QUESTION get TEXT: where to go instead")
    refer.add_argument("question")
    refer.add_argument("text")
    wish = steps.add_parser("wish", help="the offer for QUESTION is missing: counted as unmet demand in the report")
    wish.add_argument("question")
    wish.add_argument("--note", help="the coordinator's note for the report")
    ignore = steps.add_parser("ignore", help="leave QUESTION out of the list of unanswered questions")
    ignore.add_argument("question")
    undo = steps.add_parser("undo", help="undo step ID (see teach list)")
    undo.add_argument("id", type=_positive)
    export = steps.add_parser("export", help="write everything taught to FILE (JSON)")
    export.add_argument("file", type=Path)
    load = steps.add_parser("import", help="add what FILE holds and this database does not")
    load.add_argument("file", type=Path)
    for step in (listing, link, refer, wish, ignore, undo, export, load):
        with_db(step)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    # One line per event on stderr; the token is kept out of every line (bot.platform.logs), also with --verbose.
    logs.configure(verbose=args.verbose, level=logging.INFO if args.command in ("run", None) else logging.WARNING)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    if args.command == "check":  # reports a broken config itself, among the other findings
        return asyncio.run(_check(args))
    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        print(f"Config error: {error}", file=sys.stderr)
        return EXIT_USAGE
    logs.protect([settings.telegram.token, settings.telegram.webhook_secret])
    if getattr(args, "db", None):
        settings = dataclasses.replace(settings, database_path=args.db)
    command = args.command or ("run" if settings.telegram.token else "chat")
    try:
        return asyncio.run(_dispatch(command, args, settings))
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:  # `... | head`: the reader has what it wanted; no traceback for a closed pipe
        # Python's own advice: point stdout at devnull so the flush at exit does not fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except MigrationError as error:  # the database was left as it was; say why in one line, no traceback
        print(f"The database could not be upgraded, so nothing was changed: {error}", file=sys.stderr)
        return EXIT_FAILED


async def _dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "run":
        return await _run(settings)
    if command == "import":
        return await _import(args, settings)
    if command == "sync":
        return await _sync(args, settings)
    if command == "backup":
        return await _backup(args, settings)
    if command == "restore":
        return _restore(args, settings)
    if command == "draft":  # no database: a draft on the command line is only shown
        return _draft(args, settings)
    core = await open_core(settings)
    try:
        if command == "chat":
            from bot.chat.terminal import chat

            await chat(core.conversation, core.commands, core.texts, lang=getattr(args, "lang", None))
            return EXIT_OK
        if command == "ask":
            return await _ask(args, core)
        if command == "export":
            return await _export(args, core)
        if command == "history":
            return await _history(args, core)
        if command == "invite":
            return await _invite(args, core)
        if command == "report":
            return await _report(args, core)
        if command == "reminders":
            return await _reminders(core)
        if command == "teach":
            from bot.teach.commands import run_teach

            return await run_teach(args, core)
        if command == "reindex":
            count = await core.offers.rebuild_index()
            print(f"Search index rebuilt for {count} published offers.")
            if core.vectors.available:
                computed = await core.vectors.recompute_all()
                print(f"Meaning vectors computed again for {computed} offers.")
            return EXIT_OK
        raise AssertionError(command)
    finally:
        await core.close()


def _draft(args: argparse.Namespace, settings: Settings) -> int:
    if args.file == "-":
        if isinstance(sys.stdin, io.TextIOWrapper):
            sys.stdin.reconfigure(encoding="utf-8", errors="replace")
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.file).read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            print(f"Cannot read {args.file}: {error.strerror}", file=sys.stderr)
            return EXIT_USAGE
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8")
    texts = Texts.load(settings.data_dir / TEXTS_FILE)
    now = local_naive(dt.datetime.now(dt.UTC), settings.timezone)
    if args.today:
        now = dt.datetime.combine(args.today, now.time())
    read = read_draft(text, today=now.date(), tz=settings.timezone_name, texts=texts)
    if "empty_text" in read.warnings:
        print(to_plain(texts("keyfigures.draft.empty")), file=sys.stderr)
        return EXIT_FAILED
    offer = valid_offer(read.data)
    if args.json:
        print(json.dumps(offer.to_dict(), ensure_ascii=False), flush=True)
        return EXIT_OK
    notes = notes_for(read, texts, pasted=False)
    asked = [f"keyfigures.ask.{code}" for code in ("title", "when") if code in read.missing]
    if asked:  # the desk asks what is missing before it shows the preview
        intro = join_lines([texts("keyfigures.draft.made"), *notes, offer_card(offer, texts, now)])
        print(to_plain(str(intro)) + "\n\n" + to_plain(str(texts(asked[0].replace("title", "t").replace("when", "w")))))
        return EXIT_OK
    shown = preview(offer, texts, now, notes=notes)
    buttons = ["keyfigures.buttons.confirm", "keyfigures.buttons.edit", "keyfigures.buttons.cancel"]
    if shown.asks_date:
        buttons.append("keyfigures.buttons.set_date")
    print(to_plain(str(shown.body)) + "\n\n" + "   ".join(f"[{texts.label(b)}]" for b in buttons))
    return EXIT_OK


async def _run(settings: Settings) -> int:
    if not settings.telegram.token:
        print(
            "No Telegram token configured. Put it in config.toml (see config.example.toml) or in the\n"
            "environment variable TELEGRAM_BOT_TOKEN. Meanwhile, try the bot here: python -m bot chat",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        frontend = load_frontend()
    except FrontendMissing as error:
        print(f"Not started: {error}.", file=sys.stderr)
        return EXIT_FAILED
    try:
        await frontend.run(settings)
    except runlock.AlreadyRunning as error:
        print(f"Not started: {error}.", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


async def _check(args: argparse.Namespace) -> int:
    from bot.ops.check import run_checks

    report = await run_checks(args.config, database=args.db)
    sys.stdout.write(report.text())
    return EXIT_FAILED if report.problems else EXIT_OK


async def _backup(args: argparse.Namespace, settings: Settings) -> int:
    dest = args.dest or settings.backup_folder
    if dest is None:
        print("Say where the backup goes: python -m bot backup FOLDER (or set [backup] folder).", file=sys.stderr)
        return EXIT_USAGE
    try:
        path = await asyncio.to_thread(backup.make_backup, settings.database_path, dest)
        info = backup.inspect(path)
    except backup.BackupError as error:
        print(f"No backup made: {error}.", file=sys.stderr)
        return EXIT_FAILED
    print(f"Backup written to {path} ({info.describe()}).")
    return EXIT_OK


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    database = settings.database_path
    try:
        incoming = backup.inspect(args.file)
    except backup.BackupError as error:
        print(f"Not restored: {error}.", file=sys.stderr)
        return EXIT_FAILED
    busy = runlock.running(database)
    if busy:
        print(f"Not restored: {busy}.", file=sys.stderr)
        return EXIT_FAILED
    print(f"Backup:  {args.file} ({incoming.describe()})")
    if database.is_file():
        try:
            print(f"Current: {database} ({backup.inspect(database).describe()})")
        except backup.BackupError as error:
            print(f"Current: {database} ({error})")
        print("The current database is replaced by the backup; a copy of it is kept first.")
    else:
        print(f"There is no database at {database} yet: the backup becomes it.")
    if not args.yes:
        if not sys.stdin.isatty():
            print("Not restored: confirm with --yes when there is nobody to answer the question.", file=sys.stderr)
            return EXIT_USAGE
        answer = input("Type yes to restore: ").strip().lower()
        if answer not in ("yes", "ja", "y", "j"):
            print("Not restored: nothing was changed.")
            return EXIT_FAILED
    keep_in = settings.backup_folder or database.parent
    try:
        with runlock.hold(database):  # no bot may start while the database is being replaced
            kept = backup.restore(args.file, database, keep_copy_in=keep_in)
    except (backup.BackupError, runlock.AlreadyRunning) as error:
        print(f"Not restored: {error}.", file=sys.stderr)
        return EXIT_FAILED
    if kept is not None:
        print(f"The previous database was saved as {kept}.")
    print(f"Restored {database} from {args.file}. Start the bot again; it upgrades the database if needed.")
    return EXIT_OK


async def _ask(args: argparse.Namespace, core: Core) -> int:
    limit = args.limit or core.settings.search.max_results
    # Questions come from files and other programs: read them as UTF-8 and let a bad byte become U+FFFD
    # instead of stopping halfway (every later answer would be lost). JSON lines go out as UTF-8 always.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    if args.json and isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8")
    if args.query:
        questions: Iterable[str] = [" ".join(args.query).encode("utf-8", "surrogateescape").decode("utf-8", "replace")]
    else:
        questions = (line.rstrip("\r\n") for line in sys.stdin)
    for question in questions:
        lang = args.lang or question_language(question)
        with speaking(lang):
            await _answer_one(args, core, question, lang, limit)
    return EXIT_OK


async def _answer_one(args: argparse.Namespace, core: Core, question: str, lang: str, limit: int) -> None:
    """One question of `ask`, in its language: a JSON line, or the answer a person would read."""
    answer = await core.care.answer_for(question, today=args.today, lang=lang)
    care = answer.assessment.category
    if answer.result is None:  # a crisis: no search at all, the help lines only
        if args.json:
            line: dict[str, object] = {
                "query": question, "results": [], "suggestion": None, "care": care, "lang": lang
            }  # fmt: skip
            print(json.dumps(line, ensure_ascii=False), flush=True)
        else:
            print(_care_answer(core, answer.assessment))
        return
    result = answer.result
    taught = None
    if care is None:  # what coordinators taught (bot/teach), never for a person in trouble
        taught = await core.teacher.apply(question, result, today=args.today, count=False)
        result = taught.result
    hits = result.hits[:limit]
    stored = await core.offers.get_many([h.offer_id for h in hits])
    if args.json:
        line = {
            "query": question,
            "results": [
                {"id": h.offer_id, "title": stored[h.offer_id].offer.title, "score": h.score}
                for h in hits
                if h.offer_id in stored
            ],
            "suggestion": None if care else result.suggestion,
            "care": care,
            "lang": lang,
        }
        print(json.dumps(line, ensure_ascii=False), flush=True)
        return
    # A person reads this answer: what they can no longer go to (deadline past, full, postponed) is left
    # out, as in the chat (bot/offers/availability.py); the JSON above stays the matcher's answer.
    day = args.today or core.search.local_now().date()
    result, hits, stored = await _still_open(core, result, limit, day)
    if care is not None:  # distress or money: their line first, then what the search found
        print(_care_answer(core, answer.assessment))
        if care == "distress":
            print(await _company(core))
        if not hits:
            return
    if taught is not None and taught.referral:
        print(core.conversation.referral(taught.referral).messages[0].plain + "\n")
        return
    intro = core.texts("answer.found_one")
    if result.later_than is not None:  # only a time was asked, and nothing is on then
        intro = core.texts("answer.found_later", period=period_text(result.later_than, core.texts, today=day))
    later = await core.search.later(question, result, today=args.today, lang=lang)
    if later is not None:  # the JSON above stays the matcher's answer to the question as asked
        assert result.query.period is not None  # `later` only answers a question about a period
        asked = period_text(result.query.period, core.texts, today=day)
        intro = core.texts("answer.found_later", period=asked)
        result, hits, stored = await _still_open(core, later, limit, day)
    text = _human_answer(core, result, hits, stored, today=args.today, intro=intro)
    if core.care.points_to_106(answer.assessment, question, found=bool(hits)):
        text += "\n" + to_plain(core.care.pointer()) + "\n"
    print(text)


async def _still_open(
    core: Core, result: SearchResult, limit: int, day: dt.date
) -> tuple[SearchResult, tuple[Hit, ...], dict[str, StoredOffer]]:
    """The hits a person can still go to on `day` (or now, when `day` is today), the first `limit` of them."""
    now = core.search.local_now()
    if day != now.date():
        now = dt.datetime.combine(day, dt.time())
    everything = await core.offers.get_many([h.offer_id for h in result.hits])
    still = tuple(
        h for h in result.hits if h.offer_id not in everything or proposable(everything[h.offer_id].offer, now)
    )
    if len(still) != len(result.hits):
        result = dataclasses.replace(result, hits=still)
    hits = still[:limit]
    return result, hits, {h.offer_id: everything[h.offer_id] for h in hits if h.offer_id in everything}


async def _company(core: Core) -> str:
    """Under a distress answer: where you are welcome, who goes along (the offers for the need 'company')."""
    ids = await core.search.need_offers("company")
    stored = await core.offers.get_many(ids[:5])
    titles = [f"- {stored[i].offer.title}" for i in ids[:5] if i in stored]
    return "\n".join([to_plain(core.texts("care.distress.company")), *titles]) + "\n" if titles else ""


def _care_answer(core: Core, assessment: Assessment) -> str:
    """The care answer as a person reads it: the numbers in the text, each chat page on its own line."""
    message = core.care.message(assessment)
    links = [f"{button.text}: {button.url}" for row in message.buttons for button in row if button.url]
    return "\n".join([message.plain, *links]) + "\n"


def _human_answer(
    core: Core,
    result: SearchResult,
    hits: Sequence[Hit],
    stored: dict[str, StoredOffer],
    *,
    today: dt.date | None,
    intro: Markup,
) -> str:
    """The answer as a person would read it: the same cards and words as in the chat."""
    texts = core.texts
    if not hits:
        return core.conversation.nothing(result).messages[0].plain + "\n"
    lines = [to_plain(intro)]
    if texts.lang != DUTCH:  # the offers' own text stays Dutch: said once
        lines.append(to_plain(texts("answer.offer_in_dutch")))
    for hit in hits:
        found = stored.get(hit.offer_id)
        if found is None:
            continue
        day = today or core.search.local_now().date()
        text = card(found.offer, texts, next_start=hit.next_start, next_end=hit.next_end, today=day)
        lines += ["", to_plain(text)]
    if len(result.hits) > len(hits):
        lines += ["", f"(+ {len(result.hits) - len(hits)} meer)"]
    return "\n".join(lines) + "\n"


IMPORT_VECTORS_NOW = 1000  # an import waits for at most this many offer vectors (about 100 s)


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.offers.importers import detect

    try:
        with args.file.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        head = b""
    if detect(head, args.file.suffix.lower()) is not None:
        return await _import_source(args, settings)
    try:
        offers = read_offer_file(args.file, max_bytes=args.max_mb * 1_048_576)
    except (OfferFileError, OfferError) as error:
        print(f"Import failed, nothing was imported.\n{error}", file=sys.stderr)
        return EXIT_FAILED
    core = await open_core(settings, load_sample=False)
    try:
        summary = await core.offers.save_many(
            offers, source=f"import:{args.file.name}", actor=f"import:{args.file.name}"
        )
        missing = await core.vectors.pending()
        if missing:  # the bot reads them from the database; what is left is computed when the bot runs
            now = min(missing, IMPORT_VECTORS_NOW)
            print(
                f"Computing meaning vectors for {now} offers (about {now // 10 + 1} s)...", file=sys.stderr, flush=True
            )
            await core.vectors.fill(limit=now)
            if missing > now:
                print(f"The bot computes the other {missing - now} in the background when it runs.", file=sys.stderr)
    finally:
        await core.close()
    print(
        f"Imported {len(offers)} offers from {args.file.name}: {summary.added} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged."
    )
    return EXIT_OK


async def _import_source(args: argparse.Namespace, settings: Settings) -> int:
    """A UiTdatabank response or an iCal file: the same rules as a sync (see bot/offers/sync.py)."""
    from bot.offers.importers import SourceError

    raw = args.file.read_bytes()
    if len(raw) > args.max_mb * 1_048_576:
        print(f"Import failed, nothing was imported.\n{args.file}: larger than {args.max_mb} MB.", file=sys.stderr)
        return EXIT_FAILED
    core = await open_core(settings, load_sample=False)
    try:
        try:
            found = core.sources.read_file(args.file, raw)
        except (SourceError, OfferError) as error:
            print(f"Import failed, nothing was imported.\n{args.file.name}: {error}", file=sys.stderr)
            return EXIT_FAILED
        assert found is not None
        source, document = found
        report = await core.sources.import_file(source, document)
    finally:
        await core.close()
    print(f"Imported {len(document.items)} offers from {args.file.name}: {report.text()}")
    return EXIT_OK


async def _sync(args: argparse.Namespace, settings: Settings) -> int:
    """`python -m bot sync uit|ical|all`: fetch now, as the bot does on its schedule."""
    from bot.offers.importers import SourceError

    logs.protect([settings.sync.uit.client_id, settings.sync.uit.api_key])
    feeds = [f for f in settings.sync.ical if args.feed in (None, f.name)]
    if args.what in ("ical", "all") and not feeds:
        print(
            "No iCal feed in the config ([[sync.ical]] with name and url)"
            + (f" named {args.feed!r}" if args.feed else "")
            + ".",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.what in ("uit", "all") and not settings.sync.uit.configured:
        print(
            "UiTdatabank is not configured: set [sync.uit] client_id (or api_key) and query in config.toml.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    failed = False
    core = await open_core(settings, load_sample=False)
    try:
        if args.what in ("uit", "all"):
            try:
                print((await core.sources.sync_uit()).text())
            except (SourceError, OfferError) as error:
                print(f"uit: not synced, nothing was changed: {error}", file=sys.stderr)
                failed = True
        if args.what in ("ical", "all"):
            for feed in feeds:
                try:
                    print((await core.sources.sync_feed(feed)).text())
                except (SourceError, OfferError) as error:
                    print(f"ical:{feed.name}: not synced, nothing was changed: {error}", file=sys.stderr)
                    failed = True
    finally:
        await core.close()
    return EXIT_FAILED if failed else EXIT_OK


async def _export(args: argparse.Namespace, core: Core) -> int:
    stored = await core.offers.select(statuses=tuple(args.status or STATUSES))
    offers = [s.offer for s in stored]
    text = dump_json(offers, town=core.settings.town) if args.format == "json" else dump_csv(offers)
    if args.out:
        args.out.write_text(text, encoding="utf-8", newline="")
        print(f"Exported {len(offers)} offers to {args.out}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


async def _reminders(core: Core) -> int:
    """Counts only: nothing here names a person."""
    states = await core.outbox.states()
    print("Outbox: " + (", ".join(f"{state} {n}" for state, n in sorted(states.items())) or "empty"))
    wake = await core.outbox.next_wake(core.clock.now())
    if wake is not None:
        print(f"Next message due: {wake.astimezone(core.settings.timezone):%Y-%m-%d %H:%M}")
    counts = await core.outbox.counts()
    if counts:
        print("\nSince the start (kind, outcome, count):")
        for (kind, outcome), n in sorted(counts.items()):
            print(f"  {kind:<13} {outcome:<22} {n}")
    going = await core.reminders.going_counts()
    if going:
        print("\n'Ik ga' / 'Ik ga niet' per activity date:")
        for (offer_id, occurrence), (yes, no) in sorted(going.items()):
            print(f"  {occurrence}  {offer_id:<40} {yes:>4} / {no}")
    return EXIT_OK


async def _history(args: argparse.Namespace, core: Core) -> int:
    events = await core.offers.history(args.offer_id)
    if not events:
        print(f"No history for offer {args.offer_id!r}.", file=sys.stderr)
        return EXIT_FAILED
    for event in events:
        details = json.dumps(event.details, ensure_ascii=False) if event.details else ""
        print(f"{event.at}  {event.actor:<28} {event.action:<10} {details}")
    return EXIT_OK


async def _invite(args: argparse.Namespace, core: Core) -> int:
    """Print a one-time invite link; the key figure opens it in Telegram and gives name and organisation."""
    link, expires = await core.keyfigures.create_invite("cli", days=args.days)
    until = expires.astimezone(core.settings.timezone).strftime("%Y-%m-%d %H:%M")
    if link.startswith("https://"):
        print(f"Invite link for a new key figure (works once, until {until}):\n{link}")
    else:
        print(
            f"Invite code (works once, until {until}): {link}\n"
            f"The link is https://t.me/<bot username>?start={link}\n"
            "Set telegram.bot_username in config.toml to get the whole link printed."
        )
    return EXIT_OK


async def _report(args: argparse.Namespace, core: Core) -> int:
    from bot.insights.generate import make_report
    from bot.insights.period import PeriodError, parse_period
    from bot.insights.render import csv_text, html_page, markdown_text

    today = core.search.local_now().date()
    dates = [d for d in (args.start, args.end) if d]
    if args.end and not args.start:
        print("--to needs --from as well.", file=sys.stderr)
        return EXIT_USAGE
    try:
        period = parse_period(dates, today=today)
    except PeriodError as error:
        print(f"Cannot make the report: {error}.", file=sys.stderr)
        return EXIT_USAGE
    suffix = args.out.suffix.lower().lstrip(".") if args.out else ""
    kind = args.format or ("md" if suffix in ("md", "markdown") else "csv" if suffix == "csv" else "html")
    report = await make_report(
        core.db,
        core.texts,
        core.analyzer,
        period,
        now=core.clock.now(),
        tz=core.settings.timezone,
        town=core.settings.town,
        with_charts=kind == "html",
    )
    text = {"html": html_page, "csv": csv_text, "md": markdown_text}[kind](report)
    out = args.out
    if out is None and kind == "html":
        out = Path(f"rapport-{period.start}-{period.end}.html")
    if out is None:
        sys.stdout.write(text)
        return EXIT_OK
    out.write_text(text, encoding="utf-8", newline="")
    print(f"Report for {period.start} to {period.end} written to {out} ({kind}).", file=sys.stderr)
    return EXIT_OK
