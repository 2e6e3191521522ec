"""Embed tokens: the signed, expiring reference to an attempt that a page in another site's
frame carries in its forms, because a cookie may not survive in a third-party iframe. Each
kind of frame signs with a salt of its own (a practice embed's, an LMS's), so one's token
opens nothing of the other's."""

import uuid

from django.conf import settings
from django.core import signing

SALT = "embeds.attempt"

# Both are signing.BadSignature; SignatureExpired is the one a student can do nothing about.
BadToken = signing.BadSignature
ExpiredToken = signing.SignatureExpired


def make_token(public_id: uuid.UUID, salt=SALT) -> str:
    """A fresh token: its age counts from now, so an active student never runs out of time."""
    return signing.dumps({"attempt": str(public_id)}, salt=salt)


def read_token(token: str, salt=SALT) -> uuid.UUID:
    """The attempt's public id; ExpiredToken or BadToken when it can't be trusted."""
    data = signing.loads(token, salt=salt, max_age=settings.EMBED_TOKEN_MAX_AGE)
    try:
        return uuid.UUID(data["attempt"])
    except (KeyError, TypeError, ValueError) as error:
        raise BadToken("The token names no attempt.") from error
