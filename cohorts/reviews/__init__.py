"""Supervisor reviews of a person's management report, and the reviews due."""
