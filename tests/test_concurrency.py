"""Two tabs of one student acting at the same moment, against a real gunicorn server.

Real server processes and a real database file: pytest-django's in-memory SQLite shares one
cache between threads and fails at once with "table is locked" where a file database waits
its turn, so threads inside the test process would not show what students get.
"""

import threading

from tests import test_live_servers as live

# The live-server fixtures: their own database (SQLite file or fresh PostgreSQL database).
site = live.site
start_servers = live.start_servers


def at_once(*requests):
    """Run each request on its own thread, released together; their replies in order."""
    barrier = threading.Barrier(len(requests))
    replies = [None] * len(requests)

    def run(index, request):
        barrier.wait()
        replies[index] = request()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return replies


def two_tabs(site, start_servers, username: str, feedback: str):
    """Two tabs of one browser (one session) on an attempt of the six-question quiz;
    two worker processes, so the tabs' requests really run at the same time."""
    [server] = start_servers(1, WEB_CONCURRENCY="2")
    first = live.Tab(server)
    first.log_in(username)
    attempt_url = first.start(site.data["assignments"][feedback])
    first.get(attempt_url)
    second = live.Tab(server, cookies=first.client.cookies)
    second.get(attempt_url)
    for tab in (first, second):
        tab.read_choices(attempt_url, 6)
    return first, second, attempt_url


def test_two_tabs_saving_one_question_at_once_keep_one_consistent_answer(site, start_servers):
    first, second, attempt_url = two_tabs(site, start_servers, "dee", "deferred")
    right = [choices["Right"] for choices in site.data["choices"]]
    wrong = [choices["Wrong"] for choices in site.data["choices"]]

    replies = []
    for number in range(1, 7):
        replies += at_once(
            lambda n=number: first.answer(attempt_url, n, "Right"),
            lambda n=number: second.answer(attempt_url, n, "Wrong"),
        )

    assert {reply.status_code for reply in replies} == {200}
    stored = live.stored_answers(site, attempt_url, with_points=True)
    assert sorted(stored) == [1, 2, 3, 4, 5, 6]  # one response per question
    for number, (answer, points) in stored.items():
        assert answer in (right[number - 1], wrong[number - 1])
        assert points == (1 if answer == right[number - 1] else 0)


def test_two_tabs_checking_one_answer_at_once_get_feedback_on_the_stored_one(site, start_servers):
    """Immediate feedback shows the right answer, so the first answer must be the one that
    stands: the other tab is refused, never shown a verdict on an answer that was replaced."""
    first, second, attempt_url = two_tabs(site, start_servers, "eve", "immediate")
    right = [choices["Right"] for choices in site.data["choices"]]
    wrong = [choices["Wrong"] for choices in site.data["choices"]]

    accepted = {}
    for number in range(1, 7):
        replies = at_once(
            lambda n=number: first.answer(attempt_url, n, "Right"),
            lambda n=number: second.answer(attempt_url, n, "Wrong"),
        )
        assert sorted(reply.status_code for reply in replies) == [200, 409]
        refused = next(reply for reply in replies if reply.status_code == 409)
        assert "You have already answered this question." in refused.text
        accepted[number] = right[number - 1] if replies[0].status_code == 200 else wrong[number - 1]

    stored = live.stored_answers(site, attempt_url, with_points=True)
    assert {number: answer for number, (answer, _points) in stored.items()} == accepted


def test_submitting_from_two_tabs_at_once_records_one_submission(site, start_servers):
    first, second, attempt_url = two_tabs(site, start_servers, "fay", "deferred")
    for number in (1, 2, 3):
        assert first.answer(attempt_url, number, "Right").status_code == 200
    assert first.answer(attempt_url, 4, "Wrong").status_code == 200

    replies = at_once(
        lambda: first.post(f"{attempt_url}submit/", {}, htmx=False),
        lambda: second.post(f"{attempt_url}submit/", {}, htmx=False),
    )

    results_url = f"{attempt_url}results/"
    assert [reply.headers["Location"] for reply in replies] == [results_url, results_url]
    # Each tab follows its redirect; exactly one is told the attempt was already submitted.
    pages = [first.get(results_url), second.get(results_url)]
    told_already = ["This attempt was already submitted." in page.text for page in pages]
    assert sorted(told_already) == [False, True]
    assert all("You scored 3 out of 6." in page.text for page in pages)
    # One attempt used, with that score, on the student's list of quizzes.
    dashboard = first.get("/dashboard/").text
    assert "1 of 1 used" in dashboard
    assert "3 / 6" in dashboard
