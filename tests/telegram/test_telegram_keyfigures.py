"""Key figures forward offers, coordinators approve them: end to end through the real Application and the
fake Bot API server, on a real SQLite file, with the clock in the test's hand."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import datetime as dt
import logging
import re
from contextlib import asynccontextmanager

import pytest

from bot.core import Core
from bot.keyfigures import actions
from handlers.app import open_bot
from tests.fakebotapi import ChatMessage, FakeBotApi, FakeUser, Replies
from tests.helpers import FIXTURES, make_settings

ADMIN, ADMIN2, KEY_FIGURE, PERSON, OTHER = 900, 901, 700, 800, 702
FLYER = (FIXTURES / "intake" / "01_whatsapp_filmnamiddag.txt").read_text(encoding="utf-8")
SOUP = """Soepnamiddag in het Sociaal Huis!
Op woensdag 3 februari om 14u schenken we gratis soep en koffie.
Iedereen welkom in de cafetaria, Hospitaalstraat 2, 3740 Bilzen."""


def settings_for(tmp_path):
    settings = make_settings(tmp_path)
    telegram = dataclasses.replace(settings.telegram, admins=(ADMIN, ADMIN2))
    return dataclasses.replace(settings, telegram=telegram)


@pytest.fixture
def settings(tmp_path):
    return settings_for(tmp_path)


def labels(message: ChatMessage) -> list[str]:
    return [label for row in message.button_texts for label in row]


def with_button(replies: list[ChatMessage], label: str) -> ChatMessage:
    found = [m for m in replies if label in labels(m)]
    assert found, f"no message with button {label!r} in {[m.text for m in replies]}"
    return found[-1]


async def invite_link(admin: FakeUser) -> str:
    (reply,) = await admin.send("/uitnodiging")
    match = re.search(r"https://t\.me/BilzenTestBot\?start=(sf_[\w-]+)", reply.text or "")
    assert match, reply.text
    return match.group(1)


async def register(fake_api: FakeBotApi, user_id: int = KEY_FIGURE, name: str = "An Peeters",
                   org: str = "CAW Limburg") -> FakeUser:  # fmt: skip
    code = await invite_link(fake_api.user(ADMIN))
    user = fake_api.user(user_id, first_name=name.split()[0])
    (ask_name,) = await user.send(f"/start {code}")
    assert "Hoe heet je?" in ask_name.text
    (ask_org,) = await user.send(name)
    assert "organisatie" in ask_org.text
    (welcome,) = await user.send(org)
    assert "je bent nu sleutelfiguur" in welcome.text
    assert "/nieuw" in welcome.text and "Deel" in welcome.text  # how to add offers is explained at once
    return user


async def forge_press(user: FakeUser, message: ChatMessage, data: str) -> Replies:
    """A hand-made button press with callback data the bot never gave this user (a forged action)."""
    api = user.api
    query_id = str(next(api._query_ids))
    raw = copy.deepcopy(api._messages[user.chat_id][message.message_id].raw)
    query = {"id": query_id, "from": user.user, "message": raw, "chat_instance": "x", "data": data}
    api._callback_queries[query_id] = query
    return await user._push_and_wait({"callback_query": query}, f"a forged press {data!r}")


async def only_offer_from_telegram(core: Core):
    found = [s for s in await core.offers.select(statuses=("draft", "pending", "published", "cancelled"))
             if s.source.startswith("telegram:")]  # fmt: skip
    return found


# ------------------------------------------------------------------------------------------------ happy path


async def test_invite_register_forward_edit_confirm_approve_and_find(core, bot, fake_api):
    admin = fake_api.user(ADMIN, first_name="Coördinator")
    key_figure = await register(fake_api)
    assert any("Nieuwe sleutelfiguur: An Peeters (CAW Limburg)" in (m.text or "") for m in admin.inbox)

    # Forward: a draft in the database and a preview with Bevestig / Pas aan / Annuleer.
    preview = with_button(await key_figure.forward(FLYER, "Bib Bilzen"), "✅ Bevestig")
    assert labels(preview) == ["✅ Bevestig", "✏️ Pas aan", "🗑 Annuleer"]
    assert "Filmnamiddag" in preview.text and "€5, met Rap op Stap €1" in preview.text
    (draft,) = await only_offer_from_telegram(core)
    assert draft.status == "draft"
    assert draft.source == "telegram:sleutelfiguur-1 (CAW Limburg)"  # a number and the organisation, no name

    # Edit one field in a conversation.
    menu = (await key_figure.press(preview, "✏️ Pas aan"))[-1]
    (prompt,) = await key_figure.press(menu, "Prijs")
    assert "prijs" in prompt.text and "Nu: 💶 €5, met Rap op Stap €1" in prompt.text
    edited = await key_figure.send("4 euro, met Rap op Stap 1 euro")
    preview = with_button(edited, "✅ Bevestig")
    assert "Aangepast" in preview.text and "€4, met Rap op Stap €1" in preview.text

    # Confirm: pending, and both admins get the offer with Goedkeuren / Aanpassen / Weigeren.
    (thanks,) = await key_figure.press(preview, "✅ Bevestig")
    assert "Een coördinator kijkt het na" in thanks.text
    assert (await core.offers.get(draft.offer.id)).status == "pending"
    review = with_button(admin.inbox, "✅ Goedkeuren")
    assert labels(review) == ["✅ Goedkeuren", "✏️ Aanpassen", "❌ Weigeren"]
    assert "An Peeters (CAW Limburg)" in review.text
    assert draft.offer.id not in [h.offer_id for h in (await core.search.search("filmnamiddag")).hits]

    # Approve: published and searchable at once; the key figure hears it.
    approved = await admin.press(review, "✅ Goedkeuren")
    assert "Goedgekeurd" in approved[0].text
    assert (await core.offers.get(draft.offer.id)).status == "published"
    assert any("staat nu online" in (m.text or "") for m in key_figure.inbox)

    answer = await fake_api.user(PERSON).send("is er een film voor kinderen in de bib?")
    assert any("Filmnamiddag" in (m.text or "") for m in answer)
    card = next(m for m in answer if "Filmnamiddag" in (m.text or ""))
    assert "📤 Deel" not in labels(card) and "🛠 Beheer" not in labels(card)  # people get no staff buttons

    # The audit trail says who did what.
    actors = [(e.actor, e.action) for e in await core.offers.history(draft.offer.id)]
    assert actors == [
        ("keyfigure:1", "created"),
        ("keyfigure:1", "updated"),
        ("keyfigure:1", "status"),
        (f"admin:{ADMIN}", "status"),
    ]


async def test_key_figure_cards_get_a_share_link_that_opens_the_card(core, bot, fake_api):
    key_figure = await register(fake_api)
    answer = await key_figure.send("zwemmen")  # a short text from a key figure is a question
    card = next(m for m in answer if "📤 Deel" in labels(m))
    url = card.button("📤 Deel").data
    assert url.startswith("https://t.me/share/url?url=https%3A%2F%2Ft.me%2FBilzenTestBot%3Fstart%3Doffer-")
    payload = re.search(r"start%3D(offer-[\w-]+)", url).group(1)
    shared = await core.offers.get(payload.removeprefix("offer-"))
    assert shared is not None and shared.offer.title in card.text
    (opened,) = await fake_api.user(PERSON).send(f"/start {payload}")
    assert opened.text.startswith(shared.offer.title)


async def test_photo_with_caption_keeps_the_photo_with_the_offer(core, bot, fake_api):
    key_figure = await register(fake_api)
    replies = await key_figure.send_photo(SOUP, forwarded_from="Sociaal Huis Bilzen")
    preview = with_button(replies, "✅ Bevestig")
    assert preview.kind == "photo" and "Soepnamiddag" in preview.text
    (draft,) = await only_offer_from_telegram(core)
    assert draft.offer.extra["photo"] == key_figure.own_messages[-1].raw["photo"][-1]["file_id"]

    # A photo without text: the bot asks for the text and puts the photo with it.
    (ask,) = await key_figure.send_photo()
    assert "Stuur nu de tekst" in ask.text
    preview = with_button(
        await key_figure.send("Petanque op de markt\nzaterdag 6 februari om 14u, gratis"), "✅ Bevestig"
    )
    assert preview.kind == "photo" and "Petanque" in preview.text


async def test_trusted_key_figure_publishes_directly_and_subscribers_hear_it(core, bot, fake_api):
    admin = fake_api.user(ADMIN)
    key_figure = await register(fake_api)
    follower = await register(fake_api, OTHER, "Bart Claes", "OCMW Bilzen")
    (menu,) = await follower.send("/abonneren")
    saved = await follower.press(menu, "🔔 Meteen")
    assert "Meteen bij elk nieuw aanbod: alles" in saved[-1].text

    (listing,) = await admin.send("/sleutelfiguren")
    assert "An Peeters – CAW Limburg" in listing.text
    trusted = await admin.press(listing, "⭐ Vertrouw An Peeters")
    assert "☆ Niet meer vertrouwd: An Peeters" in labels(trusted[-1])

    preview = with_button(await key_figure.forward(SOUP), "✅ Bevestig")
    done = await key_figure.press(preview, "✅ Bevestig")
    assert "staat nu online" in done[0].text
    (offer,) = await only_offer_from_telegram(core)
    assert offer.status == "published"
    notice = next(m for m in follower.inbox if "🆕 Nieuw aanbod" in (m.text or ""))
    assert "Soepnamiddag" in notice.text and "📤 Deel" in labels(notice)
    assert not any("om na te kijken" in (m.text or "") for m in admin.inbox)  # nothing to approve


async def test_admin_can_edit_call_off_and_delete_from_telegram(core, bot, fake_api):
    admin = fake_api.user(ADMIN)
    answer = await admin.send("zwemmen")
    card = next(m for m in answer if "🛠 Beheer" in labels(m))
    (manage,) = await admin.press(card, "🛠 Beheer")
    assert "online" in manage.text
    (confirm,) = await admin.press(manage, "❌ Afgelast")
    assert "Mensen met een herinnering krijgen bericht" in confirm.text
    await admin.press(confirm, "Ja, afgelast")
    offer_id = next(e for e in (await core.offers.select(statuses=("cancelled",)))).offer.id
    assert [e.actor for e in await core.offers.history(offer_id)][-1] == f"admin:{ADMIN}"

    before = await core.offers.count()
    answer = await admin.send("iets gratis")
    card = next(m for m in answer if "🛠 Beheer" in labels(m))
    (manage,) = await admin.press(card, "🛠 Beheer")
    (confirm,) = await admin.press(manage, "🗑 Verwijderen")
    done = await admin.press(confirm, "Ja, verwijder")
    assert "verwijderd" in done[-1].text
    assert await core.offers.count() == before - 1
    last = await core.db.fetchone("SELECT actor, action FROM offer_events ORDER BY seq DESC LIMIT 1")
    assert tuple(last) == (f"admin:{ADMIN}", "deleted")  # the audit trail keeps who deleted it


# ------------------------------------------------------------------------------------------------ refusals


async def test_people_who_are_not_key_figures_cannot_add_or_approve(core, bot, fake_api, caplog):
    person = fake_api.user(PERSON, first_name="Mia")
    before = await core.offers.count()
    (answer,) = await person.forward(FLYER)
    assert "Alleen sleutelfiguren" in answer.text and "089 00 01 00" in answer.text
    (answer,) = await person.send_photo(SOUP, forwarded_from="Sociaal Huis Bilzen")
    assert "Alleen sleutelfiguren" in answer.text
    assert await core.offers.count() == before  # nothing of it stored

    (answer,) = await person.send("/uitnodiging")
    assert "Dat mag alleen" in answer.text

    key_figure = await register(fake_api)
    preview = with_button(await key_figure.forward(SOUP), "✅ Bevestig")
    await key_figure.press(preview, "✅ Bevestig")
    (pending,) = await only_offer_from_telegram(core)
    caplog.set_level(logging.INFO)
    caplog.clear()
    forged = await forge_press(person, answer, f"a1:ok:{pending.pk}")
    assert "Dat mag alleen" in forged[-1].text
    assert (await core.offers.get(pending.offer.id)).status == "pending"
    forged = await forge_press(person, answer, f"k1:x:{pending.pk}")
    assert (await core.offers.get(pending.offer.id)) is not None
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refusals and all(str(PERSON) not in line and "Mia" not in line for line in refusals)

    # A key figure is no admin either, and cannot touch someone else's draft.
    forged = await forge_press(key_figure, preview, f"a1:ok:{pending.pk}")
    assert "Dat mag alleen" in forged[-1].text
    assert (await core.offers.get(pending.offer.id)).status == "pending"

    # A normal question still reaches the search.
    answer = await person.send("zwemmen")
    assert "Dit vond ik voor jou" in answer[0].text


async def test_invite_codes_expire_and_work_once(core, bot, fake_api, clock):
    admin = fake_api.user(ADMIN)
    code = await invite_link(admin)
    clock.advance(dt.timedelta(days=7, minutes=1))
    (answer,) = await fake_api.user(KEY_FIGURE).send(f"/start {code}")
    assert "verlopen" in answer.text

    code = await invite_link(admin)
    (first,) = await fake_api.user(KEY_FIGURE).send(f"/start {code}")
    assert "Hoe heet je?" in first.text
    (second,) = await fake_api.user(OTHER).send(f"/start {code}")
    assert "al gebruikt" in second.text
    (unknown,) = await fake_api.user(OTHER).send("/start sf_bestaatniet")
    assert "ken ik niet" in unknown.text
    (hello,) = await fake_api.user(OTHER).send("/start")  # a normal start is untouched
    assert "Dag" in hello.text


async def test_two_admins_approving_at_once_publish_once(core, bot, fake_api):
    key_figure = await register(fake_api)
    await key_figure.press(with_button(await key_figure.forward(SOUP), "✅ Bevestig"), "✅ Bevestig")
    first, second = fake_api.user(ADMIN), fake_api.user(ADMIN2)
    one, two = await asyncio.gather(
        first.press(with_button(first.inbox, "✅ Goedkeuren"), "✅ Goedkeuren"),
        second.press(with_button(second.inbox, "✅ Goedkeuren"), "✅ Goedkeuren"),
    )
    texts = [one[-1].text, two[-1].text]
    assert sum("Goedgekeurd" in t for t in texts) == 1
    assert sum("is al online" in t for t in texts) == 1
    (offer,) = await only_offer_from_telegram(core)
    published = [e for e in await core.offers.history(offer.offer.id) if e.details.get("to") == "published"]
    assert len(published) == 1
    assert sum("staat nu online" in (m.text or "") for m in key_figure.inbox) == 1


# ------------------------------------------------------------------------------------------------ bad input


async def test_bad_input_from_a_key_figure_gets_clear_answers(core, bot, fake_api):
    key_figure = await register(fake_api)
    (empty,) = await key_figure.forward("🎉🎉🎉")
    assert "geen tekst" in empty.text
    (voice,) = await key_figure.send_voice(4)
    assert "spraakberichten" in voice.text and "/nieuw" in voice.text
    (document,) = await key_figure.send_document("flyer.xyz", "application/octet-stream")
    assert "bestanden" in document.text
    assert await only_offer_from_telegram(core) == []

    # No recognisable date: the bot asks, and 'Geen datum' is a valid answer.
    replies = await key_figure.forward("Gratis soep en een babbel in het Sociaal Huis, iedereen welkom!")
    assert "Wanneer" in replies[-1].text
    (bad,) = (await key_figure.send("ooit eens"))[:1]
    assert "begrijp ik niet" in bad.text
    preview = with_button(await key_figure.send("woensdag 3 februari om 14u"), "✅ Bevestig")
    assert "3 februari" in preview.text

    # A date in the past is questioned.
    past = with_button(await key_figure.forward("Nieuwjaarsreceptie\nzaterdag 2 januari 2027 om 19u in De Kimpel"),
                       "✅ Bevestig")  # fmt: skip
    assert "al voorbij" in past.text and "📅 Datum aanpassen" in labels(past)

    # A 20,000-character e-mail: read, trimmed, warned about, within Telegram's limits.
    long_mail = "Onderwerp: Kookatelier\n\n" + SOUP + "\n\n" + ("Disclaimer: dit bericht is vertrouwelijk. " * 480)
    assert len(long_mail) >= 20_000
    replies = await key_figure.forward(long_mail)
    assert all(len(m.text or "") <= 4096 for m in replies)
    assert with_button(replies, "✅ Bevestig")


async def test_long_paste_is_an_offer_short_text_a_question(core, bot, fake_api):
    key_figure = await register(fake_api)
    answer = await key_figure.send("soep")
    assert not any("✅ Bevestig" in labels(m) for m in answer)
    paste = SOUP + "\nBreng gerust je buren mee, er is plaats genoeg voor iedereen die zin heeft in een babbel."
    preview = with_button(await key_figure.send(paste), "✅ Bevestig")
    assert "als <b>nieuw aanbod</b>" not in preview.text and "nieuw aanbod" in preview.text
    (ask,) = await key_figure.send("/nieuw")
    assert "Plak nu" in ask.text
    preview = with_button(await key_figure.send("Kookles zaterdag 6 februari om 10u"), "✅ Bevestig")
    assert "Kookles" in preview.text


async def test_same_offer_twice_is_shown_in_the_preview_before_confirming(core, bot, fake_api):
    key_figure = await register(fake_api)
    await key_figure.press(with_button(await key_figure.forward(SOUP), "✅ Bevestig"), "✅ Bevestig")
    again = SOUP + "\nInfo: 089 12 34 56"
    (preview,) = await key_figure.forward(again)
    assert "staat er misschien al" in preview.text and preview.text.count("Soepnamiddag") >= 2
    assert labels(preview) == ["➕ Toch toevoegen", "🔁 Samenvoegen", "✏️ Pas aan", "🗑 Annuleer"]
    (first,) = await core.offers.select(statuses=("pending",))
    draft = actions.decode(preview.button("✏️ Pas aan").data)
    assert isinstance(draft, actions.EditMenu) and draft.pk != first.pk
    assert actions.decode(preview.button("➕ Toch toevoegen").data) == actions.ConfirmAnyway(draft.pk)
    assert actions.decode(preview.button("🔁 Samenvoegen").data) == actions.Merge(draft.pk, first.pk)
    (merged,) = await key_figure.press(preview, "🔁 Samenvoegen")
    assert "Samengevoegd" in merged.text
    (offer,) = await only_offer_from_telegram(core)
    assert offer.offer.contact.phone == "089 12 34 56" and offer.status == "pending"


async def test_a_duplicate_published_after_the_preview_is_still_caught_at_confirm(core, bot, fake_api):
    key_figure = await register(fake_api)
    first = with_button(await key_figure.forward(SOUP), "✅ Bevestig")
    second = with_button(await key_figure.forward(SOUP + "\nInfo: 089 12 34 56"), "✅ Bevestig")
    await key_figure.press(first, "✅ Bevestig")
    (duplicate,) = await key_figure.press(second, "✅ Bevestig")
    assert "Dit aanbod staat er al" in duplicate.text
    assert labels(duplicate) == ["➕ Toch toevoegen", "🔁 Samenvoegen", "🗑 Annuleer"]
    assert isinstance(actions.decode(duplicate.button("🔁 Samenvoegen").data), actions.Merge)
    assert isinstance(actions.decode(duplicate.button("➕ Toch toevoegen").data), actions.ConfirmAnyway)


# ------------------------------------------------------------------------------------------------ restarts


@asynccontextmanager
async def bot_on(tmp_path, clock, app_builder, running_app):
    app, opened = await open_bot(settings_for(tmp_path), app_builder, clock=clock)
    try:
        async with running_app(app):
            yield opened
    finally:
        await opened.close()


async def test_a_restart_in_the_middle_loses_nothing(tmp_path, clock, fake_api, app_builder, running_app):
    admin = fake_api.user(ADMIN)
    async with bot_on(tmp_path, clock, app_builder, running_app):
        code = await invite_link(admin)
        key_figure = fake_api.user(KEY_FIGURE)
        await key_figure.send(f"/start {code}")
    async with bot_on(tmp_path, clock, app_builder, running_app):  # restarted while registering
        await key_figure.send("An Peeters")
        (welcome,) = await key_figure.send("CAW Limburg")
        assert "je bent nu sleutelfiguur" in welcome.text
        preview = with_button(await key_figure.forward(FLYER), "✅ Bevestig")
        menu = (await key_figure.press(preview, "✏️ Pas aan"))[-1]
        await key_figure.press(menu, "Titel")
    async with bot_on(tmp_path, clock, app_builder, running_app) as core:  # restarted while editing a field
        preview = with_button(await key_figure.send("Familiefilm: De Grote Reis"), "✅ Bevestig")
        assert "Familiefilm: De Grote Reis" in preview.text
        await key_figure.press(preview, "✅ Bevestig")
    async with bot_on(tmp_path, clock, app_builder, running_app) as core:  # restarted before the approval
        await admin.press(with_button(admin.inbox, "✅ Goedkeuren"), "✅ Goedkeuren")
        (offer,) = await only_offer_from_telegram(core)
        assert offer.status == "published" and offer.offer.title == "Familiefilm: De Grote Reis"
        answer = await fake_api.user(PERSON).send("familiefilm")
        assert any("De Grote Reis" in (m.text or "") for m in answer)


# ------------------------------------------------------------------------------------------------ privacy


async def test_forget_removes_the_key_figure_but_keeps_their_offers(core, bot, fake_api):
    key_figure = await register(fake_api)
    await key_figure.press(with_button(await key_figure.forward(SOUP), "✅ Bevestig"), "✅ Bevestig")
    (confirm,) = await key_figure.send("/vergeet")
    assert "op naam van je organisatie" in confirm.text
    await key_figure.press(confirm, "Ja, wis alles")
    assert await core.keyfigures.registry.by_user(KEY_FIGURE) is None
    rows = await core.db.fetchall("SELECT * FROM key_figures")
    assert rows == []
    (offer,) = await only_offer_from_telegram(core)
    assert offer.source == "telegram:sleutelfiguur-1 (CAW Limburg)"
    assert await core.keyfigures.registry.submitter(offer.offer.id) is None
    dump = ""
    for table in ("offers", "offer_events", "offer_submissions", "keyfigure_sessions", "keyfigure_invites"):
        dump += "\n".join(str(tuple(row)) for row in await core.db.fetchall(f"SELECT * FROM {table}"))
    assert "An Peeters" not in dump and str(KEY_FIGURE) not in dump


async def test_weekly_list_goes_out_once(core, bot, fake_api, clock):
    key_figure = await register(fake_api)
    (menu,) = await key_figure.send("/abonneren")
    await key_figure.press(menu, "📅 Elke week")
    admin = fake_api.user(ADMIN)
    (listing,) = await admin.send("/sleutelfiguren")
    await admin.press(listing, "⭐ Vertrouw An Peeters")
    await key_figure.press(with_button(await key_figure.forward(SOUP), "✅ Bevestig"), "✅ Bevestig")
    assert await core.keyfigures.send_weekly_due() == 0  # Wednesday: not yet
    clock.set(clock.now() + dt.timedelta(days=5, hours=-1))  # Monday 18 January, 9:00
    assert await core.keyfigures.send_weekly_due() == 1
    assert await core.keyfigures.send_weekly_due() == 0
    await asyncio.sleep(0.2)
    weekly = [m for m in key_figure.inbox if "Nieuw aanbod van deze week" in (m.text or "")]
    assert len(weekly) == 1 and "Soepnamiddag" in weekly[0].text


# ------------------------------------------------------------------------------------------------ pastes as written

BREICLUB = """hey allemaal 👋🧶
vanaf volgende week start er een breiclub in LDC De Wijzer!! elke maandag van 2 tot 5, beginners zijn ook welkom
wol en naalden zijn er, koffie en een koekske inbegrepen ☕
2 euro per keer, met rap op stap maar 40 cent
adres: Meiweg 21 Bilzen"""
KERSTCONCERT = """Goeiemiddag,

