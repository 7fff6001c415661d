"""Request and response bodies of the people routes (users, teams, tokens,
invitations, audit log)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["admin", "manager", "agent", "viewer"]


class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    role: str
    active: bool
    available: bool
    teams: list[str] = Field(default_factory=list, description="Slugs of the user's teams.")
    created_at: datetime
    last_login_at: datetime | None


class UserCreate(BaseModel):
    email: str
    name: str = ""
    role: Role
    teams: list[str] = Field(default_factory=list, description="Team slugs.")
    password: str | None = Field(
        None, description="Unset: the user cannot sign in until an admin sets one."
    )


class UserUpdate(BaseModel):
    role: Role | None = None
    active: bool | None = None
    available: bool | None = None


class Me(BaseModel):
    label: str
    role: str
    user_id: int | None
    scopes: list[str] | None = Field(None, description="None: every scope the role allows.")
    team_ids: list[int]
    permissions: list[str]


class TeamMember(BaseModel):
    id: int
    email: str
    name: str


class TeamPublic(BaseModel):
    id: int
    slug: str
    name: str
    business_hours: dict[str, Any] | None
    members: list[TeamMember]


class TeamCreate(BaseModel):
    slug: str
    name: str
    business_hours: dict[str, Any] | None = None


class MemberAdd(BaseModel):
    user_id: int


class TokenPublic(BaseModel):
    id: int
    user_id: int
    email: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreate(BaseModel):
    name: str
    scopes: list[str] = Field(min_length=1)
    expires_days: int | None = Field(None, ge=1, le=3650)
    user_id: int | None = Field(None, description="Someone else's token (admins only).")


class TokenCreated(BaseModel):
    id: int
    token: str = Field(description="The secret: shown this once, never again.")
    scopes: list[str]
    expires_at: datetime | None


class InvitationCreate(BaseModel):
    email: str
    role: Role
    name: str | None = None
    teams: list[str] = Field(default_factory=list)


class InvitationCreated(BaseModel):
    id: int
    url: str = Field(description="The link to send; it works once, for a week.")


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_user_id: int | None
    action: str
    object_type: str
    object_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_before_id: int | None = Field(
        None, description="Pass as before_id for the next (older) page; null at the end."
    )
