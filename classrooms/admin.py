"""Classes, rosters and assignments in the admin, each teacher seeing only their own.

Teachers have no permissions on user accounts: a class's roster is managed on the
class page (students join with the code, come in from a CSV file or are added by
username), where teachers also give their students new passwords.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.groups import TEACHERS_GROUP
from classrooms import admin_views, durations
from classrooms.models import Assignment, Classroom, Enrollment, Override
from classrooms.students import roster_rows, user_label
from quizsite.admin_pages import ListTitleMixin, admin_page, short_time
from quizzes.admin import QuestionAdmin, QuizAdmin
from quizzes.marking import waiting_for_teacher
from quizzes.models import Question, Quiz


class SchoolTimeMixin:
    """Durations typed as teachers say them ("20" is twenty minutes), and every date and
    time field naming the time zone it is in (the site's TIME_ZONE, the school's)."""

    formfield_overrides = {models.DurationField: {"form_class": durations.DurationInWordsField}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and field is not None:
            zone = gettext("Time zone: %(zone)s.") % {"zone": settings.TIME_ZONE}
            field.help_text = f"{field.help_text} {zone}".strip()
        return field


@admin.register(Classroom)
class ClassroomAdmin(ListTitleMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "join_code",
        "teacher_names",
        "student_count",
        "assignment_count",
        "gradebook_link",
    ]
    search_fields = ["name", "join_code"]
    fields = ["name", "teachers", "join_code"]
    readonly_fields = ["join_code"]
    actions = ["regenerate_join_codes"]

    def get_queryset(self, request):
        return (
            Classroom.objects.for_teacher(request.user)
            .annotate(
                student_count=Count("enrollments", distinct=True),
                assignment_count=Count("assignments", distinct=True),
            )
            .prefetch_related("teachers")
            .order_by(*Classroom._meta.ordering)  # counting groups rows, which drops it
        )

    def get_urls(self):
        pages = [
            ("gradebook/", admin_views.gradebook, "classrooms_classroom_gradebook"),
            ("gradebook.csv", admin_views.gradebook_csv, "classrooms_classroom_gradebook_csv"),
            ("roster/", admin_views.import_roster, "classrooms_classroom_roster"),
            ("join-code/", admin_views.regenerate_join_code, "classrooms_classroom_join_code"),
            ("students/add/", admin_views.add_student, "classrooms_classroom_student_add"),
            (
                "students/<int:student_id>/password/",
                admin_views.student_password,
                "classrooms_classroom_student_password",
            ),
            (
                "students/<int:student_id>/remove/",
                admin_views.remove_student,
                "classrooms_classroom_student_remove",
            ),
        ]
        return [
            *(
                admin_page(self, f"<path:object_id>/{route}", view, name)
                for route, view, name in pages
            ),
            *super().get_urls(),
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name != "teachers":
            return super().formfield_for_manytomany(db_field, request, **kwargs)
        # Colleagues to share a class with: teachers, never students. Ticked in a plain
        # list of checkboxes, which every keyboard and screen reader knows.
        kwargs["queryset"] = (
            get_user_model()
            .objects.filter(Q(groups__name=TEACHERS_GROUP) | Q(pk=request.user.pk))
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        kwargs["widget"] = forms.CheckboxSelectMultiple
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        field.label_from_instance = user_label
        return field

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["roster"] = roster_rows(obj, request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_changeform_initial_data(self, request):
        return {"teachers": [request.user.pk], **super().get_changeform_initial_data(request)}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.user.is_superuser or "teachers" not in form.base_fields:
            return form
        user = request.user

        class TeacherClassroomForm(form):
            def clean_teachers(self):
                teachers = self.cleaned_data["teachers"]
                if user not in teachers:
                    raise forms.ValidationError(
                        gettext(
                            "Keep yourself among the teachers; a colleague can take you off "
                            "the class later."
                        )
                    )
                return teachers

        return TeacherClassroomForm

    @admin.display(description=_("teachers"))
    def teacher_names(self, classroom):
        return ", ".join(t.get_full_name() or t.get_username() for t in classroom.teachers.all())

    @admin.display(description=_("students"), ordering="student_count")
    def student_count(self, classroom):
        return classroom.student_count

    @admin.display(description=_("assignments"), ordering="assignment_count")
    def assignment_count(self, classroom):
        return classroom.assignment_count

    @admin.display(description=_("gradebook"))
    def gradebook_link(self, classroom):
        url = reverse("admin:classrooms_classroom_gradebook", args=[classroom.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Gradebook"))

    @admin.action(description=_("Give the selected classes new join codes"), permissions=["change"])
    def regenerate_join_codes(self, request, queryset):
        for classroom in queryset:
            classroom.regenerate_join_code()
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d class has a new join code; the old one no longer works.",
                "%(count)d classes have new join codes; the old ones no longer work.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class OverrideForm(forms.ModelForm):
    class Meta:
        model = Override
        fields = ["student", "extra_time", "due_at", "extra_attempts"]

    def clean_extra_time(self):
        extra_time = self.cleaned_data["extra_time"]
        if extra_time is not None and extra_time.total_seconds() <= 0:
            raise forms.ValidationError(gettext("Extra time must be longer than zero."))
        return extra_time

    def clean(self):
        cleaned = super().clean()
        if (
            not self.errors
            and not cleaned.get("DELETE")
            and not (cleaned.get("extra_time") or cleaned.get("due_at"))
            and not cleaned.get("extra_attempts")
        ):
            raise forms.ValidationError(
                gettext("Give extra time, a later due date or extra attempts.")
            )
        return cleaned

    def _post_clean(self):
        # An untouched override is not saved again, so a due date that has passed since
        # is no reason to refuse the rest of the page.
        if self.instance.pk and not self.has_changed():
            return
        super()._post_clean()


class OverrideInline(SchoolTimeMixin, admin.TabularInline):
    model = Override
    form = OverrideForm
    extra = 0
    verbose_name_plural = _("overrides for single students (accommodations)")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only this class's students, so no id from elsewhere can be posted.
        students = formset.form.base_fields["student"]
        students.queryset = (
            get_user_model()
            .objects.filter(enrollments__classroom_id=obj.classroom_id if obj else None)
            .order_by("last_name", "first_name", "username")
        )
        students.label_from_instance = user_label
        return formset


@admin.register(Assignment)
class AssignmentAdmin(ListTitleMixin, SchoolTimeMixin, admin.ModelAdmin):
    # What a teacher looks for first, narrow enough for a laptop; the rest is on the page.
    list_display = [
        "quiz_title",
        "class_name",
        "due",
        "time_limit_in_words",
        "submitted_count",
        "waiting_count",
        "statistics_link",
    ]
    list_filter = [
        ("classroom", RelatedOnlyFieldListFilter),
        "grading_method",
        "feedback_mode",
    ]
    list_select_related = ["quiz", "classroom"]
    search_fields = ["quiz__title", "classroom__name"]
    autocomplete_fields = ["classroom", "quiz"]
    fieldsets = [
        (None, {"fields": ["classroom", "quiz"]}),
        (_("When"), {"fields": ["opens_at", "due_at", "time_limit", "attempts_allowed"]}),
        (
            _("Grading and feedback"),
            {
                "fields": [
                    "grading_method",
                    "feedback_mode",
                    "review_shows_answers",
                    "review_shows_verdicts",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        students = (
            Enrollment.objects.filter(classroom=OuterRef("classroom"))
            .order_by()
            .values("classroom")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            Assignment.objects.for_teacher(request.user)
            .annotate(
                submitted_count=Count(
                    "attempts__user",
                    filter=Q(attempts__submitted_at__isnull=False),
                    distinct=True,
                ),
                student_count=Coalesce(Subquery(students), 0),
                waiting_count=Count(
                    "attempts__responses",
                    filter=waiting_for_teacher("attempts__responses__"),
                    distinct=True,
                ),
            )
            .order_by(*Assignment._meta.ordering)
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["newer_versions"] = len(obj.newer_versions())
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_inlines(self, request, obj):
        # Overrides name students of the class, known once the assignment is saved.
        return [OverrideInline] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "classroom":
            kwargs["queryset"] = Classroom.objects.for_teacher(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Extra time or a later due date must reach students already answering.
        changed = form.instance.refresh_deadlines()
        if changed:
            message = ngettext(
                "The new rules apply to %(count)d attempt in progress.",
                "The new rules apply to %(count)d attempts in progress.",
                changed,
            )
            self.message_user(request, message % {"count": changed}, messages.INFO)

    def get_urls(self):
        return [
            admin_page(
                self,
                "<path:object_id>/statistics/",
                admin_views.assignment_statistics,
                "classrooms_assignment_statistics",
            ),
            admin_page(
                self,
                "<path:object_id>/versions/",
                admin_views.assignment_versions,
                "classrooms_assignment_versions",
            ),
            *super().get_urls(),
        ]

    # Text, not the foreign keys themselves, which the admin never wraps.
    @admin.display(description=_("quiz"), ordering="quiz__title")
    def quiz_title(self, assignment):
        return assignment.quiz.title

    @admin.display(description=_("class"), ordering="classroom__name")
    def class_name(self, assignment):
        return assignment.classroom.name

    @admin.display(description=_("due"), ordering="due_at")
    def due(self, assignment):
        if assignment.opens_at and assignment.opens_at > timezone.now():
            return format_html(
                '{}<div class="help">{}</div>',
                short_time(assignment.due_at),
                gettext("opens %(when)s") % {"when": short_time(assignment.opens_at)},
            )
        return short_time(assignment.due_at)

    @admin.display(description=_("time limit"), ordering="time_limit")
    def time_limit_in_words(self, assignment):
        return durations.in_words(assignment.time_limit) or "—"

    @admin.display(description=_("submitted"), ordering="submitted_count")
    def submitted_count(self, assignment):
        # Students, not attempts: "12 of 25" says who still has to hand in.
        return gettext("%(submitted)s of %(students)s") % {
            "submitted": assignment.submitted_count,
            "students": assignment.student_count,
        }

    @admin.display(description=_("to mark"), ordering="waiting_count")
    def waiting_count(self, assignment):
        if not assignment.waiting_count:
            return 0
        url = reverse("admin:quizzes_response_queue")
        return format_html(
            '<a href="{}?assignment={}">{}</a>', url, assignment.pk, assignment.waiting_count
        )

    @admin.display(description=_("statistics"))
    def statistics_link(self, assignment):
        url = reverse("admin:classrooms_assignment_statistics", args=[assignment.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Statistics"))


class QuizInUseAdmin(QuizAdmin):
    """quizzes' QuizAdmin with where the quiz is used: classrooms extends it, so that quizzes
    needs no import of classrooms. The teacher's own assignments are listed and linked; other
    teachers' classes are only counted."""

    change_form_template = "admin/classrooms/quiz_in_use.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["quiz_use"] = quiz_use(obj, request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)


