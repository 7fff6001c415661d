"""Stage 1: the outside world -> Post. One folder per platform."""
