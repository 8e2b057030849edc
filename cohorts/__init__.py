"""The nominal and everything known about them (DESIGN.md, "Architecture")."""
