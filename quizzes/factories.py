from decimal import Decimal

import factory

from accounts.factories import UserFactory
from lessons.factories import LessonFactory, SectionFactory
from quizzes import kinds
from quizzes.models import Attempt, Choice, Question, Quiz


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz
        skip_postgeneration_save = True  # owners are a relation, set after the save

    lesson = factory.SubFactory(LessonFactory)
    title = factory.Sequence(lambda n: f"Quiz {n}")
    slug = factory.Sequence(lambda n: f"quiz-{n}")

    @factory.post_generation
    def owners(self, create, extracted, **kwargs):
        """`owners=[teacher]`: who may change it; none by default, as the shipped quizzes."""
        if create and extracted:
            self.owners.set(extracted)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A single-choice question; `choices=[("text", True), ...]` sets its options."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    quiz = factory.SubFactory(QuizFactory)
    key = factory.Sequence(lambda n: f"question-{n}")
    position = factory.Sequence(lambda n: n + 1)
    kind = factory.LazyFunction(kinds.default)
    prompt = factory.Sequence(lambda n: f"Which answer is right for question {n}?")
    explanation = "Because the lesson says so."
    evidence = factory.SubFactory(SectionFactory, lesson=factory.SelfAttribute("..quiz.lesson"))
    points = Decimal(1)

    @factory.post_generation
    def choices(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = self.kind_rules.example_choices()
        for position, (text, is_correct, *match) in enumerate(extracted or [], 1):
            ChoiceFactory(
                question=self,
                position=position,
                text=text,
                is_correct=is_correct,
                match_text=match[0] if match else "",
            )


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Choice {n}")


class AttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attempt

    quiz = factory.SubFactory(QuizFactory)
    user = factory.SubFactory(UserFactory)
    max_score = factory.LazyAttribute(lambda attempt: attempt.quiz.max_score)
