"""kill -9 of a real bot process in the middle of its work leaves a consistent database.

The processes are real (`python -m bot import`, `python -m bot run` against the fake Bot API server of this
test); the moment of the kill is chosen by watching the database: a thread tries to take SQLite's write
lock, and when the bot holds it (it is inside a transaction) the bot is killed at once. Afterwards SQLite's
integrity check passes, the audit trail agrees with every offer's status, the search index holds exactly the
published offers, and the bot starts again and carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import json
import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core import open_core
from bot.offers.model import Offer
from bot.platform.calendar import ManualClock
from bot.platform.config import PROJECT_ROOT, load_settings
from tests.fakebotapi import FakeBotApi
from tests.helpers import eventually
from tests.reminders.helpers import activity

ADMIN, KEY_FIGURE = 900, 700
PENDING = 12


# --- what a consistent database is ------------------------------------------------------------------


def consistency(path: Path) -> dict[str, object]:
    """The facts checked after a crash; raises AssertionError on any inconsistency."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")  # one snapshot for all the reads below: a running bot may write meanwhile
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        statuses = dict(conn.execute("SELECT id, status FROM offers").fetchall())
        replayed: dict[str, str] = {}
        for offer_id, action, details in conn.execute(
            "SELECT offer_id, action, details FROM offer_events ORDER BY seq"
        ):
            details = json.loads(details)
            if action == "created":
                replayed[offer_id] = details["status"]
            elif action == "updated" and "status" in details:
                replayed[offer_id] = details["status"][1]
            elif action == "status":
                replayed[offer_id] = details["to"]
            elif action == "deleted":
                replayed.pop(offer_id, None)
        wrong = {k: (v, replayed.get(k)) for k, v in statuses.items() if replayed.get(k) != v}
        assert not wrong, f"audit trail and status disagree: {wrong}"
        published = {pk for (pk,) in conn.execute("SELECT pk FROM offers WHERE status = 'published'")}
        indexed = {rowid for (rowid,) in conn.execute("SELECT rowid FROM offer_text")}
        assert indexed == published, "the search index does not hold exactly the published offers"
        counts = {s: n for s, n in conn.execute("SELECT status, count(*) FROM offers GROUP BY status")}
        return {"offers": len(statuses), "events": conn.execute("SELECT count(*) FROM offer_events").fetchone()[0],
                **counts}  # fmt: skip
    finally:
        conn.close()


class LockWatcher(threading.Thread):
    """Kills `pid` (SIGKILL) the moment another connection finds the database's write lock taken."""

    def __init__(self, path: Path, pid: int, *, give_up: float = 30.0) -> None:
        super().__init__(daemon=True)
        self.path, self.pid, self.give_up = path, pid, give_up
        self.killed_in_transaction = False
        self.stop = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        deadline = time.monotonic() + self.give_up
        try:
            while not self.stop.is_set() and time.monotonic() < deadline:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("ROLLBACK")
                except sqlite3.OperationalError as error:
                    if "locked" in str(error) or "busy" in str(error):
                        os.kill(self.pid, signal.SIGKILL)
                        self.killed_in_transaction = True
                        return
                    raise
                time.sleep(0.0005)
        finally:
            conn.close()


def environment() -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "BOT_CONFIG")}
    environ["PYTHONPATH"] = str(PROJECT_ROOT)
    return environ


