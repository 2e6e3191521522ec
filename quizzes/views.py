import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from quizsite import ratelimit
from quizsite.htmx import HtmxHttpRequest
from quizzes import content_cache, scoring, screens
from quizzes.forms import read_answer
from quizzes.models import AlreadyAnswered, Attempt, AttemptClosed, Quiz
from quizzes.practice import remember_practice_attempt, remembered_practice_ids


def own_attempts(request):
    """Attempts this visitor may open: their own, plus anonymous practice ones in their session."""
    mine = Q(user=None, public_id__in=remembered_practice_ids(request))
    if request.user.is_authenticated:
        mine |= Q(user=request.user)
    return Attempt.objects.filter(mine).select_related("quiz__lesson", "assignment")


class SignedOut(Exception):
    """A visitor who isn't signed in asked for an attempt that isn't one of their session's
    practice attempts: most likely their own, after their session ended."""


def get_own_attempt(request, public_id) -> Attempt:
    try:
        attempt = own_attempts(request).get(public_id=public_id)
    except Attempt.DoesNotExist:
        if not request.user.is_authenticated:
            raise SignedOut from None
        raise Http404(_("No such attempt.")) from None
    attempt.close_if_expired()
    return attempt


def sign_in_to_continue(view):
    """For views of one attempt: a signed-out visitor is asked to sign in and is brought
    back, where a signed-in one who isn't the owner gets 404. A page that was open when its
    session ended must not take a 404 for "saved"; and since every attempt id (or none)
    answers a signed-out visitor alike, this tells nobody which ids exist."""

    @functools.wraps(view)
    def wrapped(request, public_id, **kwargs):
        try:
            return view(request, public_id, **kwargs)
        except SignedOut:
            return signed_out_reply(request, public_id, kwargs.get("number"))

    return wrapped


def signed_out_reply(request: HtmxHttpRequest, public_id, number=None):
    """The login page with `next` back to where the student was: for htmx, a 401 carrying
    the status line that says so (the page keeps the unsaved answers until then)."""
    if request.method == "GET":
        back = request.get_full_path()
    elif number is not None:
        back = reverse("quizzes:attempt_question", args=[public_id, number])
    else:
        back = reverse("quizzes:attempt_summary", args=[public_id])
    login = redirect_to_login(back)
    if request.htmx and not request.htmx.history_restore_request:
        context = {"login_url": login["Location"]}
        return render(request, "quizzes/attempt_question.html#signed-out", context, status=401)
    return login


# Answers posted without JavaScript by a signed-out browser wait in its session for the
# attempt's own student to sign in again. A few, small: a real answer is one question's
# fields (an essay is at most 10,000 characters), and anyone can post here.
STASH_SESSION_KEY = "unsaved_answers"
STASH_KEEP = 5
STASH_MAX_CHARS = 50_000


def stash_answer(request, public_id, number):
    fields = [
        [name, value]
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]
    if sum(len(name) + len(value) for name, value in fields) > STASH_MAX_CHARS:
        return
    key = f"{public_id}:{number}"
    stash = {k: v for k, v in request.session.get(STASH_SESSION_KEY, {}).items() if k != key}
    stash[key] = fields
    request.session[STASH_SESSION_KEY] = dict(list(stash.items())[-STASH_KEEP:])
    messages.info(
        request, _("You were signed out, so your answer is not saved yet. Sign in to save it.")
    )


def take_stashed_answer(request, attempt, number) -> QueryDict | None:
    """The answer stash_answer kept for this question, as its POST was, if this is the
    attempt's own student; it is taken out either way it goes."""
    stash = request.session.get(STASH_SESSION_KEY)
    key = f"{attempt.public_id}:{number}"
    mine = request.user.is_authenticated and attempt.user_id == request.user.pk
    if not mine or not stash or key not in stash:
        return None
    posted = QueryDict(mutable=True)
    for name, value in stash.pop(key):
        posted.appendlist(name, value)
    request.session[STASH_SESSION_KEY] = stash
    return posted


@require_GET
def quiz_detail(request, slug):
    quiz = get_object_or_404(Quiz.objects.select_related("lesson"), slug=slug)
    in_progress = own_attempts(request).filter(quiz=quiz, assignment=None).in_progress().first()
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "in_progress": in_progress,
            "question_count": quiz.questions.current().count(),
        },
    )


