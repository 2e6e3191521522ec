from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quizsite.admin_pages import admin_page
from quizzes import admin_views, bank_quality, scoring
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
    readonly_fields = ["matches_as"]

    def get_fields(self, request, obj=None):
        # Under a short-text question's accepted answers, the form each one matches.
        if obj is not None and obj.kind == Question.Kind.SHORT_TEXT:
            return [*self.fields, "matches_as"]
        return self.fields

    @admin.display(description=_("matches answers that read"))
    def matches_as(self, choice):
        if not choice.pk or not choice.is_correct:
            return "—"
        # Only the question's text options matter here, not its other choices.
        return scoring.match_form(choice.question.answer_key(choices=[]), choice.text)


class QuestionForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        quiz, evidence = cleaned.get("quiz"), cleaned.get("evidence")
        others = cleaned.get("also_cites") or []
        if quiz and any(section.lesson_id != quiz.lesson_id for section in others):
            self.add_error("also_cites", _("Every cited section must be a section of this lesson."))
        if evidence and evidence in others:
            self.add_error("also_cites", _("The evidence is cited already; list only others."))
        return cleaned


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["__str__", "quiz", "position", "kind", "level", "points"]
    list_filter = ["quiz", "kind", "level"]
    search_fields = ["prompt", "key", "explanation"]
    list_select_related = ["quiz"]
    autocomplete_fields = ["evidence", "also_cites"]
    readonly_fields = ["units_accepted"]
    fieldsets = [
        (None, {"fields": ["quiz", "key", "position", "kind", "level", "points", "prompt"]}),
        (_("Feedback"), {"fields": ["explanation", "evidence", "also_cites"]}),
        (
            _("Answer options"),
            {"fields": ["shuffle", "strict_text", "ignore_articles", "synonyms"]},
        ),
        (
            _("Numeric answer"),
            {
                "fields": [
                    "numeric_answer",
                    "tolerance",
                    "unit",
                    "unit_words",
                    "unit_convertible",
                    "units_accepted",
                ]
            },
        ),
    ]
    inlines = [ChoiceInline]

    @admin.display(description=_("units accepted"))
    def units_accepted(self, question):
        if not question.pk or question.kind != Question.Kind.NUMERIC:
            return "—"
        same, converted = scoring.accepted_units(question.answer_key(choices=[]))
        if not same:
            return gettext("A number alone: any unit scores nothing.")
        text = gettext("%(words)s, in the singular or plural, in any case; or no unit.") % {
            "words": ", ".join(same)
        }
        if converted:
            text += " " + gettext("Converted: %(units)s.") % {"units": ", ".join(converted)}
        return text

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
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "lesson", "position", "is_practice"]
    list_filter = ["lesson", "is_practice"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["lesson"]
    readonly_fields = ["bank_check"]
    inlines = [QuestionInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The assignment form's quiz picker: a practice quiz's answers are public.
        if (
            request.GET.get("model_name") == "assignment"
            and request.GET.get("field_name") == "quiz"
        ):
            queryset = queryset.filter(is_practice=False)
        return queryset, may_have_duplicates

    @admin.display(description=_("question bank check"))
    def bank_check(self, quiz):
        if not quiz.pk:
            return gettext("Save the quiz and add questions to check them.")
        return render_to_string(
            "admin/quizzes/quiz/bank_check.html",
            {"problems": bank_quality.quiz_problems(quiz)},
        )


def response_status(response) -> str:
    if response.answer is None:
        return gettext("not answered")
    if response.points is None:
        return gettext("waits for a teacher")
    if response.needs_review:
        return gettext("to check")
    return gettext("scored")


class SubmittedFilter(admin.SimpleListFilter):
    title = _("submitted")
    parameter_name = "submitted"

    def lookups(self, request, model_admin):
        return [("yes", _("Submitted")), ("no", _("In progress"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(submitted_at__isnull=self.value() == "no")
        return queryset


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "quiz",
        "classroom",
        "started_at",
        "submitted_at",
        "score",
        "max_score",
        "is_provisional",
    ]
    list_filter = [
        SubmittedFilter,
        "is_provisional",
        ("assignment__classroom", RelatedOnlyFieldListFilter),
        ("assignment", RelatedOnlyFieldListFilter),
        ("quiz", RelatedOnlyFieldListFilter),
    ]
    search_fields = ["user__username", "user__first_name", "user__last_name", "quiz__title"]
    list_select_related = ["quiz", "user", "assignment__classroom"]
    date_hierarchy = "started_at"
    fields = [
        ("student", "assignment", "quiz"),
        ("started_at", "deadline", "submitted_at"),
        ("score", "max_score", "is_provisional"),
        "answers",
        "score_history",
    ]
    readonly_fields = [
        "student",
        "assignment",
        "quiz",
        "started_at",
        "deadline",
        "submitted_at",
        "score",
        "max_score",
        "is_provisional",
        "answers",
        "score_history",
    ]
    view_on_site = False  # the student's own page, which a teacher cannot open

    def get_queryset(self, request):
        return Attempt.objects.for_teacher(request.user)

    def has_add_permission(self, request):
        return False  # students make attempts

    @admin.display(description=_("student"))
    def student(self, attempt):
        # Not the user field itself, which the admin links to the account's page: teachers
        # cannot open accounts' pages.
        user = attempt.user
        if user is None:
            return "—"
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()

    @admin.display(description=_("class"), ordering="assignment__classroom__name")
    def classroom(self, attempt):
        return attempt.assignment.classroom if attempt.assignment else gettext("(practice)")

    @admin.display(description=_("answers"))
    def answers(self, attempt):
        """The answers, read-only: scores change on the marking page, which keeps a record."""
        responses = {r.question_id: r for r in attempt.responses.all() if r.answer is not None}
        rows = []
        for number, question in enumerate(attempt.questions(), 1):
            response = responses.get(question.pk)
            link = ""
            if response and attempt.is_submitted:
                url = reverse("admin:quizzes_response_mark", args=[response.pk])
                label = gettext("Mark") if response.points is None else gettext("Change score")
                link = format_html('<a href="{}">{}</a>', url, label)
            rows.append(
                (
                    number,
                    question.prompt[:120],
                    question.answer_display(response.answer) if response else "—",
                    "—" if response is None else points_text(response.points),
                    points_text(question.points),
                    response_status(response) if response else gettext("not answered"),
                    response.seconds_spent if response else "—",
                    link,
                )
            )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} / {}</td><td>{}</td><td>{}</td>"
            "<td>{}</td></tr>",
            rows,
        )
        return format_html(
            '<table class="attempt-answers"><thead><tr><th>#</th><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("Question"),
            gettext("Answer"),
            gettext("Points"),
            gettext("Status"),
            gettext("Seconds"),
            gettext("Marking"),
            body,
        )

    @admin.display(description=_("score changes"))
    def score_history(self, attempt):
        changes = (
            ScoreChange.objects.filter(response__attempt=attempt)
            .select_related("changed_by", "response__question")
            .order_by("changed_at")
        )
        if not changes:
            return gettext("No score has changed since it was given.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    change.changed_at.strftime("%Y-%m-%d %H:%M"),
                    change.response.question,
                    "—" if change.old_points is None else change.old_points,
                    "—" if change.new_points is None else change.new_points,
                    change.changed_by or "—",
                    change.reason,
                )
                for change in changes
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            gettext("When"),
            gettext("Question"),
            gettext("Points"),
            gettext("Who"),
            gettext("Why"),
            rows,
        )


class WaitingFilter(admin.SimpleListFilter):
    title = _("marking")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("yes", _("Waits for a teacher"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(waiting_for_teacher())
        return queryset


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Answers across attempts; each opens on the marking page, where scores change."""

    list_display = ["student", "quiz", "question", "points", "out_of", "status", "mark_link"]
    list_display_links = None
    list_filter = [
        WaitingFilter,
        "needs_review",
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
        # Scores change only through the marking page, which keeps the record.
        return redirect("admin:quizzes_response_mark", object_id)

    @admin.display(description=_("student"), ordering="attempt__user__username")
    def student(self, response):
        return response.attempt.user

    @admin.display(description=_("quiz"))
    def quiz(self, response):
        return response.attempt.quiz

    @admin.display(description=_("out of"))
    def out_of(self, response):
        return response.question.points

    @admin.display(description=_("status"))
    def status(self, response):
        return response_status(response)

    @admin.display(description=_("marking"))
    def mark_link(self, response):
        url = reverse("admin:quizzes_response_mark", args=[response.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Open"))
