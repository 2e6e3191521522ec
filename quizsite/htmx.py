"""The request type of views that answer htmx, as django-htmx documents it: HtmxMiddleware
gives every request `htmx`, which a plain HttpRequest annotation doesn't know."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
