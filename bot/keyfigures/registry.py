"""Key figures, their one-time invites and their sessions, in the database (no Telegram, no texts).

Names and organisations are personal data: they live only in `key_figures`, whose rows cascade away
with the person's `people` row on /vergeet. Everything else refers to a key figure by its number.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot.platform.calendar import Clock
from bot.platform.db import Database

INVITE_PREFIX = "sf_"  # deep link payloads of invites start with this; offers use 'offer-'
MAX_NAME = 80
MAX_ORGANISATION = 100


@dataclass(frozen=True)
class KeyFigure:
    id: int
    user_id: int
    name: str
    organisation: str
    trusted: bool
    active: bool

    @property
    def label(self) -> str:
        """How offers and the audit trail name this key figure: a number and the organisation, no name."""
        return f"sleutelfiguur-{self.id} ({self.organisation})"


class InviteResult(Enum):
    CLAIMED = "claimed"  # fresh code, now bound to this person: ask their name
    CONTINUE = "continue"  # this person already claimed it and is still registering
    ALREADY = "already"  # this person is already an active key figure
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Session:
    user_id: int
    step: str
    offer_id: str | None
    field: str | None
    data: dict[str, Any]
    updated_at: str = ""


@dataclass(frozen=True)
class Subscription:
    user_id: int
    category: str
    mode: str


def _key_figure(row: Any) -> KeyFigure:
    return KeyFigure(
        id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        organisation=row["organisation"],
        trusted=bool(row["trusted"]),
        active=bool(row["active"]),
    )


class Registry:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def _now(self) -> dt.datetime:
        return self.clock.now().astimezone(dt.UTC)

    def _stamp(self) -> str:
        return self._now().isoformat(timespec="seconds")

    # --- invites ------------------------------------------------------------------------------

    async def create_invite(self, *, created_by: str, days: int) -> tuple[str, dt.datetime]:
        """A fresh one-time code and when it expires (UTC)."""
        code = INVITE_PREFIX + secrets.token_urlsafe(16)
        expires = self._now() + dt.timedelta(days=days)
        await self.db.execute(
            "INSERT INTO keyfigure_invites (code, created_at, expires_at, created_by) VALUES (?, ?, ?, ?)",
            (code, self._stamp(), expires.isoformat(timespec="seconds"), created_by),
        )
        return code, expires

    async def claim_invite(self, code: str, user_id: int) -> InviteResult:
        """Bind the code to this person, atomically: two people opening one link cannot both get in.

        The person must already be in `people` (the caller notes them as seen first).
        """
        async with self.db.transaction() as tx:
            existing = await tx.fetchone("SELECT active FROM key_figures WHERE user_id = ?", (user_id,))
            row = await tx.fetchone(
                "SELECT expires_at, used_at, used_by FROM keyfigure_invites WHERE code = ?", (code,)
            )
            if existing is not None and existing["active"]:
                return InviteResult.ALREADY
            if row is None:
                return InviteResult.UNKNOWN
            if row["used_at"] is not None:
                return InviteResult.CONTINUE if row["used_by"] == user_id and existing is None else InviteResult.USED
            if dt.datetime.fromisoformat(row["expires_at"]) <= self._now():
                return InviteResult.EXPIRED
            await tx.execute(
                "UPDATE keyfigure_invites SET used_at = ?, used_by = ? WHERE code = ?", (self._stamp(), user_id, code)
            )
            return InviteResult.CLAIMED

    async def has_claimed(self, code: str, user_id: int) -> bool:
        value = await self.db.fetchval(
            "SELECT 1 FROM keyfigure_invites WHERE code = ? AND used_by = ?", (code, user_id)
        )
        return value is not None

    # --- key figures --------------------------------------------------------------------------

    async def register(self, user_id: int, name: str, organisation: str, *, changed_by: str) -> KeyFigure:
        """Make (or re-activate, after a revoke and a new invite) the key figure row."""
        now = self._stamp()
        await self.db.execute(
            """INSERT INTO key_figures (user_id, name, organisation, registered_at, changed_at, changed_by)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, organisation = excluded.organisation,
               active = 1, changed_at = excluded.changed_at, changed_by = excluded.changed_by""",
            (user_id, name[:MAX_NAME], organisation[:MAX_ORGANISATION], now, now, changed_by),
        )
        found = await self.by_user(user_id)
        assert found is not None
        return found

    async def by_user(self, user_id: int) -> KeyFigure | None:
        row = await self.db.fetchone("SELECT * FROM key_figures WHERE user_id = ?", (user_id,))
        return None if row is None else _key_figure(row)

    async def get(self, key_figure_id: int) -> KeyFigure | None:
        row = await self.db.fetchone("SELECT * FROM key_figures WHERE id = ?", (key_figure_id,))
        return None if row is None else _key_figure(row)

    async def key_figures(self, *, active_only: bool = True) -> list[KeyFigure]:
        sql = "SELECT * FROM key_figures" + (" WHERE active = 1" if active_only else "") + " ORDER BY organisation, id"
        return [_key_figure(r) for r in await self.db.fetchall(sql)]

    async def set_flag(self, key_figure_id: int, *, changed_by: str, trusted: bool | None = None,
                       active: bool | None = None) -> KeyFigure | None:  # fmt: skip
        sets = ["changed_at = ?", "changed_by = ?"]
        params: list[object] = [self._stamp(), changed_by]
        if trusted is not None:
            sets.append("trusted = ?")
            params.append(int(trusted))
        if active is not None:
            sets.append("active = ?")
            params.append(int(active))
        await self.db.execute(f"UPDATE key_figures SET {', '.join(sets)} WHERE id = ?", (*params, key_figure_id))
        return await self.get(key_figure_id)

    # --- sessions (multi-step exchanges) ------------------------------------------------------

    async def session(self, user_id: int) -> Session | None:
        row = await self.db.fetchone("SELECT * FROM keyfigure_sessions WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return Session(
            row["user_id"], row["step"], row["offer_id"], row["field"], json.loads(row["data"]), row["updated_at"]
        )

    async def set_session(
        self, user_id: int, step: str, *, offer_id: str | None = None, field: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        await self.db.execute(
            """INSERT INTO keyfigure_sessions (user_id, step, offer_id, field, data, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET step = excluded.step, offer_id = excluded.offer_id,
               field = excluded.field, data = excluded.data, updated_at = excluded.updated_at""",
            (user_id, step, offer_id, field, json.dumps(data or {}, ensure_ascii=False), self._stamp()),
        )

    async def clear_session(self, user_id: int) -> None:
        await self.db.execute("DELETE FROM keyfigure_sessions WHERE user_id = ?", (user_id,))

    # --- who submitted an offer ---------------------------------------------------------------

    async def record_submission(self, offer_id: str, *, user_id: int, key_figure_id: int | None) -> None:
        await self.db.execute(
            """INSERT INTO offer_submissions (offer_id, key_figure_id, submitted_by, created_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (offer_id) DO NOTHING""",
            (offer_id, key_figure_id, user_id, self._stamp()),
        )

    async def open_drafts(self, user_id: int, limit: int = 5) -> list[tuple[int, str]]:
        """(pk, title) of the drafts this person forwarded and never confirmed, newest first: after a
        preview got lost on the way (Telegram down), /nieuw brings them back."""
        rows = await self.db.fetchall(
            """SELECT o.pk, o.title FROM offer_submissions s JOIN offers o ON o.id = s.offer_id
               WHERE s.submitted_by = ? AND o.status = 'draft' ORDER BY o.updated_at DESC, o.pk DESC LIMIT ?""",
            (user_id, limit),
        )
        return [(r["pk"], r["title"]) for r in rows]

    async def submitter(self, offer_id: str) -> int | None:
        """The Telegram user id of whoever forwarded the offer (None: imported, or they used /vergeet)."""
        return await self.db.fetchval("SELECT submitted_by FROM offer_submissions WHERE offer_id = ?", (offer_id,))

    # --- subscriptions and notices --------------------------------------------------------------

    async def subscribe(self, user_id: int, category: str, mode: str) -> None:
        await self.db.execute(
            """INSERT INTO keyfigure_subscriptions (user_id, category, mode, since) VALUES (?, ?, ?, ?)
               ON CONFLICT (user_id, category) DO UPDATE SET mode = excluded.mode""",
            (user_id, category, mode, self._stamp()),
        )

    async def unsubscribe(self, user_id: int, category: str | None = None) -> int:
        if category is None:
            return await self.db.execute("DELETE FROM keyfigure_subscriptions WHERE user_id = ?", (user_id,))
        return await self.db.execute(
            "DELETE FROM keyfigure_subscriptions WHERE user_id = ? AND category = ?", (user_id, category)
        )

    async def subscriptions(self, user_id: int | None = None, *, mode: str | None = None) -> list[Subscription]:
        """Subscriptions of active key figures (and admins), optionally of one person or one mode."""
        sql = """SELECT s.user_id, s.category, s.mode FROM keyfigure_subscriptions s
                 JOIN people p ON p.user_id = s.user_id
                 WHERE p.stopped_at IS NULL AND p.blocked_at IS NULL"""
        params: list[Any] = []
        if user_id is not None:
            sql += " AND s.user_id = ?"
            params.append(user_id)
        if mode is not None:
            sql += " AND s.mode = ?"
            params.append(mode)
        rows = await self.db.fetchall(sql + " ORDER BY s.user_id, s.category", params)
        return [Subscription(r["user_id"], r["category"], r["mode"]) for r in rows]

    async def claim_notice(self, user_id: int, what: str) -> bool:
        """Mark a notice as sent; False when it was already (so it is never sent twice)."""
        return bool(
            await self.db.execute(
                "INSERT INTO keyfigure_notices (user_id, what, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (user_id, what, self._stamp()),
            )
        )

    async def release_notice(self, user_id: int, what: str) -> None:
        """A claimed notice could not be sent: let a later run try again."""
        await self.db.execute("DELETE FROM keyfigure_notices WHERE user_id = ? AND what = ?", (user_id, what))
