import factory

from accounts.factories import UserFactory
from classrooms.models import Assignment, Classroom, Enrollment, Override
from quizzes.factories import QuizFactory


class ClassroomFactory(factory.django.DjangoModelFactory):
    """A class; `teachers=[user, ...]` sets who teaches it."""

    class Meta:
        model = Classroom
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Class {n}")

    @factory.post_generation
    def teachers(self, create, extracted, **kwargs):
        if create and extracted:
            self.teachers.set(extracted)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    classroom = factory.SubFactory(ClassroomFactory)
    student = factory.SubFactory(UserFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    classroom = factory.SubFactory(ClassroomFactory)
    quiz = factory.SubFactory(QuizFactory)


class OverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Override

    assignment = factory.SubFactory(AssignmentFactory)
    student = factory.SubFactory(UserFactory)
