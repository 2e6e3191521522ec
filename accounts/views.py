from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import AdminPasswordChangeForm, LoginForm, PasswordChangeForm
from quizsite import ratelimit


class LoginView(auth_views.LoginView):
    """Django's login page; while LoginForm's limits refuse, a 429 that says how long to wait."""

    authentication_form = LoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        return ratelimit.refuse(response, form.block) if form.block else response


def admin_login(request):
    """The admin's login page (its form is AdminLoginForm, set in urls.py), with the 429."""
    response = admin.site.login(request)
    form = (getattr(response, "context_data", None) or {}).get("form")
    block = getattr(form, "block", None)
    return ratelimit.refuse(response, block) if block else response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, its old password checked under the limits on wrong
    passwords; while they refuse, a 429 that says how long to wait."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        return ratelimit.refuse(response, form.block) if form.block else response


def admin_password_change(request):
    """What admin.site.password_change does, with the limited form (which needs the request)."""
    request.current_app = admin.site.name
    view = PasswordChangeView.as_view(
        form_class=AdminPasswordChangeForm,
        success_url=reverse("admin:password_change_done"),
        extra_context=admin.site.each_context(request),
    )
    return view(request)


@require_http_methods(["GET", "POST"])
def signup(request):
    form = UserCreationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        slots = ratelimit.take((ratelimit.SIGNUP_PER_IP, ratelimit.client_ip(request)))
        if block := slots.block:
            # Unbound, so nothing is checked; the name typed stays, passwords never do.
            form = UserCreationForm(initial={"username": request.POST.get("username", "")})
            context = {"form": form, "limit_message": block.message}
            response = render(request, "registration/signup.html", context, status=429)
            return ratelimit.refuse(response, block)
        if form.is_valid():
            user = form.save()
            login(request, user)  # by the only backend (settings.AUTHENTICATION_BACKENDS)
            messages.success(
                request, _("Welcome! Now join your class with the code from your teacher.")
            )
            return redirect(settings.SIGNUP_REDIRECT_URL)
    status = 400 if form.errors else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)
