"""An offer's date as an iCalendar file (.ics) for the person's own agenda: "Zet in mijn agenda".

One event, the date shown on the card, in Europe/Brussels with its time zone written in, so every agenda app
(phone, Outlook, Google) puts it at the right hour. Nothing about the person goes into the file.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar

from bot.offers.importers import slug
from bot.offers.model import Offer

PRODUCT = "-//Lokaal Netwerk Bilzen//Vrijetijdsbot//NL"


def filename_for(offer: Offer, start: dt.datetime) -> str:
    return f"{slug(offer.title, 40)}-{start:%Y%m%d}.ics"


def ics_for(offer: Offer, start: dt.datetime, end: dt.datetime, *, tz: ZoneInfo, now: dt.datetime) -> bytes:
    """The .ics of one occurrence (`start`/`end` naive local time; `now` aware, for DTSTAMP)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", f"{offer.id}-{start:%Y%m%dT%H%M}@vrijetijdsbot-bilzen")
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", start.replace(tzinfo=tz))
    event.add("dtend", max(end, start).replace(tzinfo=tz))
    event.add("summary", offer.title)
    if offer.location is not None:
        event.add("location", ", ".join(p for p in (offer.location.name, offer.location.address) if p))
    description = "\n".join(
        p for p in (offer.summary, offer.registration, offer.contact.phone, offer.contact.email) if p
    )
    if description:
        event.add("description", description)
    if offer.contact.url:
        event.add("url", offer.contact.url)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
