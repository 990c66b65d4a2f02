"""An offer as a card people can read at a glance: what, when, where, price, how to get there, whom to call.

Cards are built once here and rendered by Telegram and the terminal alike. Dates read as people
say them ("zaterdag 6 maart, 14:00-16:00", "elke dinsdag"), amounts as in Belgium ("€0,40").
"""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from bot.chat.replies import join_lines
from bot.lang.languages import DUTCH
from bot.offers.model import Offer, PriceLine
from bot.platform.calendar import Period, iter_occurrences
from bot.platform.hours import OpeningHours
from bot.platform.texts import Texts

_BYDAY = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
MAX_NORMAL_PRICES = 3  # a card shows at most this many normal prices and this many reductions
MAX_REDUCTIONS = 3
ONE_PRICE_LINE = 60  # characters: a longer price text goes on two lines, the reductions on the second
DEADLINE_SOON = dt.timedelta(days=14)  # from this close on, the card says until when one can sign up
MORE_DATES_SHOWN = 3


def money(amount: float) -> str:
    """'5', '0,40', '2,50': euro amounts as written in Belgium."""
    if float(amount).is_integer():
        return str(int(amount))
    return f"{amount:.2f}".replace(".", ",")


def price_text(offer: Offer, texts: Texts) -> Markup | None:
    """The prices that matter, in one or two short lines: '€8 per beurt; kinderen €6; met UiTPAS kansentarief
    €1,60', 'gratis', or the offer's own note when there are no amounts.

    Every reduction is called by its own name (Rap op Stap, UiTPAS kansentarief, verhoogde tegemoetkoming);
    reductions of the same amount share one segment ('met Rap op Stap of UiTPAS kansentarief €1,60').
    """
    lines = offer.regular_lines
    if not lines:
        return texts("card.price_note", note=offer.price.note) if offer.price.note else None
    normal = [line for line in lines if not line.is_reduction]
    if all(line.amount == 0 for line in (normal or lines)):
        return texts("card.price", price=texts("price.free"))
    base = normal[0].amount if normal else None  # a reduction is only one when it is below the normal price
    reductions = [line for line in lines if line.is_reduction and (base is None or line.amount < base)]
    first = [_normal_segment(line, texts) for line in normal[:MAX_NORMAL_PRICES]]
    second = _reduction_segments(reductions, texts)[:MAX_REDUCTIONS]
    separator = Markup(texts.label("price.separator"))
    if len(first) == 1 and second:  # one price and its reductions read as one phrase: '€5, met Rap op Stap €1'
        together = first[0] + Markup(texts.label("price.then")) + separator.join(second)
    else:
        together = separator.join([*first, *second])
    if len(together.striptags()) <= ONE_PRICE_LINE or not first or not second:
        return texts("card.price", price=together)
    return join_lines([texts("card.price", price=separator.join(part)) for part in (first, second)])


def _amount(line: PriceLine, texts: Texts) -> Markup:
    amount = texts("price.free") if line.amount == 0 else texts("price.amount", amount=money(line.amount))
    if line.per is not None and line.amount != 0:
        return texts("price.per", amount=amount, unit=texts.label(f"price.units.{line.per}"))
    return amount


def _normal_segment(line: PriceLine, texts: Texts) -> Markup:
    if line.who == "iedereen":
        return _amount(line, texts)
    who = line.label if line.who == "andere" and line.label else texts.label(f"price.who.{line.who}")
    return texts("price.for_whom", who=who, amount=_amount(line, texts))


def _reduction_segments(lines: list[PriceLine], texts: Texts) -> list[Markup]:
    """'met Rap op Stap €1,20'; reductions with the same amount and unit share one segment."""
    groups: dict[tuple[float, str | None], list[str]] = {}
    for line in lines:
        names = groups.setdefault((line.amount, line.per), [])
        name = texts.label(f"price.who.{line.who}")
        if name not in names:
            names.append(name)
    segments = []
    for (amount, per), names in groups.items():
        joined = f" {texts.label('price.or')} ".join(names)
        segments.append(texts("price.reduced", who=joined, amount=_amount(PriceLine(amount, per=per), texts)))
    return segments


def deadline_text(offer: Offer, texts: Texts, *, today: dt.date | None) -> Markup | None:
    """'Inschrijven kan niet meer' after the registration deadline; 'Schrijf je in vóór ...' when it is close."""
    deadline = offer.registration_deadline
    if deadline is None or today is None:
        return None
    if deadline.date() < today:
        return texts("card.deadline_passed")
    if deadline - dt.datetime.combine(today, dt.time()) > DEADLINE_SOON:
        return None
    if deadline.time() >= dt.time(23, 59):  # open the whole day: 'vóór' the next day is exact
        before = date_text(deadline.date() + dt.timedelta(days=1), texts, today=today)
    else:
        before = date_text(deadline.date(), texts, today=today) + Markup(f", {deadline:%H:%M}")
    return texts("card.deadline_soon", deadline=before)


