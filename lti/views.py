"""This app as an LTI 1.3 tool: the platform starts a login (OIDC), sends the launch, and
the tool answers with a page that fits in the LMS's frame.

An LMS shows tools in a frame, where the browser may keep no cookie of this site. The
login's state, which ties the launch to the browser that began the login, is kept in a
cookie when the frame may keep one (static/js/lti-login.js checks first), or else in the
LMS's own storage (LTI's platform storage: the `lti_storage_target` postMessage flow),
which the launch's page reads back before going on (static/js/lti-launch.js). With
neither, the login offers a tab of its own, where cookies work.

In the frame, a student's quiz is cookie-free like the embed's: each form carries a signed
token naming the attempt (embeds/tokens.py). In a tab of its own, the student is signed in
with a one-use ticket and takes the quiz on the site's own pages.
"""

import functools
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import jwt
from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget
from lti_tool.models import Key, LtiLaunch, LtiRegistration
from lti_tool.utils import DjangoToolConfig, sync_data_from_launch
from lti_tool.views import LtiLaunchBaseView, OIDCLoginInitView
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.cookie import DjangoCookieService
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from classrooms.views import open_attempt
from embeds import tokens
from embeds.views import TOKEN_FIELD, TOKEN_HEADER, Refusal, check_same_origin
from lti import launches, tasks
from lti.models import LaunchTicket, UsedLaunch
from quizzes import content_cache, scoring, screens
from quizzes.forms import read_answer
from quizzes.models import AlreadyAnswered, Attempt, AttemptClosed, Quiz

DEEP_LINK_SALT = "lti.deep-link"
DEEP_LINK_MAX_AGE = 30 * 60  # seconds a teacher may take to choose
ATTEMPT_SALT = "lti.attempt"  # the frame's attempt tokens: no embed's token opens them
STATE_COOKIE = "lti1p3-{}"  # pylti1p3's cookie for the login's state


