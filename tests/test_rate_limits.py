import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from accounts.factories import UserFactory
from classrooms.factories import ClassroomFactory
from classrooms.models import Enrollment
from quizsite import ratelimit
from quizzes.models import Attempt

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


def use_up(limit, who):
    """As many attempts by `who` as `limit` allows, counted and kept (as failures are)."""
    for _ in range(limit.attempts):
        limit.take(who)


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
    assert "too many wrong passwords for this account" in response.text
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


def test_five_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(client, alice):
    for _ in range(5):
        log_in(client, "alice", "wrong", REMOTE_ADDR="203.0.113.9")

    from_the_guesser = log_in(client, "alice", "correct horse battery", REMOTE_ADDR="203.0.113.9")
    from_home = log_in(client, "alice", "correct horse battery", REMOTE_ADDR="198.51.100.7")

    assert from_the_guesser.status_code == 429
    assert "too many wrong passwords for this account" in from_the_guesser.text
    assert from_home.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_the_lock_is_per_account_not_per_spelling(client, alice):
    for spelling in ("Alice", "ALICE", "alice", "aLiCe", "Alice"):
        log_in(client, spelling, "wrong")

    assert log_in(client, "alice", "correct horse battery").status_code == 429


def test_fifty_wrong_passwords_from_many_addresses_lock_the_account_everywhere(client, alice):
    for n in range(ratelimit.PASSWORD_PER_ACCOUNT.attempts):
        log_in(client, "alice", "wrong", REMOTE_ADDR=f"10.0.{n // 4}.{n % 4}")  # 4 from each

    response = log_in(client, "alice", "correct horse battery", REMOTE_ADDR="198.51.100.7")

    assert ratelimit.PASSWORD_PER_ACCOUNT.attempts == 50
    assert response.status_code == 429
    assert "too many wrong passwords for this account" in response.text


