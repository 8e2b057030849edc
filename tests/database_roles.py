"""A pytest plugin (`-p tests.database_roles` in pyproject.toml): the tests use the two database roles
production uses (shell/database.py). Run with DATABASE_URL alone (a role that may create roles, as on a
laptop or in CI), that role becomes the owner, which builds and migrates the test databases, and the
tests connect as the application's role, made here if need be (tests/conftest.py switches).

This runs when the plugin is imported, before pytest-django reads the settings, in the main process:
pytest-xdist's workers inherit the environment it leaves.
"""

from __future__ import annotations

from shell.database_roles import split_roles_if_needed

split_roles_if_needed()
