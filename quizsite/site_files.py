"""The files browsers and crawlers ask for at fixed addresses: /favicon.ico, /robots.txt."""

from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

DAY = 24 * 60 * 60


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico when a page names no icon (an embed's host page, a
    PDF, a feed reader): our icon is an SVG among the static files."""
    response = redirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=DAY)
    return response


@require_GET
def robots_txt(request):
    """What crawlers may read: the lessons and quiz pages; the reasons are in the file."""
    response = render(request, "robots.txt", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=DAY)
    return response
