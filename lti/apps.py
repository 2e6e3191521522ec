from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = _("LMS courses (LTI 1.3)")

    def ready(self):
        from lti import tasks  # noqa: F401 (connects its signal)
