"""Infusion models arrive with issue #4."""
