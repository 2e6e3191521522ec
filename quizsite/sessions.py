"""Sessions in the database, read through a copy in the cache that the cache may lose.

With REDIS_URL the cache is Redis, which a restart or an eviction empties: sessions kept only
there signed every student out. This is Django's `cached_db` engine (every session written
to the database, read from the cache first), with the cache's failures made harmless:

- a cache that can't be reached reads as a miss, so the session comes from the database
  (Django's version fails the request when filling or deleting the copy raises);
- a copy that could not be replaced or deleted (a changed session, a log out while the
  cache was away) is outdated if the cache comes back with its data. Such copies are
  remembered and deleted as soon as this process reaches the cache again, and never read
  meanwhile; and no copy lives longer than COPY_TIMEOUT, in case this process is gone.
"""

import logging
import threading

from django.contrib.sessions.backends import cached_db

from quizsite.cache import CACHE_ERRORS

logger = logging.getLogger(__name__)

COPY_TIMEOUT = 10 * 60  # seconds; then the session is read from the database again
STALE_LIMIT = 10_000  # outdated copies remembered per process (an outage's worth)

_stale = set()  # cache keys whose copy a failed write or delete may have left outdated
_stale_lock = threading.Lock()


class SessionCopies:
    """The cache as cached_db uses it, where every failure is a miss (or a copy not made)."""

    def __init__(self, cache):
        self.cache = cache

    def get(self, key, default=None):
        try:
            if _stale:
                self._delete_stale()  # before any copy is read, since it might be one of them
            return self.cache.get(key, default)
        except CACHE_ERRORS as error:
            logger.warning("session cache unreachable, reading the database: %s", error)
            return default

    def set(self, key, value, timeout=None):
        timeout = COPY_TIMEOUT if timeout is None else min(timeout, COPY_TIMEOUT)
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
        logger.warning("session cache unreachable, copy %s not updated: %s", key, error)
        with _stale_lock:
            if len(_stale) < STALE_LIMIT:
                _stale.add(key)

    def _delete_stale(self):
        with _stale_lock:
            keys = list(_stale)
        self.cache.delete_many(keys)
        with _stale_lock:
            _stale.difference_update(keys)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = SessionCopies(self._cache)
