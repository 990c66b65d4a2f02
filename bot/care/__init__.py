"""Care first: people in crisis, in distress or with money worries get a human answer, never a leisure offer."""
