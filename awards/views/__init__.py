"""Portal pages for decisions, awards and letters."""
