"""Engage: answering the public conversation from Hubbub.

``publishers.py`` finds who can post a reply to a stored post (a publisher
plugin plus the credentials of a configured source), ``mastodon.py`` and
``bluesky.py`` are the built-in publishers, ``templates.py`` renders saved
replies. The write path is ``hubbub.actions.replies`` and
``hubbub.actions.saved_replies``.
"""
