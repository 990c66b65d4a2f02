"""An offer as a card people can read at a glance: what, when, where, price, how to get there, whom to call.

Cards are built once here and rendered by Telegram and the terminal alike. Dates read as people
say them ("zaterdag 6 maart, 14:00-16:00", "elke dinsdag"), amounts as in Belgium ("€0,40").
"""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from bot.chat.replies import join_lines
from bot.offers.model import Offer
from bot.platform.texts import Texts

_BYDAY = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def money(amount: float) -> str:
    """'5', '0,40', '2,50': euro amounts as written in Belgium."""
    if float(amount).is_integer():
        return str(int(amount))
    return f"{amount:.2f}".replace(".", ",")


def price_text(offer: Offer, texts: Texts) -> Markup | None:
    """'€5, met Rap op Stap €1', 'gratis', or the offer's own note when there are no amounts."""
    price = offer.price
    regular, reduced = price.regular, price.reduced
    if regular is None and reduced is None:
        return texts("card.price_note", note=price.note) if price.note else None
    if regular == 0 or (regular is None and reduced == 0):
        return texts("card.price", price=texts("price.free"))

    def amount(value: float) -> Markup:
        return texts("price.free") if value == 0 else texts("price.amount", amount=money(value))

    if regular is not None and reduced is not None and reduced < regular:
        text = texts("price.with_reduction", regular=amount(regular), reduced=amount(reduced))
    elif regular is not None:
        text = amount(regular)
    else:
        assert reduced is not None  # both None returned above
        text = texts("price.only_reduced", reduced=amount(reduced))
    return texts("card.price", price=text)


def date_text(day: dt.date, texts: Texts, *, today: dt.date | None = None) -> Markup:
    """'zaterdag 6 maart' (with the year when it is not within the coming ten months)."""
    weekday = texts.items("calendar.weekdays")[day.weekday()]
    month = texts.items("calendar.months")[day.month - 1]
    if today is not None and day == today:
        return texts("calendar.today")
    if today is not None and day == today + dt.timedelta(days=1):
        return texts("calendar.tomorrow")
    if today is not None and not (today - dt.timedelta(days=60) <= day <= today + dt.timedelta(days=300)):
        return texts("calendar.date_with_year", weekday=weekday, day=day.day, month=month, year=day.year)
    return texts("calendar.date", weekday=weekday, day=day.day, month=month)


def when_text(start: dt.datetime, end: dt.datetime, texts: Texts, *, today: dt.date | None = None) -> Markup:
    """'zaterdag 6 maart, 14:00-16:00', or over several days 'vrijdag 1 juli 9:00 tot ...'."""
    date = date_text(start.date(), texts, today=today)
    if end.date() == start.date() or (end - start <= dt.timedelta(hours=12) and end.time() <= dt.time(6)):
        return texts("calendar.time_range", date=date, start=f"{start:%H:%M}", end=f"{end:%H:%M}")
    return texts(
        "calendar.time_range_days",
        date=date,
        start=f"{start:%H:%M}",
        end_date=date_text(end.date(), texts, today=today),
        end=f"{end:%H:%M}",
    )


def repeat_text(rule: str, texts: Texts, *, today: dt.date | None = None) -> Markup:
    """A recurrence in words: 'elke dinsdag', 'om de twee weken op woensdag', 'elke eerste zondag van de maand'."""
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    weekdays = texts.items("calendar.weekdays")
    freq = parts.get("FREQ")
    interval = int(parts.get("INTERVAL", "1") or 1)
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    plain_days = [weekdays[_BYDAY[d]] for d in days if d in _BYDAY]
    day_list = _join_words(plain_days, texts)
    if freq == "DAILY":
        text = texts("calendar.every_day")
    elif freq == "WEEKLY" and plain_days:
        if interval == 1:
            text = texts("calendar.every_week", weekdays=day_list)
        elif interval == 2:
            text = texts("calendar.every_other_week", weekdays=day_list)
        else:
            text = texts("calendar.every_n_weeks", n=interval, weekdays=day_list)
    elif freq == "MONTHLY" and len(days) == 1 and days[0][-2:] in _BYDAY and days[0][:-2]:
        position = int(days[0][:-2])
        weekday = weekdays[_BYDAY[days[0][-2:]]]
        ordinals = texts.items("calendar.ordinals")
        if position == -1:
            text = texts("calendar.every_last_month_day", weekday=weekday)
        elif 1 <= position <= len(ordinals):
            text = texts("calendar.every_month_day", ordinal=ordinals[position - 1], weekday=weekday)
        else:
            text = texts("calendar.repeats")
    elif freq == "MONTHLY":
        text = texts("calendar.every_month")
    elif freq == "YEARLY":
        text = texts("calendar.every_year")
    else:
        text = texts("calendar.repeats")
    until = parts.get("UNTIL")
    if until:
        try:
            until_day = dt.datetime.strptime(until[:8], "%Y%m%d").date()
            text = text + Markup(" ") + texts("calendar.until", date=date_text(until_day, texts, today=today))
        except ValueError:
            pass
    return text


def _join_words(items: list[str], texts: Texts) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {texts.label('calendar.and')} " + items[-1]


def age_text(offer: Offer, texts: Texts) -> Markup | None:
    low, high = offer.audience.min_age, offer.audience.max_age
    if low is not None and high is not None:
        return texts("card.age", age=texts("card.age_range", min=low, max=high))
    if low is not None and low > 0:
        return texts("card.age", age=texts("card.age_from", min=low))
    if high is not None:
        return texts("card.age", age=texts("card.age_until", max=high))
    return None


def contact_text(offer: Offer, texts: Texts) -> Markup | None:
    items = [v for v in (offer.contact.phone, offer.contact.email) if v]
    if not items:
        return None
    return texts("card.contact", contact=Markup(texts.label("card.contact_separator")).join(items))


def where_text(offer: Offer, texts: Texts) -> Markup | None:
    if offer.location is None:
        return None
    where = ", ".join(p for p in (offer.location.name, offer.location.address) if p)
    return texts("card.where", where=where)


def card(
    offer: Offer,
    texts: Texts,
    *,
    next_start: dt.datetime | None = None,
    next_end: dt.datetime | None = None,
    today: dt.date | None = None,
    full: bool = False,
    cancelled: bool = False,
) -> Markup:
    """The card of an offer; `full` adds the description, age and organiser ('Meer info')."""
    when_line: Markup | None
    if offer.when is None:
        when_line = texts("card.always") if offer.kind == "activity" else None
    elif next_start is not None and next_end is not None:
        when_line = texts("card.when", when=when_text(next_start, next_end, texts, today=today))
    else:
        when_line = None
    repeat_line = None
    if offer.when is not None and offer.when.rrule:
        repeat_line = texts("card.repeat", repeat=repeat_text(offer.when.rrule, texts, today=today))
    lines: list[Markup | None] = [
        texts("card.cancelled") if cancelled else None,
        texts("card.title", title=offer.title),
        texts("card.summary", summary=offer.summary) if offer.summary else None,
        texts("card.description", description=offer.description) if full and offer.description else None,
        when_line,
        repeat_line,
        where_text(offer, texts),
        price_text(offer, texts),
        texts("card.eligibility", eligibility=offer.eligibility) if offer.eligibility else None,
        age_text(offer, texts) if full else None,
        texts("card.transport", transport=offer.transport) if offer.transport else None,
        texts("card.registration", registration=offer.registration) if offer.registration else None,
        contact_text(offer, texts),
        texts("card.organizer", organizer=offer.organizer) if full and offer.organizer else None,
    ]
    return join_lines(lines)
