"""A confirmed mission: its readiness checklist and, after it, the completion report."""
