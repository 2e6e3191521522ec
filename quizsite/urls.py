from django.contrib import admin
from django.urls import include, path

from embeds.views import oembed

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("lessons.urls")),
    path("", include("quizzes.urls")),
    path("", include("classrooms.urls")),
    path("embed/", include("embeds.urls")),
    path("oembed", oembed, name="oembed"),
]
