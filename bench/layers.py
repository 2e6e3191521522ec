"""The site's URLs plus views that each do part of what saving an answer does (bench only).

bench/load.py serves these beside the real site to show what each layer of an answer
costs on the same server: a session read, the logged-in user, the attempt, a locked write.
"""

from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from quizsite.urls import urlpatterns as site_urlpatterns
from quizzes.models import Attempt, Response
from quizzes.views import own_attempts


@require_GET
def session(request):
    return HttpResponse(str(request.session.get("_auth_user_id")))


@require_GET
def user(request):
    return HttpResponse(str(request.user.pk))


def latest_attempt(request):
    """The student's attempt, read as the answer view reads it (with quiz and assignment)."""
    return own_attempts(request).filter(user=request.user).first()


@require_GET
def attempt(request):
    return HttpResponse(str(latest_attempt(request).pk))


@require_POST
def locked_write(request):
    """The answer's transaction with nothing around it: lock the attempt, write a response."""
    found = latest_attempt(request)
    now = timezone.now()
    with transaction.atomic():
        Attempt.objects.filter(pk=found.pk).update(last_seen_at=now)
        first = Response.objects.filter(attempt=found).order_by("pk").values("pk")[:1]
        Response.objects.filter(pk__in=first).update(answered_at=now)
    return HttpResponse("saved")


LAYERS = [
    ("GET", "/livez", "/livez: no session, no database"),
    ("GET", "/bench/session/", "+ the session (one read of the session store)"),
    ("GET", "/bench/user/", "+ the logged-in user (a copy in the cache)"),
    ("GET", "/bench/attempt/", "+ the attempt (1 query)"),
    ("POST", "/bench/write/", "+ a locked write (BEGIN, 2 UPDATEs, COMMIT)"),
]

urlpatterns = site_urlpatterns + [
    path("bench/session/", session),
    path("bench/user/", user),
    path("bench/attempt/", attempt),
    path("bench/write/", locked_write),
]
