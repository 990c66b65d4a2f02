"""The terminal chat (`python -m bot`, the README's first command, without a token): the same answers as
on Telegram, buttons as numbers, the commands of the one list, and a clean goodbye."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from markupsafe import Markup

from bot.chat.replies import Button, Message, Reply
from bot.chat.terminal import chat, render
from bot.core import open_core
from tests.helpers import make_settings


def script(*lines: str) -> tuple[list[str], object]:
    """What the person types, line by line; then Ctrl-D."""
    typed: Iterator[str] = iter(lines)
    shown: list[str] = []

    def read(prompt: str) -> str:
        shown.append(prompt)
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    return shown, read


async def talk(tmp_path, *lines: str) -> str:
    core = await open_core(make_settings(tmp_path))  # the sample offers of data/, as on a fresh install
    try:
        shown, read = script(*lines)
        await chat(core.conversation, core.commands, core.texts, read=read, write=shown.append)
    finally:
        await core.close()
    return "\n".join(shown)


def test_render_numbers_the_buttons_and_shows_links():
    buttons = ((Button("Meer", "c1:i:1"), Button("Site", url="https://x.be")),)
    reply = Reply((Message(Markup("Eerste")), Message(Markup("<b>Tweede</b>"), buttons)))
    text, actions = render(reply)
    assert "Eerste" in text and "Tweede" in text and "<b>" not in text
    assert "[1] Meer" in text and "Site: https://x.be" in text
    assert actions == {"1": "c1:i:1"}


async def test_a_question_a_button_by_number_and_goodbye(tmp_path):
    out = await talk(tmp_path, "zwemmen", "1", "stoppen")
    intro, answer, pressed, bye = out.split("jij> ")  # the prompt comes before each line typed
    assert intro.startswith("Chat met de vrijetijdsbot in de terminal") and "Dag daar!" in intro  # /start first
    assert "[1]" in answer  # the answer's buttons, numbered
    assert pressed.strip() and pressed != answer  # "1" pressed the first button of the answer
    assert bye.strip() == "Tot ziens!"
    assert out.count("jij> ") == 3


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/weekoverzicht", "Weekoverzicht"),  # once missing from the terminal's own list of commands
        ("/hulp", "Zo werk ik"),
        ("/help", "Zo werk ik"),
        ("/privacy", "bewaar"),
        ("/vergeet", "alles over jou wis"),
        ("/onbekend", "Kies hieronder"),
    ],
)
async def test_every_command_of_the_list_answers(tmp_path, typed, expected):
    out = await talk(tmp_path, typed)
    answer = out.split("jij> ")[1]
    assert expected.lower() in answer.lower(), answer


async def test_ctrl_d_ends_it_kindly(tmp_path):
    out = await talk(tmp_path)  # Ctrl-D at once
    assert out.count("jij> ") == 1 and out.rstrip().endswith("Tot ziens!")


def test_the_readme_first_command_opens_the_terminal_chat(tmp_path):
    """`python -m bot` without a token: the terminal chat on the sample offers, ended by 'stoppen'."""
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "bot.sqlite3"}"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        input="goedkoop zwemmen\nstoppen\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "BOT_CONFIG": str(config)},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Chat met de vrijetijdsbot in de terminal")
    assert result.stdout.count("jij> ") == 2 and result.stdout.rstrip().endswith("Tot ziens!")
