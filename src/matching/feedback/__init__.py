"""Feedback on a pairing: each side's 1-5 rating with a comment, seen by coordinators."""
