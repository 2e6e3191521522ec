from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quizsite.admin_pages import ListTitleMixin, admin_page, short_time
from quizzes import admin_views
from quizzes.marking import points_text, waiting_for_teacher
from quizzes.models import Attempt, Choice, Question, Quiz, Response, ScoreChange


class ChoiceFormSet(BaseInlineFormSet):
    def clean(self):
        """Refuse an answer key that cannot be scored, before anything is saved."""
        super().clean()
        if any(self.errors):
            return
        choices = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        # self.instance carries the question form's cleaned values (kind) at this point.
        problems = self.instance.answer_key_problems(choices)
        if problems:
            raise ValidationError(problems)


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 0
    fields = ["position", "text", "is_correct", "match_text"]


@admin.register(Question)
class QuestionAdmin(ListTitleMixin, admin.ModelAdmin):
    list_display = ["__str__", "quiz", "position", "kind", "level", "points"]
    list_filter = ["quiz", "kind", "level"]
    search_fields = ["prompt", "key", "explanation"]
    list_select_related = ["quiz"]
    autocomplete_fields = ["evidence"]
    fieldsets = [
        (None, {"fields": ["quiz", "key", "position", "kind", "level", "points", "prompt"]}),
        (_("Feedback"), {"fields": ["explanation", "evidence"]}),
        (_("Answer options"), {"fields": ["shuffle", "strict_text"]}),
        (
            _("Numeric answer"),
            {"fields": ["numeric_answer", "tolerance", "unit", "unit_convertible"]},
        ),
    ]
    inlines = [ChoiceInline]

    def get_urls(self):
        return [
            admin_page(
                self, "<path:object_id>/regrade/", admin_views.regrade, "quizzes_question_regrade"
            ),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        if change:
            # The choices change later, in save_related: remember the key as it was.
            before = Question.objects.get(pk=obj.pk)
            form.key_before = (before.answer_key(), before.points)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        question = form.instance
        key_before = getattr(form, "key_before", None)
        if key_before is None or key_before == (question.answer_key(), question.points):
            return
        if Attempt.objects.for_teacher(request.user).filter(responses__question=question).exists():
            messages.warning(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    gettext("The answer key changed; answers already given keep their scores."),
                    reverse("admin:quizzes_question_regrade", args=[question.pk]),
                    gettext("Regrade them (see what changes first)"),
                ),
            )


class QuestionInline(admin.TabularInline):
    """The quiz's questions at a glance. They are edited on their own page, where the
    answer key is checked and a changed key offers a regrade."""

    model = Question
    extra = 0
    fields = ["position", "prompt", "kind", "level", "points"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Quiz)
class QuizAdmin(ListTitleMixin, admin.ModelAdmin):
    list_display = ["title", "lesson", "position", "is_practice"]
    list_filter = ["lesson", "is_practice"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["lesson"]
    inlines = [QuestionInline]


def response_status(response) -> str:
    if response.answer is None:
        return gettext("not answered")
    if response.points is None:
        return gettext("waits for a teacher")
    if response.needs_review:
        return gettext("to check")
    return gettext("scored")


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("in_progress", _("In progress")),
            ("to_mark", _("Waits for marking")),
            ("marked", _("Marked")),
        ]

    def queryset(self, request, queryset):
        return {
            "in_progress": lambda: queryset.in_progress(),
            "to_mark": lambda: queryset.submitted().filter(is_provisional=True),
            "marked": lambda: queryset.submitted().filter(is_provisional=False),
        }.get(self.value(), lambda: queryset)()


def student_name(user) -> str:
    if user is None:
        return gettext("anonymous")
    return user.get_full_name() or user.get_username()


