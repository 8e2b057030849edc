"""Custody and court events, one at a time or imported from a file."""
