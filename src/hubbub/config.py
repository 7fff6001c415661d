"""One Settings object: environment variables (HUBBUB_*) over the workspace's
``settings.json`` over defaults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path.home() / ".hubbub"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUBBUB_", extra="ignore")

    home: Path = Field(DEFAULT_HOME, description="Workspace directory: database, settings, caches.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the store. Unset: SQLite at HOME/hubbub.db. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/db",
    )
    nats_url: str | None = Field(
        None, description="NATS server URL(s), comma separated (scale-out)."
    )
    host: str = Field("127.0.0.1", description="Address `hubbub serve` binds to.")
    port: int = Field(8000, description="Port `hubbub serve` binds to.")
    sentiment_model: str = Field(
        "vader",
        description="Sentiment enricher backend: `vader` (lexicon, fast) or `minilm` "
        "(the trained model, `hubbub train sentiment`).",
    )
    sentiment_languages: str = Field(
        "en",
        description="Languages whose posts get a sentiment, comma separated ISO 639-1 codes; "
        "`*`: every language. Both models are English-only: a post detected (or declared) "
        "in another language is stored as not rated instead of guessed from the English "
        "words in it.",
    )
    batch_size: int = Field(500, description="Posts per pipeline batch.")
    dedup_threshold: float = Field(
        0.8, description="Estimated Jaccard similarity above which two posts are near-duplicates."
    )
    api_token: str | None = Field(
        None,
        description="Token for the REST API. Unset: generated on `hubbub init` into HOME/api_token.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key(s) encrypting source credentials at rest (Fernet, from "
        "`hubbub source new-key`); several, comma separated: the first encrypts, all decrypt. "
        "Unset: the key file.",
    )
    secret_key_file: Path | None = Field(
        None,
        description="File holding the credentials key(s), one per line. "
        "Unset: HOME/secret.key, created (mode 0600) on first use.",
    )
    source_failing_after: int = Field(
        3, ge=1, description="Consecutive failures after which a source is shown as failing."
    )
    intent_enabled: bool = Field(
        True,
        description="Run the intents enricher (sentence embeddings; ~100 MB of weights once loaded, shared with the trained sentiment model).",
    )
    intent_model: str | None = Field(
        None,
        description="Intent model file. Unset: HOME/models/intent.json if "
        "`hubbub train intent` wrote one, else the model shipped with Hubbub.",
    )
    intent_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Score from which a post gets an intent. Unset: each label's "
        "threshold tuned by cross-validation when the model was trained.",
    )
    embedding_threads: int = Field(
        0, ge=0, description="CPU threads for sentence embeddings; 0: one per core."
    )
    # web sessions
    session_idle_minutes: int = Field(
        720, ge=1, description="A web session ends after this many minutes without a request."
    )
    session_max_hours: int = Field(
        168, ge=1, description="A web session ends this many hours after login, however active."
    )

    # notifications (e-mail, outbound webhook) and the scheduler
    smtp_host: str | None = Field(
        None, description="SMTP server for notification e-mails. Unset: no e-mails."
    )
    smtp_port: int = Field(25, description="SMTP server port (587 with STARTTLS, usually).")
    smtp_from: str | None = Field(
        None, description="From address of notification e-mails, e.g. hubbub@example.com."
    )
    smtp_username: str | None = Field(None, description="SMTP login. Unset: no login.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    public_url: str | None = Field(
        None,
        description="Address people open Hubbub at, for links in e-mails and webhooks "
        "(e.g. https://hubbub.example.com). Unset: http://HOST:PORT.",
    )
    notify_webhook_url: str | None = Field(
        None, description="URL every notification is POSTed to as JSON. Unset: none."
    )
    notify_webhook_secret: SecretStr | None = Field(
        None,
        description="Key signing notification webhooks: header "
        "`X-Hubbub-Signature: sha256=<HMAC-SHA256 of the body, hex>`.",
    )
    scheduler_interval_seconds: float = Field(
        15,
        gt=0,
        description="How often the scheduler checks service levels, wakes snoozed "
        "conversations and delivers notifications.",
    )

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'hubbub.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")


def load_settings(home: Path | str | None = None, **overrides: Any) -> Settings:
    """Settings for a workspace: ``home`` (or HUBBUB_HOME) and its settings.json."""
    env = Settings(home=Path(home)) if home else Settings()
    file = env.home / "settings.json"
    values: dict[str, Any] = {}
    if file.exists():
        values.update(json.loads(file.read_text()))
    # the environment wins over the file
    values.update(env.model_dump(exclude_unset=True))
    values.update(overrides)
    values["home"] = Path(values.get("home", env.home)).expanduser()
    return Settings(**values)
