"""Secrets kept for a while, sealed with a key derived from the site's SECRET_KEY: a first
password waits, unreadable in the database and its backups, until the teacher who made
it has seen it (classrooms.models.ImportedStudent). Fernet (cryptography) encrypts and
authenticates, so a sealed value can't be read or changed without the key."""

import base64

from cryptography.fernet import Fernet, InvalidToken
from django.utils.crypto import salted_hmac


def _fernet() -> Fernet:
    key = salted_hmac("quizsite.sealed", "fernet-key", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def unseal(token: str) -> str | None:
    """The sealed text; None if it can't be read (the site's key changed since)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
