"""RSS 2.0, RSS 1.0 and Atom feeds, polled over HTTP."""
