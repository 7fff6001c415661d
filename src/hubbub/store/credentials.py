"""Source credentials encrypted at rest.

A secret setting (a connector declares it with ``"type": "secret"``; a name
such as ``token``, ``client_secret`` or ``api_key`` counts as one too) is stored
as ``hubbub-secret:v1:<Fernet token>``: AES-128-CBC with an HMAC-SHA256, so a
value altered in the database is refused rather than misread. The prefix names
the format, so a later one can be told apart.

The key: ``HUBBUB_SECRET_KEY`` (Fernet keys, comma separated), else the key
file (``HUBBUB_SECRET_KEY_FILE`` or HOME/secret.key, one key per line, created
with mode 0600 on first use). The first key encrypts and every key decrypts, so
a key is rotated by putting the new one first, running ``hubbub source rekey``
and then dropping the old one.

Values written before encryption existed (no prefix) are still read as they
are; ``hubbub source rekey`` encrypts them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from hubbub.config import Settings
from hubbub.sources.base import ConfigError, SourceError

PREFIX = "hubbub-secret:v1:"
MASK = "********"
KEY_FILE_NAME = "secret.key"
# Words that make a setting's name a credential even if its connector forgot to say so.
SECRET_WORDS = frozenset(
    {"token", "secret", "password", "passwd", "passphrase", "key", "apikey", "credentials"}
)
MIN_SCRUB_CHARS = 4  # shorter values would blank out ordinary words in messages


class CredentialError(SourceError, ConfigError):
    """A credential cannot be encrypted or decrypted (missing or wrong key).

    A SourceError so the runner records it on that source and goes on with the
    others; a ConfigError so the CLI, API and web show it as a settings problem."""


class CredentialCipher:
    """Encrypts and decrypts secret settings with the workspace's key(s)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def key_origin(self) -> str:
        """Where the key comes from, for messages (never the key itself)."""
        if self._settings.secret_key is not None:
            return "HUBBUB_SECRET_KEY"
        return f"the key file {self.key_file}"

    @property
    def key_file(self) -> Path:
        return self._settings.secret_key_file or self._settings.home / KEY_FILE_NAME

    @cached_property
    def _keys(self) -> MultiFernet:
        if self._settings.secret_key is not None:
            text = self._settings.secret_key.get_secret_value().replace(",", "\n")
        elif self.key_file.exists():
            text = self.key_file.read_text()
        else:
            text = _create_key_file(self.key_file)
        keys = [line.strip() for line in text.splitlines() if line.strip()]
        if not keys:
            raise CredentialError(f"no key in {self.key_origin}")
        try:
            return MultiFernet([Fernet(k) for k in keys])
        except ValueError:
            raise CredentialError(
                f"{self.key_origin} does not hold valid keys: each must be 32 url-safe "
                "base64-encoded bytes (make one with `hubbub source new-key`)"
            ) from None

    def seal(self, value: str) -> str:
        """The value encrypted (a value already encrypted is kept as it is)."""
        if is_sealed(value):
            return value
        return PREFIX + self._keys.encrypt(value.encode()).decode("ascii")

    def reveal(self, value: str, what: str) -> str:
        """The plain value; ``what`` names it in the error (never the value)."""
        if not is_sealed(value):
            return value  # stored before encryption existed
        try:
            return self._keys.decrypt(value[len(PREFIX) :].encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise CredentialError(
                f"{what} cannot be decrypted with the key from {self.key_origin}: "
                "the key was changed or lost. Restore the old key (it can stay as a "
                "second key), or set the credential again"
            ) from None

    def reseal(self, value: str, what: str) -> str:
        """The value encrypted with the first key (plain values get encrypted)."""
        if not is_sealed(value):
            return self.seal(value)
        try:
            return PREFIX + self._keys.rotate(value[len(PREFIX) :].encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            self.reveal(value, what)  # raises the explained error
            raise


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def _create_key_file(path: Path) -> str:
    key = new_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text()
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def _declared_secrets(kind: str) -> set[str]:
    from hubbub.plugins import source_kinds  # late: plugins import every connector

    cls = source_kinds().get(kind)
    spec = cls.settings_help() if cls is not None and hasattr(cls, "settings_help") else []
    return {s["name"] for s in spec if s.get("type") == "secret"}


def looks_secret(name: str) -> bool:
    """``api_key``, ``AccessToken``, ``client-secret``: a name with a credential word."""
    words = re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower())
    return any(word in SECRET_WORDS for word in words)


def secret_names(kind: str, settings: Mapping[str, Any]) -> set[str]:
    """The settings of ``settings`` that are credentials."""
    declared = _declared_secrets(kind)
    return {n for n in settings if n in declared or looks_secret(n) or is_sealed(settings[n])}


def seal_settings(
    kind: str, settings: Mapping[str, Any], cipher: CredentialCipher
) -> dict[str, Any]:
    """The settings with every credential encrypted, ready to store."""
    names = secret_names(kind, settings)
    return {
        n: cipher.seal(v) if n in names and isinstance(v, str) and v else v
        for n, v in settings.items()
    }


def reveal_settings(
    kind: str, settings: Mapping[str, Any], cipher: CredentialCipher, source: str
) -> dict[str, Any]:
    """The settings with every credential decrypted, for building the connector.
    ``source`` names the source in errors."""
    return {
        n: cipher.reveal(v, f"setting {n!r} of source {source!r}") if is_sealed(v) else v
        for n, v in settings.items()
    }


def mask_settings(kind: str, settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings as they may be shown: every credential that is set becomes
    ``MASK``, and so does a password inside a URL (``https://user:pw@host``)."""
    settings = settings or {}
    names = secret_names(kind, settings)
    return {n: (MASK if n in names and v else _mask_url_password(v)) for n, v in settings.items()}


def _mask_url_password(value: Any) -> Any:
    if isinstance(value, str) and "@" in value and "://" in value:
        return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://[^/:@]*):[^/@]*@", rf"\1:{MASK}@", value)
    return value


def plain_secrets(kind: str, settings: Mapping[str, Any]) -> list[str]:
    """The plain credential values of (revealed) settings, for ``scrub``."""
    names = secret_names(kind, settings)
    return [v for n, v in settings.items() if n in names and isinstance(v, str) and v]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every credential replaced by ``MASK`` (error messages, logs)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_SCRUB_CHARS:
            text = text.replace(secret, MASK)
    return text
