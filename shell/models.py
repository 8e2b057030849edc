"""The shell's tables: the forms kept for users signed out while typing (shell/kept/)."""

from shell.kept.models import KeptForm

__all__ = ["KeptForm"]
