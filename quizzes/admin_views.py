"""Admin pages for scores (the marking queue, marking one answer, regrading a question) and
for quizzes (duplicating one).

Each view takes the ModelAdmin it is registered on (quizsite.admin_pages.admin_page, through
get_urls) and finds its object with admin_object, through the ModelAdmin's queryset; answers
are reached only through `Attempt.objects.for_teacher(request.user)`, so a teacher sees their
own classes only.
"""

from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from background.models import Task
from quizsite.admin_pages import admin_context, admin_next, admin_object, require_permission
from quizzes import kind_forms, kinds, marking, tasks
from quizzes.models import Attempt, Question, Quiz, Response

# The marking queue's filters: query parameter -> lookup on Response.
QUEUE_FILTERS = {
    "assignment": "attempt__assignment",
    "classroom": "attempt__assignment__classroom",
    "question": "question",
}


class MarkForm(forms.Form):
    # Starts empty, the score now shown beside it: typing "1" gives 1, not "10.00".
    points = forms.DecimalField(
        label=gettext_lazy("Points"), min_value=0, max_digits=5, decimal_places=2, required=False
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment for the student"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Needed when you change a score that was already given."),
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def __init__(self, *args, response: Response, **kwargs):
        self.response = response
        super().__init__(*args, **kwargs)
        most = marking.points_text(response.question.points)
        points = self.fields["points"]
        points.widget.attrs.update(
            {"max": response.question.points, "step": "0.01", "autofocus": True}
        )
        if response.points is None:
            points.help_text = _("From 0 to %(max)s.") % {"max": most}
        else:
            points.help_text = _("From 0 to %(max)s; leave it empty to keep %(now)s.") % {
                "max": most,
                "now": marking.points_text(response.points),
            }

    def full_clean(self):
        super().full_clean()
        # The cursor goes to the first field in error (a missing reason), not to points.
        first = next((name for name in self.fields if name in self.errors), "points")
        for name, field in self.fields.items():
            field.widget.attrs.pop("autofocus", None)
            if name == first:
                field.widget.attrs["autofocus"] = True

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points is None and self.response.points is not None:
            return self.response.points  # left empty: the score stays
        try:
            return marking.check_points(points, self.response.question)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean(self):
        cleaned = super().clean()
        old, new = self.response.points, cleaned.get("points")
        if old is not None and new is not None and new != old and not cleaned.get("reason"):
            self.add_error(
                "reason",
                _("Say why the score changes from %(old)s.") % {"old": marking.points_text(old)},
            )
        return cleaned

    def save(self, by) -> Response:
        old, new = self.response.points, self.cleaned_data["points"]
        comment = self.cleaned_data["comment"]
        if old is None or old == new:
            return marking.mark(self.response, new, by=by, comment=comment)
        return marking.override(
            self.response, new, by=by, reason=self.cleaned_data["reason"], comment=comment
        )


def queue_responses(request):
    """The marking queue in marking order: one question at a time, across students."""
    queue = (
        Response.objects.filter(attempt__in=Attempt.objects.for_teacher(request.user))
        .filter(marking.waiting_for_teacher())
        .order_by(
            "attempt__assignment_id",
            "question__quiz_id",
            "question__position",
            "question_id",
            "attempt__submitted_at",
            "pk",
        )
    )
    for name, lookup in QUEUE_FILTERS.items():
        value = request.GET.get(name, "")
        if value.isdigit():
            queue = queue.filter(**{lookup: value})
    return queue


def queue_query(request) -> str:
    kept = {name: request.GET[name] for name in QUEUE_FILTERS if request.GET.get(name)}
    return f"?{urlencode(kept)}" if kept else ""


def next_in_queue(queue_ids: list[int], after: int) -> int | None:
    """The response to mark after `after`: the next one waiting, wrapping to the start."""
    if after not in queue_ids:
        return queue_ids[0] if queue_ids else None
    i = queue_ids.index(after)
    rest = queue_ids[i + 1 :] + queue_ids[:i]
    return rest[0] if rest else None


@require_http_methods(["GET"])
def marking_queue(request, model_admin):
    require_permission(request, model_admin, change=True)
    first = queue_responses(request).values_list("pk", flat=True).first()
    if first is not None:
        url = reverse("admin:quizzes_response_mark", args=[first])
        return redirect(url + queue_query(request))
    context = admin_context(request, model_admin, _("Marking queue"))
    return TemplateResponse(request, "admin/quizzes/response/queue_empty.html", context)