def childcare_text(offer: Offer, texts: Texts) -> Markup | None:
    """Childcare at the activity itself, with its hours when known."""
    care = offer.childcare
    if care is None:
        return None
    start = f"{care.start.hour}:{care.start.minute:02d}" if care.start else None
    end = f"{care.end.hour}:{care.end.minute:02d}" if care.end else None
    if start and end:
        line = texts("card.childcare_times", start=start, end=end)
    elif start:
        line = texts("card.childcare_from", start=start)
    elif end:
        line = texts("card.childcare_until", end=end)
    else:
        line = texts("card.childcare")
    return join_lines([line, texts("card.childcare_note", note=care.note) if care.note else None])


def more_dates_text(offer: Offer, texts: Texts, *, shown: dt.datetime | None, today: dt.date | None) -> Markup | None:
    """For an offer on a few separate days (no rule): the other days still to come."""
    when = offer.when
    if when is None or when.rrule or not when.dates:
        return None
    after = dt.datetime.combine(today, dt.time()) if today else None
    others = [start for start, _end in iter_occurrences(when, after=after) if start != shown]
    if not others:
        return None
    days = [str(date_text(start.date(), texts, today=today)) for start in others[:MORE_DATES_SHOWN]]
    dates = _join_words(days, texts)
    if len(others) > MORE_DATES_SHOWN:
        return texts("card.more_dates_and_others", dates=dates, count=len(others) - MORE_DATES_SHOWN)
    return texts("card.more_dates", dates=dates)


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


def period_text(period: Period, texts: Texts, *, today: dt.date | None = None) -> Markup:
    """The period a question named, in the person's language: the words the person typed in Dutch
    ('dit weekend'), the dates in another language ('saturday 6 March to sunday 7 March')."""
    if texts.lang == DUTCH and period.label:
        return Markup.escape(period.label)
    whole_days = period.start.time() == dt.time() and period.end.time() == dt.time()
    if not whole_days:
        return when_text(period.start, period.end, texts, today=today)
    first, last = period.start.date(), (period.end - dt.timedelta(days=1)).date()
    if first >= last:
        return date_text(first, texts, today=today)
    return texts(
        "calendar.from_to", first=date_text(first, texts, today=today), last=date_text(last, texts, today=today)
    )


def hours_text(opening: OpeningHours, texts: Texts) -> str:
    """Opening hours in the person's language: 'monday to friday 9:00-12:00; saturday 10:00-12:00'."""
    weekdays = texts.items("calendar.weekdays")
    by_day = [tuple((s.start, s.end) for s in opening.spans if s.weekday == day) for day in range(7)]
    parts: list[str] = []
    day = 0
    while day < 7:
        spans = by_day[day]
        last = day
        while last + 1 < 7 and by_day[last + 1] == spans:
            last += 1
        if spans:
            days = (
                weekdays[day]
                if last == day
                else texts.label("calendar.from_to", first=weekdays[day], last=weekdays[last])
            )
            times = ", ".join(f"{_clock(start)}-{_clock(end)}" for start, end in spans)
            parts.append(f"{days} {times}")
        day = last + 1
    return "; ".join(parts)


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


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
    else:
        repeat_line = more_dates_text(offer, texts, shown=next_start, today=today)
    postponed = offer.availability == "postponed"
    lines: list[Markup | None] = [
        texts("card.cancelled") if cancelled and not postponed else None,
        texts("card.postponed") if postponed else None,
        texts("card.full") if offer.availability == "full" and not cancelled else None,
        texts("card.title", title=offer.title),
        texts("card.summary", summary=offer.summary) if offer.summary else None,
        texts("card.description", description=offer.description) if full and offer.description else None,
        when_line,
        repeat_line,
        where_text(offer, texts),
        price_text(offer, texts),
        texts("card.eligibility", eligibility=offer.eligibility) if offer.eligibility else None,
        age_text(offer, texts) if full else None,
        childcare_text(offer, texts),
        texts("card.transport", transport=offer.transport) if offer.transport else None,
        texts("card.registration", registration=offer.registration) if offer.registration else None,
        deadline_text(offer, texts, today=today),
        contact_text(offer, texts),
        texts("card.organizer", organizer=offer.organizer) if full and offer.organizer else None,
    ]
    return join_lines(lines)
