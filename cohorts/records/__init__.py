"""A person's record: who they are (identifiers, aliases), what is recorded about them, consent, RAG
ratings and assignments, and the people search."""
