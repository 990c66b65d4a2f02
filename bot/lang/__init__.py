"""Languages: which ones the bot speaks, and which one a person writes in."""
