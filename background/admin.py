"""Background tasks in the admin: each teacher sees the tasks they started, and a task's
page is its progress (htmx polls it; without JavaScript it reloads itself), then what it
did. Nobody adds, edits or deletes them here: pages that start work create them."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from background.models import Task
from quizsite.admin_pages import ListTitleMixin, admin_context, admin_object, short_time


@admin.register(Task)
class TaskAdmin(ListTitleMixin, admin.ModelAdmin):
    list_display = ["title", "status", "progress", "started", "started_by"]
    list_filter = ["status"]

    def get_queryset(self, request):
        tasks = super().get_queryset(request).select_related("started_by")
        return tasks if request.user.is_superuser else tasks.filter(started_by=request.user)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if request.user.is_superuser else [f for f in shown if f != "started_by"]

    # Every staff member sees their own tasks; nobody writes them here.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress(self, task):
        if task.is_counted:
            return f"{task.done} / {task.total}"
        return "—"

    @admin.display(description=_("started"), ordering="created_at")
    def started(self, task):
        return short_time(task.created_at)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        task = admin_object(request, self, object_id)
        context = admin_context(request, self, task.title, task, task=task)
        template = "admin/background/task/progress.html"
        if request.htmx:  # the poll: only the part that changes
            template += "#progress"
        response = TemplateResponse(request, template, context)
        add_never_cache_headers(response)
        return response
