"""The core of the Bilzen free-time bot: offers, questions, reminders. Knows nothing of Telegram."""
