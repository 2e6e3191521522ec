from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from embeds.views import oembed
from quizsite.health import healthz, livez

admin.site.site_header = _("Orbit Quiz for teachers")
admin.site.site_title = _("Orbit Quiz admin")
admin.site.index_title = _("Classes, quizzes and scores")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("lessons.urls")),
    path("", include("quizzes.urls")),
    path("", include("classrooms.urls")),
    path("embed/", include("embeds.urls")),
    path("oembed", oembed, name="oembed"),
]
