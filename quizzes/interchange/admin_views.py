"""The quiz admin's pages for bringing questions in and taking them out.

Importing shows the report first and writes nothing; the report page carries the file's
text back in its form, and "Create these questions" has the worker read it again (a file of
hundreds of questions takes seconds), so what is written is what that reading says, never
a plan the browser sends.
"""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from background.models import Task
from quizsite.admin_pages import admin_context, admin_object
from quizzes import tasks
from quizzes.interchange import report
from quizzes.interchange.forms import ImportForm

CONTENT_TYPES = {"gift": "text/plain", "moodlexml": "application/xml"}
EXTENSIONS = {"gift": "gift.txt", "moodlexml": "xml"}


@require_http_methods(["GET", "POST"])
def import_questions(request, model_admin, object_id):
    quiz = admin_object(request, model_admin, object_id, change=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    found = None
    if request.method == "POST" and form.is_valid():
        text, format = form.cleaned_data["text"], form.cleaned_data["format"]
        if "_apply" in request.POST:
            # Written by the worker, which reads the text again: what the report said.
            task = Task.start(
                tasks.import_questions,
                title=_("Import questions into “%(quiz)s”") % {"quiz": quiz},
                by=request.user,
                arguments={"quiz": quiz.pk, "text": text, "format": format},
                next_url=reverse("admin:quizzes_quiz_change", args=[quiz.pk]),
                next_label=_("Back to the quiz"),
            )
            model_admin.log_change(request, quiz, _("Started importing questions"))
            return redirect("admin:background_task_change", task.pk)
        try:
            found = report.plan(text, quiz, request.user, format)
        except report.ImportRefused as error:
            form.add_error(None, str(error))
        else:
            # The report page sends the same text again, in the format it was read as.
            form = ImportForm(initial={"text": text, "format": found.format})
    context = {
        **admin_context(request, model_admin, _("Import questions"), quiz),
        "quiz": quiz,
        "form": form,
        "report": found,
    }
    return TemplateResponse(request, "admin/quizzes/quiz/import.html", context)


@require_http_methods(["GET"])
def export_questions(request, model_admin, object_id):
    quiz = admin_object(request, model_admin, object_id)
    format = request.GET.get("format", "gift")
    if format not in EXTENSIONS:
        format = "gift"
    return download([quiz], format)


def download(quizzes, format: str) -> HttpResponse:
    text, _left_out = report.export(quizzes, format)  # the GIFT file names what it leaves out
    name = slugify(quizzes[0].slug) if len(quizzes) == 1 else "quizzes"
    response = HttpResponse(text, content_type=f"{CONTENT_TYPES[format]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{EXTENSIONS[format]}"'
    return response
