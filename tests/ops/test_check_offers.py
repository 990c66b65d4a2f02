"""`python -m bot check` warns where the offers and the config disagree, and says whether the sources are set up."""

from __future__ import annotations

from bot.ops.check import run_checks


async def check(tmp_path, config: str):
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    return await run_checks(path, environ={}, database=tmp_path / "bot.sqlite3", api_seconds=1)


async def test_a_contact_that_disagrees_with_the_sociaal_huis_offers_is_named(tmp_path):
    report = await check(tmp_path, '[contact]\nphone = "089 00 00 10"\naddress = "Hospitaalstraat 2, 3740 Bilzen"\n')
    lines = [f.text for f in report.findings if f.topic == "contact"]
    assert len(lines) == 2
    assert "offers of sociaalhuis@example.be give phone 089 00 01 00 (" in lines[0]
    assert lines[0].endswith("[contact] phone is 089 00 00 10")
    assert "offers put Sociaal Huis Bilzen at Eikenlaan 25, 3740 Bilzen (" in lines[1]
    assert all(f.level == "note" for f in report.findings if f.topic == "contact")  # a warning, the bot still runs


async def test_the_shipped_contact_agrees(tmp_path):
    report = await check(tmp_path, "")
    assert [f.level for f in report.findings if f.topic == "contact"] == ["ok"]


async def test_half_a_uitdatabank_setup_is_noted(tmp_path):
    report = await check(tmp_path, '[sync.uit]\nclient_id = "abc"\n')
    assert any(f.topic == "sync" and "no query" in f.text for f in report.findings)
    report = await check(tmp_path, "[sync.uit]\nclient_id = \"abc\"\nquery = 'address.\\\\*.postalCode:3740'\n")
    assert any(f.topic == "sync" and f.level == "ok" for f in report.findings)
    assert "abc" not in report.text()  # the credentials are never shown
