import factory

from lessons.models import Lesson, Section


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"Lesson {n}")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    source_title = "Who is making waves in China-U.S. space collaboration?"
    source_author = "Wu Lei"
    source_outlet = "CGTN"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    lesson = factory.SubFactory(LessonFactory)
    position = factory.Sequence(lambda n: n + 1)
    anchor = factory.Sequence(lambda n: f"section-{n}")
    heading = factory.Sequence(lambda n: f"Section {n}")
    body = factory.Faker("paragraph")
