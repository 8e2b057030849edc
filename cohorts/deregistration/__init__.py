"""Deregistration: leaving IOM, proposed, ratified or not, withdrawn."""
