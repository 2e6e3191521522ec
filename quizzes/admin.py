from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.defaultfilters import truncatechars
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from lessons.models import Section
from quizsite.admin_pages import ListTitleMixin, admin_page, short_time
from quizzes import admin_views, bank_quality, kind_forms, kinds, scoring
from quizzes.interchange import admin_views as interchange
from quizzes.kind_forms import KIND_FORMS
from quizzes.marking import points_text, waiting_for_teacher
from quizzes.models import (
    QUESTIONS_FIXED,
    Attempt,
    Choice,
    Question,
    Quiz,
    Response,
    ScoreChange,
)


class ChoiceFormSet(BaseInlineFormSet):
    def clean(self):
        """Refuse an answer key that cannot be scored, before anything is saved."""
        super().clean()
        if any(self.errors):
            return
        kept = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        self.place_new_choices(kept)
        # self.instance carries the question form's cleaned values (kind) at this point.
        if KIND_FORMS[self.instance.kind].all_choices_correct:
            for form in kept:
                form.instance.is_correct = True  # each one is an accepted answer
        problems = self.instance.answer_key_problems([form.instance for form in kept])
        if problems:
            raise ValidationError(problems)

    def place_new_choices(self, kept):
        """New choices of a form without the position column go after all the others."""
        if "position" in self.form.base_fields:
            return
        taken = Choice.objects.filter(question=self.instance) if self.instance.pk else []
        last = max((choice.position for choice in taken), default=0)
        for form in kept:
            if form.instance.pk is None:
                last += 1
                form.instance.position = last


