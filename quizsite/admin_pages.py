from django.urls import path


def admin_page(model_admin, route, view, name):
    """A URL for one of our own pages inside a ModelAdmin: the admin's login check, never
    cached, and the view called as view(request, model_admin, **url_kwargs)."""
    wrapped = model_admin.admin_site.admin_view(view, cacheable=False)
    return path(route, lambda request, **kwargs: wrapped(request, model_admin, **kwargs), name=name)
