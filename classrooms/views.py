from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classrooms.forms import JoinForm
from classrooms.models import Assignment, Enrollment, Override
from quizsite import ratelimit
from quizzes.models import Attempt


@login_required
@require_http_methods(["GET", "POST"])
def join(request):
    if request.method == "GET":
        return render(request, "classrooms/join.html", {"form": JoinForm()})
    # Counted before the code is looked up; only a code that matched no class keeps its slots.
    slots = ratelimit.take(
        (ratelimit.JOIN_PER_IP, ratelimit.client_ip(request)),
        (ratelimit.JOIN_PER_ACCOUNT, str(request.user.pk)),
    )
    if block := slots.block:
        form = JoinForm(initial={"code": request.POST.get("code", "")})
        context = {"form": form, "limit_message": block.message}
        response = render(request, "classrooms/join.html", context, status=429)
        return ratelimit.refuse(response, block)
    form = JoinForm(request.POST)
    if not form.is_valid():
        if not form.has_error("code", "unknown"):
            slots.give_back()  # empty or too long: nothing was looked up
        return render(request, "classrooms/join.html", {"form": form}, status=400)
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
@require_POST
def assignment_start(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.for_student(request.user).select_related("quiz"), pk=pk
    )
    return open_attempt(request, assignment)


def open_attempt(request, assignment):
    """To the student's attempt at the assignment (Assignment.open_attempt_for), or back to
    their classes with why there is none; `request.user` is one of its students."""
    attempt, refusal = assignment.open_attempt_for(request.user)
    if attempt is None:
        messages.error(request, refusal)
        return redirect("classrooms:dashboard")
    return redirect(attempt.get_absolute_url())


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
