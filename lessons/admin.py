from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lessons.models import Lesson, Section
from quizsite.admin_pages import ListTitleMixin


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    # Each text beside its Chinese version.
    fields = [("position", "anchor"), ("heading", "heading_zh"), ("body", "body_zh")]


@admin.register(Lesson)
class LessonAdmin(ListTitleMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "source_outlet"]
    search_fields = ["title", "title_zh", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": [("title", "title_zh"), "slug", ("summary", "summary_zh")]}),
        (_("Source"), {"fields": ["source_title", "source_author", "source_outlet", "source_url"]}),
    ]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(ListTitleMixin, admin.ModelAdmin):
    list_display = ["heading", "lesson", "position", "anchor"]
    list_filter = ["lesson"]
    search_fields = ["heading", "heading_zh", "body"]
    list_select_related = ["lesson"]
