"""People recorded twice: possible duplicates, the IOM team's checks, merges and their undo."""
