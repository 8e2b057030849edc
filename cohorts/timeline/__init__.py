"""A person's timeline: everything about them the viewer may see, newest first."""
