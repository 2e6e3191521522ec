"""This app as an LTI 1.3 tool: the platform starts a login (OIDC), sends the launch, and
the tool answers with a page that fits in the LMS's frame.

An LMS shows tools in a frame, where the browser may keep no cookie of this site. The
login's state cookie is checked by a script (static/js/lti-login.js) before the platform is
asked for the launch; without it, the login offers a new tab, where cookies work. A
student's launch then hands the quiz to a tab of its own with a one-use ticket, since the
quiz pages need the student signed in.
"""

import functools
from datetime import timedelta
from urllib.parse import urlsplit

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
from django.views.decorators.http import require_GET, require_POST
from lti_tool.models import Key, LtiRegistration
from lti_tool.utils import DjangoToolConfig
from lti_tool.views import LtiLaunchBaseView, OIDCLoginInitView
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoOIDCLogin
from pylti1p3.contrib.django.cookie import DjangoCookieService
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from classrooms.views import open_attempt
from lti import launches, tasks
from lti.models import LaunchTicket, UsedLaunch
from quizzes.models import Quiz

DEEP_LINK_SALT = "lti.deep-link"
DEEP_LINK_MAX_AGE = 30 * 60  # seconds a teacher may take to choose


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
            launch_data_storage=DjangoCacheDataStorage(),
        )
        try:
            redirect = login_request.get_redirect_object(target)
        except (LtiException, OIDCException) as error:
            return refused(
                request, _("This LMS is not registered here: %(error)s") % {"error": error}
            )
        platform_url = redirect.get_redirect_url()
        in_frame = request.headers.get("Sec-Fetch-Dest") == "iframe"
        if in_frame and not params.get("lti1p3_new_window"):
            # The script checks the frame may keep cookies before going on; if not, the
            # student opens the same login in a tab of its own.
            new_tab = f"{request.path}?{params.urlencode()}&lti1p3_new_window=1"
            response = render(
                request, "lti/login.html", {"platform_url": platform_url, "new_tab": new_tab}
            )
        else:
            response = HttpResponseRedirect(platform_url)
        cookies.update_response(response)  # the login's state
        return response


@method_decorator(framed, name="dispatch")
class Launch(LtiLaunchBaseView):
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except LtiException as error:
            return refused(request, _("This launch was refused: %(error)s") % {"error": error})

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
        ticket = LaunchTicket.objects.create(user=user, activity=activity)
        go_on = reverse("lti:continue", args=[ticket.pk])
        if request.headers.get("Sec-Fetch-Dest") != "iframe":  # a window of its own already
            return HttpResponseRedirect(go_on)
        return render(request, "lti/student.html", {"quiz": quiz, "go_on": go_on})

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
    parts = urlsplit(return_url)
    response.posts_to = f"{parts.scheme}://{parts.netloc}"
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
