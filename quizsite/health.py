"""Probes for load balancers and orchestrators.

Under bin/serve both are answered by a thread of their own (quizsite/probe_worker.py), so
they answer even while every request thread waits for the database.
"""

import psycopg
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from quizsite.cache import CACHE_ERRORS

# Longest wait for a pooled connection: a load balancer's probe usually gives up after a
# second, and in normal running a pool as large as the thread count always has one free.
POOL_WAIT = 0.5


@never_cache
def healthz(request):
    """Ready: this server reaches its database (a pooled connection quickly) and its cache.

    A Redis that is down costs at most about a second here (quizsite.cache.FAIL_FAST: 0.5 s
    per try, one retry), at once when the connection is refused. The site still answers then,
    slower and without rate limits (README), but logins and answers lean on the database
    alone: an orchestrator should hear of it, and a load balancer prefer a server that has both.
    """
    checks = {"database": database_answers(), "cache": "unreachable"}
    # The database cache lives in the database that just failed: asking it again would only
    # wait the pool's whole timeout.
    if checks["database"] == "ok" or not isinstance(caches["default"], DatabaseCache):
        checks["cache"] = cache_answers()
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def database_answers() -> str:
    try:
        pool = getattr(connection, "pool", None)  # PostgreSQL with DATABASE_POOL_SIZE
        if pool is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return "ok"
        # Not connection.cursor(), which would wait the pool's whole timeout (seconds).
        pool.open()
        with pool.connection(timeout=POOL_WAIT) as pooled:
            pooled.execute("SELECT 1")
        return "ok"
    except (DatabaseError, psycopg.Error):
        return "unreachable"


def cache_answers() -> str:
    # A read, not a write: on SQLite a write would queue behind a long transaction, and the
    # probe must answer while one holds the database (tests/test_live_servers.py).
    try:
        caches["default"].get("healthz:probe")
    except CACHE_ERRORS:
        return "unreachable"
    return "ok"


@never_cache
def livez(request):
    """Alive: the process answers. No database, no session; also the benchmark's ceiling."""
    return HttpResponse("ok", content_type="text/plain")
