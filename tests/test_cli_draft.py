"""`python -m bot draft`: the draft of a pasted announcement, as a preview or as one offer in the offer format.

A stable contract (outside checks use it): --json prints exactly one line, one offer in the offer format, and
the command writes nothing (no database is made or touched)."""

from __future__ import annotations

import json

from bot.offers.model import Offer
from tests.test_cli import run

TEXT = """Goeiemiddag,

Het Koor Sint-Cecilia nodigt jullie graag uit voor het Kerstconcert in de kerk van Rijkhoven op zondag 19 december.
We beginnen om half 4. Kerk Sint-Pieter, Kerkstraat 5, 3740 Rijkhoven
Inkom €8, met Rap op Stap €1,60.

Vriendelijke groeten,
Marijke"""


def test_draft_json_is_one_offer_in_the_offer_format_and_nothing_is_written(tmp_path):
    (tmp_path / "flyer.txt").write_text(TEXT, encoding="utf-8")
    done = run("draft", "--json", "--today", "2027-11-20", "flyer.txt", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    assert len(lines) == 2 and lines[1] == ""
    offer = json.loads(lines[0])
    Offer.from_dict(offer)  # valid in the offer format
    assert offer["title"] == "Kerstconcert in de kerk van Rijkhoven"
    assert offer["when"] == {"start": "2027-12-19T15:30", "end": "2027-12-19T17:30"}
    assert offer["price"]["regular"] == 8 and offer["price"]["reduced"] == 1.6
    assert offer["location"] == {"name": "Kerk Sint-Pieter", "address": "Kerkstraat 5, 3740 Rijkhoven"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flyer.txt"] + (
        ["empty-config.toml"] if (tmp_path / "empty-config.toml").exists() else []
    )


def test_draft_without_json_is_the_preview_a_key_figure_sees_from_standard_input(tmp_path):
    done = run("draft", "--today", "2027-11-20", stdin=TEXT, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Zo ziet je aanbod eruit" in done.stdout and "Kerstconcert in de kerk van Rijkhoven" in done.stdout
    assert "zondag 19 december, 15:30-17:30" in done.stdout and "[✅ Bevestig]" in done.stdout
    assert "<b>" not in done.stdout
    empty = run("draft", "-", stdin="   \n", cwd=tmp_path)
    assert empty.returncode == 1 and empty.stdout == "" and "geen tekst" in empty.stderr