@require_http_methods(["GET", "POST"])
def mark_response(request, model_admin, object_id):
    response = admin_object(
        request,
        model_admin,
        object_id,
        change=True,
        select_related=["attempt__user", "attempt__quiz", "attempt__assignment__classroom"],
    )
    question = Question.objects.prefetch_related("choices").get(pk=response.question_id)
    response.question = question
    if not response.attempt.is_submitted:
        raise Http404(_("The student is still answering."))
    form = MarkForm(request.POST or None, response=response, initial={"comment": response.comment})
    # Where the teacher came from (the attempt, the list of answers), to go back after saving.
    came_from = admin_next(request)
    # Found before saving, while this answer still holds its place in the queue.
    queue_ids = list(queue_responses(request).values_list("pk", flat=True))
    following = next_in_queue(queue_ids, response.pk)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save(by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            model_admin.log_change(request, saved, [{"changed": {"fields": ["points", "comment"]}}])
            messages.success(
                request,
                _("Saved %(points)s of %(max)s points for %(student)s.")
                % {
                    "points": marking.points_text(saved.points),
                    "max": marking.points_text(question.points),
                    "student": student_name(response),
                },
            )
            if "_next" in request.POST:
                if following is None:
                    return redirect(reverse("admin:quizzes_response_queue") + queue_query(request))
                url = reverse("admin:quizzes_response_mark", args=[following])
                return redirect(url + queue_query(request))
            if came_from and "_back" in request.POST:
                return redirect(came_from)
            return redirect("admin:quizzes_attempt_change", response.attempt_id)
    attempt_url = reverse("admin:quizzes_attempt_change", args=[response.attempt_id])
    context = {
        **admin_context(request, model_admin, _("Marking")),
        "response": response,
        "question": question,
        "attempt": response.attempt,
        "student": student_name(response),
        "answer": question.answer_display(response.answer),
        "key": question.key_display(),
        "form": form,
        "came_from": came_from,
        "back_to_attempt": urlsplit(came_from).path == attempt_url,
        "in_queue": response.pk in queue_ids,
        "position": queue_ids.index(response.pk) + 1 if response.pk in queue_ids else None,
        "waiting": len(queue_ids),
        "others_waiting": following is not None and following != response.pk,
        "skip_url": (
            reverse("admin:quizzes_response_mark", args=[following]) + queue_query(request)
            if following and following != response.pk
            else ""
        ),
        "queue_query": queue_query(request),
        "changes": response.score_changes.select_related("changed_by").order_by("-changed_at"),
        # Typed answers (or gaps) the key doesn't take, which the quiz's owners may accept.
        "acceptable": (
            question.kind_rules.acceptable(question, response.answer)
            if question.quiz.is_editable_by(request.user)
            else []
        ),
    }
    return TemplateResponse(request, "admin/quizzes/response/mark.html", context)


def student_name(response) -> str:
    user = response.attempt.user
    if user is None:
        return _("anonymous")
    return user.get_full_name() or user.get_username()


@require_http_methods(["GET", "POST"])
def regrade(request, model_admin, object_id):
    """Dry run on GET (what would change); on POST the regrade starts in the background
    and its progress page opens."""
    question = admin_object(request, model_admin, object_id, change=True)
    require_permission(request, model_admin.admin_site.get_model_admin(Response), change=True)
    attempts = Attempt.objects.for_teacher(request.user)
    if request.method == "POST":
        task = Task.start(
            tasks.regrade,
            title=_("Regrade the answers to “%(question)s”") % {"question": question},
            by=request.user,
            arguments={"question": question.pk},
            next_url=reverse("admin:quizzes_question_change", args=[question.pk]),
            next_label=_("Back to the question"),
        )
        model_admin.log_change(request, question, _("Started regrading answers"))
        return redirect("admin:background_task_change", task.pk)
    report = marking.regrade(question, attempts, by=request.user, dry_run=True)
    context = {
        **admin_context(request, model_admin, _("Regrade answers"), question),
        "question": question,
        "report": report,
        "changes": [
            (change, question.answer_display(change.response.answer)) for change in report.changes
        ],
        "is_essay": not question.kind_rules.scored,
        "running_task": Task.objects.running(
            tasks.regrade, by=request.user, arguments={"question": question.pk}
        ).first(),
    }
    return TemplateResponse(request, "admin/quizzes/question/regrade.html", context)


@require_http_methods(["GET", "POST"])
def question_kind(request, model_admin, object_id):
    """Choose the kind of a question: first of all for a new one (object_id None), then its
    form shows that kind's fields only. For an existing question, choosing another kind
    says what the change drops before the form for the new kind opens; nothing is saved
    until that form is."""
    if object_id is None:
        require_permission(request, model_admin, add=True)
        question = None
    else:
        question = admin_object(request, model_admin, object_id, change=True)
    asked = request.GET.get("kind")
    chosen = asked if asked in kinds.KINDS and question and asked != question.kind else ""
    refusal = kind_forms.change_refused(question) if question else ""
    change_url = reverse("admin:quizzes_question_change", args=[question.pk]) if question else ""
    title = _("Change the kind of question") if question else _("Add a question")
    context = {
        **admin_context(request, model_admin, title, question),
        "kinds": [(kind.value, kind.label, kind.form.description) for kind in kinds.all_kinds()],
        "current": question.kind if question else "",
        "chosen": kinds.get(chosen).label if chosen else "",
        "checked": chosen or (question.kind if question else kinds.default()),
        "dropped": kind_forms.dropped_by_change(question, chosen) if chosen else [],
        "continue_url": f"{change_url}?{urlencode({'kind': chosen})}" if chosen else "",
        "refusal": refusal,
        # A new question keeps what the page was opened with (the quiz, the list's filters).
        "kept_query": [(k, v) for k, v in request.GET.items() if k != "kind"],
    }
    return TemplateResponse(request, "admin/quizzes/question/kind.html", context)


@require_http_methods(["GET", "POST"])
def duplicate_quiz(request, model_admin, object_id):
    """What a copy will hold on GET; the copy itself, owned by the one who asks, on POST."""
    quiz = admin_object(request, model_admin, object_id)
    require_permission(request, model_admin, add=True)
    if request.method == "POST":
        copy = quiz.duplicate(owner=request.user)
        model_admin.log_addition(request, copy, [{"added": {}}])
        return duplicated(request, copy)
    context = {
        **admin_context(request, model_admin, _("Duplicate into my quizzes"), quiz),
        "quiz": quiz,
        "questions": quiz.questions.current().count(),
    }
    return TemplateResponse(request, "admin/quizzes/quiz/duplicate.html", context)


def duplicated(request, copy: Quiz):
    """The copy's page, saying what was made."""
    count = copy.questions.current().count()
    text = ngettext(
        "“%(title)s” is your copy, with %(count)s question: change it as you like.",
        "“%(title)s” is your copy, with %(count)s questions: change it as you like.",
        count,
    )
    messages.success(request, text % {"title": copy.title, "count": count})
    return redirect("admin:quizzes_quiz_change", copy.pk)


@require_http_methods(["GET", "POST"])
def accept_answer(request, model_admin, object_id):
    """Accept a student's typed answer (or one gap of it) as right for everyone: what it
    means on GET, on POST a new version of the question with the answer accepted. The
    teacher's class then moves to it from the dry run of its assignment's versions page."""
    response = admin_object(
        request, model_admin, object_id, change=True, select_related=["attempt__assignment"]
    )
    question = Question.objects.prefetch_related("choices").get(pk=response.question_id)
    if not question.quiz.is_editable_by(request.user):
        raise PermissionDenied
    parts = question.kind_rules.acceptable(question, response.answer)
    number = request.POST.get("part") or request.GET.get("part") or "0"
    if not number.isascii() or not number.isdigit() or int(number) >= len(parts):
        messages.info(request, _("The key takes this answer already, or it has nothing to accept."))
        return redirect("admin:quizzes_response_mark", response.pk)
    lineage, label, text = parts[int(number)]
    if request.method == "POST":
        try:
            current, previous, keeping = question.accept_for_everyone(lineage, text)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:quizzes_response_mark", response.pk)
        model_admin.log_change(
            request, response, _("Accepted “%(text)s” for everyone") % {"text": text}
        )
        messages.success(
            request,
            _("“%(text)s” is now a right answer, in version %(version)s of the question.")
            % {"text": text, "version": current.version},
        )
        assignment = response.attempt.assignment
        if previous and assignment and any(a.pk == assignment.pk for a in keeping):
            return redirect("admin:classrooms_assignment_versions", assignment.pk)
        return redirect("admin:quizzes_question_change", current.pk)
    context = {
        **admin_context(request, model_admin, _("Accept an answer for everyone")),
        "response": response,
        "question": question,
        "text": text,
        "label": label,
        "number": number,
        "in_use": question.is_in_use(),
    }
    return TemplateResponse(request, "admin/quizzes/response/accept.html", context)
