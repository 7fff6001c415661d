"""@mentions in internal notes: ``@ana`` names the active person whose e-mail's
local part is ``ana``; ``@ana@example.com`` names the e-mail itself."""

from __future__ import annotations

import re

from sqlalchemy import Connection, or_, select

from hubbub.store.tables import users

# not after a word character, so an e-mail address in the text is no mention
_MENTION = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")


def mention_names(body: str) -> list[str]:
    """The names mentioned, lower-cased, in order, once each."""
    names = (m.rstrip(".").lower() for m in _MENTION.findall(body))
    return list(dict.fromkeys(n for n in names if n))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def mentioned_user_ids(conn: Connection, body: str) -> list[int]:
    """Active people the body mentions, in order of first mention. A local part
    shared by several people (ana@a.com, ana@b.com) mentions each of them."""
    names = mention_names(body)
    if not names:
        return []
    emails = [n for n in names if "@" in n]
    locals_ = [n for n in names if "@" not in n]
    conditions = [users.c.email.in_(emails)] if emails else []
    conditions += [users.c.email.like(f"{_like_escape(n)}@%", escape="\\") for n in locals_]
    rows = conn.execute(
        select(users.c.id, users.c.email).where(users.c.active.is_(True), or_(*conditions))
    ).all()
    ids: list[int] = []
    for name in names:
        for row in sorted(rows, key=lambda r: r.id):
            email = row.email.lower()
            if (email == name or email.split("@", 1)[0] == name) and row.id not in ids:
                ids.append(row.id)
    return ids
