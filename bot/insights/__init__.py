"""What people ask and what they miss: the anonymous question log and the network's evaluation report.

The Lokaal Netwerk evaluates twice a year whether the offers meet what people in poverty look for.
This package gives it those figures without exposing anyone. No Telegram here: `handlers/app.py` and
`handlers/insights.py` put the report in a chat, `bot/cli.py` writes it to a file.

Privacy by design: what is stored (migration 0004_insights.sql), and why
------------------------------------------------------------------------
- **No user id, no chat id, no name** in any of these tables, and no reference to `people`. A
  person appears only as a keyed hash, HMAC-SHA256(month key, purpose + user id), cut to 128 bits.
- **The key changes every calendar month** (`insight_keys`, 32 random bytes) and is destroyed by
  the daily job as soon as the month is over: no more rows for that month can arrive, so its counts
  are final. From then on nobody, not even someone holding the database and the people table, can
  tell whose hash is whose. The delete runs with `secure_delete` and the write-ahead log is
  truncated afterwards, so the key does not linger in free pages. (Backups taken during the month
  still hold its key; they age out with the backup rotation.)
- **Two hashes per person and month, for different purposes** ('visitor:' and 'asker:'), so the
  row that says someone was reached (new or returning) cannot be joined to their questions even
  while the key exists.
- **People reached** (`insight_visitors`): one row per person per month, written on their first
  contact of the month: new this month or not, and the month of their previous contact. That is
  enough for exact distinct counts over any range of whole months (a person counts in the first
  month of the range they were active in, i.e. where their previous contact lies before the
  range), without linking months to each other. The row order is the hash order, not arrival.
- **Questions** (`question_log`): the question scrubbed (phone numbers, e-mail addresses, national
  register numbers, bank accounts, any other long number, and the asker's own first name as
  Telegram gives it become placeholders, see `scrub`),
  lower-cased and cut to 500 characters; the local hour (not the minute); the outcome (answered,
  nothing, out of scope, empty); the first ten offers found (`question_offers`); and whether it led
  to 'Meer info' or a reminder for one of those offers. That last link is made in memory only
  (the last question per hash, for two hours) and never written with anything personal.
- **Per-offer counts per day** (`offer_actions`): 'Meer info', reminders planned / sent / dropped,
  'Ik ga'. Counts only; they survive /vergeet because they say nothing about anyone.
- **/vergeet**: the person's rows in `people` and everything referencing it disappear (cascade);
  here, for months whose key still exists, their hashes are replaced by random ones, so the counts
  stay right but the rows can no longer be linked to them by anyone.
- **Retention**: everything here older than `privacy.retention_months` (default 13) is deleted by
  the daily job (`AnonymousQuestionLog.cleanup`).
- **The report never shows a group of fewer than 3** people or questions: such counts read "<3",
  shares based on them "–", charts draw them as empty bars. Unmet questions are grouped into
  themes (rapidfuzz) and a theme only shows example questions when at least 3 questions by at
  least 3 different people (counted within one month, a lower bound) belong to it.

Modules: `scrub` (the scrubber), `questionlog` (recording, /vergeet, retention), `themes` (unmet
demand grouped by similarity), `sources` (reading the reminder and key-figure parts' tables
defensively), `figures` (the exact numbers for a period), `report` (tables with small counts
suppressed), `charts` (matplotlib, Agg), `render` (HTML, CSV, Markdown, the Telegram summary),
`period` (reading "2027-01-01 2027-06-30" or "2027-03"), `generate` (all of it for one period),
`access` (who may see the report).

Other parts report what happens with an offer through `Conversation.record_action(action, offer_id,
who)`: 'info' (done here), 'remind' when someone asks a reminder for an offer (with `who`, so the
question that led to it is marked; a changed choice is not counted again), and 'remind_sent',
'remind_blocked', 'remind_late', 'remind_dropped', 'remind_failed' (without `who`). 'Ik ga' is not
an event: presses are not people. The reminder part keeps one answer per person and date under a
keyed hash with a monthly key (bot/reminders/answers.py, the scheme above) and the report reads that.
"""

from bot.insights.questionlog import ACTIONS, AnonymousQuestionLog, CleanupSummary
from bot.insights.scrub import normalise, scrub

__all__ = ["ACTIONS", "AnonymousQuestionLog", "CleanupSummary", "normalise", "scrub"]
