from django.contrib import admin
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from embeds import snippets
from lessons.models import Lesson, Section
from quizsite.admin_pages import ListTitleMixin


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = [("position", "anchor"), "heading", "body"]


@admin.register(Lesson)
class LessonAdmin(ListTitleMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "source_outlet"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary"]}),
        (_("Source"), {"fields": ["source_title", "source_author", "source_outlet", "source_url"]}),
        (_("Embedding"), {"fields": ["embed_code"]}),
    ]
    readonly_fields = ["embed_code"]
    inlines = [SectionInline]

    def get_object(self, request, object_id, from_field=None):
        lesson = super().get_object(request, object_id, from_field)
        if lesson is not None:
            # A readonly field sees only the object, and the snippet needs this site's address.
            lesson.site_origin = snippets.site_origin(request)
        return lesson

    @admin.display(description=_("embed code"))
    def embed_code(self, lesson):
        if not getattr(lesson, "site_origin", None):
            return _("Save the lesson to get its embed code.")
        return format_html(
            '<textarea readonly rows="5" cols="80" aria-label="{}">{}</textarea>'
            '<div class="help">{}</div>',
            _("Embed code"),
            escape(snippets.embed_code(lesson, lesson.site_origin)),  # shown as text, not run
            _(
                "Paste this into another site's page to show the lesson and its practice "
                "quiz there; the frame grows with its content."
            ),
        )


@admin.register(Section)
class SectionAdmin(ListTitleMixin, admin.ModelAdmin):
    list_display = ["heading", "lesson", "position", "anchor"]
    list_filter = ["lesson"]
    search_fields = ["heading", "body"]
    list_select_related = ["lesson"]
