"""Minutes: each agency's version, the chair's approval and the distribution."""