@contextlib.asynccontextmanager
async def bot_process(config: Path, api: FakeBotApi, log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot run` polling the fake server; killed (if still alive) on exit."""
    polls = len(api.calls_to("getUpdates"))
    with log.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config), "run",
            stdout=asyncio.subprocess.DEVNULL, stderr=stderr, cwd=config.parent, env=environment(),
        )  # fmt: skip
    try:
        await eventually(lambda: len(api.calls_to("getUpdates")) > polls or process.returncode is not None,
                         timeout=30, what="the bot process polling")  # fmt: skip
        assert process.returncode is None, "the bot process stopped at once: see its log " + str(log)
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


# --- kill -9 during an import -------------------------------------------------------------------------


def big_offer_file(path: Path, count: int) -> Path:
    offers = [
        {
            "id": f"workshop-{i}",
            "kind": "activity",
            "title": f"Workshop nummer {i} in de bibliotheek",
            "summary": "Samen iets maken met hout, verf en papier. " * 3,
            "keywords": ["knutselen", f"reeks{i % 17}"],
            "price": {"regular": 5, "reduced": 1},
            "when": {
                "start": f"2027-{1 + i % 12:02d}-{1 + i % 27:02d}T14:00",
                "end": f"2027-{1 + i % 12:02d}-{1 + i % 27:02d}T16:00",
            },
            "location": {"name": "Bibliotheek", "address": "Kloosterstraat 1, 3740 Bilzen"},
        }
        for i in range(count)
    ]
    path.write_text(json.dumps({"version": 1, "offers": offers}), encoding="utf-8")
    return path


async def test_kill_9_during_an_import_leaves_the_database_as_before_and_the_import_can_be_repeated(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "bot.sqlite3"\n[backup]\nfolder = ""\n', encoding="utf-8")
    database = tmp_path / "bot.sqlite3"
    offers = big_offer_file(tmp_path / "aanbod.json", 3000)
    settings = load_settings(config, environ={})
    core = await open_core(settings)  # the sample offers, as on a fresh install
    await core.close()
    before = consistency(database)

    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "import", str(offers),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, cwd=tmp_path, env=environment(),
    )  # fmt: skip
    watcher = LockWatcher(database, process.pid)
    watcher.start()
    _, stderr = await process.communicate()
    watcher.stop.set()
    watcher.join()
    assert watcher.killed_in_transaction, f"the import ended before it could be killed: {stderr.decode()[-500:]}"
    assert process.returncode == -signal.SIGKILL

    assert consistency(database) == before  # all or nothing: nothing
    again = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "import", str(offers),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=tmp_path, env=environment(),
    )  # fmt: skip
    out, err = await again.communicate()
    assert again.returncode == 0, err.decode()
    assert "3000 new" in out.decode()
    after = consistency(database)
    assert after["offers"] == before["offers"] + 3000


# --- kill -9 during approvals -------------------------------------------------------------------------


@pytest.fixture
async def bot_config(tmp_path, fake_api) -> Path:
    """A config for a bot on the fake server, with a database holding PENDING offers of a key figure."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{fake_api.token}"\napi_base_url = "{fake_api.base_url}"\nadmins = [{ADMIN}]\n'
        '[database]\npath = "bot.sqlite3"\n[backup]\nfolder = ""\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    core = await open_core(load_settings(config, environ={}))
    try:
        await core.people.seen(KEY_FIGURE, KEY_FIGURE)
        for i in range(PENDING):
            offer = Offer.from_dict({"id": f"voorstel-{i}", "kind": "activity", "title": f"Voorstel {i}",
                                     "when": {"start": f"2027-02-{i + 1:02d}T14:00"}})  # fmt: skip
            await core.offers.save(offer, source="telegram:sleutelfiguur-1", actor="keyfigure:1", status="pending")
            await core.keyfigures.registry.record_submission(offer.id, user_id=KEY_FIGURE, key_figure_id=None)
    finally:
        await core.close()
    return config


def press_all(api: FakeBotApi, user_id: int, label: str, only: list | None = None) -> int:
    """Press `label` on every message (of the chat, or `only` these) that has it, all at once (a coordinator
    tapping fast); returns how many were pressed."""
    user = api.user(user_id)
    pressed = 0
    for message in api.sent_to(user_id) if only is None else only:
        for row in message.buttons:
            for button in row:
                if button.text == label:
                    query_id = str(next(api._query_ids))
                    raw = copy.deepcopy(api._messages[user_id][message.message_id].raw)
                    query = {"id": query_id, "from": user.user, "message": raw, "chat_instance": "ci",
                             "data": button.data}  # fmt: skip
                    api._callback_queries[query_id] = query
                    api.push_update({"callback_query": query})
                    pressed += 1
    return pressed


async def test_kill_9_during_approvals_leaves_a_consistent_database_and_the_bot_carries_on(
    bot_config, fake_api, tmp_path
):
    database = tmp_path / "bot.sqlite3"
    log = tmp_path / "bot.log"
    before = consistency(database)
    assert before["pending"] == PENDING
    admin = fake_api.user(ADMIN, first_name="Coördinator")
    async with bot_process(bot_config, fake_api, log) as process:
        listing = await admin.send("/nakijken", timeout=15)
        assert len([m for m in listing if "Goedkeuren" in str(m.button_texts)]) == 10  # the bot shows 10 at a time
        watcher = LockWatcher(database, process.pid)
        watcher.start()
        assert press_all(fake_api, ADMIN, "✅ Goedkeuren") == 10
        await asyncio.wait_for(process.wait(), 30)
        watcher.stop.set()
        watcher.join()
    assert watcher.killed_in_transaction, log.read_text(encoding="utf-8")[-2000:]
    assert process.returncode == -signal.SIGKILL

    after = consistency(database)  # integrity, audit trail = status, index = published offers
    assert after["offers"] == before["offers"]
    approved = after.get("published", 0) - before.get("published", 0)
    assert after.get("pending", 0) == PENDING - approved
    assert 0 <= approved < 10

    # The bot starts again on the same file, and the coordinator approves what is still pending (presses that
    # Telegram still held are handled once more; an offer already published says so and changes nothing).
    async with bot_process(bot_config, fake_api, log):
        for _ in range(3):
            pending = consistency(database).get("pending", 0)
            if not pending:
                break
            listing = await admin.send("/nakijken", timeout=15)
            shown = press_all(fake_api, ADMIN, "✅ Goedkeuren", only=listing)
            assert shown == min(pending, 10)
            await eventually(lambda p=pending, n=shown: consistency(database).get("pending", 0) <= p - n, timeout=20,
                             what="the approvals after the restart")  # fmt: skip
    final = consistency(database)
    assert final.get("pending", 0) == 0 and final["offers"] == before["offers"]
    assert final["published"] == before.get("published", 0) + PENDING
    conn = sqlite3.connect(database)
    twice = conn.execute(
        "SELECT offer_id FROM offer_events WHERE action = 'status' GROUP BY offer_id HAVING count(*) > 1"
    ).fetchall()
    conn.close()
    assert twice == []  # no offer approved twice


# --- kill -9 during a reminder batch ------------------------------------------------------------------

BATCH = 100
FIRST_PERSON = 3001


async def reminder_batch_config(tmp_path: Path, api: FakeBotApi) -> Path:
    """A bot whose database holds BATCH reminders that are due now (by the real clock the process uses)."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{api.token}"\napi_base_url = "{api.base_url}"\n'
        '[database]\npath = "bot.sqlite3"\n[backup]\nfolder = ""\n'
        # No quiet hours (the test may run at night) and a brisk pace.
        '[reminders]\nquiet_start = "12:00"\nquiet_end = "12:00"\nmessages_per_second = 50\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    settings = load_settings(config, environ={})
    tz = settings.timezone
    now = dt.datetime.now(tz)
    start = (now + dt.timedelta(minutes=90)).replace(second=0, microsecond=0, tzinfo=None)
    # Subscribed an hour ago: the "2 hours before" reminder was due half an hour ago; the activity is still ahead.
    core = await open_core(settings, clock=ManualClock(now - dt.timedelta(hours=1)), load_sample=False)
    try:
        stored = await core.offers.save(activity("kampvuur", start.isoformat(timespec="minutes")), source="t",
                                        actor="t", status="published")  # fmt: skip
        for user_id in range(FIRST_PERSON, FIRST_PERSON + BATCH):
            await core.people.seen(user_id, user_id)
            await core.reminders.subscribe(user_id, stored.pk, day_before=False, hours_before=True, every_time=False)
        assert await core.outbox.states() == {"planned": BATCH}
    finally:
        await core.close()
    return config


def reminders_received(api: FakeBotApi) -> dict[int, int]:
    received: dict[int, int] = {}
    for user_id in range(FIRST_PERSON, FIRST_PERSON + BATCH):
        n = sum(1 for m in api.sent_to(user_id) if (m.text or "").startswith("⏰ Herinnering"))
        if n:
            received[user_id] = n
    return received


def outbox_states(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
    finally:
        conn.close()


async def test_kill_9_during_a_reminder_batch_loses_no_reminder_and_repeats_at_most_one(fake_api, tmp_path):
    config = await reminder_batch_config(tmp_path, fake_api)
    database = tmp_path / "bot.sqlite3"
    log = tmp_path / "bot.log"
    before = consistency(database)
    async with bot_process(config, fake_api, log) as process:
        await eventually(lambda: sum(reminders_received(fake_api).values()) >= 30 or process.returncode is not None,
                         timeout=30, what="the first 30 reminders")  # fmt: skip
        watcher = LockWatcher(database, process.pid)
        watcher.start()
        await asyncio.wait_for(process.wait(), 30)
        watcher.stop.set()
        watcher.join()
    assert watcher.killed_in_transaction and process.returncode == -signal.SIGKILL

    assert consistency(database) == before  # offers untouched, index and audit trail intact
    states = outbox_states(database)
    delivered = sum(reminders_received(fake_api).values())
    assert sum(states.values()) == BATCH and set(states) <= {"sent", "planned", "sending"}
    assert states.get("sending", 0) <= 1  # at most the one message in flight
    assert 30 <= delivered < BATCH, "killed in the middle of the batch"
    assert delivered - states.get("sent", 0) in (0, 1)  # delivered but not yet marked: at most one

    async with bot_process(config, fake_api, log):
        await eventually(lambda: outbox_states(database) == {"sent": BATCH}, timeout=30,
                         what="the rest of the batch after the restart")  # fmt: skip
    received = reminders_received(fake_api)
    assert set(received) == set(range(FIRST_PERSON, FIRST_PERSON + BATCH))  # nobody lost their reminder
    assert sum(received.values()) - BATCH <= 1 and max(received.values()) <= 2  # at most one sent twice
    assert consistency(database) == before
