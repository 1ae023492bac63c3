"""A confirmed mission's page: readiness checklist, completion report, feedback."""
