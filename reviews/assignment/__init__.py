"""Exact reviewer-to-application assignment (min-cost flow); pure numpy / OR-Tools, no Django."""
