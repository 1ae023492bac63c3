"""A confirmed mentorship's life after the match: its mentee, sessions, goals, completion."""
