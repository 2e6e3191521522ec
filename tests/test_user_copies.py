"""The signed-in account comes from a copy in the cache (accounts/backends.py), and the
copy never outlives a change to the account: a new password or a deactivated account still
signs every other session out at its next request."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "orbit-old-password-1"


@pytest.fixture
def local_cache(settings):
    """A cache that isn't the database, so queries and cache reads are told apart."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.SESSION_ENGINE = "quizsite.sessions"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def user_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    table = get_user_model()._meta.db_table
    return [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]


def test_a_signed_in_request_reads_the_account_from_the_cache(local_cache):
    client = signed_in(UserFactory(username="ada"))
    assert len(user_queries(client)) == 1  # the first fills the copy
    assert user_queries(client) == []


def test_a_new_password_signs_the_other_sessions_out_though_they_were_copied(local_cache):
    ada = UserFactory(username="ada", password=PASSWORD)
    laptop, phone = signed_in(ada), signed_in(ada)
    assert phone.get("/dashboard/").status_code == 200  # the copy is made
    changed = laptop.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "orbit-new-password-2",
            "new_password2": "orbit-new-password-2",
        },
    )
    assert changed.status_code == 302
    assert laptop.get("/dashboard/").status_code == 200  # the session that changed it stays in
    assert phone.get("/dashboard/").status_code == 302  # the other one is asked to sign in


def test_a_deactivated_account_is_signed_out(local_cache):
    ada = UserFactory(username="ada")
    client = signed_in(ada)
    assert client.get("/dashboard/").status_code == 200
    ada.is_active = False
    ada.save()
    assert client.get("/dashboard/").status_code == 302
