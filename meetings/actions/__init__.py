"""Actions set in meetings: owners, due dates, completion."""
