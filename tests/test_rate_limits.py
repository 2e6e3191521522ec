import uuid

import pytest
from django.contrib.auth import get_user_model

from classrooms.factories import ClassroomFactory
from classrooms.models import Enrollment
from quizsite import ratelimit
from quizzes.factories import UserFactory

# A moment at the start of an hour, so every window (15 minutes, an hour) starts there too.
START = 1_800_000_000 // 3600 * 3600


class Clock:
    def __init__(self):
        self.now = START

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(ratelimit, "clock", lambda: clock.now)
    # Counts from other tests must not leak in when the cache is Redis (it isn't rolled back).
    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"ratelimit-test-{uuid.uuid4()}")
    return clock


def log_in(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")  # password: "correct horse battery"


def test_five_failed_logins_lock_the_account_and_say_how_long_to_wait(client, alice):
    for _ in range(5):
        assert log_in(client, "alice", "wrong").status_code == 200

    response = log_in(client, "alice", "correct horse battery")

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "too many failed logins for this account" in response.text
    assert "Please wait 15 minutes and try again." in response.text
    assert 'value="alice"' in response.text  # the username stays; the password never shows
    assert "correct horse battery" not in response.text
    assert "_auth_user_id" not in client.session


def test_a_locked_account_can_log_in_once_the_wait_is_over(client, alice, clock):
    for _ in range(5):
        log_in(client, "alice", "wrong")
    clock.advance(14 * 60)
    locked = log_in(client, "alice", "correct horse battery")
    assert locked.status_code == 429
    assert "Please wait 1 minute and try again." in locked.text

    clock.advance(60)
    response = log_in(client, "alice", "correct horse battery")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_the_lock_is_per_account_not_per_spelling_or_per_ip(client, alice):
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"):
        log_in(client, "Alice", "wrong", REMOTE_ADDR=address)

    response = log_in(client, "alice", "correct horse battery", REMOTE_ADDR="10.0.0.6")

    assert response.status_code == 429


def test_another_account_from_the_same_ip_is_unaffected(client, alice):
    UserFactory(username="bob")
    for _ in range(5):
        log_in(client, "alice", "wrong")

    response = log_in(client, "bob", "correct horse battery")

    assert response.status_code == 302


def test_a_whole_class_logs_in_from_one_ip(client, db):
    students = [UserFactory(username=f"pupil{n}") for n in range(30)]
    for student in students:
        log_in(client, student.username, "typo")  # everyone mistypes once
        response = log_in(client, student.username, "correct horse battery")
        assert response.status_code == 302
        client.logout()


def test_hundreds_of_failures_from_one_ip_block_logins_from_it(client, alice):
    for _ in range(ratelimit.LOGIN_PER_IP.attempts):
        ratelimit.LOGIN_PER_IP.hit("203.0.113.9")

    blocked = log_in(client, "alice", "correct horse battery", REMOTE_ADDR="203.0.113.9")
    elsewhere = log_in(client, "alice", "correct horse battery", REMOTE_ADDR="198.51.100.7")

    assert blocked.status_code == 429
    assert "too many failed logins from your network" in blocked.text
    assert elsewhere.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_ip_limit(client, alice):
    for _ in range(ratelimit.LOGIN_PER_IP.attempts):
        ratelimit.LOGIN_PER_IP.hit("203.0.113.9")

    response = log_in(
        client,
        "alice",
        "correct horse battery",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="192.0.2.1",
    )

    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(ratelimit.LOGIN_PER_IP.attempts):
        ratelimit.LOGIN_PER_IP.hit("203.0.113.9")

    def via_proxy(forwarded_for):
        return log_in(
            client,
            "alice",
            "correct horse battery",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    # The client may prepend anything; only what our proxy appended is believed.
    assert via_proxy("192.0.2.1, 203.0.113.9").status_code == 429
    assert via_proxy("203.0.113.9, 198.51.100.7").status_code == 302


def test_ipv6_addresses_in_one_64_block_share_a_limit(client, alice):
    for _ in range(ratelimit.LOGIN_PER_IP.attempts):
        ratelimit.LOGIN_PER_IP.hit("2001:db8:1:2::/64")

    response = log_in(client, "alice", "correct horse battery", REMOTE_ADDR="2001:db8:1:2::abcd")

    assert response.status_code == 429


def test_htmx_logins_get_the_message_too(client, alice):
    for _ in range(5):
        log_in(client, "alice", "wrong")

    response = log_in(client, "alice", "correct horse battery", HTTP_HX_REQUEST="true")

    assert response.status_code == 429
    assert "Please wait 15 minutes" in response.text
    assert "<html" not in response.text
    assert 'id="login-form"' in response.text


def test_teacher_logins_in_the_admin_are_limited_too(client, teacher):
    for _ in range(5):
        client.post("/admin/login/", {"username": "teacher", "password": "wrong"})

    response = client.post(
        "/admin/login/", {"username": "teacher", "password": "correct horse battery"}
    )

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Please wait 15 minutes and try again." in response.text
    assert "_auth_user_id" not in client.session


def sign_up(client, username, **extra):
    return client.post(
        "/accounts/signup/",
        {
            "username": username,
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
        },
        **extra,
    )


def test_a_class_of_thirty_signs_up_from_one_ip(client, db):
    for n in range(30):
        assert sign_up(client, f"newpupil{n}").status_code == 302
        client.logout()

    assert get_user_model().objects.filter(username__startswith="newpupil").count() == 30


def test_sign_ups_beyond_the_ip_limit_are_refused_and_create_nobody(client, db, clock):
    for _ in range(ratelimit.SIGNUP_PER_IP.attempts):
        ratelimit.SIGNUP_PER_IP.hit("127.0.0.1")

    response = sign_up(client, "latecomer")

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "too many sign-ups from your network" in response.text
    assert "Please wait 60 minutes and try again." in response.text
    assert 'value="latecomer"' in response.text
    assert "a long pass phrase" not in response.text
    assert not get_user_model().objects.filter(username="latecomer").exists()

    clock.advance(3600)
    assert sign_up(client, "latecomer").status_code == 302


def test_htmx_sign_ups_get_the_message_too(client, db):
    for _ in range(ratelimit.SIGNUP_PER_IP.attempts):
        ratelimit.SIGNUP_PER_IP.hit("127.0.0.1")

    response = sign_up(client, "latecomer", HTTP_HX_REQUEST="true")

    assert response.status_code == 429
    assert "Please wait 60 minutes" in response.text
    assert "<html" not in response.text


def join(client, code, **extra):
    return client.post("/join/", {"code": code}, **extra)


def test_ten_wrong_join_codes_lock_joining_for_an_hour(student_client, student, clock):
    classroom = ClassroomFactory(join_code="K7MQ2DXP")
    for n in range(10):
        assert join(student_client, f"WRONG{n:03d}").status_code == 400

    locked = join(student_client, "k7mq-2dxp")

    assert locked.status_code == 429
    assert locked["Retry-After"] == "3600"
    assert "too many wrong join codes" in locked.text
    assert "Please wait 60 minutes and try again." in locked.text
    assert 'value="k7mq-2dxp"' in locked.text
    assert not Enrollment.objects.filter(student=student).exists()

    clock.advance(3600)
    assert join(student_client, "k7mq-2dxp").status_code == 302
    assert Enrollment.objects.filter(student=student, classroom=classroom).exists()


def test_one_students_wrong_codes_do_not_lock_classmates_out(client, db):
    classroom = ClassroomFactory(join_code="K7MQ2DXP")
    guesser, classmate = UserFactory(username="guesser"), UserFactory(username="classmate")
    client.force_login(guesser)
    for n in range(10):
        join(client, f"WRONG{n:03d}")

    client.force_login(classmate)
    response = join(client, "K7MQ2DXP")

    assert response.status_code == 302
    assert Enrollment.objects.filter(student=classmate, classroom=classroom).exists()


def test_joining_with_a_six_character_code_from_before_still_works(student_client, student):
    classroom = ClassroomFactory(join_code="K7MQ2D")

    assert join(student_client, "k7mq2d").status_code == 302
    assert Enrollment.objects.filter(student=student, classroom=classroom).exists()


def test_new_join_codes_have_eight_characters(db):
    assert len(ClassroomFactory().join_code) == 8


def test_htmx_joins_get_the_message_too(student_client):
    for n in range(10):
        join(student_client, f"WRONG{n:03d}")

    response = join(student_client, "K7MQ2DXP", HTTP_HX_REQUEST="true")

    assert response.status_code == 429
    assert "Please wait 60 minutes" in response.text
    assert 'id="join-form"' in response.text
    assert "<html" not in response.text
