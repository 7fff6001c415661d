"""Who is acting: a signed-in person, an API token, or Hubbub itself (a routing
rule, the SLA clock). Actions take one, check it, and name it in the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field

from hubbub.people.permissions import role_has, scope_for


class PermissionDenied(PermissionError):
    def __init__(self, principal: Principal, permission: str) -> None:
        super().__init__(f"{principal.label} may not {permission}")
        self.permission = permission


@dataclass(frozen=True)
class Principal:
    label: str  # shown in the audit log: an e-mail, "token ci-bot (ana@...)", "rule 3"
    role: str
    user_id: int | None = None
    # None: every scope the role allows (a web session, the workspace token, the system)
    scopes: frozenset[str] | None = None
    team_ids: frozenset[int] = field(default_factory=frozenset)

    def can(self, permission: str) -> bool:
        if not role_has(self.role, permission):
            return False
        return self.scopes is None or scope_for(permission) in self.scopes

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise PermissionDenied(self, permission)

    @classmethod
    def system(cls, label: str = "hubbub") -> Principal:
        """Hubbub acting on its own (routing rules, SLA checks, the CLI's operator)."""
        return cls(label=label, role="admin")