@admin.register(Attempt)
class AttemptAdmin(ListTitleMixin, admin.ModelAdmin):
    # What a teacher looks for first; the start time, deadline and answers are on the page.
    list_display = ["student", "quiz_title", "classroom", "submitted", "result"]
    list_filter = [
        StatusFilter,
        ("assignment__classroom", RelatedOnlyFieldListFilter),
        ("assignment", RelatedOnlyFieldListFilter),
        ("quiz", RelatedOnlyFieldListFilter),
    ]
    search_fields = ["user__username", "user__first_name", "user__last_name", "quiz__title"]
    list_select_related = ["quiz", "user", "assignment__classroom"]
    date_hierarchy = "started_at"
    # The score first, then its history and the answers (change_form.html): what a
    # teacher opens an attempt for.
    fields = [
        ("student", "quiz", "classroom"),
        "result",
        ("started_at", "deadline", "submitted_at"),
    ]
    readonly_fields = [
        "student",
        "quiz",
        "classroom",
        "result",
        "started_at",
        "deadline",
        "submitted_at",
    ]
    view_on_site = False  # the student's own page, which a teacher cannot open

    def get_queryset(self, request):
        return Attempt.objects.for_teacher(request.user)

    def has_add_permission(self, request):
        return False  # students make attempts

    @admin.display(description=_("student"), ordering="user__last_name")
    def student(self, attempt):
        return student_name(attempt.user)

    # Text, not the foreign key itself, which the admin never wraps.
    @admin.display(description=_("quiz"), ordering="quiz__title")
    def quiz_title(self, attempt):
        return attempt.quiz.title

    @admin.display(description=_("class"), ordering="assignment__classroom__name")
    def classroom(self, attempt):
        return attempt.assignment.classroom if attempt.assignment else gettext("(practice)")

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, attempt):
        return short_time(attempt.submitted_at) if attempt.is_submitted else gettext("in progress")

    @admin.display(description=_("score"), ordering="score")
    def result(self, attempt):
        if not attempt.is_submitted:
            return gettext("in progress")
        score = gettext("%(score)s of %(max)s") % {
            "score": points_text(attempt.score),
            "max": points_text(attempt.max_score),
        }
        if attempt.max_score:
            score += f" ({round(attempt.score / attempt.max_score * 100)} %)"
        if attempt.is_provisional:
            return format_html(
                '{}<div class="help">{}</div>', score, gettext("some answers wait for marking")
            )
        return score

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["answer_rows"] = self.answer_rows(obj)
            context["score_changes"] = (
                ScoreChange.objects.filter(response__attempt=obj)
                .select_related("changed_by", "response__question")
                .order_by("-changed_at")
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def answer_rows(self, attempt) -> list[dict]:
        """The answers, read-only: scores change on the marking page, which keeps a record
        and brings the teacher back here."""
        responses = {r.question_id: r for r in attempt.responses.all() if r.answer is not None}
        back = urlencode({"next": reverse("admin:quizzes_attempt_change", args=[attempt.pk])})
        rows = []
        for number, question in enumerate(attempt.questions(), 1):
            response = responses.get(question.pk)
            rows.append(
                {
                    "number": number,
                    "question": question,
                    "response": response,
                    "answer": question.answer_display(response.answer) if response else "",
                    "status": response_status(response) if response else "",
                    "mark_url": (
                        reverse("admin:quizzes_response_mark", args=[response.pk]) + f"?{back}"
                        if response and attempt.is_submitted
                        else ""
                    ),
                }
            )
        return rows


class WaitingFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("yes", _("Waits for marking"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(waiting_for_teacher())
        return queryset


@admin.register(Response)
class ResponseAdmin(ListTitleMixin, admin.ModelAdmin):
    """Answers across attempts; each opens on the marking page, where scores change."""

    list_display = ["student", "question_text", "score", "status", "mark_link"]
    # The marking link goes through change_view, which keeps the list's filters to come back to.
    list_display_links = ["mark_link"]
    list_filter = [
        WaitingFilter,
        ("attempt__assignment", RelatedOnlyFieldListFilter),
        "question__kind",
    ]
    search_fields = ["attempt__user__username", "attempt__user__first_name", "question__prompt"]
    list_select_related = ["attempt__user", "attempt__quiz", "question"]
    ordering = ["attempt__assignment", "question__position", "attempt__submitted_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(attempt__in=Attempt.objects.for_teacher(request.user), answer__isnull=False)
        )

    def get_urls(self):
        return [
            admin_page(self, "queue/", admin_views.marking_queue, "quizzes_response_queue"),
            admin_page(
                self, "<path:object_id>/mark/", admin_views.mark_response, "quizzes_response_mark"
            ),
            *super().get_urls(),
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Scores change only through the marking page, which keeps the record; saving
        # there comes back to this list as it was filtered.
        back = reverse("admin:quizzes_response_changelist")
        if filters := request.GET.get("_changelist_filters"):
            back += f"?{filters}"
        url = reverse("admin:quizzes_response_mark", args=[object_id])
        return redirect(f"{url}?{urlencode({'next': back})}")

    @admin.display(description=_("student"), ordering="attempt__user__last_name")
    def student(self, response):
        return student_name(response.attempt.user)

    @admin.display(description=_("question"), ordering="question__position")
    def question_text(self, response):
        return format_html(
            '{}<div class="help">{}</div>',
            truncatechars(response.question.prompt, 90),
            response.attempt.quiz,
        )

    @admin.display(description=_("points"), ordering="points")
    def score(self, response):
        return f"{points_text(response.points)} / {points_text(response.question.points)}"

    @admin.display(description=_("status"))
    def status(self, response):
        return response_status(response)

    @admin.display(description=_("marking"))
    def mark_link(self, response):
        if response.points is None:
            return gettext("Mark")
        if response.needs_review:
            return gettext("Check")
        return gettext("Change score").replace(" ", "\N{NO-BREAK SPACE}")
