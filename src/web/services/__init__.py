"""A facility's service grid (HeRAMS' manner) and the needs its gaps suggest."""