Het Koor Sint-Cecilia nodigt jullie graag uit voor het Kerstconcert in de kerk van Rijkhoven op zondag 19 december.
We beginnen om half 4, rond half 6 is er glühwein op het kerkplein.
Kerk Sint-Pieter, Kerkstraat 5, 3740 Rijkhoven
Inkom €8, met Rap op Stap €1,60. Kinderen gratis.

Vriendelijke groeten,
Marijke"""
LINEDANCE = """LINEDANCECLUB THE BOOTS

LINE DANCE VOOR BEGINNERS

ELKE WOENSDAG VANAF 3 MAART
VAN KWART VOOR 8 TOT KWART NA 9
ZAAL CASINO, MUNSTERSTRAAT 12, 3740 MUNSTERBILZEN

€4 PER LES – RAP OP STAP €0,80
INFO: 0493 17 28 40"""


async def test_a_message_telegram_split_in_two_is_one_draft(core, bot, fake_api, clock):
    key_figure = await register(fake_api)
    story = "Wie al eens kwam, weet hoe gezellig het is: we zingen, we lachen en er is taart voor iedereen. "
    whole = KERSTCONCERT.replace("Vriendelijke groeten,", story * 60 + "\nInfo: 0470 12 34 56\n\nVriendelijke groeten,")
    first, rest = whole[:4096], whole[4096:]  # the way a Telegram app cuts a long paste
    await key_figure.send(first)
    clock.advance(dt.timedelta(seconds=1))
    replies = await key_figure.send(rest)
    assert any("samengevoegd" in (m.text or "") for m in replies)
    (draft,) = await only_offer_from_telegram(core)
    assert draft.offer.title == "Kerstconcert in de kerk van Rijkhoven"
    assert draft.offer.contact.phone == "0470 12 34 56"  # from the second part


async def test_a_time_edit_is_applied_as_written_and_a_missing_time_is_asked(core, bot, fake_api):
    key_figure = await register(fake_api)
    preview = with_button(await key_figure.send(KERSTCONCERT), "✅ Bevestig")
    menu = (await key_figure.press(preview, "✏️ Pas aan"))[-1]
    (prompt,) = await key_figure.press(menu, "Datum en uur")
    assert "Wanneer" in prompt.text
    replies = await key_figure.send("zondag 19/12 van half 2 tot 5 uur")
    preview = with_button(replies, "✅ Bevestig")
    assert "Aangepast: zondag 19 december 2027, 13:30-17:00." in preview.text
    (draft,) = await only_offer_from_telegram(core)
    assert (draft.offer.when.start, draft.offer.when.end) == (
        dt.datetime(2027, 12, 19, 13, 30),
        dt.datetime(2027, 12, 19, 17, 0),
    )

    menu = (await key_figure.press(preview, "✏️ Pas aan"))[-1]
    await key_figure.press(menu, "Datum en uur")
    preview = with_button(await key_figure.send("13.30 - 17.00"), "✅ Bevestig")
    assert "13:30-17:00" in preview.text

    # A date without a time: saved, and the time is asked; never a silent 00:00-23:59.
    menu = (await key_figure.press(preview, "✏️ Pas aan"))[-1]
    await key_figure.press(menu, "Datum en uur")
    await core.offers.save(
        dataclasses.replace(
            draft.offer,
            when=dataclasses.replace(
                draft.offer.when, start=dt.datetime(2027, 12, 19), end=dt.datetime(2027, 12, 19, 23, 59)
            ),
        ),
        source=draft.source,
        actor="test",
        status="draft",
    )
    ask, question = await key_figure.send("zaterdag 18 december")
    assert "geen uur" in ask.text and "Aangepast" not in ask.text and "Wanneer" in question.text
    preview = with_button(await key_figure.send("half 3"), "✅ Bevestig")
    assert "Aangepast: zaterdag 18 december 2027, 14:30-16:30." in preview.text


async def test_three_announcements_pasted_seconds_apart_are_three_right_drafts_confirmed_as_they_are(
    core, bot, fake_api, clock
):
    key_figure = await register(fake_api)
    previews = []
    for text in (BREICLUB, KERSTCONCERT, LINEDANCE):
        replies = await key_figure.send(text)
        assert not any("samengevoegd" in (m.text or "") for m in replies)  # whole pastes are never glued
        previews.append(with_button(replies, "✅ Bevestig"))
        clock.advance(dt.timedelta(seconds=3))
    assert len({p.button("✅ Bevestig").data for p in previews}) == 3
    for preview in previews:
        (thanks,) = await key_figure.press(preview, "✅ Bevestig")
        assert "Een coördinator kijkt het na" in thanks.text
    offers = {s.offer.title: s for s in await only_offer_from_telegram(core)}
    assert all(s.status == "pending" for s in offers.values())
    brei = offers["Breiclub in LDC De Wijzer"].offer
    assert brei.when.rrule == "FREQ=WEEKLY;BYDAY=MO" and brei.when.start.time() == dt.time(14, 0)
    assert brei.when.end.time() == dt.time(17, 0) and (brei.price.regular, brei.price.reduced) == (2, 0.4)
    assert brei.location.address == "Meiweg 21, Bilzen"
    concert = offers["Kerstconcert in de kerk van Rijkhoven"].offer
    assert concert.when.start == dt.datetime(2027, 12, 19, 15, 30) and concert.when.end.time() == dt.time(17, 30)
    assert concert.organizer == "Koor Sint-Cecilia" and (concert.price.regular, concert.price.reduced) == (8, 1.6)
    assert concert.location.name == "Kerk Sint-Pieter"
    dance = offers["Line dance voor beginners"].offer
    assert (dance.when.start, dance.when.end) == (dt.datetime(2027, 3, 3, 19, 45), dt.datetime(2027, 3, 3, 21, 15))
    assert dance.when.rrule == "FREQ=WEEKLY;BYDAY=WE" and dance.organizer == "Linedanceclub The Boots"
    assert dance.location.name == "Zaal Casino" and (dance.price.regular, dance.price.reduced) == (4, 0.8)
