"""An LMS for the tests, built on lti1p3platform (a Python LTI 1.3 platform from PyPI, written
by others), with keys of its own. What a tool calls on a platform runs in a real HTTP server
on 127.0.0.1: its key set, its access tokens, its line items and their scores."""

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.registration import Registration

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


def new_key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class PlatformConfig(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs):
        return self._registration


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data, **kwargs):
        return launch_data


class Platform:
    """One LMS with one tool registered: `tool` is where the tool's pages are."""

    def __init__(self, tool="http://testserver", client_id="orbit-quiz", deployment="1"):
        self.scores, self.lineitems, self.tokens_given = [], [], 0
        self.members = []  # the course's roster, as its Names and Role service lists it
        self.scores_refused = 0  # how many scores to answer with an error first (LMS down)
        # The course page's activity (course_page): who opens it, and its custom parameters.
        self.activity = {"user": "s-1", "roles": [LEARNER], "custom": {}}
        # Whether the course page offers LTI's platform storage, in a frame of this name.
        self.storage_target = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.private_key, self.public_key = new_key_pair()
        self.tool, self.client_id, self.deployment = tool, client_id, deployment
        self.registration = self.make_registration()

    def make_registration(self, **changes) -> Registration:
        values = {
            "client_id": self.client_id,
            "deployment_id": self.deployment,
            "platform_private_key": self.private_key,
            **changes,
        }
        return (
            Registration()
            .set_iss(self.url)
            .set_client_id(values["client_id"])
            .set_deployment_id(values["deployment_id"])
            .set_launch_url(f"{self.tool}/lti/launch/")
            .set_deeplink_launch_url(f"{self.tool}/lti/launch/")
            .set_platform_public_key(self.public_key)
            .set_platform_private_key(values["platform_private_key"])
        )

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # --- what a teacher pastes into the tool's admin ---------------------------------
    def register_in_tool(self, active=True):
        from lti_tool.models import LtiDeployment, LtiRegistration

        registration = LtiRegistration.objects.create(
            name="Test LMS",
            issuer=self.url,
            client_id=self.client_id,
            auth_url=f"{self.url}/auth",
            token_url=f"{self.url}/token",
            keyset_url=f"{self.url}/jwks",
        )
        LtiDeployment.objects.create(
            registration=registration, deployment_id=self.deployment, is_active=active
        )
        return registration

    def trust_tool(self, jwks: dict):
        """The tool's key set, as the platform reads it at the tool's JWKS address."""
        self.registration.set_tool_key_set(jwks)

    # --- a launch, as the platform's pages make one ----------------------------------
    def login_url(self, tool_login: str, user: str, hint="resource") -> str:
        query = {
            "iss": self.url,
            "login_hint": user,
            "target_link_uri": f"{self.tool}/lti/launch/",
            "lti_message_hint": hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment,
        }
        if self.storage_target:
            query["lti_storage_target"] = self.storage_target
        return f"{tool_login}?{urlencode(query)}"

    def launch_data(self, preflight_url, user, roles, **options):
        """The form the platform posts to the tool, answering the tool's login redirect
        (its address: `answer_login`, which takes the options)."""
        preflight = {k: v[0] for k, v in parse_qs(urlsplit(preflight_url).query).items()}
        return self.answer_login(preflight, user, roles, **options)

    def answer_login(
        self,
        preflight,
        user,
        roles,
        *,
        custom=None,
        signed_as=None,
        deep_link=False,
        claims=None,
        column=True,
    ):
        launch = Launch(
            SimpleNamespace(get_data=preflight, form_data={}),
            PlatformConfig(registration=signed_as or self.registration),
        )
        launch.set_user_data(user, roles, full_name=f"Student {user}")
        launch.set_launch_context_claim("course-1", context_title="Space science, year 10")
        launch.set_resource_link_claim("link-1", title="Wolf Amendment quiz")
        launch.set_launch_presentation_claim(document_target="iframe")
        if custom:
            launch.set_custom_parameters_claim(custom)
        launch.set_nrps(context_memberships_url=f"{self.url}/memberships")
        launch.set_ags(
            lineitems_url=f"{self.url}/lineitems",
            # column=False: the LMS made no gradebook column for the activity
            lineitem_url=f"{self.url}/lineitems/1" if column else None,
        )
        if claims:  # claims that differ from what the platform would send (a forgery)
            launch.set_extra_claims(claims)
        if deep_link:
            launch.set_dl(deep_link_return_url=f"{self.url}/deep-link-return")
        data = launch.lti_launch()
        return {"state": data["state"], "id_token": data["id_token"]}, data["launch_url"]


