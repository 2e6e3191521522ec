"""The embed code on the lesson's admin page: embeds extends lessons' LessonAdmin, so that
lessons needs no import of embeds (embeds uses lessons, never the reverse)."""

from django.contrib import admin
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from embeds import snippets
from lessons.admin import LessonAdmin
from lessons.models import Lesson


class EmbeddableLessonAdmin(LessonAdmin):
    fieldsets = [
        *LessonAdmin.fieldsets,
        (_("Embedding"), {"fields": ["embed_code"]}),
    ]
    readonly_fields = [*LessonAdmin.readonly_fields, "embed_code"]

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


# lessons comes before embeds in INSTALLED_APPS, so its admin is registered by now.
admin.site.unregister(Lesson)
admin.site.register(Lesson, EmbeddableLessonAdmin)
