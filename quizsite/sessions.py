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

from django.contrib.sessions.backends import cached_db

from quizsite.cache import Copies

COPY_TIMEOUT = 10 * 60  # seconds; then the session is read from the database again


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = Copies(self._cache, longest=COPY_TIMEOUT)
