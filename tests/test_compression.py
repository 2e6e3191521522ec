"""Pages travel compressed, CSRF token and all."""

import gzip
import re

import pytest
from django.urls import reverse

from quizzes.models import Attempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def question_url(make_assignment, student, quiz):
    assignment = make_assignment(quiz)
    attempt = Attempt.objects.create(
        quiz=quiz, assignment=assignment, user=student, max_score=quiz.max_score
    )
    return reverse("quizzes:attempt_question", args=[attempt.public_id, 1])


def test_the_question_page_is_sent_compressed_to_browsers_that_accept_it(
    student_client, question_url
):
    plain = student_client.get(question_url)
    packed = student_client.get(question_url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert "Which agency is China" in page and "CNSA" in page
    assert len(packed.content) < len(plain.content) * 0.4  # bench/README.md: 14 KB to 3


def test_each_compressed_page_carries_a_differently_masked_csrf_token(student_client, question_url):
    """BREACH recovers a secret that repeats across responses from their compressed sizes;
    Django masks the CSRF token anew in every response."""
    tokens = {
        re.search(
            r'"X-CSRFToken": "([^"]+)"',
            gzip.decompress(
                student_client.get(question_url, HTTP_ACCEPT_ENCODING="gzip").content
            ).decode(),
        )[1]
        for _ in range(3)
    }
    assert len(tokens) == 3
