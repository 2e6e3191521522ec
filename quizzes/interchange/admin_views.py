"""The quiz admin's pages for bringing questions in and taking them out.

Importing shows the report first and writes nothing; the report page carries the file's
text back in its form, and "Create these questions" reads it again on the server, so what is
written is what that reading says, never a plan the browser sends.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from quizsite.admin_pages import admin_context, admin_object
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
        try:
            if "_apply" in request.POST:
                found = report.apply(text, quiz, request.user, format)
            else:
                found = report.plan(text, quiz, request.user, format)
        except report.ImportRefused as error:
            form.add_error(None, str(error))
        else:
            if found.applied:
                count = len(found.created)
                model_admin.log_change(
                    request, quiz, _("Imported %(count)s questions") % {"count": count}
                )
                messages.success(
                    request,
                    ngettext(
                        "%(count)s question imported. Choose each one's evidence and level.",
                        "%(count)s questions imported. Choose each one's evidence and level.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("admin:quizzes_quiz_change", quiz.pk)
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
