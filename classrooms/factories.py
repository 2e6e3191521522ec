import factory
from django.contrib.auth.models import Group

from classrooms.models import Assignment, Classroom, Enrollment, Override
from quizzes.factories import QuizFactory, UserFactory


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


class TeacherFactory(UserFactory):
    """A staff user in the Teachers group (the data migration makes the group)."""

    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"teacher{n}")
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Teachers"))