@require_POST
def quiz_start(request, slug):
    """A practice attempt, open to anyone. Other quizzes are taken through assignments:
    trying them with feedback first would show the answers before the graded attempt."""
    quiz = get_object_or_404(Quiz, slug=slug)
    if not quiz.is_practice:
        raise PermissionDenied(
            _("This quiz is taken when a teacher assigns it: find it under My quizzes.")
        )
    attempt = own_attempts(request).filter(quiz=quiz, assignment=None).in_progress().first()
    if attempt is None:
        user = request.user if request.user.is_authenticated else None
        if user is None:  # anyone may make these rows, so each address may make only so many
            slots = ratelimit.take((ratelimit.PRACTICE_PER_IP, ratelimit.client_ip(request)))
            if block := slots.block:
                context = {
                    "quiz": quiz,
                    "question_count": quiz.questions.current().count(),
                    "limit_message": block.message,
                }
                response = render(request, "quizzes/quiz_detail.html", context)
                return ratelimit.refuse(response, block)
        attempt = Attempt.objects.create(quiz=quiz, user=user, max_score=quiz.max_score)
        if user is None:
            remember_practice_attempt(request, attempt)
    return redirect(attempt.get_absolute_url())


@require_GET
@sign_in_to_continue
def attempt_detail(request, public_id):
    """Submitted: the results. Otherwise: resume at the first unanswered question."""
    attempt = get_own_attempt(request, public_id)
    if attempt.is_submitted:
        return redirect("quizzes:attempt_results", public_id=attempt.public_id)
    return redirect(attempt_question_url(attempt, attempt.resume_number()))


def attempt_question_url(attempt, number):
    return reverse("quizzes:attempt_question", args=[attempt.public_id, number])


def reload_closed(attempt):
    """The attempt as it is now that it refused a change: submitted, or past its deadline."""
    attempt.refresh_from_db()
    attempt.close_if_expired()
    return attempt


def closed_attempt_reply(request: HtmxHttpRequest, attempt):
    """Answers to a submitted attempt change nothing; say why and show the results."""
    message = screens.closed_message(attempt)
    if request.method == "GET":
        return redirect("quizzes:attempt_results", public_id=attempt.public_id)
    template = "quizzes/attempt_closed.html"
    if request.htmx:
        template += "#closed-message"
    response = render(request, template, {"attempt": attempt, "message": message}, status=409)
    if request.htmx:
        # Leave the question screen: the results are the only place left to go.
        reswap(retarget(response, "#main"), "innerHTML")
    return response


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@sign_in_to_continue
def attempt_question(request: HtmxHttpRequest, public_id, number):
    """One question of an attempt; a POST answers it.

    The save protocol (static/js/quiz.js keeps to it): an autosave carries the header
    `X-Answer-Revision: <n>`, and a reply that stored the answer echoes it in
    `X-Answer-Saved` (`1` when none was sent), set only once the answer's transaction has
    committed. Only a 2xx reply with that echo means "saved"; a signed-out browser gets
    401 (with htmx) or the login page, after which its answer is saved (stash_answer)."""
    try:
        attempt = get_own_attempt(request, public_id)
    except SignedOut:
        if request.method == "POST" and not request.htmx:
            stash_answer(request, public_id, number)
        raise
    if attempt.is_submitted:
        return closed_attempt_reply(request, attempt)
    # Only the question on screen is loaded in full; the navigator needs just the ids.
    question_ids, question = content_cache.question_at(attempt, number)
    if question is None:
        if request.method == "POST":
            raise Http404(_("This attempt has no question %(number)s.") % {"number": number})
        return redirect(attempt_question_url(attempt, attempt.resume_number()))
    response, error, status, saved = None, "", 200, False

    # A POST, or the answer this student posted while signed out, replayed once signed in.
    posted = (
        request.POST if request.method == "POST" else take_stashed_answer(request, attempt, number)
    )
    if posted is not None:
        try:
            response = attempt.save_answer(
                question,
                read_answer(attempt, question, posted),
                first_only=attempt.feedback_is_immediate,
            )
            saved = True
        except scoring.InvalidAnswer as invalid:
            error, status = _(str(invalid)), 400
        except AlreadyAnswered:  # another tab's answer got in first: show its feedback
            error, status = _("You have already answered this question."), 409
        except AttemptClosed:
            return closed_attempt_reply(request, reload_closed(attempt))
        if not request.htmx and saved:
            if "next" in posted and number < len(question_ids):
                number += 1
            elif "summary" in posted:
                return redirect("quizzes:attempt_summary", public_id=attempt.public_id)
            return redirect(attempt_question_url(attempt, number))
    else:
        attempt.mark_seen()

    template = "quizzes/attempt_question.html"
    if request.htmx and not request.htmx.history_restore_request:
        # Autosaves (deferred feedback) update the status around the form, never the
        # inputs the student is typing in; checked answers replace the whole screen.
        if request.method == "POST" and not attempt.feedback_is_immediate:
            if saved:  # the answer's upsert counted the others: no need to read them
                responses = {question.pk: response}
                answered = response.answered_elsewhere + 1
            else:
                responses = {r.question_id: r for r in attempt.responses.all()}
                answered = None
            context = screens.progress(
                attempt,
                question_ids,
                number,
                responses,
                attempt_question_url,
                current_only=True,
                answered=answered,
            )
            context.update(error=error, saved=saved, response=responses.get(question.pk))
            reply = render(request, template + "#autosave-result", context, status=status)
            return acknowledge(request, reply, saved)
        template += "#attempt-screen"
    responses = {r.question_id: r for r in attempt.responses.all()}
    context = screens.question_screen(
        attempt, question_ids, question, number, responses, attempt_question_url
    )
    context.update(error=error, saved=saved)
    return acknowledge(request, render(request, template, context, status=status), saved)


