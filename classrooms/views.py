from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from classrooms.forms import JoinForm
from classrooms.models import Assignment, Enrollment, Override
from quizzes.models import Attempt


@require_http_methods(["GET", "POST"])
def signup(request):
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome! Now join your class with the code from your teacher.")
        )
        return redirect("classrooms:join")
    return render(
        request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def join(request):
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _enrollment, created = Enrollment.objects.get_or_create(
            classroom=form.classroom, student=request.user
        )
        if created:
            messages.success(request, _("You joined %(name)s.") % {"name": form.classroom.name})
        else:
            messages.info(
                request, _("You are already in %(name)s.") % {"name": form.classroom.name}
            )
        return redirect("classrooms:dashboard")
    return render(
        request, "classrooms/join.html", {"form": form}, status=400 if form.errors else 200
    )


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
