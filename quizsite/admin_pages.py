from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404, QueryDict
from django.urls import path, reverse


def admin_page(model_admin, route, view, name):
    """A URL for one of our own pages inside a ModelAdmin: the admin's login check, never
    cached, and the view called as view(request, model_admin, **url_kwargs)."""
    wrapped = model_admin.admin_site.admin_view(view, cacheable=False)
    return path(route, lambda request, **kwargs: wrapped(request, model_admin, **kwargs), name=name)


def view_on_site(request, content_type_id, object_id):
    """The admin's "View on site" redirect, for objects the user's admin shows them only.

    Django's own (contenttypes' shortcut) redirects for any object of any model, so a
    teacher could learn which ids exist in other classes and the addresses of their
    students' attempts. Here an object outside the user's admin is a 404, like no object.
    """
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ValueError, ContentType.DoesNotExist):
        raise Http404 from None
    if model is None or not admin.site.is_registered(model):
        raise Http404
    model_admin = admin.site.get_model_admin(model)
    obj = model_admin.get_object(request, unquote(object_id))
    if (
        obj is None
        or not model_admin.has_view_or_change_permission(request, obj)
        or not model_admin.get_view_on_site_url(obj)
    ):
        raise Http404
    return shortcut(request, content_type_id, object_id)


SEARCH_TERMS = ("q", "term")  # the changelist's search box and the autocomplete's: text


def ascii_ids_only(get_response):
    """Middleware: an admin URL, or a value in its query string, holding a digit that is not
    ASCII answers 404.

    Ids in the admin are ASCII digits, but Python's int() reads "١" (Arabic-Indic) or "１"
    (full-width) as 1, and str.isdigit() takes "²", which int() then refuses: such a digit
    would open object 1 or end in a 500. Searches are text and may hold any digit.
    """

    def middleware(request):
        if request.path_info.startswith(reverse("admin:index")) and (
            has_foreign_digit(request.path_info) or query_has_foreign_digit(request.GET)
        ):
            raise Http404("Not an id.")
        return get_response(request)

    return middleware


def has_foreign_digit(text: str) -> bool:
    return not text.isascii() and any(ch.isdigit() and not ch.isascii() for ch in text)


def query_has_foreign_digit(query: QueryDict) -> bool:
    for name, values in query.lists():
        for value in values:
            if name == "_changelist_filters":  # the list's own query, kept while editing
                if query_has_foreign_digit(QueryDict(value)):
                    return True
            elif name not in SEARCH_TERMS and has_foreign_digit(value):
                return True
    return False
