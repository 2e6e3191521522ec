from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from quizzes.models import Attempt, Choice, Question, Quiz, Response


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
class QuestionAdmin(admin.ModelAdmin):
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


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "prompt", "kind", "level", "points"]
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "lesson", "position", "is_practice"]
    list_filter = ["lesson", "is_practice"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["lesson"]
    inlines = [QuestionInline]


class ResponseInline(admin.TabularInline):
    model = Response
    extra = 0
    fields = ["question", "answer", "points", "answered_at"]
    readonly_fields = ["question", "answer", "answered_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = [
        "quiz",
        "user",
        "started_at",
        "submitted_at",
        "score",
        "max_score",
        "is_provisional",
    ]
    list_filter = ["quiz", "is_provisional"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "quiz__title"]
    list_select_related = ["quiz", "user"]
    date_hierarchy = "started_at"
    readonly_fields = [
        "public_id",
        "quiz",
        "user",
        "started_at",
        "submitted_at",
        "score",
        "max_score",
    ]
    inlines = [ResponseInline]
