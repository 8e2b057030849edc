"""Running a meeting: attendance, the confidentiality statement, notes, decisions, dissent."""
