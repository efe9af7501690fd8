"""Decisions within budget, awards and letters (issue 6)."""
