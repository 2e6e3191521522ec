"""Lessons and their practice quiz inside other sites' iframes.

Browsers block or partition third-party cookies in iframes, so nothing here relies on
the session or the CSRF cookie: a practice attempt is reached through a signed,
expiring embed token (embeds/tokens.py) that every form carries in a hidden field and,
for htmx, in a header. Since the token may not go in a URL, each POST answers with the
page (or with htmx, the practice panel) drawn again with a fresh token, not a redirect.
"""

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from embeds import snippets, tokens
from lessons.models import Lesson
from quizsite import ratelimit
from quizzes import content_cache, scoring, screens
from quizzes.forms import read_answer
from quizzes.models import AlreadyAnswered, Attempt, AttemptClosed
from quizzes.practice import remember_practice_attempt

TOKEN_FIELD = "embed_token"
TOKEN_HEADER = "X-Embed-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class Refusal(Exception):
    """A request an embed can't serve, and what to tell the student."""

    def __init__(self, message, status=400, lesson=None, retry_after=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.lesson = lesson  # set when starting the lesson's quiz again would help
        self.retry_after = retry_after  # seconds, for a rate limit's 429


def embed_view(view):
    """Every embed view wears this: frameable by the allowed sites, error pages included.

    Embed views are csrf_exempt because Django's CSRF check needs a cookie, which an
    iframe on another site may not keep. Forgery is stopped another way: an unsafe
    request must come from our own pages (Sec-Fetch-Site, or Origin where a browser
    sends no fetch metadata) and carry a signed embed token, which only our pages hand
    out and which opens nothing but one anonymous practice attempt.
    """

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        choose_language(request)
        try:
            if request.method not in SAFE_METHODS:
                check_same_origin(request)
            return view(request, *args, **kwargs)
        except Http404:
            refusal = Refusal(
                _("There is no lesson at this address. It may have been renamed or removed."),
                status=404,
            )
        except Refusal as error:
            refusal = error
        return render_refusal(request, refusal)

    @functools.wraps(view)
    def framed(request, *args, **kwargs):
        # Read per request (not once at import), so the setting can change under tests.
        policy = {**settings.SECURE_CSP, "frame-ancestors": settings.EMBED_FRAME_ANCESTORS}
        return csp_override(policy)(guarded)(request, *args, **kwargs)

    return csrf_exempt(xframe_options_exempt(framed))


def choose_language(request):
    """The language the embed's switch (or the embedding page's address) chose, as `lang`:
    a frame may keep no cookie, so every address the embed's pages send to carries it on
    (`lang_query`). Without it, the browser's language, as LocaleMiddleware found it."""
    chosen = request.POST.get("lang") or request.GET.get("lang")
    request.lang_query = ""
    if chosen in dict(settings.LANGUAGES):
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        request.lang_query = "?" + urlencode({"lang": chosen})


def check_same_origin(request):
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site is not None:
        # "none": the student's own doing (a reload that posts again), not another site's.
        allowed = site in {"same-origin", "none"}
    elif origin is not None:
        allowed = origin in {snippets.site_origin(request), *settings.CSRF_TRUSTED_ORIGINS}
    else:
        allowed = True  # not a browser, so no student's browser to abuse; the token still counts
    if not allowed:
        raise Refusal(
            _(
                "This answer was sent from another website, so it was refused. "
                "Answer inside the quiz itself."
            ),
            status=403,
        )


def render_refusal(request, refusal):
    template = "embeds/embed_error.html"
    if request.htmx:
        template += "#practice-panel"
    context = {
        "message": refusal.message,
        "lesson": refusal.lesson,
        "lang_query": request.lang_query,
    }
    response = render(request, template, context, status=refusal.status)
    patch_vary_headers(response, ["HX-Request"])
    if refusal.retry_after:
        response["Retry-After"] = str(refusal.retry_after)
    return response


def get_lesson(slug) -> Lesson:
    return get_object_or_404(Lesson.objects.prefetch_related("sections"), slug=slug)


def practice_attempt(request, lesson) -> Attempt:
    """The anonymous practice attempt on this lesson that the request's embed token names."""
    token = request.headers.get(TOKEN_HEADER) or request.POST.get(TOKEN_FIELD, "")
    try:
        public_id = tokens.read_token(token)
    except tokens.ExpiredToken:
        hours = settings.EMBED_TOKEN_MAX_AGE // 3600
        message = _(
            "This practice quiz has expired: it stays open for %(hours)s hours after your "
            "last answer. Start again to try it afresh."
        ) % {"hours": hours}
        raise Refusal(message, lesson=lesson) from None
    except tokens.BadToken:
        message = _(
            "This practice quiz can't continue: its embed token is missing or has been "
            "changed. Start again to try it afresh."
        )
        raise Refusal(message, lesson=lesson) from None
    attempt = (
        Attempt.objects.filter(user=None, assignment=None, quiz__is_practice=True)
        .filter(quiz__lesson=lesson, public_id=public_id)
        .select_related("quiz")
        .first()
    )
    if attempt is None:
        message = _("This practice attempt no longer exists. Start again to try the quiz afresh.")
        raise Refusal(message, status=404, lesson=lesson)
    return attempt


def render_practice(request, lesson, attempt=None, number=None, error="", status=200):
    """The embed page, or with htmx only its practice panel, as the attempt now stands."""
    quiz = attempt.quiz if attempt else lesson.practice_quiz
    context = {
        "lesson": lesson,
        "quiz": quiz,
        "attempt": attempt,
        "error": error,
        "lang_query": request.lang_query,
    }
    if attempt is None and quiz is not None:
        context["question_count"] = quiz.questions.current().count()
        context["lesson_url"] = request.build_absolute_uri(lesson.get_absolute_url())
    elif attempt is not None:
        context["token"] = tokens.make_token(attempt.public_id)
        context["token_header"] = TOKEN_HEADER
        if attempt.is_submitted:
            context["rows"] = screens.results_rows(attempt)
        else:
            context |= screens.question_screen_at(attempt, number)
    template = "embeds/lesson_embed.html"
    if request.htmx:
        template += "#practice-panel"
    return render(request, template, context, status=status)


def posted_number(request):
    try:
        return int(request.POST.get("number", ""))
    except ValueError:
        return None


@embed_view
@require_http_methods(["GET", "POST"])
def lesson_embed(request, slug):
    """The lesson and its practice quiz. The language switch posts here, with the embed
    token and question number once the quiz has started, so the student stays where they
    were (the token may not go in a URL)."""
    lesson = get_lesson(slug)
    if request.method == "POST" and request.POST.get(TOKEN_FIELD):
        attempt = practice_attempt(request, lesson)
        return render_practice(request, lesson, attempt, posted_number(request))
    return render_practice(request, lesson)


@embed_view
@require_POST
@vary_on_headers("HX-Request")
def practice_start(request, slug):
    lesson = get_lesson(slug)
    quiz = lesson.practice_quiz
    if quiz is None or not quiz.questions.current().exists():
        raise Refusal(_("This lesson has no practice quiz yet."), status=404)
    # Each start is a new row, made by anyone: each address may make only so many.
    slots = ratelimit.take((ratelimit.PRACTICE_PER_IP, ratelimit.client_ip(request)))
    if block := slots.block:
        raise Refusal(block.message, status=429, retry_after=block.retry_after)
    attempt = Attempt.objects.create(quiz=quiz, max_score=quiz.max_score)
    return render_practice(request, lesson, attempt, number=1)


@embed_view
@require_POST
@vary_on_headers("HX-Request")
def practice_answer(request, slug):
    lesson = get_lesson(slug)
    attempt = practice_attempt(request, lesson)
    if attempt.is_submitted:
        return finished_reply(request, lesson, attempt)
    number = posted_number(request)
    _question_ids, question = content_cache.question_at(attempt, number or 0)
    if question is None:
        raise Refusal(_("That question is not part of this quiz."), lesson=lesson)
    error, status = "", 200
    try:
        # The first answer stands, checked under the attempt's lock (two tabs at once).
        attempt.save_answer(question, read_answer(attempt, question, request.POST), first_only=True)
    except AlreadyAnswered:
        error, status = _("You have already answered this question."), 409
    except scoring.InvalidAnswer as invalid:
        error, status = _(str(invalid)), 400
    except AttemptClosed:  # finished in another tab meanwhile
        attempt.refresh_from_db()
        return finished_reply(request, lesson, attempt)
    return render_practice(request, lesson, attempt, number, error, status)


def finished_reply(request, lesson, attempt):
    error = _("This attempt is finished, so answers can no longer change.")
    return render_practice(request, lesson, attempt, error=error, status=409)


@embed_view
@require_POST
@vary_on_headers("HX-Request")
def practice_question(request, slug):
    lesson = get_lesson(slug)
    attempt = practice_attempt(request, lesson)
    return render_practice(request, lesson, attempt, posted_number(request))


@embed_view
@require_POST
@vary_on_headers("HX-Request")
def practice_finish(request, slug):
    lesson = get_lesson(slug)
    attempt = practice_attempt(request, lesson)
    attempt.submit()
    return render_practice(request, lesson, attempt)


@embed_view
@require_POST
def practice_continue(request, slug):
    """Carry on with the embedded attempt in a tab of its own.

    The token may not go in a URL, so the embed posts it here from a form with
    target="_blank". In its own tab the site is first-party and cookies work: the
    attempt joins this browser's session like a practice attempt started on the site,
    and the normal attempt pages take over where the student was.
    """
    attempt = practice_attempt(request, get_lesson(slug))
    remember_practice_attempt(request, attempt)
    response = redirect(attempt.get_absolute_url())
    if request.lang_query:  # the tab goes on in the language the embed was switched to
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            request.LANGUAGE_CODE,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@embed_view
def embed_not_found(request, path=""):
    raise Http404(path)


@require_GET
def oembed(request):
    """oEmbed provider (https://oembed.com/) for lesson pages: a "rich" response."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse(
            "Only format=json is available.", status=501, content_type="text/plain; charset=utf-8"
        )
    url = request.GET.get("url", "")
    if not url:
        return HttpResponseBadRequest(
            "The url parameter is required.", content_type="text/plain; charset=utf-8"
        )
    lesson = lesson_at(request, url)
    origin = snippets.site_origin(request)
    width = size_within(request.GET.get("maxwidth"), snippets.WIDTH)
    height = size_within(request.GET.get("maxheight"), snippets.HEIGHT)
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": lesson.title,
            "provider_name": "Orbit Quiz",
            "provider_url": f"{origin}/",
            "cache_age": 24 * 60 * 60,
            "html": snippets.embed_code(lesson, origin, width, height),
            "width": width,
            "height": height,
        }
    )


def lesson_at(request, url) -> Lesson:
    """The lesson whose page (or embed) is at this URL on this site; 404 for anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:  # such as "http://[::1", an unclosed IPv6 address
        raise Http404("Not a page of this site.") from None
    if parts.scheme not in {"http", "https"} or parts.netloc != request.get_host():
        raise Http404("Not a page of this site.")
    try:
        match = resolve(parts.path)
    except Resolver404:
        raise Http404("Not a lesson page.") from None
    if match.view_name not in {"lessons:lesson_detail", "embeds:lesson_embed"}:
        raise Http404("Not a lesson page.")
    return get_object_or_404(Lesson, slug=match.kwargs["slug"])


def size_within(limit, default: int) -> int:
    """oEmbed's maxwidth/maxheight: the default size, or less if the consumer asks."""
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        return default
    return min(default, limit) if limit > 0 else default
