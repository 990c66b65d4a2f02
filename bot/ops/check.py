"""`python -m bot check`: is everything in place to run the bot? Said in plain words, line by line.

For the coordinator who installs or changes something: the config file, the data files they may edit
(texts, word list, holidays, sample offers), the database (readable, its schema version, SQLite's own
integrity check, owner-only permissions), the backups, and the token (Telegram's getMe). Nothing is
changed: the database is opened read-only, migrations wait for the next start. Exit status 1 when
something must be fixed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sqlite3
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.care.data import load_care
from bot.core import CARE_FILE, HOLIDAYS_FILE, LEXICON_FILE, SAMPLE_FILE, TEXTS_FILE
from bot.offers.fileformat import read_offer_file
from bot.offers.model import Offer
from bot.ops.backup import list_backups
from bot.platform import logs
from bot.platform.calendar import load_holidays
from bot.platform.config import PROJECT_ROOT, ConfigError, Settings, load_settings
from bot.platform.db import MigrationError, load_migrations
from bot.platform.frontend import FrontendMissing, load_frontend
from bot.platform.texts import Texts, placeholders
from bot.search.lexicon import load_lexicon
from bot.search.semantic.model import load_embedder

Level = Literal["ok", "note", "problem"]
MARKS: dict[Level, str] = {"ok": "ok     ", "note": "note   ", "problem": "PROBLEM"}
SHIPPED_TEXTS = PROJECT_ROOT / "data" / "texts.nl.toml"


@dataclass(frozen=True)
class Finding:
    level: Level
    topic: str
    text: str

    def line(self) -> str:
        return logs.REDACTOR.redact(f"{MARKS[self.level]} {self.topic}: {self.text}")


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def ok(self, topic: str, text: str) -> None:
        self.findings.append(Finding("ok", topic, text))

    def note(self, topic: str, text: str) -> None:
        self.findings.append(Finding("note", topic, text))

    def problem(self, topic: str, text: str) -> None:
        self.findings.append(Finding("problem", topic, text))

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "problem"]

    def text(self) -> str:
        lines = [f.line() for f in self.findings]
        count = len(self.problems)
        if count:
            lines.append(f"{count} problem{'s' if count > 1 else ''} to fix (the lines marked PROBLEM).")
        else:
            lines.append("All good: the bot can run.")
        return "\n".join(lines) + "\n"


def _others_can_read(path: Path) -> bool:
    return bool(stat.S_IMODE(path.stat().st_mode) & (stat.S_IRWXG | stat.S_IRWXO))


async def run_checks(
    config: Path | None = None,
    *,
    environ: Mapping[str, str] = os.environ,
    database: Path | None = None,
    api_seconds: float = 10.0,
) -> Report:
    report = Report()
    settings = _check_config(report, config, environ, database)
    if settings is None:
        return report
    logs.protect([settings.telegram.token, settings.telegram.webhook_secret])
    _check_data(report, settings)
    _check_search_model(report, settings, environ)
    _check_contact(report, settings)
    _check_sync(report, settings)
    _check_database(report, settings)
    _check_backups(report, settings)
    await _check_token(report, settings, api_seconds)
    return report


# --- config ---------------------------------------------------------------------------------------


def _check_config(
    report: Report, config: Path | None, environ: Mapping[str, str], database: Path | None
) -> Settings | None:
    try:
        settings = load_settings(config, environ)
    except ConfigError as error:
        report.problem("config", f"{error}. Nothing else was checked.")
        return None
    if database is not None:
        settings = dataclasses.replace(settings, database_path=database)
    source = settings.source
    if source is None:
        report.note("config", "no config file found: built-in defaults (see config.example.toml)")
    else:
        report.ok("config", f"{source} is valid")
        token_in_file = bool(settings.telegram.token) and not environ.get("TELEGRAM_BOT_TOKEN")
        if token_in_file and _others_can_read(source):
            report.problem(
                "config",
                f"{source} holds the bot token and other users of this computer can read it; fix: chmod 600 {source}",
            )
    tg = settings.telegram
    if not tg.token:
        report.problem("token", "no Telegram token: put it in config.toml ([telegram] token) or in TELEGRAM_BOT_TOKEN")
    if tg.mode == "webhook":
        secret = "a fixed secret" if tg.webhook_secret else "a new random secret at every start"
        report.ok("webhook", f"Telegram will call {tg.webhook_url}; the bot listens on "
                  f"{tg.webhook_listen}:{tg.webhook_port} and checks {secret}")  # fmt: skip
    return settings


# --- data files -----------------------------------------------------------------------------------


def _check_data(report: Report, settings: Settings) -> None:
    data = settings.data_dir
    path = data / TEXTS_FILE
    try:
        texts = Texts.load(path)
    except Exception as error:
        report.problem("texts", str(error))
    else:
        problems = _texts_against_shipped(texts) if path.resolve() != SHIPPED_TEXTS else []
        for problem in problems[:10]:
            report.problem("texts", f"{path}: {problem}")
        if len(problems) > 10:
            report.problem("texts", f"{path}: and {len(problems) - 10} more")
        if not problems:
            report.ok("texts", f"{path} ({len(texts.keys())} texts)")
    path = data / LEXICON_FILE
    try:
        load_lexicon(path)
    except Exception as error:
        report.problem("word list", str(error))
    else:
        report.ok("word list", str(path))
    path = data / CARE_FILE
    try:
        care = load_care(path)
    except Exception as error:
        report.problem("help lines", str(error))
    else:
        lines = ", ".join(f"{line.name} {line.number}" for line in care.lines.values() if line.number)
        report.ok("help lines", f"{path} ({len(care.rules)} word rules; {lines})")
    path = data / HOLIDAYS_FILE
    try:
        holidays = load_holidays(path)
    except Exception as error:
        report.problem("holidays", str(error))
    else:
        if holidays:
            report.ok("holidays", f"{path} ({len(holidays)} holidays, the last ends {holidays[-1].last})")
        else:
            report.note("holidays", f"{path}: no school holidays, so 'in de krokusvakantie' finds nothing")
    path = data / SAMPLE_FILE
    if path.is_file():
        try:
            read_offer_file(path)
        except Exception as error:
            report.problem("sample offers", str(error))


def _check_search_model(report: Report, settings: Settings, environ: Mapping[str, str]) -> None:
    """Whether questions are also understood by their meaning, or by the word list alone (and why)."""
    if not settings.search.semantic:
        report.note("search", "the language model is off in the config ([search] semantic = false): "
                    "the bot answers with the word list alone")  # fmt: skip
        return
    embedder = load_embedder(environ)
    if embedder.available:
        report.ok("search", f"word list and language model ({embedder.model_id})")
    else:
        report.note("search", f"no language model, the bot answers with the word list alone: {embedder.reason}")


def _check_contact(report: Report, settings: Settings) -> None:
    """The network's contact in the config and the offers of the same organisation must agree: people call the
    number on a card as readily as the one in 'niets gevonden'."""
    offers = _offers_to_compare(settings)
    if offers is None:
        return
    contact = settings.contact
    name = contact.name.strip().lower()
    phones: dict[str, list[str]] = {}
    addresses: dict[str, list[str]] = {}
    for offer_id, offer in offers:
        same_email = (offer.contact.email or "").lower() == contact.email.strip().lower()
        if same_email and offer.contact.phone and _digits(offer.contact.phone) != _digits(contact.phone):
            phones.setdefault(offer.contact.phone, []).append(offer_id)
        location = offer.location
        at_contact = location is not None and (location.name or "").strip().lower() == name
        if at_contact and location and location.address and not _same_address(location.address, contact.address):
            addresses.setdefault(location.address, []).append(offer_id)
    for phone, ids in phones.items():
        report.note("contact", f"{len(ids)} offers of {contact.email} give phone {phone} ({_some(ids)}); "
                    f"[contact] phone is {contact.phone}")  # fmt: skip
    for address, ids in addresses.items():
        report.note("contact", f"{len(ids)} offers put {contact.name} at {address} ({_some(ids)}); "
                    f"[contact] address is {contact.address}")  # fmt: skip
    if not phones and not addresses:
        report.ok("contact", f"{contact.name} in [contact] agrees with the offers ({contact.phone}, {contact.address})")


def _some(ids: list[str]) -> str:
    return ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _same_address(one: str, other: str) -> bool:
    def plain(text: str) -> str:
        return " ".join(text.lower().replace(",", " ").split())

    return plain(one) == plain(other)


def _offers_to_compare(settings: Settings) -> list[tuple[str, Offer]] | None:
    """The published offers of the database (read-only), else the sample offers; None when neither can be read."""
    path = settings.database_path
    if path.is_file():
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                rows = conn.execute("SELECT id, data FROM offers WHERE status = 'published'").fetchall()
            finally:
                conn.close()
            return [(row[0], Offer.from_dict(json.loads(row[1]))) for row in rows]
        except (sqlite3.Error, ValueError):
            pass
    sample = settings.data_dir / SAMPLE_FILE
    try:
        return [(offer.id, offer) for offer in read_offer_file(sample)] if sample.is_file() else None
    except Exception:
        return None


def _check_sync(report: Report, settings: Settings) -> None:
    """UiTdatabank and the iCal feeds: set up completely, and the term list readable."""
    uit = settings.sync.uit
    has_key = bool(uit.client_id or uit.api_key)
    if has_key and not uit.query:
        report.note("sync", "[sync.uit] has credentials but no query: the bot does not fetch UiTdatabank")
    elif uit.query and not has_key:
        report.note("sync", "[sync.uit] has a query but no client_id or api_key: the bot does not fetch UiTdatabank")
    elif uit.configured:
        report.ok("sync", f"UiTdatabank every {uit.every_hours:g} h: {uit.query}")
        mapping = settings.data_dir / "uitdatabank.toml"
        try:
            tomllib.loads(mapping.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            report.problem("sync", f"{mapping} cannot be read ({error}); UiTdatabank's terms cannot be mapped")
    for feed in settings.sync.ical:
        report.ok("sync", f"iCal feed {feed.name} every {feed.every_hours:g} h: {feed.url}")


def _texts_against_shipped(texts: Texts) -> list[str]:
    """An edited texts file against the one shipped with the bot: every key there, no unknown placeholders."""
    try:
        shipped = Texts.load(SHIPPED_TEXTS)
    except Exception:
        return []
    problems = []
    for key in sorted(shipped.keys()):
        if key not in texts.keys():  # noqa: SIM118 - Texts is no dict
            problems.append(f"the text {key!r} is missing")
            continue
        unknown = placeholders(texts.template(key)) - placeholders(shipped.template(key))
        if unknown:
            problems.append(f"{key} uses {{{sorted(unknown)[0]}}}, which the bot does not fill in there")
    return problems


# --- database -------------------------------------------------------------------------------------


def _check_database(report: Report, settings: Settings) -> None:
    path = settings.database_path
    try:
        migrations = load_migrations()
    except MigrationError as error:
        report.problem("database", f"the program's migrations are broken: {error}")
        return
    latest = migrations[-1].version
    if not path.exists():
        folder = path.parent
        while not folder.exists():
            folder = folder.parent
        if os.access(folder, os.W_OK):
            report.note("database", f"{path} does not exist yet; the bot creates it at its first start")
        else:
            report.problem("database", f"{path} does not exist and {folder} is not writable for this user")
        return
    if not os.access(path, os.R_OK | os.W_OK) or not os.access(path.parent, os.W_OK):
        report.problem("database", f"{path} (or its folder) is not readable and writable for this user")
        return
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        report.problem("database", f"{path} cannot be opened: {error}")
        return
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        offers = conn.execute("SELECT count(*) FROM offers").fetchone()[0] if "offers" in tables else None
        outbox = dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state")) if "outbox" in tables else {}
    except sqlite3.DatabaseError as error:
        report.problem("database", f"{path} is not a readable SQLite database: {error}")
        return
    finally:
        conn.close()
    if result != ["ok"]:
        shown = "; ".join(result[:3])
        report.problem("database", f"{path} is damaged (SQLite: {shown}); restore a backup: python -m bot restore FILE")
        return
    if version > latest:
        report.problem("database", f"{path} has schema version {version}, newer than this program ({latest}): "
                       "install the newer program again")  # fmt: skip
        return
    if version == 0 or "offers" not in tables:
        report.problem("database", f"{path} is not a database of this bot")
        return
    upgrade = f"; it is upgraded from version {version} to {latest} at the next start" if version < latest else ""
    report.ok("database", f"{path}: intact, {offers} offers, schema version {version}{upgrade}")
    if outbox.get("planned") or outbox.get("failed"):
        report.ok("reminders", f"{outbox.get('planned', 0)} planned, {outbox.get('sent', 0)} sent, "
                  f"{outbox.get('failed', 0)} given up after network failures")  # fmt: skip
    loose = [p.name for p in (path, *_sidecars(path)) if p.exists() and _others_can_read(p)]
    if loose:
        report.problem("database", f"other users of this computer can read {', '.join(loose)} "
                       f"(personal data); fix: chmod 600 {path}*")  # fmt: skip


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


def _check_backups(report: Report, settings: Settings) -> None:
    folder = settings.backup_folder
    if folder is None:
        report.note("backups", 'daily backups are off ([backup] folder = ""); make them yourself: python -m bot backup')
        return
    found = list_backups(folder)
    if not found:
        report.note("backups", f"none yet in {folder}; the bot makes one every day at {settings.backup.at:%H:%M}")
        return
    newest = found[-1]
    taken = dt.datetime.fromtimestamp(newest.stat().st_mtime)
    age = dt.datetime.now() - taken
    text = f"{len(found)} in {folder}, the newest from {taken:%Y-%m-%d %H:%M}"
    if age > dt.timedelta(days=2):
        report.problem("backups", f"{text}: more than two days old; is the bot running?")
    else:
        report.ok("backups", text)


# --- Telegram -------------------------------------------------------------------------------------


async def _check_token(report: Report, settings: Settings, seconds: float) -> None:
    if not settings.telegram.token:
        return
    try:
        frontend = load_frontend()
    except FrontendMissing as error:
        report.problem("token", str(error))
        return
    result = await frontend.check_token(settings, seconds=seconds)
    if result.problem:
        report.problem("token", result.problem)
        return
    report.ok("token", f"Telegram knows the token: the bot is @{result.username}")
    tg = settings.telegram
    if tg.mode == "webhook" and result.webhook_error:
        report.problem("webhook", f"Telegram's last call to the webhook failed: {result.webhook_error}")
    if tg.mode == "polling" and result.webhook_url:
        report.note("webhook", "Telegram still has a webhook set; the bot removes it when it starts polling")
