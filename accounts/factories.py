import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.groups import TEACHERS_GROUP


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"student{n}")
    password = factory.django.Password("correct horse battery")


class TeacherFactory(UserFactory):
    """A staff user in the Teachers group (the data migration makes the group)."""

    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"teacher{n}")
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=TEACHERS_GROUP))
