from __future__ import annotations

import pytest

from hubbub.sources.webhook.verify import SignatureError, sign, verify

SECRET = "s3cret-s3cret-s3cret"
BODY = b'{"id": "1", "text": "hi"}'


def test_good_signatures() -> None:
    verify(SECRET, BODY, sign(SECRET, BODY), None, now=0)
    verify(SECRET, BODY, sign(SECRET, BODY, "1000"), "1000", now=1100)


@pytest.mark.parametrize(
    ("signature", "timestamp", "reason"),
    [
        (None, None, "missing"),
        ("md5=abc", None, "sha256="),
        (sign("another-secret-entirely", BODY), None, "does not match"),
        (sign(SECRET, BODY + b" "), None, "does not match"),
        (sign(SECRET, BODY), "1", "does not match"),  # timestamp not in the signed string
        (sign(SECRET, BODY, "1000"), "1000", "server's clock"),  # too old at now=2000
        (sign(SECRET, BODY, "x"), "x", "Unix seconds"),
        ("sha256=\u00e9", None, "does not match"),
    ],
)
def test_refused_signatures(signature: str | None, timestamp: str | None, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify(SECRET, BODY, signature, timestamp, now=2000 if timestamp == "1000" else 1)
