"""Quiz questions in the shared cache (Redis, or the database's cache table).

Every answer a student saves needs its question, the question's choices and the quiz's
question order; teachers change them rarely. One cache read replaces three queries. An
assignment keeping older versions of questions changes what its attempts show, so copies
are per assignment, and a change of what it keeps outdates its quiz too.
Cached copies are named after the quiz's `content_version`, which every change to its
questions, choices or evidence replaces in the same transaction: the attempt's own query
reads the version, so no request can see a copy older than what the database says.
A copy never changes under its name, so each process also keeps the latest it read: the
question an answer needs then costs no round trip to the shared cache at all.
A cache that can't be reached is a miss: the question comes from the database.
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from lessons.models import Lesson, Section
from quizsite.cache import ProcessCopies
from quizzes import scoring
from quizzes.models import Attempt, Choice, Question, Quiz

TIMEOUT = 24 * 60 * 60  # outdated versions are never read again; let them expire
# A question with its choices pickles to a few kB: a few hundred questions of the quizzes
# being taken right now.
copies = ProcessCopies(size=500, longest=TIMEOUT)


def question_at(attempt: Attempt, number: int) -> tuple[list[int], Question | None]:
    """The attempt's question ids in order, and its `number`-th question (from 1) with
    choices, evidence and lesson loaded: None when it has no such question. The attempts
    of one assignment show the same versions (Attempt.questions), so they share copies."""
    quiz = attempt.quiz
    key = f"quiz:{quiz.pk}:v{quiz.content_version}:{attempt.assignment_id}:question:{number}"
    found = copies.get(key)
    if found is None:
        ids = list(attempt.shown_questions().values_list("pk", flat=True))
        if not 1 <= number <= len(ids):
            return ids, None  # not cached: any number can be typed into a URL
        question = Question.objects.for_feedback().get(pk=ids[number - 1])
        found = (ids, question)
        copies.set(key, found)
    return found


def outdate(quizzes):
    quizzes.update(content_version=scoring.new_seed())


@receiver([post_save, post_delete], sender=Question)
def question_changed(sender, instance, **kwargs):
    outdate(Quiz.objects.filter(pk=instance.quiz_id))


@receiver([post_save, post_delete], sender=Choice)
def choice_changed(sender, instance, **kwargs):
    outdate(Quiz.objects.filter(questions=instance.question_id))


@receiver(m2m_changed, sender=Question.also_cites.through)
def citations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        outdate(Quiz.objects.filter(pk=instance.quiz_id))
    elif action == "pre_clear":  # a section stops being cited by every question
        outdate(Quiz.objects.filter(questions__also_cites=instance))
    else:
        outdate(Quiz.objects.filter(questions__pk__in=pk_set))


@receiver([post_save, post_delete], sender=Section)
def evidence_changed(sender, instance, **kwargs):
    outdate(
        Quiz.objects.filter(Q(questions__evidence=instance) | Q(questions__also_cites=instance))
    )


@receiver(post_save, sender=Lesson)
def lesson_changed(sender, instance, **kwargs):
    outdate(Quiz.objects.filter(questions__evidence__lesson=instance))
