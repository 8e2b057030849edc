"""Selection panels, MAP meetings and Y2A panels."""
