"""Scheduling meetings and meeting series: invitations, changes, cancellation."""
