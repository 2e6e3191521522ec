from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from quizzes import scoring
from quizzes.forms import read_answer
from quizzes.models import Attempt, Quiz

PRACTICE_SESSION_KEY = "practice_attempts"


def own_attempts(request):
    """Attempts this visitor may open: their own, plus anonymous practice ones in their session."""
    practice_ids = request.session.get(PRACTICE_SESSION_KEY, [])
    mine = Q(user=None, public_id__in=practice_ids)
    if request.user.is_authenticated:
        mine |= Q(user=request.user)
    return Attempt.objects.filter(mine).select_related("quiz__lesson")


@require_GET
def quiz_detail(request, slug):
    quiz = get_object_or_404(Quiz.objects.select_related("lesson"), slug=slug)
    in_progress = own_attempts(request).filter(quiz=quiz).in_progress().first()
    return render(
        request,
        "quizzes/quiz_detail.html",
        {"quiz": quiz, "in_progress": in_progress, "question_count": quiz.questions.count()},
    )


@require_POST
def quiz_start(request, slug):
    quiz = get_object_or_404(Quiz, slug=slug)
    if not quiz.is_practice and not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={quiz.get_absolute_url()}")
    attempt = own_attempts(request).filter(quiz=quiz).in_progress().first()
    if attempt is None:
        user = request.user if request.user.is_authenticated else None
        attempt = Attempt.objects.create(quiz=quiz, user=user, max_score=quiz.max_score)
        if user is None:
            request.session[PRACTICE_SESSION_KEY] = [
                *request.session.get(PRACTICE_SESSION_KEY, [])[-20:],
                str(attempt.public_id),
            ]
    return redirect(attempt.get_absolute_url())


@require_GET
def attempt_detail(request, public_id):
    """Submitted: the results. Otherwise: resume at the first unanswered question."""
    attempt = get_object_or_404(own_attempts(request), public_id=public_id)
    if attempt.is_submitted:
        return redirect("quizzes:attempt_results", public_id=attempt.public_id)
    return redirect(attempt_question_url(attempt, attempt.resume_number()))


def attempt_question_url(attempt, number):
    return reverse("quizzes:attempt_question", args=[attempt.public_id, number])


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def attempt_question(request, public_id, number):
    attempt = get_object_or_404(own_attempts(request), public_id=public_id)
    if attempt.is_submitted:
        if request.method == "POST":
            return HttpResponse(
                _("This attempt was already submitted; answers can no longer change."), status=409
            )
        return redirect("quizzes:attempt_results", public_id=attempt.public_id)
    questions = list(attempt.questions())
    if not 1 <= number <= len(questions):
        return redirect(attempt_question_url(attempt, attempt.resume_number()))
    question = questions[number - 1]
    response = attempt.responses.filter(question=question).first()
    error = ""
    status = 200
    if request.method == "POST":
        if response is not None:
            error = _("You have already answered this question.")
            status = 409
        else:
            try:
                response = attempt.save_answer(question, read_answer(question, request.POST))
            except scoring.InvalidAnswer as invalid:
                error = _(str(invalid))
                status = 400
            if not request.htmx and status == 200:
                return redirect(attempt_question_url(attempt, number))
    answered = attempt.responses.count()
    context = {
        "attempt": attempt,
        "question": question,
        "number": number,
        "total": len(questions),
        "response": response,
        "error": error,
        "answered": answered,
        "unanswered": len(questions) - answered,
        "view": question_view(attempt, question, response, number, reveal=response is not None),
    }
    template = "quizzes/attempt_question.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#question-panel"
    return render(request, template, context, status=status)


def question_view(attempt, question, response, number, reveal=False):
    """What _question_fields.html needs: choices in this attempt's order, the saved answer."""
    choices = attempt.shuffled(question, question.choices.all())
    answer = response.answer if response else None
    ordered = answer if question.kind == question.Kind.ORDERING and answer else []
    places = {choice_id: place for place, choice_id in enumerate(ordered, 1)}
    matched = answer if isinstance(answer, dict) else {}
    return {
        "number": number,
        "choices": choices,
        "chosen": set(answer) if isinstance(answer, list) else {answer},
        "text": answer if isinstance(answer, str) else "",
        "place_numbers": range(1, len(choices) + 1),
        "places": [
            {"choice": c, "place": places.get(c.pk, shown)} for shown, c in enumerate(choices, 1)
        ],
        "pairs": [{"choice": c, "matched": matched.get(str(c.pk))} for c in choices if c.match_text],
        # Right-hand items in their own order, so rows don't line up with their answers.
        "match_targets": sorted(
            (c for c in choices if c.match_text), key=lambda c: c.match_text.casefold()
        ),
        "reveal": reveal,
        "answer_text": question.answer_display(answer) if response else "",
        "key_text": question.key_display() if reveal else "",
    }


@require_POST
def attempt_submit(request, public_id):
    attempt = get_object_or_404(own_attempts(request), public_id=public_id)
    if not attempt.submit():
        messages.info(request, _("This attempt was already submitted."))
    url = reverse("quizzes:attempt_results", args=[attempt.public_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
def attempt_results(request, public_id):
    attempt = get_object_or_404(own_attempts(request), public_id=public_id)
    if not attempt.is_submitted:
        return redirect(attempt.get_absolute_url())
    responses = {r.question_id: r for r in attempt.responses.all()}
    rows = [
        {
            "question": question,
            "response": responses.get(question.pk),
            "answer_text": question.answer_display(responses[question.pk].answer)
            if question.pk in responses
            else "",
        }
        for question in attempt.questions()
    ]
    return render(request, "quizzes/attempt_results.html", {"attempt": attempt, "rows": rows})


@login_required
@require_GET
def my_attempts(request):
    attempts = Attempt.objects.filter(user=request.user).select_related("quiz__lesson")
    return render(request, "quizzes/attempt_list.html", {"attempts": attempts})
