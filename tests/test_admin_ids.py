"""Admin URLs and query strings that take an id refuse digits that are not ASCII: 404.

Python's int() reads "١" (Arabic-Indic one) and "１" (full-width one) as 1, and
str.isdigit() takes "²", which int() refuses. Every admin URL pattern with an id is found
by walking the URL configuration, as in test_permissions_matrix.py, and requested with
the id of a real object written in those digits.
"""

import re
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client

from tests.test_permissions_matrix import make_world, url_for, url_patterns

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def foreign(ascii_id) -> list[str]:
    """The same id in other digits, and with a superscript two after it or alone."""
    text = str(ascii_id)
    return [text.translate(ARABIC_INDIC), text.translate(FULL_WIDTH), f"{text}²", "²"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def visitors(world, django_db_blocker) -> dict:
    result = {}
    with django_db_blocker.unblock():
        for role in ("teacher_a", "superuser"):
            result[role] = Client(raise_request_exception=False)
            result[role].force_login(world["users"][role])
    return result


ID_PATTERNS = sorted(
    key
    for key, (route, _pattern) in url_patterns().items()
    if route.startswith("admin/") and re.search(r"<(?:\w+:)?(object_id|content_type_id)>", route)
)


def test_the_walk_finds_every_page_that_takes_an_id():
    assert "admin:quizzes_question_regrade" in ID_PATTERNS
    assert "admin:classrooms_classroom_change" in ID_PATTERNS
    assert len(ID_PATTERNS) > 40


@pytest.mark.parametrize("key", ID_PATTERNS)
@pytest.mark.parametrize("role", ["teacher_a", "superuser"])
def test_an_id_in_other_digits_is_a_404(key, role, world, visitors, db):
    route, _pattern = url_patterns()[key]
    client = visitors[role]
    real = url_for(key, route, world)
    if "content_type_id" in route:  # "View on site" opens shared pages (not attempts)
        lesson = world["quiz"].lesson
        real = f"/admin/r/{ContentType.objects.get_for_model(lesson).pk}/{lesson.pk}/"
    control = client.get(real)
    assert control.status_code in (200, 302, 403), f"{real}: {control.status_code}"
    ids = [int(n) for n in re.findall(r"/(\d+)/", real)]
    for position, ascii_id in enumerate(ids):
        for digits in foreign(ascii_id):
            parts = re.split(r"/(\d+)/", real)  # text, id, text, id, ...
            parts[2 * position + 1] = digits
            url = "".join(p if i % 2 == 0 else f"/{p}/" for i, p in enumerate(parts))
            response = client.get(url)
            assert response.status_code == 404, f"{role} on {url}: {response.status_code}"


def query_urls(world) -> list[tuple[str, str, str]]:
    """(path, parameter, ASCII value) for admin pages that read an id from the query."""
    response = world["response"]
    return [
        ("/admin/quizzes/response/queue/", "question", world["question"].pk),
        ("/admin/quizzes/response/queue/", "assignment", world["assignment"].pk),
        (f"/admin/quizzes/response/{response.pk}/mark/", "question", world["question"].pk),
        (f"/admin/quizzes/response/{response.pk}/mark/", "assignment", world["assignment"].pk),
        ("/admin/classrooms/assignment/", "classroom__id__exact", world["classroom"].pk),
        ("/admin/quizzes/question/", "quiz__id__exact", world["quiz"].pk),
        ("/admin/quizzes/attempt/", "assignment__id__exact", world["assignment"].pk),
        ("/admin/lessons/section/", "lesson__id__exact", world["quiz"].lesson_id),
        ("/admin/classrooms/assignment/", "o", 1),
        ("/admin/classrooms/assignment/", "p", 1),
        ("/admin/classrooms/assignment/add/", "classroom", world["classroom"].pk),
        ("/admin/classrooms/assignment/add/", "quiz", world["quiz"].pk),
        ("/admin/quizzes/question/add/", "evidence", world["question"].evidence_id),
        ("/admin/autocomplete/", "page", 1),
    ]


@pytest.mark.parametrize("role", ["teacher_a", "superuser"])
def test_an_id_in_other_digits_in_a_query_string_is_a_404(role, world, visitors, db):
    client = visitors[role]
    autocomplete = {"app_label": "classrooms", "model_name": "assignment", "field_name": "quiz"}
    for path, name, ascii_id in query_urls(world):
        extra = autocomplete if path == "/admin/autocomplete/" else {}
        control = client.get(f"{path}?{urlencode({**extra, name: ascii_id})}")
        assert control.status_code in (200, 302), f"{path}?{name}={ascii_id}: nothing to compare"
        for digits in foreign(ascii_id):
            url = f"{path}?{urlencode({**extra, name: digits})}"
            assert client.get(url).status_code == 404, f"{role} on {url}"
    # The list's query, kept in the change page's address while editing
    change = f"/admin/classrooms/assignment/{world['assignment'].pk}/change/"
    kept = urlencode({"_changelist_filters": "classroom__id__exact=١"})
    assert client.get(f"{change}?{kept}").status_code == 404


def test_a_search_may_hold_any_digit(visitors, world, db):
    client = visitors["superuser"]
    for url in ["/admin/lessons/section/?q=m²", "/admin/classrooms/classroom/?q=١"]:
        assert client.get(url).status_code == 200, url
    kept = urlencode({"_changelist_filters": "q=m²"})
    change = f"/admin/lessons/lesson/{world['quiz'].lesson_id}/change/?{kept}"
    assert client.get(change).status_code == 200
