"""The fault matrix: every fault the fake Bot API server can inject, and what the bot did about it.

    .venv/bin/python bench/fault_matrix.py            # prints a Markdown table

The scenarios are the ones tests/telegram/test_faults.py asserts (tests/telegram/faultmatrix.py), run here with
the bot's real pauses between tries of a reply (the tests shorten them) and printed as a table: for one failing
chat (while that key figure forwards an offer and someone else asks), for a short outage of everything,
for failing long polls, and for a batch of reminders going out through the failure.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "true")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakebotapi import FakeBotApi
from tests.telegram import faultmatrix

SCENARIOS = (
    ("one chat", faultmatrix.per_chat_fault, list(faultmatrix.FAULTS)),
    ("outage", faultmatrix.short_outage, [f for f in faultmatrix.FAULTS if f != "403 (blocked)"]),
    ("polling", faultmatrix.polling_fault, [f for f in faultmatrix.FAULTS if f != "403 (blocked)"]),
    ("reminders", faultmatrix.reminder_batch, list(faultmatrix.FAULTS)),
)


async def main() -> int:
    outcomes = []
    for kind, scenario, faults in SCENARIOS:
        for fault in faults:
            with tempfile.TemporaryDirectory() as folder:
                async with FakeBotApi() as api, faultmatrix.running_bot(api, Path(folder)) as (core, app):
                    if scenario is faultmatrix.reminder_batch:
                        outcome = await scenario(api, core, app, fault)
                    else:
                        outcome = await scenario(api, core, fault)
            outcomes.append(outcome)
            print(f"{kind:10} {fault:16} done", file=sys.stderr, flush=True)
    print(faultmatrix.table(outcomes))
    bad = [o for o in outcomes if not o.recovered or o.others_served is False]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
