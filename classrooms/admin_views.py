"""Admin pages of a class and an assignment: gradebook, CSV export, roster import, helping
students, statistics.

Each view takes the ModelAdmin it is registered on (quizsite.admin_pages.admin_page, through
get_urls) and finds its object with admin_object, through the ModelAdmin's queryset, so a
teacher reaches only their own classes. What the pages show is gathered in gradebook.py,
students.py and assignment_statistics.py; the views stay thin.
"""

import csv
import dataclasses

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from background.models import Task
from classrooms import assignment_statistics as stats
from classrooms import gradebook as grades
from classrooms import tasks
from classrooms.forms import AddStudentForm, RosterForm
from classrooms.models import Enrollment, RosterImport
from classrooms.students import new_password, user_label
from quizsite.admin_pages import admin_context, admin_object, require_permission
from quizsite.htmx import HtmxHttpRequest
from quizsite.sealed import unseal
from quizzes.models import Attempt, Response

# Gradebook


@require_GET
def gradebook(request, model_admin, object_id):
    classroom = admin_object(request, model_admin, object_id)
    assignments = grades.class_assignments(classroom)
    rows = grades.gradebook_rows(classroom, assignments)
    context = admin_context(
        request,
        model_admin,
        _("Gradebook: %(class)s") % {"class": classroom},
        classroom,
        assignments=assignments,
        rows=rows,
        has_provisional=any(g and g.is_provisional for row in rows for g in row.grades),
    )
    return TemplateResponse(request, "admin/classrooms/classroom/gradebook.html", context)


@require_GET
def gradebook_csv(request, model_admin, object_id):
    classroom = admin_object(request, model_admin, object_id)
    assignments = grades.class_assignments(classroom)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"gradebook-{slugify(classroom.name) or classroom.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # the BOM tells spreadsheets the file is UTF-8
    csv.writer(response).writerows(grades.spreadsheet_lines(classroom, assignments))
    return response


# Roster


@require_http_methods(["GET", "POST"])
def import_roster(request, model_admin, object_id):
    """The class list form; a list without problems starts a RosterImport in the background
    and its progress page opens at once."""
    classroom = admin_object(request, model_admin, object_id, change=True)
    form = RosterForm(request.POST or None, request.FILES or None, classroom=classroom)
    if request.method == "POST" and form.is_valid():
        rows = [dataclasses.asdict(row) for row in form.cleaned_data["file"]]
        with transaction.atomic():
            roster_import = RosterImport.objects.create(
                classroom=classroom, started_by=request.user, rows=rows
            )
            # The task is a row of the same database: it commits with the import, or not at all.
            tasks.import_roster.enqueue(roster_import.pk)
        # Logged on the class, whose history teachers can open (not the accounts').
        model_admin.log_change(
            request,
            classroom,
            ngettext(
                "Started importing %(count)d student from a class list",
                "Started importing %(count)d students from a class list",
                len(rows),
            )
            % {"count": len(rows)},
        )
        if form.skipped:
            messages.info(
                request,
                ngettext(
                    "%(count)d student on the list was imported into this class before: skipped.",
                    "%(count)d students on the list were imported into this class before: skipped.",
                    form.skipped,
                )
                % {"count": form.skipped},
            )
        return redirect(
            "admin:classrooms_classroom_roster_progress", classroom.pk, roster_import.pk
        )
    context = admin_context(
        request,
        model_admin,
        _("Import students into %(class)s") % {"class": classroom},
        classroom,
        form=form,
    )
    return TemplateResponse(request, "admin/classrooms/classroom/roster_import.html", context)


