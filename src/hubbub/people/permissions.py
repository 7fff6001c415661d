"""The permission matrix: what each role may do, and which API-token scope
each permission needs. One table, read by the API, the web UI and the tests."""

from __future__ import annotations

ROLES = ("admin", "manager", "agent", "viewer")

# permission -> (scope a token needs for it, roles that have it)
_VIEW = ("admin", "manager", "agent", "viewer")
_WORK = ("admin", "manager", "agent")
_LEAD = ("admin", "manager")
_ADMIN = ("admin",)

MATRIX: dict[str, tuple[str, tuple[str, ...]]] = {
    # the public conversation
    "post.view": ("posts:read", _VIEW),
    "post.correct": ("posts:write", _WORK),  # intent corrections
    "query.view": ("queries:read", _VIEW),
    "query.manage": ("queries:write", _LEAD),
    "source.view": ("sources:read", _VIEW),
    "source.manage": ("sources:write", _ADMIN),
    "analytics.view": ("analytics:read", _VIEW),
    # the inbox
    "conversation.view": ("conversations:read", _VIEW),
    "conversation.reply": ("conversations:write", _WORK),
    "conversation.note": ("conversations:write", _WORK),
    "conversation.update": ("conversations:write", _WORK),  # status, priority, tags, snooze
    "conversation.assign": ("conversations:write", _WORK),
    "conversation.bulk": ("conversations:write", _WORK),
    "contact.manage": ("conversations:write", _WORK),  # contact notes
    "saved_reply.view": ("conversations:read", _VIEW),
    "saved_reply.manage": ("saved_replies:write", _LEAD),
    "rule.view": ("rules:read", _VIEW),
    "rule.manage": ("rules:write", _LEAD),
    "team.manage": ("teams:write", _LEAD),  # members, service levels, business hours
    "notification.view": ("notifications:read", _VIEW),  # one's own
    # administration
    "user.view": ("users:read", _LEAD),
    "user.manage": ("users:write", _ADMIN),  # users, roles, invitations
    "audit.view": ("audit:read", _LEAD),
    "token.own": ("tokens:write", _VIEW),  # one's own API tokens
    "cluster.view": ("cluster:read", _VIEW),
    "dlq.manage": ("cluster:write", _ADMIN),
}

PERMISSIONS = tuple(MATRIX)
SCOPES = tuple(sorted({scope for scope, _ in MATRIX.values()}))


def role_has(role: str, permission: str) -> bool:
    """Whether ``role`` grants ``permission`` (KeyError for an unknown permission,
    so a typo in a route fails loudly instead of denying everyone)."""
    return role in MATRIX[permission][1]


def scope_for(permission: str) -> str:
    return MATRIX[permission][0]


def permissions_of(role: str) -> list[str]:
    return [p for p, (_, roles) in MATRIX.items() if role in roles]


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    return role


def check_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope(s) {', '.join(unknown)}: known {', '.join(SCOPES)}")
    return sorted(set(scopes))
