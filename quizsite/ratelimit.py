"""Abuse limits for logins, password changes, sign-ups, join codes and practice attempts,
counted in the shared cache.

A small module rather than django-ratelimit or django-axes: we need HTTP 429 with the
wait in words and in Retry-After, counts in the cache every app server shares, and a slot
taken before the guarded work and given back when it succeeded, which neither library
gives without as much code again around it.

Counts live in fixed windows (the window number is part of the cache key), so the wait
is simply the time to the end of the window. Each attempt first adds one to its counts
(an atomic increment in Redis or in the database, see quizsite/cache.py) and goes ahead
only if no count went over its limit; thirty requests sent at once therefore get at most
`attempts` checks, never thirty that all looked before any was counted. A login that
succeeds gives its slots back, so only failures use them up.

A whole school may sit behind one public IP, so the per-IP limits are generous; the
strict limits are per account and address, so a guesser can't lock the owner out from
elsewhere.
"""

import hashlib
import ipaddress
import logging
import math
import time
from contextlib import suppress
from dataclasses import dataclass, field

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

    def take(self, who: str) -> tuple[str, int]:
        """Count one attempt by `who` in the current window: its cache key, and the seconds
        to wait when that made one too many (else 0)."""
        now = clock()
        # Hashed: usernames and posted codes may be long or hold characters a key can't.
        digest = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()
        key = f"{KEY_PREFIX}:{self.name}:{digest}:{int(now // self.window)}"
        remaining = math.ceil(self.window - now % self.window)
        # Kept a whole window longer than needed, so no count expires between add() and
        # incr(), and a server whose clock lags a little still finds its window's count.
        cache.add(key, 0, timeout=remaining + self.window)
        try:
            count = cache.incr(key)
        except ValueError:  # gone since add(): the cache was emptied meanwhile
            cache.add(key, 1, timeout=remaining + self.window)
            count = 1
        return key, remaining if count > self.attempts else 0


@dataclass(frozen=True)
class Block:
    """A refusal: which limit was reached and how many seconds until it lifts."""

    limit: Limit
    retry_after: int

    @property
    def message(self) -> str:
        return f"{self.limit.reason} {wait_in_words(self.retry_after)}"


@dataclass
class Slots:
    """One attempt's places in the counts it was checked against; `block` when it was refused."""

    keys: list[str] = field(default_factory=list)
    block: Block | None = None

    def give_back(self) -> None:
        """Uncount the attempt: it succeeded (or was refused), so it uses up no limit."""
        for key in self.keys:
            # Expired meanwhile, or the cache is away: nothing left to give back.
            with suppress(ValueError, *CACHE_ERRORS):
                cache.decr(key)
        self.keys = []


def take(*checks: tuple[Limit, str]) -> Slots:
    """Count an attempt against each (limit, who) before doing what they guard.

    When a count goes over its limit the attempt is refused (`slots.block`) and given
    back, so a refused request uses up nothing: it neither counts against the network's
    limit nor creates counts for further names. Put the broadest limit first.

    While the cache can't be reached, nobody is refused (README, "Running in production":
    a class signing in again matters more than a few seconds of uncounted guesses).
    """
    slots = Slots()
    try:
        for limit, who in checks:
            key, retry_after = limit.take(who)
            slots.keys.append(key)
            if retry_after:
                slots.give_back()
                slots.block = Block(limit, retry_after)
                break
    except CACHE_ERRORS as error:
        logger.warning("rate limits not counted, cache unreachable: %s", error)
    return slots


MINUTE, HOUR = 60, 60 * 60
# Wrong passwords, at logins (students' and the admin's) and password changes alike. A
# whole school logging in from one IP mistypes now and then; a guesser at one address gets
# 5 tries on an account per quarter hour (480 a day), and can't lock its owner out from
# anywhere else. Across all addresses an account takes 50 per quarter hour (4,800 a day):
# ten addresses' worth, so one person at a few addresses never locks it, while a guesser
# with a thousand addresses still gets 4,800 tries a day, not 480,000.
TOO_MANY_FOR_ACCOUNT = _("There have been too many wrong passwords for this account.")
PASSWORD_PER_IP = Limit(
    "password-ip",
    300,
    15 * MINUTE,
    _("There have been too many wrong passwords from your network."),
)
PASSWORD_PER_ACCOUNT = Limit("password-account", 50, 15 * MINUTE, TOO_MANY_FOR_ACCOUNT)
PASSWORD_PER_ACCOUNT_AND_IP = Limit("password-account-ip", 5, 15 * MINUTE, TOO_MANY_FOR_ACCOUNT)


def password_checks(request, username: str) -> tuple[tuple[Limit, str], ...]:
    """The limits a password check for `username` from this request is counted against."""
    ip, account = client_ip(request), username.casefold()
    return (
        (PASSWORD_PER_IP, ip),
        (PASSWORD_PER_ACCOUNT, account),
        # An address never holds a space, so no two (address, account) pairs share a key.
        (PASSWORD_PER_ACCOUNT_AND_IP, f"{ip} {account}"),
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
# Anonymous practice attempts (on the site and in embeds): each is a new row. A class of
# 30 behind one address may start and restart 20 times an hour each; a script can't fill
# the database with millions.
PRACTICE_PER_IP = Limit(
    "practice-ip",
    600,
    HOUR,
    _("So many practice quizzes have been started from your network that no more can start now."),
)


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