@require_http_methods(["GET", "POST"])
def roster_progress(request: HtmxHttpRequest, model_admin, object_id, import_id):
    """How far a class list import has got (htmx polls it; without JavaScript the page
    reloads itself), then the new students with their first passwords, for the teacher who
    started it, until they say they have them (a POST) or a day passes. A superuser may
    follow anyone's import, without its passwords; other teachers get a 404."""
    classroom = admin_object(request, model_admin, object_id, change=True)
    roster_import = get_object_or_404(RosterImport, pk=import_id, classroom=classroom)
    own = roster_import.started_by_id == request.user.pk
    if not (own or request.user.is_superuser) or (request.method == "POST" and not own):
        raise Http404(_("No such object, or not one of yours."))
    if request.method == "POST":
        roster_import.students.update(sealed_password="")
        messages.success(request, _("The first passwords of this import are forgotten."))
        return redirect("admin:classrooms_classroom_change", classroom.pk)
    made = roster_import.students.select_related("student").order_by("line")
    context = admin_context(
        request,
        model_admin,
        _("New students in %(class)s") % {"class": classroom},
        classroom,
        roster_import=roster_import,
        done=made.count(),
        own=own,
    )
    if roster_import.is_finished:
        context["created"] = [
            (
                entry.student,
                unseal(entry.sealed_password) if own and entry.sealed_password else None,
            )
            for entry in made
            if entry.student
        ]
        context["passwords_kept"] = any(password for _student, password in context["created"])
    template = "admin/classrooms/classroom/roster_progress.html"
    if request.htmx and not roster_import.is_finished:
        template += "#progress"
    # First passwords: no cache may keep this page.
    response = TemplateResponse(request, template, context)
    add_never_cache_headers(response)
    if request.htmx and roster_import.is_finished:
        response = HttpResponseClientRefresh()
    return response


@require_http_methods(["GET", "POST"])
def regenerate_join_code(request, model_admin, object_id):
    """A confirmation page; posting it gives the class a new code."""
    classroom = admin_object(request, model_admin, object_id, change=True)
    if request.method == "GET":
        context = admin_context(
            request, model_admin, _("New join code for %(class)s") % {"class": classroom}, classroom
        )
        return TemplateResponse(request, "admin/classrooms/classroom/join_code.html", context)
    classroom.regenerate_join_code()
    model_admin.log_change(request, classroom, _("New join code"))
    messages.success(
        request,
        _("The new join code is %(code)s; the old one no longer works.")
        % {"code": classroom.join_code},
    )
    return redirect("admin:classrooms_classroom_change", classroom.pk)


# Helping students: adding an account by username, a new password, removing


def enrollment_or_404(classroom, student_id) -> Enrollment:
    """The student's place in this class. Anyone else, a student of another class among
    them, answers exactly as an id that exists nowhere."""
    enrollment = (
        classroom.enrollments.select_related("student").filter(student_id=student_id).first()
    )
    if enrollment is None:
        raise Http404(_("No such student in this class."))
    return enrollment


@require_http_methods(["GET", "POST"])
def add_student(request, model_admin, object_id):
    classroom = admin_object(request, model_admin, object_id, change=True)
    form = AddStudentForm(request.POST or None, classroom=classroom)
    if request.method == "POST" and form.is_valid():
        student = form.student
        _enrollment, created = Enrollment.objects.get_or_create(
            classroom=classroom, student=student, defaults={"origin": Enrollment.Origin.USERNAME}
        )
        if created:  # else another teacher added them a moment ago
            model_admin.log_change(
                request, classroom, _("Added %s by username") % student.get_username()
            )
        messages.success(
            request,
            _("%(student)s is now in %(class)s. Their password stays their own.")
            % {"student": user_label(student), "class": classroom},
        )
        return redirect("admin:classrooms_classroom_change", classroom.pk)
    context = admin_context(
        request,
        model_admin,
        _("Add a student to %(class)s") % {"class": classroom},
        classroom,
        form=form,
    )
    return TemplateResponse(request, "admin/classrooms/classroom/student_add.html", context)


