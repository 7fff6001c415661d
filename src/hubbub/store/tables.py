"""Table definitions (SQLAlchemy Core). Migrations in ``migrations/`` create
them; this module is what the code reads and writes through."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# A configured connector instance: its settings, its cursor and its health.
sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("name", String(200), nullable=False, unique=True),
    Column("settings", JSON, nullable=False),
    Column("cursor", JSON),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_run_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("items_ingested", Integer, nullable=False, default=0),
    Column("items_rejected", Integer, nullable=False, default=0),
    Column("next_run_at", DateTime(timezone=True)),
)

posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(40), nullable=False),
    Column("external_id", String(500), nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("author_handle", String(500)),
    Column("author_name", String(500)),
    Column("author_followers", Integer),
    Column("text", Text, nullable=False),
    # folded, tokenized text maintained by hubbub.listening.tokenize.index_text;
    # the full-text index (FTS5 / tsvector) is built over it.
    Column("search_text", Text, nullable=False, default=""),
    Column("language", String(16)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("reply_to", String(500)),
    Column("thread_root", String(500)),
    Column("likes", Integer),
    Column("reposts", Integer),
    Column("replies", Integer),
    Column("links", JSON),
    Column("raw", JSON),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL")),
    # denormalized from enrichments for filtering and dashboards
    Column("sentiment_label", String(16)),
    Column("sentiment_score", Float),
    Column("dup_cluster", String(64)),
    Column("duplicate_of", Integer),
    # migration 0004_edits_deletes: the stable author id behind a changeable
    # handle (a Bluesky DID), the upstream edit this text is from, and when
    # the post was deleted upstream (a source whose ``deletes`` is "mark")
    Column("author_id", String(500)),
    Column("edited_at", DateTime(timezone=True)),
    Column("deleted_at", DateTime(timezone=True)),
    UniqueConstraint("platform", "external_id", name="uq_posts_platform_external_id"),
    Index("ix_posts_created_at", "created_at"),
    Index("ix_posts_dup_cluster", "dup_cluster"),
    # source health (migration 0002_source_health): newest post, posts per minute
    Index("ix_posts_source_created", "source_id", "created_at"),
    Index("ix_posts_source_ingested", "source_id", "ingested_at"),
)

# Every enricher's result for a post, with the enricher's version.
enrichments = Table(
    "enrichments",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("enricher", String(60), primary_key=True),
    Column("version", String(40), nullable=False),
    Column("data", JSON, nullable=False),
)

listening_queries = Table(
    "listening_queries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("query", Text, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Backfill progress (migration 0003_query_backfill), kept on the row so any
    # web node can report it: state pending|running|done|failed (NULL: never),
    # the run that owns it, counts, and a heartbeat updated every chunk.
    Column("backfill_state", String(16)),
    Column("backfill_run", String(32)),
    Column("backfill_done", Integer),
    Column("backfill_total", Integer),
    Column("backfill_matched", Integer),
    Column("backfill_error", Text),
    Column("backfill_updated_at", DateTime(timezone=True)),
)

matches = Table(
    "matches",
    metadata,
    Column(
        "query_id",
        Integer,
        ForeignKey("listening_queries.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("matched_at", DateTime(timezone=True), nullable=False),
    Index("ix_matches_post_id", "post_id"),
)

# Items a source could not turn into posts: kept so a person can see what and why.
ingest_errors = Table(
    "ingest_errors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE")),
    Column("item", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Scale-out (migration 0006_leases). A lease makes one worker in the cluster the
# holder of a role that must not run twice (the source runner); it lapses at
# expires_at unless renewed, so another worker takes over when the holder dies.
leases = Table(
    "leases",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
)

# A bus message whose effects a stage has committed: a redelivered message is
# recognised by its id and applied no second time.
processed_messages = Table(
    "processed_messages",
    metadata,
    Column("stage", String(40), primary_key=True),
    Column("message_id", String(100), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False),
    Index("ix_processed_messages_processed_at", "processed_at"),
)

# Migration 0004_edits_deletes. Every upstream delete, so a replayed create
# (or one that arrives after its delete) never brings a deleted post back;
# pruned after actions.ingest.TOMBSTONE_DAYS.
post_tombstones = Table(
    "post_tombstones",
    metadata,
    Column("platform", String(40), primary_key=True),
    Column("external_id", String(500), primary_key=True),
    Column("deleted_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_post_tombstones_recorded_at", "recorded_at"),
)

# Handles learnt for stable author ids (Bluesky DID -> handle): fills in posts
# whose connector could not resolve the author in time.
author_handles = Table(
    "author_handles",
    metadata,
    Column("platform", String(40), primary_key=True),
    Column("author_id", String(500), primary_key=True),
    Column("handle", String(500), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=False),
)

# Migration 0005_intents. People's corrections of a post's intents (API, web
# UI): the latest replaces the model's labels on the post, and every one is
# training data for `hubbub train intent --corrections`.
intent_corrections = Table(
    "intent_corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("labels", JSON, nullable=False),
    # who: "api" (the token's holder) or "web"
    Column("corrected_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_intent_corrections_post_id", "post_id"),
)

# --- People (migration 0007_inbox) -------------------------------------------
# Roles are fixed (admin, manager, agent, viewer; hubbub.people.permissions
# holds the matrix); teams are the departments that own queues.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),  # stored lower-cased
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200)),  # argon2id; NULL until an invitation is accepted
    Column("role", String(20), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    # off: round-robin and least-loaded assignment skip this person
    Column("available", Boolean, nullable=False, default=True),
    Column("notify_email", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True)),
)

teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(60), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    # {"timezone": "Europe/Berlin", "days": {"mon": [["09:00", "17:30"]], ...}};
    # NULL: around the clock (hubbub.inbox.sla)
    Column("business_hours", JSON),
    # round-robin assignment resumes after this person
    Column("last_assigned_user_id", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_team_members_user_id", "user_id"),
)

# Server-side web sessions; the cookie holds a random token, the row its hash.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_sessions_user_id", "user_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),  # shown in lists: "hbt_3kx9"
    Column("scopes", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

invitations = Table(
    "invitations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False),
    Column("name", String(200)),
    Column("role", String(20), nullable=False),
    Column("team_ids", JSON, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("invited_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True)),
)

# Every action a person, token or rule takes: who, what, when, before/after.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_user_id", Integer),  # no foreign key: the record outlives the user
    Column("actor", String(300), nullable=False),  # "ana@example.com", "token ci-bot", "rule 3"
    Column("action", String(80), nullable=False),  # "conversation.assign"
    Column("object_type", String(40), nullable=False),
    Column("object_id", String(100)),
    Column("before", JSON),
    Column("after", JSON),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_object", "object_type", "object_id"),
)

# --- Inbox (migration 0007_inbox) --------------------------------------------
# One per author per platform (author_key: the stable author id, else the handle).
contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(40), nullable=False),
    Column("author_key", String(500), nullable=False),
    Column("handle", String(500)),
    Column("name", String(500)),
    Column("followers", Integer),
    Column("notes", Text),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("platform", "author_key", name="uq_contacts_platform_author"),
)

# A thread someone must answer: opened by a matched post, joined by the rest
# of its thread (same platform, same thread root).
conversations = Table(
    "conversations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(40), nullable=False),
    Column("thread_key", String(500), nullable=False),  # the thread root's external id
    Column("root_post_id", Integer, ForeignKey("posts.id", ondelete="SET NULL")),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL")),
    Column("subject", Text, nullable=False, default=""),  # first words of the opening post
    Column("status", String(16), nullable=False, default="open"),  # open|pending|snoozed|resolved
    Column("priority", String(16), nullable=False, default="normal"),  # low|normal|high|urgent
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="SET NULL")),
    Column("assignee_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("tags", JSON, nullable=False),
    Column("spam", Boolean, nullable=False, default=False),
    Column("routed_by_rule_id", Integer),
    Column("post_count", Integer, nullable=False, default=1),
    Column("snoozed_until", DateTime(timezone=True)),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("last_activity_at", DateTime(timezone=True), nullable=False),
    # the newest post from outside (not a reply of ours): "waiting on us" sorting
    Column("last_inbound_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    # service levels (hubbub.inbox.sla): due times from the team's policy and
    # business hours, the measured times in business seconds, breach marks
    Column("first_response_due_at", DateTime(timezone=True)),
    Column("resolution_due_at", DateTime(timezone=True)),
    Column("first_response_at", DateTime(timezone=True)),
    Column("first_response_seconds", Integer),
    Column("resolution_seconds", Integer),
    Column("first_response_breached", Boolean, nullable=False, default=False),
    Column("resolution_breached", Boolean, nullable=False, default=False),
    UniqueConstraint("platform", "thread_key", name="uq_conversations_thread"),
    Index("ix_conversations_team_queue", "team_id", "status", "last_activity_at"),
    Index("ix_conversations_assignee_queue", "assignee_id", "status", "last_activity_at"),
    Index("ix_conversations_status_activity", "status", "last_activity_at"),
    Index("ix_conversations_contact_id", "contact_id"),
)

# Which conversation a post is in (at most one): the thread view, in order.
conversation_posts = Table(
    "conversation_posts",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("ix_conversation_posts_conversation_id", "conversation_id"),
)

# Internal notes: seen by colleagues, never by the author; @mentions notify.
conversation_notes = Table(
    "conversation_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("author_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("body", Text, nullable=False),
    Column("mentions", JSON, nullable=False),  # user ids
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_conversation_notes_conversation_id", "conversation_id"),
)

# Replies from Hubbub: sent through a publisher, or handled elsewhere (a link).
replies = Table(
    "replies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("author_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("in_reply_to_post_id", Integer, ForeignKey("posts.id", ondelete="SET NULL")),
    Column("body", Text, nullable=False),
    Column("platform", String(40), nullable=False),
    Column("status", String(20), nullable=False),  # sending|sent|failed|handled_elsewhere
    Column("external_id", String(500)),  # the platform's id of what we posted
    Column("url", Text),
    Column("error", Text),
    Column("saved_reply_id", Integer),
    # a retried submit (double click, API retry) sends once
    Column("idempotency_key", String(100), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_replies_conversation_id", "conversation_id"),
)

# The team's shared answers; body may use {{variables}} (hubbub.engage.templates).
saved_replies = Table(
    "saved_replies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE")),  # NULL: everyone's
    Column("name", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("team_id", "name", name="uq_saved_replies_team_name"),
)

# Ordered routing rules: conditions and actions as JSON (hubbub.inbox.routing).
routing_rules = Table(
    "routing_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False, unique=True),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("conditions", JSON, nullable=False),
    Column("actions", JSON, nullable=False),
    # stop: later rules are not evaluated for a conversation this one routed
    Column("stop", Boolean, nullable=False, default=False),
    Column("builtin", Boolean, nullable=False, default=False),  # one of the shipped defaults
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# First-response and resolution targets per team and priority (minutes of
# business time).
sla_policies = Table(
    "sla_policies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("first_response_minutes", Integer),
    Column("resolution_minutes", Integer),
    UniqueConstraint("team_id", "priority", name="uq_sla_policies_team_priority"),
)

# What a person is told (mention, assignment, SLA breach, rule); dedupe_key
# makes every notification happen once however often its cause is replayed.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("conversation_id", Integer, ForeignKey("conversations.id", ondelete="CASCADE")),
    Column("body", Text, nullable=False),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True)),
    # when deliver_pending created its e-mail / webhook deliveries (NULL: not
    # yet), so each notification fans out once whatever the channels
    Column("deliveries_created_at", DateTime(timezone=True)),
    Index("ix_notifications_user_unread", "user_id", "read_at"),
    Index("ix_notifications_deliveries_created_at", "deliveries_created_at"),
)

# Each e-mail or outbound-webhook send of a notification, retried until sent.
notification_deliveries = Table(
    "notification_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(20), nullable=False),  # email | webhook
    Column("target", Text, nullable=False),  # address or URL
    Column("payload", JSON, nullable=False),
    Column("dedupe_key", String(240), nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_notification_deliveries_due", "status", "next_attempt_at"),
)
