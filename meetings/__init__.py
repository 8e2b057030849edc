"""Selection panels, MAP meetings and Y2A panels; built from issue 6 on."""
