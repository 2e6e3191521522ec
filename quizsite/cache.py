"""The shared cache's backends, and how code reads and fills cached copies.

Everything in the cache is either a copy of the database (questions, session copies) or a
count that may reset (rate limits), so an unreachable cache must slow a request down, never
fail it. `Copies` is how code reads, fills and deletes copies; a copy that never changes
under its key (its key names the version it copies) is also kept in the process
(`ProcessCopies`), so that reading it again asks the shared cache nothing.

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
import threading
from collections import OrderedDict

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


STALE_LIMIT = 10_000  # outdated copies remembered per process (an outage's worth)

_stale = set()  # cache keys whose copy a failed write or delete may have left outdated
_stale_lock = threading.Lock()


class Copies:
    """A cache as code that keeps copies of the database in it uses it, its failures made
    harmless: a cache that can't be reached reads as a miss (the caller reads the database)
    and a copy not made is made next time. A copy that could not be replaced or deleted (a
    changed row, while the cache was away) is outdated if the cache comes back with its
    data: such keys are remembered and deleted as soon as this process reaches the cache
    again, and never read meanwhile; and no copy lives longer than `longest` seconds, in
    case this process is gone."""

    def __init__(self, cache, *, longest: int):
        self.cache = cache
        self.longest = longest

    def get(self, key, default=None):
        try:
            if _stale:
                self._delete_stale()  # before any copy is read, since it might be one of them
            return self.cache.get(key, default)
        except CACHE_ERRORS as error:
            logger.warning("cache unreachable, reading %s from the database: %s", key, error)
            return default

    def set(self, key, value, timeout=None):
        timeout = self.longest if timeout is None else min(timeout, self.longest)
        try:
            self.cache.set(key, value, timeout)
        except CACHE_ERRORS as error:
            self._remember_stale(key, error)

    def delete(self, key):
        try:
            self.cache.delete(key)
        except CACHE_ERRORS as error:
            self._remember_stale(key, error)

    def __contains__(self, key):
        try:
            return key in self.cache
        except CACHE_ERRORS:
            return False  # cached_db then asks the database

    def _remember_stale(self, key, error):
        logger.warning("cache unreachable, copy %s not updated: %s", key, error)
        with _stale_lock:
            if len(_stale) < STALE_LIMIT:
                _stale.add(key)

    def _delete_stale(self):
        with _stale_lock:
            keys = list(_stale)
        self.cache.delete_many(keys)
        with _stale_lock:
            _stale.difference_update(keys)


class ProcessCopies:
    """The last `size` copies this process read, for keys whose copy never changes.

    Kept pickled, so every request unpickles objects of its own, as from the shared cache,
    and no thread sees another's changes to them."""

    def __init__(self, size: int, *, longest: int):
        self.size = size
        self.shared = Copies(cache, longest=longest)
        self._copies = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            pickled = self._copies.get(key)
            if pickled is not None:
                self._copies.move_to_end(key)
        if pickled is None:
            found = self.shared.get(key)
            if found is not None:
                self._keep(key, pickle.dumps(found, pickle.HIGHEST_PROTOCOL))
            return found
        return pickle.loads(pickled)

    def set(self, key: str, value) -> None:
        self.shared.set(key, value)
        self._keep(key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

    def _keep(self, key: str, pickled: bytes) -> None:
        with self._lock:
            self._copies[key] = pickled
            self._copies.move_to_end(key)
            while len(self._copies) > self.size:
                self._copies.popitem(last=False)


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