def framed(view):
    """A page an LMS shows in its frame, whatever its address; a page whose form answers
    the LMS names where it posts (`response.posts_to`)."""

    @functools.wraps(view)
    def in_frame(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        policy = {**settings.SECURE_CSP, "frame-ancestors": settings.LTI_FRAME_ANCESTORS}
        if getattr(response, "posts_to", None):
            policy["form-action"] = [CSP.SELF, response.posts_to]
        return csp_override(policy)(lambda request: response)(request)

    return xframe_options_exempt(in_frame)


def gradable_quizzes():
    """The quizzes an LMS activity may be: not a lesson's practice quiz, whose answers
    anyone may see (classrooms.Assignment.clean refuses it to classes too)."""
    return Quiz.objects.filter(is_practice=False)


def refused(request, message, status=400):
    """A launch refused, with why, in words a teacher can act on."""
    return render(request, "lti/refused.html", {"message": message}, status=status)


def tool_key() -> Key:
    """The tool's signing key: made on first use; `manage.py rotate_keys` replaces it."""
    return Key.objects.active().order_by("-datetime_created").first() or Key.objects.generate()


class LaunchStorage(DjangoCacheDataStorage):
    """pylti1p3's cache, without its session cookie in the keys: the launch must find the
    login's nonce in a frame that keeps no cookie. (A nonce serves one launch: UsedLaunch.)"""

    def get_session_cookie_name(self):
        return None


class StateCheckedLaunch(DjangoMessageLaunch):
    """A launch whose state the browser checked in the LMS's storage (lti-launch.js), there
    being no cookie for the server to check it by."""

    state_checked_in_browser = False

    def validate_state(self):
        if self.state_checked_in_browser:
            return self
        return super().validate_state()


def origin_of(url) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@require_GET
def jwks(request):
    tool_key()
    return JsonResponse(Key.objects.as_jwks())


@method_decorator(framed, name="dispatch")
class Login(OIDCLoginInitView):
    def get_oidc_response(self, request, registration_uuid, params):
        target = params.get("target_link_uri")
        if not target:
            return refused(request, _("The LMS sent no target_link_uri with the login."))
        tool_key()
        cookies = DjangoCookieService(DjangoRequest(request))
        login_request = DjangoOIDCLogin(
            request,
            DjangoToolConfig(registration_uuid),
            cookie_service=cookies,
            launch_data_storage=LaunchStorage(),
        )
        try:
            redirect = login_request.get_redirect_object(target)
        except (LtiException, OIDCException) as error:
            return refused(
                request, _("This LMS is not registered here: %(error)s") % {"error": error}
            )
        platform_url = redirect.get_redirect_url()
        storage_target = params.get("lti_storage_target", "")
        if storage_target:
            platform_url += "&" + urlencode({"lti_storage_target": storage_target})
        in_frame = request.headers.get("Sec-Fetch-Dest") == "iframe"
        if in_frame and not params.get("lti1p3_new_window"):
            # The script keeps the state where the frame can (a cookie, or else the LMS's
            # storage) before going on; if nowhere, the student opens the same login in a
            # tab of its own.
            new_tab = f"{request.path}?{params.urlencode()}&lti1p3_new_window=1"
            context = {
                "platform_url": platform_url,
                "new_tab": new_tab,
                "storage_target": storage_target,
                "storage_origin": origin_of(platform_url),
            }
            response = render(request, "lti/login.html", context)
        else:
            response = HttpResponseRedirect(platform_url)
        cookies.update_response(response)  # the login's state
        return response


@method_decorator(framed, name="dispatch")
class Launch(LtiLaunchBaseView):
    def post(self, request, *args, **kwargs):
        state = request.POST.get("state", "")
        storage_target = request.POST.get("lti_storage_target")
        checked_in_browser = request.POST.get("lti_state_checked") == "1"
        if (
            storage_target
            and not checked_in_browser
            and not request.COOKIES.get(STATE_COOKIE.format(state))
        ):
            return check_state_in_browser(request, storage_target)
        if checked_in_browser and request.headers.get("Sec-Fetch-Site") != "same-origin":
            # Only lti-launch.js, on this site's own page, says the state was checked.
            return refused(request, _("This launch was refused: it did not come from the LMS."))
        message = StateCheckedLaunch(
            request, DjangoToolConfig(), launch_data_storage=LaunchStorage()
        )
        message.state_checked_in_browser = checked_in_browser
        try:
            lti_launch = LtiLaunch(message.validate())
            sync_data_from_launch(lti_launch)
            self.launch_setup(request, lti_launch)
        except LtiException as error:
            return refused(request, _("This launch was refused: %(error)s") % {"error": error})
        if not lti_launch.deployment.is_active:
            return self.handle_inactive_deployment(request, lti_launch)
        if lti_launch.is_deep_link_launch:
            return self.handle_deep_linking_launch(request, lti_launch)
        if lti_launch.is_resource_launch:
            return self.handle_resource_launch(request, lti_launch)
        return refused(request, _("Orbit Quiz opens activities and adds them, nothing else."))

    def launch_setup(self, request, lti_launch):
        """Each launch is taken once: the same token posted again is refused."""
        issuer, nonce = lti_launch.get_claim("iss"), lti_launch.get_claim("nonce")
        try:
            with transaction.atomic():
                UsedLaunch.objects.create(issuer=issuer, nonce=nonce)
        except IntegrityError:
            raise LtiException("this launch was used already") from None
        UsedLaunch.objects.filter(used_at__lt=timezone.now() - timedelta(days=1)).delete()

    def handle_inactive_deployment(self, request, lti_launch):
        return refused(
            request,
            _(
                "This LMS deployment (%(deployment)s) is not active here yet: an administrator "
                "of Orbit Quiz turns it on under LTI registrations."
            )
            % {"deployment": lti_launch.deployment.deployment_id},
            status=403,
        )

    def handle_resource_launch(self, request, lti_launch):
        slug = lti_launch.get_custom_claim("quiz")
        quiz = gradable_quizzes().filter(slug=slug).first() if slug else None
        if quiz is None:
            return refused(
                request,
                _(
                    "This activity names no quiz of Orbit Quiz. Add it again from the LMS with "
                    "the Orbit Quiz picker, or give it the custom parameter quiz=<quiz address>."
                ),
            )
        user = launches.linked_user(lti_launch)
        instructor = launches.is_instructor(lti_launch)
        course = launches.course_of(lti_launch)
        activity = launches.activity_of(lti_launch, quiz, course)
        launches.join(course, user, instructor)
        if instructor:
            if course.context.memberships_url:
                tasks.sync_roster.enqueue(course.pk)
            return render(
                request,
                "lti/instructor.html",
                {"activity": activity, "quiz": quiz, "course": course},
            )
        if request.headers.get("Sec-Fetch-Dest") != "iframe":  # a window of its own
            ticket = LaunchTicket.objects.create(user=user, activity=activity)
            return HttpResponseRedirect(reverse("lti:continue", args=[ticket.pk]))
        attempt, refusal = activity.assignment.open_attempt_for(user)
        if attempt is not None:
            return render_attempt(request, attempt)
        # No new attempt (all used, or closed): why, above the latest results, if any.
        latest = (
            activity.assignment.attempts.filter(user=user)
            .submitted()
            .order_by("-submitted_at")
            .first()
        )
        if latest is None:
            return refused(request, refusal, status=403)
        return render_attempt(request, latest, error=refusal)

    def handle_deep_linking_launch(self, request, lti_launch):
        if not launches.is_instructor(lti_launch):
            return refused(request, _("Only the course's teachers add activities."), status=403)
        message = lti_launch.get_message_launch()
        settings_claim = message._get_jwt_body().get(
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
        )
        # What the choice needs to answer the platform, signed: the frame may keep no
        # session, so the page carries it.
        picking = signing.dumps(
            {
                "registration": lti_launch.registration.pk,
                "deployment": lti_launch.deployment.deployment_id,
                "settings": settings_claim,
            },
            salt=DEEP_LINK_SALT,
        )
        quizzes = gradable_quizzes().select_related("lesson").order_by("lesson__title", "position")
        return render(request, "lti/pick.html", {"quizzes": quizzes, "picking": picking})


def check_state_in_browser(request, storage_target):
    """A launch in a frame that kept no cookie, from an LMS that kept the login's state in
    its storage: a page whose script (lti-launch.js) reads the state back from there and,
    if it is this launch's, posts the launch again to this site, saying so."""
    try:
        claims = jwt.decode(request.POST.get("id_token", ""), options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return refused(request, _("This launch was refused: its token can't be read."))
    audience = claims.get("aud")
    client_id = audience[0] if isinstance(audience, list) and audience else audience
    registration = (
        LtiRegistration.objects.active()
        .filter(issuer=claims.get("iss"), client_id=client_id)
        .first()
    )
    if registration is None:
        return refused(request, _("This LMS is not registered here."))
    context = {
        "fields": {
            "id_token": request.POST["id_token"],
            "state": request.POST.get("state", ""),
            "lti_storage_target": storage_target,
            "lti_state_checked": "1",
        },
        "storage_target": storage_target,
        "storage_origin": origin_of(registration.auth_url),
    }
    return render(request, "lti/check_state.html", context)


@framed
@require_POST
def deep_link(request):
    """The teacher's choice, answered to the platform as a signed deep-linking response."""
    try:
        picking = signing.loads(
            request.POST.get("picking", ""), salt=DEEP_LINK_SALT, max_age=DEEP_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return refused(
            request, _("This choice took too long or was changed: add the activity again.")
        )
    quiz = gradable_quizzes().filter(slug=request.POST.get("quiz")).first()
    if quiz is None:
        return refused(request, _("Choose one of the quizzes listed."))
    registration = LtiRegistration.objects.active().get(pk=picking["registration"])
    tool_key()
    resource = (
        DeepLinkResource()
        .set_title(quiz.title)
        .set_url(request.build_absolute_uri(reverse("lti:launch")))
        .set_custom_params({"quiz": quiz.slug})
        .set_lineitem(LineItem().set_label(quiz.title).set_score_maximum(float(quiz.max_score)))
    )
    link = DeepLink(registration.to_registration(), picking["deployment"], picking["settings"])
    return_url = picking["settings"]["deep_link_return_url"]
    response = render(
        request,
        "lti/deep_link_return.html",
        {"return_url": return_url, "jwt": link.get_response_jwt([resource]), "quiz": quiz},
    )
    response.posts_to = origin_of(return_url)
    return response


@require_GET
def continue_launch(request, ticket):
    """A student's launch, in a tab of its own: signed in, on their attempt."""
    ticket = LaunchTicket.objects.redeem(ticket)
    if ticket is None:
        return refused(
            request,
            _(
                "This link was used already or is too old. Open the activity again from your "
                "course."
            ),
            status=403,
        )
    login(request, ticket.user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return open_attempt(request, ticket.activity.assignment)


# The quiz in the LMS's frame: cookie-free, like the embed's practice quiz (embeds/views.py).
# Each form carries the attempt's token, and every answer is a POST from this site's page.


def render_attempt(request, attempt, number=None, *, error="", status=200, saved=False):
    """The quiz page in the frame, or with htmx its panel: the question at `number` (where
    the student left off without one), the submit step (`number` "finish"), or once
    submitted the results, as the assignment's review shows them."""
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "error": error,
        "saved": saved,
        "token": tokens.make_token(attempt.public_id, salt=ATTEMPT_SALT),
        "token_header": TOKEN_HEADER,
    }
    if attempt.is_submitted:
        context["rows"] = screens.results_rows(attempt)
    elif number == "finish":
        question_ids = content_cache.question_at(attempt, 1)[0]
        responses = {r.question_id: r for r in attempt.responses.all()}
        context |= screens.progress(attempt, question_ids, 0, responses)
        context["finishing"] = True
    else:
        if not saved:
            attempt.mark_seen()  # time on a question counts from here
        context |= screens.question_screen_at(attempt, number)
    template = "lti/attempt.html"
    if request.htmx:
        template += "#attempt-panel"
    return render(request, template, context, status=status)


def attempt_in_frame(view):
    """A view of the frame's quiz: the attempt its token names, the forms' only key (the
    views are csrf_exempt: the frame may keep no CSRF cookie). As with the embed, a POST
    must come from this site's own page."""

    @functools.wraps(view)
    def guarded(request):
        try:
            check_same_origin(request)
            token = request.headers.get(TOKEN_HEADER) or request.POST.get(TOKEN_FIELD, "")
            try:
                public_id = tokens.read_token(token, salt=ATTEMPT_SALT)
            except tokens.BadToken:
                raise Refusal(
                    _(
                        "This page of the quiz is too old or was changed, so this was not "
                        "saved. Open the activity again from your course: your saved answers "
                        "are kept."
                    ),
                    status=403,
                ) from None
            attempt = (
                Attempt.objects.select_related("quiz", "assignment")
                .filter(public_id=public_id, assignment__lms_activity__isnull=False)
                .first()
            )
            if attempt is None:
                raise Refusal(_("This attempt no longer exists."), status=404)
            attempt.close_if_expired()
            return view(request, attempt)
        except Refusal as refusal:
            context = {"message": refusal.message}
            if not request.htmx:
                return render(request, "lti/refused.html", context, status=refusal.status)
            # Said above the question, which stays as it was: what the student typed there
            # is still on screen, to copy into the activity opened again.
            reply = render(request, "lti/attempt.html#refusal", context, status=refusal.status)
            return reswap(retarget(reply, "#frame-message"), "innerHTML")

    return csrf_exempt(framed(require_POST(vary_on_headers("HX-Request")(guarded))))


def as_number(value):
    """A question's number as posted, "finish" for the submit step, or None."""
    if value == "finish":
        return value
    try:
        return int(value)
    except ValueError:
        return None


CONTROL_FIELDS = {TOKEN_FIELD, "number", "go", "lang"}


@attempt_in_frame
def attempt_question(request, attempt):
    return render_attempt(request, attempt, as_number(request.POST.get("number", "")))


@attempt_in_frame
def attempt_answer(request, attempt):
    """Save the answer on screen, then show the question (or the submit step) that `go`
    names; without `go`, the same question, with its feedback if the assignment gives it at
    once. Going on with nothing entered saves nothing: a blank is not an answer."""
    number = as_number(request.POST.get("number", ""))
    go = as_number(request.POST.get("go", ""))
    if attempt.is_submitted:
        return render_attempt(request, attempt, error=screens.closed_message(attempt), status=409)
    question = content_cache.question_at(attempt, number)[1] if isinstance(number, int) else None
    if question is None:
        return render_attempt(
            request, attempt, error=_("That question is not part of this quiz."), status=400
        )
    entered = any(
        value.strip()
        for name, values in request.POST.lists()
        if name not in CONTROL_FIELDS
        for value in values
    )
    if go and not entered:
        return render_attempt(request, attempt, go)
    try:
        attempt.save_answer(
            question,
            read_answer(attempt, question, request.POST),
            first_only=attempt.feedback_is_immediate,
        )
    except scoring.InvalidAnswer as invalid:
        return render_attempt(request, attempt, number, error=_(str(invalid)), status=400)
    except AlreadyAnswered:
        error = _("You have already answered this question.")
        return render_attempt(request, attempt, number, error=error, status=409)
    except AttemptClosed:
        attempt.refresh_from_db()
        attempt.close_if_expired()
        return render_attempt(request, attempt, error=screens.closed_message(attempt), status=409)
    if go:
        return render_attempt(request, attempt, go)
    return render_attempt(request, attempt, number, saved=True)


@attempt_in_frame
def attempt_submit(request, attempt):
    """Submit for grading: the LMS gets the grade from the worker (lti.tasks)."""
    attempt.submit()
    return render_attempt(request, attempt)
