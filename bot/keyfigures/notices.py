"""Passing offers on: key figures subscribe to newly published offers, as a notice per offer or as a weekly
list, for all offers or one category. Each notice is claimed in `keyfigure_notices` before it is sent and
released when sending fails, so a restart or a second run never sends it twice and a failure is retried
(the weekly list on the next hourly run).

Sent directly through the Telegram hook, with errors caught and logged per person (the outbox from the
reminders work had not landed when this was written).
"""

from __future__ import annotations

import datetime as dt
import logging

from markupsafe import Markup

from bot.chat import actions as chat_actions
from bot.chat.actions import fits
from bot.chat.replies import Button, Message, Reply, join_lines, rows
from bot.keyfigures import actions
from bot.keyfigures.common import Shared, photo_of
from bot.keyfigures.roles import Role
from bot.offers.store import StoredOffer

log = logging.getLogger("bot.keyfigures")
MAX_WEEKLY_ITEMS = 15
MAX_CATEGORY_BUTTONS = 12
CATCH_UP = dt.timedelta(days=1)  # after a longer outage that week's list is skipped, not sent days late


class Notices:
    def __init__(self, shared: Shared) -> None:
        self.s = shared
        self.t = shared.texts

    def _label(self, key: str, **values: object) -> str:
        return self.t.label(key, **values)

    # --- subscribing -----------------------------------------------------------------------------

    async def menu(self, user_id: int, *, note: Markup | None = None, replace: bool = False) -> Reply:
        """/abonneren: what the key figure gets now, and buttons to change it."""
        actor = await self.s.roles.require(user_id, Role.KEY_FIGURE, "/abonneren")
        if actor is None:
            return Reply((Message(self.t("keyfigures.not_allowed", **self._contact())),))
        subs = await self.s.registry.subscriptions(user_id)
        day = self.t.items("calendar.weekdays")[self.s.settings.keyfigures.weekly_weekday]
        lines: list[Markup | None] = [note, self.t("keyfigures.subscribe.intro", day=day)]
        if subs:
            for sub in subs:
                category = sub.category or self._label("keyfigures.subscribe.all")
                lines.append(self.t(f"keyfigures.subscribe.line_{sub.mode}", category=category))
        else:
            lines.append(self.t("keyfigures.subscribe.nothing"))
        buttons = [
            [
                Button(self._label("keyfigures.buttons.sub_each"), actions.encode(actions.Subscribe("each"))),
                Button(self._label("keyfigures.buttons.sub_weekly"), actions.encode(actions.Subscribe("weekly"))),
            ],
            [Button(self._label("keyfigures.buttons.sub_category"), actions.encode(actions.Categories()))],
        ]
        if subs:
            buttons.append([Button(self._label("keyfigures.buttons.sub_off"), actions.encode(actions.Unsubscribe()))])
        return Reply((Message(join_lines(lines), rows(*buttons)),), replace=replace)

    async def _categories(self) -> list[str]:
        seen: dict[str, int] = {}
        for stored in await self.s.offers.select():
            for category in stored.offer.categories:
                seen[category] = seen.get(category, 0) + 1
        ordered = sorted(seen, key=lambda c: (-seen[c], c))
        # Only categories whose longest button still fits in Telegram's 64 bytes, and decodes to itself.
        return [c for c in ordered if fits(actions.encode(actions.Subscribe("weekly", c))) and _clean(c)][
            :MAX_CATEGORY_BUTTONS
        ]

    async def action(self, user_id: int, action: actions.NoticeAction) -> Reply:
        actor = await self.s.roles.require(user_id, Role.KEY_FIGURE, actions.log_name(action))
        if actor is None:
            return Reply((Message(self.t("keyfigures.not_allowed", **self._contact())),))
        if isinstance(action, actions.Categories):
            categories = await self._categories()
            choices = [Button(c, actions.encode(actions.ChooseCategory(c))) for c in categories]
            pairs = [choices[i : i + 3] for i in range(0, len(choices), 3)]
            return Reply((Message(self.t("keyfigures.subscribe.pick_category"), rows(*pairs)),), replace=True)
        if isinstance(action, actions.ChooseCategory):
            category = action.category
            if category not in await self._categories():
                return await self.menu(user_id)
            buttons = rows(
                [
                    Button(
                        self._label("keyfigures.buttons.sub_each"), actions.encode(actions.Subscribe("each", category))
                    ),
                    Button(
                        self._label("keyfigures.buttons.sub_weekly"),
                        actions.encode(actions.Subscribe("weekly", category)),
                    ),
                ]
            )
            return Reply((Message(self.t("keyfigures.subscribe.pick_mode", category=category), buttons),), replace=True)
        if isinstance(action, actions.Subscribe):
            mode, category = action.mode, action.category
            if mode not in ("each", "weekly") or (category and category not in await self._categories()):
                return await self.menu(user_id)
            if not category:
                await self.s.registry.unsubscribe(user_id)  # 'all' replaces the per-category choices
            await self.s.registry.subscribe(user_id, category, mode)
            return await self.menu(user_id, note=self.t("keyfigures.subscribe.saved"), replace=True)
        if isinstance(action, actions.Unsubscribe):
            await self.s.registry.unsubscribe(user_id)
            return await self.menu(user_id, note=self.t("keyfigures.subscribe.stopped"), replace=True)
        return await self.menu(user_id)

    def _contact(self) -> dict[str, str]:
        c = self.s.settings.contact
        return {"name": c.name, "phone": c.phone, "email": c.email}

    # --- sending ---------------------------------------------------------------------------------

    async def _still_key_figure(self, user_id: int) -> bool:
        return (await self.s.roles.of(user_id)).role >= Role.KEY_FIGURE

    async def announce(self, stored: StoredOffer, *, skip: int | None) -> int:
        """A just-published offer, to everyone subscribed 'per offer' to it; returns how many got it."""
        if stored.status != "published":
            return 0
        sent = 0
        categories = set(stored.offer.categories)
        wanted = {
            sub.user_id
            for sub in await self.s.registry.subscriptions(mode="each")
            if not sub.category or sub.category in categories
        }
        what = f"offer:{stored.offer.id}"
        for user_id in sorted(wanted - {skip}):
            if not await self._still_key_figure(user_id) or not await self.s.registry.claim_notice(user_id, what):
                continue
            body = self.t("keyfigures.notice.new") + Markup("\n\n") + self.s.card(stored)
            message = Message(body, rows(self.s.share_button(stored)), photo=photo_of(stored))
            if await self.s.send(user_id, message):
                sent += 1
            else:
                await self.s.registry.release_notice(user_id, what)
        return sent

    def _week_start(self, now: dt.datetime) -> dt.datetime:
        """This week's moment for the weekly list (local wall clock)."""
        config = self.s.settings.keyfigures
        monday = (now - dt.timedelta(days=now.weekday())).date()
        day = monday + dt.timedelta(days=config.weekly_weekday)
        return dt.datetime.combine(day, config.weekly_at)

    async def send_weekly_due(self) -> int:
        """Send this week's list to weekly subscribers once its moment has passed; returns how many got it.

        Safe to call as often as you like (the scheduler calls it every hour): each list is sent once, within a
        day of its moment (a bot that was down longer skips that week rather than sending a stale list).
        """
        now = self.s.now_local()
        due = self._week_start(now)
        if not due <= now < due + CATCH_UP:
            return 0
        year, week, _ = due.isocalendar()
        what = f"week:{year}-W{week:02d}"
        since = (self.s.clock.now() - dt.timedelta(days=7)).astimezone(dt.UTC).isoformat(timespec="seconds")
        new = await self._published_since(since)
        by_user: dict[int, set[str]] = {}
        for sub in await self.s.registry.subscriptions(mode="weekly"):
            by_user.setdefault(sub.user_id, set()).add(sub.category)
        sent = 0
        for user_id, categories in by_user.items():
            chosen = [s for s in new if "" in categories or categories & set(s.offer.categories)]
            if not chosen or not await self._still_key_figure(user_id):
                continue
            if not await self.s.registry.claim_notice(user_id, what):
                continue
            if await self.s.send(user_id, self._weekly_message(chosen)):
                sent += 1
            else:
                await self.s.registry.release_notice(user_id, what)
        return sent

    async def _published_since(self, since: str) -> list[StoredOffer]:
        rows_ = await self.s.offers.db.fetchall(
            """SELECT DISTINCT offer_id FROM offer_events WHERE at >= ? AND (
                 (action = 'status' AND json_extract(details, '$.to') = 'published')
                 OR (action = 'created' AND json_extract(details, '$.status') = 'published'))""",
            (since,),
        )
        found = await self.s.offers.get_many([r["offer_id"] for r in rows_])
        # The sample offers of a fresh install are no news to anyone.
        live = [s for s in found.values() if s.status == "published" and s.source != "sample" and not self.s.is_past(s)]
        return sorted(live, key=lambda s: s.offer.title.lower())

    def _weekly_message(self, offers: list[StoredOffer]) -> Message:
        shown = offers[:MAX_WEEKLY_ITEMS]
        lines = [self.t("keyfigures.notice.weekly", count=len(offers))]
        buttons = []
        for stored in shown:
            lines.append(self.t("keyfigures.notice.weekly_line", title=stored.offer.title))
            buttons.append((Button(f"ℹ️ {stored.offer.title}"[:60], chat_actions.encode(chat_actions.Info(stored.pk))),))
        if len(offers) > len(shown):
            lines.append(self.t("keyfigures.notice.weekly_more", count=len(offers) - len(shown)))
        return Message(join_lines(lines), tuple(buttons))


def _clean(category: str) -> bool:
    """A category that survives the trip through button data (no empty part around a ':')."""
    return actions.decode(actions.encode(actions.ChooseCategory(category))) == actions.ChooseCategory(category)
