"""Logging in and out, changing a password and signing up, under /accounts/.

No app_name: Django's auth views, its admin templates and LOGIN_URL reverse "login",
"logout", "password_change" and "password_change_done" without a namespace.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    # Not Django's whole auth.urls: no password reset by email. Students often have no
    # address, teachers reset passwords in the admin, and a reset form open to anyone
    # could flood a user's inbox.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("signup/", views.signup, name="signup"),
]
