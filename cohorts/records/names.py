"""Name matching that tolerates spelling: Smith, Smyth and Smithe sound alike, and so match.

A phonetic key (Metaphone, from the jellyfish library) is stored beside each name and indexed, so
the search is an equality on an indexed column, on any PostgreSQL, with no extension needed.
"""

import re
import unicodedata

import jellyfish


def _letters(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name or "")
    return re.sub(r"[^A-Za-z]", "", decomposed.encode("ascii", "ignore").decode())


def name_key(name: str) -> str:
    """The phonetic key of a name ('' for no letters); hyphens and apostrophes are ignored."""
    letters = _letters(name)
    return jellyfish.metaphone(letters)[:40] if letters else ""
