"""Outcomes for coordinators and donors: what the platform's work achieved, by period,
district, urban or rural, and specialty (read-only: it writes no table)."""