def test_refused_logins_use_up_nothing(client, alice):
    for _ in range(5):
        log_in(client, "alice", "wrong", REMOTE_ADDR="203.0.113.9")
    for _ in range(ratelimit.PASSWORD_PER_ACCOUNT.attempts):  # hammering the locked door
        assert log_in(client, "alice", "wrong", REMOTE_ADDR="203.0.113.9").status_code == 429

    # Had they counted, the account's limit across all addresses would be used up.
    response = log_in(client, "alice", "correct horse battery", REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 302


def test_logins_that_succeed_use_up_no_tries(client, alice):
    for _ in range(4):
        log_in(client, "alice", "wrong")
    for _ in range(10):  # logging in and out all lesson long
        assert log_in(client, "alice", "correct horse battery").status_code == 302
        client.logout()

    assert log_in(client, "alice", "wrong").status_code == 200  # the fifth wrong one
    assert log_in(client, "alice", "correct horse battery").status_code == 429


def test_a_full_cache_forgets_no_count(client, alice):
    for _ in range(4):
        log_in(client, "alice", "wrong")
    # Over MAX_ENTRIES (300), Django's database cache deleted the first third of its keys
    # at every write: filling it with keys that sort late deleted the counts.
    cache.set_many({f"zz-filler-{n}": n for n in range(400)}, timeout=3600)
    log_in(client, "alice", "wrong")

    assert log_in(client, "alice", "correct horse battery").status_code == 429
    assert cache.get("zz-filler-0") == 0  # and nothing else that is live went either
    assert cache.get("zz-filler-399") == 399


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
    use_up(ratelimit.PASSWORD_PER_IP, "203.0.113.9")

    blocked = log_in(client, "alice", "correct horse battery", REMOTE_ADDR="203.0.113.9")
    elsewhere = log_in(client, "alice", "correct horse battery", REMOTE_ADDR="198.51.100.7")

    assert blocked.status_code == 429
    assert "too many wrong passwords from your network" in blocked.text
    assert elsewhere.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_ip_limit(client, alice):
    use_up(ratelimit.PASSWORD_PER_IP, "203.0.113.9")

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
    use_up(ratelimit.PASSWORD_PER_IP, "203.0.113.9")

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
    use_up(ratelimit.PASSWORD_PER_IP, "2001:db8:1:2::/64")

    response = log_in(client, "alice", "correct horse battery", REMOTE_ADDR="2001:db8:1:2::abcd")

    assert response.status_code == 429


def test_htmx_logins_get_the_whole_page_with_the_message(client, alice):
    # No page asks for the login form alone: an htmx request gets the page, as any other
    # (so nothing cached for one kind of request is served to the other).
    for _ in range(5):
        log_in(client, "alice", "wrong")

    response = log_in(client, "alice", "correct horse battery", HTTP_HX_REQUEST="true")

    assert response.status_code == 429
    assert "Please wait 15 minutes" in response.text
    assert "<html" in response.text
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
    use_up(ratelimit.SIGNUP_PER_IP, "127.0.0.1")

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


def test_htmx_sign_ups_get_the_whole_page_with_the_message(client, db):
    use_up(ratelimit.SIGNUP_PER_IP, "127.0.0.1")

    response = sign_up(client, "latecomer", HTTP_HX_REQUEST="true")

    assert response.status_code == 429
    assert "Please wait 60 minutes" in response.text
    assert "<html" in response.text


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


def test_htmx_joins_get_the_whole_page_with_the_message(student_client):
    for n in range(10):
        join(student_client, f"WRONG{n:03d}")

    response = join(student_client, "K7MQ2DXP", HTTP_HX_REQUEST="true")

    assert response.status_code == 429
    assert "Please wait 60 minutes" in response.text
    assert 'id="join-form"' in response.text
    assert "<html" in response.text


def change_password(client, old, url="/accounts/password_change/", **extra):
    new = "a new pass phrase"
    return client.post(
        url, {"old_password": old, "new_password1": new, "new_password2": new}, **extra
    )


@pytest.mark.parametrize("url", ["/accounts/password_change/", "/admin/password_change/"])
def test_five_wrong_old_passwords_lock_the_password_change(client, teacher, url):
    client.force_login(teacher)
    for _ in range(5):
        assert change_password(client, "wrong", url).status_code == 200

    response = change_password(client, "correct horse battery", url)

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "too many wrong passwords for this account" in response.text
    assert "Please wait 15 minutes and try again." in response.text
    assert "a new pass phrase" not in response.text
    teacher.refresh_from_db()
    assert teacher.check_password("correct horse battery")


def test_a_borrowed_session_and_the_login_page_share_five_tries(client, alice):
    client.force_login(alice)
    for _ in range(3):
        change_password(client, "wrong")
    client.logout()
    for _ in range(2):
        log_in(client, "alice", "wrong")

    assert log_in(client, "alice", "correct horse battery").status_code == 429


def test_changing_the_password_with_the_right_old_one_uses_up_no_tries(client, alice):
    client.force_login(alice)
    for _ in range(4):
        change_password(client, "wrong")

    assert change_password(client, "correct horse battery").status_code == 302

    alice.refresh_from_db()
    assert alice.check_password("a new pass phrase")
    assert change_password(client, "wrong").status_code == 200  # the fifth wrong one
    assert change_password(client, "a new pass phrase").status_code == 429


def start_practice(client, quiz, **extra):
    return client.post(f"/quizzes/{quiz.slug}/start/", **extra)


@pytest.fixture
def practice_quiz(practice_lesson):
    return practice_lesson.practice_quiz


def test_six_hundred_practice_starts_an_hour_from_one_address_are_allowed(client, practice_quiz):
    # A class of 30 behind one address, each starting afresh 20 times in an hour.
    for _ in range(ratelimit.PRACTICE_PER_IP.attempts - 1):
        ratelimit.PRACTICE_PER_IP.take("127.0.0.1")

    last = start_practice(client, practice_quiz)
    client.cookies.clear()  # a new visitor, who has no attempt to continue
    refused = start_practice(client, practice_quiz)

    assert ratelimit.PRACTICE_PER_IP.attempts == 600
    assert last.status_code == 302
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "So many practice quizzes have been started from your network" in refused.text
    assert "Please wait 60 minutes and try again." in refused.text
    assert Attempt.objects.filter(quiz=practice_quiz).count() == 1


def test_an_attempt_in_progress_continues_whatever_the_limit(client, practice_quiz):
    started = start_practice(client, practice_quiz)
    use_up(ratelimit.PRACTICE_PER_IP, "127.0.0.1")

    resumed = start_practice(client, practice_quiz)

    assert resumed.status_code == 302
    assert resumed["Location"] == started["Location"]


def test_logged_in_students_practice_outside_the_address_limit(student_client, practice_quiz):
    use_up(ratelimit.PRACTICE_PER_IP, "127.0.0.1")

    assert start_practice(student_client, practice_quiz).status_code == 302


def test_embedded_practice_starts_count_too_and_say_so_in_the_frame(client, practice_quiz):
    slug = practice_quiz.lesson.slug
    use_up(ratelimit.PRACTICE_PER_IP, "127.0.0.1")

    page = client.post(f"/embed/lessons/{slug}/start/")
    panel = client.post(f"/embed/lessons/{slug}/start/", HTTP_HX_REQUEST="true")

    for response in (page, panel):
        assert response.status_code == 429
        assert response["Retry-After"] == "3600"
        assert "So many practice quizzes have been started" in response.text
        assert "Please wait 60 minutes and try again." in response.text
    assert 'id="practice-panel"' in panel.text
    assert "<html" not in panel.text
    assert "frame-ancestors *" in page["Content-Security-Policy"]
    assert not Attempt.objects.filter(quiz=practice_quiz).exists()
