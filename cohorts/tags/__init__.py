"""GPS tags: tag periods and location hits with their outcome."""
