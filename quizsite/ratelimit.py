"""Abuse limits for logins, sign-ups and join codes, counted in the shared cache.

A small module rather than django-ratelimit or django-axes: we need HTTP 429 with the
wait in words and in Retry-After, counts in the cache every app server shares, and
different things counted per limit (failures for logins and join codes, every attempt
for sign-ups), which neither library gives without as much code again around it.

Counts live in fixed windows (the window number is part of the cache key), so the wait
is simply the time to the end of the window, and at most `attempts` pass per window.
A whole school may sit behind one public IP, so the per-IP limits are generous; the
per-account limits are the strict ones.
"""

import hashlib
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizsite.cache import CACHE_ERRORS

logger = logging.getLogger(__name__)

KEY_PREFIX = "ratelimit"


def clock() -> float:
    """Seconds since the epoch; tests move it forward to end a window."""
    return time.time()


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window: int  # seconds
    reason: Promise  # why the visitor is refused, shown before the wait

    def _key(self, who: str, window_number: int) -> str:
        # Hashed: usernames and posted codes may be long or hold characters a key can't.
        digest = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()
        return f"{KEY_PREFIX}:{self.name}:{digest}:{window_number}"

    def wait(self, who: str) -> int:
        """Seconds until `who` may try again; 0 when they may now."""
        now = clock()
        count = cache.get(self._key(who, int(now // self.window)), 0)
        return math.ceil(self.window - now % self.window) if count >= self.attempts else 0

    def hit(self, who: str) -> None:
        """Count one attempt (or failure) by `who` in the current window."""
        now = clock()
        key = self._key(who, int(now // self.window))
        # The entry only needs to outlive its window; incr() on some backends resets the
        # expiry to the default timeout, hence the touch() afterwards.
        remaining = math.ceil(self.window - now % self.window) + 1
        cache.add(key, 0, timeout=remaining)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=remaining)
        cache.touch(key, timeout=remaining)


MINUTE, HOUR = 60, 60 * 60
# Failed logins: a whole school logging in from one IP mistypes now and then; a password
# guesser on one account gets 5 tries per quarter hour (480 a day).
LOGIN_PER_IP = Limit(
    "login-ip", 300, 15 * MINUTE, _("There have been too many failed logins from your network.")
)
LOGIN_PER_ACCOUNT = Limit(
    "login-account", 5, 15 * MINUTE, _("There have been too many failed logins for this account.")
)
# Every sign-up attempt counts: a year group of 300 can create accounts from one school IP
# in an hour, typos included; a script can't mint thousands.
SIGNUP_PER_IP = Limit(
    "signup-ip", 300, HOUR, _("There have been too many sign-ups from your network.")
)
# Wrong join codes: see JOIN_CODE_LENGTH in classrooms/models.py for what these allow.
JOIN_PER_IP = Limit(
    "join-ip", 300, HOUR, _("There have been too many wrong join codes from your network.")
)
JOIN_PER_ACCOUNT = Limit("join-account", 10, HOUR, _("You have typed too many wrong join codes."))


@dataclass(frozen=True)
class Block:
    """A refusal: which limit was reached and how many seconds until it lifts."""

    limit: Limit
    retry_after: int

    @property
    def message(self) -> str:
        return f"{self.limit.reason} {wait_in_words(self.retry_after)}"


def blocked(*checks: tuple[Limit, str]) -> Block | None:
    """The first of these (limit, who) pairs that is reached, if any, with its wait.

    While the cache can't be reached, nobody is refused (README, "Running in production":
    a class signing in again matters more than a few seconds of uncounted guesses)."""
    try:
        for limit, who in checks:
            if seconds := limit.wait(who):
                return Block(limit, seconds)
    except CACHE_ERRORS as error:
        logger.warning("rate limits not checked, cache unreachable: %s", error)
    return None


def hit(*checks: tuple[Limit, str]) -> None:
    try:
        for limit, who in checks:
            limit.hit(who)
    except CACHE_ERRORS as error:
        logger.warning("rate limits not counted, cache unreachable: %s", error)


def wait_in_words(seconds: int) -> str:
    if seconds < MINUTE:
        return ngettext(
            "Please wait %(count)d second and try again.",
            "Please wait %(count)d seconds and try again.",
            seconds,
        ) % {"count": seconds}
    minutes = math.ceil(seconds / MINUTE)
    return ngettext(
        "Please wait %(count)d minute and try again.",
        "Please wait %(count)d minutes and try again.",
        minutes,
    ) % {"count": minutes}


def refuse(response, block: Block):
    """Make `response` (the form again, with block.message on it) a 429 with Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(block.retry_after)
    return response


def client_ip(request) -> str:
    """Who is asking, for per-IP limits.

    REMOTE_ADDR unless settings.TRUSTED_PROXY_COUNT says how many proxies of ours append
    to X-Forwarded-For: then the address the outermost of them saw. Anything further
    left in that header is whatever the client sent, so it is never trusted. IPv6
    addresses count per /64, the block one household or school is given.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
