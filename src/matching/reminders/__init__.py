"""Reminders that do not flood: one digest per person per day, whatever the number of items."""
