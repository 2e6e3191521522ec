"""The shared cache: Django's Redis backend tuned for failing fast, and reading copies safely.

Everything in the cache is either a copy of the database (questions, session copies) or a
count that may reset (rate limits), so an unreachable cache must slow a request down, never
fail it. `get_copy` and `keep_copy` are how code reads and fills copies.
"""

import logging

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import DatabaseError
from redis import RedisError
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# What a cache that is down, restarting or unreachable raises: Redis, or the database table
# used as the cache without REDIS_URL.
CACHE_ERRORS = (RedisError, DatabaseError)

# A Redis on the same network answers in well under a millisecond. redis-py's defaults (5 s
# timeouts, 10 retries with backoff) made every cache read cost ~0.8 s while Redis was down
# (and 5 s or more when it doesn't answer at all), which across the few reads of a request
# made a cache outage look like a site outage. One immediate retry still reconnects the
# pooled connections after a Redis restart.
FAIL_FAST = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "retry": Retry(NoBackoff(), 1),
}


def get_copy(key: str):
    """The cached copy under `key`; None when there is none or the cache can't be reached
    (the caller reads the database instead)."""
    try:
        return cache.get(key)
    except CACHE_ERRORS as error:
        logger.warning("cache unreachable, reading %s from the database: %s", key, error)
        return None


def keep_copy(key: str, value, timeout: int) -> None:
    """Store a copy if the cache can be reached; if not, the next request makes it again."""
    try:
        cache.set(key, value, timeout)
    except CACHE_ERRORS as error:
        logger.warning("cache unreachable, %s not stored: %s", key, error)


class ReusedClient(RedisCacheClient):
    """Django's Redis client keeping one redis-py client per connection pool.

    Django's own backend builds a new `redis.Redis` for every call, which costs more Python
    than the cache hit it serves (each answer a student saves reads the cache twice).
    redis-py clients are thread-safe, so one per pool serves every thread of a process.
    """

    def __init__(self, servers, **options):
        super().__init__(servers, **{**FAIL_FAST, **options})
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        # Pools live as long as this object, so their ids stay theirs.
        if id(pool) not in self._clients:
            self._clients[id(pool)] = self._client(connection_pool=pool)
        return self._clients[id(pool)]


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient
