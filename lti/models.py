"""What links this app to an LMS's courses. django-lti (lti_tool) keeps the LTI side: the
platforms registered, their deployments, users, courses (contexts), activities (resource
links) and the tool's own keys. These models say what each stands for here."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TICKET_LIFETIME = timedelta(minutes=2)


class Course(models.Model):
    """An LMS course (its LTI context) and the class that stands for it here."""

    context = models.OneToOneField(
        "lti_tool.LtiContext", on_delete=models.CASCADE, related_name="course"
    )
    classroom = models.OneToOneField(
        "classrooms.Classroom", on_delete=models.CASCADE, related_name="lms_course"
    )

    class Meta:
        verbose_name = _("LMS course")
        verbose_name_plural = _("LMS courses")

    def __str__(self):
        return str(self.classroom)


class Activity(models.Model):
    """An activity of an LMS course (its LTI resource link): the quiz it assigns to the
    course's class, and where its grades go (the launch's Assignment and Grade Services
    claim: the line item, and what the platform lets the tool do)."""

    resource_link = models.OneToOneField(
        "lti_tool.LtiResourceLink", on_delete=models.CASCADE, related_name="activity"
    )
    assignment = models.OneToOneField(
        "classrooms.Assignment", on_delete=models.CASCADE, related_name="lms_activity"
    )
    registration = models.ForeignKey("lti_tool.LtiRegistration", on_delete=models.CASCADE)
    grade_service = models.JSONField(_("grade service"), default=dict, blank=True)

    class Meta:
        verbose_name = _("LMS activity")
        verbose_name_plural = _("LMS activities")

    def __str__(self):
        return str(self.assignment)


class LaunchTicketQuerySet(models.QuerySet):
    def redeem(self, ticket_id) -> "LaunchTicket | None":
        """The ticket, used up by this call: None when it is unknown, used or too old. One
        UPDATE checks and uses it, so two tabs can't both sign in with it."""
        fresh = timezone.now() - TICKET_LIFETIME
        tickets = self.filter(pk=ticket_id, used_at=None, created_at__gt=fresh)
        if not tickets.update(used_at=timezone.now()):
            return None
        return self.select_related("user", "activity__assignment").get(pk=ticket_id)


class LaunchTicket(models.Model):
    """A student's launch handed on to a tab of its own, where this site's cookies work
    (an LMS frame may keep none): one use, within two minutes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = LaunchTicketQuerySet.as_manager()

    def __str__(self):
        return f"{self.user} → {self.activity}"


class UsedLaunch(models.Model):
    """The nonce of every launch taken, so a launch sent again (replayed) is refused. A
    launch's token lives minutes: rows older than a day are of no more use."""

    issuer = models.CharField(max_length=255)
    nonce = models.CharField(max_length=255)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "nonce"], name="launch_used_once")]

    def __str__(self):
        return self.nonce