def acknowledge(request, reply, saved):
    """Echo the answer's revision once it is stored: save_answer's transaction has committed
    by now (no request runs inside one: ATOMIC_REQUESTS is off)."""
    if saved:
        reply["X-Answer-Saved"] = request.headers.get("X-Answer-Revision", "1")
    return reply


@require_POST
@vary_on_headers("HX-Request")
@sign_in_to_continue
def attempt_flag(request: HtmxHttpRequest, public_id, number):
    attempt = get_own_attempt(request, public_id)
    if attempt.is_submitted:
        return closed_attempt_reply(request, attempt)
    question_ids, question = content_cache.question_at(attempt, number)
    if question is None:
        raise Http404(_("This attempt has no question %(number)s.") % {"number": number})
    try:
        attempt.toggle_flag(question)
    except AttemptClosed:
        return closed_attempt_reply(request, reload_closed(attempt))
    if not request.htmx:
        return redirect(attempt_question_url(attempt, number))
    responses = {r.question_id: r for r in attempt.responses.all()}
    context = screens.progress(
        attempt, question_ids, number, responses, attempt_question_url, current_only=True
    )
    context["response"] = responses[question.pk]
    return render(request, "quizzes/attempt_question.html#flag-result", context)


@require_GET
@sign_in_to_continue
def attempt_summary(request, public_id):
    attempt = get_own_attempt(request, public_id)
    if attempt.is_submitted:
        return redirect("quizzes:attempt_results", public_id=attempt.public_id)
    responses = {r.question_id: r for r in attempt.responses.all()}
    questions = attempt.shown_questions().prefetch_related("choices")
    rows = [
        {"number": n, "question": q.translated(), "response": responses.get(q.pk)}
        for n, q in enumerate(questions, 1)
    ]
    unanswered = sum(1 for row in rows if not (row["response"] and row["response"].is_answered))
    return render(
        request,
        "quizzes/attempt_summary.html",
        {"attempt": attempt, "rows": rows, "unanswered": unanswered},
    )


@require_POST
@sign_in_to_continue
def attempt_submit(request: HtmxHttpRequest, public_id):
    attempt = get_own_attempt(request, public_id)
    if not attempt.submit():
        messages.info(request, _("This attempt was already submitted."))
    url = reverse("quizzes:attempt_results", args=[attempt.public_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
@sign_in_to_continue
def attempt_results(request, public_id):
    attempt = get_own_attempt(request, public_id)
    if not attempt.is_submitted:
        return redirect(attempt.get_absolute_url())
    context = {"attempt": attempt, "rows": screens.results_rows(attempt)}
    return render(request, "quizzes/attempt_results.html", context)


@login_required
@require_GET
def my_attempts(request):
    Attempt.objects.filter(user=request.user).close_expired()
    attempts = Attempt.objects.filter(user=request.user).select_related("quiz__lesson")
    return render(request, "quizzes/attempt_list.html", {"attempts": attempts})
