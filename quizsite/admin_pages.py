from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def admin_page(model_admin, route, view, name):
    """A URL for one of our own pages inside a ModelAdmin: the admin's login check, never
    cached, and the view called as view(request, model_admin, **url_kwargs).

    Such a view finds its object with admin_object, checks any other permission with
    require_permission, and builds its context with admin_context, as the admin's own
    pages do."""
    wrapped = model_admin.admin_site.admin_view(view, cacheable=False)
    return path(route, lambda request, **kwargs: wrapped(request, model_admin, **kwargs), name=name)


def admin_object(request, model_admin, object_id, *, change=False, select_related=()):
    """The object of one of our admin pages, found as the admin's own pages find it:
    through model_admin.get_queryset(request), so a teacher reaches only their own rows
    (anything else is a 404, exactly as an id that exists nowhere); then a 403 unless the
    user may view it, or change it with `change`. `select_related` loads relations the
    page shows in the same query."""
    queryset = model_admin.get_queryset(request)
    if select_related:
        queryset = queryset.select_related(*select_related)
    try:
        obj = queryset.get(pk=unquote(object_id))
    except (queryset.model.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("No such object, or not one of yours.")) from None
    require_permission(request, model_admin, obj, change=change)
    return obj


def require_permission(request, model_admin, obj=None, *, change=False, add=False):
    """PermissionDenied (403) unless the user may view (or change, or add) in this admin."""
    if add:
        allowed = model_admin.has_add_permission(request)
    elif change:
        allowed = model_admin.has_change_permission(request, obj)
    else:
        allowed = model_admin.has_view_permission(request, obj)
    if not allowed:
        raise PermissionDenied


def admin_context(request, model_admin, title, obj=None, **extra) -> dict:
    """What the admin's templates expect around a page of a ModelAdmin: the site's own
    context, its model's options, the title, and the object (`original`) the breadcrumbs
    name."""
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "subtitle": None,
        "original": obj,
        **extra,
    }


class ListTitleMixin:
    """A list titled by what it holds ("Assignments"), not "Select assignment to change"."""

    def changelist_view(self, request, extra_context=None):
        title = capfirst(self.opts.verbose_name_plural)
        return super().changelist_view(request, {"title": title, **(extra_context or {})})


def short_time(moment) -> str:
    """A moment as a list shows it, in the school's time zone and the page's language:
    "12 Dec, 14:00", with the year only when it isn't this one; "—" for none."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    same_year = local.year == timezone.localdate().year
    shown = formats.date_format(local, "SHORT_DATETIME_FORMAT" if same_year else "DATETIME_FORMAT")
    return shown.replace(" ", "\N{NO-BREAK SPACE}")  # a date never splits over two lines


def admin_next(request) -> str:
    """The admin page to return to after a form, from `next` in the query string; empty
    unless it is a path inside this admin (never another site: no open redirect)."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return ""
    return target if target.startswith(reverse("admin:index")) else ""


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