class ChoiceInline(admin.TabularInline):
    """The question's choices, with the columns its kind uses (QuestionAdmin sets them)."""

    model = Choice
    formset = ChoiceFormSet
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 50})}}
    extra = 0
    fields = ["position", "text", "is_correct", "match_text"]
    readonly_fields = ["matches_as"]
    only_correct = False  # a change to short text keeps only the right choices
    labels = {}  # column headings the question's kind gives its own words

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        for name, label in self.labels.items():
            formset.form.base_fields[name].label = capfirst(label)  # a class of its own
        return formset

    def get_queryset(self, request):
        choices = super().get_queryset(request)
        return choices.filter(is_correct=True) if self.only_correct else choices

    # The choices are the question's answer key: whoever may change the question (obj).
    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and may_change_question(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_change_question(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_change_question(request, obj)

    def get_fields(self, request, obj=None):
        # Under a short-text question's accepted answers, the form each one matches.
        if obj is not None and obj.kind_rules.shows_match_form:
            return [*self.fields, "matches_as"]
        return self.fields

    @admin.display(description=_("matches answers that read"))
    def matches_as(self, choice):
        if not choice.pk or not choice.is_correct:
            return "—"
        # Only the question's text options matter here, not its other choices.
        return scoring.match_form(choice.question.answer_key(choices=[]), choice.text)


CHINESE_TWINS = ("text", "match_text")  # the choice's texts with a field for their Chinese


def with_chinese(fields) -> list[str]:
    """The choice's columns, each text followed by its Chinese."""
    return [
        column
        for name in fields
        for column in (name, f"{name}_zh")[: 2 if name in CHINESE_TWINS else 1]
    ]


def may_change_question(request, question) -> bool:
    """Only the owners of a question's quiz (and superusers) change it or its choices, and
    only its current version: an older one stays as the attempts that showed it had it."""
    return question is None or (question.is_current and question.quiz.is_editable_by(request.user))


class VersionFilter(admin.SimpleListFilter):
    """The list shows the questions as quizzes show them now, unless asked for every version."""

    title = _("versions")
    parameter_name = "versions"

    def lookups(self, request, model_admin):
        return [("all", _("Every version"))]

    def queryset(self, request, queryset):
        return queryset if self.value() == "all" else queryset.current()


def error_summary(form, inline_formsets) -> list[dict]:
    """Every error of the question form and its choices, for a list at the top of the page,
    each with the id of the field it is about (a formset's own errors: the formset)."""
    summary = []
    for name, errors in form.errors.items():
        if name in form.fields:  # errors of the whole form show at the top already
            label = form.fields[name].label
            summary += [{"label": label, "error": e, "id": form[name].id_for_label} for e in errors]
    for inline in inline_formsets:
        formset = inline.formset
        if not formset.is_bound:
            continue
        title = capfirst(inline.opts.verbose_name_plural)
        group = f"{formset.prefix}-group"
        summary += [{"label": title, "error": e, "id": group} for e in formset.non_form_errors()]
        for number, (row, errors) in enumerate(zip(formset.forms, formset.errors, strict=True), 1):
            for name, messages_ in errors.items():
                where = row[name].id_for_label if name in row.fields else group
                label = f"{capfirst(inline.opts.verbose_name)} {number}"
                summary += [{"label": label, "error": e, "id": where} for e in messages_]
    return summary


class QuestionForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        quiz, evidence = cleaned.get("quiz"), cleaned.get("evidence")
        others = cleaned.get("also_cites") or []
        if quiz and any(section.lesson_id != quiz.lesson_id for section in others):
            self.add_error("also_cites", _("Every cited section must be a section of this lesson."))
        if evidence and evidence in others:
            self.add_error("also_cites", _("The evidence is cited already; list only others."))
        if quiz and self.instance.pk is None and quiz.has_graded_attempts():
            self.add_error("quiz", QUESTIONS_FIXED)
        return cleaned


@admin.register(Question)
class QuestionAdmin(ListTitleMixin, admin.ModelAdmin):
    """A question's form shows the fields of its kind only (kind_forms.KIND_FORMS). A new
    question's kind is chosen first; changing it goes through a page that says what goes."""

    form = QuestionForm
    list_display = ["__str__", "quiz", "position", "kind", "level", "points", "version"]
    list_filter = [VersionFilter, "quiz", "kind", "level"]
    search_fields = ["prompt", "key", "explanation"]
    list_select_related = ["quiz"]
    # Evidence and the other sections cited are plain lists, which work without JavaScript.
    readonly_fields = ["units_accepted"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "quiz",
                    "key",
                    "position",
                    "kind",
                    "level",
                    "points",
                    ("prompt", "prompt_zh"),
                ]
            },
        ),
        (_("Feedback"), {"fields": [("explanation", "explanation_zh"), "evidence", "also_cites"]}),
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
                    ("unit", "unit_zh"),
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
        if not question.pk or "units_accepted" not in question.kind_rules.form.fields:
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
            admin_page(
                self, "<path:object_id>/kind/", admin_views.question_kind, "quizzes_question_kind"
            ),
            *super().get_urls(),
        ]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_change_question(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A question with versions has been answered: they all stay; nor does a quiz
        # classes have attempted lose a question.
        deletable = obj is None or (obj.version == 1 and not obj.quiz.has_graded_attempts())
        return (
            super().has_delete_permission(request, obj)
            and may_change_question(request, obj)
            and deletable
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz":  # a question goes into one of the user's own quizzes
            kwargs["queryset"] = Quiz.objects.editable_by(request.user)
        if db_field.name == "evidence":
            # A plain list of sections, which works without JavaScript (a search box
            # fetching them doesn't); the lessons' names in one query.
            kwargs["queryset"] = Section.objects.select_related("lesson")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "also_cites":  # as the evidence
            kwargs["queryset"] = Section.objects.select_related("lesson")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        question = super().get_object(request, object_id, from_field)
        if question is not None:
            question.saved_kind = question.kind  # the form may set another (form_kind)
        return question

    def form_kind(self, request, obj=None) -> str | None:
        """The kind this page's form is for: ?kind= for a new question, or for a change of
        kind the question allows; otherwise the question's own. None: not chosen yet."""
        saved = getattr(obj, "saved_kind", None)
        asked = request.GET.get("kind")
        if asked not in kinds.KINDS or asked == saved:
            return saved
        if saved is not None:
            if not hasattr(obj, "kind_refusal"):  # asked once per page
                obj.kind_refusal = kind_forms.change_refused(obj)
            if obj.kind_refusal:
                return saved
        return asked

    def add_view(self, request, form_url="", extra_context=None):
        if self.form_kind(request) is None:
            return admin_views.question_kind(request, self, None)
        return super().add_view(request, form_url, extra_context)

    def get_fieldsets(self, request, obj=None):
        kind = self.form_kind(request, obj)
        hidden = kind_forms.hidden_fields(kind) if kind else frozenset()
        # The kind with a link to change it, for whoever may; the kind alone for others.
        shown_kind = "kind_display" if self.has_change_permission(request, obj) else "kind"
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            # A field and its Chinese twin side by side: both go where the English one goes.
            fields = [
                shown_kind if field == "kind" else field
                for field in options["fields"]
                if (field if isinstance(field, str) else field[0]) not in hidden
            ]
            if fields:
                fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "kind_display"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        kind = self.form_kind(request, obj)
        if kind is None:
            return form
        kind_form = KIND_FORMS[kind]

        class KindQuestionForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # Validation (an answer key, a numeric value) is for the kind on the page.
                self.instance.kind = kind
                for name in ("points", "numeric_answer", "tolerance"):
                    if isinstance(self.initial.get(name), Decimal):  # 5, not 5.0000
                        self.initial[name] = points_text(self.initial[name])
                explanation = self.fields.get("explanation")
                if explanation and kind_form.explanation_label:
                    explanation.label = kind_form.explanation_label
                    explanation.help_text = kind_form.explanation_help

        return KindQuestionForm

    def get_inline_instances(self, request, obj=None):
        kind = self.form_kind(request, obj)
        kind_form = KIND_FORMS.get(kind)
        if kind_form is None or not kind_form.takes_choices:
            return []
        saved = getattr(obj, "saved_kind", None)
        choices = ChoiceInline(self.model, self.admin_site)  # a new one for each request
        choices.fields = with_chinese(kind_form.choice_fields)
        choices.verbose_name_plural = kind_form.choices_title
        choices.verbose_name = kind_form.choice_name
        choices.labels = {
            **dict(kind_form.choice_labels),
            **{
                f"{name}_zh": format_lazy(_("{label} in Chinese"), label=label)
                for name, label in kind_form.choice_labels
                if name in CHINESE_TWINS
            },
        }
        choices.extra = kind_form.new_choices if saved is None else 1
        choices.only_correct = kind_form.all_choices_correct and saved not in (None, kind)
        return [choices] if choices.has_view_or_change_permission(request, obj) else []

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if "position" in inline.fields:
            # New rows come numbered after the existing ones; a row left empty isn't saved.
            last = max((c.position for c in obj.choices.all()), default=0) if obj.pk else 0
            kwargs["initial"] = [{"position": last + n} for n in range(1, inline.extra + 1)]
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["error_summary"] = error_summary(
            context["adminform"].form, context["inline_admin_formsets"]
        )
        saved = getattr(obj, "saved_kind", None)
        kind = self.form_kind(request, obj)
        # How to write a question of this kind, for kinds with a syntax of their own.
        context["kind_syntax"] = kinds.get(kind).form.syntax_help if kind else ""
        if saved is not None and kind != saved:
            context["kind_change"] = {
                "from": kinds.get(saved).label,
                "to": kinds.get(kind).label,
                "dropped": kind_forms.dropped_by_change(Question.objects.get(pk=obj.pk), kind),
            }
        elif saved is not None and request.GET.get("kind") not in (None, saved):
            context["kind_refused"] = obj.kind_refusal
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        quiz = request.GET.get("quiz", "")
        if quiz.isdigit():  # a new question comes after the quiz's others
            last = Question.objects.filter(quiz=quiz).aggregate(last=Max("position"))["last"]
            initial.setdefault("position", (last or 0) + 1)
        return initial

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST:
            super().response_add(request, obj, post_url_continue)  # its message
            query = urlencode({"kind": obj.kind, "quiz": obj.quiz_id})
            return redirect(f"{reverse('admin:quizzes_question_add')}?{query}")
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description=_("kind of question"))
    def kind_display(self, question):
        if question.pk:
            url, words = reverse("admin:quizzes_question_kind", args=[question.pk]), _("change")
        else:
            url, words = reverse("admin:quizzes_question_add"), _("choose another")
        return format_html('{} (<a href="{}">{}</a>)', question.get_kind_display(), url, words)

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        before = Question.objects.prefetch_related("choices").get(pk=obj.pk)
        form.kind_changed = before.kind != obj.kind
        if form.kind_changed:
            kind_forms.reset_for_kind(obj)  # what the new kind doesn't use goes, as its page said
        if before.is_in_use():
            form.previous = before  # save_related saves a new version, if anything changed
            return
        if form.kind_changed:
            kept = kind_forms.kept_choices(before, obj.kind)
            before.choices.exclude(pk__in=[choice.pk for choice in kept]).delete()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        previous = getattr(form, "previous", None)
        if previous is None:
            super().save_related(request, form, formsets, change)
        else:
            for formset in formsets:  # what the admin's history reads of a saved formset
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            if question_changed(previous, form, formsets):
                self.save_new_version(request, form, formsets, previous)
        if getattr(form, "kind_changed", False):
            kind_forms.reset_choices_for_kind(form.instance)

    def save_new_version(self, request, form, formsets, previous):
        """Attempts have shown the question: the change becomes its next version, with the
        choices on the page (each linked to the one it continues), and the previous version
        stays for the attempts and assignments that have it. One line says so."""
        question = form.instance
        question.new_version()
        question.saved_as_new_version = True
        form.save_m2m()
        for formset in formsets:
            for choice_form in formset.forms:
                choice = choice_form.instance
                if choice_form in formset.deleted_forms or not (
                    choice.pk or choice_form.has_changed()
                ):
                    continue
                choice.carry_into(question)
                choice.save(force_insert=True)
        keeping = question.keep_previous(previous)
        messages.info(request, version_message(request.user, question, previous, keeping))

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        if "_continue" in request.POST and getattr(obj, "saved_as_new_version", False):
            # The page asked for was the previous version's: carry on with the new one.
            response["Location"] = reverse("admin:quizzes_question_change", args=[obj.pk])
        return response


def question_changed(before, form, formsets) -> bool:
    """Whether the page changes the question as saved (values, not their spelling: "1" is
    1.00 points), its cited sections or its choices."""
    fields = [field.attname for field in Question._meta.concrete_fields if field.editable]
    return (
        any(getattr(before, name) != getattr(form.instance, name) for name in fields)
        or "also_cites" in form.changed_data
        or any(formset.has_changed() for formset in formsets)
    )


def version_message(user, question, previous, keeping) -> str:
    """One line on a new version: which classes keep the previous one. The teacher's own
    are named, each linked to where it moves on; other teachers' classes are counted."""
    line = gettext("Saved as version %(new)s.") % {"new": question.version}
    if not keeping:
        return line + " " + gettext("No class keeps version %(old)s.") % {"old": previous.version}
    own = [a for a in keeping if any(t.pk == user.pk for t in a.classroom.teachers.all())]
    others = len(keeping) - len(own)
    parts = []
    if own:
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:classrooms_assignment_versions", args=[a.pk]), a.classroom)
                for a in own
            ),
        )
        parts.append(format_html("{} {}", gettext("your"), links))
    if others:
        parts.append(
            ngettext(
                "%(count)s class of other teachers",
                "%(count)s classes of other teachers",
                others,
            )
            % {"count": others}
        )
    keeps = gettext(
        "Version %(old)s stays with the classes that answered it until their teachers move them on:"
    ) % {"old": previous.version}
    classes = format_html_join(" " + gettext("and") + " ", "{}", ((part,) for part in parts))
    return format_html("{} {} {}.", line, keeps, classes)


