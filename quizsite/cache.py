"""The shared cache's backends, and how code reads and fills cached copies.

Everything in the cache is either a copy of the database (questions, session copies) or a
count that may reset (rate limits), so an unreachable cache must slow a request down, never
fail it. `get_copy` and `keep_copy` are how code reads and fills copies.

Redis: one redis-py client per connection pool, tuned to fail fast. Django's own backend
builds a new `redis.Redis` for every call, which costs more Python than the cache hit it
serves (each answer a student saves reads the cache twice). redis-py clients are
thread-safe, so one per pool serves every thread of a process. Its incr() is Redis's INCR,
atomic already.

Database: an incr() that two requests can't both read before either writes (Django's reads
the value, then writes value + 1: thirty requests at once may all write 1), and culling
that never drops an entry before it expires. Rate limits count in this cache
(quizsite/ratelimit.py); both changes keep their counts exact.
"""

import base64
import logging
import pickle

from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now
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


class AtomicDatabaseCache(DatabaseCache):
    """Django's database cache with an atomic incr() and decr(), that culls only what expired."""

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        # Whole seconds, as Django's backend stores them.
        moment = connection.ops.adapt_datetimefield_value(now().replace(microsecond=0))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # Writing the row first takes its lock (on SQLite, the database's write lock), so
            # no other incr() can read the value between this one's read and write.
            cursor.execute(
                f"UPDATE {table} SET expires = expires WHERE cache_key = %s AND expires >= %s",
                [key, moment],
            )
            if cursor.rowcount != 1:
                raise ValueError(f"Key '{key}' not found.")
            cursor.execute(f"SELECT value FROM {table} WHERE cache_key = %s", [key])
            stored = connection.ops.process_clob(cursor.fetchone()[0])
            value = pickle.loads(base64.b64decode(stored.encode())) + delta
            pickled = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [pickled, key])
        return value

    def _cull(self, db, cursor, now, num):
        # Django's culling deletes expired entries, then a third of the rest when still over
        # MAX_ENTRIES: rate-limit counts among them, so anyone who could fill the table
        # (a few hundred failed logins under new names) could wipe another's count. Only
        # expired entries go: nothing here is kept longer than a day (content_cache.TIMEOUT),
        # so the table holds at most a day's entries.
        table = connections[db].ops.quote_name(self._table)
        expired = connections[db].ops.adapt_datetimefield_value(now)
        cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [expired])
