"""Facilities' services as WHO HeRAMS sees them: a dated status per facility and service
area, the needs a gap suggests, and the grid by district with the governorate's map."""
