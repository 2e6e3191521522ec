from django.contrib import admin

from lessons.models import Lesson, Section


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = [("position", "anchor"), "heading", "body"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "source_outlet"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary"]}),
        ("Source", {"fields": ["source_title", "source_author", "source_outlet", "source_url"]}),
    ]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["heading", "lesson", "position", "anchor"]
    list_filter = ["lesson"]
    search_fields = ["heading", "body"]
    list_select_related = ["lesson"]
