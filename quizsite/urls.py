from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm
from accounts.views import admin_login, admin_password_change
from embeds.views import oembed
from quizsite.admin_pages import view_on_site
from quizsite.health import healthz, livez
from quizsite.site_files import favicon, robots_txt

admin.site.site_header = _("Orbit Quiz for teachers")
admin.site.site_title = _("Orbit Quiz admin")
admin.site.index_title = _("Classes, quizzes and scores")
# The model list down the side repeats the home page and takes 280 of a laptop's 1280 px,
# which the lists need for what teachers look for (due dates, scores, what waits to mark).
admin.site.enable_nav_sidebar = False
# Teachers' logins get the same limits on failed attempts as students'.
admin.site.login_form = AdminLoginForm
# A database that can't be reached gets "back in a moment" (503) rather than a 500.
handler500 = "quizsite.errors.server_error_page"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("favicon.ico", favicon, name="favicon"),
    path("robots.txt", robots_txt, name="robots_txt"),
    # Before the includes that also have these paths: both logins and both password
    # changes are rate limited.
    path("admin/login/", admin_login),
    path("admin/password_change/", admin.site.admin_view(admin_password_change)),
    # Before the admin's own "View on site", which would redirect for anyone's objects.
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switch
    path("", include("lessons.urls")),
    path("", include("quizzes.urls")),
    path("", include("classrooms.urls")),
    path("embed/", include("embeds.urls")),
    path("lti/", include("lti.urls")),
    path("oembed", oembed, name="oembed"),
]
