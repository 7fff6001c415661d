"""Training code for Hubbub's own models (``hubbub train ...``)."""
