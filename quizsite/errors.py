"""The page for a request the server could not finish: 503 while the database is away."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.defaults import server_error

# Seconds a client should wait before trying again: about how long PostgreSQL takes to
# restart, or the connection pool to reconnect once it is back.
RETRY_AFTER = 5


def server_error_page(request):
    """handler500. Django calls it while handling the exception, so sys.exception() is it.

    A database that can't be reached (stopped, restarting, the pool still reconnecting)
    is a moment's wait, not a fault in the request: 503 with Retry-After, which the quiz
    page shows as "Not saved yet" and retries. Like Django's own 500 page, the template
    needs no request context, since anything in it might need the database."""
    if isinstance(sys.exception(), (OperationalError, InterfaceError)):
        body = loader.get_template("503.html").render()
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return server_error(request)