def quiz_use(quiz, user) -> dict:
    assignments = (
        Assignment.objects.filter(quiz=quiz)
        .select_related("classroom")
        .annotate(attempt_count=Count("attempts"))
        .order_by("classroom__name", "pk")
    )
    assignments = assignments.annotate(
        older_versions=Count("kept_versions", filter=Q(kept_versions__is_current=False))
    )
    mine = list(assignments.for_teacher(user))
    other_classes = (
        Classroom.objects.filter(assignments__quiz=quiz)
        .exclude(pk__in=[assignment.classroom_id for assignment in mine])
        .distinct()
        .count()
    )
    return {"mine": mine, "other_classes": other_classes}


class QuestionInUseAdmin(QuestionAdmin):
    """quizzes' QuestionAdmin with its versions: how many attempts answered each, and which
    classes answer each now (the teacher's own named, other teachers' counted)."""

    change_form_template = "admin/classrooms/question_in_use.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["versions"] = question_versions(obj, request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)


def question_versions(question, user) -> list[dict]:
    """Each version of the question, first to last: its attempts (those that answered it)
    and the assignments whose attempts show it now."""
    versions = list(
        Question.objects.filter(key=question.key)
        .annotate(attempt_count=Count("responses__attempt", distinct=True))
        .order_by("version")
    )
    kept = Question.objects.filter(key=question.key, kept_by=OuterRef("pk")).values("pk")[:1]
    assignments = (
        Assignment.objects.filter(quiz_id=question.quiz_id)
        .select_related("classroom")
        .annotate(kept_version=Subquery(kept))
        .order_by("classroom__name", "pk")
    )
    mine = set(assignments.for_teacher(user).values_list("pk", flat=True))
    current = next((version.pk for version in versions if version.is_current), None)
    shown_by = {}
    for assignment in assignments:
        shown_by.setdefault(assignment.kept_version or current, []).append(assignment)
    return [
        {
            "question": version,
            "mine": [a for a in shown_by.get(version.pk, []) if a.pk in mine],
            "others": sum(1 for a in shown_by.get(version.pk, []) if a.pk not in mine),
        }
        for version in versions
    ]


# quizzes comes before classrooms in INSTALLED_APPS, so its admin is registered by now.
admin.site.unregister(Quiz)
admin.site.register(Quiz, QuizInUseAdmin)
admin.site.unregister(Question)
admin.site.register(Question, QuestionInUseAdmin)
