from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lessons.bilingual import Bilingual
from lessons.markdown import SECTION_MAX_LENGTH, SUMMARY_MAX_LENGTH, MaxMarkdownLength


class LessonManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Lesson(Bilingual, models.Model):
    title = models.CharField(_("title"), max_length=200)
    # db_default: rows written by code older than these fields (a deploy in progress, an old
    # migration's state) get no Chinese rather than an error.
    title_zh = models.CharField(_("title in Chinese"), max_length=200, blank=True, db_default="")
    slug = models.SlugField(
        _("web address"),
        unique=True,
        help_text=_("The end of the lesson's address, /lessons/…/: letters, numbers and dashes."),
    )
    summary = models.TextField(
        _("summary"), blank=True, validators=[MaxMarkdownLength(SUMMARY_MAX_LENGTH)]
    )
    summary_zh = models.TextField(
        _("summary in Chinese"),
        blank=True,
        db_default="",
        validators=[MaxMarkdownLength(SUMMARY_MAX_LENGTH)],
    )
    source_title = models.CharField(_("source title"), max_length=300)
    source_author = models.CharField(_("source author"), max_length=200)
    source_outlet = models.CharField(_("source outlet"), max_length=200)
    source_url = models.URLField(_("source URL"), blank=True)

    objects = LessonManager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("lessons:lesson_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def practice_quiz(self):
        return self.quizzes.filter(is_practice=True).first()


class SectionManager(models.Manager):
    def get_by_natural_key(self, lesson_slug, anchor):
        return self.get(lesson__slug=lesson_slug, anchor=anchor)


class Section(Bilingual, models.Model):
    """A short passage of a lesson; its anchor is what questions cite as evidence."""

    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="sections", verbose_name=_("lesson")
    )
    position = models.PositiveSmallIntegerField(
        _("order in the lesson"), help_text=_("Lower numbers come first.")
    )
    anchor = models.SlugField(
        _("link name"),
        help_text=_(
            "Names the section in links to it (/lessons/…/#this-name); questions cite it as "
            "evidence. Changing it breaks links that others saved."
        ),
    )
    heading = models.CharField(_("heading"), max_length=200)
    heading_zh = models.CharField(
        _("heading in Chinese"), max_length=200, blank=True, db_default=""
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Markdown: a blank line starts a paragraph; *emphasis*, **bold**, lists and links "
            "work. Any other HTML is removed."
        ),
        validators=[MaxMarkdownLength(SECTION_MAX_LENGTH)],
    )
    body_zh = models.TextField(
        _("body in Chinese"),
        blank=True,
        db_default="",
        help_text=_("Empty: Chinese pages show the English."),
        validators=[MaxMarkdownLength(SECTION_MAX_LENGTH)],
    )

    objects = SectionManager()

    class Meta:
        ordering = ["lesson", "position"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "anchor"], name="section_anchor_unique"),
            models.UniqueConstraint(fields=["lesson", "position"], name="section_position_unique"),
        ]

    def __str__(self):
        return f"{self.lesson} § {self.heading}"

    def get_absolute_url(self):
        return f"{self.lesson.get_absolute_url()}#{self.anchor}"

    def natural_key(self):
        return (self.lesson.slug, self.anchor)

    natural_key.dependencies = ["lessons.lesson"]


def glossary_terms(body: str) -> list[tuple[str, str]]:
    """A glossary or timeline ("Term: text" in every paragraph, or "Term：text" in Chinese)
    as pairs; else empty."""
    pairs = [paragraph.replace("：", ": ", 1).partition(": ") for paragraph in body.split("\n\n")]
    if len(pairs) < 2 or not all(sep and 0 < len(term) <= 60 for term, sep, _ in pairs):
        return []
    return [(term.strip(), text.strip()) for term, _sep, text in pairs]
