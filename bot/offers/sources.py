"""Fetching the sources (UiTdatabank's Search API, iCal feeds, or a file of either) and syncing their offers.

The Search API is asked as its documentation describes (cultuurnet apidocs, Search API v3): `GET /events/`
with `embed=true` (whole events, with their places), `embedUitpasPrices=true` (the UiTPAS kansentarief
prices), the advanced query `q`, and `start`/`limit` paging through the `PagedCollection`; the client id goes
in the `x-client-id` header (an older API key in `x-api-key`). Only a fetch that got every page counts as
complete: only then can an event be 'gone'.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import aiohttp

from bot.offers.importers import SourceDocument, SourceError, detect
from bot.offers.importers.ical import parse_calendar
from bot.offers.importers.uitdatabank import TermMapping, parse_document
from bot.offers.store import OfferStore
from bot.offers.sync import SourceSync, SyncReport
from bot.platform.calendar import Clock, local_naive
from bot.platform.config import IcalFeedSettings, Settings, UitSyncSettings
from bot.platform.texts import Texts

log = logging.getLogger(__name__)

MAPPING_FILE = "uitdatabank.toml"
PAGE_SIZE = 200  # events per request (the API allows up to 2000)
MAX_PAGES = 50  # 10,000 events: the API's own limit on `start`
MAX_FEED_BYTES = 20 * 1024 * 1024
TIMEOUT = aiohttp.ClientTimeout(total=60, connect=15)


def uit_source() -> str:
    return "uit"


def ical_source(feed: str) -> str:
    return f"ical:{feed}"


async def fetch_uit(settings: UitSyncSettings, *, session: aiohttp.ClientSession | None = None) -> dict[str, Any]:
    """Every event of the query, page by page, as one PagedCollection; `complete` says whether all came."""
    headers = {"Accept": "application/ld+json"}
    if settings.client_id:
        headers["x-client-id"] = settings.client_id
    elif settings.api_key:
        headers["x-api-key"] = settings.api_key
    members: list[Any] = []
    total: int | None = None
    own = session is None
    session = session or aiohttp.ClientSession(timeout=TIMEOUT)
    try:
        for page in range(MAX_PAGES):
            params = {
                "q": settings.query,
                "embed": "true",
                "embedUitpasPrices": "true",
                "start": str(page * PAGE_SIZE),
                "limit": str(PAGE_SIZE),
            }
            async with session.get(f"{settings.base_url}/events/", params=params, headers=headers) as response:
                body = await response.read()
                if response.status != 200:
                    raise SourceError(f"the Search API answered {response.status}: {_problem(body)}")
            try:
                document = json.loads(body)
            except json.JSONDecodeError:
                raise SourceError("the Search API answered something that is not JSON") from None
            batch = document.get("member") if isinstance(document, dict) else None
            if not isinstance(batch, list):
                raise SourceError('the Search API answered without a "member" list')
            members.extend(batch)
            total = document.get("totalItems") if isinstance(document.get("totalItems"), int) else None
            if not batch or total is None or len(members) >= total:
                break
    except aiohttp.ClientError as error:
        raise SourceError(f"the Search API could not be reached ({type(error).__name__})") from None
    finally:
        if own:
            await session.close()
    complete = total is not None and len(members) >= total
    return {"member": members, "totalItems": total, "complete": complete}


def _problem(body: bytes) -> str:
    """The title of an RFC 7807 problem (publiq's errors), or the start of the body."""
    try:
        problem = json.loads(body)
        return str(problem.get("title") or problem.get("detail") or problem)[:200]
    except (json.JSONDecodeError, AttributeError):
        return body[:200].decode("utf-8", "replace")


async def fetch_feed(url: str, *, base: Path) -> bytes:
    """An iCal feed from the web, or a file (a path relative to the config's folder)."""
    if not url.lower().startswith(("http://", "https://")):
        return await asyncio.to_thread(_read_feed_file, url, base)
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.get(url, headers={"Accept": "text/calendar"}) as response,
        ):
            if response.status != 200:
                raise SourceError(f"the feed answered {response.status}")
            return await response.content.read(MAX_FEED_BYTES + 1)
    except aiohttp.ClientError as error:
        raise SourceError(f"the feed could not be reached ({type(error).__name__})") from None


