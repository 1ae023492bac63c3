"""A confirmed training pairing's life: agenda, materials, attendees, attendance per day,
pre- and post-tests, certificates of attendance with a public verification code."""