class QuestionInline(admin.TabularInline):
    """The quiz's questions as it shows them now, at a glance. They are edited on their own
    page, where the answer key is checked, and a question attempts have shown gets a new
    version."""

    model = Question
    extra = 0
    fields = ["position", "prompt", "kind", "level", "points"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).current()

    def has_add_permission(self, request, obj=None):
        return False


@admin.display(description=_("practice quiz"), ordering="is_practice")
def practice(quiz):
    return gettext("yes") if quiz.is_practice else gettext("no")  # words, not ✓/✗


class OwnerFilter(admin.SimpleListFilter):
    title = _("owner")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("mine", _("Mine")), ("others", _("Not mine"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(owners=request.user)
        if self.value() == "others":
            return queryset.exclude(owners=request.user)
        return queryset


@admin.register(Quiz)
class QuizAdmin(ListTitleMixin, admin.ModelAdmin):
    """Every teacher reads every quiz and may assign it; only its owners (and superusers)
    change it. Anyone who may add quizzes may duplicate one into a copy of their own."""

    list_display = ["title", "lesson", "position", practice]
    list_filter = [OwnerFilter, "lesson", "is_practice"]
    search_fields = ["title", "title_zh", "description"]
    prepopulated_fields = {"slug": ["title"]}
    # Each text beside its Chinese version.
    fields = [
        "lesson",
        ("title", "title_zh"),
        "slug",
        ("description", "description_zh"),
        "position",
        "is_practice",
        "owners",
        "bank_check",
    ]
    list_select_related = ["lesson"]
    readonly_fields = ["bank_check"]
    inlines = [QuestionInline]
    actions = ["duplicate", "export_gift", "export_moodle_xml"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("owners")

    def get_urls(self):
        return [
            admin_page(
                self,
                "<path:object_id>/duplicate/",
                admin_views.duplicate_quiz,
                "quizzes_quiz_duplicate",
            ),
            admin_page(
                self,
                "<path:object_id>/import/",
                interchange.import_questions,
                "quizzes_quiz_import",
            ),
            admin_page(
                self,
                "<path:object_id>/export/",
                interchange.export_questions,
                "quizzes_quiz_export",
            ),
            *super().get_urls(),
        ]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.is_editable_by(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.is_editable_by(request.user))

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # Owners choose their co-owners through a superuser: a teacher sees no list of users.
        if not request.user.is_superuser:
            fields = [field for field in fields if field != "owners"]
        return fields

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:  # whoever makes a quiz may change it
            form.instance.owners.add(request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["owner_names"] = owner_names(obj, request.user)
            context["may_duplicate"] = self.has_add_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_list_display(self, request):
        @admin.display(description=_("owners"))
        def owners(quiz):  # "you" to the one who asks
            return owner_names(quiz, request.user)

        return [*super().get_list_display(request), owners]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "owners":  # teachers, not students
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(description=_("Duplicate into my quizzes"), permissions=["add"])
    def duplicate(self, request, queryset):
        copies = [quiz.duplicate(owner=request.user) for quiz in queryset]
        for copy in copies:
            self.log_addition(request, copy, [{"added": {}}])
        if len(copies) == 1:
            return admin_views.duplicated(request, copies[0])
        messages.success(
            request,
            gettext("%(count)s copies made; they are yours to change.") % {"count": len(copies)},
        )
        return None

    @admin.action(description=_("Export to GIFT"), permissions=["view"])
    def export_gift(self, request, queryset):
        return interchange.download(list(queryset), "gift")

    @admin.action(description=_("Export to Moodle XML"), permissions=["view"])
    def export_moodle_xml(self, request, queryset):
        return interchange.download(list(queryset), "moodlexml")

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


def owner_names(quiz, user) -> str:
    """Who owns a quiz, in words: "you" first; the shipped bank is nobody's."""
    owners = list(quiz.owners.all())
    if not owners:
        return gettext("nobody (shipped)")
    names = [gettext("you") for owner in owners if owner.pk == user.pk]
    names += [o.get_full_name() or o.get_username() for o in owners if o.pk != user.pk]
    return ", ".join(names)


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
            admin_page(
                self,
                "<path:object_id>/accept/",
                admin_views.accept_answer,
                "quizzes_response_accept",
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