def _read_feed_file(name: str, base: Path) -> bytes:
    path = Path(name).expanduser()
    path = path if path.is_absolute() else base / path
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_FEED_BYTES + 1)
    except OSError as error:
        raise SourceError(f"the feed file {path} cannot be read: {error.strerror}") from None


class OfferSources:
    """The sources of the config (UiTdatabank, the iCal feeds) and a source's file, brought into the offer store
    by one rule book (bot/offers/sync.py). Built once in bot/core.py; the scheduled jobs (handlers/sources.py)
    and the command line (`python -m bot sync`, `import`) use it."""

    def __init__(self, *, offers: OfferStore, settings: Settings, texts: Texts, clock: Clock) -> None:
        self.offers = offers
        self.settings = settings
        self.texts = texts
        self.clock = clock

    def _now(self) -> dt.datetime:
        return local_naive(self.clock.now(), self.settings.timezone)

    def _mapping(self) -> TermMapping:
        """data/uitdatabank.toml, read at each sync: a coordinator's change to it counts from the next sync."""
        return TermMapping.load(self.settings.data_dir / MAPPING_FILE)

    def _rules(self) -> SourceSync:
        return SourceSync(self.offers, new_status=self.settings.sync.new_status)

    def feed(self, name: str) -> IcalFeedSettings | None:
        """The feed of the config with this name."""
        return next((f for f in self.settings.sync.ical if f.name == name), None)

    async def sync_uit(self) -> SyncReport:
        """`python -m bot sync uit` and the scheduled job: fetch the query's events and apply them."""
        uit = self.settings.sync.uit
        if not uit.configured:
            raise SourceError("UiTdatabank is not configured: set [sync.uit] client_id (or api_key) and query")
        document = await fetch_uit(uit)
        parsed = parse_document(document, mapping=self._mapping(), texts=self.texts, tz=self.settings.timezone)
        return await self._rules().apply(uit_source(), parsed, complete=bool(document.get("complete")))

    async def sync_feed(self, feed: IcalFeedSettings) -> SyncReport:
        """`python -m bot sync ical` and the scheduled job: one feed, which holds everything the partner has."""
        source = self.settings.source
        raw = await fetch_feed(feed.url, base=(source.parent if source else Path.cwd()))
        if len(raw) > MAX_FEED_BYTES:
            raise SourceError(f"the feed is larger than {MAX_FEED_BYTES // 1_048_576} MB")
        parsed = parse_calendar(raw, feed=feed.name, tz=self.settings.timezone, now=self._now())
        return await self._rules().apply(ical_source(feed.name), parsed, complete=True)

    def read_file(self, path: Path, raw: bytes) -> tuple[str, SourceDocument] | None:
        """A UiTdatabank response or an iCal file given to `python -m bot import`; None for the bot's own format."""
        kind = detect(raw, path.suffix.lower())
        tz = self.settings.timezone
        if kind == "uit":
            try:
                document = json.loads(raw.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise SourceError(f"{path.name}: not valid JSON: {error}") from None
            return uit_source(), parse_document(document, mapping=self._mapping(), texts=self.texts, tz=tz)
        if kind == "ical":
            feed = path.stem
            return ical_source(feed), parse_calendar(raw, feed=feed, tz=tz, now=self._now())
        return None

    async def import_file(self, source: str, document: SourceDocument) -> SyncReport:
        """An import of a source's file: the same rules as a sync, but nothing is 'gone' (a file may hold a part)."""
        return await self._rules().apply(source, document, complete=False)
