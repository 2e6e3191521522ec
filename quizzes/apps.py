from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Quizzes and scores")

    def ready(self):
        from quizzes import content_cache  # noqa: F401 - connects its signal receivers