# The frame sized as the tool asks (LTI's lti.frameResize message, as Canvas answers it).
RESIZE_SCRIPT = """<script>
window.addEventListener("message", function (event) {
  if (event.data && event.data.subject === "lti.frameResize") {
    document.querySelector("iframe").height = event.data.height;
  }
});
</script>"""

# LTI's platform storage, as the 1EdTech "Client Side postMessages" specification describes
# it: the course page keeps values for the tools in its frames, each tool's (by origin) apart.
STORAGE_SCRIPT = """<script>
var kept = {};
window.addEventListener("message", function (event) {
  var data = event.data || {};
  var key = event.origin + " " + data.key;
  var reply = {subject: data.subject + ".response", message_id: data.message_id, key: data.key};
  if (data.subject === "lti.put_data") {
    kept[key] = reply.value = data.value;
  } else if (data.subject === "lti.get_data") {
    reply.value = kept[key];
  } else {
    return;
  }
  event.source.postMessage(reply, event.origin);
});
</script>"""


def handler_for(platform):
    config = PlatformConfig(registration=None)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, body, status=200):
            encoded = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def read(self):
            return self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()

        def authorised(self) -> bool:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            config._registration = platform.registration
            try:
                return config.validate_token(token)
            except Exception:  # noqa: BLE001 (any bad token is refused)
                return False

        def page(self, html):
            encoded = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def do_GET(self):
            path, _, query = self.path.partition("?")
            if path == "/course":  # the LMS's course page, the tool in its frame
                login = platform.login_url(f"{platform.tool}/lti/login/", platform.activity["user"])
                storage = STORAGE_SCRIPT if platform.storage_target == "_parent" else ""
                # Its listeners first, as an LMS's: the frame's messages may come at once.
                return self.page(
                    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                    f"<title>Space science, year 10</title>{RESIZE_SCRIPT}{storage}</head>"
                    "<body><main><h1>Space science, year 10</h1>"
                    f'<iframe title="Wolf Amendment quiz" src="{html.escape(login)}" '
                    'width="800" height="600"></iframe></main></body></html>'
                )
            if path == "/auth":  # the LMS's answer to the tool's login: the launch itself
                preflight = {k: v[0] for k, v in parse_qs(query).items()}
                form, action = platform.answer_login(
                    preflight,
                    platform.activity["user"],
                    platform.activity["roles"],
                    custom=platform.activity["custom"],
                )
                if "lti_storage_target" in preflight:
                    form["lti_storage_target"] = preflight["lti_storage_target"]
                fields = "".join(
                    f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
                    for name, value in form.items()
                )
                return self.page(
                    f'<!doctype html><form method="post" action="{html.escape(action)}">'
                    f"{fields}</form><script>document.forms[0].submit()</script>"
                )
            if self.path == "/jwks":
                return self.reply({"keys": platform.registration.get_jwks()})
            if self.path.startswith("/lineitems") and self.authorised():
                return self.reply(platform.lineitems)
            if self.path == "/memberships" and self.authorised():
                context = {"id": "course-1", "title": "Space science, year 10"}
                return self.reply(
                    {
                        "id": platform.url + self.path,
                        "context": context,
                        "members": platform.members,
                    }
                )
            return self.reply({"error": "not found"}, 404)

        def do_POST(self):
            body = self.read()
            if self.path == "/token":
                config._registration = platform.registration
                form = {k: v[0] for k, v in parse_qs(body).items()}
                platform.tokens_given += 1
                return self.reply(config.get_access_token(form))
            if not self.authorised():
                return self.reply({"error": "unauthorised"}, 401)
            if self.path == "/lineitems":
                item = {
                    **json.loads(body),
                    "id": f"{platform.url}/lineitems/{len(platform.lineitems) + 2}",
                }
                platform.lineitems.append(item)
                return self.reply(item, 201)
            if self.path.endswith("/scores") and platform.scores_refused:
                platform.scores_refused -= 1
                return self.reply({"error": "unavailable"}, 503)
            if self.path.endswith("/scores"):
                platform.scores.append(
                    {"lineitem": self.path.removesuffix("/scores"), **json.loads(body)}
                )
                return self.reply({}, 200)
            return self.reply({"error": "not found"}, 404)

    return Handler


def member(user_id, role, name, status="Active") -> dict:
    """One person of a course's roster, as a Names and Role service lists them."""
    return {"user_id": user_id, "roles": [role], "name": name, "status": status}
