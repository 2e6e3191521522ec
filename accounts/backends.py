"""Who is signed in, read from a copy in the shared cache.

Every request of a signed-in user loads their account; Django's ModelBackend reads it from
the database each time, one of the few queries an answer needs. Here a copy in the cache
serves it. The copy is deleted whenever the account is saved or deleted, so what Django
checks against the session on every request (the password's hash, being active) is never
older than the account: a changed password still signs out every other session at its
next request. A copy that could not be deleted (the cache away) is never read again
(quizsite.cache.Copies), and none lives longer than COPY_TIMEOUT.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from quizsite.cache import Copies

COPY_TIMEOUT = 10 * 60  # seconds

copies = Copies(cache, longest=COPY_TIMEOUT)


def copy_key(user_id) -> str:
    return f"user:{user_id}"


class CachedUserBackend(ModelBackend):
    def get_user(self, user_id):
        key = copy_key(user_id)
        user = copies.get(key)
        if user is None:
            user = super().get_user(user_id)  # None unless active
            if user is not None:
                copies.set(key, user)
            return user
        return user if self.user_can_authenticate(user) else None


@receiver([post_save, post_delete], sender=get_user_model())
def account_changed(sender, instance, **kwargs):
    # Now, and again once the change commits: a request in between may have copied the
    # account as it was before.
    copies.delete(copy_key(instance.pk))
    transaction.on_commit(lambda: copies.delete(copy_key(instance.pk)))
