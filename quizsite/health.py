"""Probes for load balancers and orchestrators.

Under bin/serve both are answered by a thread of their own (quizsite/probe_worker.py), so
they answer even while every request thread waits for the database.
"""

import psycopg
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

# Longest wait for a pooled connection: a load balancer's probe usually gives up after a
# second, and in normal running a pool as large as the thread count always has one free.
POOL_WAIT = 0.5


@never_cache
def healthz(request):
    """Ready: this server can reach its database (and get a pooled connection quickly)."""
    try:
        database_answers()
    except (DatabaseError, psycopg.Error):
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def database_answers():
    pool = getattr(connection, "pool", None)  # PostgreSQL with DATABASE_POOL_SIZE
    if pool is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return
    # Not connection.cursor(), which would wait the pool's whole timeout (seconds).
    pool.open()
    with pool.connection(timeout=POOL_WAIT) as pooled:
        pooled.execute("SELECT 1")


@never_cache
def livez(request):
    """Alive: the process answers. No database, no session; also the benchmark's ceiling."""
    return HttpResponse("ok", content_type="text/plain")
