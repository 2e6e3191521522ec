from django.contrib import admin, messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from classrooms.forms import AdminPasswordChangeForm, JoinForm, LoginForm, PasswordChangeForm
from classrooms.models import Assignment, Enrollment, Override
from quizsite import ratelimit
from quizzes.models import Attempt


class LoginView(auth_views.LoginView):
    """Django's login page; while LoginForm's limits refuse, a 429 that says how long to wait."""

    authentication_form = LoginForm

    def get_template_names(self):
        names = super().get_template_names()
        return [f"{names[0]}#login-form"] if self.request.htmx else names

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


def render_form(request, template, partial, context, status):
    """The form's page, or for htmx only the form (`partial`), which carries any message."""
    if request.htmx:
        template += f"#{partial}"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def signup(request):
    form = UserCreationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        slots = ratelimit.take((ratelimit.SIGNUP_PER_IP, ratelimit.client_ip(request)))
        if block := slots.block:
            # Unbound, so nothing is checked; the name typed stays, passwords never do.
            form = UserCreationForm(initial={"username": request.POST.get("username", "")})
            context = {"form": form, "limit_message": block.message}
            response = render_form(request, "registration/signup.html", "signup-form", context, 429)
            return ratelimit.refuse(response, block)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome! Now join your class with the code from your teacher.")
            )
            return redirect("classrooms:join")
    status = 400 if form.errors else 200
    return render_form(request, "registration/signup.html", "signup-form", {"form": form}, status)


@login_required
@require_http_methods(["GET", "POST"])
def join(request):
    if request.method == "GET":
        return render_form(request, "classrooms/join.html", "join-form", {"form": JoinForm()}, 200)
    # Counted before the code is looked up; only a code that matched no class keeps its slots.
    slots = ratelimit.take(
        (ratelimit.JOIN_PER_IP, ratelimit.client_ip(request)),
        (ratelimit.JOIN_PER_ACCOUNT, str(request.user.pk)),
    )
    if block := slots.block:
        form = JoinForm(initial={"code": request.POST.get("code", "")})
        context = {"form": form, "limit_message": block.message}
        response = render_form(request, "classrooms/join.html", "join-form", context, 429)
        return ratelimit.refuse(response, block)
    form = JoinForm(request.POST)
    if not form.is_valid():
        if not form.has_error("code", "unknown"):
            slots.give_back()  # empty or too long: nothing was looked up
        return render_form(request, "classrooms/join.html", "join-form", {"form": form}, 400)
    slots.give_back()
    _enrollment, created = Enrollment.objects.get_or_create(
        classroom=form.classroom, student=request.user
    )
    if created:
        messages.success(request, _("You joined %(name)s.") % {"name": form.classroom.name})
    else:
        messages.info(request, _("You are already in %(name)s.") % {"name": form.classroom.name})
    return redirect("classrooms:dashboard")


@login_required
@require_GET
def dashboard(request):
    """The quizzes assigned to the student's classes, with state and best score."""
    Attempt.objects.filter(user=request.user).close_expired()
    assignments = (
        Assignment.objects.for_student(request.user)
        .select_related("quiz__lesson", "classroom")
        .prefetch_related(
            Prefetch(
                "attempts",
                queryset=Attempt.objects.filter(user=request.user),
                to_attr="my_attempts",
            ),
            Prefetch("overrides", queryset=Override.objects.filter(student=request.user)),
        )
        .order_by("due_at", "pk")
    )
    rows = [dashboard_row(assignment, request.user) for assignment in assignments]
    classrooms = request.user.classrooms.order_by("name")
    return render(request, "classrooms/dashboard.html", {"rows": rows, "classrooms": classrooms})


def dashboard_row(assignment, student):
    attempts = assignment.my_attempts
    submitted = [a for a in attempts if a.is_submitted]
    in_progress = next((a for a in attempts if not a.is_submitted), None)
    if in_progress:
        state = _("In progress")
    elif not submitted:
        state = _("Not started")
    elif any(a.is_provisional for a in submitted):
        state = _("Submitted, waiting for marking")
    else:
        state = _("Graded")
    rules = assignment.rules_for(student)
    return {
        "assignment": assignment,
        "state": state,
        "in_progress": in_progress,
        "best": max(submitted, key=lambda a: a.score) if submitted else None,
        "attempts_used": len(attempts),
        "rules": rules,
        "minutes": int(rules.time_limit.total_seconds() // 60) if rules.time_limit else None,
        "refusal": None if in_progress else rules.refusal(len(attempts)),
    }