@require_http_methods(["GET", "POST"])
def student_password(request, model_admin, object_id, student_id):
    """A confirmation page; posting it gives the student a new password, shown this once.

    set_password changes the password hash, which every session's auth hash is checked
    against on each request, so the student is logged out everywhere, whichever store
    (database, cache) holds the sessions.
    """
    classroom = admin_object(request, model_admin, object_id, change=True)
    enrollment = enrollment_or_404(classroom, student_id)
    student = enrollment.student
    may_reset = (
        classroom.enrollments.password_resettable_by(request.user).filter(pk=enrollment.pk).exists()
    )
    title = _("New password for %(student)s") % {"student": user_label(student)}
    if request.method == "POST" and may_reset:
        password = new_password()
        student.set_password(password)
        student.save(update_fields=["password"])
        model_admin.log_change(
            request, classroom, _("New password for %s") % student.get_username()
        )
        context = admin_context(
            request, model_admin, title, classroom, student=student, password=password
        )
        # Shown this once and kept nowhere: no cache may keep it.
        response = TemplateResponse(
            request, "admin/classrooms/classroom/student_password_done.html", context
        )
        add_never_cache_headers(response)
        return response
    context = admin_context(
        request, model_admin, title, classroom, student=student, may_reset=may_reset
    )
    return TemplateResponse(
        request,
        "admin/classrooms/classroom/student_password.html",
        context,
        status=403 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def remove_student(request, model_admin, object_id, student_id):
    """A confirmation page saying what happens to the student's work; posting it removes
    the student from the class (the account and every attempt stay)."""
    classroom = admin_object(request, model_admin, object_id, change=True)
    enrollment = enrollment_or_404(classroom, student_id)
    student = enrollment.student
    if request.method == "POST":
        enrollment.delete()
        model_admin.log_change(
            request, classroom, _("Removed %s from the class") % student.get_username()
        )
        messages.success(
            request,
            _("%(student)s is no longer in %(class)s; their attempts are kept.")
            % {"student": user_label(student), "class": classroom},
        )
        return redirect("admin:classrooms_classroom_change", classroom.pk)
    attempts = Attempt.objects.filter(assignment__classroom=classroom, user=student)
    context = admin_context(
        request,
        model_admin,
        _("Remove %(student)s from %(class)s?")
        % {"student": user_label(student), "class": classroom},
        classroom,
        student=student,
        submitted=attempts.submitted().count(),
        in_progress=attempts.in_progress().count(),
    )
    return TemplateResponse(request, "admin/classrooms/classroom/student_remove.html", context)


# Statistics


@require_GET
def assignment_statistics(request, model_admin, object_id):
    assignment = admin_object(request, model_admin, object_id)
    context = admin_context(
        request,
        model_admin,
        _("Statistics: %(assignment)s") % {"assignment": assignment},
        assignment,
        assignment=assignment,
        **stats.assignment_statistics(assignment),
    )
    return TemplateResponse(request, "admin/classrooms/assignment/statistics.html", context)


# Question versions


@require_http_methods(["GET", "POST"])
def assignment_versions(request, model_admin, object_id):
    """What moving the assignment to the current versions of its questions changes (a dry
    run) on GET; on POST the move starts in the background and its progress page opens.
    Only the assignment's own teachers reach it."""
    assignment = admin_object(
        request, model_admin, object_id, change=True, select_related=("quiz", "classroom")
    )
    require_permission(request, model_admin.admin_site.get_model_admin(Response), change=True)
    if request.method == "POST":
        task = Task.start(
            tasks.move_to_current_versions,
            title=_("Move “%(assignment)s” to the current question versions")
            % {"assignment": assignment},
            by=request.user,
            arguments={"assignment": assignment.pk},
            next_url=reverse("admin:classrooms_assignment_change", args=[assignment.pk]),
            next_label=_("Back to the assignment"),
        )
        model_admin.log_change(request, assignment, _("Moved to the current question versions"))
        return redirect("admin:background_task_change", task.pk)
    moves = assignment.move_to_current_versions(by=request.user, dry_run=True)
    context = admin_context(
        request,
        model_admin,
        _("Newer question versions"),
        assignment,
        assignment=assignment,
        running_task=Task.objects.running(
            tasks.move_to_current_versions, by=request.user, arguments={"assignment": assignment.pk}
        ).first(),
        moves=[
            {
                "old": old,
                "new": new,
                "report": report,
                "changes": [
                    (change, new.answer_display(change.response.answer))
                    for change in report.changes
                ],
                "prompt_changed": old.prompt != new.prompt,
                "old_key": old.key_display(),
                "new_key": new.key_display(),
            }
            for old, new, report in moves
        ],
    )
    return TemplateResponse(request, "admin/classrooms/assignment/versions.html", context)
