"""Shared test support for the examples (servers the examples call out to, example specs)."""
