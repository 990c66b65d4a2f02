"""The messenger face of the bot (Telegram), found through a package entry point.

The core imports nothing of the Telegram side, not even lazily. `python -m bot run` and the token check
of `python -m bot check` still need it: pyproject.toml declares it as an entry point,

    [project.entry-points."bilzen_bot.frontends"]
    telegram = "handlers.app:FRONTEND"

and `load_frontend()` finds it through the installed package's metadata (importlib.metadata), so the
dependency points one way only: handlers/ knows the core, the core knows a name and the protocol below.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol

from bot.platform.config import Settings

GROUP = "bilzen_bot.frontends"
DEFAULT = "telegram"


@dataclass(frozen=True)
class TokenCheck:
    """What `python -m bot check` learns from the messenger: who the bot is, or why it could not ask."""

    username: str | None = None
    problem: str | None = None  # plain words, never the token
    webhook_url: str | None = None
    webhook_error: str | None = None  # the messenger's last error calling the webhook, if any


class Frontend(Protocol):
    """What a messenger face offers the command line."""

    async def run(self, settings: Settings) -> None:
        """Run the bot until SIGINT or SIGTERM (raises bot.ops.runlock.AlreadyRunning)."""
        ...

    async def check_token(self, settings: Settings, *, seconds: float = 10.0) -> TokenCheck:
        """Ask the messenger whether it knows the configured token, with short timeouts."""
        ...


class FrontendMissing(LookupError):
    """No package declares the face: the bot was not installed with `pip install -e .` (or the like)."""


def load_frontend(name: str = DEFAULT) -> Frontend:
    """The installed face called `name`; FrontendMissing when no installed package declares it."""
    found = entry_points(group=GROUP, name=name)
    for entry in found:
        frontend: Frontend = entry.load()
        return frontend
    raise FrontendMissing(
        f"no {name!r} face installed (entry point group {GROUP!r}): install the bot with pip install -e ."
    )
