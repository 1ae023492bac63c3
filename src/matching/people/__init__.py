"""A facility's own people: the local clinicians who are mentees and workshop attendees."""
