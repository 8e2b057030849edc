"""The nominal and everything known about them (DESIGN.md, "Architecture"); built from issue 3 on."""
