"""Reviewer pool, conflicts, bids, assignment, review forms, scoring and panel meetings (issues 4 and 5)."""
